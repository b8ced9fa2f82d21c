"""Little pictures inside block nodes: what each layer type does, drawn in a few strokes.

``paint(painter, layer_type, rect, shape, settings)`` picks a drawing from ``ART`` (a dict,
one function per kind) and fits it into ``rect``. Pictures only suggest the idea (a stack of
feature maps, a curve, a long vector); the numbers are in the node's text.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6 import QtCore, QtGui

from visualnn.ui import theme


def _line() -> str:
    return theme.ART_LINE


def _fill() -> QtGui.QColor:
    return QtGui.QColor(theme.ART_FILL)


def _pen(color: str | None = None, width: float = 2.0) -> QtGui.QPen:
    return QtGui.QPen(QtGui.QColor(color or theme.ART_LINE), width)


def _maps(p: QtGui.QPainter, r: QtCore.QRectF, shape, settings, images=None) -> None:
    """A stack of feature-map squares, the real maps of the current sample when given."""
    channels = shape[0] if shape and len(shape) == 3 else 1
    n = len(images) if images else max(1, min(int(channels), 5))
    step = 9.0
    side = min(r.height() - 6 - step * (n - 1), r.width() - 30 - step * (n - 1), 84.0)
    x0 = r.center().x() - (side + step * (n - 1)) / 2
    y0 = r.center().y() - (side + step * (n - 1)) / 2
    for i in reversed(range(n)):  # back to front: map 0 ends up in front, bottom-left
        sq = QtCore.QRectF(x0 + step * i, y0 + step * (n - 1 - i), side, side)
        p.setBrush(_fill())
        p.setPen(QtCore.Qt.NoPen)
        p.drawRect(sq)
        if images:
            p.drawImage(sq, images[i])  # nearest-neighbour: pixels stay pixels
        p.setPen(_pen(theme.ACCENT if i == 0 else _line(), 2.0 if i == 0 else 1.5))
        p.setBrush(QtCore.Qt.NoBrush)
        p.drawRect(sq)
    if images:
        return
    front = QtCore.QRectF(x0, y0 + step * (n - 1), side, side)
    p.setPen(_pen(theme.ART_GRID, 1.0))
    for k in (1, 2, 3):  # a faint grid: "these are images"
        x = front.left() + front.width() * k / 4
        y = front.top() + front.height() * k / 4
        p.drawLine(QtCore.QPointF(x, front.top()), QtCore.QPointF(x, front.bottom()))
        p.drawLine(QtCore.QPointF(front.left(), y), QtCore.QPointF(front.right(), y))


def _pool(p: QtGui.QPainter, r: QtCore.QRectF, shape, settings, images=None) -> None:
    """A 4x4 map shrinking to a 2x2 map, one window highlighted."""
    big, small = min(64.0, r.height() - 10), min(34.0, r.height() / 2)
    a = QtCore.QRectF(r.center().x() - big - 10, r.center().y() - big / 2, big, big)
    b = QtCore.QRectF(r.center().x() + 22, r.center().y() - small / 2, small, small)
    for rect, n in ((a, 4), (b, 2)):
        p.setPen(_pen(_line(), 1.5))
        p.setBrush(_fill())
        p.drawRect(rect)
        for k in range(1, n):
            x = rect.left() + rect.width() * k / n
            y = rect.top() + rect.height() * k / n
            p.drawLine(QtCore.QPointF(x, rect.top()), QtCore.QPointF(x, rect.bottom()))
            p.drawLine(QtCore.QPointF(rect.left(), y), QtCore.QPointF(rect.right(), y))
    p.setBrush(QtGui.QColor(theme.ACCENT))
    p.setPen(QtCore.Qt.NoPen)
    p.drawRect(QtCore.QRectF(a.left(), a.top(), big / 2, big / 2).adjusted(2, 2, -2, -2))
    p.drawRect(QtCore.QRectF(b.left(), b.top(), small / 2, small / 2).adjusted(2, 2, -2, -2))
    _arrow(
        p,
        QtCore.QPointF(a.right() + 4, r.center().y()),
        QtCore.QPointF(b.left() - 4, r.center().y()),
    )


def _vector(p: QtGui.QPainter, r: QtCore.QRectF, shape, settings, images=None) -> None:
    """A tall bar of unit cells: a long vector."""
    h = r.height() - 6
    bar = QtCore.QRectF(r.center().x() - 14, r.center().y() - h / 2, 28, h)
    p.setPen(_pen(_line(), 1.5))
    p.setBrush(_fill())
    p.drawRoundedRect(bar, 6, 6)
    p.setPen(_pen(theme.ART_GRID, 1.0))
    cells = 10
    for k in range(1, cells):
        y = bar.top() + bar.height() * k / cells
        p.drawLine(QtCore.QPointF(bar.left() + 3, y), QtCore.QPointF(bar.right() - 3, y))


def _flatten(p: QtGui.QPainter, r: QtCore.QRectF, shape, settings, images=None) -> None:
    left = QtCore.QRectF(r.left(), r.top(), r.width() / 2, r.height())
    _maps(p, left.adjusted(10, 8, 10, -8), (3, 1, 1), settings)
    _vector(
        p,
        QtCore.QRectF(r.center().x() + 20, r.top(), r.width() / 2 - 20, r.height()),
        shape,
        settings,
    )


def _signal(p: QtGui.QPainter, r: QtCore.QRectF, shape, settings, images=None) -> None:
    """Stacked wiggles: channels of a 1-D signal."""
    n = max(1, min(int(shape[0]) if shape else 1, 4))
    for i in range(n):
        y0 = r.top() + r.height() * (i + 0.5) / n
        path = QtGui.QPainterPath(QtCore.QPointF(r.left() + 6, y0))
        for s in range(1, 41):
            x = r.left() + 6 + (r.width() - 12) * s / 40
            y = y0 - 0.35 * r.height() / n * math.sin(s * 0.6 + i) * math.cos(s * 0.13)
            path.lineTo(x, y)
        p.setPen(_pen(theme.ACCENT if i == 0 else _line(), 2.0))
        p.setBrush(QtCore.Qt.NoBrush)
        p.drawPath(path)


_CURVES = {
    "relu": lambda x: max(0.0, x),
    "leaky_relu": lambda x: x if x > 0 else 0.15 * x,
    "sigmoid": lambda x: 2 / (1 + math.exp(-2 * x)) - 1,
    "tanh": lambda x: math.tanh(1.5 * x),
    "identity": lambda x: x,
}


def _curve(p: QtGui.QPainter, r: QtCore.QRectF, shape, settings, kind: str) -> None:
    """The activation function's graph on small axes, for -1..1."""
    side = min(r.width(), r.height()) - 6
    box = QtCore.QRectF(r.center().x() - side / 2, r.center().y() - side / 2, side, side)
    p.setPen(_pen(theme.ART_GRID, 1.0))
    p.drawLine(
        QtCore.QPointF(box.left(), box.center().y()), QtCore.QPointF(box.right(), box.center().y())
    )
    p.drawLine(
        QtCore.QPointF(box.center().x(), box.top()), QtCore.QPointF(box.center().x(), box.bottom())
    )
    f = _CURVES[kind]
    path = QtGui.QPainterPath()
    for s in range(41):
        x = -1 + 2 * s / 40
        y = max(-1.0, min(1.0, f(x)))
        pt = QtCore.QPointF(box.center().x() + x * side / 2, box.center().y() - y * side / 2)
        path.moveTo(pt) if s == 0 else path.lineTo(pt)
    p.setPen(_pen(theme.POSITIVE, 3.0))
    p.setBrush(QtCore.Qt.NoBrush)
    p.drawPath(path)


