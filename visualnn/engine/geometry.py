"""Shapes and sliding windows as plain integers: the one place for their rules and their text.

Layers, spec checks, messages and the UI's views all read sizes through these functions, so
"what padding "same" means" or "does the kernel fit" is answered once.
"""

from __future__ import annotations

from collections.abc import Iterable


def shape_text(shape: Iterable[int] | None, times: str = "x") -> str:
    """``(8, 14, 14)`` -> ``"8x14x14"`` (``times="×"`` for the screen); ``()`` -> ``"a single
    number"``; None -> ``"?"`` (not known yet)."""
    if shape is None:
        return "?"
    sizes = [str(int(s)) for s in shape]
    return times.join(sizes) if sizes else "a single number"
