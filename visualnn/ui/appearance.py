"""The theme and text size a user chose (saved between runs), and presentation's own.

Both change live: :class:`Appearance` calls ``restyle.apply``, which restyles every widget and
tells the views to redraw. Presentation mode wears the high-contrast theme with text four
points larger and nothing under 20 pixels, and gives the user's choice back when it ends.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from visualnn.ui import restyle, theme
from visualnn.ui.settings import settings
from visualnn.ui.themes import THEMES, TITLES

#: View > Text size: base point sizes.
TEXT_SIZES = {"Normal": 12, "Large": 14, "Huge": 16}
PRESENT_THEME = "contrast"
PRESENT_EXTRA = 4  # points added to the chosen text size in presentation mode
#: Presentation mode's smallest text in points: 20 px at 96 dpi, read from the back row.
PRESENT_FLOOR = 15.0


def saved_choice() -> tuple[str, int]:
    """The theme name and text size in points saved by the last run (or the defaults)."""
    s = settings()
    name = str(s.value("theme/name", "dark"))
    try:
        points = int(s.value("theme/base_point_size", theme.BASE_POINT_SIZE))
    except (TypeError, ValueError):
        points = 12
    return (name if name in THEMES else "dark"), (points if 8 <= points <= 32 else 12)


class Appearance(QtCore.QObject):
    """The user's theme and text size, and whether presentation overrides them."""

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.name, self.points = saved_choice()
        self.presenting = False
        self.theme_actions: dict[str, QtGui.QAction] = {}
        self.size_actions: dict[int, QtGui.QAction] = {}

    def set_theme(self, name: str) -> None:
        """Wear theme ``name`` (a key of ``themes.THEMES``) from now on."""
        if name not in THEMES:
            raise ValueError(f"unknown theme {name!r}")
        self.name = name
        settings().setValue("theme/name", name)
        self.apply()

    def set_text_size(self, points: int) -> None:
        """Base text size ``points`` from now on, live."""
        self.points = int(points)
        settings().setValue("theme/base_point_size", self.points)
        self.apply()

    def set_presenting(self, on: bool) -> None:
        self.presenting = bool(on)
        self.apply()

    def apply(self) -> None:
        app = QtWidgets.QApplication.instance()
        if self.presenting:
            restyle.apply(app, PRESENT_THEME, self.points + PRESENT_EXTRA, floor=PRESENT_FLOOR)
        else:
            restyle.apply(app, self.name, self.points, floor=0.0)
        for name, action in self.theme_actions.items():
            action.setChecked(name == self.name)
        for points, action in self.size_actions.items():
            action.setChecked(points == self.points)

    def add_menus(self, menu: QtWidgets.QMenu) -> None:
        """Theme and Text size submenus in ``menu``."""
        themes = menu.addMenu("Theme")
        group = QtGui.QActionGroup(self)
        for name, title in TITLES.items():
            act = themes.addAction(title)
            act.setCheckable(True)
            act.setChecked(name == self.name)
            group.addAction(act)
            act.triggered.connect(lambda _=False, n=name: self.set_theme(n))
            self.theme_actions[name] = act
        sizes = menu.addMenu("Text size")
        group = QtGui.QActionGroup(self)
        for label, points in TEXT_SIZES.items():
            act = sizes.addAction(f"{label} ({points} pt)")
            act.setCheckable(True)
            act.setChecked(points == self.points)
            group.addAction(act)
            act.triggered.connect(lambda _=False, p=points: self.set_text_size(p))
            self.size_actions[points] = act
