"""The Training dock: Play / Pause / Step / Reset, live hyper-parameters, data set choice,
progress, and the divergence banner.

Every control writes through ``TrainingController.update_config`` (which applies it to the
running trainer when it can), and every control is refreshed from ``session.project.config`` when a
preset or a file replaces it; ``_syncing`` keeps those refreshes from echoing back.
"""

from __future__ import annotations

import dataclasses
from functools import cache

from PySide6 import QtCore, QtWidgets

from visualnn.data import DATASETS, dataset_params, load_dataset
from visualnn.engine import SpecError, TrainConfig
from visualnn.engine.augment import SOUND_DEFAULT
from visualnn.ui import theme
from visualnn.ui.model.catalog import dataset_title
from visualnn.ui.model.project_state import SPEEDS
from visualnn.ui.model.session import Session
from visualnn.ui.pacing import Redraw
from visualnn.ui.panels.fields import RangeDoubleSpinBox, RangeSpinBox
from visualnn.ui.panels.training_controls import (
    LOSS_LABELS,
    OPTIMIZER_LABELS,
    OPTIMIZER_SETTINGS,
    SCHEDULE_LABELS,
    Banner,
    LogSpinBox,
)
from visualnn.ui.steady_label import SteadyLabel
from visualnn.ui.training_control import TrainingController


@cache
def dataset_signature(name: str) -> tuple:
    """``(input_shape, task)`` of a registered data set (made once with its defaults)."""
    ds = load_dataset(name)
    return tuple(ds.input_shape), ds.task


