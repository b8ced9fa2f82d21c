"""The microphone: a PortAudio input stream (through sounddevice) feeding a ring buffer.

sounddevice is imported only when a microphone is listed, checked or opened, so the rest of
visualnn works without PortAudio. The stream callback only copies the block into the ring
buffer and updates counters; mixing to mono, resampling and all maths happen in ``read()`` on
the consumer's thread. ``status()`` is the watchdog: "stalled" when no callback arrived for
``stall_timeout`` seconds, "silent" when the device delivered exact zeros for
``silence_seconds``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from visualnn.audio.base import AudioError, AudioSource, SourceStatus
from visualnn.audio.resample import Resampler
from visualnn.audio.ringbuffer import RingBuffer

PORTAUDIO_MISSING = "PortAudio is not installed: run `sudo apt-get install libportaudio2`"
SOUNDDEVICE_MISSING = "the sounddevice package is not installed: run `pip install sounddevice`"
NO_INPUT = (
    "no input device found: plug in a microphone, or check that PulseAudio/PipeWire is "
    "running and the microphone is not disabled"
)
SILENT = (
    "the microphone delivers pure digital silence: on Linux this is often a muted input or "
    "a missing permission (check the input volume, e.g. with pavucontrol)"
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


class MicSource(AudioSource):
    """Live input from a sound card.

    Parameters
    ----------
    device : str or int or None
        Device NAME (kept by name, resolved to an index at every start), an index, or None
        for the system default input.
    samplerate : int
        Rate :meth:`read` returns. If the device refuses it, the stream opens at the
        device's default rate and is resampled (see :mod:`visualnn.audio.resample`).
    blocksize : int
        Frames per callback (0 lets PortAudio choose, which some plug-ins prefer).
    latency : str or float
        PortAudio's suggested latency. "high" (about 35-45 ms on ALSA) is the default
        because ALSA's PulseAudio plug-in under load delivered only half the samples with
        "low" in our tests; the stream's real latency is in ``stream.latency``.
    buffer_seconds : float
        Ring-buffer length: how long the consumer may stall before samples are lost.
    backend : module-like, optional
        A sounddevice stand-in for tests.
    """

    kind_label = "Microphone"

    def __init__(
        self,
        device: str | int | None = None,
        samplerate: int = 48000,
        blocksize: int = 512,
        buffer_seconds: float = 4.0,
        latency="high",
        stall_timeout: float = 2.0,
        silence_seconds: float = 1.0,
        backend=None,
        clock: Callable[[], float] = time.monotonic,
    ):
        super().__init__(samplerate, clock)
        self.device = device
        self.device_name = device if isinstance(device, str) else ""
        self.blocksize = int(blocksize)
        self.buffer_seconds = float(buffer_seconds)
        self.latency = latency
        self.stall_timeout = float(stall_timeout)
        self.silence_seconds = float(silence_seconds)
        self.backend = backend
        self.stream = None
        self.ring: RingBuffer | None = None
        self.stream_samplerate = self.samplerate
        self.stream_channels = 1
        self.resampler: Resampler | None = None
        self.note = ""  # e.g. the rate fallback, shown next to a running status
        self._reset_counters()

    def _reset_counters(self) -> None:
        self.callbacks = 0
        self.status_flags = 0
        self.input_overflows = 0
        self.zero_run = 0  # consecutive all-zero frames, updated by the callback
        self.last_callback = self.clock()
        self.frames_in = 0  # frames delivered by callbacks since the stream opened
        self.measured_rate: float | None = None  # frames per second actually delivered
        self._rate_mark = (self.last_callback, 0)

    # -- the PortAudio callback (runs on PortAudio's thread) ---------------------------------
    def _callback(self, indata, frames, time_info, status) -> None:
        """Copy the block and count; nothing else (no allocation, no maths, no waiting)."""
        self.callbacks += 1
        if status:
            self.status_flags += 1
            if getattr(status, "input_overflow", False):
                self.input_overflows += 1
        self.zero_run = 0 if indata.any() else self.zero_run + frames
        self.frames_in += frames
        self.ring.write(indata)
        self.last_callback = self.clock()

    # -- device resolution -----------------------------------------------------------------
    def _resolve(self, sd) -> DeviceInfo:
        devices = list_input_devices(sd)
        if not devices:
            raise AudioError(NO_INPUT)
        want = self.device
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

    # -- control -------------------------------------------------------------------------
    def start(self) -> None:
        """Open and start the stream; raises :class:`AudioError` with a plain message."""
        if self.stream is not None:
            return
        self._error = ""
        try:
            self._open()
        except AudioError as exc:
            self._error = str(exc)
            raise
        self._running = True

    def _open(self) -> None:
        sd = self.backend or import_sounddevice()
        info = self._resolve(sd)
        self.device_name = info.name
        channels = max(1, min(2, info.max_input_channels))
        rate = self.samplerate
        self.note = ""
        try:
            sd.check_input_settings(
                device=info.index, channels=channels, samplerate=rate, dtype="float32"
            )
        except Exception:
            rate = int(round(info.default_samplerate))
            self.note = (
                f"{info.name} refused {self.samplerate} Hz: recording at {rate} Hz and resampling"
            )
        self.stream_samplerate, self.stream_channels = rate, channels
        self.resampler = Resampler(rate, self.samplerate) if rate != self.samplerate else None
        self.ring = RingBuffer(int(self.buffer_seconds * rate), channels)
        self._reset_counters()
        try:
            stream = sd.InputStream(
                device=info.index,
                channels=channels,
                samplerate=rate,
                blocksize=self.blocksize,
                dtype="float32",
                latency=self.latency,
                callback=self._callback,
            )
            stream.start()
        except Exception as exc:
            raise AudioError(f"cannot open {info.name}: {exc}") from None
        self.stream = stream
        self.last_callback = self.clock()  # the stall clock starts when the stream does
        self._rate_mark = (self.last_callback, self.frames_in)

    def stop(self) -> None:
        stream, self.stream = self.stream, None
        self._running = False
        if stream is not None:
            try:
                stream.stop()
            except Exception:
                pass  # a device that vanished cannot be stopped; closing is what matters
            try:
                stream.close()
            except Exception:
                pass

    def reconnect(self) -> None:
        """Close and re-open, resolving the device by name again."""
        self.stop()
        self.start()

    def read(self) -> np.ndarray:
        """New samples since the last read: float32 (n,), mono, at :attr:`samplerate`."""
        if self.ring is None:
            return np.zeros(0, dtype=np.float32)
        block = self.ring.read_new()
        mono = block if block.ndim == 1 else block.mean(axis=1, dtype=np.float32)
        if self.resampler is not None:
            return self.resampler.process(mono)
        return mono

    def status(self) -> SourceStatus:
        dropped = self.ring.overflow_events if self.ring is not None else 0
        if self._error:
            return SourceStatus("error", self._error, dropped, self.status_flags)
        if self.stream is None:
            return SourceStatus("stopped", "", dropped, self.status_flags)
        quiet = self.clock() - self.last_callback
        if quiet >= self.stall_timeout or not getattr(self.stream, "active", True):
            msg = (
                f"no audio from {self.device_name} for {quiet:.0f} s: the device may have "
                f"been unplugged or taken by another program; press Reconnect"
            )
            return SourceStatus("stalled", msg, dropped, self.status_flags)
        if self.zero_run >= self.silence_seconds * self.stream_samplerate:
            return SourceStatus("silent", SILENT, dropped, self.status_flags)
        return SourceStatus("running", self._rate_note(), dropped, self.status_flags)

    def _rate_note(self) -> str:
        """The fallback note, or a warning when the device delivers too few samples."""
        now, (t_mark, f_mark) = self.clock(), self._rate_mark
        if now - t_mark >= 2.0:  # measure over >= 2 s windows so block jitter averages out
            self.measured_rate = (self.frames_in - f_mark) / (now - t_mark)
            self._rate_mark = (now, self.frames_in)
        rate = self.measured_rate
        if rate is not None and rate < 0.8 * self.stream_samplerate:
            share = 100.0 * rate / self.stream_samplerate
            return (
                f"{self.device_name} delivers only {share:.0f} % of {self.stream_samplerate} "
                "samples per second (driver or load problem): try another device or latency"
            )
        return self.note

    def describe(self) -> str:
        return f"Microphone {self.device_name or '(default)'}"
