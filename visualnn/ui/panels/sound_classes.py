"""Teachable Machine for sound: record classes, train a small CNN, watch it predict live.

Clips live in a :class:`ClipStore` (WAV + index, written atomically) and are cached here as
log-mel patches for thumbnails and training. Training reuses the app's ``TrainingWorker``
thread; prediction runs on the GUI thread ten times a second (one small forward pass).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6 import QtCore, QtWidgets

from visualnn.audio.clips import ClipStore
from visualnn.data.audio_sets import (
    SOUND_TRAIN_CONFIG,
    SoundFeatures,
    patches_dataset,
    sound_cnn_spec,
    synthetic_clips,
)
from visualnn.engine import Sequential, SpecError, TrainConfig, Trainer
from visualnn.ui import theme
from visualnn.ui.panels.sound_class_widgets import ClassRow, ConfidenceBars
from visualnn.ui.workers.live_inference import LivePredictor, make_tap
from visualnn.ui.workers.training import TrainingWorker


def default_store_dir() -> Path:
    from visualnn.ui.settings import data_dir

    return data_dir() / "sound_classes"


class SoundClassesPanel(QtWidgets.QWidget):
    """Sound classes with record buttons, a Train button and live confidence bars.

    Parameters
    ----------
    session : Session or None
        The app hub (unused for now beyond ownership; the trained model is offered through
        ``model_trained`` for the lead to push into it).
    feed : MicrophonePanel, AudioSource or audio tap
        Where live audio comes from (see :mod:`visualnn.ui.workers.live_inference`).
    store_dir : path-like, optional
        Folder of the clip store (default: the app's data folder).

    Signals: ``clips_changed()``, ``training_finished(dict)`` (``{"accuracy", "epochs"}``
    or ``{"error"}``), ``model_trained(object)`` (the ``Sequential``), ``predicted(object)``
    (probabilities ``(n_classes,)``).
    """

    clips_changed = QtCore.Signal()
    training_finished = QtCore.Signal(object)
    model_trained = QtCore.Signal(object)
    predicted = QtCore.Signal(object)

    def __init__(self, session=None, feed=None, store_dir=None, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.features = SoundFeatures()
        self.store = ClipStore(store_dir if store_dir is not None else default_store_dir())
        self.class_names: list[str] = list(self.store.labels)
        self._patches: dict[str, np.ndarray] = {}
        self._rows: dict[str, ClassRow] = {}
        self._rec: dict | None = None
        self.worker: TrainingWorker | None = None
        self.model: Sequential | None = None
        self.predictor: LivePredictor | None = None
        self.trained_classes: list[str] = []
        self.tap = make_tap(feed, parent=self) if feed is not None else None
        self._build()
        if self.tap is not None:
            self.tap.audio_added.connect(self._on_tap_audio_added)
        self.live_timer = QtCore.QTimer(self)
        self.live_timer.setInterval(100)  # 10 predictions a second: smooth, cheap
        self.live_timer.timeout.connect(self._on_live_timer_timeout)
        # Started by the first audio to arrive, stopped when the sound stops: an idle timer
        # would wake the GUI thread (and take the GIL from a training run) for nothing.
        self._refresh_rows()

    # -- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        def button(text, slot, big=False):
            b = QtWidgets.QPushButton(text)
            b.setFont(theme.font(1.15 if big else 1.0, bold=big))
            b.setMinimumHeight(40 if big else 32)
            b.clicked.connect(slot)
            return b

        self.add_button = button("+  Add class", self._on_add_clicked)
        self.demo_button = button("Load demo sounds", self._on_demo_clicked)
        self.listen_button = button("▶  Listen", self._on_listen_clicked)
        self.listen_button.setEnabled(self.tap is not None)
        top = QtWidgets.QHBoxLayout()
        for b in (self.add_button, self.demo_button):
            top.addWidget(b)
        top.addStretch(1)
        top.addWidget(self.listen_button)

        self.rows_box = QtWidgets.QVBoxLayout()
        self.rows_box.setSpacing(6)
        inner = QtWidgets.QWidget()
        inner_lay = QtWidgets.QVBoxLayout(inner)
        inner_lay.setContentsMargins(0, 0, 0, 0)
        inner_lay.addLayout(self.rows_box)
        inner_lay.addStretch(1)
        self.scroll = QtWidgets.QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(inner)
        self.scroll.setFrameShape(QtWidgets.QFrame.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarAlwaysOff)

        self.train_button = button("Train", self._on_train_clicked, big=True)
        self.train_button.setMinimumWidth(140)
        self.progress = QtWidgets.QProgressBar()
        self.progress.setMinimumHeight(28)
        self.status = QtWidgets.QLabel("Record two or more classes, then press Train.")
        self.status.setFont(theme.font(1.1))
        self.status.setWordWrap(True)
        train_row = QtWidgets.QHBoxLayout()
        train_row.addWidget(self.train_button)
        train_row.addWidget(self.progress, 1)

        self.answer = QtWidgets.QLabel("—")
        self.answer.setFont(theme.font(2.4, bold=True))
        self.answer.setAlignment(QtCore.Qt.AlignCenter)
        self.bars = ConfidenceBars()

        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.addLayout(top)
        lay.addWidget(self.scroll, 3)
        lay.addLayout(train_row)
        lay.addWidget(self.status)
        lay.addWidget(self.answer)
        lay.addWidget(self.bars, 2)

    def _refresh_rows(self) -> None:
        """Rebuild the class rows from ``class_names`` and the store."""
        for row in self._rows.values():
            self.rows_box.removeWidget(row)
            row.deleteLater()
        self._rows = {}
        for i, name in enumerate(self.class_names):
            row = ClassRow(name, theme.SERIES[i % len(theme.SERIES)])
            row.record_pressed.connect(self._on_row_record_pressed)
            row.record_released.connect(self._on_row_record_released)
            row.rename_requested.connect(self.rename_class)
            row.delete_requested.connect(self.delete_class)
            row.set_clips([self.patch(c) for c in self.store.clips if c.label == name])
            self.rows_box.addWidget(row)
            self._rows[name] = row

    # -- clips and classes -----------------------------------------------------------------
    def patch(self, clip) -> np.ndarray:
        """The dB log-mel patch ``(n_mels, frames)`` of a stored clip (cached)."""
        if clip.id not in self._patches:
            self._patches[clip.id] = self.features.patch(*self.store.load(clip))[0]
        return self._patches[clip.id]

    def clip_counts(self) -> dict[str, int]:
        return {n: sum(c.label == n for c in self.store.clips) for n in self.class_names}

    def add_class(self, name: str | None = None) -> str:
        """Add an empty class (named "Class N" by default); returns its name."""
        k = len(self.class_names) + 1
        while name is None or name in self.class_names:
            name, k = f"Class {k}", k + 1
        self.class_names.append(name)
        self._refresh_rows()
        return name

    def add_clip(self, label: str, samples: np.ndarray, samplerate: int, meta=None) -> None:
        """Store a clip ``(n,)`` under ``label`` (the class is created if new)."""
        clip = self.store.add(samples, samplerate, label, meta)
        self._patches[clip.id] = self.features.patch(samples, samplerate)[0]
        if label not in self.class_names:
            self.class_names.append(label)
            self._refresh_rows()
        else:
            self._rows[label].set_clips([self.patch(c) for c in self.store.clips
                                         if c.label == label])  # fmt: skip
        self.clips_changed.emit()

    def rename_class(self, old: str, new: str) -> None:
        if new in self.class_names:
            self._rows[old].name_edit.setText(old)
            self.status.setText(f"There is already a class called “{new}”.")
            return
        self.store.relabel(old, new)
        self.class_names[self.class_names.index(old)] = new
        QtCore.QTimer.singleShot(0, self._refresh_rows)  # not inside the editor's own signal
        self.clips_changed.emit()

    def delete_class(self, name: str) -> None:
        for clip in [c for c in self.store.clips if c.label == name]:
            self.store.remove(clip.id)
            self._patches.pop(clip.id, None)
        self.class_names.remove(name)
        QtCore.QTimer.singleShot(0, self._refresh_rows)
        self.clips_changed.emit()

    def load_demo(self, n_per_class: int = 16, seed: int = 0) -> None:
        """Add the built-in synthetic classes (whistle, hum, clap, silence) to the store."""
        clips, labels = synthetic_clips(seed, n_per_class)
        for (x, sr), label in zip(clips, labels, strict=True):
            clip = self.store.add(x, sr, label, {"synthetic": True})
            self._patches[clip.id] = self.features.patch(x, sr)[0]
        self.class_names += [n for n in dict.fromkeys(labels) if n not in self.class_names]
        self._refresh_rows()
        self.clips_changed.emit()

    # -- recording -------------------------------------------------------------------------
    def start_recording(self, label: str) -> None:
        """Record from the live feed into ``label``: a clip per second until released."""
        if self.tap is None:
            self.status.setText("No sound source: open the Microphone panel first.")
            return
        if not self.tap.running:
            self.tap.start()
        self._rec = {"label": label, "mark": self.tap.total, "held": True, "done": 0}
        self._rows[label].set_recording(True)

    def stop_recording(self) -> None:
        """Release: stop now if a clip was saved, else finish the first 1-s clip."""
        if self._rec is not None:
            self._rec["held"] = False
            self._check_recording()

    def _check_recording(self) -> None:
        rec = self._rec
        if rec is None:
            return
        n = self.features.geometry(self.tap.samplerate)[0]
        while self.tap.total - rec["mark"] >= n:
            x = self.tap.audio_between(rec["mark"], rec["mark"] + n)
            rec["mark"] += n
            self.add_clip(rec["label"], x, self.tap.samplerate, {"recorded": True})
            rec["done"] += 1
        if not rec["held"] and rec["done"]:
            self._rec = None
            if rec["label"] in self._rows:
                self._rows[rec["label"]].set_recording(False)

    # -- training --------------------------------------------------------------------------
    def train(self) -> None:
        """Train a fresh sound CNN on every clip (in the training thread)."""
        if self.worker is not None:
            return
        names = [n for n in self.class_names if self.clip_counts()[n] > 0]
        clips = [c for c in self.store.clips if c.label in names]
        try:
            x = np.stack([self.patch(c) for c in clips])[:, None] if clips else None
            if x is None:
                raise SpecError("record at least two sound classes to train a classifier")
            ds = patches_dataset(x, [c.label for c in clips], names, 0.8, 0, self.features,
                                 name="recorded sounds")  # fmt: skip
        except SpecError as exc:
            self.status.setText(str(exc)[:1].upper() + str(exc)[1:])
            return
        cfg = TrainConfig(**SOUND_TRAIN_CONFIG)
        model = Sequential.from_spec(sound_cnn_spec(ds.input_shape, len(names)), ds.input_shape)
        trainer = Trainer(model, (ds.x_train, ds.y_train), (ds.x_test, ds.y_test), cfg)
        self._training = {"dataset": ds, "names": names, "epochs": cfg.epochs, "report": None}
        self.worker = TrainingWorker(trainer, parent=self)
        self.worker.epoch_finished.connect(self._on_worker_epoch_finished)
        self.worker.failed.connect(self._on_worker_failed)
        self.worker.finished.connect(self._on_worker_finished)
        self.progress.setRange(0, cfg.epochs)
        self.progress.setValue(0)
        self.train_button.setEnabled(False)
        self.status.setText(f"Training on {len(ds.x_train)} clips…")
        self.worker.start()
        self.worker.play()

    def _on_worker_epoch_finished(self, report: dict) -> None:
        self.progress.setValue(int(report["epoch"]))
        self._training["report"] = report
        acc = report.get("val_acc")
        if acc is not None:
            self.status.setText(f"Epoch {report['epoch']}: {100 * acc:.0f}% right on "
                                "clips it has not trained on")  # fmt: skip

    def _on_worker_failed(self, message: str) -> None:
        self._training["error"] = message

    def _on_worker_finished(self) -> None:
        worker, self.worker = self.worker, None
        info = self._training
        self.train_button.setEnabled(True)
        if worker is None or "error" in info:
            self.status.setText(f"Training failed: {info.get('error', 'stopped')}")
            self.training_finished.emit({"error": info.get("error", "stopped")})
            return
        worker.stop()  # already finished: only unregisters it
        ds = info["dataset"]
        self.model = worker.trainer.model  # the thread has ended: the model is ours now
        self.predictor = LivePredictor(self.model, ds.params)
        self.trained_classes = info["names"]
        self.bars.set_classes(self.trained_classes)
        acc = float(np.mean(self.model.predict(ds.x_test).argmax(axis=1) == ds.y_test))
        self.status.setText(f"Trained: {100 * acc:.0f}% right on {len(ds.x_test)} held-out "
                            "clips. Make a sound!")  # fmt: skip
        self.training_finished.emit({"accuracy": acc, "epochs": info["epochs"]})
        self.model_trained.emit(self.model)

    # -- live prediction -------------------------------------------------------------------
    def predict_now(self) -> np.ndarray | None:
        """Probabilities for the newest second of live audio, or None without model/audio."""
        if self.predictor is None or self.tap is None:
            return None
        x = self.tap.latest_audio(self.features.seconds)
        if x.shape[0] < self.tap.samplerate // 2:
            return None
        probs = self.predictor.predict(x, self.tap.samplerate)
        self.bars.set_probabilities(probs)
        self.answer.setText(self.trained_classes[int(probs.argmax())])
        self.predicted.emit(probs)
        return probs

    def _on_live_timer_timeout(self) -> None:
        running = self.tap is not None and self.tap.running
        if running and self.isVisible():
            self.predict_now()
        self._show_listening(running)
        if not running:
            self.live_timer.stop()

    def _show_listening(self, running: bool) -> None:
        self.listen_button.setText("■  Stop" if running else "▶  Listen")

    # -- slots -----------------------------------------------------------------------------
    def _on_tap_audio_added(self) -> None:
        if not self.live_timer.isActive():
            self._show_listening(True)
            self.live_timer.start()
        self._check_recording()

    def _on_row_record_pressed(self, name: str) -> None:
        self.start_recording(name)

    def _on_row_record_released(self, _name: str) -> None:
        self.stop_recording()

    def _on_add_clicked(self) -> None:
        self.add_class()

    def _on_demo_clicked(self) -> None:
        self.load_demo()

    def _on_train_clicked(self) -> None:
        self.train()

    def _on_listen_clicked(self) -> None:
        if self.tap is not None:
            self.tap.stop() if self.tap.running else self.tap.start()
            self._show_listening(self.tap.running)

    # -- lifetime --------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop the training thread (joined within 2 s), the timer and an owned source."""
        self.live_timer.stop()
        if self.worker is not None:
            self.worker.stop(timeout=2.0)
        if self.tap is not None and self.tap.parent() is self and self.tap.running:
            self.tap.stop()

    def closeEvent(self, event):  # noqa: N802 (Qt override)
        self.shutdown()
        super().closeEvent(event)