def _softmax(p: QtGui.QPainter, r: QtCore.QRectF, shape, settings, images=None) -> None:
    """Bars that sum to one, the tallest highlighted."""
    heights = [0.15, 0.6, 0.1, 0.25, 0.05]
    w = min(16.0, r.width() / 8)
    x0 = r.center().x() - len(heights) * (w + 6) / 2
    for i, h in enumerate(heights):
        bar = QtCore.QRectF(x0 + i * (w + 6), r.bottom() - h * r.height(), w, h * r.height())
        p.setPen(QtCore.Qt.NoPen)
        p.setBrush(QtGui.QColor(theme.POSITIVE if h == max(heights) else theme.ART_GRID))
        p.drawRect(bar)


def _dropout(p: QtGui.QPainter, r: QtCore.QRectF, shape, settings, images=None) -> None:
    """A column of units, some crossed out."""
    n = 5
    for k in range(n):
        c = QtCore.QPointF(r.center().x(), r.top() + r.height() * (k + 0.5) / n)
        rad = min(10.0, r.height() / (2.5 * n))
        off = k in (1, 3)
        p.setPen(_pen(theme.ART_GRID if off else _line(), 1.5))
        p.setBrush(QtCore.Qt.NoBrush if off else _fill())
        p.drawEllipse(c, rad, rad)
        if off:
            p.setPen(_pen(theme.ERROR, 2.0))
            p.drawLine(c + QtCore.QPointF(-rad, -rad), c + QtCore.QPointF(rad, rad))


