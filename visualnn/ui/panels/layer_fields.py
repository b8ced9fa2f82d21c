"""The editors of the layer inspector: one field per setting, made from the settings model.

``LayerField`` makes the editor a setting's kind asks for (a refusing spin box over the
range the inspector offers, a combo box of human names), with the setting's help as its
tooltip; it shows a value without echoing it back as an edit and hands edits to
``on_edit``. :func:`shown_value` is what the editor shows for a layer's setting, the
engine's default when the spec leaves it out.
"""

from __future__ import annotations

from PySide6 import QtWidgets

from visualnn.engine.settings import CHOICE, PAIR, PROBABILITY, REQUIRED, WHOLE, Setting, setting
from visualnn.ui import theme
from visualnn.ui.model.catalog import human_name
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
#: Choices that mean "the engine's default": the combo sends None, which removes the key.
_MEANS_DEFAULT = {"linear", "default"}
_POOLS = ("maxpool2d", "avgpool2d")


def _first(v):
    return v[0] if isinstance(v, list | tuple) else v


def shown_value(layer: dict, key: str):
    """What the editor of ``key`` shows for ``layer`` (a spec dict): its value, else the
    engine's default, in the editor's terms (no activation and a conv padding of 0 read as
    the combo's "None (linear)" and "valid")."""
    s = setting(layer["type"], key)
    value = layer.get(key)
    if value is None and s is not None and s.default is not REQUIRED:
        value = s.default
    if value in _MEANS_DEFAULT or (key == "activation" and value == "identity"):
        return None
    if key == "padding" and layer["type"] not in _POOLS and value == 0:
        return "valid"
    return value


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
        self.setting = setting(layer_type, key)
        self.widget = self._make(self.setting, layer_type)
        self.widget.setToolTip(self.setting.help)
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

    def _make(self, s: Setting, layer_type: str) -> QtWidgets.QWidget:
        offered = s.offered
        if s.key in recurrent_fields.EDITORS:
            return recurrent_fields.EDITORS[s.key](self)
        if s.key == "padding":
            return self._combo(_POOL_PADDING if layer_type in _POOLS else _CONV_PADDING)
        if s.kind in (WHOLE, PAIR) and s.none_ok:  # a pool's stride: empty = its kernel
            return self._spin(0, int(offered.high), "= kernel")
        if s.kind in (WHOLE, PAIR):
            return self._spin(int(offered.low), int(offered.high))
        if s.kind == CHOICE:
            return self._combo(
                [(None if a in _MEANS_DEFAULT else a, human_name(a)) for a in offered.words]
            )
        w = RangeDoubleSpinBox()  # a probability or a real number
        w.setKeyboardTracking(False)
        w.setRange(offered.low, offered.high)
        if s.kind == PROBABILITY:
            w.setSingleStep(0.05)
        else:
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
                w.setChecked(bool(value))
            elif isinstance(w, QtWidgets.QSpinBox):
                w.setValue(w.minimum() if value is None else int(_first(value)))
            else:
                w.setValue(float(value))
        finally:
            w.blockSignals(False)
