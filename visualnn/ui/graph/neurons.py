"""Neuron circles of the layer graph and the colours of values (links share them).

A neuron only draws and forwards its click to its ``GraphScene``; the scene turns it into a
selection.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from visualnn.ui import theme
from visualnn.ui.views.boundary_colours import signed_rgb

NEURON_RADIUS = 15.0


_FILLS: dict[bytes, QtGui.QColor] = {}


def neuron_fills(values: list[float | None], vmax: float) -> list[QtGui.QColor]:
    """One layer's opaque fills over its card, on the scale ``vmax``: the neuron maps'
    colours (``signed_rgb``, one lookup for the layer); None is the card's own colour."""
    v = np.array([np.nan if x is None else x for x in values], dtype=np.float32)
    fills = []
    for rgb in signed_rgb(v, theme.PANEL, peak=vmax):
        key = rgb.tobytes()  # 513 colours per theme: cached, not made each frame
        fill = _FILLS.get(key)
        if fill is None:
            fill = _FILLS[key] = QtGui.QColor(*(int(c) for c in rgb))
        fills.append(fill)
    return fills


def opaque_over(color: QtGui.QColor, background: str) -> QtGui.QColor:
    """``color`` (translucent) as it looks over ``background``, as an opaque colour.

    Where only that background lies underneath, painting this looks the same and is much
    cheaper: Qt's raster engine blends translucent antialiased shapes pixel by pixel.
    """
    a = color.alphaF()
    bg = QtGui.QColor(background)
    return QtGui.QColor(
        *(round(b + (f - b) * a) for f, b in zip(color.getRgb()[:3], bg.getRgb()[:3], strict=True))
    )


class NeuronItem(QtWidgets.QGraphicsEllipseItem):
    """One unit of a small dense layer (or input feature); click selects ``(layer, (j,))``."""

    def __init__(
        self,
        layer: int | None,
        unit: int,
        parent: QtWidgets.QGraphicsItem,
        radius: float = NEURON_RADIUS,
    ):
        r = radius
        super().__init__(-r, -r, 2 * r, 2 * r, parent)
        self.layer, self.unit, self.radius = layer, unit, radius
        self.setBrush(QtGui.QColor(theme.PANEL))
        self.setPen(QtGui.QPen(QtGui.QColor(theme.MUTED), 1.6))
        self.setAcceptHoverEvents(True)
        self.setCursor(QtCore.Qt.PointingHandCursor)
        self.value: float | None = None
        #: The unit's output over the input plane (2-D point data; see ``plane_maps``) and
        #: where the selected sample lies on it, ``(fx, fy)`` in 0..1; None: a plain circle.
        self.map: QtGui.QImage | None = None
        self.marker: tuple[float, float] | None = None
        self.map_about: str | None = None  # what the map's colours are, if not the usual
        self.selected = False
        self.setToolTip(self._tip())

    def set_radius(self, r: float) -> None:
        self.radius = r
        self.setRect(-r, -r, 2 * r, 2 * r)

    def _tip(self) -> str:
        name = "input" if self.layer is None else f"layer {self.layer + 1}"
        tip = f"{name}, unit {self.unit}"  # from 0, as Neuron math and x₀, x₁ count
        if self.value is not None:
            tip += f"\nactivation {self.value:+.3f} (the ringed sample)"
        if self.map is not None:
            about = self.map_about or "its output (warm +, cool \u2212)"
            tip += (
                f"\nthe square: {about} over the whole input plane;"
                "\nthe Decision boundary shows it large while the pointer is here"
            )
        return tip

    def set_value(self, value: float | None, fill: QtGui.QColor) -> None:
        """The current sample's activation (None: none) and its colour (``neuron_fills``)."""
        self.value = None if value is None else float(value)
        if fill != self.brush().color():  # an unchanged brush would still repaint the item
            self.setBrush(fill)
        self.setToolTip(self._tip())

    def set_map(
        self,
        image: QtGui.QImage | None,
        marker: tuple[float, float] | None = None,
        about: str | None = None,
    ) -> None:
        """Draw the neuron as ``image`` (its output over the plane) with the selected sample
        at ``marker``; ``None``: the plain circle filled by the sample's value. ``about``
        says what the colours are when not the usual signed output (a class probability)."""
        if image is None and self.map is None:
            return
        # the tooltip says which: rebuilt only when that changes, not every frame
        kind_changed = (image is None) != (self.map is None) or about != self.map_about
        self.map, self.marker, self.map_about = image, marker, about
        if kind_changed:
            self.setToolTip(self._tip())
        self.update()

    def paint(self, painter: QtGui.QPainter, option, widget=None) -> None:
        if self.map is None:
            super().paint(painter, option, widget)
            return
        r = self.radius
        square = QtCore.QRectF(-r, -r, 2 * r, 2 * r)
        painter.save()
        # A square picture, not clipped to rounded corners: a clip path per neuron cost more
        # than the picture (a 2-16-16-16-16-2 network: 66 maps a frame).
        painter.setRenderHint(QtGui.QPainter.SmoothPixmapTransform)
        painter.drawImage(square, self.map)
        if self.marker is not None:  # the selected sample, ringed as on the boundary
            fx, fy = self.marker
            if 0 <= fx <= 1 and 0 <= fy <= 1:
                c = QtCore.QPointF(-r + 2 * r * fx, r - 2 * r * fy)
                painter.setBrush(QtCore.Qt.NoBrush)
                painter.setPen(QtGui.QPen(QtGui.QColor("#000000"), 3.2))
                painter.drawEllipse(c, r * 0.2, r * 0.2)
                painter.setPen(QtGui.QPen(QtGui.QColor("#ffffff"), 1.6))
                painter.drawEllipse(c, r * 0.2, r * 0.2)
        painter.setBrush(QtCore.Qt.NoBrush)
        painter.setPen(QtGui.QPen(QtGui.QColor(theme.MUTED), 1.6))
        painter.drawRect(square)
        if self.selected:  # outside the picture: the map's own colours must not hide it
            painter.setPen(QtGui.QPen(QtGui.QColor(theme.ACCENT), 6.0))
            painter.drawRect(square.adjusted(-5, -5, 5, 5))
        painter.restore()

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802 - Qt's name
        # room for the selection ring drawn around a map
        return super().boundingRect().adjusted(-9, -9, 9, 9)

    def set_selected(self, on: bool) -> None:
        self.selected = on
        color = theme.ACCENT if on else theme.MUTED
        self.setPen(QtGui.QPen(QtGui.QColor(color), 4.0 if on else 1.6))

    def hoverEnterEvent(self, event):  # noqa: N802 - Qt's name
        if self.map is not None and self.scene() is not None:
            self.scene().unit_pointed(self.layer, self.unit)
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event):  # noqa: N802 - Qt's name
        if self.scene() is not None:
            self.scene().unit_pointed(None, None)
        super().hoverLeaveEvent(event)

    def mousePressEvent(self, event):  # noqa: N802 - Qt's name
        if event.button() == QtCore.Qt.LeftButton and self.scene() is not None:
            self.scene().unit_clicked(self.layer, self.unit)
            event.accept()
            return
        super().mousePressEvent(event)
