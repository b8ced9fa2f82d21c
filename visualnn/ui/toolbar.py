"""The bar across the top: Play / Step, a button per panel and view, and Present.

Buttons keep their words when they fit; on a narrow screen or with large text the bar drops
words before it drops anything else (icons keep their tooltips), so no button ever
disappears into Qt's overflow menu.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from visualnn.ui import theme
from visualnn.ui.docks import DOCKS, PANELS

BESIDE, TEXT, ICON = (
    QtCore.Qt.ToolButtonTextBesideIcon,
    QtCore.Qt.ToolButtonTextOnly,
    QtCore.Qt.ToolButtonIconOnly,
)
#: From widest to narrowest: (Play, Step and Step epoch, the dock buttons, Present).
LEVELS = (
    (BESIDE, BESIDE, BESIDE, BESIDE),
    (BESIDE, BESIDE, TEXT, BESIDE),
    (BESIDE, BESIDE, TEXT, ICON),
    (BESIDE, ICON, TEXT, ICON),
    (BESIDE, ICON, ICON, ICON),
    (ICON, ICON, ICON, ICON),
)


class MainToolBar(QtWidgets.QToolBar):
    """``transport`` actions (Play first), the switcher's dock actions, then ``present``.

    Reset is not here on purpose: one stray click in front of a class would throw the
    training away (it stays in the Training panel and menu).
    """

    def __init__(self, transport: list[QtGui.QAction], switcher, present: QtGui.QAction,
                 parent: QtWidgets.QWidget | None = None) -> None:  # fmt: skip
        super().__init__("Toolbar", parent)
        self._fitted: tuple = ()  # _signature() at the last fit
        self.presenting = False
        self.setObjectName("main_toolbar")
        self.setMovable(False)
        self.setFloatable(False)
        self.setContextMenuPolicy(QtCore.Qt.PreventContextMenu)  # no "hide the toolbar" trap
        self.transport = list(transport)
        self.addActions(self.transport)
        self.panel_separator = self.addSeparator()
        self.panels = [switcher.actions[s.key] for s in DOCKS if s.group == PANELS]
        self.views = [switcher.actions[s.key] for s in DOCKS if s.group != PANELS]
        self.addActions(self.panels)
        self.addSeparator()
        self.addActions(self.views)
        spacer = QtWidgets.QWidget()
        spacer.setSizePolicy(QtWidgets.QSizePolicy.Expanding, QtWidgets.QSizePolicy.Preferred)
        self.addWidget(spacer)
        self.present = present
        self.addAction(present)
        self.level = 0
        theme.changes().changed.connect(self.fit_soon)
        self.fit()

    def set_presenting(self, on: bool) -> None:
        """In front of the class: no panel buttons (their actions are hidden, so also in the
        menu), bigger buttons."""
        self.presenting = on
        for action in [*self.panels, self.panel_separator]:
            action.setVisible(not on)  # the toolbar's layout shows widgets by their action
        self.fit_soon()

    def fit_soon(self) -> None:
        """:meth:`fit` once the new fonts have reached the buttons (after this event)."""
        QtCore.QTimer.singleShot(0, self, self.fit)

    def _signature(self) -> tuple:
        """What the right style depends on: room, text size, which buttons say what."""
        texts = tuple(a.text() for a in self.actions() if a.isVisible())
        return self.width(), theme.point_size(), self.presenting, texts

    def event(self, event: QtCore.QEvent) -> bool:
        # A button's text changed (Play -> Pause, Present -> End presentation): fit again,
        # but not for the layout requests the fit itself causes.
        if event.type() == QtCore.QEvent.LayoutRequest and self._signature() != self._fitted:
            self.fit_soon()
        return super().event(event)

    def _buttons(self) -> list[tuple[QtWidgets.QToolButton, int]]:
        """Every button on the bar with its kind (0 Play, 1 Step, 2 dock, 3 Present)."""
        out = []
        for kind, actions in ((0, self.transport[:1]), (1, self.transport[1:]),
                              (2, self.panels + self.views), (3, [self.present])):  # fmt: skip
            for action in actions:
                button = self.widgetForAction(action)
                if isinstance(button, QtWidgets.QToolButton):
                    out.append((button, kind))
        return out

    def _width(self) -> int:
        spacing = self.layout().spacing()
        # Every widget, also those Qt hid for want of room; not those hidden on purpose.
        widgets = [self.widgetForAction(a) for a in self.actions() if a.isVisible()]
        shown = [w for w in widgets if w is not None]
        margins = self.contentsMargins()
        return (sum(w.sizeHint().width() for w in shown) + spacing * len(shown)
                + margins.left() + margins.right() + 8)  # fmt: skip

    def fit(self) -> None:
        """The widest style of the buttons with which all of them fit the bar."""
        self._fitted = self._signature()
        px = QtGui.QFontInfo(theme.font()).pixelSize()
        side = round(px * (1.6 if self.presenting else 1.25))
        self.setIconSize(QtCore.QSize(side, side))
        levels = LEVELS if self.isVisible() else LEVELS[:1]  # measured once laid out
        for level, styles in enumerate(levels):
            for button, kind in self._buttons():
                button.setToolButtonStyle(styles[kind])
            self.level = level
            if self._width() <= self.width():
                break

    def showEvent(self, event: QtGui.QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.fit()

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.fit()
