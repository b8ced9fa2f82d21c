"""A preallocated ring buffer between the audio callback and the GUI-thread consumer.

The producer (PortAudio's callback thread) must never allocate or wait, so ``write`` only
copies into a fixed float32 array and moves a monotonic write counter. The consumer keeps its
own monotonic read counter; when it falls more than ``capacity`` behind, the oldest samples are
gone (overwritten) and counted in ``dropped_samples``. A lock guards only the two counters, so
the producer waits at most for a few integer assignments.
"""

from __future__ import annotations

import threading

import numpy as np


class RingBuffer:
    """Single-producer / single-consumer float32 ring buffer.

    Parameters
    ----------
    capacity : int
        Number of frames (samples per channel) kept; older ones are overwritten.
    channels : int
        Samples per frame. ``channels == 1`` gives 1-D reads of shape ``(n,)``,
        otherwise reads have shape ``(n, channels)``.
    """

    def __init__(self, capacity: int, channels: int = 1) -> None:
        if capacity < 1:
            raise ValueError(f"ring buffer capacity must be at least 1, got {capacity}")
        if channels < 1:
            raise ValueError(f"ring buffer needs at least 1 channel, got {channels}")
        self.capacity = int(capacity)
        self.channels = int(channels)
        self._data = np.zeros((self.capacity, self.channels), dtype=np.float32)
        self._lock = threading.Lock()
        self._written = 0  # total frames ever written (monotonic)
        self._read = 0  # total frames consumed or dropped (monotonic)
        self._pending = 0  # end of the region the producer is copying into right now
        self.dropped_samples = 0
        self.overflow_events = 0

    # -- producer side -------------------------------------------------------------------
    def write(self, block: np.ndarray) -> int:
        """Copy ``block`` in; called from the audio callback, so no allocation.

        Parameters
        ----------
        block : ndarray, shape (n,) or (n, channels)
            New frames. When ``n > capacity`` only the last ``capacity`` frames are kept.

        Returns
        -------
        int
            Frames that overwrote unread data during this call (0 normally).
        """
        n = block.shape[0]
        if n == 0:
            return 0
        if block.ndim == 1:
            # A (n,) block for a 1-channel buffer: view it as (n, 1) without copying.
            block = block.reshape(n, 1)
        if n > self.capacity:
            block = block[n - self.capacity :]
        m = block.shape[0]
        with self._lock:
            # Announce the region first so a concurrent reader can tell its copy was clobbered.
            self._pending = self._written + n
        start = (self._written + n - m) % self.capacity
        first = min(m, self.capacity - start)
        # The copy happens outside the lock: the consumer only reads frames below ``_written``
        # and re-checks ``_pending`` afterwards, so a short lock is all the producer ever holds.
        self._data[start : start + first] = block[:first]
        if first < m:
            self._data[: m - first] = block[first:]
        with self._lock:
            self._written += n
            lost = self._written - self._read - self.capacity
            if lost > 0:
                self._read += lost
                self.dropped_samples += lost
                self.overflow_events += 1
            else:
                lost = 0
        return lost

    # -- consumer side -------------------------------------------------------------------
    @property
    def available(self) -> int:
        """Frames written but not read yet (at most ``capacity``)."""
        with self._lock:
            return self._written - self._read

    def read_new(self, max_frames: int | None = None) -> np.ndarray:
        """Return (a copy of) the frames written since the last read, oldest first.

        Parameters
        ----------
        max_frames : int, optional
            Read at most this many (the oldest ones); the rest stays for the next read.

        Returns
        -------
        ndarray, float32, shape (n,) for one channel or (n, channels)
            ``n <= capacity``.
        """
        with self._lock:
            start_count = self._read
            n = self._written - self._read
        if max_frames is not None:
            n = min(n, max(0, int(max_frames)))
        start = start_count % self.capacity
        idx = (start + np.arange(n)) % self.capacity if start + n > self.capacity else None
        out = self._data[idx] if idx is not None else self._data[start : start + n].copy()
        with self._lock:
            # The producer may have lapped us while we copied: frames below ``valid_from`` may
            # be overwritten, so drop them. The producer already counted [start, _read) as lost;
            # count the rest of what we discard here, so every frame is either returned or
            # counted exactly once.
            read_now = self._read
            end = start_count + n
            valid_from = max(start_count, self._pending - self.capacity)
            keep_from = min(valid_from, end)
            if keep_from > start_count:
                out = out[keep_from - start_count :]
                self.dropped_samples += max(0, keep_from - read_now)
            self._read = max(read_now, end)
        return out[:, 0] if self.channels == 1 else out

    def latest(self, n: int) -> np.ndarray:
        """The newest ``n`` frames (already read or not), without consuming anything.

        Returns
        -------
        ndarray, float32, shape (m,) or (m, channels) with ``m = min(n, frames held)``
        """
        with self._lock:
            written = self._written
        m = int(min(n, written, self.capacity))
        idx = (written - m + np.arange(m)) % self.capacity
        out = self._data[idx]
        return out[:, 0] if self.channels == 1 else out

    def clear(self) -> None:
        """Forget unread data and the drop counters."""
        with self._lock:
            self._read = self._written
            self.dropped_samples = 0
            self.overflow_events = 0
