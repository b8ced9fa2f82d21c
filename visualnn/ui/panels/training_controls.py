"""Small widgets the training panel is made of (a log-scale spin box, the banner) and the
names its choices show."""

from __future__ import annotations

import html
import math
import re

from PySide6 import QtCore, QtGui, QtWidgets

from visualnn.ui import icons, theme
from visualnn.ui.panels.fields import Refusing, field_name

OPTIMIZER_LABELS = {"sgd": "SGD", "rmsprop": "RMSprop", "adagrad": "Adagrad", "adam": "Adam"}
LOSS_LABELS = {
    "cross_entropy": "Cross-entropy",
    "mse": "Mean squared error",
    "l1": "Mean absolute (L1)",
    "bce": "Binary cross-entropy",
}
#: Which optimizer settings to show for each optimizer (if ``TrainConfig`` has the field).
OPTIMIZER_SETTINGS = {
    "sgd": ("momentum", "nesterov"),
    "rmsprop": ("momentum",),
    "adagrad": (),
    "adam": ("betas",),
}
#: Learning-rate schedules (``TrainConfig.lr_schedule``) as the dock names them.
SCHEDULE_LABELS = {"constant": "constant", "cosine": "cosine decay to 0"}

#: Nice learning rates: 1, 2, 5 in every decade; the arrows walk along this ladder.
_MANTISSAS = (1.0, 2.0, 5.0)


def _ladder(lo: float, hi: float, smallest: float = 1e-6) -> list[float]:
    # A range starting at 0 (weight decay, clipping) steps 0 -> smallest -> 2 x smallest...
    out = [0.0] if lo <= 0 else []
    first = max(lo, smallest)
    for exp in range(math.floor(math.log10(first)), math.ceil(math.log10(hi)) + 1):
        out += [m * 10.0**exp for m in _MANTISSAS if first <= m * 10.0**exp <= hi]
    return out


class LogSpinBox(Refusing, QtWidgets.QDoubleSpinBox):
    """A spin box for values spanning decades (learning rates): arrows go 0.01, 0.02,
    0.05, 0.1...; typing any number (``3e-4``) works; text shows 3 significant digits; a
    number out of range is refused with a note saying the range (``refused(str)``)."""

    refused = QtCore.Signal(str)

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

    def fixup(self, text: str) -> str:  # noqa: D102 - Qt override
        value = self._typed_number(text)
        if value is not None and not self.minimum() <= value <= self.maximum():
            self.refuse(
                f"{field_name(self)}: from {self.minimum():g} to {self.maximum():g} "
                f"({value:g} is {'too big' if value > self.maximum() else 'too small'})"
            )
        return text

    def stepBy(self, steps: int) -> None:  # noqa: N802 - Qt override
        v = self.value()
        if steps > 0:
            bigger = [x for x in self._ladder if x > v * 1.0001]
            target = bigger[min(steps, len(bigger)) - 1] if bigger else self.maximum()
        else:
            smaller = [x for x in self._ladder if x < v * 0.9999]
            target = smaller[-min(-steps, len(smaller))] if smaller else self.minimum()
        self.setValue(target)


def short_divergence(text: str) -> tuple[str, str] | None:
    """``(headline, advice)`` for the banner from the trainer's divergence text.

    The full text (where, which value, what was restored, what to try, what next) runs to
    eight lines in the ~320 px Training dock of a 1280x720 projector, below the fold. The
    short form keeps the step, the value and what to try; None when ``text`` does not read
    as a divergence message (then it is shown whole).
    """
    plain = re.sub(r"<[^>]+>", " ", text)
    where = re.search(r"at epoch (\d+), batch (\d+)", plain)
    what = re.search(r"the (loss|gradient norm) became (\S+?) at", plain, re.IGNORECASE)
    if not (where and what and "diverged" in plain):
        return None
    headline = (
        f"Training diverged at epoch {where.group(1)}, batch {where.group(2)}: "
        f"{what.group(1)} = {what.group(2)}"
    )
    lr = re.search(r"\((\S+) \u2192 (\S+?)\)", plain)
    tries = [f"learning rate {lr.group(2)}"] if lr else ["a smaller learning rate"]
    if "clipping" in plain:
        tries.append("gradient clipping")
    return headline, f"Try {' or '.join(tries)}, then Play."


