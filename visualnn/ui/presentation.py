"""Presentation mode (F5): the network and two views filling the screen, for a class.

On: the high-contrast theme with large text (:class:`Appearance`), no menu bar and no
control panels, big Play / Step buttons, the two views last chosen for presenting (the
loss, and the decision boundary or the activations, the first time), full screen. Off:
everything as it was. Esc ends it too.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from visualnn.ui.settings import settings


class Presentation(QtCore.QObject):
    """Turns presentation mode on and off for ``window`` (its switcher, toolbar and
    appearance). Signals: ``toggled(bool)``."""

    toggled = QtCore.Signal(bool)

    def __init__(self, window, switcher, toolbar, appearance) -> None:
        super().__init__(window)
        self.window, self.switcher = window, switcher
        self.toolbar, self.appearance = toolbar, appearance
        self.on = False
        self._before: dict = {}

    def views(self) -> list[str]:
        """The views to present: the ones shown last time, else loss and a picture."""
        saved = settings().value("present/views")
        if isinstance(saved, str):
            saved = [saved]
        if saved:
            return [str(k) for k in saved]
        ds = self.window.session.project.dataset
        two_d = ds is None or tuple(ds.input_shape) == (2,)
        return ["plots", "boundary" if two_d else "activations"]

    def set_on(self, on: bool, full_screen: bool = True) -> None:
        """Start or end presenting; ``full_screen`` False keeps the window's size (tests,
        screenshots of a given size)."""
        if bool(on) == self.on:
            return
        w = self.window
        if on:
            self._before = {
                "state": self.switcher.state(),
                "full": w.isFullScreen(),
                "maximized": w.isMaximized(),
                "geometry": w.saveGeometry(),
            }
        else:
            settings().setValue("present/views", list(self.switcher.views))
        self.on = bool(on)
        self.appearance.set_presenting(self.on)
        w.menuBar().setVisible(not self.on)
        self.switcher.presenting = self.on
        self.toolbar.set_presenting(self.on)
        if self.on:
            self.switcher.set_state([], self.views())
            if full_screen:
                w.showFullScreen()
        else:
            self._restore_window()
            self.switcher.set_state(*self._before["state"])
        QtWidgets.QApplication.processEvents()  # lay out at the new size before arranging
        self.switcher.apply()
        self.toggled.emit(self.on)

    def _restore_window(self) -> None:
        w, before = self.window, self._before
        if w.isFullScreen() and not before.get("full"):
            w.showMaximized() if before.get("maximized") else w.showNormal()
            if not before.get("maximized"):
                w.restoreGeometry(before["geometry"])
