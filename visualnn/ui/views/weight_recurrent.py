"""A recurrent layer's parameters as one image for the weights view, split by gate.

Rows are the gates' units, one block per gate in torch's order (GRU r, z, n; LSTM i, f, g,
o), the backward direction's blocks under the forward ones. Columns are what each row
multiplies: the input ``x<t>`` (``W_ih``), the previous state ``a<t-1>`` (``W_hh``), then
the two biases. A narrow blank margin on the left holds the gate letters and one on top the
column names, so the labels sit beside the numbers instead of on them.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

from visualnn.ui import theme
from visualnn.ui.model.recurrent import layer_type
from visualnn.ui.views.common import fmt

GATES = {"rnn": ("a",), "gru": ("r", "z", "n"), "lstm": ("i", "f", "g", "o")}
GATE_NAMES = {"a": "new state", "r": "reset", "z": "update", "n": "candidate", "i": "input",
              "f": "forget", "g": "candidate", "o": "output"}  # fmt: skip
SUFFIXES = ("", "_reverse")
KINDS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
#: index[..., 2] of a pixel: which parameter it shows.
W_IH, W_HH, B_IH, B_HH = range(4)


def margins(rows: int, cols: int) -> tuple[int, int]:
    """Blank ``(left columns, top rows)`` for the labels: ~10 % of the image each way."""
    return max(2, math.ceil(cols * 0.1)), max(1, math.ceil(rows * 0.12))


def recurrent_mosaic(layer, source: dict) -> tuple[np.ndarray, np.ndarray, tuple]:
    """``(image, index, shape)`` for ``weights.LayerPanel.show``.

    Parameters
    ----------
    layer : RNN, GRU or LSTM
    source : dict
        Arrays by torch's names (the parameters or their gradients); missing ones are
        taken from ``layer.params``.

    Returns
    -------
    image : (rows, cols) float, NaN in gaps and margins.
    index : (rows, cols, 4) int: ``(row, column, kind, gate)``; ``row`` counts the stacked
        rows of all gates and directions (-1 in gaps), ``kind`` is ``W_IH`` … ``B_HH``.
    shape : ``(stacked rows, columns)``: per-unit colour scales use one scale per row.
    """
    gates, hidden = len(GATES[layer_type(layer)]), layer.hidden_size
    dirs = 2 if layer.bidirectional else 1
    n_in = layer.params["weight_ih_l0"].shape[1]
    left, top = margins(dirs * gates * (hidden + 1), n_in + hidden + 4)
    starts = (left, left + n_in + 1, left + n_in + hidden + 2, left + n_in + hidden + 3)
    rows = top + dirs * gates * (hidden + 1) + (dirs - 1) - 1
    image = np.full((rows, starts[3] + 1), np.nan)
    index = np.full((*image.shape, 4), -1)
    for d in range(dirs):
        get = lambda k, d=d: np.asarray(  # noqa: E731
            source.get(f"{k}_l0{SUFFIXES[d]}", layer.params[f"{k}_l0{SUFFIXES[d]}"]), np.float64
        )
        mats = [get(k) for k in KINDS]
        for g in range(gates):
            r0 = top + (d * gates + g) * (hidden + 1) + d  # one blank row more between dirs
            stacked = (d * gates + g) * hidden + np.arange(hidden)
            for kind, (mat, c0) in enumerate(zip(mats, starts, strict=True)):
                block = mat[g * hidden : (g + 1) * hidden]
                block = block if block.ndim == 2 else block[:, None]
                image[r0 : r0 + hidden, c0 : c0 + block.shape[1]] = block
                cols = np.arange(block.shape[1])
                sub = index[r0 : r0 + hidden, c0 : c0 + block.shape[1]]
                sub[..., 0], sub[..., 1] = stacked[:, None], cols[None, :]
                sub[..., 2], sub[..., 3] = kind, g
    return image, index, (dirs * gates * hidden, image.shape[1])


def hint(layer) -> str:
    """The panel title's reading guide."""
    names = " | ".join(GATES[layer_type(layer)])
    return f" \u2014 one block per gate: {names}"  # (LabelItem reads HTML: no a<t-1> here)


def label_panel(panel, layer) -> None:
    """Gate letters in the left margin, column names in the top one (in data units)."""
    letters = GATES[layer_type(layer)]
    hidden, n_in = layer.hidden_size, layer.params["weight_ih_l0"].shape[1]
    dirs = 2 if layer.bidirectional else 1
    left, top = margins(dirs * len(letters) * (hidden + 1), n_in + hidden + 4)
    for d in range(dirs):
        for g, letter in enumerate(letters):
            r0 = top + (d * len(letters) + g) * (hidden + 1) + d
            text = letter + (" \u2190" if d else "")
            _text(panel, text, left - 0.6, r0 + hidden / 2, (1, 0.5), theme.FOREGROUND)
    columns = (("x", left), ("a<t\u22121>", left + n_in + 1), ("b", left + n_in + hidden + 2))
    for name, c0 in columns:
        _text(panel, name, c0, top - 0.4, (0, 1), theme.MUTED)


def _text(panel, text: str, x: float, y: float, anchor: tuple, colour: str) -> None:
    item = pg.TextItem(text, color=colour, anchor=anchor)
    item.setFont(theme.font(1.0, bold=True))
    panel.view.addItem(item, ignoreBounds=True)
    item.setPos(x, y)


def describe(layer, index: np.ndarray, value: float, grad: bool) -> str:
    """Hover text for a pixel's ``index`` entry ``(row, column, kind, gate)``."""
    row, col, kind, g = (int(k) for k in index)
    hidden = layer.hidden_size
    letters = GATES[layer_type(layer)]
    d, j = divmod(row, len(letters) * hidden)
    j -= g * hidden
    letter = letters[g]
    back = " (backward)" if d else ""
    d_ = "\u2202L/\u2202" if grad else ""
    what = f"{GATE_NAMES[letter]} {letter} of unit {j}{back}"
    if kind == W_IH:
        return f"{d_}W_i{letter}[{j}, {col}] = {fmt(value, 4)}   ({what} \u2190 input x{col})"
    if kind == W_HH:
        source = f"a<t\u22121> unit {col}"
        return f"{d_}W_h{letter}[{j}, {col}] = {fmt(value, 4)}   ({what} \u2190 {source})"
    name = "b_i" if kind == B_IH else "b_h"
    return f"{d_}{name}{letter}[{j}] = {fmt(value, 4)}   (bias of the {what})"
