"""The Data dock's sound controls: where the clips come from, how they become the input,
and the Live switch.

Three sources: the built-in demo sounds, the classes recorded in Sound classes, or a folder
of WAV files with one subfolder per class (Speech Commands' layout). A folder is read on a
background thread with a progress bar (a few thousand files take seconds); files that can't
be used are listed with their reasons. Choosing anything here makes it the project's data
set and fits the network to it (undoable).
"""

from __future__ import annotations

import threading

from PySide6 import QtCore, QtWidgets

from visualnn.data.sound import REPRESENTATIONS, load_clips, make_sounds
from visualnn.engine import SpecError
from visualnn.ui import icons, theme

SOURCE_LABELS = {"demo": "Built-in demo sounds", "recorded": "Recorded in Sound classes",
                 "folder": "A folder of WAV files"}  # fmt: skip
LAYOUT_LABELS = {"image": "Image (for Conv2D)", "sequence": "Sequence (for Conv1D, RNN)"}


class SoundImport(QtCore.QObject):
    """Reads a sound source and makes its data set on a thread; the GUI polls ``progress``.

    Signals: ``finished(object)`` with the ``Dataset``, or ``failed(str)``.
    """

    finished = QtCore.Signal(object)
    failed = QtCore.Signal(str)

    def __init__(self, params: dict, parent=None) -> None:
        super().__init__(parent)
        self.params = params
        self.progress = (0, 0)
        self._result = None
        self._thread = threading.Thread(target=self._work, name="visualnn-sound-import")
        self._timer = QtCore.QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._on_timer_timeout)

    def start(self) -> None:
        self._thread.start()
        self._timer.start()

    def _work(self) -> None:
        p = self.params
        try:
            clips = load_clips(p["source"], p.get("path", ""), p.get("seed", 0),
                               progress=self._on_progress)  # fmt: skip
            self._result = make_sounds(**p, clips=clips)
        except SpecError as exc:
            self._result = exc
        except Exception as exc:  # noqa: BLE001 - reported in words, never a dead thread
            self._result = SpecError(f"the sounds could not be read ({exc})")

    def _on_progress(self, done: int, total: int) -> None:
        self.progress = (done, total)  # a tuple swap: atomic for the GUI thread's reads

    def _on_timer_timeout(self) -> None:
        if self._thread.is_alive():
            return
        self._timer.stop()
        self._thread.join()
        result = self._result
        if isinstance(result, SpecError):
            self.failed.emit(str(result))
        else:
            self.finished.emit(result)

    def wait(self) -> None:
        """Block until the thread is done (closing the window, tests)."""
        self._thread.join()
        self._on_timer_timeout()


