"""What is being looked at: the model the views draw, the selected unit, the input shown.

The input the views show has one of three sources, and views never ask which: a sample of
the data set's test part, something the user made (a drawn digit), or the live input (the
newest second of the window's audio, refreshed by :class:`visualnn.ui.live_input.LiveInput`).
:meth:`Inspection.sample` returns the current one as a batch of one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6 import QtCore

from visualnn.engine import Sequential, SpecError

#: ``Inspection.source`` values.
SOURCES = ("dataset", "custom", "live")


@dataclass(frozen=True)
class Selection:
    """What the user clicked: a layer, and optionally one unit in it.

    ``unit`` is ``(j,)`` for a dense unit or ``(channel, row, col)`` / ``(channel, t)`` for a
    position of a feature map. In a recurrent layer it is ``(j, t)``, unit ``j`` at time
    step ``t``, or ``(j,)`` for unit ``j``'s final state (see ``model/recurrent``).
    """

    layer: int | None = None
    unit: tuple[int, ...] | None = None


class Inspection(QtCore.QObject):
    """The looked-at half of a session (never saved).

    Signals
    -------
    spec_changed()
        ``model`` was rebuilt (or could not be: ``spec_error``).
    weights_updated()
        ``model``'s weights (and ``last_grads``) changed: a training frame, a reset.
    sample_changed()
        The input shown changed: another sample, a drawing, a new live frame.
    selection_changed()
    training_state_changed(str)
        One of ``STATES``.
    diverged(str)
        Training stopped on a non-finite loss; the text says what happened and what to try.
    batch_changed()
        In slow motion, a new batch was trained: ``batch_indices`` holds its samples.
    preview_changed()
        The pointer went onto a neuron of the graph or off it: ``preview``.
    """

    spec_changed = QtCore.Signal()
    weights_updated = QtCore.Signal()
    sample_changed = QtCore.Signal()
    selection_changed = QtCore.Signal()
    training_state_changed = QtCore.Signal(str)
    diverged = QtCore.Signal(str)
    batch_changed = QtCore.Signal()
    preview_changed = QtCore.Signal()

    #: ``training_state`` values: nothing trained yet, training, paused, all epochs done,
    #: stopped on a non-finite loss.
    STATES = ("idle", "running", "paused", "finished", "diverged")

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.model: Sequential | None = None
        self.spec_error: SpecError | None = None
        self.last_grads: list[dict] | None = None
        self.selection = Selection()
        self.source = "dataset"
        self.sample_index = 0
        self._custom: np.ndarray | None = None
        self._live: np.ndarray | None = None
        self.dataset = None  # the project's data set, set by the session
        self.training_state = "idle"
        #: Indices (into the training set) of the batch just trained, in slow motion.
        self.batch_indices: np.ndarray = np.zeros(0, np.int64)
        #: ``(layer, unit)`` under the pointer in the graph (layer None: an input feature),
        #: whose output the Decision boundary shows meanwhile, as TensorFlow Playground does;
        #: None: nothing pointed at.
        self.preview: tuple[int | None, int] | None = None

    # --- the input shown ------------------------------------------------------------------
    def sample(self) -> tuple[np.ndarray, object]:
        """The input shown as a batch of one, ``(1, *input_shape)`` float32, and its label
        (None for a drawing or live input)."""
        if self.source == "custom" and self._custom is not None:
            return self._custom[None], None
        if self.source == "live":
            if self._live is None:
                raise SpecError("waiting for sound: start the microphone (or a file or tone)")
            return self._live[None], None
        ds = self.dataset
        if ds is None or len(ds.x_test) == 0:
            raise SpecError("no dataset is loaded")
        i = self.sample_index % len(ds.x_test)
        return ds.x_test[i : i + 1], ds.y_test[i]

    def select_sample(self, index: int) -> None:
        """Show test sample ``index`` (and leave a drawing or live input)."""
        self.sample_index, self.source = int(index), "dataset"
        self.sample_changed.emit()

    def set_custom_sample(self, x: np.ndarray) -> None:
        """Show a user-made input of shape ``input_shape`` (a drawn digit)."""
        self._custom, self.source = np.asarray(x, dtype=np.float32), "custom"
        self.sample_changed.emit()

    def set_live(self, on: bool) -> None:
        """Make the live input the sample shown (or go back to the data set's sample)."""
        source = "live" if on else "dataset"
        if source != self.source:
            self.source = source
            self.sample_changed.emit()

    def set_live_sample(self, x: np.ndarray) -> None:
        """A new live frame ``input_shape``; shown at once when live is on."""
        self._live = np.asarray(x, dtype=np.float32)
        if self.source == "live":
            self.sample_changed.emit()

    def reset_sample(self, dataset) -> None:
        """A new data set: its first test sample (live input stays live)."""
        self.dataset = dataset
        self.sample_index, self._custom = 0, None
        self._live = None
        if self.source == "custom":
            self.source = "dataset"
        self.sample_changed.emit()

    # --- the model the views draw ----------------------------------------------------------
    def set_model(self, model: Sequential | None, error: SpecError | None = None) -> None:
        self.model, self.spec_error, self.last_grads = model, error, None
        self.spec_changed.emit()
        self.weights_updated.emit()

    def apply_snapshot(self, weights: list[dict], grads: list[dict] | None = None) -> None:
        """Copy weights a training run published into ``model`` and tell the views."""
        if self.model is None:
            return
        try:
            self.model.set_weights(weights)
        except (SpecError, ValueError, IndexError, KeyError):
            return  # a snapshot from a model the user has just edited away: drop it
        self.last_grads = grads
        self.weights_updated.emit()

    def set_batch(self, indices: np.ndarray) -> None:
        """The training samples of the batch just trained (slow motion shows them)."""
        self.batch_indices = np.asarray(indices, dtype=np.int64)
        self.batch_changed.emit()

    def set_preview(self, target: tuple[int | None, int] | None) -> None:
        """Point at unit ``target = (layer, unit)`` of the graph (None: at nothing)."""
        if target != self.preview:
            self.preview = target
            self.preview_changed.emit()

    def select(self, layer: int | None, unit: tuple[int, ...] | None = None) -> None:
        self.selection = Selection(layer, unit)
        self.selection_changed.emit()

    def set_training_state(self, state: str) -> None:
        if state != self.training_state:
            self.training_state = state
            self.training_state_changed.emit(state)
