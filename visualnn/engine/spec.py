"""Specs: a network as plain JSON-able data, checked and shape-inferred without any data.

A spec is a list of layer dicts such as ``{"type": "dense", "units": 16, "activation":
"relu"}`` plus an input shape such as ``(2,)`` or ``(1, 8, 8)``. ``validate_spec`` explains
the first mistake in one sentence naming the layer (1-based) and the numbers.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from .activations import Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from .conv import Conv1D, Conv2D
from .dense import Dense
from .dropout import Dropout
from .errors import SpecError
from .geometry import as_pair, shape_text
from .module import Module
from .pooling import AvgPool2D, MaxPool2D
from .recurrent import GRU, LSTM, RNN
from .reshape import Flatten
from .settings import LAYERS, whole_number
from .spec_checks import check_input_size, check_layer_size

LAYER_TYPES: dict[str, type[Module]] = {
    "dense": Dense,
    "conv1d": Conv1D,
    "conv2d": Conv2D,
    "maxpool2d": MaxPool2D,
    "avgpool2d": AvgPool2D,
    "flatten": Flatten,
    "dropout": Dropout,
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "softmax": Softmax,
    "identity": Identity,
    "rnn": RNN,
    "gru": GRU,
    "lstm": LSTM,
}
RECURRENT = ("rnn", "gru", "lstm")
GATES = {"rnn": 1, "gru": 3, "lstm": 4}

# Keys derived from the previous layer: accepted (old files, round trips) but never trusted.
DERIVED_KEYS = ("in_features", "in_channels", "input_size")

_NAMES = sorted({c.__name__ for c in LAYER_TYPES.values()} | {"MaxPool", "AvgPool"}, key=len)
_SELF_NAME = re.compile(rf"^(?:{'|'.join(_NAMES[::-1])})(?:(?: [\w@]+)?: | (?=[a-z]))")
MAX_PARAMS = 50_000_000  # 200 MB of float32 weights: far beyond anything this app can show

# Number of axes of one input sample each layer type needs, and what that looks like.
INPUT_RANKS: dict[str, tuple[int, str]] = {
    "dense": (1, "a flat vector"),
    "conv1d": (2, "channels x length"),
    "conv2d": (3, "channels x height x width"),
    "maxpool2d": (3, "channels x height x width"),
    "avgpool2d": (3, "channels x height x width"),
    **{t: (2, "features x time") for t in RECURRENT},
}


@dataclass(frozen=True)
class LayerShape:
    """What ``validate_spec`` found out about one layer, for the editor and ``summary()``."""

    index: int
    type: str
    label: str
    in_shape: tuple[int, ...]
    out_shape: tuple[int, ...]
    num_params: int


def _label(type_name: str, d: dict[str, Any]) -> str:
    """Label for messages that works before a layer exists, e.g. ``"Conv2D 5x5"``."""
    kind = LAYERS.get(type_name)
    name = kind.title if kind else str(type_name)
    if "units" in d:
        return f"{name} {d['units']}"
    if "hidden_size" in d:
        return f"{name} {d['hidden_size']}"
    kernel = kind.setting("kernel_size") if kind else None
    if kernel is not None and "kernel_size" in d and kernel.accepts(d["kernel_size"]):
        k = as_pair(d["kernel_size"])
        return f"{name} {shape_text(k if kernel.axes == 2 else k[:1])}"
    return name


def allowed_keys(type_name: str) -> list[str]:
    """Settings a layer type accepts (its constructor's keywords), e.g. ``["units", ...]``."""
    return list(LAYERS[type_name].keys)


def _check_config(i: int, d: Any) -> tuple[str, dict[str, Any]]:
    """Check type, keys and value types of layer ``i``; return ``(type, settings)``."""
    where = f"layer {i + 1}"
    if not isinstance(d, dict):
        raise SpecError(f"{where}: expected a dict of settings, got {d!r}", layer=i)
    t = d.get("type")
    if t not in LAYER_TYPES:
        known = ", ".join(LAYER_TYPES)
        what = "has no 'type'" if t is None else f"has unknown type {t!r}"
        raise SpecError(f"{where} {what}; known types: {known}", layer=i, key="type")
    settings = {k: v for k, v in d.items() if k != "type"}
    label = _label(t, settings)
    allowed = allowed_keys(t)
    for key, value in settings.items():
        if key in DERIVED_KEYS:
            continue
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            if close:
                hint = f"did you mean '{close[0]}'?"
            elif allowed:
                hint = "it takes " + ", ".join(allowed)
            else:
                hint = "it takes no settings"
            msg = f"{where}, {label}: unknown setting '{key}' ({hint})"
            raise SpecError(msg, layer=i, key=str(key))
        setting = LAYERS[t].setting(key)
        if not setting.accepts(value):
            raise SpecError(setting.refusal(value, f"{where}, {label}"), layer=i, key=key)
    return t, settings


def layer_from_config(d: dict[str, Any], index: int = 0) -> Module:
    """Make an unbuilt layer from its spec dict; raises ``SpecError`` naming the layer.

    Derived keys (``in_features``, ``in_channels``) are dropped: ``Sequential`` builds every
    layer from the shape the previous layer gives it, with the model's seed.
    """
    t, settings = _check_config(index, d)
    kwargs = {k: (list(v) if isinstance(v, tuple) else v) for k, v in settings.items()}
    kwargs = {k: v for k, v in kwargs.items() if k not in DERIVED_KEYS}
    try:
        return LAYER_TYPES[t](**kwargs)
    except SpecError as e:
        raise _located(e, index, _label(t, settings)) from None
    except (TypeError, ValueError) as e:
        msg = f"layer {index + 1}, {_label(t, settings)}: {e}"
        raise SpecError(msg, layer=index) from None


def _located(e: SpecError, i: int, label: str) -> SpecError:
    """The same error with "layer i, Label: " in front, unless it names the layer already."""
    msg = str(e)
    if msg.startswith("layer "):
        return SpecError(msg, layer=i, key=e.key)
    # Layers name themselves ("AvgPool 2x2: ...", "Conv2D padding ..."): say it once.
    msg = _SELF_NAME.sub("", msg, count=1)
    return SpecError(f"layer {i + 1}, {label}: {msg}", layer=i, key=e.key)


def check_input_shape(input_shape: Any) -> tuple[int, ...]:
    """Return ``input_shape`` as a tuple of positive ints or raise ``SpecError``."""
    try:
        shape = tuple(input_shape)
    except TypeError:
        shape = None
    if not shape or None in [whole_number(s, 1) for s in shape] or len(shape) > 3:
        raise SpecError(
            f"the input shape must be 1 to 3 whole numbers of at least 1, such as (2,) or "
            f"(1, 8, 8), got {input_shape!r}",
            key="input_shape",
        )
    check_input_size(shape)
    return tuple(int(s) for s in shape)


def _check_fits(i: int, t: str, label: str, d: dict[str, Any], shape: tuple[int, ...]) -> None:
    """Rank checks that get a clearer message here than deep inside a layer (whether a
    window fits its input is the layer's own ``output_shape`` check)."""
    if t in INPUT_RANKS:
        rank, what = INPUT_RANKS[t]
        if len(shape) != rank:
            got, fix = shape_text(shape), " (add a Flatten layer before it)" if t == "dense" else ""
            if t in RECURRENT:
                got = f"a flat vector of {shape[0]}" if len(shape) == 1 else f"an image {got}"
                fix = (
                    " (put it before Flatten, after a Conv1D)"
                    if len(shape) == 1
                    else " (a Flatten from axis 1 to 2 makes a Conv2D's maps a sequence)"
                )
            raise SpecError(
                f"layer {i + 1}, {label}: needs {what} as input, but gets {got}{fix}", layer=i
            )
    for key in DERIVED_KEYS:
        if key in d and d[key] != shape[0]:
            msg = f"layer {i + 1}, {label}: {key} is {d[key]} but its input has {shape[0]}"
            raise SpecError(msg, layer=i, key=key)


def count_params(t: str, d: dict[str, Any], in_shape: tuple[int, ...]) -> int:
    """Parameters of a layer from its settings, without allocating them."""
    if t == "dense":
        return in_shape[0] * d["units"] + d["units"]
    if t in ("conv1d", "conv2d"):
        n = 1 if t == "conv1d" else 2
        k = as_pair(d["kernel_size"])[-n:]
        size = 1
        for x in k:
            size *= x
        return d["out_channels"] * in_shape[0] * size + d["out_channels"]
    if t in RECURRENT:
        gh = GATES[t] * d["hidden_size"]
        dirs = 2 if d.get("bidirectional") else 1
        return dirs * gh * (in_shape[0] + d["hidden_size"] + 2)
    return 0


def validate_spec(spec: Any, input_shape: Any) -> list[LayerShape]:
    """Check a spec and infer every layer's output shape, without data or weights.

    Parameters
    ----------
    spec : list of dict
        Layer dicts, each with a ``"type"`` from ``LAYER_TYPES`` and its settings.
    input_shape : tuple of int
        Shape of one input sample, e.g. ``(2,)`` or ``(1, 8, 8)``.

    Returns
    -------
    list of LayerShape
        One per layer: label, input and output shape, parameter count.

    Raises
    ------
    SpecError
        The first problem found, in one sentence; ``.layer`` is the 0-based layer index.
    """
    shape = check_input_shape(input_shape)
    if not isinstance(spec, list | tuple):
        raise SpecError(f"a spec must be a list of layer dicts, got {type(spec).__name__}")
    if len(spec) == 0:
        raise SpecError("the network has no layers; add at least one (for example Dense)")
    out: list[LayerShape] = []
    for i, d in enumerate(spec):
        layer = layer_from_config(d, i)
        t, settings = d["type"], {k: v for k, v in d.items() if k != "type"}
        label = _safe_describe(layer, _label(t, settings))
        _check_fits(i, t, label, settings, shape)
        try:
            new_shape = tuple(int(s) for s in layer.output_shape(shape))
        except SpecError as e:
            raise _located(e, i, label) from None
        except (TypeError, ValueError, IndexError) as e:
            msg = f"layer {i + 1}, {label}: cannot take an input of {shape_text(shape)} ({e})"
            raise SpecError(msg, layer=i) from None
        if not new_shape or min(new_shape) < 1:
            raise SpecError(
                f"layer {i + 1}, {label}: input is {shape_text(shape)}, which leaves an empty "
                f"output ({shape_text(new_shape)})",
                layer=i,
            )
        check_layer_size(i, label, t, settings, shape, new_shape)
        n_params = int(count_params(t, settings, shape))
        if n_params > MAX_PARAMS:
            raise SpecError(
                f"layer {i + 1}, {label}: {n_params:,} parameters is more than visualnn "
                f"handles ({MAX_PARAMS:,}); use fewer units or channels",
                layer=i,
            )
        out.append(LayerShape(i, t, label, shape, new_shape, n_params))
        shape = new_shape
    return out


def _safe_describe(layer: Module, fallback: str) -> str:
    try:
        return layer.describe()
    except Exception:  # noqa: BLE001 - an unbuilt layer may not know enough to describe itself
        return fallback
