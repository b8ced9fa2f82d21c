"""The waveform scope, the current frame's spectrum (magnitude or phase) and a dBFS meter.

These are the Fourier lesson in miniature: the wave as it arrives, the one frame the
spectrogram just turned into a column, and how loud it all is.
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from visualnn.ui import theme
from visualnn.ui.views.freq_scale import FrequencyAxis, FrequencyScale

#: Waveform window shown by the scope, in seconds (a few periods of a voice or a tone).
SCOPE_SECONDS = 0.02


def triggered_window(samples: np.ndarray, n: int) -> np.ndarray:
    """The last ``n`` samples starting at a rising zero crossing, so a tone stands still.

    Parameters
    ----------
    samples : ndarray (m,) recent samples, newest last.
    n : samples to show.
    """
    if samples.shape[0] <= n:
        return samples
    search = samples[-(2 * n) :] if samples.shape[0] >= 2 * n else samples
    head = search[: search.shape[0] - n + 1]
    rising = np.flatnonzero((head[:-1] < 0) & (head[1:] >= 0))
    start = int(rising[-1]) + 1 if rising.size else search.shape[0] - n
    return search[start : start + n]


class ScopeView(pg.GraphicsLayoutWidget):
    """Two stacked plots: waveform (ms, amplitude) and one frame's spectrum (Hz, dB or rad)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackground(theme.BACKGROUND)
        self.ci.setContentsMargins(2, 4, 8, 2)
        self.wave_plot = self.addPlot(row=0, col=0)
        theme.style_plot(self.wave_plot, "Waveform")
        self.wave_plot.setLabel("bottom", "ms")
        self.wave_plot.setYRange(-1.0, 1.0, padding=0.02)
        self.wave_plot.setXRange(0, SCOPE_SECONDS * 1000, padding=0)
        # Antialiased wide pens cost ~15 ms per dense waveform in Qt's raster engine: the
        # scope would eat the frame budget. Plain 2 px lines read just as well on a projector.
        self.wave_curve = self.wave_plot.plot(
            pen=pg.mkPen(theme.SERIES[0], width=2), antialias=False, skipFiniteCheck=True
        )
        self.wave_curve.setDownsampling(auto=True, method="peak")
        self.wave_curve.setClipToView(True)
        # x is the spectrogram's display position (0..1), so both share one frequency scale.
        self.freq_axis = FrequencyAxis("bottom")
        self.spec_plot = self.addPlot(row=1, col=0, axisItems={"bottom": self.freq_axis})
        theme.style_plot(self.spec_plot, "Spectrum of this frame")
        self.spec_plot.setLabel("bottom", "Hz")
        self.spec_curve = self.spec_plot.plot(
            pen=pg.mkPen(theme.SERIES[1], width=2), antialias=False
        )
        self.spec_curve.setDownsampling(auto=True, method="peak")
        for plot in (self.wave_plot, self.spec_plot):
            # No grid: these plots repaint 40 times a second and a translucent full-area grid
            # is the most expensive thing in them.
            plot.showGrid(x=False, y=False)
            plot.setMouseEnabled(x=False, y=False)
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.getAxis("left").setWidth(52)
        self.show_phase = False
        self.db_range = (-90.0, 0.0)
        self.scale = FrequencyScale("linear", 0.0, 8000.0)
        self._x = None  # display positions of bins 1.. for the current geometry
        self._x_key = None
        self._apply_spec_axes()

    def set_side_by_side(self, on: bool) -> None:
        """Waveform and spectrum in one row (a wide, short strip) or stacked (a column)."""
        self.ci.removeItem(self.spec_plot)
        self.ci.addItem(self.spec_plot, row=0 if on else 1, col=1 if on else 0)
        self._short_titles = on  # half the width: "Spectrum", not "Spectrum of this frame"
        self._apply_spec_axes()

    def set_phase(self, on: bool) -> None:
        """Show the frame's phase in radians instead of its magnitude in dB."""
        self.show_phase = bool(on)
        self._apply_spec_axes()

    def set_scale(self, scale: FrequencyScale, db_range) -> None:
        """Follow the spectrogram's frequency scale (and range) and its dB range."""
        self.scale = scale
        self.freq_axis.set_scale(scale)
        self.db_range = (float(db_range[0]), float(db_range[1]))
        self._x_key = None
        self._apply_spec_axes()

    def _title_tail(self) -> str:
        return "" if getattr(self, "_short_titles", False) else " of this frame"

    def _apply_spec_axes(self) -> None:
        p = self.spec_plot
        p.setXRange(0.0, 1.0, padding=0)
        if self.show_phase:
            p.setTitle("Phase" + self._title_tail(), color=theme.FOREGROUND)
            p.setLabel("left", "rad")
            p.setYRange(-np.pi, np.pi, padding=0.05)
        else:
            p.setTitle("Spectrum" + self._title_tail(), color=theme.FOREGROUND)
            p.setLabel("left", "dB")
            p.setYRange(*self.db_range, padding=0)

    def set_waveform(self, samples: np.ndarray, samplerate: float) -> None:
        """Show a triggered window of the most recent ``samples`` ``(m,)``."""
        n = int(SCOPE_SECONDS * samplerate)
        y = triggered_window(samples, n)
        if y.shape[0] == 0:
            return
        x = np.arange(y.shape[0], dtype=np.float32) * (1000.0 / samplerate)
        self.wave_curve.setData(x, y)

    def set_frame(self, column: np.ndarray, samplerate: float, n_fft: int, db_scale: float):
        """Show one STFT column ``(n_freq,)`` complex: magnitude in dB or phase in rad.

        ``db_scale`` turns |X| into full-scale units (a full-scale sine peaks at 0 dB).
        """
        n_freq = column.shape[0]
        if self._x_key != (n_freq, samplerate):
            hz = np.arange(1, n_freq) * (samplerate / n_fft)  # no DC: a log scale has no 0 Hz
            self._x = self.scale.to_pos(hz).astype(np.float32)
            self._x_key = (n_freq, samplerate)
        mag_db = 20.0 * np.log10(np.maximum(np.abs(column[1:]) * db_scale, 1e-10))
        if self.show_phase:
            # Phase is only meaningful where there is energy; elsewhere it is noise.
            y = np.where(mag_db > mag_db.max() - 40.0, np.angle(column[1:]), np.nan)
            self.spec_curve.setData(self._x, y, connect="finite")
        else:
            self.spec_curve.setData(self._x, mag_db)


