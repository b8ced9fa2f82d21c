"""The inspector's editors for recurrent layers' settings, in words a student reads.

``EDITORS`` maps a setting to a function making its widget for an inspector ``_Field``
(which gives ``_spin`` and ``_combo`` and receives the edits); ``SHOWN_DEFAULTS`` is what
the editor shows when the spec leaves a setting out (the engine's default).
"""

from __future__ import annotations

from PySide6 import QtWidgets

from visualnn.engine.recurrent import MAX_HIDDEN

#: ``return_sequences``: what the layer hands to the next one.
OUTPUT_CHOICES = [(False, "last step only"), (True, "every time step")]
NONLINEARITY_CHOICES = [("tanh", "tanh (−1 … 1)"), ("relu", "relu (≥ 0)")]
SHOWN_DEFAULTS = {"bidirectional": False, "return_sequences": False, "nonlinearity": "tanh"}


def _hidden_size(field) -> QtWidgets.QWidget:
    w = field._spin(1, MAX_HIDDEN)
    w.setToolTip("How many numbers the layer remembers from one step to the next")
    return w


def _bidirectional(field) -> QtWidgets.QWidget:
    w = QtWidgets.QCheckBox("also read the sequence backwards")
    w.setToolTip(
        "A second set of units reads from the last step to the first; the outputs of both "
        "directions are put side by side (twice the units)"
    )
    w.toggled.connect(lambda on: field.on_edit(field.key, bool(on)))
    return w


def _return_sequences(field) -> QtWidgets.QWidget:
    w = field._combo(OUTPUT_CHOICES)
    w.setToolTip(
        "Last step only: the memory after the whole sequence (for a Dense layer). Every "
        "time step: units × time (for Flatten, Conv1D or another recurrent layer)"
    )
    return w


def _nonlinearity(field) -> QtWidgets.QWidget:
    return field._combo(NONLINEARITY_CHOICES)


EDITORS = {
    "hidden_size": _hidden_size,
    "bidirectional": _bidirectional,
    "return_sequences": _return_sequences,
    "nonlinearity": _nonlinearity,
}


def show_check(widget: QtWidgets.QCheckBox, value) -> None:
    """Show ``value`` in a check box (signals are blocked by the caller)."""
    widget.setChecked(bool(value))
