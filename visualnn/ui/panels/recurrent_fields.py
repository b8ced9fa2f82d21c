"""The inspector's editors for recurrent layers' settings that need words of their own.

``EDITORS`` maps a setting to a function making its widget for a ``LayerField`` (which gives
``_spin`` and ``_combo``, sets the setting's help as tooltip and receives the edits); every
other setting gets the editor its kind asks for.
"""

from __future__ import annotations

from PySide6 import QtWidgets

#: ``return_sequences``: what the layer hands to the next one.
OUTPUT_CHOICES = [(False, "last step only"), (True, "every time step")]
NONLINEARITY_CHOICES = [("tanh", "tanh (−1 … 1)"), ("relu", "relu (≥ 0)")]


def _bidirectional(field) -> QtWidgets.QWidget:
    w = QtWidgets.QCheckBox("also read the sequence backwards")
    w.toggled.connect(lambda on: field.on_edit(field.key, bool(on)))
    return w


EDITORS = {
    "bidirectional": _bidirectional,
    "return_sequences": lambda field: field._combo(OUTPUT_CHOICES),
    "nonlinearity": lambda field: field._combo(NONLINEARITY_CHOICES),
}
