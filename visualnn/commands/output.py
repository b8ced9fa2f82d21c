"""What the headless commands print: a progress bar on a terminal, one-line errors."""

from __future__ import annotations

import sys


class Progress:
    """A one-line progress bar on stderr, drawn only on a terminal and at most 10 times a
    second; ``quiet`` draws nothing at all."""

    def __init__(self, quiet: bool = False, width: int = 24) -> None:
        self.live = not quiet and sys.stderr.isatty()
        self.width = width
        self._last = -1.0

    def show(self, done: float, text: str = "") -> None:
        """Draw ``done`` (0 to 1) and ``text``; cheap to call on every step."""
        import time

        now = time.perf_counter()
        if not self.live or now - self._last < 0.1:
            return
        self._last = now
        n = int(round(max(0.0, min(done, 1.0)) * self.width))
        bar = "[" + "#" * n + "." * (self.width - n) + "]"
        sys.stderr.write(f"\r{bar} {100 * done:5.1f}%  {text} ")
        sys.stderr.flush()

    def clear(self) -> None:
        if self.live:
            sys.stderr.write("\r" + " " * 72 + "\r")
            sys.stderr.flush()
            self._last = -1.0


def error(message: str) -> int:
    """Print ``visualnn: error: message`` on stderr; returns exit code 2."""
    print(f"visualnn: error: {message}", file=sys.stderr)
    return 2
