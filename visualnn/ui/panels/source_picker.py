"""The source switch of the microphone panel: microphone (with device), WAV file, or synthetic.

It owns the controls and knows how to build the chosen :class:`AudioSource`; the panel decides
when. Devices are offered and remembered by name, because indices change when a USB
microphone is replugged.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from visualnn.audio.base import AudioError, AudioSource
from visualnn.audio.sources import (
    FileSource,
    MicSource,
    SynthSource,
    backend_status,
    list_input_devices,
)
from visualnn.ui.panels.fields import RangeSpinBox

SOURCE_KINDS = {"mic": "Microphone", "file": "WAV file", "tone": "Synthetic"}


class SourcePicker(QtWidgets.QWidget):
    """Source combo plus the matching options (device / file / synthetic sound and pitch).

    ``source_requested(str)`` fires with the kind ("mic", "file", "tone") whenever the user
    changes something that calls for a new source.
    """

    source_requested = QtCore.Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.backend_ok, self.backend_message = False, ""
        self.source_box = QtWidgets.QComboBox()
        for key, label in SOURCE_KINDS.items():
            self.source_box.addItem(label, key)
        self.source_box.setToolTip("Where the sound comes from")
        self.source_box.activated.connect(self._on_source_box_activated)
        self.device_box = QtWidgets.QComboBox()
        self.device_box.setMinimumContentsLength(18)
        self.device_box.setSizeAdjustPolicy(
            QtWidgets.QComboBox.AdjustToMinimumContentsLengthWithIcon
        )
        self.device_box.setToolTip("Input device (remembered by name)")
        self.device_box.activated.connect(self._on_device_box_activated)
        refresh = QtWidgets.QPushButton("Refresh")
        refresh.setToolTip("Look for microphones again (after plugging one in)")
        refresh.clicked.connect(self._on_refresh_clicked)
        self.file_edit = QtWidgets.QLineEdit()
        self.file_edit.setPlaceholderText("WAV file path")
        self.file_edit.setMinimumWidth(260)
        self.file_edit.returnPressed.connect(self._on_file_edit_return_pressed)
        browse = QtWidgets.QPushButton("Open…")
        browse.clicked.connect(self._on_browse_clicked)
        self.synth_box = QtWidgets.QComboBox()
        for kind in SynthSource.KINDS:
            self.synth_box.addItem(kind, kind)
        self.synth_box.setToolTip("Synthetic sound: a pure tone, a sweep, noise, clicks, a chord")
        self.synth_box.activated.connect(self._on_synth_changed)
        self.tone_hz = RangeSpinBox()
        self.tone_hz.setAccessibleName("Tone")
        self.tone_hz.setRange(20, 20000)
        self.tone_hz.setValue(440)
        self.tone_hz.setSuffix(" Hz")
        self.tone_hz.setToolTip("Pitch of the tone (start of the sweep, root of the chord)")
        self.tone_hz.setKeyboardTracking(False)
        self.tone_hz.valueChanged.connect(self._on_synth_changed)
        self.pages = QtWidgets.QStackedWidget()
        for widgets in ((self.device_box, refresh), (self.file_edit, browse),
                        (self.synth_box, self.tone_hz)):  # fmt: skip
            page = QtWidgets.QWidget()
            row = QtWidgets.QHBoxLayout(page)
            row.setContentsMargins(0, 0, 0, 0)
            for w in widgets:
                row.addWidget(w)
            self.pages.addWidget(page)
        row = QtWidgets.QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.source_box)
        row.addWidget(self.pages)
        self.refresh_devices()

    def kind(self) -> str:
        """The chosen kind: "mic", "file" or "tone"."""
        return self.source_box.currentData()

    def set_controls(self, kind, device=None, path=None, frequency=None, synth=None) -> None:
        """Show ``kind`` and set the given options, without emitting ``source_requested``."""
        if kind not in SOURCE_KINDS:
            raise ValueError(f"source must be one of {list(SOURCE_KINDS)}, not {kind!r}")
        self.source_box.setCurrentIndex(self.source_box.findData(kind))
        self.pages.setCurrentIndex(self.source_box.currentIndex())
        with QtCore.QSignalBlocker(self.tone_hz), QtCore.QSignalBlocker(self.synth_box):
            if frequency is not None:
                self.tone_hz.setValue(int(round(frequency)))
            if synth is not None:
                self.synth_box.setCurrentIndex(max(0, self.synth_box.findData(synth)))
        if path is not None:
            self.file_edit.setText(str(path))
        if device is not None:
            index = self.device_box.findData(device)
            if index < 0:  # remembered but not plugged in: keep the name, starting will say so
                self.device_box.addItem(device, device)
                index = self.device_box.count() - 1
            self.device_box.setCurrentIndex(index)

    def build(self, kind: str, samplerate: int) -> AudioSource:
        """A new, stopped source of ``kind``; raises ``AudioError`` with a plain message."""
        if kind == "mic":
            if not self.backend_ok:
                raise AudioError(f"No microphone: {self.backend_message}")
            return MicSource(device=self.device_box.currentData(), samplerate=samplerate)
        if kind == "file":
            path = self.file_edit.text().strip()
            if not path:
                raise AudioError("Choose a WAV file with Open… first.")
            try:
                return FileSource(path, loop=True, samplerate=samplerate)
            except AudioError as exc:
                # The message starts with the file name; say first what failed.
                raise AudioError(f"Cannot play that WAV file: {exc}") from None
        return SynthSource(
            self.synth_box.currentData(), frequency=self.tone_hz.value(), samplerate=samplerate
        )

    def refresh_devices(self) -> None:
        """Ask PortAudio again whether and which microphones exist."""
        self.backend_ok, self.backend_message = backend_status()
        current = self.device_box.currentData()
        self.device_box.clear()
        self.device_box.addItem("default input", None)
        for dev in list_input_devices() if self.backend_ok else []:
            self.device_box.addItem(dev.name + (" (default)" if dev.is_default else ""), dev.name)
        self.device_box.setCurrentIndex(max(0, self.device_box.findData(current)))

    def _on_source_box_activated(self, _index: int) -> None:
        self.pages.setCurrentIndex(self.source_box.currentIndex())
        self.source_requested.emit(self.kind())

    def _on_device_box_activated(self, _index: int) -> None:
        self.source_requested.emit("mic")

    def _on_refresh_clicked(self) -> None:
        self.refresh_devices()
        if self.kind() == "mic":
            self.source_requested.emit("mic")

    def _on_file_edit_return_pressed(self) -> None:
        self.source_requested.emit("file")

    def _on_browse_clicked(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, "Open a WAV file", "", "WAV files (*.wav);;All files (*)"
        )
        if path:
            self.file_edit.setText(path)
            self.source_requested.emit("file")

    def _on_synth_changed(self, *_) -> None:
        self.source_requested.emit("tone")
