"""Switch theme or text size live: every existing widget and plot re-reads its look.

New widgets take the new look when they are made; existing ones keep whatever font and
style sheet they were given. ``refresh`` walks them once: fonts given with
``theme.set_font`` and style sheets given with ``theme.style`` are re-applied, icons given
with ``icons.set_icon`` are re-tinted, and every pyqtgraph view gets the new background,
axis colours and text sizes. Views that paint their own pictures redraw on
``theme.changes().changed`` (``Redraw`` marks every view dirty then).
"""

from __future__ import annotations

import gc
import re

import pyqtgraph as pg
from PySide6 import QtGui, QtWidgets

from visualnn.ui import icons, theme


def apply(
    app: QtWidgets.QApplication,
    name: str | None = None,
    points: float | None = None,
    floor: float | None = None,
) -> None:
    """Apply theme ``name``, base text size ``points`` and smallest text ``floor`` (points)
    to the application and every widget in it; None keeps the current one."""
    old_points = theme.switch(app, name, points, floor)
    refresh(app, old_points)
    theme.changes().changed.emit()


def refresh(app: QtWidgets.QApplication, old_points: float) -> None:
    """Re-apply fonts, style sheets, icons and plot styles of every live widget;
    ``old_points`` is the base text size they were made with."""
    # Wrapping hundreds of widgets allocates Python objects, which can start the cyclic GC;
    # a widget only Python held would then be deleted while Qt's list still names it (a
    # crash on the next one). No collection until the walk is done.
    enabled = gc.isenabled()
    gc.disable()
    try:
        _refresh(app, old_points)
    finally:
        if enabled:
            gc.enable()


def _refresh(app: QtWidgets.QApplication, old_points: float) -> None:
    for widget in app.allWidgets():
        spec = widget.property(theme._FONT_PROP)
        if spec:
            theme.set_font(widget, float(spec[0]), bool(spec[1]))
        template = widget.property(theme._STYLE_PROP)
        if template:
            widget.setStyleSheet(theme.fill(template))
        icons.refresh(widget)
        if isinstance(widget, pg.GraphicsView):
            _restyle_plots(widget, old_points)
        if widget.isWindow():
            for action in widget.findChildren(QtGui.QAction):
                icons.refresh(action)


def _restyle_plots(view: pg.GraphicsView, old_points: float) -> None:
    view.setBackground(theme.BACKGROUND)
    scene = view.scene()
    if scene is None:
        return
    for item in scene.items():
        if isinstance(item, pg.AxisItem):
            theme.style_axis(item)
        elif isinstance(item, pg.LabelItem):
            _restyle_label(item, old_points)


def _restyle_label(label: pg.LabelItem, old_points: float) -> None:
    scale = getattr(label, "vnn_scale", None)
    if scale is None:
        match = re.match(r"([\d.]+)pt", str(label.opts.get("size") or ""))
        points = float(match.group(1)) if match else theme.point_size()
        scale = points / max(old_points, 1.0)
        label.vnn_scale = scale
    label.setText(label.text, color=theme.FOREGROUND, size=f"{theme.point_size(scale):.1f}pt")
