"""``ExportNet`` -> a readable PyTorch module file plus its weights, written without torch.

``visualnn export M.vnn OUT.py`` writes ``OUT.py`` (an ``nn.Sequential`` a student can read,
the class names and input settings as constants, a docstring on use and further training)
and ``OUT.npz`` beside it: the trained weights under their ``state_dict`` names, read back
with ``np.load(allow_pickle=False)``. Weights live in a separate file so the module stays a
page of code even for a network with a million weights, and because an ``.npz`` cannot run
code when loaded (a pickled ``.pt`` could).
"""

from __future__ import annotations

import io
import json
import keyword
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .common import RECURRENT_TYPES, ExportError, ExportNet, setting
from .torch_template import module_source

#: Module names a student's file must not take: importing it would hide the real package.
TAKEN_NAMES = {"torch", "numpy", "onnx", "onnxruntime", "visualnn"}

Code = tuple[str, dict[str, str]]  # (constructor source, visualnn param -> torch param name)


def _value(v: Any) -> str:
    """Source text of a setting: lists become tuples, one-item lists their number."""
    if isinstance(v, list | tuple):
        return _value(v[0]) if len(v) == 1 else f"({', '.join(_value(x) for x in v)})"
    return json.dumps(v) if isinstance(v, str) else repr(v)


def _options(layer: dict[str, Any], defaults: dict[str, Any]) -> str:
    """``", stride=2, padding='same'"`` for the settings that differ from torch's default."""
    parts = []
    for key, default in defaults.items():
        v = setting(layer, key, default)
        if v is not None and v != default and v != [default] and v != [default, default]:
            parts.append(f", {key}={_value(v)}")
    return "".join(parts)


def _dense(layer: dict, params: dict) -> Code:
    out, n_in = params["weight"].shape
    return f"nn.Linear({n_in}, {out})", {"weight": "weight", "bias": "bias"}


def _conv(layer: dict, params: dict) -> Code:
    cls = "Conv1d" if layer["type"] == "conv1d" else "Conv2d"
    out, n_in = params["weight"].shape[:2]
    k = _value(setting(layer, "kernel_size"))
    opts = _options(layer, {"stride": 1, "padding": 0, "dilation": 1})
    return f"nn.{cls}({n_in}, {out}, kernel_size={k}{opts})", {"weight": "weight", "bias": "bias"}


def _pool(layer: dict, params: dict) -> Code:
    cls = "MaxPool2d" if layer["type"] == "maxpool2d" else "AvgPool2d"
    k = _value(setting(layer, "kernel_size"))
    # torch's AvgPool2d counts padded zeros in the mean by default, as visualnn does
    return f"nn.{cls}(kernel_size={k}{_options(layer, {'stride': None, 'padding': 0})})", {}


def _recurrent(layer: dict, params: dict) -> Code:
    cls = {"rnn": "RNN", "gru": "GRU", "lstm": "LSTM"}[layer["type"]]
    hidden = int(setting(layer, "hidden_size"))
    n_in = params["weight_ih_l0"].shape[1]
    opts = ", bidirectional=True" if setting(layer, "bidirectional", False) else ""
    if layer["type"] == "rnn" and setting(layer, "nonlinearity", "tanh") != "tanh":
        opts += f", nonlinearity={_value(setting(layer, 'nonlinearity'))}"
    sequences = bool(setting(layer, "return_sequences", False))
    rnn = f"nn.{cls}({n_in}, {hidden}, batch_first=True{opts})"
    code = f"Recurrent({rnn}, return_sequences={sequences})"
    return code, {k: f"rnn.{k}" for k in params}


ACTIVATION_CODE = {
    "relu": "nn.ReLU()",
    "sigmoid": "nn.Sigmoid()",
    "tanh": "nn.Tanh()",
    "softmax": "nn.Softmax(dim=1)",
    "identity": "nn.Identity()",
    "linear": "nn.Identity()",
}


def _activation(name: str, slope: float = 0.01) -> str:
    if name == "leaky_relu":
        return f"nn.LeakyReLU(negative_slope={float(slope)!r})"
    if name not in ACTIVATION_CODE:
        raise ExportError(f"unknown activation {name!r}")
    return ACTIVATION_CODE[name]