class TrainingPanel(QtWidgets.QWidget):
    """Controls for one session's training; ``actions`` maps play/step_batch/step_epoch/reset
    to the window's ``QAction`` objects so buttons, menu and shortcuts stay one thing."""

    def __init__(
        self,
        session: Session,
        controller: TrainingController,
        actions: dict,
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session, self.controller = session, controller
        self._syncing = False
        self._fields = {f.name for f in dataclasses.fields(TrainConfig)}
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)
        outer.addLayout(self._build_buttons(actions))
        outer.addLayout(self._build_speed_row())
        self._build_readouts(outer)

        form = QtWidgets.QFormLayout()
        form.setLabelAlignment(QtCore.Qt.AlignRight)
        form.setRowWrapPolicy(QtWidgets.QFormLayout.WrapLongRows)
        self.form = form
        self._build_optimizer_rows(form)
        self._build_schedule_rows(form)
        self._build_data_rows(form)
        outer.addLayout(form)
        outer.addStretch(1)
        self._let_fields_shrink()
        self._connect_session(session, controller)
        self.sync_from_session()

    # --- building -------------------------------------------------------------------------
    def _build_buttons(self, actions: dict) -> QtWidgets.QGridLayout:
        """Play, Step, Step epoch and Reset: buttons on the window's actions."""
        # Play gets a row of its own: the one button a teacher hunts for from across the room.
        buttons = QtWidgets.QGridLayout()
        self.buttons = {}
        for key, (row, col, span) in {
            "play": (0, 0, 3),
            "step_batch": (1, 0, 1),
            "step_epoch": (1, 1, 1),
            "reset": (1, 2, 1),
        }.items():
            b = QtWidgets.QToolButton()
            b.setDefaultAction(actions[key])
            b.setToolButtonStyle(QtCore.Qt.ToolButtonTextBesideIcon)
            theme.set_font(b, 1.3 if key == "play" else 1.0, bold=key == "play")
            b.setMinimumHeight(48 if key == "play" else 34)
            b.setSizePolicy(QtWidgets.QSizePolicy.Expanding, QtWidgets.QSizePolicy.Fixed)
            buttons.addWidget(b, row, col, 1, span)
            self.buttons[key] = b
        return buttons

    def _build_speed_row(self) -> QtWidgets.QHBoxLayout:
        """The teaching speed: as fast as possible down to a batch a second to narrate."""
        self.speed_box = QtWidgets.QComboBox()
        for key, (label, _eps, _bps) in SPEEDS.items():
            self.speed_box.addItem(label, key)
        self.speed_box.setToolTip("Slow motion for explaining: keys - and + change it")
        self.speed_box.activated.connect(self._on_speed_box_activated)
        speed_row = QtWidgets.QHBoxLayout()
        speed_row.addWidget(QtWidgets.QLabel("Speed"))
        speed_row.addWidget(self.speed_box, 1)
        return speed_row

    def _build_readouts(self, outer: QtWidgets.QVBoxLayout) -> None:
        """Epoch and speed read-outs, then the banner for divergence and refused settings."""
        # Read-outs that change while training: steady labels, so a new epoch count does not
        # re-lay out the dock (GUI time is the trainer's time: see steady_label).
        self.progress = SteadyLabel()
        theme.set_font(self.progress, 1.25, bold=True)
        self.speed = SteadyLabel()
        theme.style(self.speed, "color: {MUTED};")
        outer.addWidget(self.progress.fence)
        outer.addWidget(self.speed.fence)
        self.banner = Banner()
        outer.addWidget(self.banner)

    def _build_optimizer_rows(self, form: QtWidgets.QFormLayout) -> None:
        """Learning rate, optimizer and its settings, weight decay and gradient clipping."""
        self.lr = LogSpinBox(1e-6, 1e6)
        self.lr.setToolTip("Learning rate: the size of each step. Arrows go 1, 2, 5 per decade.")
        self.lr.valueChanged.connect(lambda v: self._set(lr=float(v)))
        form.addRow("Learning rate", self.lr)
        self.lr_schedule = self._combo(SCHEDULE_LABELS)
        self.lr_schedule.setToolTip(
            "Cosine decay: the learning rate falls smoothly to 0 over the epochs, big steps "
            "first to explore, then small ones to settle into a minimum"
        )
        self.lr_schedule.currentIndexChanged.connect(
            lambda i: self._set(lr_schedule=self.lr_schedule.itemData(i)) if i >= 0 else None
        )
        form.addRow("Schedule", self.lr_schedule)
        self.optimizer = self._combo(OPTIMIZER_LABELS)
        self.optimizer.currentIndexChanged.connect(self._on_optimizer_changed)
        form.addRow("Optimizer", self.optimizer)
        self.momentum = self._dspin(0.0, 0.999, 0.05, lambda v: self._set(momentum=v))
        form.addRow("Momentum", self.momentum)
        self.nesterov = QtWidgets.QCheckBox("Nesterov")
        self.nesterov.toggled.connect(lambda v: self._set(nesterov=bool(v)))
        form.addRow("", self.nesterov)
        betas = QtWidgets.QHBoxLayout()
        self.beta1 = self._dspin(0.0, 0.9999, 0.01, lambda v: self._set_betas(), decimals=4)
        self.beta2 = self._dspin(0.0, 0.99999, 0.001, lambda v: self._set_betas(), decimals=5)
        betas.addWidget(self.beta1)
        betas.addWidget(self.beta2)
        self.betas_row = QtWidgets.QWidget()
        self.betas_row.setLayout(betas)
        betas.setContentsMargins(0, 0, 0, 0)
        form.addRow("Betas (\u03b21, \u03b22)", self.betas_row)
        self.weight_decay = LogSpinBox(0.0, 1.0, smallest=1e-5)
        self.weight_decay.setMinimum(0.0)
        self.weight_decay.valueChanged.connect(lambda v: self._set(weight_decay=float(v)))
        form.addRow("Weight decay", self.weight_decay)
        self.clip = LogSpinBox(0.0, 1000.0, smallest=0.1)
        self.clip.setSpecialValueText("off")
        self.clip.setToolTip("Gradient clipping: largest total gradient norm per step (0 = off)")
        self.clip.valueChanged.connect(lambda v: self._set(clip_norm=float(v) or None))
        form.addRow("Clip gradients", self.clip)

    def _build_schedule_rows(self, form: QtWidgets.QFormLayout) -> None:
        """Batch size, epochs and the loss."""
        self.batch_size = self._ispin(1, 4096, lambda v: self._set(batch_size=int(v)))
        form.addRow("Batch size", self.batch_size)
        self.epochs = self._ispin(1, 10_000_000, lambda v: self._set(epochs=int(v)))
        form.addRow("Epochs", self.epochs)
        self.loss = self._combo(LOSS_LABELS)
        self.loss.currentIndexChanged.connect(
            lambda i: self._set(loss=self.loss.itemData(i)) if i >= 0 else None
        )
        form.addRow("Loss", self.loss)
        self.augment = QtWidgets.QCheckBox("shift and mask each clip")
        self.augment.setToolTip(
            "Augmentation: every batch hears its clips up to 100 ms earlier or later, up to two "
            "mel bands higher or lower, with up to 100 ms and five bands blanked out, and up to "
            "6 dB louder or quieter (when the clips keep their levels), so the network learns "
            "the sound rather than the clips by heart. Training accuracy then reads lower than "
            "on the test clips."
        )
        self.augment.toggled.connect(
            lambda on: self._set(augment=dict(SOUND_DEFAULT) if on else None)
        )
        form.addRow("Augment", self.augment)

    def _build_data_rows(self, form: QtWidgets.QFormLayout) -> None:
        """The data set, its noise and its train / test split."""
        self.dataset = QtWidgets.QComboBox()
        self.dataset.activated.connect(self._on_dataset_activated)
        form.addRow(QtWidgets.QLabel("Data set"))  # the name under it, on the whole width
        form.addRow(self.dataset)
        self.noise = self._dspin(0.0, 0.5, 0.05, lambda v: self._set_data(), decimals=2)
        form.addRow("Noise", self.noise)
        self.train_ratio = self._ispin(10, 90, lambda v: self._set_data())
        self.train_ratio.setSingleStep(10)
        self.train_ratio.setSuffix(" % train")
        form.addRow("Train / test", self.train_ratio)

    def _let_fields_shrink(self) -> None:
        """Fields give way to a narrow dock; the data set's name is read in full."""
        for w in (
            self.beta1,
            self.beta2,
            self.noise,
            self.momentum,
            self.batch_size,
            self.epochs,
            self.train_ratio,
            self.optimizer,
            self.loss,
            self.dataset,
        ):
            w.setMinimumWidth(60)
            w.setSizePolicy(QtWidgets.QSizePolicy.Ignored, QtWidgets.QSizePolicy.Fixed)
        # A data set's name is read in full: under its label, on a line of its own, if need be.
        self.dataset.setSizePolicy(QtWidgets.QSizePolicy.Preferred, QtWidgets.QSizePolicy.Fixed)
        self.dataset.setSizeAdjustPolicy(QtWidgets.QComboBox.AdjustToContents)
        self.dataset.setMinimumWidth(0)  # its contents decide, not the 60 px above

    def _connect_session(self, session: Session, controller: TrainingController) -> None:
        session.project.config_changed.connect(self.sync_from_session)
        session.project.dataset_changed.connect(self.sync_from_session)
        # Epochs of a toy set end 100 times a second; the read-out changes at most ten times
        # a second so the digits can be read.
        self._progress = Redraw(self, self._update_progress, min_interval_ms=100)
        session.project.history_changed.connect(self._progress.mark)
        session.inspect.training_state_changed.connect(self._on_session_training_state_changed)
        session.inspect.diverged.connect(self.banner.show_divergence)
        controller.failed.connect(lambda text: self.banner.show_message(text, "warning"))
        controller.warned.connect(lambda text: self.banner.show_message(text, "warning"))
        session.project.speed_changed.connect(self._on_project_speed_changed)

    # --- helpers --------------------------------------------------------------------------
    def _dspin(self, lo, hi, step, slot, decimals=3) -> QtWidgets.QDoubleSpinBox:
        s = RangeDoubleSpinBox()
        s.setRange(lo, hi)
        s.setSingleStep(step)
        s.setDecimals(decimals)
        s.setKeyboardTracking(False)
        s.valueChanged.connect(slot)
        return s

    def _ispin(self, lo: int, hi: int, slot) -> QtWidgets.QSpinBox:
        """A whole-number field that reports a value once typing is done."""
        s = RangeSpinBox()
        s.setRange(lo, hi)
        s.setKeyboardTracking(False)
        s.valueChanged.connect(slot)
        return s

    def _combo(self, labels: dict[str, str]) -> QtWidgets.QComboBox:
        """A choice among ``labels`` (key -> text shown), the key as each item's data."""
        box = QtWidgets.QComboBox()
        for key, label in labels.items():
            box.addItem(label, key)
        return box

    def _set(self, **changes) -> None:
        if self._syncing:
            return
        changes = {k: v for k, v in changes.items() if k in self._fields}
        if changes:
            try:
                self.controller.update_config(**changes)
            except SpecError as exc:
                self.banner.show_message(str(exc), "warning")

    def _set_betas(self) -> None:
        self._set(betas=(float(self.beta1.value()), float(self.beta2.value())))

    def _set_data(self) -> None:
        if self._syncing:
            return
        name = self.session.project.dataset_name
        params = dict(self.session.project.dataset_params)
        allowed = dataset_params(name)
        if "noise" in allowed:
            params["noise"] = float(self.noise.value())
        if "train_ratio" in allowed:
            params["train_ratio"] = self.train_ratio.value() / 100.0
        self._load_data(name, params)

    def _load_data(self, name: str, params: dict) -> None:
        try:
            self.session.project.set_dataset(name, **params)
            self.session.project.set_modified(True)
        except SpecError as exc:
            self.banner.show_message(str(exc), "warning")

    def _row_visible(self, widget: QtWidgets.QWidget, visible: bool) -> None:
        self.form.setRowVisible(widget, visible)

    # --- slots ----------------------------------------------------------------------------
    def _on_optimizer_changed(self, index: int) -> None:
        name = self.optimizer.itemData(index)
        shown = OPTIMIZER_SETTINGS.get(name, ())
        self._row_visible(self.momentum, "momentum" in shown and "momentum" in self._fields)
        self._row_visible(self.nesterov, "nesterov" in shown and "nesterov" in self._fields)
        self._row_visible(self.betas_row, "betas" in shown and "betas" in self._fields)
        self._set(optimizer=name)

    def _on_dataset_activated(self, index: int) -> None:
        name = self.dataset.itemData(index)
        if name and name != self.session.project.dataset_name:
            self._load_data(name, {})

    def _on_session_training_state_changed(self, state: str) -> None:
        if state == "running" and self.banner.kind != "info":
            self.banner.hide()
        self._update_progress()

    def _update_progress(self) -> None:
        s = self.session
        done, total = len(s.project.history), s.project.config.epochs
        words = {
            "idle": "ready",
            "running": "training",
            "paused": "paused",
            "finished": "done",
            "diverged": "diverged",
        }
        state = s.inspect.training_state
        if state == "finished" and done < total:  # more epochs asked for since: not done
            state = "paused"
        self.progress.setText(
            f"Epoch {done} / {max(total, done)}  \u00b7  {words.get(state, state)}"
        )
        sps = self.controller.samples_per_second
        last = s.project.history.last()
        if not sps and last:
            sps = float(last.get("samples_per_second") or 0.0)
        self.speed.setText(f"{sps:,.0f} samples/s" if sps else "")

    def _on_speed_box_activated(self, index: int) -> None:
        self.session.project.set_speed(self.speed_box.itemData(index))

    def _on_project_speed_changed(self, key: str) -> None:
        self.speed_box.setCurrentIndex(max(self.speed_box.findData(key), 0))

    def sync_from_session(self) -> None:
        """Show the project's config and data set in the controls without echoing edits."""
        s, c = self.session, self.session.project.config
        self._syncing = True
        try:
            self.lr.setValue(float(c.lr))
            self.lr_schedule.setCurrentIndex(max(self.lr_schedule.findData(c.lr_schedule), 0))
            self.optimizer.setCurrentIndex(max(self.optimizer.findData(c.optimizer), 0))
            self.momentum.setValue(float(getattr(c, "momentum", 0.0) or 0.0))
            self.nesterov.setChecked(bool(c.nesterov))
            b1, b2 = c.betas
            self.beta1.setValue(float(b1))
            self.beta2.setValue(float(b2))
            self.weight_decay.setValue(float(c.weight_decay or 0.0))
            self.clip.setValue(float(c.clip_norm or 0.0))
            self.batch_size.setValue(int(c.batch_size))
            self.epochs.setValue(int(c.epochs))
            self.loss.setCurrentIndex(max(self.loss.findData(c.loss), 0))
            self.augment.setChecked(bool(c.augment))
            # offered for sound (its shifts are in frames and mel bands), not for 8x8 digits
            sound = getattr(s.project.dataset, "transform", None) is not None
            self._row_visible(self.augment, sound or bool(c.augment))
            self._fill_datasets()
            allowed = (
                dataset_params(s.project.dataset_name) if s.project.dataset_name in DATASETS else {}
            )
            params = {**allowed, **s.project.dataset_params}
            self._row_visible(self.noise, "noise" in allowed)
            self._row_visible(self.train_ratio, "train_ratio" in allowed)
            if "noise" in allowed:
                self.noise.setValue(float(params["noise"]))
            if "train_ratio" in allowed:
                self.train_ratio.setValue(round(float(params["train_ratio"]) * 100))
            self._on_optimizer_changed(self.optimizer.currentIndex())
        finally:
            self._syncing = False
        self._update_progress()

    def _fill_datasets(self) -> None:
        # Only data sets the current network can eat: same sample shape and task.
        s = self.session
        current = (
            (tuple(s.project.dataset.input_shape), s.project.dataset.task)
            if s.project.dataset
            else None
        )
        self.dataset.clear()
        for name in DATASETS:
            try:
                ok = current is None or dataset_signature(name) == current
            except SpecError:
                ok = False
            if ok or name == s.project.dataset_name:
                own = s.project.dataset if name == s.project.dataset_name else None
                self.dataset.addItem(dataset_title(name, own), name)
        self.dataset.setCurrentIndex(max(self.dataset.findData(s.project.dataset_name), 0))