class SoundDataBox(QtWidgets.QGroupBox):
    """Source, folder, representation and layout of the project's sound data set."""

    def __init__(self, session, live_input=None, store_dir=None, parent=None) -> None:
        super().__init__("Sound data", parent)
        self.session, self.live_input = session, live_input
        self.store_dir = store_dir
        self.job: SoundImport | None = None
        self._syncing = False
        theme.set_font(self, 1.0, bold=True)
        self.source = self._combo(SOURCE_LABELS)
        self.folder = QtWidgets.QLabel()
        self.folder.setWordWrap(True)
        self.choose = QtWidgets.QPushButton("Choose folder\u2026")
        self.choose.clicked.connect(self._on_choose_clicked)
        self.representation = self._combo(REPRESENTATIONS)
        self.layout_box = self._combo(LAYOUT_LABELS)
        self.level = QtWidgets.QCheckBox("Same loudness for every clip")
        self.level.setToolTip(
            "Subtract each clip's mean level (dB): a word said near the microphone or far "
            "from it becomes the same input, so the network learns the word, not the distance"
        )
        self.level.toggled.connect(lambda _on: self._on_choice_activated(0))
        self.live_button = QtWidgets.QPushButton("Live input (L)")
        icons.set_icon(self.live_button, "listen")
        self.live_button.setCheckable(True)
        self.live_button.setMinimumHeight(40)
        theme.set_font(self.live_button, 1.15, bold=True)
        self.live_button.setToolTip("The network's input is the last second of the sound source")
        self.live_button.clicked.connect(self._on_live_clicked)
        self.progress = QtWidgets.QProgressBar()
        self.progress.hide()
        self.summary = QtWidgets.QLabel()
        self.summary.setWordWrap(True)
        self.skipped = QtWidgets.QPlainTextEdit()
        self.skipped.setReadOnly(True)
        self.skipped.setMaximumHeight(110)
        self.skipped.hide()
        form = QtWidgets.QFormLayout(self)
        form.setRowWrapPolicy(QtWidgets.QFormLayout.WrapLongRows)
        form.addRow("Source", self.source)
        form.addRow(self.folder, self.choose)
        form.addRow("Input", self.representation)
        form.addRow("Layout", self.layout_box)
        form.addRow("", self.level)
        form.addRow(self.live_button)
        form.addRow(self.progress)
        form.addRow(self.summary)
        form.addRow(self.skipped)
        for w in (self.folder, self.summary, self.skipped, self.source, self.representation,
                  self.layout_box, self.choose, self.level):  # fmt: skip
            theme.set_font(w, 1.0)
        self._folder_path = ""
        session.project.dataset_changed.connect(self.sync)
        if live_input is not None:
            live_input.live_changed.connect(self.live_button.setChecked)
        self.sync()

    def _combo(self, labels: dict) -> QtWidgets.QComboBox:
        box = QtWidgets.QComboBox()
        for key, label in labels.items():
            box.addItem(label, key)
        box.setSizeAdjustPolicy(QtWidgets.QComboBox.AdjustToMinimumContentsLengthWithIcon)
        box.setMinimumContentsLength(12)
        box.activated.connect(self._on_choice_activated)
        return box

    # --- showing --------------------------------------------------------------------------
    def sync(self) -> None:
        """Show the project's sound settings (or the defaults when it is not a sound set)."""
        project = self.session.project
        params = project.dataset_params if project.dataset_name == "sounds" else {}
        self._syncing = True
        try:
            for box, key, default in ((self.source, "source", "demo"),
                                      (self.representation, "representation", "logmel"),
                                      (self.layout_box, "layout", "image")):  # fmt: skip
                box.setCurrentIndex(max(box.findData(params.get(key, default)), 0))
            self.level.setChecked(bool(params.get("normalise_level", False)))
            self._folder_path = params.get("path", "") if params.get("source") == "folder" else ""
        finally:
            self._syncing = False
        self._show_folder()
        ds = project.dataset
        if project.dataset_name == "sounds" and ds is not None:
            counts = ", ".join(f"{n}" for n in ds.class_names)
            self.summary.setText(
                f"{ds.title}: {len(ds.class_names)} classes ({counts}); "
                f"{len(ds.x_train)} training and {len(ds.x_test)} test clips, "
                f"{ds.params.get('split', '')}."
            )
        else:
            self.summary.setText("Choose a source to train the network on sounds.")

    def _show_folder(self) -> None:
        folder = self.source.currentData() == "folder"
        self.folder.setVisible(folder)
        self.choose.setVisible(folder)
        self.folder.setText(self._folder_path or "no folder chosen")

    def show_skipped(self, skipped: list[tuple[str, str]]) -> None:
        self.skipped.setVisible(bool(skipped))
        lines = [f"{name}: {reason}" for name, reason in skipped]
        self.skipped.setPlainText(f"Skipped {len(skipped)} file(s):\n" + "\n".join(lines))

    # --- choosing -------------------------------------------------------------------------
    def params(self) -> dict:
        """The data set the controls describe, as ``make_sounds`` parameters."""
        source = self.source.currentData()
        path = self._folder_path if source == "folder" else ""
        if source == "recorded":
            path = str(self.store_dir or "")
        old = self.session.project.dataset_params
        return {"source": source, "path": path,
                "representation": self.representation.currentData(),
                "layout": self.layout_box.currentData(),
                "normalise_level": self.level.isChecked(),
                "train_ratio": float(old.get("train_ratio", 0.8)),
                "seed": int(old.get("seed", 0))}  # fmt: skip

    def apply(self) -> None:
        """Make the chosen sounds the project's data set (on a thread, with a progress bar)."""
        if self.job is not None:
            return
        params = self.params()
        if params["source"] == "folder" and not params["path"]:
            return self._on_choose_clicked()
        self.job = SoundImport(params, self)
        self.job.finished.connect(self._on_job_finished)
        self.job.failed.connect(self._on_job_failed)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.job.start()
        self._poll = QtCore.QTimer(self, interval=100)
        self._poll.timeout.connect(self._on_poll_timeout)
        self._poll.start()

    def shutdown(self) -> None:
        if self.job is not None:
            self.job.wait()

    # --- slots ----------------------------------------------------------------------------
    def _on_choice_activated(self, _index: int) -> None:
        self._show_folder()
        if not self._syncing:
            self.apply()

    def _on_choose_clicked(self) -> None:
        path = QtWidgets.QFileDialog.getExistingDirectory(
            self, "Folder of sounds: one subfolder per class", self._folder_path or ""
        )
        if path:
            self._folder_path = path
            self._show_folder()
            self.apply()

    def _on_live_clicked(self, on: bool) -> None:
        if self.live_input is not None:
            self.live_button.setChecked(self.live_input.set_live(on))

    def _on_poll_timeout(self) -> None:
        done, total = self.job.progress if self.job is not None else (0, 0)
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    def _finish_job(self) -> None:
        self._poll.stop()
        self.progress.hide()
        self.job = None

    def _on_job_finished(self, ds) -> None:
        self._finish_job()
        self.session.project.use_dataset(ds, "sounds", dict(ds.params))
        said = self.session.adapt_network()
        self.show_skipped(ds.clips.skipped)
        if said:
            self.summary.setText(self.summary.text() + " " + said)

    def _on_job_failed(self, message: str) -> None:
        self._finish_job()
        self.summary.setText(message[:1].upper() + message[1:])
        self.sync_controls_only()

    def sync_controls_only(self) -> None:
        """Put the controls back on the project's data set after a failed choice."""
        text = self.summary.text()
        self.sync()
        self.summary.setText(text)
