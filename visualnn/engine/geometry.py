"""Shapes and sliding windows as plain integers: the one place for their rules and their text.

Layers, spec checks, messages and the UI's views all read sizes through these functions, so
what padding "same" means, how big an output is, or whether a kernel fits its input is
answered once, the way torch answers it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

Pads = tuple[tuple[int, int], tuple[int, int]]


def shape_text(shape: Iterable[int] | None, times: str = "x") -> str:
    """``(8, 14, 14)`` -> ``"8x14x14"`` (``times="×"`` for the screen); ``()`` -> ``"a single
    number"``; None -> ``"?"`` (not known yet)."""
    if shape is None:
        return "?"
    sizes = [str(int(s)) for s in shape]
    return times.join(sizes) if sizes else "a single number"


def as_pair(value: Any, default: int = 1) -> tuple[int, int]:
    """A checked int-or-pair setting as ``(height, width)``: ``3`` -> ``(3, 3)``, ``[2, 3]``
    -> ``(2, 3)``, ``[5]`` -> ``(5, 5)``; None -> ``(default, default)``."""
    if value is None:
        return default, default
    if isinstance(value, list | tuple):
        return int(value[0]), int(value[-1])
    return int(value), int(value)


def same_padding(kernel: int, dilation: int = 1) -> tuple[int, int]:
    """Padding ``(before, after)`` that keeps the size at stride 1; torch puts the odd extra
    cell after (bottom / right)."""
    total = dilation * (kernel - 1)
    return total // 2, total - total // 2


def padding_amounts(padding: Any, kernel: Sequence[int], dilation: Sequence[int]) -> Pads:
    """``((top, bottom), (left, right))`` zeros of a 2-D window layer.

    ``padding`` is a checked setting: an int, a pair, ``"valid"`` (none), ``"same"`` (torch's
    split, see :func:`same_padding`) or None (none).
    """
    if padding is None or padding == "valid":
        return (0, 0), (0, 0)
    if padding == "same":
        return same_padding(kernel[0], dilation[0]), same_padding(kernel[1], dilation[1])
    ph, pw = as_pair(padding, 0)
    return (ph, ph), (pw, pw)


def reach(kernel: Sequence[int], dilation: Sequence[int]) -> tuple[int, ...]:
    """Input cells one window spans per axis: ``dilation * (kernel - 1) + 1``."""
    return tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True))


def out_size(n_in: int, k: int, stride: int, pad_total: int, dilation: int = 1) -> int:
    """Output length along one axis, as torch computes it (floor division)."""
    return (n_in + pad_total - dilation * (k - 1) - 1) // stride + 1


def kernel_misfit(
    size: Sequence[int], kernel: Sequence[int], dilation: Sequence[int], pad_total: Sequence[int]
) -> str | None:
    """Why a window does not fit its input, or None when it does.

    All arguments per spatial axis (one for Conv1D, two for images); ``pad_total`` is the
    zeros added on both sides together. E.g. ``"input is 3x3 (5x5 with padding), smaller
    than the dilated kernel (7x7)"``.
    """
    padded = tuple(s + p for s, p in zip(size, pad_total, strict=True))
    span = reach(kernel, dilation)
    if all(p >= s for p, s in zip(padded, span, strict=True)):
        return None
    text = shape_text(size)
    if any(pad_total):
        text += f" ({shape_text(padded)} with padding)"
    what = "dilated kernel" if any(d > 1 for d in dilation) else "kernel"
    return f"input is {text}, smaller than the {what} ({shape_text(span)})"
