"""Heatmaps of a recurrent layer over time: one map per recorded array, units x time steps.

All maps share their rows (unit ``j`` is the same row in the hidden state and in every
gate) and their time axis, so a column reads as "what the cell did at step t". Painted with
``QPainter`` like the activation tiles: exact hit testing for clicks, crisp cells, numbers
inside the cells when they are big enough to read from the back of a room.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from visualnn.ui import theme
from visualnn.ui.views.common import fmt
from visualnn.ui.views.recurrent_unrolled import fixed
from visualnn.ui.views.tiles import colour_scale, to_rgba
from visualnn.ui.widgets import qimage

TITLE_H = 26  # a map's title line
AXIS_H = 24  # the time labels under a row of maps
LEFT = 46  # unit labels
GAP = 14  # between maps
TEXT_CELL = (34, 20)  # smallest cell (w, h) that gets its value written in it


@dataclass
class StateMap:
    """One map: ``values`` (units, T) shown with ``cmap`` between ``levels``."""

    key: str
    title: str
    values: np.ndarray
    levels: tuple[float, float]
    cmap: str
    short: str = ""  # the title for a narrow map ("r reset")


def grid_shape(n: int, units: int, steps: int, width: float, height: float) -> tuple[int, int]:
    """``(rows, cols)`` of maps that gives the largest cells (short side) in the space."""
    best, best_side = (1, n), -1.0
    for cols in range(1, n + 1):
        rows = math.ceil(n / cols)
        cw = (width - LEFT - GAP * (cols - 1)) / (cols * steps)
        ch = (height - rows * (TITLE_H + AXIS_H)) / (rows * units)
        side = min(cw, ch * 2)  # cells may be twice as wide as tall: numbers are wide
        if side > best_side + 1e-9:
            best, best_side = (rows, cols), side
    return best


class StateMaps(QtWidgets.QWidget):
    """Paints :class:`StateMap` s in a grid; a click emits ``cell_clicked(j, t)``."""

    cell_clicked = QtCore.Signal(int, int)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.maps: list[StateMap] = []
        self.selected: tuple[int, int] | None = None
        self._rects: list[QtCore.QRectF] = []
        self._images: list[QtGui.QImage] = []
        self.x: np.ndarray | None = None  # the layer's input (F, T), a strip over the maps
        self._strip: QtCore.QRectF | None = None
        self._x_image: QtGui.QImage | None = None
        self.setMouseTracking(True)
        self.setMinimumSize(240, 160)

    def set_maps(
        self, maps: list[StateMap], selected: tuple[int, int] | None, x: np.ndarray | None = None
    ) -> None:
        """Show ``maps`` (each (units, T)), outline cell ``selected`` ``(j, t)``, and draw
        the input ``x`` (F, T) as a strip above them on the same time axis."""
        old = [m.values.shape for m in self.maps] + [None if self.x is None else self.x.shape]
        new = [m.values.shape for m in maps] + [None if x is None else x.shape]
        self.maps, self.selected, self.x = maps, selected, x
        self._images = [qimage(to_rgba(m.values, m.cmap, *m.levels)) for m in maps]
        if x is not None:
            self._x_image = qimage(to_rgba(x, *colour_scale(x)))
        if old != new or not self._rects:
            self._layout()
        self.update()

    # --- layout -------------------------------------------------------------------------
    def _layout(self) -> None:
        self._rects = []
        if not self.maps:
            return
        units, steps = self.maps[0].values.shape
        strip_h = 0.0 if self.x is None else float(np.clip(self.x.shape[0] * 8, 18, 40))
        band = strip_h + TITLE_H + 6 if strip_h else 0.0
        height = self.height() - band
        rows, cols = grid_shape(len(self.maps), units, steps, self.width(), height)
        cell_w = max((self.width() - LEFT - GAP * (cols - 1)) / (cols * steps), 1.0)
        cell_h = max((height - rows * (TITLE_H + AXIS_H)) / (rows * units), 1.0)
        cell_w = min(cell_w, 4 * cell_h, 90.0)  # a short sequence: do not stretch it out
        cell_h = min(cell_h, 40.0)
        for k in range(len(self.maps)):
            r, c = divmod(k, cols)
            x = LEFT + c * (steps * cell_w + GAP)
            y = band + r * (TITLE_H + units * cell_h + AXIS_H) + TITLE_H
            self._rects.append(QtCore.QRectF(x, y, steps * cell_w, units * cell_h))
        self._strip = QtCore.QRectF(LEFT, TITLE_H, steps * cell_w, strip_h) if strip_h else None

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        self._layout()
        super().resizeEvent(event)

    # --- painting -----------------------------------------------------------------------
    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt name)
        if not self.maps or not self._rects:
            return
        p = QtGui.QPainter(self)
        units, steps = self.maps[0].values.shape
        for m, image, rect in zip(self.maps, self._images, self._rects, strict=True):
            p.drawImage(rect, image)  # nearest neighbour: one cell, one colour
            self._paint_title(p, m, rect)
            self._paint_time_axis(p, rect, steps)
            if rect.width() / steps >= TEXT_CELL[0] and rect.height() / units >= TEXT_CELL[1]:
                self._paint_values(p, m, rect)
            self._paint_selection(p, rect, units, steps)
        self._paint_unit_axis(p, units)
        if self._strip is not None and self._x_image is not None:
            self._paint_input(p, steps)
        p.end()

    def _paint_input(self, p: QtGui.QPainter, steps: int) -> None:
        """The input strip: what the layer reads at each step, above the state it makes."""
        strip, x = self._strip, self.x
        p.drawImage(strip, self._x_image)
        what = f" ({x.shape[0]} values)" if x.shape[0] > 1 else ""
        title = StateMap("x", f"input x<t>{what}", x, (0, 0), "", "input x<t>")
        self._paint_title(p, title, strip, levels=False)
        cw = strip.width() / steps
        if x.shape[0] == 1 and cw >= TEXT_CELL[0]:
            self._paint_values(p, StateMap("x", "", x, colour_scale(x)[1:], ""), strip)
        if self.selected is not None:
            cell = QtCore.QRectF(strip.left() + self.selected[1] * cw, strip.top(), cw, 0)
            cell.setBottom(strip.bottom())
            p.setPen(QtGui.QPen(QtGui.QColor(theme.FOREGROUND), 3))
            p.setBrush(QtCore.Qt.NoBrush)
            p.drawRect(cell)

    def _paint_title(self, p, m: StateMap, rect: QtCore.QRectF, levels: bool = True) -> None:
        """The map's name over it (the short one if the long one does not fit), then its
        colour range if there is room."""
        box = QtCore.QRectF(rect.left(), rect.top() - TITLE_H, rect.width() + GAP / 2, TITLE_H)
        if len(self._rects) == 1 or not levels:
            box.setRight(self.width())  # nothing to its right
        box.setRight(min(box.right(), self.width()))
        flags = QtCore.Qt.AlignLeft | QtCore.Qt.AlignVCenter
        p.setFont(theme.font(1.0, bold=True))
        p.setPen(QtGui.QColor(theme.FOREGROUND))
        title = m.title
        if p.fontMetrics().horizontalAdvance(title) > box.width() - 6 and m.short:
            title = m.short
        title = p.fontMetrics().elidedText(title, QtCore.Qt.ElideRight, int(box.width()))
        used = p.fontMetrics().horizontalAdvance(title + "  ")
        p.drawText(box, flags, title)
        if not levels:
            return
        p.setFont(theme.font(0.85))
        p.setPen(QtGui.QColor(theme.MUTED))
        text = f"{fmt(m.levels[0], 1)} \u2026 {fmt(m.levels[1], 1)}"
        if p.fontMetrics().horizontalAdvance(text) <= box.width() - used:
            p.drawText(box.adjusted(used, 0, 0, 0), flags, text)

    def _paint_time_axis(self, p: QtGui.QPainter, rect: QtCore.QRectF, steps: int) -> None:
        p.setFont(theme.font(0.85))
        p.setPen(QtGui.QColor(theme.MUTED))
        cw = rect.width() / steps
        every = max(1, math.ceil(34 / cw))  # a label needs ~34 px
        marks = set(range(0, steps, every)) | {steps - 1}
        if self.selected is not None:
            marks = {t for t in marks if abs(t - self.selected[1]) * cw >= 30} | {self.selected[1]}
        for t in sorted(marks):
            box = QtCore.QRectF(
                rect.left() + (t + 0.5) * cw - 20, rect.bottom() + 2, 40, AXIS_H - 4
            )
            bold = self.selected is not None and t == self.selected[1]
            p.setPen(QtGui.QColor(theme.ACCENT if bold else theme.MUTED))
            p.drawText(box, QtCore.Qt.AlignHCenter | QtCore.Qt.AlignTop, str(t))

    def _paint_unit_axis(self, p: QtGui.QPainter, units: int) -> None:
        p.setFont(theme.font(0.85))
        for rect in {(r.top(), r.height()): r for r in self._rects}.values():
            ch = rect.height() / units
            every = max(1, math.ceil(18 / ch))
            for j in range(0, units, every):
                box = QtCore.QRectF(0, rect.top() + j * ch, LEFT - 6, max(ch, 16))
                sel = self.selected is not None and self.selected[0] == j
                p.setPen(QtGui.QColor(theme.ACCENT if sel else theme.MUTED))
                p.drawText(box, QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter, str(j))

    def _paint_values(self, p: QtGui.QPainter, m: StateMap, rect: QtCore.QRectF) -> None:
        units, steps = m.values.shape
        cw, ch = rect.width() / steps, rect.height() / units
        p.setFont(theme.font(0.8 if cw < 44 else 0.9, bold=True))
        lo, hi = m.levels
        for j in range(units):
            for t in range(steps):
                v = float(m.values[j, t])
                # dark text on the bright ends of the colour scale, light in the dark middle
                bright = abs(v) > 0.55 * max(abs(lo), abs(hi)) if lo < 0 else v > 0.6 * hi
                p.setPen(QtGui.QColor("#000000" if bright else "#ffffff"))
                cell = QtCore.QRectF(rect.left() + t * cw, rect.top() + j * ch, cw, ch)
                p.drawText(cell, QtCore.Qt.AlignCenter, fixed(v, 1 if cw < 44 else 2))

    def _paint_selection(self, p: QtGui.QPainter, rect: QtCore.QRectF, units: int, steps: int):
        if self.selected is None:
            return
        j, t = self.selected
        cw, ch = rect.width() / steps, rect.height() / units
        column = QtCore.QRectF(rect.left() + t * cw, rect.top(), cw, rect.height())
        p.setPen(QtGui.QPen(QtGui.QColor(theme.ACCENT), 1.5, QtCore.Qt.DashLine))
        p.setBrush(QtCore.Qt.NoBrush)
        p.drawRect(column)
        p.setPen(QtGui.QPen(QtGui.QColor(theme.FOREGROUND), 3))
        p.drawRect(QtCore.QRectF(rect.left() + t * cw, rect.top() + j * ch, cw, ch))

    # --- interaction --------------------------------------------------------------------
    def hit(self, pos: QtCore.QPointF) -> tuple[int, int, int] | None:
        """``(map index, j, t)`` under ``pos``, or None."""
        for k, rect in enumerate(self._rects):
            if rect.contains(pos):
                units, steps = self.maps[k].values.shape
                j = min(int((pos.y() - rect.top()) / rect.height() * units), units - 1)
                t = min(int((pos.x() - rect.left()) / rect.width() * steps), steps - 1)
                return k, j, t
        return None

    def cell_centre(self, k: int, j: int, t: int) -> QtCore.QPointF:
        """Widget point at the centre of cell ``(j, t)`` of map ``k`` (tests click there)."""
        rect = self._rects[k]
        units, steps = self.maps[k].values.shape
        return QtCore.QPointF(rect.left() + (t + 0.5) * rect.width() / steps,
                              rect.top() + (j + 0.5) * rect.height() / units)  # fmt: skip

    def mousePressEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802 (Qt name)
        hit = self.hit(event.position())
        if hit is not None and event.button() == QtCore.Qt.LeftButton:
            self.cell_clicked.emit(hit[1], hit[2])

    def mouseMoveEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802 (Qt name)
        hit = self.hit(event.position())
        if hit is None:
            QtWidgets.QToolTip.hideText()
            return
        k, j, t = hit
        m = self.maps[k]
        text = f"{m.title}, unit {j}, step t = {t}: {fmt(m.values[j, t], 4)}"
        QtWidgets.QToolTip.showText(event.globalPosition().toPoint(), text, self)
