"""The newest seconds of a live stream, at the rate a sound model wants, whatever it came at.

A microphone may run at 44.1 or 48 kHz and a WAV file at anything; a sound model was
trained at 16 kHz. :class:`LiveBuffer` resamples as the samples arrive (a streaming
windowed-sinc resampler: a few hundred microseconds per block) and keeps a ring of the
newest seconds, with an absolute sample counter so a recording can ask for "the samples
since I started". Used by the window's live input, by ``visualnn listen`` and by the live
benchmark: one code path.
"""

from __future__ import annotations

import numpy as np

from visualnn.audio.resample import Resampler


class LiveBuffer:
    """A ring of the newest ``seconds`` of audio at ``samplerate``.

    Parameters
    ----------
    samplerate : int
        Rate of what :meth:`latest` returns (16 kHz for the sound models).
    seconds : float
        How much is kept: a clip is 1 s; the slack covers a slow consumer.
    """

    def __init__(self, samplerate: int = 16000, seconds: float = 4.0) -> None:
        self.samplerate = int(samplerate)
        self._ring = np.zeros(int(round(seconds * self.samplerate)), np.float32)
        self.total = 0  # samples written so far, at ``samplerate``
        self._resampler: Resampler | None = None
        self._rate_in: int | None = None

    def clear(self) -> None:
        """Forget everything (a new source): the counter restarts at 0."""
        self._ring[:] = 0.0
        self.total = 0
        self._resampler = None
        self._rate_in = None

    def push(self, samples: np.ndarray, rate: int) -> int:
        """Add mono ``samples (n,)`` recorded at ``rate``; returns how many were stored.

        Non-finite samples are stored as silence: one NaN from a broken file must not
        poison every feature computed from the ring.
        """
        x = np.asarray(samples, dtype=np.float32).reshape(-1)
        if int(rate) != self._rate_in:
            self._rate_in = int(rate)
            self._resampler = None if self._rate_in == self.samplerate else Resampler(
                self._rate_in, self.samplerate)  # fmt: skip
        if self._resampler is not None:
            x = self._resampler.process(x)
        if not np.isfinite(x).all():
            x = np.nan_to_num(x, nan=0.0, posinf=0.0, neginf=0.0)
        cap = self._ring.shape[0]
        x = x[-cap:]
        idx = (self.total + np.arange(x.shape[0])) % cap
        self._ring[idx] = x
        self.total += x.shape[0]
        return int(x.shape[0])

    def between(self, start: int, stop: int) -> np.ndarray:
        """Samples with absolute indices ``start .. stop - 1`` that are still kept, ``(n,)``."""
        cap = self._ring.shape[0]
        start = max(int(start), self.total - cap, 0)
        stop = min(int(stop), self.total)
        if stop <= start:
            return np.zeros(0, np.float32)
        return self._ring[np.arange(start, stop) % cap]

    def latest(self, seconds: float) -> np.ndarray:
        """Exactly ``seconds`` of the newest audio, float32 ``(seconds * samplerate,)``,
        zero-padded in front when less has been heard."""
        n = int(round(seconds * self.samplerate))
        got = self.between(self.total - n, self.total)
        if got.shape[0] == n:
            return got
        return np.concatenate([np.zeros(n - got.shape[0], np.float32), got])