def _arrow(p: QtGui.QPainter, a: QtCore.QPointF, b: QtCore.QPointF) -> None:
    p.setPen(_pen(_line(), 2.0))
    p.drawLine(a, b)
    p.setBrush(QtGui.QColor(_line()))
    p.drawPolygon(QtGui.QPolygonF([b, b + QtCore.QPointF(-8, -5), b + QtCore.QPointF(-8, 5)]))


def _input(p: QtGui.QPainter, r: QtCore.QRectF, shape, settings, images=None) -> None:
    if shape and len(shape) == 3:
        _maps(p, r, shape, settings, images)
    elif shape and len(shape) == 2:
        _signal(p, r, shape, settings)
    else:
        _vector(p, r, shape, settings)


ART = {
    "input": _input,
    "conv2d": _maps,
    "conv1d": _signal,
    "maxpool2d": _pool,
    "avgpool2d": _pool,
    "flatten": _flatten,
    "dense": _vector,
    "dropout": _dropout,
    "softmax": _softmax,
    **{k: (lambda p, r, s, st, im=None, _k=k: _curve(p, r, s, st, _k)) for k in _CURVES},
}


def paint(
    painter: QtGui.QPainter, layer_type: str, rect: QtCore.QRectF, shape, settings, images=None
) -> None:
    """Draw the picture of ``layer_type`` inside ``rect`` (nothing for unknown types).

    ``images`` are ``QImage`` feature maps of the current sample (conv layers and image
    inputs), drawn into the stack instead of blank squares.
    """
    fn = ART.get(layer_type)
    if fn is None:
        return
    painter.save()
    try:
        fn(painter, rect, shape, settings, images)
    finally:
        painter.restore()


# --- live values for the cards (the scene fills neurons and map stacks with these) ---------
def unit_values(out: np.ndarray | None, count: int) -> tuple[list[float | None], float]:
    """Per-unit values of a recorded output (1-D) and the scale to colour them by."""
    if out is None or out.ndim != 1 or out.shape[0] != count:
        return [None] * count, 1.0
    vmax = float(np.max(np.abs(out))) if out.size else 1.0
    return [float(v) for v in out], vmax if vmax > 1e-9 else 1.0


_LUT: np.ndarray | None = None


def maps_to_images(
    maps: np.ndarray | None, count: int = 4, flip: bool = False
) -> list[QtGui.QImage]:
    """First ``count`` channels of ``maps`` (C, H, W) as colour-mapped ``QImage`` s.

    One scale for all shown channels (0 or the minimum .. the maximum), so brighter means
    more active across the stack, as in the activations view. ``flip`` draws row 0 at the
    bottom: a spectrogram's low pitches go there, as on the Microphone dock.
    """
    global _LUT
    if maps is None or maps.ndim != 3 or maps.size == 0:
        return []
    if _LUT is None:
        _LUT = theme.colormap(theme.SEQUENTIAL_CMAP).getLookupTable(0.0, 1.0, 256, alpha=False)
    shown = np.asarray(maps[:count], dtype=np.float32)
    if flip:
        shown = shown[:, ::-1]
    lo, hi = min(0.0, float(shown.min())), float(shown.max())
    idx = np.clip((shown - lo) / (hi - lo if hi > lo else 1.0) * 255, 0, 255).astype(np.uint8)
    images = []
    for ch in idx:
        rgb = np.ascontiguousarray(_LUT[ch].astype(np.uint8))
        h, w = ch.shape
        img = QtGui.QImage(rgb.data, w, h, 3 * w, QtGui.QImage.Format_RGB888)
        images.append(img.copy())  # own the pixels: ``rgb`` dies with this frame
    return images
