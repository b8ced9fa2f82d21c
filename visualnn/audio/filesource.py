"""A WAV file played as if it came from a microphone, streamed from disk chunk by chunk."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import numpy as np

from visualnn.audio.base import AudioError, SourceStatus
from visualnn.audio.paced import PacedSource
from visualnn.audio.resample import Resampler
from visualnn.audio.wavread import WavReader


class FileSource(PacedSource):
    """Play a WAV file as if it came from a microphone, streamed from disk chunk by chunk.

    Only the header is read on opening, so opening a 900 MB recording costs what a short
    clip costs, and playing it holds one chunk (``CHUNK_FRAMES``) at a time. Samples that
    are not numbers (NaN or infinite in a float WAV) play as silence, are counted in
    ``nonfinite_samples`` and named in the status message: none ever reaches a spectrogram.

    Parameters
    ----------
    path : path-like
        WAV file (8/16/24/32-bit PCM or 32/64-bit float, any channels: mixed to mono).
    loop : bool
        Start again at the end (seamlessly, the resampler runs on); otherwise the source
        stops with a message.
    realtime : bool
        Pace by the clock (True) or return ``block`` samples per read (False).
    samplerate : int, optional
        Output rate; the file is resampled to it as it streams. None keeps the file's rate.

    Raises
    ------
    AudioError
        When the file is missing, corrupt, unsupported or empty.
    """

    kind_label = "WAV file"
    CHUNK_FRAMES = 1 << 15

    def __init__(
        self,
        path: str | os.PathLike,
        loop: bool = True,
        realtime: bool = True,
        samplerate: int | None = None,
        block: int = 1024,
        clock: Callable[[], float] = time.monotonic,
    ):
        reader = WavReader(path)
        if reader.frames == 0:
            reader.close()
            raise AudioError(f"{os.path.basename(path)} contains no samples")
        rate = reader.samplerate if samplerate is None else int(samplerate)
        super().__init__(rate, realtime, block, clock)
        self.reader = reader
        self.path = os.fspath(path)
        self.loop = bool(loop)
        self.file_samplerate = int(reader.samplerate)
        self.file_channels = int(reader.channels)
        self.duration = reader.frames / reader.samplerate
        self.resampler = Resampler(reader.samplerate, rate) if rate != reader.samplerate else None
        #: Output samples of one pass through the file (what ``resample`` would give).
        self.total_samples = -(-reader.frames * rate // reader.samplerate)
        self.nonfinite_samples = 0  # in the file (counted on the first pass only)
        self._first_pass = True
        self._finished = False
        self._rewind_stream()

    def _rewind_stream(self) -> None:
        self.reader.seek(0)
        if self.resampler is not None:
            self.resampler.reset()
        self._pending = np.zeros(0, dtype=np.float32)  # produced, not yet handed out
        self._produced = 0  # output samples produced in this pass (no-loop end detection)

    def describe(self) -> str:
        return f"WAV file {os.path.basename(self.path)} ({self.duration:.1f} s)"

    def start(self) -> None:
        if self._finished:
            self.rewind()
        super().start()

    def rewind(self) -> None:
        """Play from the beginning on the next read."""
        self._rewind_stream()
        self._pos = 0
        self._due_base = 0
        self._t0 = self.clock()
        self._finished = False

    def close(self) -> None:
        super().close()
        self.reader.close()

    def _chunk(self) -> np.ndarray:
        """The next chunk of output samples; empty only at the end of a non-looping file."""
        for _ in range(2):  # at most one wrap-around per chunk
            x = self.reader.read_mono(self.CHUNK_FRAMES)
            if x.size:
                bad = ~np.isfinite(x)
                if bad.any():
                    self.nonfinite_samples += int(np.count_nonzero(bad)) * self._first_pass
                    x[bad] = 0.0
                return self.resampler.process(x) if self.resampler is not None else x
            self._first_pass = False  # every sample has been counted once
            if not self.loop:
                if self.resampler is not None and self._produced < self.total_samples:
                    return self.resampler.flush()
                return x
            self.reader.seek(0)  # looping: the resampler runs on across the seam
        raise AudioError(f"{os.path.basename(self.path)} cannot be read any more")

    def _take(self, n: int) -> np.ndarray:
        """``n`` output samples (fewer at the end of a non-looping file)."""
        parts, have = [self._pending], self._pending.shape[0]
        while have < n:
            y = self._chunk()
            if not self.loop:
                y = y[: max(0, self.total_samples - self._produced)]
            if y.size == 0 and not self.loop:
                break
            self._produced += y.shape[0]
            parts.append(y)
            have += y.shape[0]
        out = np.concatenate(parts) if len(parts) > 1 else parts[0]
        self._pending = out[n:]
        return out[:n]

    def read(self) -> np.ndarray:
        if not self._running:
            return np.zeros(0, dtype=np.float32)
        n = self._due()
        try:
            out = self._take(n)
        except OSError as exc:  # the disk or the file went away while playing
            self._error, self._running = f"cannot read {self.path} any more: {exc}", False
            return np.zeros(0, dtype=np.float32)
        except AudioError as exc:
            self._error, self._running = str(exc), False
            return np.zeros(0, dtype=np.float32)
        if not self.loop and self._produced >= self.total_samples and not self._pending.size:
            self._finished = True
            self._running = False
        self._pos += n
        return out

    def status(self) -> SourceStatus:
        if self._error:
            return SourceStatus("error", self._error, self.dropped_blocks, 0)
        if self._finished:
            return SourceStatus("stopped", "end of file", self.dropped_blocks, 0)
        st = super().status()
        if self.nonfinite_samples:
            msg = (
                f"{self.nonfinite_samples} samples of {os.path.basename(self.path)} are not "
                "numbers (NaN or infinite); they play as silence"
            )
            return SourceStatus(st.state, msg, st.dropped_blocks, st.status_flags)
        return st
