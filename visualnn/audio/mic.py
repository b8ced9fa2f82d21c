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

import numpy as np

from visualnn.audio.base import AudioError, AudioSource, SourceStatus
from visualnn.audio.devices import (  # re-exported: the microphone's public names
    NO_INPUT,
    PORTAUDIO_MISSING,
    SOUNDDEVICE_MISSING,
    DeviceInfo,
    backend_status,
    import_sounddevice,
    invalid_rate,
    list_input_devices,
    resolve_device,
)
from visualnn.audio.resample import Resampler
from visualnn.audio.ringbuffer import RingBuffer

__all__ = [
    "NO_INPUT",
    "PORTAUDIO_MISSING",
    "SILENT",
    "SOUNDDEVICE_MISSING",
    "DeviceInfo",
    "MicSource",
    "backend_status",
    "import_sounddevice",
    "list_input_devices",
]

SILENT = (
    "the microphone delivers pure digital silence: on Linux this is often a muted input or "
    "a missing permission (check the input volume, e.g. with pavucontrol)"
)


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
        PortAudio's suggested input latency, which for input sets the device buffer
        (headroom), not the delay: callbacks still come once per block (every 10.7 ms for
        512 frames at 48 kHz). 0.1 s is the default because ALSA's PulseAudio plug-in with
        smaller buffers ("low"/"high" = 20-45 ms) sometimes delivered half the samples or
        none for a second in our tests; the stream's real value is in ``stream.latency``.
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
        latency=0.1,
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
        self._sd = None  # the sounddevice module (or stand-in) of the open stream
        self._reset_counters()

    def _reset_counters(self) -> None:
        self.callbacks = 0
        self.status_flags = 0
        self.input_overflows = 0
        self.zero_run = 0  # consecutive all-zero frames, updated by the callback
        self.last_callback = self.clock()
        self.frames_in = 0  # frames delivered by callbacks since the stream opened
        self.measured_rate: float | None = None  # frames per second actually delivered
        self._rate_mark: tuple[float, int] | None = None
        self.callback_error = ""  # an exception of our own callback (a bug, not the device)

    # -- the PortAudio callback (runs on PortAudio's thread) ---------------------------------
    def _callback(self, indata, frames, time_info, status) -> None:
        """Copy the block and count; nothing else (no allocation, no maths, no waiting)."""
        try:
            self.callbacks += 1
            if status:
                self.status_flags += 1
                if getattr(status, "input_overflow", False):
                    self.input_overflows += 1
            self.zero_run = 0 if indata.any() else self.zero_run + frames
            if self._rate_mark is None:  # rate measurement starts at the first block
                self._rate_mark = (self.clock(), frames)
            self.frames_in += frames
            self.ring.write(indata)
            self.last_callback = self.clock()
        except Exception as exc:  # our bug, not the device's: say so, and stop the stream
            self.callback_error = f"{type(exc).__name__}: {exc}"
            abort = getattr(self._sd, "CallbackAbort", None)
            if abort is not None:
                raise abort from None  # ends the stream instead of a traceback per block

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
        sd = self._sd = self.backend or import_sounddevice()
        info = resolve_device(sd, self.device)
        self.device_name = info.name
        channels = max(1, min(2, info.max_input_channels))
        default = int(round(info.default_samplerate))
        rate = self.samplerate
        self.note = ""
        try:
            sd.check_input_settings(
                device=info.index, channels=channels, samplerate=rate, dtype="float32"
            )
        except Exception:
            rate = default
        try:
            stream = self._start_stream(sd, info, channels, rate)
        except Exception as exc:
            if rate == default or not invalid_rate(exc):
                raise AudioError(_open_failed(info, exc, self.samplerate, default)) from None
            # The pre-check passed but the open itself refused the rate (PortAudio -9997,
            # seen with some ALSA plug-ins): the device's own rate always works.
            rate = default
            try:
                stream = self._start_stream(sd, info, channels, rate)
            except Exception as exc2:
                raise AudioError(_open_failed(info, exc2, self.samplerate, default)) from None
        if rate != self.samplerate:
            self.note = (
                f"{info.name} refused {self.samplerate} Hz: recording at {rate} Hz and resampling"
            )
        self.stream = stream
        self.last_callback = self.clock()  # the stall clock starts when the stream does

    def _start_stream(self, sd, info: DeviceInfo, channels: int, rate: int):
        """Open and start an input stream at ``rate``, with buffers and counters to match."""
        self.stream_samplerate, self.stream_channels = rate, channels
        self.resampler = Resampler(rate, self.samplerate) if rate != self.samplerate else None
        self.ring = RingBuffer(int(self.buffer_seconds * rate), channels)
        self._reset_counters()
        stream = sd.InputStream(
            device=info.index,
            channels=channels,
            samplerate=rate,
            blocksize=self.blocksize,
            dtype="float32",
            latency=self.latency,
            callback=self._callback,
        )
        try:
            stream.start()
        except BaseException:
            stream.close()
            raise
        return stream

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
        flags = self.status_flags
        if self._error:
            return SourceStatus("error", self._error, dropped, flags)
        if self.stream is None:
            return SourceStatus("stopped", "", dropped, flags)
        if self.callback_error:
            msg = f"the sound processing failed: {self.callback_error}"
            return SourceStatus("error", msg, dropped, flags)
        quiet = self.clock() - self.last_callback
        if not getattr(self.stream, "active", True):
            msg = (
                f"the input stream from {self.device_name} ended (device unplugged or its "
                "sound server stopped); press Reconnect"
            )
            state = "stalled"
        elif quiet >= self.stall_timeout:
            msg = (
                f"no audio from {self.device_name} for {quiet:.0f} s: the device may have "
                f"been unplugged or taken by another program; press Reconnect"
            )
            state = "stalled"
        elif self.zero_run >= self.silence_seconds * self.stream_samplerate:
            state, msg = "silent", SILENT
        else:
            state, msg = "running", self._rate_note()
        return SourceStatus(state, self._with_dropouts(msg, dropped), dropped, flags)

    def _with_dropouts(self, message: str, dropped: int) -> str:
        """``message`` with "dropouts: N" added: blocks the device or our buffer lost."""
        n = self.input_overflows + dropped
        if not n:
            return message
        return f"{message}; dropouts: {n}" if message else f"dropouts: {n}"

    def _rate_note(self) -> str:
        """The fallback note, or a warning when the device delivers too few samples."""
        if self._rate_mark is None:
            return self.note
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


def _open_failed(info: DeviceInfo, exc: Exception, wanted: int, default: int) -> str:
    if invalid_rate(exc):
        return (
            f"cannot open {info.name}: it refuses {wanted} Hz and its own {default} Hz; "
            "choose another device"
        )
    return f"cannot open {info.name}: {exc}"
