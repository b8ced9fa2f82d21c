"""Number fields that refuse a value out of range, and say so next to the field.

Qt's spin boxes quietly change what was typed: -5 became 5 (the minus sign could not be
typed), 99999999 became 999 (no more digits), a kernel of 0 was dropped without a word. In
front of a class that looks like the program ignoring the teacher. These fields let any
number be typed; on Enter (or leaving the field) a value outside the range is refused, the
old value stays, and a note under the field says what is allowed: "Units: from 1 to 4096
(99999999 is too big)". The arrows still stop at the ends of the range.
"""

from __future__ import annotations

import re

from PySide6 import QtCore, QtGui, QtWidgets

from visualnn.ui import theme

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def number_text(value: float, decimals: int = 0) -> str:
    """``4096`` -> ``"4096"``, ``0.5`` -> ``"0.5"``: a bound as a person writes it."""
    return f"{int(value)}" if decimals == 0 else f"{value:.{decimals}f}".rstrip("0").rstrip(".")


def _form_label(layout: QtWidgets.QLayout | None, field: QtWidgets.QWidget) -> str:
    """The label of ``field`` in a form anywhere inside ``layout`` ("" if none)."""
    if layout is None:
        return ""
    if isinstance(layout, QtWidgets.QFormLayout):
        label = layout.labelForField(field)
        if isinstance(label, QtWidgets.QLabel) and label.text():
            return label.text()
    for i in range(layout.count()):
        found = _form_label(layout.itemAt(i).layout(), field)
        if found:
            return found
    return ""


def field_name(field: QtWidgets.QWidget) -> str:
    """What the field is called on screen: its form label, else its accessible name."""
    parent = field.parentWidget()
    for _ in range(3):  # the field's own row may sit in a small box inside the form
        if parent is None:
            break
        found = _form_label(parent.layout(), field) or _form_label(
            parent.layout(), field.parentWidget()
        )
        if found:
            return found
        parent = parent.parentWidget()
    return field.accessibleName() or "This value"


def refusal(name: str, value: float, lo: float, hi: float, decimals: int = 0) -> str:
    """``"Units: from 1 to 4096 (99999999 is too big)"``."""
    where = "too big" if value > hi else "too small"
    shown = number_text(value, decimals) if abs(value) < 1e15 else f"{value:g}"
    return (f"{name}: from {number_text(lo, decimals)} to {number_text(hi, decimals)} "
            f"({shown} is {where})")  # fmt: skip


class FieldNote(QtWidgets.QLabel):
    """The refusal under a field, on top of the form; gone with the next edit or focus."""

    def __init__(self, field: QtWidgets.QWidget) -> None:
        super().__init__(field.window())
        self.field = field
        self.setObjectName("fieldNote")
        self.setWordWrap(True)
        theme.set_font(self, 1.0, bold=True)
        theme.style(
            self,
            "#fieldNote { background: {ERROR_PANEL}; color: {FOREGROUND};"
            " border: 2px solid {ERROR}; border-radius: 4px; padding: 4px; }",
        )
        self.hide()
        QtWidgets.QApplication.instance().focusChanged.connect(self._on_focus_changed)
        field.installEventFilter(self)  # follows the field when the form is laid out again

    def show_text(self, text: str) -> None:
        self.setText(text)
        self._place()
        self.show()
        self.raise_()

    def _place(self) -> None:
        """Under the field, as wide as it (at least 320 px), above it if the window ends."""
        window = self.field.window()
        width = min(max(self.field.width(), 320), window.width())
        self.setFixedSize(width, self.heightForWidth(width))
        below = self.field.mapTo(window, QtCore.QPoint(0, self.field.height() + 2))
        x = min(max(below.x(), 0), window.width() - width)
        y = below.y()
        if y + self.height() > window.height():
            y = self.field.mapTo(window, QtCore.QPoint(0, 0)).y() - self.height() - 2
        self.move(x, max(y, 0))

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if self.isVisible() and event.type() in (QtCore.QEvent.Move, QtCore.QEvent.Resize):
            self._place()
        elif event.type() == QtCore.QEvent.Hide:
            self.hide()
        return False

    def _on_focus_changed(self, _old, now) -> None:
        if self.isVisible() and now is not None and now is not self.field:
            if not self.field.isAncestorOf(now):
                self.hide()


class Refusing:
    """What both field classes share: parse what was typed, refuse out-of-range numbers."""

    note: FieldNote | None = None

    def _typed_number(self, text: str) -> float | None:
        t = text
        if self.prefix() and t.startswith(self.prefix()):
            t = t[len(self.prefix()) :]
        if self.suffix() and t.endswith(self.suffix()):
            t = t[: -len(self.suffix())]
        t = t.strip()
        if not _NUMBER.match(t):
            return None
        return float(t.replace(",", "."))

    def _check(self, state, text: str, pos: int):
        """Qt's answer, except that an out-of-range number may still be typed."""
        if state != QtGui.QValidator.Invalid:
            return state, text, pos
        bare = text.removeprefix(self.prefix()).removesuffix(self.suffix()).strip()
        if bare in ("", "-", "+", ".", ",") or self._typed_number(text) is not None:
            return QtGui.QValidator.Intermediate, text, pos
        return state, text, pos

    def _refuse_if_out_of_range(self, text: str) -> None:
        value = self._typed_number(text)
        if value is None or self.minimum() <= value <= self.maximum():
            return
        decimals = self.decimals() if isinstance(self, QtWidgets.QDoubleSpinBox) else 0
        self.refuse(refusal(field_name(self), value, self.minimum(), self.maximum(), decimals))

    def refuse(self, message: str) -> None:
        """Keep the old value and say why next to the field (``refused`` tells others)."""
        if self.note is None:
            self.note = FieldNote(self)
            self.lineEdit().textEdited.connect(self.note.hide)
        self.note.show_text(message)
        self.refused.emit(message)

    # Qt's overrides, written once for both field classes (the mixin comes first).
    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.valueChanged.connect(self._on_value_changed)

    def validate(self, text: str, pos: int):  # noqa: D102 - Qt override
        return self._check(*super().validate(text, pos))

    def fixup(self, text: str) -> str:  # noqa: D102 - Qt override
        self._refuse_if_out_of_range(text)
        return text

    def _on_value_changed(self, _value) -> None:
        if self.note is not None:
            self.note.hide()


class RangeSpinBox(Refusing, QtWidgets.QSpinBox):
    """A ``QSpinBox`` that refuses out-of-range numbers instead of changing them.

    Signals: ``refused(str)`` with the sentence shown under the field.
    """

    refused = QtCore.Signal(str)


class RangeDoubleSpinBox(Refusing, QtWidgets.QDoubleSpinBox):
    """A ``QDoubleSpinBox`` that refuses out-of-range numbers instead of changing them."""

    refused = QtCore.Signal(str)
