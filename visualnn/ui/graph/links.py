"""All connections between two neuron columns as one graphics item, coloured by weight.

A dense layer of 16 x 16 units has 256 connections. As separate ``QGraphicsLineItem`` s each
recolour is hundreds of Python calls, and each repaint hundreds of translucent antialiased
strokes with round caps (the slow path of Qt's raster engine: ~10 ms a frame for the 96
links of the circle preset, all of it holding up the training thread). ``LinkBundle``
computes every colour and width in one NumPy pass, quantised so that frames whose weights
barely moved repaint nothing, and paints one ``drawLines`` call per colour step with flat
ends and opaque colours pre-mixed over the scene background. That looks the same (links
run over the background, their ends hidden under the cards) and rasterises ~8x faster.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from visualnn.ui import theme
from visualnn.ui.graph.neurons import opaque_over

#: Colour / width steps between "no weight" and "largest weight of the layer": 1/63 of the
#: range is below what the eye separates (alpha steps of ~4 out of 255, widths of 0.08 px).
LEVELS = 64
ALPHA_FLOOR = 30  # weakest links stay faintly visible
MIN_WIDTH, WIDTH_RANGE = 0.6, 5.0  # scene units: a zero weight is a hairline, the largest 5.6

_PENS: dict[tuple[bool, int], QtGui.QPen] = {}


def link_levels(values: np.ndarray, wmax: float) -> np.ndarray:
    """Quantised strength of each link: ``round(|w| / wmax * (LEVELS - 1))``, shape ``(n,)``."""
    v = np.abs(np.asarray(values, dtype=np.float64))
    t = np.minimum(v / wmax, 1.0) if wmax > 0 else np.zeros_like(v)
    return np.rint(t * (LEVELS - 1)).astype(np.int16)


def _pen(positive: bool, level: int) -> QtGui.QPen:
    """The opaque pen of one colour step: the translucent colour mixed over the background."""
    key = (positive, level, theme.POSITIVE, theme.NEGATIVE, theme.BACKGROUND)  # per theme
    pen = _PENS.get(key)
    if pen is None:
        t = level / (LEVELS - 1)
        color = QtGui.QColor(theme.POSITIVE if positive else theme.NEGATIVE)
        color.setAlpha(int(ALPHA_FLOOR + (255 - ALPHA_FLOOR) * t))
        pen = QtGui.QPen(opaque_over(color, theme.BACKGROUND), MIN_WIDTH + WIDTH_RANGE * t)
        # Flat ends: both lie under the cards (links are drawn below them), and round caps
        # make Qt stroke a curved outline per line, five times the rasterising work.
        pen.setCapStyle(QtCore.Qt.FlatCap)
        _PENS[key] = pen
    return pen


class LinkBundle(QtWidgets.QGraphicsItem):
    """Links ``k -> j`` from ``starts[i]`` to ``ends[i]`` for weight-matrix entries
    ``(rows[i], cols[i])``; below the cards, ignores the mouse.

    Parameters
    ----------
    starts, ends : ndarray, shape (n, 2)
        Scene points where each link leaves its source neuron and reaches its target.
    rows, cols : ndarray, shape (n,)
        ``j`` (output unit) and ``k`` (input unit) of each link.
    """

    def __init__(self, starts, ends, rows, cols) -> None:
        super().__init__()
        self.starts = np.asarray(starts, dtype=np.float64).reshape(-1, 2)
        self.ends = np.asarray(ends, dtype=np.float64).reshape(-1, 2)
        starts, ends = self.starts.tolist(), self.ends.tolist()
        self.rows = np.asarray(rows, dtype=np.intp)
        self.cols = np.asarray(cols, dtype=np.intp)
        self._lines = [QtCore.QLineF(*a, *b) for a, b in zip(starts, ends, strict=True)]
        self.setZValue(-10)
        self.setAcceptedMouseButtons(QtCore.Qt.NoButton)
        pts = np.concatenate([self.starts, self.ends]) if len(self) else np.zeros((1, 2))
        (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
        pad = (MIN_WIDTH + WIDTH_RANGE) / 2 + 1
        self._rect = QtCore.QRectF(x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad)
        self.values: np.ndarray | None = None  # the weights last shown, (n,)
        self._codes: np.ndarray | None = None  # 2 * level + positive, per link, as painted
        self._groups: list[tuple[QtGui.QPen, list[QtCore.QLineF]]] = [
            (QtGui.QPen(QtGui.QColor(theme.MUTED), 1.0), self._lines)
        ]

    def __len__(self) -> int:
        return len(self._lines)

    def set_weights(self, w: np.ndarray) -> bool:
        """Colour by weight matrix ``w`` (out, in), scaled by its largest magnitude; returns
        whether anything visible changed (nothing is repainted otherwise)."""
        w = np.asarray(w)
        values = w[self.rows, self.cols]
        wmax = float(np.max(np.abs(w))) if w.size else 0.0
        self.values = values
        codes = 2 * link_levels(values, wmax or 1.0) + (values >= 0)
        if self._codes is not None and np.array_equal(codes, self._codes):
            return False
        self._codes = codes
        # by level, weak links first: the strong ones, the point of the picture, end on top
        order = np.argsort(codes, kind="stable")
        ordered = codes[order]
        starts = [0, *(np.flatnonzero(np.diff(ordered)) + 1).tolist()]
        ends = [*starts[1:], len(order)]
        lines = [self._lines[i] for i in order.tolist()]
        self._groups = [
            (_pen(bool(ordered[a] % 2), int(ordered[a] // 2)), lines[a:b])
            for a, b in zip(starts, ends, strict=True)
        ]
        self.update()
        return True

    def colors(self) -> list[str]:
        """``#AARRGGBB`` of every link as painted (tests, screenshots)."""
        if self._codes is None:
            return [self._groups[0][0].color().name(QtGui.QColor.HexArgb)] * len(self)
        return [
            _pen(bool(c % 2), int(c // 2)).color().name(QtGui.QColor.HexArgb)
            for c in self._codes.tolist()
        ]

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802 - Qt's name
        return self._rect

    def paint(self, painter: QtGui.QPainter, option, widget=None) -> None:
        painter.setRenderHint(QtGui.QPainter.Antialiasing)
        for pen, lines in self._groups:
            painter.setPen(pen)
            painter.drawLines(lines)
