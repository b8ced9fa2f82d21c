"""Streaming STFT: push audio in any chunk sizes, get the new spectrogram columns.

The columns equal the offline ``stft(x, center=False)`` of everything pushed so far (same
window, same frame boundaries), so a live spectrogram and an offline one agree exactly.
"""

from __future__ import annotations

import numpy as np

from visualnn.audio.features import window_array


class StreamingSTFT:
    """Incremental STFT with a bounded internal buffer.

    Parameters
    ----------
    n_fft : int
        FFT size = frame length.
    hop : int, optional
        Hop in samples; default ``n_fft // 4``.
    window : str or ndarray, shape (n_fft,)

    Notes
    -----
    Only the samples not yet covered by a complete frame are kept (fewer than
    ``n_fft + hop`` between pushes), so memory does not grow with the stream length.
    """

    def __init__(self, n_fft: int = 2048, hop: int | None = None, window="hann") -> None:
        self.n_fft = int(n_fft)
        self.hop = self.n_fft // 4 if hop is None else int(hop)
        if self.n_fft < 1 or self.hop < 1:
            raise ValueError(f"n_fft and hop must be >= 1, got {n_fft} and {hop}")
        self.window = window_array(window, self.n_fft).astype(np.float32)
        self.n_freq = self.n_fft // 2 + 1
        self._buf = np.zeros(0, dtype=np.float32)
        self._skip = 0
        self.frames_emitted = 0

    def reset(self) -> None:
        """Forget buffered samples (e.g. after a source switch)."""
        self._buf = np.zeros(0, dtype=np.float32)
        self._skip = 0
        self.frames_emitted = 0

    @property
    def buffered(self) -> int:
        """Samples held while waiting for the next complete frame."""
        return self._buf.shape[0]

    def push(self, samples: np.ndarray) -> np.ndarray:
        """Add samples and return the columns of every frame completed by them.

        Parameters
        ----------
        samples : ndarray, shape (n,)

        Returns
        -------
        ndarray, complex64, shape (n_fft // 2 + 1, new_frames)
        """
        samples = np.asarray(samples, dtype=np.float32).reshape(-1)
        if self._skip:
            # hop > n_fft: the next frame starts after samples that belong to no frame.
            k = min(self._skip, samples.shape[0])
            samples, self._skip = samples[k:], self._skip - k
        buf = np.concatenate([self._buf, samples]) if self._buf.size else samples
        if buf.shape[0] < self.n_fft:
            self._buf = buf.copy() if buf is samples else buf
            return np.zeros((self.n_freq, 0), dtype=np.complex64)
        n_frames = 1 + (buf.shape[0] - self.n_fft) // self.hop
        frames = np.lib.stride_tricks.sliding_window_view(buf, self.n_fft)[:: self.hop]
        spec = np.fft.rfft(frames[:n_frames] * self.window, axis=-1).astype(np.complex64)
        # Keep from the start of the next frame on; copy so the caller's array is not retained.
        self._skip = max(0, n_frames * self.hop - buf.shape[0])
        self._buf = buf[n_frames * self.hop :].copy()
        self.frames_emitted += n_frames
        return np.ascontiguousarray(spec.T)
