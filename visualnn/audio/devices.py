"""Input devices through sounddevice: listing, the backend check, the lazy import.

sounddevice is imported only inside these functions, so importing this module is free on a
machine without PortAudio; every problem becomes a one-sentence message with the fix.
"""

from __future__ import annotations

from dataclasses import dataclass

from visualnn.audio.base import AudioError

PORTAUDIO_MISSING = "PortAudio is not installed: run `sudo apt-get install libportaudio2`"
SOUNDDEVICE_MISSING = "the sounddevice package is not installed: run `pip install sounddevice`"
NO_INPUT = (
    "no input device found: plug in a microphone, or check that PulseAudio/PipeWire is "
    "running and the microphone is not disabled"
)


@dataclass(frozen=True)
class DeviceInfo:
    """One input device as PortAudio reports it."""

    name: str
    index: int
    default_samplerate: float
    max_input_channels: int
    is_default: bool = False
    hostapi: str = ""


def import_sounddevice():
    """Import sounddevice, turning a missing library into an :class:`AudioError`."""
    try:
        import sounddevice
    except OSError:  # the module is there but libportaudio.so is not
        raise AudioError(PORTAUDIO_MISSING) from None
    except ImportError:
        raise AudioError(SOUNDDEVICE_MISSING) from None
    return sounddevice


def list_input_devices(backend=None) -> list[DeviceInfo]:
    """Input devices, default first-marked; empty when PortAudio is unavailable.

    Parameters
    ----------
    backend : module-like, optional
        A sounddevice stand-in (tests); default imports sounddevice.
    """
    try:
        sd = backend or import_sounddevice()
        devices = sd.query_devices()
        hostapis = sd.query_hostapis()
        default_in = _default_input_index(sd)
    except AudioError:
        return []
    except Exception:  # PortAudio errors while enumerating: treat as no device
        return []
    out = []
    for i, d in enumerate(devices):
        if d["max_input_channels"] > 0:
            api = hostapis[d["hostapi"]]["name"] if d.get("hostapi") is not None else ""
            out.append(
                DeviceInfo(
                    d["name"],
                    i,
                    float(d["default_samplerate"]),
                    int(d["max_input_channels"]),
                    i == default_in,
                    api,
                )
            )
    return out


def _default_input_index(sd) -> int | None:
    try:
        idx = sd.default.device[0]
    except Exception:
        return None
    return None if idx is None or idx < 0 else int(idx)


def backend_status(backend=None) -> tuple[bool, str]:
    """Whether a microphone can be used, and a one-sentence explanation.

    Returns
    -------
    (ok, message) : (bool, str)
        ``message`` names the exact fix when ``ok`` is False.
    """
    try:
        sd = backend or import_sounddevice()
    except AudioError as exc:
        return False, str(exc)
    devices = list_input_devices(sd)
    if not devices:
        return False, NO_INPUT
    version = getattr(sd, "get_portaudio_version", lambda: (0, "PortAudio"))()[1]
    return True, f"{version}: {len(devices)} input device(s)"


def resolve_device(sd, want: str | int | None) -> DeviceInfo:
    """The input device ``want`` names: a NAME (or part of one), an index, or None/"" for
    the default; raises :class:`AudioError` naming the devices there are."""
    devices = list_input_devices(sd)
    if not devices:
        raise AudioError(NO_INPUT)
    if want is None or want == "":
        return next((d for d in devices if d.is_default), devices[0])
    if isinstance(want, int):
        match = [d for d in devices if d.index == want]
    else:
        match = [d for d in devices if d.name == want]
        # Names may gain a suffix such as ", ALSA" or a card number after replugging.
        match = match or [d for d in devices if want.lower() in d.name.lower()]
    if not match:
        names = ", ".join(repr(d.name) for d in devices[:6])
        raise AudioError(
            f"the input device {want!r} is not available any more (unplugged?); "
            f"choose another one: {names}"
        )
    return match[0]


def invalid_rate(exc: Exception) -> bool:
    """Whether PortAudio refused the sample rate (paInvalidSampleRate, error -9997)."""
    args = getattr(exc, "args", ())
    return (
        (len(args) > 1 and args[1] == -9997)
        or "-9997" in str(exc)
        or ("invalid sample rate" in str(exc).lower())
    )
