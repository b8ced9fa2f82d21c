"""Sound sources behind one interface: synthetic signals, WAV files and (in mic.py) PortAudio.

``SynthSource`` and ``FileSource`` produce samples at the pace of a (injectable) monotonic
clock, so the panel behaves as with a microphone; ``realtime=False`` hands out a fixed block
per read for tests. Importing this module never loads sounddevice.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from visualnn.audio.base import STATES, AudioError, AudioSource, SourceStatus
from visualnn.audio.filesource import FileSource
from visualnn.audio.mic import DeviceInfo, MicSource, backend_status, list_input_devices
from visualnn.audio.paced import MAX_BACKLOG_SECONDS, PacedSource

__all__ = [
    "STATES",
    "AudioError",
    "AudioSource",
    "DeviceInfo",
    "FileSource",
    "MicSource",
    "SourceStatus",
    "SynthSource",
    "backend_status",
    "list_input_devices",
    "MAX_BACKLOG_SECONDS",
]


class SynthSource(PacedSource):
    """Deterministic test and demo signals.

    Parameters
    ----------
    kind : {"tone", "chirp", "noise", "clicks", "chord"}
        A sine; a linear sweep from ``frequency`` to ``chirp_to`` every ``sweep_seconds``;
        white noise; clicks at ``click_rate`` per second; a major triad on ``frequency``.
    frequency : float
        Hz.
    amplitude : float
        Peak amplitude (full scale = 1).
    samplerate : int
    realtime : bool
        Pace output by the clock (True) or return ``block`` samples per read (False).
    """

    kind_label = "Synthetic"
    KINDS = ("tone", "chirp", "noise", "clicks", "chord")

    def __init__(
        self,
        kind: str = "tone",
        frequency: float = 440.0,
        samplerate: int = 48000,
        amplitude: float = 0.5,
        realtime: bool = True,
        block: int = 1024,
        chirp_to: float = 8000.0,
        sweep_seconds: float = 4.0,
        click_rate: float = 4.0,
        seed: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ):
        super().__init__(samplerate, realtime, block, clock)
        if kind not in self.KINDS:
            raise AudioError(f"unknown synthetic sound {kind!r}; choose one of {self.KINDS}")
        self.kind = kind
        self.frequency = float(frequency)
        self.amplitude = float(amplitude)
        self.chirp_to = float(chirp_to)
        self.sweep_seconds = float(sweep_seconds)
        self.click_rate = float(click_rate)
        self.seed = int(seed)

    def describe(self) -> str:
        if self.kind in ("noise", "clicks"):
            return f"Synthetic {self.kind}"
        return f"Synthetic {self.kind} {self.frequency:g} Hz"

    def generate(self, start: int, n: int) -> np.ndarray:
        """Samples ``start .. start + n - 1`` of the signal, float32 (n,).

        A pure function of the absolute index, so output does not depend on read sizes.
        """
        idx = np.arange(start, start + n, dtype=np.int64)
        t = idx / self.samplerate
        a, f = self.amplitude, self.frequency
        if self.kind == "tone":
            # Reduce the phase modulo one period in exact integer-ish arithmetic first, so
            # hours of signal keep full float precision.
            y = np.sin(2.0 * np.pi * ((f * idx) % self.samplerate) / self.samplerate)
        elif self.kind == "chord":
            y = sum(np.sin(2.0 * np.pi * f * r * t) for r in (1.0, 1.25, 1.5)) / 3.0
        elif self.kind == "chirp":
            tau = t % self.sweep_seconds
            rate = (self.chirp_to - f) / self.sweep_seconds
            y = np.sin(2.0 * np.pi * (f * tau + 0.5 * rate * tau * tau))
        elif self.kind == "noise":
            y = self._noise(idx)
        else:  # clicks: a 2 ms decaying burst at each tick
            period = max(1, int(round(self.samplerate / self.click_rate)))
            phase = idx % period
            y = np.where(
                phase < 0.002 * self.samplerate, np.exp(-phase / (0.0004 * self.samplerate)), 0.0
            )
            y = y * np.where((phase % 2) == 0, 1.0, -1.0)
        return (a * y).astype(np.float32)

    def _noise(self, idx: np.ndarray) -> np.ndarray:
        # Pages of 4096 samples seeded by (seed, page) keep noise independent of read sizes.
        page = 4096
        first, last = idx[0] // page, idx[-1] // page if idx.size else -1
        pages = [
            np.random.default_rng([self.seed, int(p)]).uniform(-1.0, 1.0, page)
            for p in range(int(first), int(last) + 1)
        ]
        if not pages:
            return np.zeros(0)
        flat = np.concatenate(pages)
        return flat[idx - first * page]

    def read(self) -> np.ndarray:
        if not self._running:
            return np.zeros(0, dtype=np.float32)
        n = self._due()
        out = self.generate(self._pos, n)
        self._pos += n
        return out
