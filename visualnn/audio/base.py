"""The common interface of every sound source, its status record, and the audio error type."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

#: Every value :attr:`SourceStatus.state` can take.
STATES = ("stopped", "running", "stalled", "silent", "error")


class AudioError(Exception):
    """A user-facing audio problem; ``str(err)`` is one plain sentence for the panel."""


@dataclass(frozen=True)
class SourceStatus:
    """What a source is doing, for the panel to show.

    Attributes
    ----------
    state : str
        One of "stopped", "running", "stalled", "silent", "error".
    message : str
        One sentence for the user ("" when all is well).
    dropped_blocks : int
        Blocks (or overflow events) lost because the consumer fell behind.
    status_flags : int
        Callbacks that carried a PortAudio status flag (input overflow etc.).
    """

    state: str = "stopped"
    message: str = ""
    dropped_blocks: int = 0
    status_flags: int = 0

    @property
    def ok(self) -> bool:
        return self.state in ("running", "stopped")


class AudioSource:
    """Base class: a mono float32 stream read by a GUI-thread timer.

    Subclasses implement :meth:`start`, :meth:`stop` and :meth:`read`.

    Parameters
    ----------
    samplerate : int
        Rate of the samples :meth:`read` returns, in Hz.
    clock : callable
        Monotonic time in seconds; injectable so tests can script time.
    """

    #: Short name for pickers ("Microphone", "WAV file", "Synthetic").
    kind_label = "source"

    def __init__(self, samplerate: int = 48000, clock: Callable[[], float] = time.monotonic):
        if samplerate <= 0:
            raise AudioError(f"the sample rate must be positive, got {samplerate}")
        self.samplerate = int(samplerate)
        self.channels = 1
        self.clock = clock
        self._running = False
        self._error = ""
        self.dropped_blocks = 0

    @property
    def running(self) -> bool:
        return self._running

    def start(self) -> None:
        self._running = True
        self._error = ""

    def stop(self) -> None:
        self._running = False

    def close(self) -> None:
        """Release everything (default: stop)."""
        self.stop()

    def read(self) -> np.ndarray:
        """Samples new since the last read, float32 shape (n,), mono, at :attr:`samplerate`."""
        raise NotImplementedError

    def status(self) -> SourceStatus:
        if self._error:
            return SourceStatus("error", self._error, self.dropped_blocks, 0)
        state = "running" if self._running else "stopped"
        return SourceStatus(state, "", self.dropped_blocks, 0)

    def describe(self) -> str:
        """One line for the panel, e.g. "Synthetic tone 440 Hz"."""
        return self.kind_label

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()
