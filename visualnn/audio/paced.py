"""Pacing shared by the file and synthetic sources: samples due by a clock, or fixed blocks."""

from __future__ import annotations

from visualnn.audio.base import AudioSource

#: A consumer that stalls longer than this loses the excess (counted in dropped_blocks),
#: so a paused panel does not get a burst of stale audio.
MAX_BACKLOG_SECONDS = 0.5


class PacedSource(AudioSource):
    """Shared pacing: how many samples are due now, in real time or per fixed block."""

    def __init__(self, samplerate, realtime, block, clock):
        super().__init__(samplerate, clock)
        self.realtime = bool(realtime)
        self.block = int(block)
        self._t0 = 0.0
        self._due_base = 0  # samples produced before the current run
        self._pos = 0  # absolute index of the next sample to produce

    def start(self) -> None:
        if self._running:
            return
        super().start()
        self._t0 = self.clock()
        self._due_base = self._pos

    def _due(self) -> int:
        """Number of samples to hand out on this read."""
        if not self.realtime:
            return self.block
        target = self._due_base + round((self.clock() - self._t0) * self.samplerate)
        n = target - self._pos
        limit = int(MAX_BACKLOG_SECONDS * self.samplerate)
        if n > limit:
            # Skip what the reader missed rather than deliver it late.
            self._pos = target - limit
            self.dropped_blocks += 1
            n = limit
        return max(0, n)
