"""Checks of one layer setting: the clean value, or None and what a valid value looks like.

The document refuses a nonsense value with these (``CHECKS[key] = (normaliser, wanted)``);
number settings take their ranges from ``catalog.SETTING_RANGES``, as the inspector does.
"""

from __future__ import annotations

import math
import numbers

from visualnn.ui.model.catalog import ACTIVATION_CHOICES, INIT_CHOICES, SETTING_RANGES


def as_int(value, minimum: int, maximum: int | None = None):
    """``value`` as an int from ``minimum`` to ``maximum`` (accepting "12" and 12.0), else
    None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer():
        ok = value >= minimum and (maximum is None or value <= maximum)
        return int(value) if ok else None
    return None


def _int_or_pair(value, minimum: int, maximum: int | None = None):
    if isinstance(value, list | tuple):
        if len(value) != 2:
            return None
        pair = [as_int(v, minimum, maximum) for v in value]
        return None if None in pair else pair
    return as_int(value, minimum, maximum)


def _whole(key: str, pair: bool = False):
    """A check of whole-number setting ``key`` within its range, and what it wants."""
    lo, hi = (int(v) for v in SETTING_RANGES[key])
    check = _int_or_pair if pair else as_int
    return (lambda v: check(v, lo, hi)), f"a whole number from {lo} to {hi}"


def _real(key: str):
    lo, hi = SETTING_RANGES[key]
    return (lambda v: _as_float(v, lo, hi)), f"a number from {lo:g} to {hi:g}"


def _as_float(value, lo: float, hi: float, hi_open: bool = False):
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(v) or v < lo or v > hi or (hi_open and v == hi):
        return None
    return v


def _check_padding(value):
    if isinstance(value, str) and value.strip().lower() in ("valid", "same"):
        return value.strip().lower()
    return _int_or_pair(value, 0)


#: key -> (normaliser returning the clean value or None, what a valid value looks like).
CHECKS = {
    "units": _whole("units"),
    "out_channels": _whole("out_channels"),
    "kernel_size": _whole("kernel_size", pair=True),
    "stride": _whole("stride", pair=True),
    "dilation": _whole("dilation", pair=True),
    "padding": (_check_padding, '"valid", "same" or a whole number of at least 0'),
    "activation": (
        lambda v: v if v in ACTIVATION_CHOICES else None,
        "one of " + ", ".join(ACTIVATION_CHOICES),
    ),
    "init": (lambda v: v if v in INIT_CHOICES else None, "one of " + ", ".join(INIT_CHOICES)),
    "p": _real("p"),
    "negative_slope": _real("negative_slope"),
    "hidden_size": _whole("hidden_size"),
    "nonlinearity": (lambda v: v if v in ("tanh", "relu") else None, "tanh or relu"),
    "bidirectional": (lambda v: v if isinstance(v, bool) else None, "true or false"),
    "return_sequences": (lambda v: v if isinstance(v, bool) else None, "true or false"),
}
#: Settings for which ``None`` is a meaningful value ("no activation", "stride = kernel").
NONE_MEANS_DEFAULT = {"activation", "stride", "init", "padding", "dilation"}
