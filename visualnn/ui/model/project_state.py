"""What is saved: the network being edited, the data set, the training settings, the history.

``ProjectState`` is the half of a session that goes into a ``.vnn`` file; the other half,
what is being looked at (selection, sample, live input, the model the views draw), is
:class:`visualnn.ui.model.inspection.Inspection`. Only the GUI thread touches either.
Loading is all-or-nothing: :meth:`prepare_project` builds and checks everything first and
:meth:`apply` swaps it in, so a bad file leaves the open work as it was.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from PySide6 import QtCore

from visualnn.data import Dataset, load_dataset
from visualnn.engine import Sequential, SpecError, TrainConfig
from visualnn.ui.model.document import SpecDocument
from visualnn.ui.model.history import History

#: Teaching speeds: key -> (what a person reads, epochs per second or None, batches per
#: second or None). "max" trains as fast as it can.
SPEEDS = {
    "max": ("As fast as possible", None, None),
    "epochs-10": ("10 epochs a second", 10.0, None),
    "epochs-1": ("1 epoch a second", 1.0, None),
    "batches-5": ("5 batches a second", None, 5.0),
    "batches-1": ("1 batch a second", None, 1.0),
}


def batch_by_batch(speed: str) -> bool:
    """Whether teaching speed ``speed`` trains a few batches a second, slow enough to show
    each batch (at epochs a second a digits epoch is 45 batches: they would flicker)."""
    return speed in SPEEDS and SPEEDS[speed][2] is not None


def shows_batch(speed: str, training_state: str) -> bool:
    """Whether the batch just trained is shown (ringed points, the strip of pictures): a
    batch at a time, or the one a Step trained while training is not running."""
    return batch_by_batch(speed) or training_state != "running"


@dataclass
class Prepared:
    """A project checked and built, ready to swap in (nothing of the session touched yet)."""

    layers: list
    input_shape: tuple
    config: TrainConfig
    task: str
    dataset: Dataset
    history: History
    model: Sequential | None
    error: SpecError | None
    seed: int
    preset: str | None = None
    speed: str = "max"
    warnings: list[str] = field(default_factory=list)


class ProjectState(QtCore.QObject):
    """The saved half of a session.

    Signals: ``dataset_changed()``, ``config_changed()``, ``history_changed()``,
    ``modified_changed(bool)``, ``speed_changed(str)``; the network's edits come from
    ``document.changed``.
    """

    dataset_changed = QtCore.Signal()
    config_changed = QtCore.Signal()
    history_changed = QtCore.Signal()
    modified_changed = QtCore.Signal(bool)
    speed_changed = QtCore.Signal(str)

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.document = SpecDocument(self)
        self.config = TrainConfig()
        self.task = "classification"
        self.dataset: Dataset | None = None
        self.dataset_name = "circle"
        self.dataset_params: dict = {}
        self.seed = 0
        self.history = History()
        self.preset_name: str | None = None
        self.speed = "max"
        self.modified = False

    # --- edits ----------------------------------------------------------------------------
    def set_dataset(self, name: str, **params) -> None:
        """Load a data set by registry name; ``SpecError`` in words, nothing changed then."""
        self.use_dataset(load_dataset(name, **params), name, params)

    def use_dataset(self, dataset: Dataset, name: str, params: dict) -> None:
        """Adopt a data set made elsewhere (an import with a progress bar)."""
        self.dataset = dataset
        self.dataset_name = name
        self.dataset_params = {k: v for k, v in params.items() if k != "clips"}
        self.dataset_changed.emit()
        self.set_modified(True)

    def set_config(self, **changes) -> None:
        """Change ``config`` fields (``lr=0.1``...); a value that can't train is refused
        with ``SpecError`` and nothing changes."""
        trial = copy.deepcopy(self.config)
        for key, value in changes.items():
            if not hasattr(trial, key):
                raise SpecError(f"there is no training setting '{key}'")
            setattr(trial, key, tuple(value) if key == "betas" else value)
        trial.check()
        self.config = trial
        self.config_changed.emit()
        self.set_modified(True)

    def set_speed(self, key: str) -> None:
        if key not in SPEEDS:
            raise SpecError(f"unknown speed {key!r}; known: {', '.join(SPEEDS)}")
        if key != self.speed:
            self.speed = key
            self.speed_changed.emit(key)
            self.set_modified(True)

    def record_progress(self, epochs: list[dict], losses: list[float]) -> None:
        """Add the batches and epochs a training frame brought, then one ``history_changed``.

        ``losses`` are the batches since the last frame and come before ``epochs``' ends
        only approximately: the trace is a picture, the epoch rows are the record.
        """
        if not epochs and not losses:
            return
        ds = self.dataset
        pace = -(-len(ds.x_train) // max(int(self.config.batch_size), 1)) if ds else 1
        self.history.add_batches(losses, pace)
        for report in epochs:
            self.history.add_epoch(report)
        self.history_changed.emit()
        if epochs:
            self.set_modified(True)

    def clear_history(self) -> None:
        self.history.clear()
        self.history_changed.emit()

    def set_modified(self, modified: bool) -> None:
        if modified != self.modified:
            self.modified = modified
            self.modified_changed.emit(modified)

    # --- whole projects -------------------------------------------------------------------
    def to_project(self, weights: list[dict] | None):
        """A ``visualnn.project.Project`` of the saved state with ``weights``."""
        from visualnn.project import Project, dataset_fields

        fields = dataset_fields(self.dataset) if self.dataset is not None else {}
        fields.setdefault("dataset", {"name": self.dataset_name, "params": {}})
        fields["dataset"]["params"] = copy.deepcopy(self.dataset_params)
        return Project(
            spec=copy.deepcopy(self.document.layers),
            input_shape=tuple(self.document.input_shape),
            config=self.config.to_dict(),
            history=self.history.to_list(),
            weights=weights,
            seed=self.seed,
            task=self.task,
            meta={"preset": self.preset_name, "speed": self.speed},
            **fields,
        )

    def apply(self, prepared: Prepared) -> None:
        """Swap in a project made by :func:`prepare_project` or :func:`prepare_preset`."""
        self.document.reset(list(prepared.layers), tuple(prepared.input_shape), locked=True)
        self.config, self.task, self.seed = prepared.config, prepared.task, prepared.seed
        self.dataset = prepared.dataset
        self.dataset_name = prepared.dataset.name
        self.dataset_params = {
            k: v for k, v in prepared.dataset.params.items() if k not in ("split", "clips")
        }
        self.history = prepared.history
        self.preset_name, self.speed = prepared.preset, prepared.speed
        for signal in (self.config_changed, self.dataset_changed, self.history_changed):
            signal.emit()
        self.speed_changed.emit(self.speed)
        self.set_modified(False)


def _build(layers, input_shape, seed, weights) -> tuple[Sequential | None, SpecError | None]:
    """The network with ``weights``; a half-edited spec without weights opens unbuilt."""
    try:
        model = Sequential.from_spec(list(layers), tuple(input_shape), seed=seed)
        if weights is not None:
            model.set_weights(weights)
        return model, None
    except SpecError as exc:
        if weights is not None:
            raise
        return None, exc


def prepare_preset(name: str) -> Prepared:
    """A preset as a :class:`Prepared` project (fresh weights, empty history)."""
    from visualnn.presets import PRESETS, fit_to_classes

    preset = PRESETS[name]
    dataset = load_dataset(preset.dataset, **preset.dataset_params)
    spec = preset.spec
    if preset.dataset == "sounds":
        spec = fit_to_classes(spec, dataset.num_classes)
    model, error = _build(spec, preset.input_shape, preset.seed, preset.weights)
    config = copy.deepcopy(preset.config)
    return Prepared(spec, preset.input_shape, config, preset.task, dataset, History(), model,
                    error, preset.seed, preset=name)  # fmt: skip


def prepare_project(project) -> Prepared:
    """Check and build everything of a loaded ``Project``; ``ProjectError`` in words.

    Nothing of the session is touched: a failure here leaves the open work as it was.
    """
    from visualnn.project import ProjectError, project_dataset

    try:
        config = TrainConfig.from_dict(dict(project.config))
        dataset = project_dataset(project)
        model, error = _build(project.spec, project.input_shape, int(project.seed),
                              project.weights)  # fmt: skip
        history = History([dict(h) for h in project.history])
    except (SpecError, TypeError, ValueError, KeyError) as exc:
        raise ProjectError(f"the project cannot be opened: {exc}") from None
    if tuple(dataset.input_shape) != tuple(project.input_shape):
        raise ProjectError(f"the project's data set gives inputs of {dataset.input_shape}, but "
                           f"its network takes {tuple(project.input_shape)}")  # fmt: skip
    meta = dict(project.meta or {})
    speed = meta.get("speed", "max")
    return Prepared(project.spec, tuple(project.input_shape), config, project.task, dataset,
                    history, model, error, int(project.seed), preset=meta.get("preset"),
                    speed=speed if speed in SPEEDS else "max",
                    warnings=list(getattr(project, "warnings", []) or []))  # fmt: skip
