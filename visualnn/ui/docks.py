"""The window's docks: what goes in each and the default arrangement.

One table (``DOCKS``) names every dock, its title, the widget class that fills it and where it
starts; ``build_docks`` makes them and ``default_layout`` arranges them for a projector:
the network big in the middle, controls on the right, live views along the bottom.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass

from PySide6 import QtCore, QtWidgets

from visualnn.ui import theme

L, R, B = (
    QtCore.Qt.LeftDockWidgetArea,
    QtCore.Qt.RightDockWidgetArea,
    QtCore.Qt.BottomDockWidgetArea,
)


#: Panels of controls: wrapped in a scroll area so a small screen (1280x720) scrolls them
#: instead of their minimum size pushing the window wider than the screen.
SCROLLED = frozenset({"training", "inspector", "data", "microphone", "sounds"})


@dataclass(frozen=True)
class DockSpec:
    """``key`` is the object name (saved layouts refer to it); ``factory`` is
    ``"module:Class"`` taking ``(session)``, or a tuple of ``(tab title, "module:Class")``
    for a dock made of tabs."""

    key: str
    title: str
    factory: str | tuple
    area: QtCore.Qt.DockWidgetArea


DOCKS = (
    DockSpec("layers", "Add layer", "visualnn.ui.graph.palette:LayerPalette", L),
    DockSpec("training", "Training", "", R),  # made by the window (needs controller, actions)
    DockSpec(
        "inspector",
        "Inspector",
        (
            ("Layer settings", "visualnn.ui.panels.inspector:LayerInspector"),
            ("Neuron math", "visualnn.ui.views.neuron:NeuronView"),
        ),
        R,
    ),
    DockSpec("data", "Data", "visualnn.ui.panels.data:DataPanel", R),
    DockSpec("microphone", "Microphone", "", R),  # made by the window (its LiveAudio)
    DockSpec("sounds", "Sound classes", "", R),  # made by the window (controller, sound)
    DockSpec("plots", "Loss and accuracy", "visualnn.ui.views.plots:TrainingPlots", B),
    DockSpec("boundary", "Decision boundary", "visualnn.ui.views.boundary:BoundaryView", B),
    DockSpec("activations", "Activations", "visualnn.ui.views.activations:ActivationsView", B),
    DockSpec("weights", "Weights", "visualnn.ui.views.weights:WeightsView", B),
    DockSpec("recurrent", "Recurrent", "visualnn.ui.views.recurrent:RecurrentView", B),
    DockSpec("predictions", "Predictions", "visualnn.ui.views.confusion:PredictionView", B),
)


def make_widget(factory: str, session) -> QtWidgets.QWidget:
    """Instantiate ``"module:Class"``, on ``session`` if its constructor takes one.

    A missing module gives a labelled placeholder instead of no window at all: the docks are
    written by different people and one not being there yet must not stop the rest.
    """
    module_name, cls_name = factory.split(":")
    try:
        cls = getattr(importlib.import_module(module_name), cls_name)
    except (ImportError, AttributeError) as exc:
        label = QtWidgets.QLabel(f"{cls_name} is not available:\n{exc}")
        label.setWordWrap(True)
        label.setAlignment(QtCore.Qt.AlignCenter)
        label.setStyleSheet(f"color: {theme.MUTED};")
        return label
    # Views of the network take the session; self-contained panels (microphone) do not.
    params = inspect.signature(cls.__init__).parameters
    return cls(session) if "session" in params else cls()


def scrolled(widget: QtWidgets.QWidget) -> QtWidgets.QScrollArea:
    """``widget`` in a frameless scroll area that resizes it when there is room."""
    area = QtWidgets.QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QtWidgets.QFrame.NoFrame)
    area.setWidget(widget)
    area.setMinimumWidth(min(widget.minimumSizeHint().width(), 320))
    return area


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
        dock.setFeatures(
            QtWidgets.QDockWidget.DockWidgetClosable
            | QtWidgets.QDockWidget.DockWidgetMovable
            | QtWidgets.QDockWidget.DockWidgetFloatable
        )
        if spec.key in made:
            widget = made[spec.key]
        elif isinstance(spec.factory, tuple):
            widget = QtWidgets.QTabWidget()
            widget.setDocumentMode(True)
            for title, factory in spec.factory:
                widget.addTab(make_widget(factory, session), title)
        else:
            widget = make_widget(spec.factory, session)
        if spec.key in SCROLLED:
            widget = scrolled(widget)
        dock.setWidget(widget)
        window.addDockWidget(spec.area, dock)
        docks[spec.key] = dock
    return docks


def default_layout(window: QtWidgets.QMainWindow, docks: dict, two_d: bool = True) -> None:
    """Arrange the docks for a wide projected screen, scaled to the window size.

    The bottom row shows three views side by side on a wide window: loss and accuracy, then
    the decision boundary and activations for 2-D data (``two_d``), or activations and
    weights (feature maps and kernels) for anything else; the other views are tabs.
    """
    # Take every dock out first: re-adding tabified docks in place leaves stale tab groups.
    for dock in docks.values():
        window.removeDockWidget(dock)
        dock.setFloating(False)
    wide = window.width() >= 1600  # below that only two views fit side by side
    window.addDockWidget(R, docks["training"])
    window.addDockWidget(R, docks["inspector"])
    window.splitDockWidget(docks["training"], docks["inspector"], QtCore.Qt.Vertical)
    window.tabifyDockWidget(docks["inspector"], docks["data"])
    window.tabifyDockWidget(docks["data"], docks["microphone"])
    window.tabifyDockWidget(docks["microphone"], docks["sounds"])
    if wide:
        window.addDockWidget(L, docks["layers"])
    else:  # on a projector's 1280 px every column taken from the graph shrinks its text
        window.tabifyDockWidget(docks["sounds"], docks["layers"])
    window.addDockWidget(B, docks["plots"])
    middle, last = ("boundary", "activations") if two_d else ("activations", "weights")
    views = ("activations", "boundary", "weights", "predictions", "recurrent")
    rest = [k for k in views if k != middle]
    row = ["plots", middle] + ([last] if wide else [])
    window.splitDockWidget(docks["plots"], docks[middle], QtCore.Qt.Horizontal)
    if wide:
        window.splitDockWidget(docks[middle], docks[last], QtCore.Qt.Horizontal)
        rest.remove(last)
    tab_host = row[-1]
    for key in rest:
        window.tabifyDockWidget(docks[tab_host], docks[key])
    for dock in docks.values():
        dock.show()
    for key in ("inspector", *row):
        docks[key].raise_()
    for dock in docks.values():  # a view with something for this network asks to be seen
        if getattr(content(dock), "wants_front", lambda: False)():
            dock.raise_()
    w, h = max(window.width(), 800), max(window.height(), 600)
    if wide:
        window.resizeDocks([docks["layers"]], [int(w * 0.12)], QtCore.Qt.Horizontal)
    window.resizeDocks(
        [docks["training"]], [int(w * (0.25 if wide else 0.27))], QtCore.Qt.Horizontal
    )
    window.resizeDocks([docks["plots"]], [int(h * (0.36 if wide else 0.34))], QtCore.Qt.Vertical)
    bottom = w * 0.75  # the right column takes the rest
    shares = {"plots": 0.4, "boundary": 0.24, "activations": 0.36, "weights": 0.36}
    if not two_d and wide:
        shares = {"plots": 0.3, "activations": 0.35, "weights": 0.35}
    sizes = [int(bottom * shares.get(k, 0.5) if wide else bottom * 0.5) for k in row]
    window.resizeDocks([docks[k] for k in row], sizes, QtCore.Qt.Horizontal)
    window.resizeDocks(
        [docks["training"], docks["inspector"]], [int(h * 0.6), int(h * 0.4)], QtCore.Qt.Vertical
    )
