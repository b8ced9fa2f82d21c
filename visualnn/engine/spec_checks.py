"""Checks of single spec settings: each returns None when fine, or what the value must be.

``KEY_CHECKS`` maps a setting (``"units"``, ``"kernel_size"``...) to its check, so
``spec.validate_spec`` can say "units must be a whole number from 1 to 65536, got 'abc'"
before any layer is constructed. Every size has an upper bound, and ``check_layer_size``
bounds what a layer would hold per sample, so a typo such as dilation 10^9 is explained on
the layer instead of surfacing as an exabyte-sized ``MemoryError`` in the first forward pass.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from .activations import ACTIVATIONS
from .errors import SpecError
from .init import INITIALIZERS

#: Largest units / out_channels: far beyond what the views can show or a laptop can train.
MAX_WIDTH = 65_536
#: Largest kernel_size, stride, dilation and padding (per axis).
MAX_WINDOW = 1024
#: Most values one sample may occupy at any point of a layer (its padded input, its output,
#: or a convolution's unfolded patches): 64 MB of float32 per sample.
MAX_VALUES = 2**24
MAX_HIDDEN = 4096  # recurrent units: far beyond what the views show or 2 cores can train


def is_int(v: Any) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _width(v: Any) -> str | None:
    ok = is_int(v) and 1 <= v <= MAX_WIDTH
    return None if ok else f"a whole number from 1 to {MAX_WIDTH}"


def int_or_pair(v: Any, minimum: int, maximum: int = MAX_WINDOW) -> str | None:
    what = f"a whole number from {minimum} to {maximum} or a pair of them"
    items = list(v) if isinstance(v, list | tuple) else [v]
    if not 1 <= len(items) <= 2 or not all(is_int(i) and minimum <= i <= maximum for i in items):
        return what
    return None


def _padding(v: Any) -> str | None:
    if v in ("valid", "same"):
        return None
    what = f'a whole number from 0 to {MAX_WINDOW}, a pair of them, "valid" or "same"'
    return int_or_pair(v, 0) and what


def _choice(names) -> Any:
    def check(v: Any) -> str | None:
        return (
            None
            if v is None or (isinstance(v, str) and v in names)
            else ("one of: " + ", ".join(names))
        )

    return check


def _probability(v: Any) -> str | None:
    ok = isinstance(v, numbers.Real) and not isinstance(v, bool) and 0 <= v < 1
    return None if ok else "a number from 0 up to (not including) 1"


def _positive_int(v: Any) -> str | None:
    return None if is_int(v) and v > 0 else "a whole number of at least 1"


def _hidden_size(v: Any) -> str | None:
    ok = is_int(v) and 1 <= v <= MAX_HIDDEN
    return None if ok else f"a whole number from 1 to {MAX_HIDDEN}"


def _boolean(v: Any) -> str | None:
    return None if isinstance(v, bool) else "true or false"


def _nonlinearity(v: Any) -> str | None:
    return None if v in ("tanh", "relu") else "tanh or relu"


def _number(v: Any) -> str | None:
    ok = isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)
    return None if ok else "a finite number"


KEY_CHECKS = {
    "units": _width,
    "out_channels": _width,
    "in_features": _positive_int,
    "in_channels": _positive_int,
    "kernel_size": lambda v: int_or_pair(v, 1),
    "stride": lambda v: None if v is None else int_or_pair(v, 1),  # None: pools' default
    "dilation": lambda v: int_or_pair(v, 1),
    "padding": _padding,
    "activation": _choice(list(ACTIVATIONS)),
    "init": _choice(list(INITIALIZERS)),
    "p": _probability,
    "negative_slope": _number,
    "hidden_size": _hidden_size,
    "input_size": _positive_int,
    "bidirectional": _boolean,
    "return_sequences": _boolean,
    "nonlinearity": _nonlinearity,
}


def pair(v: Any) -> tuple[int, int]:
    """``3`` -> ``(3, 3)``, ``[2, 3]`` -> ``(2, 3)``, ``[5]`` -> ``(5, 5)``."""
    return (int(v[0]), int(v[-1])) if isinstance(v, list | tuple) else (int(v), int(v))


def dims(shape: tuple[int, ...]) -> str:
    """``(8, 14, 14)`` -> ``"8x14x14"``."""
    return "x".join(str(s) for s in shape)


def _product(values) -> int:
    out = 1
    for v in values:
        out *= int(v)
    return out


def check_input_size(shape: tuple) -> None:
    """Refuse an input sample of more than ``MAX_VALUES`` values."""
    size = _product(shape)
    if size > MAX_VALUES:
        raise SpecError(
            f"the input shape {dims(shape)} holds {size:,} values per sample, more than "
            f"visualnn handles (up to {MAX_VALUES:,})",
            key="input_shape",
        )


def check_layer_size(
    i: int, label: str, t: str, d: dict[str, Any], in_shape: tuple, out_shape: tuple
) -> None:
    """Refuse a layer whose padded input, output or unfolded patches exceed ``MAX_VALUES``.

    Pure integer arithmetic on the shapes: nothing is allocated, however large the numbers.
    """
    sizes = [("output", _product(out_shape))]
    if t in ("conv1d", "conv2d", "maxpool2d", "avgpool2d"):
        n = len(in_shape) - 1
        k = pair(d.get("kernel_size", 1))[-n:]
        dil = pair(d.get("dilation", 1))[-n:]
        pad = d.get("padding", 0)
        if pad == "same":
            grow = [dil[a] * (k[a] - 1) for a in range(n)]
        else:
            grow = [0] * n if pad == "valid" else [2 * p for p in pair(pad)[-n:]]
        padded = in_shape[0] * _product(s + g for s, g in zip(in_shape[1:], grow, strict=True))
        sizes.append(("padded input", padded))
        sizes.append(("unfolded patches", in_shape[0] * _product(k) * _product(out_shape[1:])))
    for what, size in sizes:
        if size > MAX_VALUES:
            raise SpecError(
                f"layer {i + 1}, {label}: its {what} would hold {size:,} values per sample, "
                f"more than visualnn handles (up to {MAX_VALUES:,}); use smaller sizes",
                layer=i,
            )
