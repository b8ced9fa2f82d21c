"""Which panels and views are on screen: one checkable action per dock, and the rules.

A small screen shows few docks, each in full: one panel in the right column (two on a tall
screen) and two views under the network (three on a wide one). Showing another replaces the
one shown longest ago; its button (toolbar and View menu: the same action) says at a glance
what is there and what else there is. Presentation mode shows no panels and two views.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from visualnn.ui import icons
from visualnn.ui.docks import DOCKS, PANELS, SPECS, VIEWS, arrange

TALL, WIDE = 1000, 1600  # px: room for a second panel / a third view
#: The views never take more than this share of the window's height, however much height
#: the network leaves spare (see ``give_spare_height``).
MOST_VIEW_HEIGHT = 0.62


class ViewSwitcher(QtCore.QObject):
    """The shown panels and views of ``window``'s ``docks``, most recently shown last.

    Signals: ``changed()`` after the arrangement changed.
    """

    changed = QtCore.Signal()

    def __init__(self, window: QtWidgets.QMainWindow, docks: dict) -> None:
        super().__init__(window)
        self.window, self.docks = window, docks
        self.panels: list[str] = []
        self.views: list[str] = []
        self.presenting = False
        #: Set by ``apply``: the graph's next fit hands its spare height to the views.
        self.spare_pending = False
        self.actions: dict[str, QtGui.QAction] = {}
        for spec in DOCKS:
            action = QtGui.QAction(spec.label, window)
            action.setCheckable(True)
            action.setToolTip(f"{spec.title}: {spec.tip}" if spec.tip else spec.title)
            action.setStatusTip(action.toolTip())
            icons.set_icon(action, spec.icon)
            action.triggered.connect(lambda on, k=spec.key: self.set_shown(k, on))
            self.actions[spec.key] = action
        window.installEventFilter(self)

    # --- the rules ------------------------------------------------------------------------
    def capacity(self) -> tuple[int, int]:
        """How many panels and views fit the window as it is now."""
        if self.presenting:
            return 0, 2
        tall = self.window.height() >= TALL
        return (2 if tall else 1), (3 if self.window.width() >= WIDE else 2)

    def defaults(
        self, two_d: bool = True, recurrent: bool = False, sound: bool = False
    ) -> tuple[list[str], list[str]]:
        """The first arrangement: training controls (Sound classes and the Microphone for a
        sound data set: what a live demo needs); loss, then the boundary for 2-D data, the
        recurrent layer's memory for a network with one, or the activations (feature maps)
        for anything else."""
        n_panels, n_views = self.capacity()
        first = ["sounds", "training"] if sound else ["training", "inspector"]
        panels = first[:n_panels]
        second = ["boundary", "activations"] if two_d else ["activations", "weights"]
        if recurrent:
            second = ["recurrent", "activations"]
        return panels, (["plots"] + second)[:n_views]

    def shown(self, key: str) -> bool:
        return key in self.panels or key in self.views

    def set_shown(self, key: str, on: bool = True) -> None:
        """Show dock ``key`` (replacing the one shown longest ago if there is no room) or
        hide it."""
        if key not in SPECS:
            raise KeyError(f"no dock {key!r}")
        group = self.panels if SPECS[key].group == PANELS else self.views
        if key in group:
            group.remove(key)
        if on:
            group.append(key)
        self._trim()
        self.apply()

    def set_state(self, panels, views) -> None:
        """Show exactly these (unknown or misplaced keys are dropped), within capacity."""
        self.panels = [k for k in dict.fromkeys(panels) if SPECS.get(k, None) and
                       SPECS[k].group == PANELS]  # fmt: skip
        self.views = [k for k in dict.fromkeys(views) if SPECS.get(k, None) and
                      SPECS[k].group == VIEWS]  # fmt: skip
        self._trim()
        self.apply()

    def state(self) -> tuple[list[str], list[str]]:
        return list(self.panels), list(self.views)

    def follow(self, selection) -> None:
        """Show what a click asks for: a unit its arithmetic (Neuron math), a layer its
        settings, unless presenting or the layer palette is open (a layer just added is
        selected, and the palette stays for the next one)."""
        if selection.unit is not None and not self.shown("neuron"):
            self.set_shown("neuron")
        elif selection.layer is not None and selection.unit is None and not self.presenting:
            if not self.shown("inspector") and not self.shown("layers"):
                self.set_shown("inspector")

    def save(self, store) -> None:
        """Keep what is shown (of the docks not hidden) in the settings ``store``."""
        shown = [k for k in self.panels + self.views if not self.docks[k].isHidden()]
        store.setValue("window/shown", ",".join(shown))

    def restore(self, store) -> None:
        """Show what :meth:`save` kept."""
        shown = [k for k in str(store.value("window/shown", "") or "").split(",") if k]
        if shown:
            self.set_state(shown, shown)

    def _trim(self) -> None:
        n_panels, n_views = self.capacity()
        self.panels = self.panels[len(self.panels) - n_panels :] if n_panels else []
        self.views = self.views[len(self.views) - n_views :] if n_views else []

    # --- on screen ------------------------------------------------------------------------
    def apply(self) -> None:
        """Arrange the docks as chosen and tick their buttons."""
        # Panels keep their order top to bottom; views left to right in the order shown.
        panels = [s.key for s in DOCKS if s.key in self.panels]
        # Presenting, the views get a little more of the screen: they are what is explained.
        height = 0.48 if self.presenting else 0.47
        self.spare_pending = False  # not while the docks are taken out and put back
        arrange(self.window, self.docks, panels, list(self.views), view_height=height)
        self.spare_pending = True
        for key, action in self.actions.items():
            action.setChecked(self.shown(key))
        self.changed.emit()

    def give_spare_height(self, spare: int) -> None:
        """After the arrangement, hand the ``spare`` px that the fitted network leaves empty
        to the views (a CNN is fitted to the width: on a projector its first feature maps then
        fit under the input). Once per arrangement, so a user's dragged split stays."""
        if not self.spare_pending or not self.views or not self.window.isVisible():
            return
        if not self.docks[self.views[0]].isVisible():  # not laid out yet
            return
        self.spare_pending = False
        dock = self.docks[self.views[0]]
        height = min(dock.height() + spare - 4, int(self.window.height() * MOST_VIEW_HEIGHT))
        if spare > 16 and height > dock.height():
            self.window.resizeDocks([dock], [height], QtCore.Qt.Vertical)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QtCore.QEvent.Resize and obj is self.window:
            before = self.state()
            self._trim()  # a smaller window: fewer docks, each still whole
            if self.state() != before:
                QtCore.QTimer.singleShot(0, self.apply)
        return False


def fit_to_screen(window: QtWidgets.QWidget, width: int | None = None,
                  height: int | None = None) -> None:  # fmt: skip
    """Resize ``window`` to ``width`` x ``height`` (default: its size), never larger than its
    screen's available area, and move it onto that area."""
    screen = window.screen() or QtGui.QGuiApplication.primaryScreen()
    if screen is None:
        return
    area = screen.availableGeometry()
    w = min(width or window.width(), area.width())
    h = min(height or window.height(), area.height())
    if (w, h) != (window.width(), window.height()):
        window.resize(w, h)
    frame = window.frameGeometry()
    if not area.contains(frame):
        x = min(max(frame.x(), area.x()), area.right() - frame.width() + 1)
        y = min(max(frame.y(), area.y()), area.bottom() - frame.height() + 1)
        window.move(max(x, area.x()), max(y, area.y()))
