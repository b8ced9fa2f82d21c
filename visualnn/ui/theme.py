"""One look for the whole app, switchable live: colours, text size, pyqtgraph options.

The colours of the current theme are module attributes (``theme.FOREGROUND``,
``theme.MUTED``...), read at the moment something is drawn, so views never hard-code their
own. ``restyle.apply`` switches theme and text size while the app runs: :func:`switch`
re-applies the palette and style sheet, ``restyle`` re-reads the fonts and colours of every
existing widget and plot and then emits ``changes().changed``, on which views with their
own painting (the graph, plots, heatmaps) redraw. Widgets register what to re-read:

- ``set_font(widget, scale, bold)`` instead of ``widget.setFont(font(...))``;
- ``style(widget, "color: {MUTED};")`` instead of a style sheet with a colour baked in.
"""

from __future__ import annotations

import re

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from visualnn.ui.themes import ROLES, THEMES, stylesheet
from visualnn.ui.themes import SERIES as _SERIES

#: Base point size of all text; views scale from it (titles x1.25, small labels x0.85).
BASE_POINT_SIZE = 12
#: No text is drawn smaller than this (points); presentation mode raises it so the
#: smallest caption is still read from the back row.
MIN_POINT_SIZE = 0.0
#: The current theme's name (a key of ``themes.THEMES``).
NAME = "dark"
#: Bumped by every :func:`switch`: views that cache drawn things compare it.
GENERATION = 0

# The current colours, one module attribute per role (see themes.ROLES); set by _use().
BACKGROUND = PANEL = FOREGROUND = MUTED = ACCENT = POSITIVE = NEGATIVE = ""
ERROR = WARNING = OK = BUTTON = ALTERNATE = DISABLED = BORDER = ""
ART_LINE = ART_FILL = ART_GRID = ERROR_PANEL = ON_ACCENT = ""
SERIES: list[str] = []

#: Colormaps: sequential for magnitudes (spectrogram, activations), diverging for signed
#: values (weights, gradients) with symmetric levels.
SEQUENTIAL_CMAP = "inferno"
DIVERGING_CMAP = "visualnn-diverging"
SPECTROGRAM_CMAPS = ["inferno", "magma", "viridis", "plasma", "CET-L1"]

_FONT_PROP = "vnn_font"  # (scale, bold) of a widget's font, re-applied on a change
_STYLE_PROP = "vnn_style"  # a style sheet template, re-filled on a change


def _use(name: str) -> None:
    global NAME, SERIES
    NAME = name
    globals().update(THEMES[name])
    SERIES = list(_SERIES[name])


_use("dark")


def colours() -> dict[str, str]:
    """The current theme's colours by role name."""
    return {role: globals()[role] for role in ROLES}


def fill(template: str) -> str:
    """``"color: {MUTED};"`` with the current colours put in (CSS braces are left alone)."""
    c = colours()
    return re.sub(r"\{([A-Z_]+)\}", lambda m: c.get(m.group(1), m.group(0)), template)


# --- fonts --------------------------------------------------------------------------------
def point_size(scale: float = 1.0) -> float:
    """Points of text at ``scale`` times the base size, never below ``MIN_POINT_SIZE``."""
    return max(BASE_POINT_SIZE * scale, MIN_POINT_SIZE)


def font(scale: float = 1.0, bold: bool = False) -> QtGui.QFont:
    """The app font at ``scale`` times the base size."""
    f = QtGui.QFont()
    f.setPointSizeF(point_size(scale))
    f.setBold(bold)
    return f


def floor_px() -> float:
    """Pixel size of the smallest text allowed on screen (0 when there is no floor)."""
    if MIN_POINT_SIZE <= 0:
        return 0.0
    f = QtGui.QFont()
    f.setPointSizeF(MIN_POINT_SIZE)
    return float(QtGui.QFontInfo(f).pixelSize())


def set_font(widget: QtWidgets.QWidget, scale: float = 1.0, bold: bool = False) -> None:
    """Give ``widget`` the app font at ``scale``, and again after every text size change."""
    widget.setProperty(_FONT_PROP, [float(scale), bool(bold)])
    widget.setFont(font(scale, bold))


def style(widget: QtWidgets.QWidget, template: str) -> None:
    """Set a style sheet with theme colours by role (``"color: {MUTED};"``), refilled on
    every theme change."""
    widget.setProperty(_STYLE_PROP, template)
    widget.setStyleSheet(fill(template))


# --- change notification ------------------------------------------------------------------
class Changes(QtCore.QObject):
    """``changed()`` after ``restyle.apply`` switched theme or text size."""

    changed = QtCore.Signal()


_CHANGES: list[Changes] = []


def changes() -> Changes:
    """The app's one change notifier."""
    if not _CHANGES:
        _CHANGES.append(Changes())
    return _CHANGES[0]


