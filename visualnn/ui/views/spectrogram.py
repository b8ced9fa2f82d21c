"""The rolling spectrogram: newest sound on the right, frequency up, colour for loudness in dB.

Speed matters here (the panel shares a classroom laptop with a training run), so the image is
a preallocated ring that is never shifted: every column is written twice into a buffer twice
as wide, and the visible, time-ordered image is a plain slice of it. Colours are looked up only
for the new columns; a full recolour happens only when the dB range or colormap changes.
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from visualnn.ui import theme
from visualnn.ui.views.freq_scale import FrequencyAxis, RowMap
from visualnn.ui.views.nonfinite import LEGEND, NAN_RGB32

#: Upper bound on the columns kept for one time span; longer spans pool frames by their max.
MAX_COLUMNS = 3000


class RollingImageItem(pg.ImageItem):
    """An ``ImageItem`` over a float32 ring ``(rows, 2 * cols)`` read as a rolled view.

    ``image`` (what pyqtgraph and tests see) is the time-ordered float32 dB view. ``render`` is
    replaced by an incremental path that keeps a parallel ring of RGB32 colours, because
    pyqtgraph's generic path re-levels every pixel and draws an 8-bit indexed image, which is
    several times slower to scale onto the screen.
    """

    def __init__(self):
        super().__init__(axisOrder="row-major")
        self._floats: np.ndarray | None = None
        self._colours: np.ndarray | None = None
        self._cols = 0
        self._cursor = 0
        self._colour_key = None
        self._lut32: np.ndarray | None = None
        self._display = None  # keeps the QImage's memory alive
        self.paint_count = 0
        self.paint_seconds = 0.0  # CPU time spent painting, for the benchmark
        self.last_paint_end = 0.0  # perf_counter() after the latest paint, for latency

    def reset(self, rows: int, cols: int, fill: float) -> None:
        """Allocate an empty ring of ``rows`` x ``cols`` filled with ``fill`` dB."""
        self._floats = np.full((rows, 2 * cols), fill, dtype=np.float32)
        self._colours = np.zeros((rows, 2 * cols), dtype=np.uint32)
        self._cols, self._cursor, self._colour_key = cols, 0, None
        self.setImage(self.view(), autoLevels=False)

    def view(self) -> np.ndarray:
        """The time-ordered image ``(rows, cols)``, oldest column first (a view, no copy)."""
        return self._floats[:, self._cursor : self._cursor + self._cols]

    def push(self, columns: np.ndarray) -> None:
        """Append ``columns`` ``(rows, n)`` on the right, dropping the oldest ones."""
        n = columns.shape[1]
        if n == 0 or self._floats is None:
            return
        if n > self._cols:
            columns, n = columns[:, -self._cols :], self._cols
        idx = (self._cursor + np.arange(n)) % self._cols
        both = np.concatenate([idx, idx + self._cols])
        self._floats[:, both] = np.concatenate([columns, columns], axis=1)
        if self._colour_key is not None and self._colour_key == self._current_key():
            self._colours[:, both] = self._colourize(self._floats[:, both])
        self._cursor = (self._cursor + n) % self._cols
        self.updateImage(self.view())

    def _current_key(self):
        lut = self.lut
        if self.levels is None or lut is None or callable(lut):
            return None
        lo, hi = (float(v) for v in np.ravel(self.levels)[:2])
        return lo, hi, id(lut)

    def _colourize(self, values: np.ndarray) -> np.ndarray:
        lo, hi, _ = self._colour_key
        n = len(self._lut32) - 2  # the last entry is the "not a number" colour
        with np.errstate(invalid="ignore"):
            t = (values - lo) * (n / max(hi - lo, 1e-6))
            idx = np.clip(np.nan_to_num(t, nan=0.0), 0, n).astype(np.intp)
        idx[~np.isfinite(values)] = n + 1
        return self._lut32[idx]

    def render(self):
        key = self._current_key()
        if self._floats is None or key is None:
            return super().render()
        if key != self._colour_key:
            lut = np.asarray(self.lut)
            rgb = lut[:, :3].astype(np.uint32)
            lut32 = 0xFF000000 | (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]
            self._lut32 = np.append(lut32, NAN_RGB32).astype(np.uint32)
            self._colour_key = key
            self._colours[:] = self._colourize(self._floats)
        # No copy: a QImage may have a line stride longer than its width, so it reads the
        # visible window straight out of the doubled ring (rows 2 * cols apart).
        rows, stride = self._colours.shape
        self._display = self._colours.reshape(-1)[self._cursor :]
        self.qimage = QtGui.QImage(
            self._display, self._cols, rows, stride * 4, QtGui.QImage.Format.Format_RGB32
        )
        # pyqtgraph's own render() clears these flags; ours must too or paint() re-renders.
        self._renderRequired = False
        self._unrenderable = False

    def paint(self, painter, *args):
        t0 = time.thread_time()
        super().paint(painter, *args)
        self.paint_seconds += time.thread_time() - t0
        self.paint_count += 1
        self.last_paint_end = time.perf_counter()


class SpectrogramView(pg.GraphicsLayoutWidget):
    """Rolling spectrogram with Hz axis (linear/log/mel), seconds axis and a dB colour bar.

    Call :meth:`configure` when the STFT geometry or display range changes, then
    :meth:`push_db` with new dB columns ``(n_freq, n)`` as they arrive.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackground(theme.BACKGROUND)
        self.ci.setContentsMargins(4, 8, 4, 4)
        self.freq_axis = FrequencyAxis()
        self.plot = self.addPlot(row=0, col=0, axisItems={"left": self.freq_axis})
        theme.style_plot(self.plot)
        self.plot.showGrid(x=False, y=False)
        for name in ("left", "bottom"):
            # The view a class reads from afar: full-size tick labels, not the plots' 0.9.
            self.plot.getAxis(name).setStyle(tickFont=theme.font(1.0))
        self.plot.setLabel("left", "frequency (Hz)")
        self.plot.setLabel("bottom", "time (s)")
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.image = RollingImageItem()
        self.plot.addItem(self.image)
        self.levels = (-90.0, -10.0)
        self.colorbar = pg.ColorBarItem(
            values=self.levels,
            colorMap=theme.colormap(theme.SEQUENTIAL_CMAP),
            label="dB",
            interactive=False,
            width=22,
        )
        self.colorbar.setImageItem(self.image)
        self.addItem(self.colorbar, row=0, col=1)
        axis = self.colorbar.axis
        axis.setTextPen(theme.FOREGROUND)
        axis.setStyle(tickFont=theme.font(1.0))
        axis.label.setFont(theme.font(0.95))
        self.row_map: RowMap | None = None
        self.nonfinite_values = 0  # pushed values that were not numbers (drawn in magenta)
        self.nan_legend: pg.LabelItem | None = None  # added below the image at the first one
        self.span = 10.0
        self._pool = 1
        self._pending = None
        self.configure(48000, 2048, 256, 10.0, "log", 40.0, 16000.0)

    def configure(self, samplerate, n_fft, hop, span, scale, fmin, fmax) -> None:
        """Rebuild the row map and an empty ring for a new geometry or display range."""
        self.row_map = RowMap(samplerate, n_fft, scale, fmin, fmax)
        self.span = float(span)
        frames = max(1, int(round(span * samplerate / hop)))
        self._pool = max(1, -(-frames // MAX_COLUMNS))  # ceil: frames pooled per column
        cols = max(1, frames // self._pool)
        self._pending = np.empty((self.row_map.n_rows, 0), dtype=np.float32)
        self.image.reset(self.row_map.n_rows, cols, self.levels[0] - 100.0)
        self.image.setRect(QtCore.QRectF(-self.span, 0.0, self.span, 1.0))
        self.freq_axis.set_scale(self.row_map.scale)
        self.plot.setXRange(-self.span, 0.0, padding=0)
        self.plot.setYRange(0.0, 1.0, padding=0)

    def set_levels(self, low: float, high: float) -> None:
        """Fixed colour range in dB (never auto-levelled: a quiet room must look quiet)."""
        self.levels = (float(low), float(max(high, low + 1.0)))
        self.colorbar.setLevels(self.levels)

    def set_colormap(self, name: str) -> None:
        """Use colormap ``name`` (see ``theme.SPECTROGRAM_CMAPS``)."""
        self.colorbar.setColorMap(theme.colormap(name))

    def push_db(self, columns: np.ndarray) -> None:
        """Append dB columns ``(n_freq, n)`` (STFT bins) to the right of the image.

        Values that are not numbers are drawn in the reserved colour, counted in
        ``nonfinite_values`` and explained in a legend line, never a failed redraw.
        """
        bad = int(np.count_nonzero(~np.isfinite(columns)))
        if bad:
            self._note_nonfinite(bad)
        with np.errstate(invalid="ignore"):
            rows = self.row_map.apply(columns)
        if self._pool > 1:
            # Long spans at small hops: pool whole groups of frames so memory stays bounded.
            rows = np.concatenate([self._pending, rows], axis=1)
            whole = rows.shape[1] // self._pool * self._pool
            self._pending = rows[:, whole:]
            n = whole // self._pool
            rows = rows[:, :whole].reshape(rows.shape[0], n, self._pool).max(axis=2)
        self.image.push(rows)

    def _note_nonfinite(self, count: int) -> None:
        self.nonfinite_values += count
        if self.nan_legend is None:
            self.nan_legend = pg.LabelItem(justify="left", color=theme.FOREGROUND)
            self.addItem(self.nan_legend, row=1, col=0, colspan=2)
        self.nan_legend.setText(
            f"{LEGEND}: {self.nonfinite_values} spectrogram values were NaN or infinite",
            size=f"{theme.BASE_POINT_SIZE}pt",
        )

    def image_data(self) -> np.ndarray:
        """The displayed dB image ``(n_rows, n_cols)``, oldest column first (a copy)."""
        return np.array(self.image.view())

    def row_frequencies(self) -> np.ndarray:
        """Centre frequency in Hz of every display row ``(n_rows,)``."""
        return self.row_map.row_hz
