"""The shared state of one open project: what every view reads and every panel edits.

Only the GUI thread touches a ``Session``. The training worker never sees it: it gets a
snapshot of the spec and config when it starts and publishes copies back through signals,
which the main window feeds into ``apply_snapshot``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6 import QtCore

from visualnn.data import Dataset, load_dataset
from visualnn.engine import Sequential, SpecError, TrainConfig
from visualnn.ui.graph.document import SpecDocument


@dataclass(frozen=True)
class Selection:
    """What the user clicked: a layer, and optionally one unit in it.

    ``unit`` is ``(j,)`` for a dense unit or ``(channel, row, col)`` / ``(channel, t)`` for a
    position of a feature map.
    """

    layer: int | None = None
    unit: tuple[int, ...] | None = None


class Session(QtCore.QObject):
    """Hub between the document, the dataset, the GUI-thread model copy and the views."""

    spec_changed = QtCore.Signal()
    weights_updated = QtCore.Signal()
    dataset_changed = QtCore.Signal()
    sample_changed = QtCore.Signal()
    selection_changed = QtCore.Signal()
    history_changed = QtCore.Signal()
    training_state_changed = QtCore.Signal(str)
    diverged = QtCore.Signal(str)

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.document = SpecDocument(self)
        self.config = TrainConfig()
        self.task = "classification"
        self.dataset_name = "circle"
        self.dataset_params: dict = {}
        self.dataset: Dataset | None = None
        self.seed = 0
        self.view_model: Sequential | None = None
        self.last_grads: list[dict] | None = None
        self.spec_error: SpecError | None = None
        self.sample_index = 0
        self.custom_sample: np.ndarray | None = None  # drawn digit, live audio...
        self.selection = Selection()
        self.history: list[dict] = []
        self.batch_losses: list[float] = []
        self.document.changed.connect(self._on_document_changed)

    # --- dataset ------------------------------------------------------------------------
    def set_dataset(self, name: str, **params) -> None:
        """Load a dataset by registry name; raises ``SpecError`` with a plain message."""
        self.dataset = load_dataset(name, **params)
        self.dataset_name, self.dataset_params = name, dict(params)
        self.sample_index = min(self.sample_index, len(self.dataset.x_test) - 1)
        self.custom_sample = None
        self.dataset_changed.emit()
        self.sample_changed.emit()

    def sample(self) -> tuple[np.ndarray, object]:
        """The selected sample as a batch of one, ``(1, *input_shape)``, and its label."""
        if self.custom_sample is not None:
            return self.custom_sample[None].astype(np.float32), None
        if self.dataset is None or len(self.dataset.x_test) == 0:
            raise SpecError("no dataset is loaded")
        i = self.sample_index % len(self.dataset.x_test)
        return self.dataset.x_test[i : i + 1], self.dataset.y_test[i]

    def select_sample(self, index: int) -> None:
        self.sample_index, self.custom_sample = int(index), None
        self.sample_changed.emit()

    def set_custom_sample(self, x: np.ndarray) -> None:
        """Show a user-made input (a drawn digit, a live spectrogram), shape ``input_shape``."""
        self.custom_sample = np.asarray(x, dtype=np.float32)
        self.sample_changed.emit()

    def select(self, layer: int | None, unit: tuple[int, ...] | None = None) -> None:
        self.selection = Selection(layer, unit)
        self.selection_changed.emit()

    # --- model --------------------------------------------------------------------------
    def rebuild_model(self) -> None:
        """Build a fresh model (seeded) from the document; keeps the error if it is invalid."""
        try:
            self.view_model = Sequential.from_spec(
                self.document.layers, self.document.input_shape, seed=self.seed
            )
            self.spec_error = None
        except SpecError as exc:
            self.view_model, self.spec_error = None, exc
        self.last_grads = None
        self.spec_changed.emit()
        self.weights_updated.emit()

    def apply_snapshot(self, weights: list[dict], grads: list[dict] | None = None) -> None:
        """Copy weights published by the worker into the view model and tell the views."""
        if self.view_model is None:
            return
        self.view_model.set_weights(weights)
        self.last_grads = grads
        self.weights_updated.emit()

    def _on_document_changed(self) -> None:
        self.rebuild_model()
