"""The window's docks: what goes in each, and how the chosen ones are arranged.

One table (``DOCKS``) names every dock, its title, the widget class that fills it, its
group and the name and icon of its switcher button. Two groups share the room around the
network: *panels* (controls, in a column on the right) and *views* (pictures of the
network, in a row under it). :func:`arrange` shows the chosen ones, each in full, and hides
the rest: no tabs, whose titles a small screen elides, and nothing squeezed.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass

from PySide6 import QtCore, QtWidgets

from visualnn.ui import theme

R, B = QtCore.Qt.RightDockWidgetArea, QtCore.Qt.BottomDockWidgetArea
PANELS, VIEWS = "panel", "view"

#: Panels of controls: in a scroll area that scrolls down, never sideways.
SCROLLED = frozenset({"training", "inspector", "data", "microphone", "sounds"})


@dataclass(frozen=True)
class DockSpec:
    """``key`` is the object name (saved layouts refer to it); ``factory`` is
    ``"module:Class"`` taking ``(session)`` ("" when the window makes the widget);
    ``group`` is PANELS or VIEWS; ``label`` and ``icon`` are the switcher button's."""

    key: str
    title: str
    factory: str
    group: str
    label: str
    icon: str
    tip: str = ""


DOCKS = (
    DockSpec("training", "Training", "", PANELS, "Training", "training",
             "Learning rate, optimizer, batch size, epochs, data set"),
    DockSpec("inspector", "Layer settings", "visualnn.ui.panels.inspector:LayerInspector",
             PANELS, "Layer", "layer", "Settings of the layer selected in the graph"),
    DockSpec("data", "Data", "visualnn.ui.panels.data:DataPanel", PANELS, "Data", "data",
             "The data set: pick the sample the views show, draw your own digit"),
    DockSpec("layers", "Add layer", "visualnn.ui.graph.palette:LayerPalette", PANELS,
             "Add layer", "add-layer", "Every layer type, to add to the network"),
    DockSpec("microphone", "Microphone", "", PANELS, "Microphone", "microphone",
             "Live spectrogram of the microphone, a sound file or a tone"),
    DockSpec("sounds", "Sound classes", "", PANELS, "Sounds", "sounds",
             "Record your own sound classes and train on them"),
    DockSpec("plots", "Loss and accuracy", "visualnn.ui.views.plots:TrainingPlots", VIEWS,
             "Loss", "loss", "Loss and accuracy per epoch"),
    DockSpec("boundary", "Decision boundary", "visualnn.ui.views.boundary:BoundaryView",
             VIEWS, "Boundary", "boundary", "What the network answers at every point (2-D)"),
    DockSpec("activations", "Activations", "visualnn.ui.views.activations:ActivationsView",
             VIEWS, "Activations", "activations", "Every layer's output for the sample"),
    DockSpec("weights", "Weights", "visualnn.ui.views.weights:WeightsView", VIEWS,
             "Weights", "weights", "The weights (or gradients) as heatmaps"),
    DockSpec("recurrent", "Recurrent", "visualnn.ui.views.recurrent:RecurrentView", VIEWS,
             "Recurrent", "recurrent", "A recurrent layer's memory and gates over time"),
    DockSpec("predictions", "Predictions", "visualnn.ui.views.confusion:PredictionView",
             VIEWS, "Predictions", "predictions", "Class probabilities and confusion matrix"),
    DockSpec("neuron", "Neuron math", "visualnn.ui.views.neuron:NeuronView", VIEWS,
             "Neuron", "neuron", "How the selected unit computes its value, with numbers"),
)  # fmt: skip
SPECS = {spec.key: spec for spec in DOCKS}


def make_widget(factory: str, session) -> QtWidgets.QWidget:
    """Instantiate ``"module:Class"``, on ``session`` if its constructor takes one."""
    module_name, cls_name = factory.split(":")
    cls = getattr(importlib.import_module(module_name), cls_name)
    # Views of the network take the session; self-contained panels (microphone) do not.
    params = inspect.signature(cls.__init__).parameters
    return cls(session) if "session" in params else cls()


