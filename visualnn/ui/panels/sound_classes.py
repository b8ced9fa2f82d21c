"""Teachable Machine for sound: record classes, train the network in the graph, hear it answer.

Clips are recorded from the window's one :class:`LiveAudio` into a :class:`ClipStore` (WAV
plus an index, written atomically). Train makes those clips the project's data set
("recorded sounds"), fits the network in the graph to it (one output per class; a sound
network if the current one cannot take sound) and starts the window's one training
pipeline: the same controller, plots, history and files as any preset. Listen switches the
live input on: the network in the graph then hears the microphone, and the big answer and
the bars here show what it says.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6 import QtCore, QtWidgets

from visualnn.audio.base import AudioError
from visualnn.audio.clips import ClipStore
from visualnn.data.sound import SoundFeatures, make_sounds, synthetic_clips
from visualnn.data.sound.clipset import from_clip_store
from visualnn.engine import SpecError
from visualnn.ui import icons, theme
from visualnn.ui.flow_layout import FlowLayout
from visualnn.ui.model.forward import recorded_forward, to_probabilities
from visualnn.ui.panels.sound_class_widgets import ClassRow, ConfidenceBars
from visualnn.ui.widgets import vertical_scroll

CLIP_SECONDS = 1.0
DEMO_CLIPS_PER_CLASS = 16


def default_store_dir() -> Path:
    from visualnn.ui.settings import data_dir

    return data_dir() / "sound_classes"


def _button(text: str, slot, big: bool = False) -> QtWidgets.QPushButton:
    b = QtWidgets.QPushButton(text)
    theme.set_font(b, 1.15 if big else 1.0, bold=big)
    b.setMinimumHeight(40 if big else 32)
    b.clicked.connect(slot)
    return b


class SoundClassesPanel(QtWidgets.QWidget):
    """Class rows with record buttons, Train, Listen, and what the network hears.

    Parameters
    ----------
    session : Session
    controller : TrainingController
        The window's one training pipeline.
    live_audio : LiveAudio
        The window's one sound.
    live_input : LiveInput
        Switches the network's input to the live sound.
    store_dir : path-like, optional
        Folder of the clip store (default: the app's data folder).

    Signals: ``clips_changed()``.
    """

    clips_changed = QtCore.Signal()

    def __init__(self, session, controller, live_audio, live_input, store_dir=None,
                 parent=None) -> None:  # fmt: skip
        super().__init__(parent)
        self.session, self.controller = session, controller
        self.audio, self.live_input = live_audio, live_input
        self.features = SoundFeatures()
        self.store = ClipStore(store_dir if store_dir is not None else default_store_dir())
        self.class_names: list[str] = list(self.store.labels)
        self._patches: dict[str, np.ndarray] = {}
        self._rows: dict[str, ClassRow] = {}
        self._rec: dict | None = None
        self._build()
        # A damaged store was repaired (or is read-only): said in words, before the rest.
        said = list(self.store.repair_report) + ([self.store.read_only] if
                                                 self.store.read_only else [])  # fmt: skip
        self._store_notice = " ".join(s[:1].upper() + s[1:] for s in said)
        live_audio.audio_added.connect(self._on_audio_added)
        live_input.live_changed.connect(self._on_live_changed)
        session.inspect.sample_changed.connect(self._on_session_sample_changed)
        session.inspect.weights_updated.connect(self._on_session_sample_changed)
        session.project.history_changed.connect(self._on_project_history_changed)
        session.project.dataset_changed.connect(self._describe_project)
        self._refresh_rows()
        self._describe_project()

    # -- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        self.add_button = _button("+  Add class", self._on_add_clicked)
        self.demo_button = _button("Add demo sounds", self._on_demo_clicked)
        self.demo_button.setToolTip("Whistle, hum, clap and silence, made up on the spot")
        self.listen_button = _button("Listen (L)", self._on_listen_clicked)
        icons.set_icon(self.listen_button, "listen")
        self.listen_button.setCheckable(True)
        self.listen_button.setToolTip("The network in the graph hears the sound source live")
        top = FlowLayout()  # wraps in a narrow panel instead of widening it
        for b in (self.add_button, self.demo_button, self.listen_button):
            top.addWidget(b)

        self.rows_box = QtWidgets.QVBoxLayout()
        self.rows_box.setSpacing(6)
        self.scroll = vertical_scroll(self.rows_box, top_aligned=True)

        self.train_button = _button("Train", self._on_train_clicked, big=True)
        self.train_button.setToolTip("Train the network in the graph on these classes")
        self.status = QtWidgets.QLabel("Record two or more classes, then press Train.")
        theme.set_font(self.status, 1.1)
        self.status.setWordWrap(True)
        # The network's answer while listening; empty otherwise (a lone dash looked like a
        # glitch, and the last answer left after Stop looked like one still being given).
        self.answer = QtWidgets.QLabel("")
        theme.set_font(self.answer, 2.4, bold=True)
        self.answer.setAlignment(QtCore.Qt.AlignCenter)
        self.bars = ConfidenceBars()

        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.addLayout(top)
        lay.addWidget(self.scroll, 3)
        lay.addWidget(self.train_button)
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
        """The dB log-mel thumbnail ``(n_mels, frames)`` of a stored clip (cached)."""
        if clip.id not in self._patches:
            try:
                x, sr = self.store.load(clip)
            except AudioError:
                x, sr = np.zeros(self.features.samples, np.float32), self.features.samplerate
            self._patches[clip.id] = self._thumbnail(x, sr)
        return self._patches[clip.id]

    def _thumbnail(self, x: np.ndarray, sr: int) -> np.ndarray:
        from visualnn.audio.resample import resample
        from visualnn.data.sound import fit_length

        rate = self.features.samplerate
        x = resample(x, sr, rate) if sr != rate else x
        return self.features.compute(fit_length(x, self.features.samples)[None])[0]

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

    def _store_call(self, action, *args) -> tuple[bool, object]:
        """Run a store change: ``(done, result)``; a refusal (read-only, disk full) is
        shown, not raised."""
        try:
            return True, action(*args)
        except AudioError as exc:
            self.status.setText(f"The clips could not be changed: {exc}")
            return False, None

    def add_clip(self, label: str, samples: np.ndarray, samplerate: int, meta=None) -> None:
        """Store a clip ``(n,)`` under ``label`` (the class is created if new)."""
        done, clip = self._store_call(self.store.add, samples, samplerate, label, meta)
        if not done:
            return
        self._patches[clip.id] = self._thumbnail(samples, samplerate)
        if label not in self.class_names:
            self.class_names.append(label)
            self._refresh_rows()
        else:
            clips = [self.patch(c) for c in self.store.clips if c.label == label]
            self._rows[label].set_clips(clips)
        self.clips_changed.emit()

    def rename_class(self, old: str, new: str) -> None:
        if new in self.class_names:
            self._rows[old].name_edit.setText(old)
            self.status.setText(f"There is already a class called \u201c{new}\u201d.")
            return
        if not self._store_call(self.store.relabel, old, new)[0]:
            self._rows[old].name_edit.setText(old)
            return
        self.class_names[self.class_names.index(old)] = new
        QtCore.QTimer.singleShot(0, self._refresh_rows)  # not inside the editor's own signal
        self.clips_changed.emit()

    def delete_class(self, name: str) -> None:
        for clip in [c for c in self.store.clips if c.label == name]:
            if not self._store_call(self.store.remove, clip.id)[0]:
                return
            self._patches.pop(clip.id, None)
        self.class_names.remove(name)
        QtCore.QTimer.singleShot(0, self._refresh_rows)
        self.clips_changed.emit()

    def load_demo(self, n_per_class: int = DEMO_CLIPS_PER_CLASS, seed: int = 0) -> None:
        """Add the built-in synthetic classes (whistle, hum, clap, silence) to the store."""
        clips, labels = synthetic_clips(seed, n_per_class)
        for (x, sr), label in zip(clips, labels, strict=True):
            done, clip = self._store_call(self.store.add, x, sr, label, {"synthetic": True})
            if not done:
                return
            self._patches[clip.id] = self._thumbnail(x, sr)
        self.class_names += [n for n in dict.fromkeys(labels) if n not in self.class_names]
        self._refresh_rows()
        self.clips_changed.emit()

    # -- recording -------------------------------------------------------------------------
    def start_recording(self, label: str) -> None:
        """Record from the window's sound into ``label``: a clip a second until released."""
        if not self.audio.running:
            problem = self.audio.try_start()
            if problem:
                self.status.setText(f"Cannot record: {problem}")
                return
        self._rec = {"label": label, "mark": self.audio.buffer.total, "held": True, "done": 0}
        self._rows[label].set_recording(True)

    def stop_recording(self) -> None:
        """Release: stop now if a clip was saved, else finish the first one-second clip."""
        if self._rec is not None:
            self._rec["held"] = False
            self._check_recording()

    def _check_recording(self) -> None:
        rec, buffer = self._rec, self.audio.buffer
        if rec is None:
            return
        n = int(round(CLIP_SECONDS * buffer.samplerate))
        while buffer.total - rec["mark"] >= n:
            x = buffer.between(rec["mark"], rec["mark"] + n)
            rec["mark"] += n
            self.add_clip(rec["label"], x, buffer.samplerate, {"recorded": True})
            rec["done"] += 1
        if not rec["held"] and rec["done"]:
            self._rec = None
            if rec["label"] in self._rows:
                self._rows[rec["label"]].set_recording(False)

    # -- training --------------------------------------------------------------------------
    def train(self) -> bool:
        """Make the recorded clips the project's data set, fit the network, and train it."""
        project = self.session.project
        old = project.dataset_params if project.dataset_name == "sounds" else {}
        # The input the network was built for: same representation, layout and loudness.
        keep = {k: old[k] for k in ("representation", "layout", "normalise_level") if k in old}
        try:
            clips = from_clip_store(self.store)
            ds = make_sounds("recorded", str(self.store.root), **keep, clips=clips)
        except SpecError as exc:
            self.status.setText(str(exc)[:1].upper() + str(exc)[1:])
            return False
        self.controller.stop()
        project.use_dataset(ds, "sounds", dict(ds.params))
        said = self.session.adapt_network()
        self.controller.reset()
        self.controller.play()
        counts = ", ".join(f"{n} {k}" for n, k in clips.counts().items())
        self.status.setText(f"Training on {len(ds.x_train)} clips ({counts})."
                            + (f" {said}" if said else ""))  # fmt: skip
        return True

    def _describe_project(self) -> None:
        """Say what the network in the graph already knows when its sounds come from
        elsewhere (a folder of words, the demo sounds), rather than ask for recordings."""
        ds = self.session.project.dataset
        if ds is None or ds.transform is None or ds.title == "recorded sounds":
            text = "Record two or more classes, then press Train."
        else:
            text = (f"The network knows {len(ds.class_names)} sounds from {ds.title}: "
                    f"{', '.join(ds.class_names)}. Press Listen (L) and make one; or record "
                    "classes of your own here and press Train.")  # fmt: skip
        self.status.setText(f"{self._store_notice} {text}".strip())

    def _on_project_history_changed(self) -> None:
        project = self.session.project
        last = project.history.last()
        if last is None or project.dataset is None or project.dataset.title != "recorded sounds":
            return
        acc = last.get("val_acc")
        if acc is not None:
            self.status.setText(
                f"Epoch {last['epoch']}: {100 * acc:.0f}% right on clips it has not trained "
                "on. Press Listen and make a sound!"
            )

    # -- what the network hears ------------------------------------------------------------
    def _on_session_sample_changed(self) -> None:
        inspect = self.session.inspect
        ds = self.session.project.dataset
        if inspect.source != "live" or ds is None or not ds.class_names:
            return
        try:
            rec = recorded_forward(self.session)
        except ValueError:
            return
        probs = to_probabilities(rec.output)[0]
        if probs.size != len(ds.class_names):
            return
        if self.bars.names != list(ds.class_names):
            self.bars.set_classes(list(ds.class_names))
        self.bars.set_probabilities(probs)
        self.answer.setText(ds.class_names[int(probs.argmax())])

    def _on_live_changed(self, on: bool) -> None:
        if not on:
            self.answer.setText("")
        self.listen_button.setChecked(on)
        self.listen_button.setText("Stop listening (L)" if on else "Listen (L)")
        icons.set_icon(self.listen_button, "stop" if on else "listen")

    # -- slots -----------------------------------------------------------------------------
    def _on_audio_added(self) -> None:
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
        self.live_input.set_live(self.listen_button.isChecked())
        self._on_live_changed(self.live_input.on)
