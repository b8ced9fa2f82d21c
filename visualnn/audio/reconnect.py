"""When to reopen a microphone that stalled or failed, and when to stop trying (no Qt).

A USB microphone pulled out and plugged back, or a sound server restarted, should come back
by itself: the window asks :meth:`ReconnectPolicy.step` once in a while (its own timer, a
second or so apart) and shows :attr:`ReconnectPolicy.message`. Tries are spaced
``interval`` seconds apart and capped at ``max_tries``, so a microphone that is really gone
is not hammered forever: then the message says, in words, that the user can press Reconnect.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from visualnn.audio.base import AudioError

#: Source states that call for a reconnect ("silent" is a muted input, not a lost one).
TROUBLE = ("stalled", "error")


class ReconnectPolicy:
    """Schedule reconnect attempts of one source.

    Parameters
    ----------
    interval : float
        Seconds between attempts, and from the first sign of trouble to the first attempt.
    max_tries : int
        Attempts before giving up until :meth:`reset`.
    settle : float
        Seconds a source must stay healthy before its tries are forgotten, so a device that
        opens and stalls again at once is still given up on after ``max_tries``.
    clock : callable
        Monotonic seconds; injectable for tests.

    Attributes
    ----------
    tries : int
        Attempts made in the current episode of trouble.
    gave_up : bool
    message : str
        One sentence for the status line ("" while all is well).
    """

    def __init__(
        self,
        interval: float = 3.0,
        max_tries: int = 5,
        settle: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if interval <= 0 or max_tries < 1:
            raise ValueError("interval must be above 0 and max_tries at least 1")
        self.interval, self.max_tries, self.clock = float(interval), int(max_tries), clock
        self.settle = float(settle)
        self.reset()

    def reset(self) -> None:
        """Forget the trouble: after the user pressed Reconnect or chose another source."""
        self.tries = 0
        self.gave_up = False
        self.message = ""
        self._next: float | None = None  # when the next attempt is due
        self._healthy_since: float | None = None

    def due(self, state: str) -> bool:
        """Given the source's current ``state``, whether to try reconnecting now.

        "stopped" (the user's choice) ends an episode of trouble at once, "running" and
        "silent" after ``settle`` seconds; the first trouble schedules an attempt
        ``interval`` seconds later.
        """
        now = self.clock()
        if state == "stopped":
            self.reset()
            return False
        if state not in TROUBLE:
            if self._healthy_since is None:
                self._healthy_since = now
            if now - self._healthy_since >= self.settle:
                self.reset()
            self._next, self.message = None, "" if not self.gave_up else self.message
            return False
        self._healthy_since = None
        if self.gave_up:
            return False
        if self._next is None:
            self._next = now + self.interval
            return False
        if now < self._next:
            return False
        if self.tries >= self.max_tries:
            self.gave_up = True
            self.message = f"gave up reconnecting after {self.max_tries} tries; press Reconnect"
            return False
        self.tries += 1
        self._next = now + self.interval
        self.message = f"reconnecting: try {self.tries} of {self.max_tries}"
        return True

    def step(self, source) -> str:
        """Look at ``source.status()`` and call ``source.reconnect()`` when it is due.

        A failing reconnect (the device is still gone) is not an error here: it counts as a
        try. Returns :attr:`message`.
        """
        if self.due(source.status().state):
            try:
                source.reconnect()
            except AudioError:
                pass  # still gone: the status says why, the next try comes later
        return self.message