class PanelScroll(QtWidgets.QScrollArea):
    """A panel in a frameless area that scrolls down, never sideways: it is always at least
    as wide as the panel's narrowest layout, so nothing is cut off at the side."""

    def __init__(self, widget: QtWidgets.QWidget) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QtWidgets.QFrame.NoFrame)
        self.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarAlwaysOff)
        self.setWidget(widget)
        widget.installEventFilter(self)

    def minimumSizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        inner = self.widget().minimumSizeHint()
        bar = self.style().pixelMetric(QtWidgets.QStyle.PM_ScrollBarExtent, None, self)
        return QtCore.QSize(inner.width() + bar + 2, min(inner.height(), 120))

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QtCore.QEvent.LayoutRequest:
            self.updateGeometry()  # the panel's minimum width changed (text size, content)
        return False


def title_bar(title: str) -> QtWidgets.QLabel:
    """A dock's title as a plain bold label: it follows the text size like everything else
    (Qt's own dock title kept the font of the moment the style sheet was set), and a label
    that does not fit shows as cut, not as a quiet ellipsis."""
    label = QtWidgets.QLabel(title)
    label.setObjectName("dockTitle")
    theme.set_font(label, 1.0, bold=True)
    theme.style(label, "#dockTitle { background: {PANEL}; padding: 3px 8px; }")
    return label


def content(dock: QtWidgets.QDockWidget) -> QtWidgets.QWidget:
    """The dock's own widget, looking through the scroll area ``build_docks`` may add."""
    widget = dock.widget()
    return widget.widget() if isinstance(widget, QtWidgets.QScrollArea) else widget


def build_docks(
    window: QtWidgets.QMainWindow, session, made: dict[str, QtWidgets.QWidget]
) -> dict[str, QtWidgets.QDockWidget]:
    """Create every dock of ``DOCKS`` on ``window``; returns them by key.

    ``made`` holds the widgets the window makes itself (they need its controller, actions
    or sound), by dock key.
    """
    docks: dict[str, QtWidgets.QDockWidget] = {}
    for spec in DOCKS:
        dock = QtWidgets.QDockWidget(spec.title, window)
        dock.setObjectName(f"dock_{spec.key}")
        # No close button: the switcher shows and hides docks (one place, always in sync),
        # and the title keeps the room the button took.
        dock.setFeatures(
            QtWidgets.QDockWidget.DockWidgetMovable | QtWidgets.QDockWidget.DockWidgetFloatable
        )
        dock.setTitleBarWidget(title_bar(spec.title))
        widget = made[spec.key] if spec.key in made else make_widget(spec.factory, session)
        if spec.key in SCROLLED:
            widget = PanelScroll(widget)
        dock.setWidget(widget)
        window.addDockWidget(R if spec.group == PANELS else B, dock)
        docks[spec.key] = dock
    return docks


def arrange(
    window: QtWidgets.QMainWindow, docks: dict, panels: list[str], views: list[str],
    panel_width: float = 0.28, view_height: float = 0.42,
) -> None:  # fmt: skip
    """Show ``panels`` stacked in the right column and ``views`` side by side under the
    network, in full; hide every other dock.

    ``panel_width`` and ``view_height`` are shares of the window's width and height.
    """
    # Take every dock out first: re-adding docks in place leaves stale splits behind.
    for dock in docks.values():
        window.removeDockWidget(dock)
        dock.setFloating(False)
    for key, dock in docks.items():
        window.addDockWidget(R if SPECS[key].group == PANELS else B, dock)
        dock.setVisible(key in panels or key in views)
    for a, b in zip(panels, panels[1:], strict=False):
        window.splitDockWidget(docks[a], docks[b], QtCore.Qt.Vertical)
    for a, b in zip(views, views[1:], strict=False):
        window.splitDockWidget(docks[a], docks[b], QtCore.Qt.Horizontal)
    w, h = max(window.width(), 640), max(window.height(), 480)
    if panels:
        window.resizeDocks([docks[panels[0]]], [int(w * panel_width)], QtCore.Qt.Horizontal)
        share = [int(h / len(panels))] * len(panels)
        window.resizeDocks([docks[k] for k in panels], share, QtCore.Qt.Vertical)
    if views:
        window.resizeDocks([docks[views[0]]], [int(h * view_height)], QtCore.Qt.Vertical)
        room = w * (1 - (panel_width if panels else 0))
        share = [int(room / len(views))] * len(views)
        window.resizeDocks([docks[k] for k in views], share, QtCore.Qt.Horizontal)
