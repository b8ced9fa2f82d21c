"""The selected unit's computation with the real numbers: inputs, weights, sum, activation."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from visualnn.ui import theme
from visualnn.ui.model.catalog import human_name
from visualnn.ui.model.forward import recorded_forward
from visualnn.ui.pacing import Redraw
from visualnn.ui.steady_label import SteadyLabel, SteadyRichText
from visualnn.ui.views.common import (
    MINUS,
    fmt,
    layer_title,
    message_label,
)
from visualnn.ui.views.explanation import Explanation
from visualnn.ui.views.neuron_math import explain
from visualnn.ui.views.neuron_recurrent_view import (
    GateMarks,
    gate_html,
    recurrent_rows,
    what_text,
)
from visualnn.ui.views.neuron_table import TermsTable, sign_colour, terms_rows
from visualnn.ui.widgets import set_side_by_side_soon, vertical_scroll

READOUT_MS = 200  # numbers change at most five times a second: they must be readable
HINT = (
    "Click a unit or a feature-map pixel in Activations (or a neuron in the graph) "
    "to see how it is computed, with the real numbers."
)
MAX_CHANNELS = 3  # conv patches shown in full; the rest are summed in one line
#: Below these widths the conv tables put the products on a second line, then stack all
#: three grids: a 1280x720 projector leaves the Inspector dock ~320 px wide.
NARROW_WIDTH = 700
STACKED_WIDTH = 480


def _grid_html(a: np.ndarray, padded: np.ndarray | None, colour: bool) -> str:
    """A small matrix as an HTML table, padding cells muted."""
    cells = []
    for r in range(a.shape[0]):
        tds = []
        for s in range(a.shape[1]):
            v = a[r, s]
            pad = padded is not None and padded[r, s]
            style = f"color:{theme.MUTED}" if pad else f"color:{sign_colour(v)}" if colour else ""
            text = ("0" if v == 0 else "\u2212\u221e") if pad else f"{v:.2f}".replace("-", MINUS)
            tds.append(f"<td align=right style='{style}'>{text}</td>")
        cells.append("<tr>" + "".join(tds) + "</tr>")
    return (
        "<table cellspacing=0 cellpadding=3 style='border:1px solid #555'>"
        + "".join(cells)
        + "</table>"
    )


def conv_html(ex: Explanation, narrow: bool = False, stacked: bool = False) -> str:
    """Per input channel: patch, kernel and their elementwise products side by side; the
    products on a line of their own when ``narrow``; all three one under the other when
    ``stacked`` (a ~320 px dock: one 3x3 grid wide, so the text can stay large)."""
    parts = []
    n_ch = ex.patch.shape[0]
    if ex.padded is not None and ex.padded.any():
        parts.append(f"<p style='color:{theme.MUTED}'>grey 0 = zero padding outside the input</p>")
    for c in range(min(n_ch, MAX_CHANNELS)):
        prod = ex.patch[c] * ex.kernel[c]
        grids = (
            ("", "patch", _grid_html(ex.patch[c], ex.padded[c], False)),
            ("\u00d7", "kernel", _grid_html(ex.kernel[c], None, True)),
            ("=", "products", _grid_html(prod, None, True)),
        )
        if stacked:
            cells = "".join(
                f"<tr><td valign=middle>{op}&nbsp;</td><td>{name}<br>{grid}</td></tr>"
                for op, name, grid in grids
            )
        else:
            cells = (
                "<tr>"
                + "".join(
                    ("</tr><tr><td></td>" if narrow and name == "products" else "")
                    + (f"<td valign=middle>&nbsp;{op}&nbsp;</td>" if op else "")
                    + f"<td>{name}<br>{grid}</td>"
                    for op, name, grid in grids
                )
                + "</tr>"
            )
        parts.append(
            f"<p><b>input channel {c}</b> &nbsp; <span style='color:{theme.MUTED}'>sum "
            f"{fmt(prod.sum())}</span></p><table>{cells}</table>"
        )
    if n_ch > MAX_CHANNELS:
        rest = float((ex.patch[MAX_CHANNELS:] * ex.kernel[MAX_CHANNELS:]).sum())
        parts.append(
            f"<p style='color:{theme.MUTED}'>\u2026 {n_ch - MAX_CHANNELS} more input "
            f"channels, their products sum to {fmt(rest)}</p>"
        )
    return "".join(parts)


def pool_html(ex: Explanation) -> str:
    return "<p><b>window</b></p>" + _grid_html(ex.window, ex.padded, False)


class NeuronView(QtWidgets.QWidget):
    """Explains the selected unit with the model's real numbers (see ``neuron_math``)."""

    def __init__(self, session, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.explanation: Explanation | None = None

        # Steady labels: new numbers every frame must not re-lay out the dock (see steady_label)
        self.title = SteadyLabel()
        theme.set_font(self.title, 1.15, bold=True)
        self.title.setWordWrap(True)
        self.message = message_label(HINT)
        self._build_formula()
        # the formula first (it is the point), then the numbers behind it and the curve; one
        # scroll area for all so a small dock scrolls instead of squeezing things on top of
        # each other, and no sideways scrolling: the text wraps to the visible width
        self.content = vertical_scroll(self._build_body())

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.title.fence)
        layout.addWidget(self.formula.fence)  # outside the scroll area: wraps to the width
        layout.addWidget(self.message, 1)
        layout.addWidget(self.content, 1)

        self._shown: tuple | None = None  # what the tables show (unit, kind, width class)
        self._plot_title: str | None = None
        # New numbers while training or listening: a readable ~5 a second; a click answers
        # at the next frame.
        self.throttle = Redraw(self, self.redraw, min_interval_ms=READOUT_MS)
        inspect = session.inspect
        self.throttle.mark_on(inspect.weights_updated, inspect.sample_changed)
        asked = (inspect.spec_changed, inspect.selection_changed, session.project.dataset_changed)
        self.throttle.mark_on(*asked, now=True)

    # --- building -------------------------------------------------------------------------
    def _build_formula(self) -> None:
        self.formula = SteadyLabel()
        theme.set_font(self.formula, 1.3, bold=True)
        theme.style(self.formula, "color: {FOREGROUND}; padding: 4px 0 8px 0;")
        self.formula.setWordWrap(True)
        self.formula.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)

    def _build_body(self) -> QtWidgets.QVBoxLayout:
        """A recurrent unit's gate equations over ``body``: the numbers beside the curve."""
        self.detail = SteadyRichText()  # conv and pool grids
        theme.set_font(self.detail, 1.05)
        self.terms = TermsTable()  # a dense unit's terms: painted, no HTML to parse per frame
        theme.set_font(self.terms, 1.05)
        self.terms.hide()
        self._build_curve()
        self.body = QtWidgets.QBoxLayout(QtWidgets.QBoxLayout.LeftToRight)
        self.body.addWidget(self.detail, 3, QtCore.Qt.AlignTop | QtCore.Qt.AlignLeft)
        self.body.addWidget(self.terms, 3, QtCore.Qt.AlignTop | QtCore.Qt.AlignLeft)
        self.body.addWidget(self.plot_widget, 2)
        # a GRU or LSTM unit's gate equations: wrapped, in the scroll area with the rest
        self.gate_text = SteadyLabel()
        self.gate_text.setFont(theme.font(1.05))
        self.gate_text.setWordWrap(True)
        self.gate_text.setStyleSheet("padding: 0 0 6px 0;")
        self.gate_text.hide()
        column = QtWidgets.QVBoxLayout()
        column.addWidget(self.gate_text.fence)
        column.addLayout(self.body, 1)
        return column

    def _build_curve(self) -> None:
        """The activation function ``a = f(z)`` with the unit's ``z`` marked on it."""
        self.plot_widget = pg.PlotWidget()
        self.plot_widget.setMinimumSize(220, 200)
        plot = self.plot_widget.getPlotItem()
        theme.style_plot(plot)
        plot.setLabel("bottom", "z")
        plot.setLabel("left", "a = f(z)")
        for name in ("left", "bottom"):
            plot.getAxis(name).enableAutoSIPrefix(False)  # no "(x0.001)" riddles
        plot.setMouseEnabled(False, False)
        plot.hideButtons()
        self.curve = plot.plot(pen=pg.mkPen(theme.ACCENT, width=3))
        self.marker = pg.ScatterPlotItem(
            size=16, brush=pg.mkBrush(theme.POSITIVE), pen=pg.mkPen(theme.FOREGROUND, width=2)
        )
        self.guides = plot.plot(pen=pg.mkPen(theme.MUTED, width=1, style=QtCore.Qt.DashLine))
        plot.addItem(self.marker)
        self.gate_marks = GateMarks(plot)  # a recurrent unit's gates on their curves

    def redraw(self) -> None:
        sel = self.session.inspect.selection
        self.explanation = None
        if sel.layer is None or sel.unit is None:
            return self._show_message("", HINT)
        try:
            rec = recorded_forward(self.session)
            model = self.session.inspect.model
            ex = explain(model, rec.records, sel.layer, tuple(sel.unit))
        except (ValueError, IndexError, KeyError) as exc:
            return self._show_message("", str(exc))
        self.explanation = ex
        if ex.kind == "recurrent":
            what = what_text(ex)
        elif len(ex.unit) == 1:
            what = f"unit {ex.unit[0]}"
        elif len(ex.unit) == 3:
            what = "channel {}, row {}, col {}".format(*ex.unit)
        else:
            what = "channel {}, t {}".format(*ex.unit)
        self.title.setText(f"{layer_title(sel.layer, model.layers[sel.layer])} \u2014 {what}")
        narrow, stacked = self.width() < NARROW_WIDTH, self.width() < STACKED_WIDTH
        scale = 0.9 if ex.kind == "conv" and narrow and not stacked else 1.05
        if self.detail.font().pointSizeF() != theme.font(scale).pointSizeF():
            theme.set_font(self.detail, scale)
        tabled = ex.kind in ("dense", "recurrent")
        self.terms.setVisible(tabled)
        self.detail.setVisible(not tabled)
        self.gate_text.setVisible(bool(getattr(ex, "gate_lines", None)))
        if ex.kind == "dense":
            self.terms.set_rows(terms_rows(ex))
        elif ex.kind == "recurrent":
            self.terms.set_rows(recurrent_rows(ex))
            self.gate_text.setText(gate_html(ex))  # the gates, then their table
        elif ex.kind == "conv":
            self.detail.setText(conv_html(ex, narrow=narrow, stacked=stacked))
        elif ex.kind == "pool":
            self.detail.setText(pool_html(ex))
        else:
            self.detail.setText("")
        self.formula.setText("<br>".join(ex.lines))
        shown = (sel.layer, tuple(sel.unit), ex.kind, narrow, stacked)
        if shown != self._shown:  # another table: fit it exactly (new numbers only grow it)
            self._shown = shown
            (self.terms if tabled else self.detail).settle()
        self._draw_curve(ex)
        self.message.hide()
        self.content.show()
        self.formula.show()

    def _draw_curve(self, ex: Explanation) -> None:
        show = ex.kind in ("dense", "conv", "activation", "recurrent")
        self.plot_widget.setVisible(show)
        if not show:
            return
        if ex.softmax_rest is not None:  # the S-shaped part sits where z meets the others
            centre = ex.softmax_shift + np.log(max(ex.softmax_rest, 1e-12))
            left, right = min(centre - 6, ex.z - 1), max(centre + 6, ex.z + 1)
        else:
            span = self.gate_marks.span(ex)
            left, right = -span, span
        z = np.linspace(left, right, 241)
        self.curve.setData(z, ex.apply(z))
        self.marker.setData([ex.z], [ex.a])
        lo = float(min(0.0, ex.apply(z).min()))
        self.guides.setData([ex.z, ex.z, left], [lo, ex.a, ex.a], connect="all")
        self.gate_marks.draw(ex)
        # auto-range now, not while painting (that would paint the plot twice per frame)
        self.plot_widget.getPlotItem().getViewBox().prepareForPaint()
        label = (
            "Softmax (others fixed)" if ex.softmax_rest is not None else human_name(ex.activation)
        )
        if ex.kind == "recurrent":
            label = self.gate_marks.title(ex)
        if (label, theme.GENERATION) != self._plot_title:  # a new title re-lays out the plot
            self._plot_title = (label, theme.GENERATION)
            plot = self.plot_widget.getPlotItem()
            plot.setTitle(label, color=theme.FOREGROUND, size=f"{theme.point_size(1.1):.1f}pt")
            plot.titleLabel.vnn_scale = 1.1

    def _show_message(self, title: str, text: str) -> None:
        self._shown = None
        self.title.setText(title)
        if text:
            self.message.setText(text)
        self.message.show()
        self.content.hide()
        self.formula.hide()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        # side by side when wide, curve under the numbers in a narrow dock
        wide = event.size().width() >= 640
        old, new = event.oldSize().width(), event.size().width()
        if any((old < w) != (new < w) for w in (NARROW_WIDTH, STACKED_WIDTH)):
            self.throttle.mark()  # conv tables change layout at these widths
        curve_height = 16777215 if wide else 240  # beside the numbers: Qt's "no limit"
        set_side_by_side_soon(
            self, self.body, wide, lambda: self.plot_widget.setMaximumHeight(curve_height)
        )
        super().resizeEvent(event)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        self.throttle.flush()
