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


def is_wide(size: QtCore.QSize) -> bool:
    """Whether a widget of ``size`` is clearly wider than tall (by more than 10 %)."""
    return size.width() > 1.1 * size.height()


def set_side_by_side_soon(
    owner: QtWidgets.QWidget, box: QtWidgets.QBoxLayout, side_by_side: bool, then=None
) -> None:
    """Lay ``box`` out left to right (or top to bottom) after the current event, only if
    that changes; ``then()`` runs after the switch.

    Called from ``resizeEvent``: re-laying out a pyqtgraph view inside its own resize crashes
    Qt's painter (``QPainter::restore``) later, so the switch waits for the event loop.
    """
    direction = (
        QtWidgets.QBoxLayout.LeftToRight if side_by_side else QtWidgets.QBoxLayout.TopToBottom
    )
    if box.direction() == direction:
        return

    def apply() -> None:
        box.setDirection(direction)
        if then is not None:
            then()

    QtCore.QTimer.singleShot(0, owner, apply)


def vertical_scroll(column: QtWidgets.QLayout, top_aligned: bool = False) -> QtWidgets.QScrollArea:
    """``column`` in a frameless area that scrolls up and down but never sideways, so the
    text in it wraps to the visible width.

    ``top_aligned`` puts a stretch below ``column``: its rows stay at the top when they do not
    fill the area, and rows added to ``column`` later still go above the stretch.
    """
    inner = QtWidgets.QWidget()
    if top_aligned:
        box = QtWidgets.QVBoxLayout(inner)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(column)
        box.addStretch(1)
    else:
        inner.setLayout(column)
        column.setContentsMargins(0, 0, 0, 0)
    scroll = QtWidgets.QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarAlwaysOff)
    scroll.setFrameShape(QtWidgets.QFrame.NoFrame)
    scroll.setWidget(inner)
    return scroll


def fixed_plot(plot, square: bool = False) -> None:
    """Make a ``pg.PlotItem`` one to look at, not to explore: no pan or zoom by mouse, no
    auto-range button, no context menu; ``square`` keeps one scale on both axes."""
    plot.setMouseEnabled(False, False)
    plot.hideButtons()
    plot.setMenuEnabled(False)
    if square:
        plot.setAspectLocked(True)
