"""The dense unit's ``x · w`` terms as a table painted directly, not as HTML.

While training, the neuron inspector shows new numbers a few times a second. As an HTML
table in a ``QTextDocument`` every update was a parse and a table layout (~3 ms of GUI-thread
time, i.e. of the training thread's GIL time); painted from a list of cells it is a few text
measurements and ``drawText`` calls (~0.5 ms), and the widget asks its parents for a new
layout only when the table outgrows the space it has.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6 import QtCore, QtGui, QtWidgets

from visualnn.ui import theme
from visualnn.ui.views.common import fmt
from visualnn.ui.views.explanation import Explanation

TOP_TERMS = 12
PAD = 3  # around each cell's text, as the HTML tables' cellpadding


@dataclass(frozen=True)
class Cell:
    """One cell: text, colour (None: the widget's text colour), weight, alignment, span."""

    text: str
    color: str | None = None
    bold: bool = False
    right: bool = False
    span: int = 1


def sign_colour(v: float) -> str:
    return theme.POSITIVE if v > 0 else theme.NEGATIVE if v < 0 else theme.MUTED


def terms_rows(ex: Explanation, top: int = TOP_TERMS) -> list[list[Cell]]:
    """The largest ``x·w`` products first, then ``… n more`` with their sum, then the total.

    Six columns: input name, x, ×, w, =, x·w; every row spans all six.
    """
    rows = [
        [
            Cell("input", bold=True),
            Cell("x", bold=True, right=True),
            Cell(""),
            Cell("w", bold=True, right=True),
            Cell(""),
            Cell("x\u00b7w", bold=True, right=True),
        ]
    ]
    for name, x, w, p in ex.terms[:top]:
        rows.append(
            [
                Cell(name),
                Cell(fmt(x), right=True),
                Cell("\u00d7"),
                Cell(fmt(w), sign_colour(w), right=True),
                Cell("="),
                Cell(fmt(p), sign_colour(p), bold=True, right=True),
            ]
        )
    rest = ex.terms[top:]
    if rest:
        s = sum(t[3] for t in rest)
        rows.append(
            [
                Cell(f"\u2026 {len(rest)} more", theme.MUTED, span=5),
                Cell(fmt(s), sign_colour(s), right=True),
            ]
        )
    rows.append(
        [
            Cell(f"\u03a3 all {len(ex.terms)}", bold=True, span=5),
            Cell(fmt(ex.total), bold=True, right=True),
        ]
    )
    return rows


class TermsTable(QtWidgets.QWidget):
    """Paints rows of :class:`Cell` as a table (no grid lines), ``PAD`` around each text.

    Like ``steady_label.SteadyRichText``: new numbers of the same table never shrink it (no
    jitter as digits change) and re-lay out the parents only when it has to grow;
    :meth:`settle` fits it exactly (another unit is shown).
    """

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[list[Cell]] = []
        self._widths: list[float] = []
        self._advances: list[list[float]] = []
        self._hint = QtCore.QSize(0, 0)

    def set_rows(self, rows: list[list[Cell]]) -> None:
        if rows == self.rows:
            return
        self.rows = rows
        size = self._measure()
        if size.width() > self._hint.width() or size.height() != self._hint.height():
            self._reserve(QtCore.QSize(max(size.width(), self._hint.width()), size.height()))
        self.update()

    def settle(self) -> None:
        """Fit the reserved size to the current rows exactly."""
        size = self._measure()
        if size != self._hint:
            self._reserve(size)

    def _reserve(self, size: QtCore.QSize) -> None:
        self._hint = size
        self.updateGeometry()

    def _fonts(self) -> tuple[QtGui.QFont, QtGui.QFont]:
        bold = QtGui.QFont(self.font())
        bold.setBold(True)
        return self.font(), bold

    def _line_height(self) -> float:
        return max(QtGui.QFontMetricsF(f).height() for f in self._fonts())

    def _measure(self) -> QtCore.QSize:
        """Column widths from the single-column cells (spans widen their last column)."""
        metrics = [QtGui.QFontMetricsF(f) for f in self._fonts()]
        self._advances = [
            [metrics[c.bold].horizontalAdvance(c.text) for c in row] for row in self.rows
        ]
        n = max((sum(c.span for c in row) for row in self.rows), default=0)
        widths = [0.0] * n
        for span_pass in (False, True):  # single cells first, then what spans must add
            for row, advances in zip(self.rows, self._advances, strict=True):
                col = 0
                for cell, advance in zip(row, advances, strict=True):
                    w = advance + 2 * PAD
                    if not span_pass and cell.span == 1:
                        widths[col] = max(widths[col], w)
                    elif span_pass and cell.span > 1:
                        spanned = sum(widths[col : col + cell.span])
                        widths[col + cell.span - 1] += max(0.0, w - spanned)
                    col += cell.span
        self._widths = widths
        height = len(self.rows) * (self._line_height() + 2 * PAD)
        return QtCore.QSize(int(sum(widths) + 0.999), int(height + 0.999))

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        return self._hint.grownBy(self.contentsMargins())

    def minimumSizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        return self.sizeHint()

    def changeEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QtCore.QEvent.FontChange:
            self.settle()
        super().changeEvent(event)

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        if not self.rows:
            return
        painter = QtGui.QPainter(self)
        fonts = self._fonts()
        metrics = [QtGui.QFontMetricsF(f) for f in fonts]
        default = self.palette().color(QtGui.QPalette.WindowText)
        line = self._line_height()
        area = self.contentsRect()
        top = float(area.top())
        current = None
        for row, advances in zip(self.rows, self._advances, strict=True):
            x, col = float(area.left()), 0
            for cell, advance in zip(row, advances, strict=True):
                w = sum(self._widths[col : col + cell.span])
                if cell.text:
                    fm = metrics[cell.bold]
                    if current is not cell.bold:  # setFont is not free: only on a change
                        painter.setFont(fonts[cell.bold])
                        current = cell.bold
                    painter.setPen(QtGui.QColor(cell.color) if cell.color else default)
                    # a point, not a rectangle: drawText(rect, flags) lays the text out again
                    left = x + w - PAD - advance if cell.right else x + PAD
                    base = top + PAD + (line - fm.height()) / 2 + fm.ascent()
                    painter.drawText(QtCore.QPointF(left, base), cell.text)
                x += w
                col += cell.span
            top += line + 2 * PAD
        painter.end()
