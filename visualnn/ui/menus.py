"""The main window's menu bar: File, Edit, View and Training, arranged from its actions.

Each command is one ``QAction`` the window makes (``MainWindow.actions``), so a menu entry,
a toolbar button and a shortcut stay one thing; this module only puts them in menus, and
adds the entries that are lists: the presets, the recent files, the views to export.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6 import QtGui, QtWidgets

from visualnn.presets import PRESETS
from visualnn.ui.appearance import Appearance
from visualnn.ui.docks import DOCKS, PANELS
from visualnn.ui.files import ProjectFiles
from visualnn.ui.switcher import ViewSwitcher


def build_menu_bar(
    bar: QtWidgets.QMenuBar,
    actions: dict[str, QtGui.QAction],
    files: ProjectFiles,
    views: ViewSwitcher,
    appearance: Appearance,
    export_dock: Callable[[str], None],
) -> None:
    """Fill the window's menu bar.

    Parameters
    ----------
    bar : QMenuBar
        The window's (empty) menu bar.
    actions : dict of str to QAction
        The window's commands by key (``"open"``, ``"play"``, ...).
    files : ProjectFiles
        Opens presets and recent files.
    views : ViewSwitcher
        Its show/hide actions go in View; its docks' titles name the PNG exports.
    appearance : Appearance
        Adds the theme and text-size menus to View.
    export_dock : callable
        ``export_dock(key)`` asks for a file and saves that dock as a PNG.
    """
    _add_file_menu(bar.addMenu("&File"), actions, files, views.docks, export_dock)
    bar.addMenu("&Edit").addActions([actions["undo"], actions["redo"]])
    view = bar.addMenu("&View")
    view.addAction(actions["present"])
    view.addSeparator()
    for group in (PANELS, "view"):
        view.addSection("Panels" if group == PANELS else "Views")
        view.addActions([views.actions[s.key] for s in DOCKS if s.group == group])
    view.addSeparator()
    view.addActions([actions["fit_network"], actions["reset_layout"]])
    appearance.add_menus(view)
    training = bar.addMenu("&Training")
    training.addActions([actions["play"], actions["step_batch"], actions["step_epoch"]])
    training.addActions([actions["slower"], actions["faster"]])
    training.addSeparator()
    training.addAction(actions["live"])
    training.addSeparator()
    training.addAction(actions["reset"])


def _add_file_menu(
    file_menu: QtWidgets.QMenu,
    actions: dict[str, QtGui.QAction],
    files: ProjectFiles,
    docks: dict[str, QtWidgets.QDockWidget],
    export_dock: Callable[[str], None],
) -> None:
    new_menu = file_menu.addMenu("&New from preset")
    for name, preset in PRESETS.items():
        act = new_menu.addAction(preset.title)  # the key is for the command line
        act.setToolTip(preset.description)
        act.triggered.connect(lambda _=False, n=name: files.new_from_preset(n))
    file_menu.addAction(actions["open"])
    file_menu.addMenu(RecentFilesMenu(files, file_menu))
    file_menu.addSeparator()
    file_menu.addActions([actions["save"], actions["save_as"]])
    file_menu.addSeparator()
    file_menu.addAction(actions["export_window"])
    views = file_menu.addMenu("Export view as PNG")
    for key, dock in docks.items():
        act = views.addAction(dock.windowTitle())
        act.triggered.connect(lambda _=False, k=key: export_dock(k))
    file_menu.addAction(actions["export_csv"])
    file_menu.addActions([actions["export_model"], actions["export_sounds"]])
    file_menu.addSeparator()
    file_menu.addAction(actions["quit"])


class RecentFilesMenu(QtWidgets.QMenu):
    """File > Open Recent: the project files opened last, greyed out while there are none."""

    def __init__(self, files: ProjectFiles, parent: QtWidgets.QWidget) -> None:
        super().__init__("Open &Recent", parent)
        self.files = files
        self.refill()
        files.recent_changed.connect(self.refill)

    def refill(self) -> None:
        self.clear()
        files, recent = self.files, self.files.recent_files()
        for path in recent:
            act = self.addAction(Path(path).name)
            act.setToolTip(path)
            act.triggered.connect(lambda _=False, p=path: files.open(p))
        self.setEnabled(bool(recent))
