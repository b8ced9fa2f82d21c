"""The editors of the layer inspector: one field per setting, with the catalog's ranges.

``LayerField`` makes the right editor for a setting (a refusing spin box, a combo box of human
names), shows a value without echoing it back as an edit, and hands edits to ``on_edit``.
"""

from __future__ import annotations

from PySide6 import QtWidgets

from visualnn.ui import theme
from visualnn.ui.model.catalog import (
    ACTIVATION_CHOICES,
    INIT_CHOICES,
    SETTING_RANGES,
    human_name,
)
from visualnn.ui.panels import recurrent_fields
from visualnn.ui.panels.fields import RangeDoubleSpinBox, RangeSpinBox

_CONV_PADDING = [
    ("valid", "valid (none)"),
    ("same", "same (keep size)"),
    (1, "1"),
    (2, "2"),
    (3, "3"),
]
_POOL_PADDING = [(0, "0"), (1, "1"), (2, "2")]


def _first(v):
    return v[0] if isinstance(v, list | tuple) else v


def narrow_combo() -> QtWidgets.QComboBox:
    """A combo whose width does not follow its longest item: the dock is ~320 px wide at
    1280x720 and a long item would otherwise push the whole panel into sideways scrolling."""
    w = QtWidgets.QComboBox()
    w.setSizeAdjustPolicy(QtWidgets.QComboBox.AdjustToMinimumContentsLengthWithIcon)
    w.setMinimumContentsLength(8)
    return w


def wrapping_form(parent: QtWidgets.QWidget) -> QtWidgets.QFormLayout:
    """A form that puts a label above its editor when the row is too narrow for both."""
    form = QtWidgets.QFormLayout(parent)
    form.setRowWrapPolicy(QtWidgets.QFormLayout.WrapLongRows)
    return form


class LayerField:
    """One editor: ``widget``, ``show(value)`` without emitting, edits go to ``on_edit``."""

    def __init__(self, key: str, layer_type: str, on_edit) -> None:
        self.key, self.on_edit = key, on_edit
        self.widget = self._make(key, layer_type)
        theme.set_font(self.widget)

    def _spin(self, lo, hi, special: str | None = None):
        w = RangeSpinBox()
        w.setRange(lo, hi)
        w.setKeyboardTracking(False)  # one edit per Enter/arrow, not per keystroke
        if special:
            w.setSpecialValueText(special)
        w.valueChanged.connect(
            lambda v: self.on_edit(self.key, None if special and v == lo else int(v))
        )
        return w

    def _combo(self, items: list[tuple]):
        w = narrow_combo()
        for data, text in items:
            w.addItem(text, data)
        w.currentIndexChanged.connect(lambda i: self.on_edit(self.key, w.itemData(i)))
        return w

    def _make(self, key: str, layer_type: str) -> QtWidgets.QWidget:
        pool = layer_type in ("maxpool2d", "avgpool2d")
        if key in recurrent_fields.EDITORS:
            return recurrent_fields.EDITORS[key](self)
        if key == "stride" and pool:
            return self._spin(0, int(SETTING_RANGES["stride"][1]), "= kernel")
        if key in ("units", "out_channels", "kernel_size", "stride", "dilation"):
            return self._spin(*(int(v) for v in SETTING_RANGES[key]))
        if key == "padding":
            return self._combo(_POOL_PADDING if pool else _CONV_PADDING)
        if key == "activation":
            return self._combo(
                [(None if a == "linear" else a, human_name(a)) for a in ACTIVATION_CHOICES]
            )
        if key == "init":
            return self._combo(
                [(None if a == "default" else a, human_name(a)) for a in INIT_CHOICES]
            )
        w = RangeDoubleSpinBox()
        w.setKeyboardTracking(False)
        w.setRange(*SETTING_RANGES.get(key, (0.0, 1.0)))
        if key == "p":
            w.setSingleStep(0.05)
        else:  # negative_slope
            w.setDecimals(3)
            w.setSingleStep(0.01)
        w.valueChanged.connect(lambda v: self.on_edit(self.key, float(v)))
        return w

    def show(self, value) -> None:
        w = self.widget
        w.blockSignals(True)
        try:
            if isinstance(w, QtWidgets.QComboBox):
                i = w.findData(value)
                if i < 0 and value is not None:  # a value from a file the menu does not list
                    w.addItem(human_name(value), value)
                    i = w.count() - 1
                w.setCurrentIndex(max(i, 0))
            elif isinstance(w, QtWidgets.QCheckBox):
                recurrent_fields.show_check(w, value)
            elif isinstance(w, QtWidgets.QSpinBox):
                w.setValue(w.minimum() if value is None else int(_first(value)))
            else:
                w.setValue(float(value))
        finally:
            w.blockSignals(False)
