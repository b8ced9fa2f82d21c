"""Space plays and pauses everywhere in the window, except where it types a space.

A focused spin box, combo box, button or list used to swallow Space (a spin box's line edit
claims every printable key): in front of a class, the key that starts training did nothing
after a learning rate was typed. :class:`SpaceToPlay` lets the window's Play shortcut have
Space unless the focus is somewhere a space is text (a name field, a path, a note).
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets


def types_text(widget: QtWidgets.QWidget | None) -> bool:
    """Whether Space typed into ``widget`` would be a character of its text.

    Spin boxes are numbers, so Space is not text there; an editable line, text box or
    editable combo box that is not part of a spin box is text.
    """
    if widget is None:
        return False
    if isinstance(widget, QtWidgets.QLineEdit):
        holder = widget.parentWidget()
        if isinstance(holder, QtWidgets.QAbstractSpinBox):
            return False
        return not widget.isReadOnly()
    if isinstance(widget, QtWidgets.QAbstractSpinBox):
        return False
    if isinstance(widget, QtWidgets.QComboBox):
        return widget.isEditable()
    if isinstance(widget, QtWidgets.QTextEdit | QtWidgets.QPlainTextEdit):
        return not widget.isReadOnly()
    return False


class SpaceToPlay(QtCore.QObject):
    """Installed on the application: Space reaches ``window``'s shortcuts unless typing.

    A spin box being edited first takes its typed value (as Enter would), so Play trains
    with the number on screen.
    """

    def __init__(self, window: QtWidgets.QWidget) -> None:
        super().__init__(window)
        self.window = window
        QtWidgets.QApplication.instance().installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if (
            event.type() != QtCore.QEvent.ShortcutOverride
            or event.key() != QtCore.Qt.Key_Space
            or event.modifiers() not in (QtCore.Qt.NoModifier, QtCore.Qt.KeypadModifier)
        ):
            return False
        focus = QtWidgets.QApplication.focusWidget()
        if focus is None or focus.window() is not self.window or types_text(focus):
            return False
        if isinstance(focus, QtWidgets.QAbstractSpinBox):
            focus.interpretText()
        event.ignore()  # not claimed by the focused widget: the shortcut may have it
        return True
