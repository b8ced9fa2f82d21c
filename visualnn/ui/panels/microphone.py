"""The microphone panel: a live spectrogram with a scope and meter, and one source switch.

The same widget serves a live demo (microphone), a prepared recording (WAV file) and a room
without a microphone (synthetic tone), and drops into the main window as a dock: it assumes
nothing about its parent and stops its source when its window closes.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from visualnn.audio.base import AudioError, AudioSource, SourceStatus
from visualnn.audio.mic import MicSource
from visualnn.ui import icons, theme
from visualnn.ui.live_audio import LiveAudio
from visualnn.ui.panels import microphone_memory
from visualnn.ui.panels.microphone_settings import SpectrogramSettings
from visualnn.ui.panels.source_picker import SourcePicker
from visualnn.ui.panels.status_line import StatusLine
from visualnn.ui.views.scope import LevelMeter, ScopeView
from visualnn.ui.views.spectrogram import SpectrogramView


class MicrophonePanel(QtWidgets.QWidget):
    """Rolling spectrogram, waveform scope, frame spectrum and level meter with their controls.

    Signals: ``columns_added(ndarray)`` new dB columns ``(n_freq, n_new)``;
    ``level_changed(float)`` RMS level in dBFS; ``state_changed(str)`` source state.
    """

    columns_added = QtCore.Signal(object)
    level_changed = QtCore.Signal(float)
    state_changed = QtCore.Signal(str)

    def __init__(self, parent=None, source: str | None = None, live: LiveAudio | None = None):
        super().__init__(parent)
        self._owns_source = False
        self._compact = None
        self._watched_window = None  # set first: Qt may call eventFilter during construction
        #: The window's one sound (``live``); a stand-alone panel makes its own.
        self.pump = live if live is not None else LiveAudio(self)
        self.view, self.scope, self.meter = SpectrogramView(), ScopeView(), LevelMeter()
        self.pump.view, self.pump.scope, self.pump.meter = self.view, self.scope, self.meter
        self.settings = SpectrogramSettings()
        self._build()
        self.pump.columns_added.connect(self.columns_added)
        self.pump.level_changed.connect(self.level_changed)
        self.pump.status_changed.connect(self._on_pump_status_changed)
        self.pump.running_changed.connect(self._on_pump_running_changed)
        self.pump.source_factory = self._make_chosen_source
        self.settings.changed.connect(self._on_settings_changed)
        remembered = microphone_memory.restore(self)
        self._apply_settings("all")
        if remembered == "mic" and not self.picker.backend_ok:
            remembered = None  # the microphone went away since: fall back like a first run
        kind = source or remembered or ("mic" if self.picker.backend_ok else "tone")
        self.set_source(kind)

    # -- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        self.start_button = QtWidgets.QPushButton("Start")
        theme.set_font(self.start_button, 1.1, bold=True)
        self.start_button.setMinimumWidth(120)
        self.start_button.setToolTip("Start or stop listening (Space)")
        self.start_button.clicked.connect(self._on_start_button_clicked)
        self.picker = SourcePicker()
        self.picker.source_requested.connect(self._on_picker_source_requested)
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

        self.toolbar = QtWidgets.QHBoxLayout()
        self.toolbar.addWidget(self.start_button)
        self.toolbar.addWidget(self.picker)
        self.toolbar.addStretch(1)
        self.toolbar.addWidget(self.freeze_button)
        self.toolbar.addWidget(self.settings_button)
        self.toolbar2 = QtWidgets.QHBoxLayout()  # the source controls, when the dock is narrow

        self.status = StatusLine()
        self.status.reconnect_button.clicked.connect(self._on_reconnect_clicked)
        # Short names the main window and tests reach for.
        self.status_label, self.reconnect_button = self.status.label, self.status.reconnect_button
        self.mic_note = self.status.mic_note

        self.split = split = QtWidgets.QSplitter(QtCore.Qt.Horizontal)
        split.addWidget(self.view)
        split.addWidget(self.scope)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        self.scope.setMinimumSize(200, 160)
        self.view.setMinimumSize(240, 160)
        body = QtWidgets.QHBoxLayout()
        body.addWidget(split, 1)
        body.addWidget(self.meter)

        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)
        outer.setSizeConstraint(QtWidgets.QLayout.SetNoConstraint)  # see minimumSizeHint
        outer.addLayout(self.toolbar)
        outer.addLayout(self.toolbar2)
        outer.addWidget(self.settings)
        outer.addWidget(self.status)
        outer.addLayout(body, 1)
        shortcut = QtGui.QShortcut(QtGui.QKeySequence(QtCore.Qt.Key_Space), self)
        shortcut.setContext(QtCore.Qt.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.toggle)

    # -- public API ------------------------------------------------------------------------
    def start(self) -> None:
        """Start listening; a source that cannot start leaves a message and stays stopped."""
        if self.pump.source is None:
            try:
                self.pump.set_source(self._build_source(self.picker.kind()))
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
            self.picker.set_controls(kind, **options)
            try:
                source = self._build_source(kind)
            except AudioError as exc:
                self.pump.set_source(None)
                self._show_status("error", str(exc))
                self._sync_start_button()
                return
        self._owns_source = kind is not None  # built here, so rebuilt when the rate changes
        self.pump.set_source(source)
        self._apply_settings("source")
        self._show_status("stopped", "")
        if was_running:
            self.start()
        self._sync_start_button()

    def latest_features(self, seconds: float) -> np.ndarray:
        """The last ``seconds`` of the dB spectrogram ``(n_freq, frames)``, oldest first."""
        return np.array(self.pump.latest_features(seconds))

    def _build_source(self, kind: str) -> AudioSource:
        return self.picker.build(kind, self.settings.values()["samplerate"])

    def _make_chosen_source(self) -> AudioSource:
        """The source the picker shows (what ``LiveAudio.start`` uses when it has none)."""
        self._owns_source = True
        return self._build_source(self.picker.kind())

    # -- status ----------------------------------------------------------------------------
    def _show_status(self, state: str, message: str) -> None:
        source = self.pump.source
        what = source.describe() if source is not None else "no source"
        self.status.show_state(state, message, what)
        picker = self.picker
        mic_problem = not picker.backend_ok and picker.kind() != "mic"
        self.status.show_mic_problem(picker.backend_message if mic_problem else None)
        self.state_changed.emit(state)

    def _sync_start_button(self) -> None:
        running = self.pump.running
        self.start_button.setText("Stop" if running else "Start")
        icons.set_icon(self.start_button, "stop" if running else "play", "#000000")
        # The one control a presenter looks for: filled and coloured by what it will do.
        colour = "ERROR" if running else "OK"
        theme.style(
            self.start_button,
            f"QPushButton {{ background: {{{colour}}}; color: #000000; border-radius: 4px; }}",
        )

    # -- slots -----------------------------------------------------------------------------
    def _on_pump_status_changed(self, status: SourceStatus) -> None:
        self._show_status(status.state, status.message)

    def _on_pump_running_changed(self, _running: bool) -> None:
        # Started or stopped elsewhere (the live switch, Sound classes): show it here too.
        self._sync_start_button()

    def _on_start_button_clicked(self) -> None:
        self.toggle()

    def _on_picker_source_requested(self, kind: str) -> None:
        self.set_source(kind)
        microphone_memory.remember(self)

    def _on_reconnect_clicked(self) -> None:
        if isinstance(self.pump.source, MicSource):
            # Close and re-open the same source: it resolves its device by name again.
            self.pump.stop()
            self.start()
        else:
            self.set_source("mic")
            self.start()

    def _on_freeze_button_toggled(self, on: bool) -> None:
        self.pump.frozen = on

    def _on_settings_button_toggled(self, on: bool) -> None:
        self.settings.setVisible(on)
        self.settings_button.setArrowType(QtCore.Qt.DownArrow if on else QtCore.Qt.RightArrow)

    def _on_settings_changed(self, key: str) -> None:
        microphone_memory.remember(self)
        source, rate = self.pump.source, self.settings.values()["samplerate"]
        if self._owns_source and source is not None and source.samplerate != rate:
            self.set_source(self.picker.kind())  # rebuild at the new rate
            return
        self._apply_settings(key)

    def _apply_settings(self, key: str) -> None:
        v = self.settings.values()
        sr = self.pump.source.samplerate if self.pump.source is not None else v["samplerate"]
        if key in ("all", "source", "n_fft", "hop", "span"):
            self.pump.configure(v["n_fft"], v["hop"], history_seconds=max(v["span"], 2.0))
        self.view.set_levels(v["db_low"], v["db_high"])
        self.view.set_colormap(v["colormap"])
        self.scope.set_phase(v["phase"])
        if key not in ("db_low", "db_high", "colormap", "phase"):
            self.view.configure(sr, v["n_fft"], v["hop"], v["span"], v["scale"], v["fmin"],
                                v["fmax"])  # fmt: skip
            # Redraw the history already heard in the new scale instead of starting blank.
            self.view.push_db(self.pump.latest_features(v["span"]))
        self.scope.set_scale(self.view.row_map.scale, (v["db_low"], v["db_high"]))

    # -- narrow docks ----------------------------------------------------------------------
    #: Below this width the panel stacks: source controls on a second row, the scope under the
    #: spectrogram, settings three to a row (the main window may dock it in a side column).
    COMPACT_WIDTH = 1000
    SHORT_HEIGHT = 560

    def minimumSizeHint(self) -> QtCore.QSize:  # noqa: N802 (Qt override)
        # The wide layout's minimum would stop a dock from ever narrowing the panel enough to
        # switch to the compact one; the compact layout fits in this (its buttons' row, with
        # the text size of the moment, decides).
        buttons = (self.start_button, self.freeze_button, self.settings_button)
        row = sum(b.sizeHint().width() for b in buttons) + 2 * self.toolbar.spacing() + 16
        return QtCore.QSize(max(320, row, self.picker.minimumSizeHint().width() + 16), 360)

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt override)
        # Wrapped status lines would make a scroll area size us by their height-for-width
        # (every minimum stacked up) instead of giving us the visible height.
        return -1

    def resizeEvent(self, event):  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._set_compact(self.width() < self.COMPACT_WIDTH)
        if self._compact:
            self.settings.set_columns(3 if self.width() >= 640 else 2)
        # A short dock keeps the spectrogram and meter; the scope would squeeze it flat.
        self.scope.setVisible(not (self._compact and self.height() < self.SHORT_HEIGHT))

    def _set_compact(self, compact: bool) -> None:
        if compact == self._compact:
            return
        self._compact = compact
        (self.toolbar if compact else self.toolbar2).removeWidget(self.picker)
        if compact:
            self.toolbar2.addWidget(self.picker)
            self.toolbar2.addStretch(1)
        else:
            while self.toolbar2.count():
                self.toolbar2.takeAt(0)
            self.toolbar.insertWidget(1, self.picker)
        self.split.setOrientation(QtCore.Qt.Vertical if compact else QtCore.Qt.Horizontal)
        self.split.setStretchFactor(0, 3 if not compact else 2)
        self.scope.set_side_by_side(compact)
        if not compact:
            self.settings.set_columns(6)

    # -- lifetime --------------------------------------------------------------------------
    def showEvent(self, event):  # noqa: N802 (Qt override)
        super().showEvent(event)
        window = self.window()
        if window is not self and window is not self._watched_window:
            # Hosted as a dock or central widget: closing that window must stop the stream.
            window.installEventFilter(self)
            self._watched_window = window

    def eventFilter(self, obj, event):  # noqa: N802 (Qt override)
        # getattr: during teardown Qt can deliver events after Python attributes are gone.
        watched = getattr(self, "_watched_window", None)
        if watched is not None and obj is watched and event.type() == QtCore.QEvent.Close:
            self.stop()
        return super().eventFilter(obj, event)

    def closeEvent(self, event):  # noqa: N802 (Qt override)
        self.stop()
        super().closeEvent(event)
