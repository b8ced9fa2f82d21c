"""Small widgets the training panel is made of: a log-scale spin box and the banner."""

from __future__ import annotations

import math

from PySide6 import QtCore, QtGui, QtWidgets

from visualnn.ui import theme

#: Nice learning rates: 1, 2, 5 in every decade; the arrows walk along this ladder.
_MANTISSAS = (1.0, 2.0, 5.0)


def _ladder(lo: float, hi: float, smallest: float = 1e-6) -> list[float]:
    # A range starting at 0 (weight decay, clipping) steps 0 -> smallest -> 2 x smallest...
    out = [0.0] if lo <= 0 else []
    first = max(lo, smallest)
    for exp in range(math.floor(math.log10(first)), math.ceil(math.log10(hi)) + 1):
        out += [m * 10.0**exp for m in _MANTISSAS if first <= m * 10.0**exp <= hi]
    return out


class LogSpinBox(QtWidgets.QDoubleSpinBox):
    """A spin box for values spanning decades (learning rates): arrows go 0.01, 0.02,
    0.05, 0.1...; typing any number (``3e-4``) works; text shows 3 significant digits."""

    def __init__(self, lo: float = 1e-6, hi: float = 1e6, smallest: float = 1e-6,
                 parent=None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setDecimals(12)  # the text is ours; this only stops Qt rounding the value
        self.setRange(lo, hi)
        self._ladder = _ladder(lo, hi, smallest)
        self.setKeyboardTracking(False)

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt override
        # Qt sizes a spin box for its widest value at full decimals ("1000000.000000000000");
        # ours never shows more than "1.23e-06".
        hint = super().sizeHint()
        width = self.fontMetrics().horizontalAdvance("8.88e-088") + 40
        return QtCore.QSize(min(hint.width(), width), hint.height())

    def minimumSizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt override
        return self.sizeHint()

    def textFromValue(self, value: float) -> str:  # noqa: N802 - Qt override
        return f"{value:.3g}"

    def valueFromText(self, text: str) -> float:  # noqa: N802 - Qt override
        try:
            return float(text.strip().replace(",", "."))
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):  # noqa: D102 - Qt override
        t = text.strip().replace(",", ".")
        try:
            v = float(t)
        except ValueError:
            ok = t == "" or all(c in "0123456789.eE+-" for c in t)
            state = QtGui.QValidator.Intermediate if ok else QtGui.QValidator.Invalid
            return state, text, pos
        if self.minimum() <= v <= self.maximum():
            return QtGui.QValidator.Acceptable, text, pos
        return QtGui.QValidator.Intermediate, text, pos

    def stepBy(self, steps: int) -> None:  # noqa: N802 - Qt override
        v = self.value()
        if steps > 0:
            bigger = [x for x in self._ladder if x > v * 1.0001]
            target = bigger[min(steps, len(bigger)) - 1] if bigger else self.maximum()
        else:
            smaller = [x for x in self._ladder if x < v * 0.9999]
            target = smaller[-min(-steps, len(smaller))] if smaller else self.minimum()
        self.setValue(target)


class Banner(QtWidgets.QFrame):
    """A non-modal message strip with a Dismiss button (divergence, failed runs, recovery).

    Extra buttons can be added with :meth:`add_button`; they are removed on the next
    :meth:`show_message`.
    """

    dismissed = QtCore.Signal()

    _COLOURS = {"error": theme.ERROR, "warning": theme.WARNING, "info": theme.ACCENT}

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        self.icon = QtWidgets.QLabel("\u26a0")
        self.icon.setFont(theme.font(1.6, bold=True))
        self.label = QtWidgets.QLabel()
        self.label.setWordWrap(True)
        self.label.setFont(theme.font(1.05))
        self.label.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        self.buttons = QtWidgets.QHBoxLayout()
        self.dismiss_button = QtWidgets.QPushButton("Dismiss")
        self.dismiss_button.clicked.connect(self._on_dismiss_button_clicked)
        layout.addWidget(self.icon, 0, QtCore.Qt.AlignTop)
        layout.addWidget(self.label, 1)
        layout.addLayout(self.buttons)
        layout.addWidget(self.dismiss_button, 0, QtCore.Qt.AlignTop)
        self._extra: list[QtWidgets.QPushButton] = []
        self.kind = "info"
        self.hide()

    def show_message(self, text: str, kind: str = "error") -> None:
        for b in self._extra:
            b.deleteLater()
        self._extra = []
        self.kind = kind
        colour = self._COLOURS.get(kind, theme.ACCENT)
        self.setStyleSheet(
            f"#banner {{ background: #2a1d22; border: 2px solid {colour}; border-radius: 6px; }}"
            if kind == "error"
            else f"#banner {{ background: {theme.PANEL}; border: 2px solid {colour};"
            " border-radius: 6px; }"
        )
        self.icon.setStyleSheet(f"color: {colour};")
        self.icon.setText("\u26a0" if kind != "info" else "\u2139")
        self.label.setText(text)
        self.show()

    def add_button(self, text: str, slot) -> QtWidgets.QPushButton:
        button = QtWidgets.QPushButton(text)
        button.clicked.connect(slot)
        self.buttons.addWidget(button, 0, QtCore.Qt.AlignTop)
        self._extra.append(button)
        return button

    def _on_dismiss_button_clicked(self) -> None:
        self.hide()
        self.dismissed.emit()
