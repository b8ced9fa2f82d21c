"""The graph's card of a recurrent layer: its units, and a loop arrow saying "and again".

A few units (at most ``scene.MAX_NEURONS``) are drawn as neurons, clickable as a dense
layer's, with the loop beside them: the state goes round into the next step. A bidirectional
layer's backward units get a second loop on the other side. Many units draw a cell with
the loop round it, the classic folded picture of a recurrent network.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui

from visualnn.ui import theme
from visualnn.ui.graph.items import NodeItem
from visualnn.ui.model.recurrent import selected_step

_LOOP = QtGui.QColor(theme.ACCENT)


def _arrow_head(p: QtGui.QPainter, tip: QtCore.QPointF, dx: float, size: float) -> None:
    """A filled head at ``tip`` pointing along x (``dx`` = +1 right, -1 left)."""
    back = QtCore.QPointF(-dx * size, 0)
    head = [
        tip,
        tip + back + QtCore.QPointF(0, -size * 0.6),
        tip + back + QtCore.QPointF(0, size * 0.6),
    ]
    p.setBrush(_LOOP)
    p.setPen(QtCore.Qt.NoPen)
    p.drawPolygon(QtGui.QPolygonF(head))


def paint_loop(p: QtGui.QPainter, x: float, top: float, bottom: float, side: float,
               width: float, label: str = "") -> None:  # fmt: skip
    """A loop from ``(x, bottom)`` out to the ``side`` (+1 right, -1 left) and back in at
    ``(x, top)``, ending in an arrow head: the state fed back into the next step."""
    out = x + side * width
    path = QtGui.QPainterPath(QtCore.QPointF(x, bottom))
    r = min(width * 0.6, (bottom - top) / 3)
    path.lineTo(out - side * r, bottom)
    path.quadTo(out, bottom, out, bottom - r)
    path.lineTo(out, top + r)
    path.quadTo(out, top, out - side * r, top)
    path.lineTo(x + side * 6, top)
    p.setPen(QtGui.QPen(_LOOP, 3.0))
    p.setBrush(QtCore.Qt.NoBrush)
    p.drawPath(path)
    _arrow_head(p, QtCore.QPointF(x, top), -side, 10.0)
    if label:
        p.setPen(QtGui.QColor(theme.MUTED))
        p.setFont(theme.font(0.85))
        box = QtCore.QRectF(out - 30 if side > 0 else out - 30, bottom + 2, 60, 20)
        p.drawText(box, QtCore.Qt.AlignCenter, label)


def _fitted(font: QtGui.QFont, text: str, width: float) -> QtGui.QFont:
    """``font``, made smaller when ``text`` would be wider than ``width`` (a small cell in
    presentation mode's large type)."""
    wide = QtGui.QFontMetricsF(font).horizontalAdvance(text)
    if wide > width > 0:
        if font.pixelSize() > 0:
            font.setPixelSize(max(6, int(font.pixelSize() * width / wide)))
        else:
            font.setPointSizeF(max(5.0, font.pointSizeF() * width / wide))
    return font


def paint_cell(p: QtGui.QPainter, body: QtCore.QRectF) -> None:
    """The folded picture: a cell box holding ``a<t>``, the loop round its right side."""
    side = min(body.height() - 8, body.width() * 0.5)
    box = QtCore.QRectF(0, 0, side * 1.1, side)
    box.moveCenter(body.center() + QtCore.QPointF(-side * 0.3, 0))
    p.setPen(QtGui.QPen(QtGui.QColor("#c4cad6"), 2.0))
    p.setBrush(QtGui.QColor("#2c3240"))
    p.drawRoundedRect(box, 10, 10)
    p.setPen(QtGui.QColor(theme.FOREGROUND))
    p.setFont(_fitted(theme.font(1.2, bold=True), "a<t>", box.width() * 0.85))
    p.drawText(box, QtCore.Qt.AlignCenter, "a<t>")
    paint_loop(p, box.right(), box.top() + side * 0.2, box.bottom() - side * 0.2, 1.0,
               side * 0.6)  # fmt: skip


class RecurrentNodeItem(NodeItem):
    """A ``NodeItem`` for ``rnn``, ``gru`` and ``lstm`` (see the module docstring).

    Parameters
    ----------
    hidden : int
        Units per direction; ``units`` (the neurons drawn) is ``hidden * dirs`` or 0.
    """

    def __init__(self, *args, hidden: int = 0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.hidden = hidden
        self.step: int | None = None  # the time step the neurons show (None: the last)

    def paint(self, painter: QtGui.QPainter, option, widget=None) -> None:
        super().paint(painter, option, widget)
        painter.save()
        painter.setRenderHint(QtGui.QPainter.Antialiasing)
        if self.neurons:
            self._paint_loops(painter)
        else:
            a = self._art_scale
            painter.translate(self._body.center())
            painter.scale(a, a)
            body = QtCore.QRectF(0, 0, self._body.width() / a, self._body.height() / a)
            body.moveCenter(QtCore.QPointF(0, 0))
            paint_cell(painter, body)
        painter.restore()

    def _paint_loops(self, p: QtGui.QPainter) -> None:
        groups = [(0, min(self.hidden, len(self.neurons)), 1.0)]
        if len(self.neurons) > self.hidden > 0:  # bidirectional: backward units on the left
            groups.append((self.hidden, len(self.neurons), -1.0))
        for first, last, side in groups:
            a, b = self.neurons[first], self.neurons[last - 1]
            r = a.radius
            top, bottom = a.pos().y() - r * 0.3, b.pos().y() + r * 0.3
            width = min(34.0 * self._art_scale, self._body.width() / 2 - r - 4)
            paint_loop(p, side * (r + 2), top, bottom, side, width)

    # --- values -------------------------------------------------------------------------
    def unit_output(self, out: np.ndarray | None) -> np.ndarray | None:
        """Per-unit values at the shown step from the layer's output ``(units,)`` or
        ``(units, T)`` (a layer returning sequences: its final states unless a step is
        selected)."""
        if out is None or out.ndim != 2 or out.shape[0] != len(self.neurons):
            return out
        if self.step is not None and 0 <= self.step < out.shape[1]:
            return out[:, self.step]
        final = np.full(out.shape[0], out.shape[1] - 1)
        final[self.hidden :] = 0  # backward units end at the first step
        return out[np.arange(out.shape[0]), final]

    def follow_selection(self, selection, layer) -> int | None:
        """Highlight the selected unit (``(j,)`` or ``(j, t)``); returns its ``j`` or None."""
        steps = int(layer.input_shape[-1]) if layer is not None and layer.input_shape else 0
        where = selected_step(selection, self.index, layer, steps) if steps else None
        self.step = None if where is None or len(selection.unit) < 2 else where.step
        return None if where is None else where.unit
