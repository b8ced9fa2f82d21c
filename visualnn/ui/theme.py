"""One look for the whole app: dark, high-contrast, large enough to read from a projector.

Everything visual that more than one widget needs (font sizes, colours, colormaps, pyqtgraph
options) lives here so views never hard-code their own.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtGui, QtWidgets

#: Base point size of all text; views scale from it (titles x1.25, small labels x0.85).
BASE_POINT_SIZE = 12

BACKGROUND = "#14161b"
PANEL = "#1d2027"
FOREGROUND = "#e8eaf0"
MUTED = "#9aa3b2"
ACCENT = "#4fa3ff"
POSITIVE = "#f2a33a"  # positive weights / activations (warm)
NEGATIVE = "#3aa0f2"  # negative weights / activations (cool)
ERROR = "#ff5c5c"
WARNING = "#ffb347"
OK = "#5fd38d"

#: Series colours for plots (train, validation, batch trace, ...), distinguishable when
#: projected and for the common colour-vision deficiencies.
SERIES = ["#4fa3ff", "#f2a33a", "#5fd38d", "#e06cc4", "#c8c8c8"]

#: Colormaps: sequential for magnitudes (spectrogram, activations), diverging for signed
#: values (weights, gradients) with symmetric levels.
SEQUENTIAL_CMAP = "inferno"
DIVERGING_CMAP = "visualnn-diverging"
SPECTROGRAM_CMAPS = ["inferno", "magma", "viridis", "plasma", "CET-L1"]


def font(scale: float = 1.0, bold: bool = False) -> QtGui.QFont:
    """The app font at ``scale`` times the base size."""
    f = QtGui.QFont()
    f.setPointSizeF(BASE_POINT_SIZE * scale)
    f.setBold(bold)
    return f


#: Our own colormaps. The diverging one is dark at zero, so on the dark theme the eye goes to
#: large weights of either sign, not to the near-zero ones (a white-centred map does the
#: opposite); its ends are the graph's NEGATIVE and POSITIVE colours.
CUSTOM_CMAPS = {
    "visualnn-diverging": ["#8fd3ff", NEGATIVE, PANEL, POSITIVE, "#ffe08a"],
}


def _custom(name: str) -> pg.ColorMap:
    colors = CUSTOM_CMAPS[name]
    pos = [i / (len(colors) - 1) for i in range(len(colors))]
    return pg.ColorMap(pos, [QtGui.QColor(c) for c in colors], name=name)


def colormap(name: str) -> pg.ColorMap:
    """A pyqtgraph colormap by name, falling back to ``inferno`` if unknown."""
    if name in CUSTOM_CMAPS:
        return _custom(name)
    try:
        return pg.colormap.get(name)
    except Exception:  # unknown name or missing resource: never fail a view for a colormap
        return pg.colormap.get("inferno")


def style_plot(plot: pg.PlotItem, title: str | None = None) -> None:
    """Large axis text and a subtle grid for a pyqtgraph plot."""
    if title:
        plot.setTitle(title, color=FOREGROUND, size=f"{int(BASE_POINT_SIZE * 1.15)}pt")
    for name in ("left", "bottom", "right", "top"):
        axis = plot.getAxis(name)
        axis.setTextPen(FOREGROUND)
        axis.setPen(MUTED)
        axis.setStyle(tickFont=font(0.9))
        axis.label.setFont(font(0.95))
        # pyqtgraph would relabel a small range as "x2 (x0.001)" with ticks of 500: a riddle
        # for a student, so ticks always show the values themselves.
        axis.enableAutoSIPrefix(False)
    plot.showGrid(x=True, y=True, alpha=0.18)


def apply(app: QtWidgets.QApplication) -> None:
    """Apply the dark palette, fonts and pyqtgraph defaults to the application."""
    pg.setConfigOptions(
        antialias=True, background=BACKGROUND, foreground=FOREGROUND, imageAxisOrder="row-major"
    )
    app.setStyle("Fusion")
    app.setFont(font())
    pal = QtGui.QPalette()
    c = QtGui.QColor
    pal.setColor(QtGui.QPalette.Window, c(BACKGROUND))
    pal.setColor(QtGui.QPalette.WindowText, c(FOREGROUND))
    pal.setColor(QtGui.QPalette.Base, c(PANEL))
    pal.setColor(QtGui.QPalette.AlternateBase, c("#252933"))
    pal.setColor(QtGui.QPalette.Text, c(FOREGROUND))
    pal.setColor(QtGui.QPalette.Button, c("#2a2e38"))
    pal.setColor(QtGui.QPalette.ButtonText, c(FOREGROUND))
    pal.setColor(QtGui.QPalette.Highlight, c(ACCENT))
    pal.setColor(QtGui.QPalette.HighlightedText, c("#000000"))
    pal.setColor(QtGui.QPalette.ToolTipBase, c(PANEL))
    pal.setColor(QtGui.QPalette.ToolTipText, c(FOREGROUND))
    pal.setColor(QtGui.QPalette.PlaceholderText, c(MUTED))
    for role in (QtGui.QPalette.Text, QtGui.QPalette.ButtonText, QtGui.QPalette.WindowText):
        pal.setColor(QtGui.QPalette.Disabled, role, c("#6b7280"))
    app.setPalette(pal)
    app.setStyleSheet(
        f"QDockWidget::title {{ background: {PANEL}; padding: 6px; font-weight: bold; }}"
        f"QToolTip {{ color: {FOREGROUND}; background: {PANEL}; border: 1px solid {MUTED}; }}"
        "QPushButton, QToolButton { padding: 5px 10px; }"
        # Fusion's check boxes are dark-on-dark with this palette: draw them ourselves.
        f"QCheckBox::indicator {{ width: 16px; height: 16px; border: 2px solid {MUTED};"
        f" border-radius: 3px; background: {PANEL}; }}"
        f"QCheckBox::indicator:checked {{ background: {ACCENT}; border-color: {ACCENT}; }}"
    )


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
