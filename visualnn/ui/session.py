"""The shared state of one open project: what every view reads and every panel edits.

Only the GUI thread touches a ``Session``. The training worker never sees it: it gets a
snapshot of the spec and config when it starts and publishes copies back through signals,
which the main window feeds into ``apply_snapshot``.
"""

from __future__ import annotations

import copy
import dataclasses
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
    #: Hyper-parameters in ``config`` changed (a panel edit, a preset, an opened file).
    config_changed = QtCore.Signal()
    #: The project has unsaved changes (True) or was just saved / opened (False).
    modified_changed = QtCore.Signal(bool)

    #: ``training_state`` values: nothing trained yet, training, paused, all epochs done,
    #: stopped on a non-finite loss.
    STATES = ("idle", "running", "paused", "finished", "diverged")

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
        self.training_state = "idle"
        #: Optimizer settings ``TrainConfig`` has no field for (torch's names).
        self.optimizer_options: dict = {"nesterov": False, "betas": (0.9, 0.999)}
        self.preset_name: str | None = None
        self.modified = False
        self._loading = False  # bulk loads emit one rebuild, not one per step
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
        self.set_modified(True)

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
        try:
            self.view_model.set_weights(weights)
        except (ValueError, IndexError, KeyError):
            return  # a snapshot from a model the user has just edited away: drop it
        self.last_grads = grads
        self.weights_updated.emit()

    def _on_document_changed(self) -> None:
        if self._loading:
            return
        self.rebuild_model()
        self.set_modified(True)

    # --- hyper-parameters, history, state -------------------------------------------------
    def set_config(self, **changes) -> None:
        """Change ``config`` fields (``lr=0.1``...); unknown keys raise ``AttributeError``."""
        for key, value in changes.items():
            if not hasattr(self.config, key):
                raise AttributeError(f"TrainConfig has no setting '{key}'")
            setattr(self.config, key, value)
        self.config_changed.emit()
        self.set_modified(True)

    def optimizer_extras(self, name: str | None = None) -> dict:
        """Keyword arguments beyond ``TrainConfig`` for optimizer ``name`` (default: current)."""
        name = name or self.config.optimizer
        opts = self.optimizer_options
        if name == "sgd" and opts.get("nesterov") and self.config.momentum > 0:
            return {"nesterov": True}
        if name == "adam":
            return {"betas": tuple(opts.get("betas", (0.9, 0.999)))}
        return {}

    def record_epoch(self, report: dict) -> None:
        """Append one epoch report (epochs numbered on from earlier runs) to ``history``."""
        self.record_progress([("epoch", report)])

    def record_batches(self, losses: list[float]) -> None:
        """Append per-batch losses to ``batch_losses``."""
        self.record_progress([("batches", losses)])

    def record_progress(self, events: list[tuple[str, object]]) -> None:
        """Apply ``("batches", [loss, ...])`` and ``("epoch", report)`` events in order, then
        emit ``history_changed`` once (the training controller hands them over in bulk)."""
        epochs = False
        for kind, payload in events:
            if kind == "batches":
                self.batch_losses.extend(float(v) for v in payload)
            else:
                entry = dict(payload)
                entry["epoch"] = len(self.history) + 1
                entry["batches"] = len(self.batch_losses)  # lines the batch trace up
                entry.pop("kind", None)
                self.history.append(entry)
                epochs = True
        if events:
            self.history_changed.emit()
        if epochs:
            self.set_modified(True)

    def clear_history(self) -> None:
        self.history, self.batch_losses = [], []
        self.history_changed.emit()

    def set_training_state(self, state: str) -> None:
        if state != self.training_state:
            self.training_state = state
            self.training_state_changed.emit(state)

    def set_modified(self, modified: bool) -> None:
        if modified != self.modified:
            self.modified = modified
            self.modified_changed.emit(modified)

    # --- whole projects -------------------------------------------------------------------
    def load_preset(self, name: str) -> None:
        """Replace everything with preset ``name`` (fresh weights, empty history, no undo)."""
        from visualnn.presets import PRESETS

        preset = PRESETS[name]
        self._load(
            layers=preset.spec,
            input_shape=preset.input_shape,
            config=copy.deepcopy(preset.config),
            task=preset.task,
            dataset=(preset.dataset, dict(preset.dataset_params)),
            history=[],
            weights=preset.weights,
            seed=preset.seed,
        )
        self.preset_name = name

    def to_project(self):
        """The session as a ``visualnn.project.Project`` (weights copied from the view model)."""
        from visualnn.project import Project

        weights = self.view_model.get_weights() if self.view_model is not None else None
        return Project(
            spec=copy.deepcopy(self.document.layers),
            input_shape=tuple(self.document.input_shape),
            config=self.config.to_dict(),
            dataset={"name": self.dataset_name, "params": dict(self.dataset_params)},
            history=copy.deepcopy(self.history),
            weights=weights,
            seed=self.seed,
            task=self.task,
            meta={
                "preset": self.preset_name,
                "optimizer_options": dict(self.optimizer_options),
            },
        )

    def apply_project(self, project) -> None:
        """Replace everything with ``project``; raises ``SpecError``/``ValueError`` *before*
        touching the session when its data set or weights do not fit."""
        config = TrainConfig.from_dict(dict(project.config))
        meta = dict(project.meta or {})
        ds = dict(project.dataset or {})
        self._load(
            layers=project.spec,
            input_shape=tuple(project.input_shape),
            config=config,
            task=getattr(project, "task", None) or meta.get("task", "classification"),
            dataset=(ds.get("name", "circle"), dict(ds.get("params", {}))),
            history=list(project.history or []),
            weights=project.weights,
            seed=project.seed,
        )
        self.preset_name = meta.get("preset")
        opts = dict(meta.get("optimizer_options") or {})
        if "betas" in opts:
            opts["betas"] = tuple(opts["betas"])
        self.optimizer_options.update(opts)

    def _load(self, layers, input_shape, config, task, dataset, history, weights, seed=None):
        # Everything that can fail runs first, so a bad file leaves the session as it was.
        data = load_dataset(dataset[0], **dataset[1])
        seed = int(config.seed if seed is None else seed)
        try:
            model, error = Sequential.from_spec(list(layers), tuple(input_shape), seed=seed), None
            if weights is not None:
                model.set_weights(weights)
        except SpecError as exc:
            if weights is not None:
                raise
            model, error = None, exc  # a half-edited network: open it to finish the edit
        self._loading = True
        try:
            # The data set fixes the input shape; loading is not an undoable edit.
            self.document.reset(list(layers), tuple(input_shape), locked=True)
        finally:
            self._loading = False
        self.config, self.task, self.seed = config, task, seed
        self.dataset, self.dataset_name, self.dataset_params = data, dataset[0], dict(dataset[1])
        self.sample_index, self.custom_sample = 0, None
        self.view_model, self.spec_error, self.last_grads = model, error, None
        self.history, self.batch_losses = [dict(h) for h in history], []
        self.selection = Selection()
        self.set_training_state("idle")
        for signal in (
            self.config_changed,
            self.dataset_changed,
            self.spec_changed,
            self.weights_updated,
            self.sample_changed,
            self.selection_changed,
            self.history_changed,
        ):
            signal.emit()
        self.set_modified(False)


def config_fields() -> list[str]:
    """Names of the ``TrainConfig`` settings (for panels and files)."""
    return [f.name for f in dataclasses.fields(TrainConfig)]
