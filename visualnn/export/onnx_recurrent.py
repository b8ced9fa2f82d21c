"""Recurrent layers (``rnn``, ``gru``, ``lstm``) as ONNX RNN / GRU / LSTM nodes.

visualnn keeps torch's parameters: ``weight_ih_l0`` (gates*hidden, in), ``weight_hh_l0``
(gates*hidden, hidden), ``bias_ih_l0``, ``bias_hh_l0`` (gates*hidden,), plus ``*_reverse``
for the backward direction, with torch's gate order (GRU r, z, n; LSTM i, f, g, o). ONNX
stacks the directions, concatenates the two biases and orders the gates differently
(GRU z, r, h; LSTM i, o, f, c), so the blocks are re-ordered here. torch's GRU applies the
reset gate after the hidden product (``r * (W_hn h + b_hn)``), which is ONNX's
``linear_before_reset=1``.

Shapes: visualnn's input is (N, features, T), ONNX's (T, N, features); the output is
(N, hidden*dirs, T) with ``return_sequences`` (forward direction first), else the final
hidden state (N, hidden*dirs), as torch's ``h_n`` with the directions side by side.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .common import ExportError, setting
from .onnx_graph import Graph

OP_TYPES = {"rnn": "RNN", "gru": "GRU", "lstm": "LSTM"}
#: For each ONNX gate block, the torch block it comes from.
GATE_ORDER = {"rnn": [0], "gru": [1, 0, 2], "lstm": [0, 3, 1, 2]}


def reorder_gates(w: np.ndarray, kind: str) -> np.ndarray:
    """Torch gate blocks -> ONNX gate blocks along axis 0: ``(gates*H, ...)`` -> same shape."""
    order = GATE_ORDER[kind]
    blocks = w.reshape(len(order), w.shape[0] // len(order), *w.shape[1:])
    return blocks[order].reshape(w.shape)


def onnx_weights(
    kind: str, params: dict[str, np.ndarray], bidirectional: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ONNX ``W`` (D, G*H, in), ``R`` (D, G*H, H) and ``B`` (D, 2*G*H) from torch's params."""
    w, r, b = [], [], []
    for suffix in ("", "_reverse") if bidirectional else ("",):
        w_ih = params[f"weight_ih_l0{suffix}"]
        w_hh = params[f"weight_hh_l0{suffix}"]
        zeros = np.zeros(w_ih.shape[0], w_ih.dtype)
        b_ih = params.get(f"bias_ih_l0{suffix}", zeros)
        b_hh = params.get(f"bias_hh_l0{suffix}", zeros)
        w.append(reorder_gates(w_ih, kind))
        r.append(reorder_gates(w_hh, kind))
        b.append(np.concatenate([reorder_gates(b_ih, kind), reorder_gates(b_hh, kind)]))
    return np.stack(w), np.stack(r), np.stack(b)


def convert_recurrent(g: Graph, x: str, layer: dict[str, Any], params: dict) -> str:
    """``(N, F, T) -> (N, H*D, T)`` with return_sequences, else ``(N, H*D)``."""
    kind = layer["type"]
    hidden = int(setting(layer, "hidden_size"))
    bidirectional = bool(setting(layer, "bidirectional", False))
    sequences = bool(setting(layer, "return_sequences", False))
    dirs = 2 if bidirectional else 1
    w, r, b = onnx_weights(kind, params, bidirectional)
    if w.shape[1] != len(GATE_ORDER[kind]) * hidden:
        raise ExportError(f"weight_ih_l0 has {w.shape[1]} rows, expected gates x {hidden}")
    attrs: dict[str, Any] = {
        "hidden_size": hidden,
        "direction": "bidirectional" if bidirectional else "forward",
    }
    if kind == "rnn":
        nonlinearity = setting(layer, "nonlinearity", "tanh")
        if nonlinearity not in ("tanh", "relu"):
            raise ExportError(f"nonlinearity must be tanh or relu, got {nonlinearity!r}")
        attrs["activations"] = [nonlinearity.capitalize()] * dirs
    elif kind == "gru":
        attrs["linear_before_reset"] = 1
    seq = g.op("Transpose", [x], perm=[2, 0, 1])  # (N, F, T) -> (T, N, F)
    inputs = [seq, g.weight("W", w), g.weight("R", r), g.weight("B", b)]
    # ONNX outputs Y (T, D, N, H) and Y_h (D, N, H); an empty name skips an unused one.
    y_all, y_h = g.fresh("Y"), g.fresh("Y_h")
    outputs = [y_all, ""] if sequences else ["", y_h]
    g.nodes.append(_node(OP_TYPES[kind], inputs, outputs, g.fresh(OP_TYPES[kind]), attrs))
    if sequences:
        y = g.op("Transpose", [y_all], perm=[2, 1, 3, 0])  # (N, D, H, T)
        shape = g.weight("shape", np.array([0, dirs * hidden, -1]), np.int64)
    else:
        y = g.op("Transpose", [y_h], perm=[1, 0, 2])  # (N, D, H)
        shape = g.weight("shape", np.array([0, dirs * hidden]), np.int64)
    # 0 keeps the (dynamic) batch size; the directions end up side by side, forward first
    return g.op("Reshape", [y, shape])


def _node(op_type: str, inputs: list[str], outputs: list[str], name: str, attrs: dict):
    from onnx import helper

    # Trailing empty outputs are dropped rather than named "" (cleaner in Netron).
    while outputs and outputs[-1] == "":
        outputs = outputs[:-1]
    return helper.make_node(op_type, inputs, outputs, name=name, **attrs)
