"""A recurrent layer unrolled in time: the same cell drawn once per step, for one unit.

Each box is the cell at step ``t`` with the selected unit's new state ``a<t>`` (and its
gates); ``x<t>`` comes in from below, ``a<t-1> -> a<t>`` arrows join the boxes (right to
left for the backward direction), and the output leaves at the top where the layer passes
it on. A long sequence shows a window of steps around the selected one, with "…" where
it goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from visualnn.ui import theme
from visualnn.ui.views.common import MINUS
from visualnn.ui.views.tiles import lut

MIN_BOX = 104  # narrowest readable box (px)
ARROW = 28  # room for an a<t-1> -> a<t> arrow between boxes
CAPTION_H = 24  # the line saying which unit the boxes follow
IN_H, OUT_H = 54, CAPTION_H + 30  # below the boxes (x<t>) and above them (output)


@dataclass
class Unrolled:
    """What the strip draws: unit ``unit`` (``local`` in its ``direction``) of a ``cell``.

    ``h`` (T,) is the unit's state at every step, ``gates`` name -> (T,) its gates (and
    ``c``), ``x`` (F, T) the layer's input.
    """

    cell: str
    unit: int
    direction: int
    step: int
    h: np.ndarray
    x: np.ndarray
    every_step: bool  # the layer outputs every step (else only its final state)
    gates: dict[str, np.ndarray] = field(default_factory=dict)


def fixed(v: float, digits: int = 2) -> str:
    """``-0.004`` -> ``"0.00"``, ``-0.5`` -> ``"−0.50"``: always short enough for a box
    (``fmt`` switches tiny values to ``5.5e−06``, too wide for a box and no more useful)."""
    v = float(v)
    if not np.isfinite(v):
        return str(v)
    text = f"{v:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text.replace("-", MINUS)


def window(step: int, steps: int, fit: int) -> range:
    """At most ``fit`` steps around ``step``, as centred as the ends allow."""
    fit = max(1, min(fit, steps))
    first = min(max(step - fit // 2, 0), steps - fit)
    return range(first, first + fit)


def _colour(v: float) -> QtGui.QColor:
    """The diverging colour of a tanh-range value, as the maps draw it."""
    i = int(np.clip(round((v + 1) / 2 * 255), 0, 255)) if np.isfinite(v) else 128
    return QtGui.QColor(*[int(c) for c in lut(theme.DIVERGING_CMAP)[i][:3]])


class UnrolledStrip(QtWidgets.QWidget):
    """Paints an :class:`Unrolled`; a click on a box emits ``step_clicked(t)``."""

    step_clicked = QtCore.Signal(int)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.data: Unrolled | None = None
        self._boxes: list[tuple[int, QtCore.QRectF]] = []
        self.setMinimumSize(260, 200)

    def set_data(self, data: Unrolled | None) -> None:
        self.data = data
        self._layout()
        self.update()

    def shown_steps(self) -> list[int]:
        return [t for t, _ in self._boxes]

    def _layout(self) -> None:
        self._boxes = []
        d = self.data
        if d is None:
            return
        steps = d.h.shape[0]
        fit = int((self.width() - ARROW) // (MIN_BOX + ARROW))
        shown = list(window(d.step, steps, fit))
        box_w = min((self.width() - ARROW * (len(shown) + 1)) / len(shown), 190.0)
        top, height = OUT_H, max(self.height() - OUT_H - IN_H, 80)
        left = (self.width() - len(shown) * (box_w + ARROW) + ARROW) / 2
        # time runs left to right in both directions; the backward one's arrows point left
        for k, t in enumerate(shown):
            self._boxes.append((t, QtCore.QRectF(left + k * (box_w + ARROW), top, box_w, height)))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        self._layout()
        super().resizeEvent(event)

    # --- painting -----------------------------------------------------------------------
    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt name)
        d = self.data
        if d is None or not self._boxes:
            return
        p = QtGui.QPainter(self)
        p.setRenderHint(QtGui.QPainter.Antialiasing)
        steps = d.h.shape[0]
        for k, (t, box) in enumerate(self._boxes):
            self._paint_box(p, d, t, box)
            self._paint_input(p, d, t, box)
            if d.every_step or t == (0 if d.direction else steps - 1):
                self._paint_output(p, t, box)
            if k:
                self._paint_link(p, self._boxes[k - 1][1], box, d.direction)
        self._paint_ends(p, d, steps)
        self._paint_caption(p, d)
        p.end()

    def _paint_box(self, p: QtGui.QPainter, d: Unrolled, t: int, box: QtCore.QRectF) -> None:
        """The cell at step ``t``: the unit's new state big, its gates under it."""
        chosen = t == d.step
        colour = QtGui.QColor(theme.ACCENT if chosen else "#56607a")
        p.setPen(QtGui.QPen(colour, 4 if chosen else 2))
        p.setBrush(QtGui.QColor(theme.PANEL))
        p.drawRoundedRect(box, 10, 10)
        inner = box.adjusted(8, 6, -8, -6)
        p.setFont(theme.font(1.0, bold=chosen))
        p.setPen(QtGui.QColor(theme.ACCENT if chosen else theme.MUTED))
        p.drawText(inner, QtCore.Qt.AlignLeft | QtCore.Qt.AlignTop, f"t = {t}")
        value = float(d.h[t])
        chip = QtCore.QRectF(inner.left(), inner.top() + 26, inner.width(), 40)
        p.setPen(QtCore.Qt.NoPen)
        p.setBrush(_colour(value))
        p.drawRoundedRect(chip, 6, 6)
        p.setFont(theme.font(1.35, bold=True))
        p.setPen(QtGui.QColor("#000000" if abs(value) > 0.55 else "#ffffff"))
        p.drawText(chip, QtCore.Qt.AlignCenter, f"a {fixed(value)}")
        rest = QtCore.QRectF(inner.left(), chip.bottom() + 6, inner.width(), 0)
        rest.setBottom(inner.bottom())
        p.setPen(QtGui.QColor(theme.FOREGROUND))
        p.setFont(theme.font(1.1))
        p.drawText(
            rest, QtCore.Qt.AlignHCenter | QtCore.Qt.AlignTop, self._gate_text(p, d, t, rest)
        )

    @staticmethod
    def _gate_text(p: QtGui.QPainter, d: Unrolled, t: int, rest: QtCore.QRectF) -> str:
        """The gates one per line, two per line when short of height, in the largest font
        (of four) that fits; the painter keeps that font."""
        lines = [f"{k} {fixed(v[t])}" for k, v in d.gates.items()]
        for scale in (1.1, 0.95, 0.85, 0.75):
            p.setFont(theme.font(scale))
            fm = p.fontMetrics()
            for n in (1, 2):
                rows = ["  ".join(lines[i : i + n]) for i in range(0, len(lines), n)]
                tall = len(rows) * fm.height() <= rest.height()
                if tall and max((fm.horizontalAdvance(r) for r in rows), default=0) <= rest.width():
                    return "\n".join(rows)
        return "\n".join(lines)  # clipped at the box: a very small dock

    def _paint_caption(self, p: QtGui.QPainter, d: Unrolled) -> None:
        """Which unit the boxes follow, and which way the layer reads."""
        way = "backward (reads right to left)" if d.direction else "forward"
        passed = "out: every step" if d.every_step else "out: final state"
        p.setFont(theme.font(1.0, bold=True))
        p.setPen(QtGui.QColor(theme.FOREGROUND))
        box = QtCore.QRectF(4, 0, self.width() - 8, CAPTION_H)
        text = f"unit {d.unit}  \u00b7  {way}  \u00b7  {passed}"
        text = p.fontMetrics().elidedText(text, QtCore.Qt.ElideRight, int(box.width()))
        p.drawText(box, QtCore.Qt.AlignLeft | QtCore.Qt.AlignVCenter, text)

    def _paint_input(self, p: QtGui.QPainter, d: Unrolled, t: int, box: QtCore.QRectF) -> None:
        x = d.x[:, t]
        cx = box.center().x()
        _arrow(
            p, QtCore.QPointF(cx, box.bottom() + IN_H - 26), QtCore.QPointF(cx, box.bottom() + 2)
        )
        p.setFont(theme.font(1.0))
        p.setPen(QtGui.QColor(theme.FOREGROUND))
        label = QtCore.QRectF(
            box.left() - ARROW / 2, box.bottom() + IN_H - 24, box.width() + ARROW, 22
        )
        if x.size <= 3:
            values = ", ".join(fixed(v) for v in x)
            text = f"x<{t}> = {values}" if x.size == 1 else f"x<{t}> = ({values})"
        else:
            text = f"x<{t}>: {x.size} values"
        p.drawText(label, QtCore.Qt.AlignCenter, text)

    def _paint_output(self, p: QtGui.QPainter, t: int, box: QtCore.QRectF) -> None:
        cx, top = box.center().x(), CAPTION_H + 2
        _arrow(p, QtCore.QPointF(cx, box.top() - 2), QtCore.QPointF(cx, top))
        p.setFont(theme.font(0.9))
        p.setPen(QtGui.QColor(theme.MUTED))
        where = QtCore.QRectF(cx + 6, top, box.width() / 2, box.top() - top)
        p.drawText(where, QtCore.Qt.AlignLeft | QtCore.Qt.AlignVCenter, "out")

    def _paint_link(self, p, a: QtCore.QRectF, b: QtCore.QRectF, backward: int) -> None:
        y = a.center().y()
        start, end = QtCore.QPointF(a.right() + 2, y), QtCore.QPointF(b.left() - 2, y)
        _arrow(p, end, start) if backward else _arrow(p, start, end)

    def _paint_ends(self, p: QtGui.QPainter, d: Unrolled, steps: int) -> None:
        """The initial state 0 going in, or "…" where the sequence goes on."""
        first, last = self._boxes[0], self._boxes[-1]
        p.setPen(QtGui.QColor(theme.MUTED))
        for t, box, outer in ((first[0], first[1], -1), (last[0], last[1], 1)):
            y = box.center().y()
            edge = box.left() - 2 if outer < 0 else box.right() + 2
            far = QtCore.QPointF(edge + outer * (ARROW - 6), y)
            start = (t == 0 and not d.direction) or (t == steps - 1 and d.direction)
            reads_in = (outer < 0) != bool(d.direction)  # the state enters on this side
            if start and reads_in:
                _arrow(p, far, QtCore.QPointF(edge, y))
                p.setPen(QtGui.QColor(theme.MUTED))
                p.setFont(theme.font(1.0, bold=True))
                mid = edge + outer * ARROW / 2
                p.drawText(QtCore.QRectF(mid - 14, y - 30, 28, 20), QtCore.Qt.AlignCenter, "0")
            elif (outer < 0 and t > 0) or (outer > 0 and t < steps - 1):
                p.setPen(QtCore.Qt.NoPen)  # "…": the sequence goes on past the window
                p.setBrush(QtGui.QColor(theme.MUTED))
                mid = box.left() / 2 if outer < 0 else (box.right() + self.width()) / 2
                for k in (-1, 0, 1):
                    p.drawEllipse(QtCore.QPointF(mid + 7 * k, y), 2.5, 2.5)

    # --- interaction --------------------------------------------------------------------
    def mousePressEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802 (Qt name)
        for t, box in self._boxes:
            if box.contains(event.position()) and event.button() == QtCore.Qt.LeftButton:
                self.step_clicked.emit(t)
                return


def _arrow(p: QtGui.QPainter, a: QtCore.QPointF, b: QtCore.QPointF) -> None:
    """A line from ``a`` to ``b`` with a head at ``b``."""
    colour = QtGui.QColor("#c4cad6")
    p.setPen(QtGui.QPen(colour, 2.0))
    p.drawLine(a, b)
    v = b - a
    n = max((v.x() ** 2 + v.y() ** 2) ** 0.5, 1e-6)
    u = QtCore.QPointF(v.x() / n, v.y() / n)
    side = QtCore.QPointF(-u.y(), u.x())
    head = [b, b - u * 9 + side * 5, b - u * 9 - side * 5]
    p.setBrush(colour)
    p.setPen(QtCore.Qt.NoPen)
    p.drawPolygon(QtGui.QPolygonF(head))