# --- plots and colormaps ------------------------------------------------------------------
def _custom(name: str) -> pg.ColorMap:
    # Dark at zero on the dark themes, so the eye goes to large weights of either sign;
    # its ends are the graph's NEGATIVE and POSITIVE colours.
    colors = ["#8fd3ff", NEGATIVE, PANEL, POSITIVE, "#ffe08a"]
    pos = [i / (len(colors) - 1) for i in range(len(colors))]
    return pg.ColorMap(pos, [QtGui.QColor(c) for c in colors], name=name)


def colormap(name: str) -> pg.ColorMap:
    """A pyqtgraph colormap by name, falling back to ``inferno`` if unknown."""
    if name == DIVERGING_CMAP:
        return _custom(name)
    try:
        return pg.colormap.get(name)
    except Exception:  # unknown name or missing resource: never fail a view for a colormap
        return pg.colormap.get("inferno")


def style_axis(axis: pg.AxisItem) -> None:
    """Theme colours and text size on one pyqtgraph axis."""
    axis.setTextPen(FOREGROUND)
    axis.setPen(MUTED)
    axis.setStyle(tickFont=font(0.9))
    axis.label.setFont(font(0.95))
    if axis.labelText:
        axis.setLabel(axis.labelText, units=axis.labelUnits, color=FOREGROUND)


def style_plot(plot: pg.PlotItem, title: str | None = None) -> None:
    """Large axis text and a subtle grid for a pyqtgraph plot."""
    if title:
        plot.setTitle(title, color=FOREGROUND, size=f"{point_size(1.15):.1f}pt")
        plot.titleLabel.vnn_scale = 1.15  # what restyle re-applies
    for name in ("left", "bottom", "right", "top"):
        axis = plot.getAxis(name)
        style_axis(axis)
        # pyqtgraph would relabel a small range as "x2 (x0.001)" with ticks of 500: a riddle
        # for a student, so ticks always show the values themselves.
        axis.enableAutoSIPrefix(False)
    plot.showGrid(x=True, y=True, alpha=0.18)


# --- the application ----------------------------------------------------------------------
def _palette() -> QtGui.QPalette:
    pal, c = QtGui.QPalette(), QtGui.QColor
    for role, colour in (
        (QtGui.QPalette.Window, BACKGROUND),
        (QtGui.QPalette.WindowText, FOREGROUND),
        (QtGui.QPalette.Base, PANEL),
        (QtGui.QPalette.AlternateBase, ALTERNATE),
        (QtGui.QPalette.Text, FOREGROUND),
        (QtGui.QPalette.Button, BUTTON),
        (QtGui.QPalette.ButtonText, FOREGROUND),
        (QtGui.QPalette.Highlight, ACCENT),
        (QtGui.QPalette.HighlightedText, ON_ACCENT),
        (QtGui.QPalette.ToolTipBase, PANEL),
        (QtGui.QPalette.ToolTipText, FOREGROUND),
        (QtGui.QPalette.PlaceholderText, MUTED),
        (QtGui.QPalette.Light, BORDER),
        (QtGui.QPalette.Mid, BORDER),
    ):
        pal.setColor(role, c(colour))
    for role in (QtGui.QPalette.Text, QtGui.QPalette.ButtonText, QtGui.QPalette.WindowText):
        pal.setColor(QtGui.QPalette.Disabled, role, c(DISABLED))
    return pal


def switch(
    app: QtWidgets.QApplication,
    name: str | None = None,
    points: float | None = None,
    floor: float | None = None,
) -> float:
    """Make theme ``name``, base text size ``points`` and smallest text ``floor`` (points)
    current and give the application its palette, font and style sheet; None keeps the
    current one. Returns the base text size before. ``restyle.apply`` calls this, then
    restyles the existing widgets and emits ``changes().changed``."""
    global BASE_POINT_SIZE, MIN_POINT_SIZE, GENERATION
    if name is not None:
        if name not in THEMES:
            raise ValueError(f"unknown theme {name!r}; known: {', '.join(THEMES)}")
        _use(name)
    old_points = BASE_POINT_SIZE
    if points is not None:
        BASE_POINT_SIZE = points
    if floor is not None:
        MIN_POINT_SIZE = float(floor)
    GENERATION += 1
    pg.setConfigOptions(
        antialias=True, background=BACKGROUND, foreground=FOREGROUND, imageAxisOrder="row-major"
    )
    app.setStyle("Fusion")
    app.setFont(font())
    app.setPalette(_palette())
    app.setStyleSheet(stylesheet(colours(), QtGui.QFontInfo(font()).pixelSize()))
    return old_points


def class_colours(n: int, names=()) -> list[QtGui.QColor]:
    """One colour per class: classes named after a colour ("orange", "blue", as in the
    TensorFlow Playground data) get it; otherwise cool, warm, then the series colours."""
    named = {"orange": POSITIVE, "blue": NEGATIVE}
    base = [NEGATIVE, POSITIVE] + SERIES[2:] + ["#b07cff", "#ff7c7c"]
    names = list(names or ())
    return [
        QtGui.QColor(named.get(names[k] if k < len(names) else "", base[k % len(base)]))
        for k in range(n)
    ]
