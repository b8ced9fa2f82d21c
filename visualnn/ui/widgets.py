"""Small Qt helpers that panels and views both use (neither owns them).

A panel may hold a whole view widget, but never reaches into a view's helpers; what both
need lives here.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets


def qimage(rgba: np.ndarray) -> QtGui.QImage:
    """An owning QImage copy of an ``(H, W, 4)`` uint8 array."""
    rgba = np.ascontiguousarray(rgba)
    h, w = rgba.shape[:2]
    return QtGui.QImage(rgba.data, w, h, 4 * w, QtGui.QImage.Format_RGBA8888).copy()


def set_direction_soon(
    owner: QtWidgets.QWidget,
    box: QtWidgets.QBoxLayout,
    direction: QtWidgets.QBoxLayout.Direction,
    then=None,
) -> None:
    """Switch ``box`` to ``direction`` after the current event, only if it changes.

    Called from ``resizeEvent``: re-laying out a pyqtgraph view inside its own resize crashes
    Qt's painter (``QPainter::restore``) later, so the switch waits for the event loop.
    """
    if box.direction() == direction:
        return

    def apply() -> None:
        box.setDirection(direction)
        if then is not None:
            then()

    QtCore.QTimer.singleShot(0, owner, apply)