class LevelMeter(QtWidgets.QWidget):
    """Vertical dBFS meter: RMS bar, peak-hold line (held 1.5 s, then falling), number on top."""

    FLOOR_DB = -60.0
    HOLD_SECONDS = 1.5

    def __init__(self, parent=None):
        super().__init__(parent)
        self.level_db = self.FLOOR_DB
        self.peak_db = self.FLOOR_DB
        self._peak_time = 0.0
        self.setMinimumWidth(90)
        self.setSizePolicy(QtWidgets.QSizePolicy.Fixed, QtWidgets.QSizePolicy.Expanding)
        self.setToolTip("Loudness in dB relative to full scale (0 dBFS = the loudest possible)")

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 (Qt override)
        return QtCore.QSize(100, 300)

    def set_level(self, rms_db: float, peak_db: float) -> None:
        """New RMS and sample-peak levels in dBFS."""
        now = time.monotonic()
        self.level_db = max(self.FLOOR_DB, float(rms_db))
        if peak_db >= self.peak_db or now - self._peak_time > self.HOLD_SECONDS:
            self.peak_db = max(self.FLOOR_DB, float(peak_db))
            self._peak_time = now
        self.update()

    def _y(self, db: float, top: float, height: float) -> float:
        frac = (min(0.0, db) - self.FLOOR_DB) / -self.FLOOR_DB
        return top + height * (1.0 - frac)

    def paintEvent(self, event):  # noqa: N802 (Qt override)
        p = QtGui.QPainter(self)
        p.fillRect(self.rect(), QtGui.QColor(theme.BACKGROUND))
        p.setFont(theme.font(1.0, bold=True))
        fm = p.fontMetrics()
        text_h = fm.height()
        top = text_h * 2 + 6
        height = self.height() - top - 8
        scale_w = fm.horizontalAdvance("-48") * 0.85 + 8  # room for the dB scale on the left
        bar = QtCore.QRectF(scale_w, top, self.width() - scale_w - 6, height)
        p.fillRect(bar, QtGui.QColor(theme.PANEL))
        # Green to -12, amber to -3, red above: the zones a sound engineer expects.
        y_level = self._y(self.level_db, top, height)
        for lo, hi, colour in (
            (-60, -12, theme.OK),
            (-12, -3, theme.WARNING),
            (-3, 0, theme.ERROR),
        ):
            y0, y1 = self._y(hi, top, height), self._y(lo, top, height)
            y0 = max(y0, y_level)
            if y1 > y0:
                p.fillRect(
                    QtCore.QRectF(bar.left(), y0, bar.width(), y1 - y0), QtGui.QColor(colour)
                )
        y_peak = self._y(self.peak_db, top, height)
        p.setPen(QtGui.QPen(QtGui.QColor(theme.FOREGROUND), 3))
        p.drawLine(QtCore.QPointF(bar.left(), y_peak), QtCore.QPointF(bar.right(), y_peak))
        p.setPen(QtGui.QColor(theme.FOREGROUND))
        shown = "-inf" if self.level_db <= self.FLOOR_DB else f"{self.level_db:.0f}"
        p.drawText(QtCore.QRectF(0, 2, self.width(), text_h), QtCore.Qt.AlignCenter, shown)
        p.setFont(theme.font(0.8))
        p.setPen(QtGui.QColor(theme.MUTED))
        p.drawText(
            QtCore.QRectF(0, text_h + 2, self.width(), text_h), QtCore.Qt.AlignCenter, "dBFS"
        )
        small_h = p.fontMetrics().height()
        for db in (0, -6, -12, -24, -36, -48):
            y = self._y(db, top, height)
            p.drawLine(QtCore.QPointF(bar.left() - 4, y), QtCore.QPointF(bar.left(), y))
            label = QtCore.QRectF(0, y - small_h / 2, bar.left() - 6, small_h)
            p.drawText(label, QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter, str(db))
        p.end()
