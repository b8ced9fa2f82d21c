"""Checks of single spec settings: each returns None when fine, or what the value must be.

``KEY_CHECKS`` maps a setting (``"units"``, ``"kernel_size"``...) to its check, so
``spec.validate_spec`` can say "units must be a whole number of at least 1, got 'abc'"
before any layer is constructed.
"""

from __future__ import annotations

import numbers
from typing import Any

from .activations import ACTIVATIONS
from .init import INITIALIZERS

MAX_HIDDEN = 4096  # recurrent units: far beyond what the views show or 2 cores can train


def is_int(v: Any) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _positive_int(v: Any) -> str | None:
    return None if is_int(v) and v > 0 else "a whole number of at least 1"


def int_or_pair(v: Any, minimum: int) -> str | None:
    what = f"a whole number of at least {minimum} or a pair of them"
    items = list(v) if isinstance(v, list | tuple) else [v]
    if not 1 <= len(items) <= 2 or not all(is_int(i) and i >= minimum for i in items):
        return what
    return None


def _padding(v: Any) -> str | None:
    if v in ("valid", "same"):
        return None
    return int_or_pair(v, 0) and 'a whole number of at least 0, a pair of them, "valid" or "same"'


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


def _hidden_size(v: Any) -> str | None:
    ok = is_int(v) and 1 <= v <= MAX_HIDDEN
    return None if ok else f"a whole number from 1 to {MAX_HIDDEN}"


def _boolean(v: Any) -> str | None:
    return None if isinstance(v, bool) else "true or false"


def _nonlinearity(v: Any) -> str | None:
    return None if v in ("tanh", "relu") else "tanh or relu"


def _number(v: Any) -> str | None:
    ok = isinstance(v, numbers.Real) and not isinstance(v, bool) and v == v
    return None if ok else "a number"


KEY_CHECKS = {
    "units": _positive_int,
    "out_channels": _positive_int,
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
