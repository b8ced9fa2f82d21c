"""How the neuron view shows a recurrent unit: the gate table and the gates on their curves."""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg

from visualnn.ui import theme
from visualnn.ui.views.common import fmt
from visualnn.ui.views.neuron_recurrent import RecurrentExplanation, _prev_text
from visualnn.ui.views.neuron_table import Cell, sign_colour, terms_rows

#: One colour per gate letter, the same in the table and on the curves.
GATE_COLOURS = {
    **dict.fromkeys("rf", "#e06cc4"),
    **dict.fromkeys("zi", "#5fd38d"),
    "o": "#c8c8c8",
    **dict.fromkeys("nga", theme.POSITIVE),
}


def what_text(ex: RecurrentExplanation) -> str:
    """``"unit 3, step 5"`` (``"… backward"`` for the second direction of a bidirectional)."""
    w = ex.where
    back = " (backward direction)" if w.direction else ""
    return f"unit {w.unit}, step t = {w.step}{back}"


def recurrent_rows(ex: RecurrentExplanation) -> list[list[Cell]]:
    """The RNN's largest terms (as a dense unit's), or one row per gate of a GRU / LSTM."""
    if ex.cell == "rnn":
        return terms_rows(ex)
    t, tp = ex.where.step, _prev_text(ex)
    rows = [[Cell("gate", bold=True), Cell(f"W\u00b7x<{t}>", bold=True, right=True),
             Cell(f"W\u00b7a<{tp}>", bold=True, right=True), Cell("bias", bold=True, right=True),
             Cell("value", bold=True, right=True)]]  # fmt: skip
    for g in ex.gates:
        memory, bias = g.scale * g.from_a, g.b_ih + g.scale * g.b_hh
        rows.append([
            Cell(f"{g.name} {g.title}", GATE_COLOURS.get(g.name), bold=True),
            Cell(fmt(g.from_x), sign_colour(g.from_x), right=True),
            Cell(fmt(memory), sign_colour(memory), right=True),
            Cell(fmt(bias), sign_colour(bias), right=True),
            Cell(fmt(g.value), bold=True, right=True),
        ])  # fmt: skip
    state = [("a", ex.h_prev, ex.h)] + ([("c", ex.c_prev, ex.c)] if ex.c is not None else [])
    for name, before, after in state:
        step = Cell(f"{name}<{tp}> \u2192 {name}<{t}>", span=3)
        rows.append([step, Cell(fmt(before), right=True), Cell(fmt(after), bold=True, right=True)])
    return rows


def gate_html(ex: RecurrentExplanation) -> str:
    """The gate equations, each as its formula over its numbers, the name in its colour."""
    parts = []
    for g, (formula, numbers) in zip(ex.gates, ex.gate_lines, strict=False):  # RNN: none
        name, rest = formula.split(" ", 1)
        colour = GATE_COLOURS.get(g.name, theme.FOREGROUND)
        parts.append(f"<b style='color:{colour}'>{html.escape(name)}</b> {html.escape(rest)}"
                     f"<br>&nbsp;&nbsp;&nbsp;&nbsp;{html.escape(numbers)}")  # fmt: skip
    return "<br>".join(parts)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * np.tanh(0.5 * z) + 0.5  # never overflows, unlike 1 / (1 + exp(-z))


class GateMarks:
    """Extra items on the neuron view's activation plot: the sigmoid curve and one labelled
    point per gate (the plot's own curve and point show the candidate, or the RNN's state)."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        self.sigmoid = plot.plot(pen=pg.mkPen(theme.MUTED, width=3))
        self.points = pg.ScatterPlotItem(size=14, pen=pg.mkPen(theme.FOREGROUND, width=1.5))
        plot.addItem(self.points)
        self.labels: list[pg.TextItem] = []

    def span(self, ex) -> float:
        """Half-width of the z axis that shows every gate's point."""
        zs = [abs(ex.z)] + [abs(g.pre) for g in getattr(ex, "gates", [])]
        return max(4.0, 1.3 * max(zs))

    def draw(self, ex) -> None:
        """Mark ``ex``'s gates (nothing for a unit that is not recurrent)."""
        gates = list(getattr(ex, "gates", []))
        sig = [g for g in gates if g.fn == "sigmoid"]
        if sig:
            z = np.linspace(-self.span(ex), self.span(ex), 241)
            self.sigmoid.setData(z, _sigmoid(z))
        else:
            self.sigmoid.setData([], [])
        brushes = [pg.mkBrush(GATE_COLOURS.get(g.name, theme.POSITIVE)) for g in gates]
        self.points.setData([g.pre for g in gates], [g.value for g in gates], brush=brushes)
        while len(self.labels) < len(gates):
            label = pg.TextItem(anchor=(0, 1))
            label.setFont(theme.font(1.1, bold=True))
            self.plot.addItem(label)
            self.labels.append(label)
        for k, label in enumerate(self.labels):
            if k < len(gates):
                g = gates[k]
                label.setText(g.name, color=GATE_COLOURS.get(g.name, theme.FOREGROUND))
                label.setPos(g.pre, g.value)
            label.setVisible(k < len(gates))

    def title(self, ex) -> str:
        if ex.cell == "rnn":
            return ex.activation
        return "gates: \u03c3   candidate: tanh"
