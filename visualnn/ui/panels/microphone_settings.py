"""The spectrogram settings group: FFT size, hop, span, frequency scale and range, dB, colours.

A plain form that knows nothing about audio; the microphone panel reads :meth:`values` when
:attr:`SpectrogramSettings.changed` fires with the name of the setting that moved.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from visualnn.audio.mel import FREQUENCY_SCALES
from visualnn.ui import theme
from visualnn.ui.panels.fields import RangeSpinBox

SAMPLE_RATES = [16000, 22050, 44100, 48000]
FFT_SIZES = [256, 512, 1024, 2048, 4096, 8192]
HOPS = [64, 128, 256, 512, 1024, 2048]

DEFAULTS = {
    "samplerate": 48000,
    "n_fft": 2048,
    "hop": 256,
    "span": 10.0,
    "scale": "log",
    "fmin": 40,
    "fmax": 16000,
    "db_low": -90,
    "db_high": -10,
    "colormap": theme.SEQUENTIAL_CMAP,
    "phase": False,
}


def _combo(items, current, tip: str) -> QtWidgets.QComboBox:
    box = QtWidgets.QComboBox()
    for item in items:
        box.addItem(str(item), item)
    box.setCurrentIndex(list(items).index(current))
    box.setToolTip(tip)
    return box


def _spin(lo, hi, value, suffix: str, tip: str, step=1) -> QtWidgets.QSpinBox:
    box = RangeSpinBox()
    box.setRange(lo, hi)
    box.setSingleStep(step)
    box.setValue(value)
    box.setSuffix(suffix)
    box.setToolTip(tip)
    box.setKeyboardTracking(False)  # typing "8000" must not redraw at 8, 80, 800
    return box


class SpectrogramSettings(QtWidgets.QFrame):
    """All display and analysis settings, laid out in two compact rows."""

    changed = QtCore.Signal(str)  # the key of the setting that changed

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("spectrogramSettings")
        theme.style(self, "#spectrogramSettings { background: {PANEL}; border-radius: 6px; }")
        d = DEFAULTS
        self.samplerate = _combo(SAMPLE_RATES, d["samplerate"], "Samples per second")
        self.n_fft = _combo(
            FFT_SIZES,
            d["n_fft"],
            "Samples per FFT frame: larger = finer in frequency, blurrier in time",
        )
        self.hop = _combo(HOPS, d["hop"], "Samples between frames: smaller = smoother in time")
        self.span = _spin(1, 30, int(d["span"]), " s", "Seconds of history shown")
        self.scale = _combo(
            list(FREQUENCY_SCALES), d["scale"], "How frequency is spread vertically"
        )
        self.fmin = _spin(0, 20000, d["fmin"], " Hz", "Lowest frequency shown", step=10)
        self.fmax = _spin(100, 24000, d["fmax"], " Hz", "Highest frequency shown", step=500)
        self.db_low = _spin(-160, 0, d["db_low"], " dB", "Darkest colour", step=5)
        self.db_high = _spin(-100, 20, d["db_high"], " dB", "Brightest colour", step=5)
        self.colormap = _combo(theme.SPECTROGRAM_CMAPS, d["colormap"], "Colour map")
        self.phase = QtWidgets.QCheckBox("show phase")
        self.phase.setToolTip("Show the phase of the current frame instead of its magnitude")
        fields = [
            ("rate", self.samplerate, "samplerate"),
            ("FFT", self.n_fft, "n_fft"),
            ("hop", self.hop, "hop"),
            ("span", self.span, "span"),
            ("scale", self.scale, "scale"),
            ("colours", self.colormap, "colormap"),
            ("from", self.fmin, "fmin"),
            ("to", self.fmax, "fmax"),
            ("dB from", self.db_low, "db_low"),
            ("dB to", self.db_high, "db_high"),
            ("", self.phase, "phase"),
        ]
        self._fields = []
        for label, widget, key in fields:
            text = QtWidgets.QLabel(label)
            theme.style(text, "color: {MUTED};")
            text.setAlignment(QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter)
            self._fields.append((text, widget))
            self._connect(widget, key)
        self.grid = QtWidgets.QGridLayout(self)
        self.grid.setContentsMargins(10, 6, 10, 6)
        self.grid.setHorizontalSpacing(8)
        self.grid.setVerticalSpacing(6)
        self.per_row = 0
        self.set_columns(6)

    def set_columns(self, per_row: int) -> None:
        """Lay the settings out ``per_row`` label/control pairs wide (fewer in a narrow dock)."""
        if per_row == self.per_row:
            return
        while self.grid.count():
            self.grid.takeAt(0)  # the widgets stay; only their grid cells are dropped
        for c in range(2 * max(per_row, self.per_row) + 1):
            self.grid.setColumnStretch(c, 0)
        self.per_row = per_row
        for i, (text, widget) in enumerate(self._fields):
            row, col = divmod(i, per_row)
            self.grid.addWidget(text, row, 2 * col)
            self.grid.addWidget(widget, row, 2 * col + 1)
        self.grid.setColumnStretch(2 * per_row, 1)

    def _connect(self, widget, key: str) -> None:
        def emit(*_):
            self.changed.emit(key)

        if isinstance(widget, QtWidgets.QComboBox):
            widget.currentIndexChanged.connect(emit)
        elif isinstance(widget, QtWidgets.QCheckBox):
            widget.toggled.connect(emit)
        else:
            widget.valueChanged.connect(emit)

    def values(self) -> dict:
        """Current settings as plain values (keys as in ``DEFAULTS``)."""
        n_fft = self.n_fft.currentData()
        return {
            "samplerate": self.samplerate.currentData(),
            "n_fft": n_fft,
            "hop": min(self.hop.currentData(), n_fft),
            "span": float(self.span.value()),
            "scale": self.scale.currentData(),
            "fmin": float(self.fmin.value()),
            "fmax": float(max(self.fmax.value(), self.fmin.value() + 100)),
            "db_low": float(self.db_low.value()),
            "db_high": float(max(self.db_high.value(), self.db_low.value() + 10)),
            "colormap": self.colormap.currentData(),
            "phase": self.phase.isChecked(),
        }

    def set_values(self, **values) -> None:
        """Set several settings at once, emitting ``changed`` once with key ``"all"``."""
        widgets = {
            "samplerate": self.samplerate, "n_fft": self.n_fft, "hop": self.hop,
            "scale": self.scale, "colormap": self.colormap, "span": self.span,
            "fmin": self.fmin, "fmax": self.fmax, "db_low": self.db_low,
            "db_high": self.db_high, "phase": self.phase,
        }  # fmt: skip
        blockers = [QtCore.QSignalBlocker(w) for w in widgets.values()]
        for key, value in values.items():
            w = widgets[key]
            if isinstance(w, QtWidgets.QComboBox):
                w.setCurrentIndex(max(0, w.findData(value)))
            elif isinstance(w, QtWidgets.QCheckBox):
                w.setChecked(bool(value))
            else:
                w.setValue(int(value))
        del blockers
        self.changed.emit("all")
