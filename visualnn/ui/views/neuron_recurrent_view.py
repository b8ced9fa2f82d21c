"""How the neuron view shows a recurrent unit: the gate table and the gates on their curves."""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg

from visualnn.ui import theme
from visualnn.ui.views.common import fmt
from visualnn.ui.views.neuron_recurrent import RecurrentExplanation
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
    """The RNN's largest terms (as a dense unit's), or one row per gate of a GRU / LSTM
    (the new state is in the formula above, in large type)."""
    if ex.cell == "rnn":
        return terms_rows(ex)
    # short headers, two decimals: the table must fit a ~300 px dock (the formulas above
    # have the third decimal)
    head = ("", "W\u00b7x", "W\u00b7a", "b", "value")  # the gate letters need no header
    rows = [[Cell(text, bold=True, right=k > 0) for k, text in enumerate(head)]]
    for g in ex.gates:
        memory, bias = g.scale * g.from_a, g.b_ih + g.scale * g.b_hh
        rows.append([
            Cell(g.name, GATE_COLOURS.get(g.name), bold=True),  # named in the formulas
            Cell(fmt(g.from_x, 2), sign_colour(g.from_x), right=True),
            Cell(fmt(memory, 2), sign_colour(memory), right=True),
            Cell(fmt(bias, 2), sign_colour(bias), right=True),
            Cell(fmt(g.value, 2), bold=True, right=True),
        ])  # fmt: skip
    return rows


def gate_html(ex: RecurrentExplanation) -> str:
    """The gate equations, each as its formula over its numbers, the name in its colour."""
    parts = []
    for g, (formula, numbers) in zip(ex.gates, ex.gate_lines, strict=False):  # RNN: none
        name, rest = formula.split(" ", 1)
        colour = GATE_COLOURS.get(g.name, theme.FOREGROUND)
        title = f"{g.title} gate" if g.fn == "sigmoid" else "candidate: the new memory"
        parts.append(
            f"<b style='color:{colour}'>{html.escape(name)}</b> {html.escape(rest)} "
            f"<span style='color:{theme.MUTED}'>({title})</span>"
            f"<br>&nbsp;&nbsp;&nbsp;&nbsp;{html.escape(numbers)}"
        )
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
        curves = {"sigmoid": (theme.MUTED, "\u03c3"), "tanh": (theme.ACCENT, "tanh")}
        parts = []
        for fn, (colour, name) in curves.items():
            gates = ", ".join(g.name for g in ex.gates if g.fn == fn)
            parts.append(f"<span style='color:{colour}'>{name}</span>: {gates}")
        return " &nbsp; ".join(parts)