class Banner(QtWidgets.QFrame):
    """A non-modal message strip with a Dismiss button (divergence, failed runs, recovery).

    Extra buttons can be added with :meth:`add_button`; they are removed on the next
    :meth:`show_message`.
    """

    dismissed = QtCore.Signal()

    _COLOURS = {"error": "ERROR", "warning": "WARNING", "info": "ACCENT"}  # theme roles

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(10, 8, 8, 8)
        outer.setSpacing(4)
        layout = QtWidgets.QHBoxLayout()
        self.icon = QtWidgets.QLabel()
        self.label = QtWidgets.QLabel()
        self.label.setWordWrap(True)
        theme.set_font(self.label, 1.05)
        self.label.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        # Buttons on a row of their own under the text: beside it they left a narrow dock's
        # words a third of its width, and the message ran below the fold.
        self.buttons = QtWidgets.QHBoxLayout()
        self.buttons.addStretch(1)
        self.dismiss_button = QtWidgets.QPushButton("Dismiss")
        self.dismiss_button.clicked.connect(self._on_dismiss_button_clicked)
        self.details_button = QtWidgets.QPushButton("Details")
        self.details_button.setCheckable(True)
        self.details_button.toggled.connect(self._on_details_button_toggled)
        layout.addWidget(self.icon, 0, QtCore.Qt.AlignTop)
        layout.addWidget(self.label, 1)
        outer.addLayout(layout)
        outer.addLayout(self.buttons)
        self.buttons.addWidget(self.details_button)
        self.buttons.addWidget(self.dismiss_button)
        self._extra: list[QtWidgets.QPushButton] = []
        self._short, self._full = "", ""
        self.kind = "info"
        self.hide()

    def show_divergence(self, text: str) -> None:
        """The divergence text as a bold headline and one line of advice; Details (and the
        tooltip) show all of it."""
        short = short_divergence(text)
        if short is None:
            self.show_message(text, "error")
            return
        headline, advice = (html.escape(t) for t in short)
        self.show_message(f"<b>{headline}</b><br>{advice}", "error", details=text)

    def show_message(self, text: str, kind: str = "error", details: str | None = None) -> None:
        """Show ``text`` (rich text allowed); ``details``, if given, is the full story behind
        a Details button and in the tooltip."""
        for b in self._extra:
            b.deleteLater()
        self._extra = []
        self.kind = kind
        colour = self._COLOURS.get(kind, "ACCENT")
        background = "ERROR_PANEL" if kind == "error" else "PANEL"
        theme.style(
            self,
            f"#banner {{ background: {{{background}}}; border: 2px solid {{{colour}}};"
            " border-radius: 6px; }",
        )
        icons.set_icon(self.icon, "info" if kind == "info" else "warning", colour)
        self._short, self._full = text, details or ""
        self.details_button.blockSignals(True)
        self.details_button.setChecked(False)
        self.details_button.blockSignals(False)
        self.details_button.setVisible(bool(details))
        self.label.setToolTip(details or "")
        self.label.setText(text)
        self.show()

    def add_button(self, text: str, slot) -> QtWidgets.QPushButton:
        button = QtWidgets.QPushButton(text)
        button.clicked.connect(slot)
        self.buttons.insertWidget(1, button)  # after the stretch, before Details/Dismiss
        self._extra.append(button)
        return button

    def _on_details_button_toggled(self, on: bool) -> None:
        self.label.setText(self._full if on else self._short)

    def _on_dismiss_button_clicked(self) -> None:
        self.hide()
        self.dismissed.emit()
