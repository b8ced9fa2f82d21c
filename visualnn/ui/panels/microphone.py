"""The microphone panel: a live spectrogram with a scope and meter, and one source switch.

The same widget serves a live demo (microphone), a prepared recording (WAV file) and a room
without a microphone (synthetic tone), and drops into the main window as a dock: it assumes
nothing about its parent and stops its source when its window closes.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from visualnn.audio.base import AudioError, AudioSource, SourceStatus
from visualnn.audio.sources import (
    FileSource,
    MicSource,
    SynthSource,
    backend_status,
    list_input_devices,
)
from visualnn.ui import theme
from visualnn.ui.panels.microphone_settings import SpectrogramSettings
from visualnn.ui.views.scope import LevelMeter, ScopeView
from visualnn.ui.views.spectrogram import SpectrogramView
from visualnn.ui.workers.audio_pump import AudioPump

SOURCE_KINDS = {"mic": "Microphone", "file": "WAV file", "tone": "Synthetic"}
STATE_COLOURS = {
    "running": theme.OK,
    "stopped": theme.MUTED,
    "stalled": theme.WARNING,
    "silent": theme.WARNING,
    "error": theme.ERROR,
}


class MicrophonePanel(QtWidgets.QWidget):
    """Rolling spectrogram, waveform scope, frame spectrum and level meter with their controls.

    Signals: ``columns_added(ndarray)`` new dB columns ``(n_freq, n_new)``;
    ``level_changed(float)`` RMS level in dBFS; ``state_changed(str)`` source state.
    """

    columns_added = QtCore.Signal(object)
    level_changed = QtCore.Signal(float)
    state_changed = QtCore.Signal(str)

    def __init__(self, parent=None, source: str | None = None):
        super().__init__(parent)
        self.backend_ok, self.backend_message = backend_status()
        self.pump = AudioPump(self)
        self.view, self.scope, self.meter = SpectrogramView(), ScopeView(), LevelMeter()
        self.pump.view, self.pump.scope, self.pump.meter = self.view, self.scope, self.meter
        self.settings = SpectrogramSettings()
        self._watched_window = None
        self._build()
        self.pump.columns_added.connect(self.columns_added)
        self.pump.level_changed.connect(self.level_changed)
        self.pump.status_changed.connect(self._on_pump_status_changed)
        self.settings.changed.connect(self._on_settings_changed)
        self._apply_settings("all")
        self._refresh_devices()
        kind = source or ("mic" if self.backend_ok else "tone")
        self.set_source(kind)

    # -- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        big = theme.font(1.1, bold=True)
        self.start_button = QtWidgets.QPushButton("Start")
        self.start_button.setFont(big)
        self.start_button.setMinimumWidth(120)
        self.start_button.setToolTip("Start or stop listening (Space)")
        self.start_button.clicked.connect(self._on_start_button_clicked)
        self.source_box = QtWidgets.QComboBox()
        for key, label in SOURCE_KINDS.items():
            self.source_box.addItem(label, key)
        self.source_box.setToolTip("Where the sound comes from")
        self.source_box.activated.connect(self._on_source_box_activated)
        self.device_box = QtWidgets.QComboBox()
        self.device_box.setMinimumContentsLength(18)
        self.device_box.setSizeAdjustPolicy(QtWidgets.QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.device_box.setToolTip("Input device (remembered by name)")
        self.device_box.activated.connect(self._on_device_box_activated)
        refresh = QtWidgets.QPushButton("Refresh")
        refresh.setToolTip("Look for microphones again (after plugging one in)")
        refresh.clicked.connect(self._on_refresh_clicked)
        self.file_edit = QtWidgets.QLineEdit()
        self.file_edit.setPlaceholderText("WAV file path")
        self.file_edit.returnPressed.connect(self._on_file_edit_return_pressed)
        browse = QtWidgets.QPushButton("Open…")
        browse.clicked.connect(self._on_browse_clicked)
        self.synth_box = QtWidgets.QComboBox()
        for kind in SynthSource.KINDS:
            self.synth_box.addItem(kind, kind)
        self.synth_box.activated.connect(self._on_synth_changed)
        self.tone_hz = QtWidgets.QSpinBox()
        self.tone_hz.setRange(20, 20000)
        self.tone_hz.setValue(440)
        self.tone_hz.setSuffix(" Hz")
        self.tone_hz.setKeyboardTracking(False)
        self.tone_hz.valueChanged.connect(self._on_synth_changed)
        self.source_pages = QtWidgets.QStackedWidget()
        for widgets in ((self.device_box, refresh), (self.file_edit, browse),
                        (self.synth_box, self.tone_hz)):  # fmt: skip
            page = QtWidgets.QWidget()
            row = QtWidgets.QHBoxLayout(page)
            row.setContentsMargins(0, 0, 0, 0)
            for w in widgets:
                row.addWidget(w)
            self.source_pages.addWidget(page)
        self.freeze_button = QtWidgets.QPushButton("Freeze")
        self.freeze_button.setCheckable(True)
        self.freeze_button.setToolTip("Hold the picture still while the sound keeps going")
        self.freeze_button.toggled.connect(self._on_freeze_button_toggled)
        self.settings_button = QtWidgets.QToolButton()
        self.settings_button.setText("Settings")
        self.settings_button.setCheckable(True)
        self.settings_button.setToolButtonStyle(QtCore.Qt.ToolButtonTextBesideIcon)
        self.settings_button.setArrowType(QtCore.Qt.RightArrow)
        self.settings_button.toggled.connect(self._on_settings_button_toggled)
        self.settings.setVisible(False)

        toolbar = QtWidgets.QHBoxLayout()
        toolbar.addWidget(self.start_button)
        toolbar.addWidget(self.source_box)
        toolbar.addWidget(self.source_pages, 1)
        toolbar.addWidget(self.freeze_button)
        toolbar.addWidget(self.settings_button)

        self.status_label = QtWidgets.QLabel()
        self.status_label.setFont(theme.font(1.1))
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        self.reconnect_button = QtWidgets.QPushButton("Reconnect")
        self.reconnect_button.setVisible(False)
        self.reconnect_button.clicked.connect(self._on_reconnect_clicked)
        status_row = QtWidgets.QHBoxLayout()
        status_row.addWidget(self.status_label, 1)
        status_row.addWidget(self.reconnect_button)

        split = QtWidgets.QSplitter(QtCore.Qt.Horizontal)
        split.addWidget(self.view)
        split.addWidget(self.scope)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        self.scope.setMinimumWidth(260)
        body = QtWidgets.QHBoxLayout()
        body.addWidget(split, 1)
        body.addWidget(self.meter)

        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)
        outer.addLayout(toolbar)
        outer.addWidget(self.settings)
        outer.addLayout(status_row)
        outer.addLayout(body, 1)
        shortcut = QtGui.QShortcut(QtGui.QKeySequence(QtCore.Qt.Key_Space), self)
        shortcut.setContext(QtCore.Qt.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.toggle)

    # -- public API ------------------------------------------------------------------------
    def start(self) -> None:
        """Start listening; a source that cannot start leaves a message and stays stopped."""
        if self.pump.source is None:
            try:
                self.pump.set_source(self._build_source(self.source_box.currentData()))
            except AudioError as exc:
                self._show_status("error", str(exc))
                return
        try:
            self.pump.start()
        except AudioError as exc:
            self.pump.stop()
            self._show_status("error", str(exc))
        self._sync_start_button()

    def stop(self) -> None:
        """Stop listening and release the source (closing any microphone stream)."""
        self.pump.stop()
        self._sync_start_button()

    def toggle(self) -> None:
        """Start if stopped, stop if running (the Space key)."""
        self.stop() if self.pump.running else self.start()

    @property
    def running(self) -> bool:
        return self.pump.running

    def set_source(self, source: AudioSource | str, **options) -> None:
        """Listen to ``source``: an ``AudioSource``, or "mic", "file" or "tone".

        Options for the named kinds: ``device`` (name), ``path``, ``frequency``, ``synth``
        (a ``SynthSource`` kind). Keeps running if it was running.
        """
        was_running = self.pump.running
        self.pump.stop()
        kind = source if isinstance(source, str) else None
        if kind is not None:
            if kind not in SOURCE_KINDS:
                raise ValueError(f"source must be one of {list(SOURCE_KINDS)}, not {kind!r}")
            self._set_controls(kind, **options)
            try:
                source = self._build_source(kind)
            except AudioError as exc:
                self.pump.set_source(None)
                self._show_status("error", str(exc))
                self._sync_start_button()
                return
        self.pump.set_source(source)
        self._apply_settings("source")
        self._show_status("stopped", "")
        if was_running:
            self.start()
        self._sync_start_button()

    def latest_features(self, seconds: float) -> np.ndarray:
        """The last ``seconds`` of the dB spectrogram ``(n_freq, frames)``, oldest first."""
        return np.array(self.pump.latest_features(seconds))

    # -- sources ---------------------------------------------------------------------------
    def _set_controls(self, kind, device=None, path=None, frequency=None, synth=None) -> None:
        self.source_box.setCurrentIndex(self.source_box.findData(kind))
        self.source_pages.setCurrentIndex(self.source_box.currentIndex())
        with QtCore.QSignalBlocker(self.tone_hz), QtCore.QSignalBlocker(self.synth_box):
            if frequency is not None:
                self.tone_hz.setValue(int(round(frequency)))
            if synth is not None:
                self.synth_box.setCurrentIndex(max(0, self.synth_box.findData(synth)))
        if path is not None:
            self.file_edit.setText(str(path))
        if device is not None:
            index = self.device_box.findData(device)
            if index < 0:
                self.device_box.addItem(device, device)
                index = self.device_box.count() - 1
            self.device_box.setCurrentIndex(index)

    def _build_source(self, kind: str) -> AudioSource:
        rate = self.settings.values()["samplerate"]
        if kind == "mic":
            if not self.backend_ok:
                raise AudioError(f"No microphone: {self.backend_message}")
            return MicSource(device=self.device_box.currentData(), samplerate=rate)
        if kind == "file":
            path = self.file_edit.text().strip()
            if not path:
                raise AudioError("Choose a WAV file with Open… first.")
            return FileSource(path, loop=True, samplerate=rate)
        return SynthSource(
            self.synth_box.currentData(), frequency=self.tone_hz.value(), samplerate=rate
        )

    def _refresh_devices(self) -> None:
        self.backend_ok, self.backend_message = backend_status()
        current = self.device_box.currentData()
        self.device_box.clear()
        self.device_box.addItem("default input", None)
        for dev in list_input_devices() if self.backend_ok else []:
            self.device_box.addItem(dev.name + (" (default)" if dev.is_default else ""), dev.name)
        self.device_box.setCurrentIndex(max(0, self.device_box.findData(current)))

    # -- status ----------------------------------------------------------------------------
    def _show_status(self, state: str, message: str) -> None:
        source = self.pump.source
        what = source.describe() if source is not None else "no source"
        text = {
            "running": f"Listening to {what}" + (f" ({message})" if message else ""),
            "stopped": f"Stopped: {what}. Press Start or Space."
            + (f" {message.capitalize()}." if message else ""),
            "stalled": "The microphone stopped delivering sound. Press Reconnect.",
            "silent": message.capitalize(),
            "error": message[:1].upper() + message[1:],
        }.get(state, message)
        if state != "error" and not self.backend_ok and self.source_box.currentData() != "mic":
            text += f"  (No microphone: {self.backend_message}.)"
        self.status_label.setText(text)
        self.status_label.setToolTip(message)
        self.status_label.setStyleSheet(f"color: {STATE_COLOURS.get(state, theme.FOREGROUND)};")
        self.reconnect_button.setVisible(state == "stalled")
        self.state_changed.emit(state)

    def _sync_start_button(self) -> None:
        self.start_button.setText("Stop" if self.pump.running else "Start")

    # -- slots -----------------------------------------------------------------------------
    def _on_pump_status_changed(self, status: SourceStatus) -> None:
        self._show_status(status.state, status.message)

    def _on_start_button_clicked(self) -> None:
        self.toggle()

    def _on_source_box_activated(self, _index: int) -> None:
        self.set_source(self.source_box.currentData())

    def _on_device_box_activated(self, _index: int) -> None:
        self.set_source("mic")

    def _on_refresh_clicked(self) -> None:
        self._refresh_devices()
        if self.source_box.currentData() == "mic":
            self.set_source("mic")

    def _on_file_edit_return_pressed(self) -> None:
        self.set_source("file")

    def _on_browse_clicked(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, "Open a WAV file", "", "WAV files (*.wav);;All files (*)"
        )
        if path:
            self.set_source("file", path=path)

    def _on_synth_changed(self, *_):
        self.set_source("tone")

    def _on_reconnect_clicked(self) -> None:
        self.set_source("mic")
        self.start()

    def _on_freeze_button_toggled(self, on: bool) -> None:
        self.pump.frozen = on

    def _on_settings_button_toggled(self, on: bool) -> None:
        self.settings.setVisible(on)
        self.settings_button.setArrowType(QtCore.Qt.DownArrow if on else QtCore.Qt.RightArrow)

    def _on_settings_changed(self, key: str) -> None:
        if key == "samplerate" and isinstance(self.pump.source, (MicSource, SynthSource,
                                                                  FileSource)):
            self.set_source(self.source_box.currentData())  # rebuild at the new rate
            return
        self._apply_settings(key)

    def _apply_settings(self, key: str) -> None:
        v = self.settings.values()
        sr = self.pump.samplerate
        if key in ("all", "source", "n_fft", "hop", "span"):
            self.pump.configure(v["n_fft"], v["hop"], history_seconds=max(v["span"], 2.0))
        self.view.set_levels(v["db_low"], v["db_high"])
        self.view.set_colormap(v["colormap"])
        self.scope.set_phase(v["phase"])
        self.scope.set_range(v["fmin"], min(v["fmax"], sr / 2), v["scale"] != "linear",
                             (v["db_low"], v["db_high"]))  # fmt: skip
        if key not in ("db_low", "db_high", "colormap", "phase"):
            self.view.configure(sr, v["n_fft"], v["hop"], v["span"], v["scale"], v["fmin"],
                                v["fmax"])  # fmt: skip
            # Redraw the history already heard in the new scale instead of starting blank.
            self.view.push_db(self.pump.latest_features(v["span"]))

    # -- lifetime --------------------------------------------------------------------------
    def showEvent(self, event):  # noqa: N802 (Qt override)
        super().showEvent(event)
        window = self.window()
        if window is not self and window is not self._watched_window:
            # Hosted as a dock or central widget: closing that window must stop the stream.
            window.installEventFilter(self)
            self._watched_window = window

    def eventFilter(self, obj, event):  # noqa: N802 (Qt override)
        if obj is self._watched_window and event.type() == QtCore.QEvent.Close:
            self.stop()
        return super().eventFilter(obj, event)

    def closeEvent(self, event):  # noqa: N802 (Qt override)
        self.stop()
        super().closeEvent(event)