def _flatten(layer: dict, params: dict) -> Code:
    start, end = setting(layer, "start_dim", 1), setting(layer, "end_dim", -1)
    if (start, end) == (1, -1):
        return "nn.Flatten()", {}
    return f"nn.Flatten(start_dim={int(start)}, end_dim={int(end)})", {}


LAYER_CODE: dict[str, Callable[[dict, dict], Code]] = {
    "dense": _dense,
    "conv1d": _conv,
    "conv2d": _conv,
    "maxpool2d": _pool,
    "avgpool2d": _pool,
    "flatten": _flatten,
    "dropout": lambda layer, params: (f"nn.Dropout(p={float(setting(layer, 'p', 0.5))!r})", {}),
    **{t: _recurrent for t in RECURRENT_TYPES},
    **{
        t: lambda layer, params: (_activation(layer["type"], setting(layer, "negative_slope")), {})
        for t in ("relu", "leaky_relu", "sigmoid", "tanh", "softmax", "identity")
    },
}


def torch_modules(net: ExportNet) -> tuple[list[str], dict[str, np.ndarray]]:
    """Source lines inside ``nn.Sequential(...)`` and the ``state_dict`` they need.

    Returns
    -------
    lines : list of str
        One ``"nn.Linear(64, 10),"`` per torch module, with ``# layer i`` comments.
    state : dict of str to ndarray
        ``"layers.<index>.<param>"`` -> float32 array, e.g. ``layers.0.weight`` (16, 1, 3, 3).
    """
    lines: list[str] = []
    state: dict[str, np.ndarray] = {}
    index = 0
    for i, (layer, params) in enumerate(net.layers):
        kind = layer.get("type")
        if kind not in LAYER_CODE:
            raise ExportError(f"layer {i + 1} ({kind}): this layer type cannot be exported yet")
        try:
            code, names = LAYER_CODE[kind](layer, params)
            act = layer.get("activation")
            codes = [code] + ([_activation(act)] if act not in (None, "linear", "identity") else [])
        except (KeyError, ValueError, TypeError, ExportError) as e:
            raise ExportError(f"layer {i + 1} ({kind}): cannot export it ({e})") from None
        lines.append(
            f"# visualnn layer {i + 1}: {kind}" + (f", then {act}" if len(codes) > 1 else "")
        )
        for k, v in params.items():
            state[f"layers.{index}.{names[k]}"] = v
        lines += [f"{c}," for c in codes]
        index += len(codes)
    if net.dropped_softmax:
        lines.append("# (the final softmax is left out: the output is logits, see the docstring)")
    return lines, state


def check_module_name(path: Path) -> str:
    """The importable module name of ``path`` (``digits.py`` -> ``digits``) or ExportError."""
    name = path.stem
    if not name.isidentifier() or keyword.iskeyword(name):
        fixed = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
        fixed = f"net_{fixed}" if not fixed[:1].isalpha() else fixed
        raise ExportError(
            f"{path.name} cannot be imported in Python (letters, digits and _ only, not starting "
            f"with a digit); give a name such as {fixed}.py"
        )
    if name in TAKEN_NAMES or name in sys.stdlib_module_names:
        whose = "Python's own" if name in sys.stdlib_module_names else "the installed"
        raise ExportError(
            f"{path.name} would hide {whose} '{name}' module when imported; choose another "
            f"name, such as my_{name}.py"
        )
    return name


def torch_files(net: ExportNet, path: Path) -> dict[Path, bytes]:
    """The contents of ``path`` (the module) and of the weights file beside it.

    Parameters
    ----------
    net : ExportNet
    path : Path
        ``OUT.py``; the weights go to ``OUT.npz`` in the same folder.
    """
    name = check_module_name(path)
    lines, state = torch_modules(net)
    weights = path.with_suffix(".npz")
    source = module_source(net, name, weights.name, lines, has_recurrent=_has_recurrent(net))
    buf = io.BytesIO()
    np.savez(buf, **state)
    # Weights first: ``write_atomic`` replaces in this order, so the module never points at
    # weights that are not there yet.
    return {weights: buf.getvalue(), path: source.encode("utf-8")}


def _has_recurrent(net: ExportNet) -> bool:
    return any(layer.get("type") in RECURRENT_TYPES for layer, _ in net.layers)
