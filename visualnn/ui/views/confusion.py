"""What the network predicts: class bars for the selected sample and a test-set confusion matrix."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from visualnn.ui import theme
from visualnn.ui.model.forward import class_indices, recorded_forward, to_probabilities
from visualnn.ui.pacing import Redraw
from visualnn.ui.theme import class_colours
from visualnn.ui.views.common import cache_axes, forward_signals, message_label, model_signals
from visualnn.ui.views.tiles import to_rgba
from visualnn.ui.widgets import fixed_plot, is_wide, set_side_by_side_soon


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, k: int) -> np.ndarray:
    """Counts ``(k, k)``: row = true class, column = predicted class."""
    m = np.zeros((k, k), dtype=np.int64)
    np.add.at(m, (np.asarray(y_true, int), np.asarray(y_pred, int)), 1)
    return m


class MatrixWidget(QtWidgets.QWidget):
    """The confusion matrix, painted: cells coloured by the share of their true class, counts
    printed (pyqtgraph ``TextItem``s by the hundred crash PySide6 6.12 at exit).

    Text is never smaller than the theme allows: counts that do not fit their cells at that
    size are left out (the colours still tell), class names thin out to every second or
    third when the cells are shorter than a line, and the title and the axis note shorten
    rather than being cut. ``painted_text_px`` says what the last paint wrote.
    """

    TITLES = ("Test set: {acc:.1f}% right of {n}", "{acc:.1f}% right of {n}", "{acc:.0f}%")
    NOTES = ("columns: predicted \u00b7 rows: true class", "cols predicted, rows true", "")

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.matrix = np.zeros((0, 0), dtype=np.int64)
        self.names: list[str] = []
        self.painted_text_px: list[int] = []
        self.counts_shown = False
        self.setMinimumSize(140, 140)

    def set_matrix(self, m: np.ndarray, names: list[str]) -> None:
        self.matrix, self.names = m, names
        self.update()

    def _fitting(self, variants, font: QtGui.QFont, **values) -> str:
        fm = QtGui.QFontMetrics(font)
        for text in variants:
            text = text.format(**values)
            if fm.horizontalAdvance(text) <= self.width():
                return text
        return ""

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt name)
        k = self.matrix.shape[0]
        self.painted_text_px = []
        if k == 0:
            return
        m = self.matrix
        p = QtGui.QPainter(self)
        p.setRenderHint(QtGui.QPainter.Antialiasing)
        small, big = theme.font(0.85), theme.font(1.05, bold=True)
        line = QtGui.QFontMetrics(small).height()
        label_w = max(QtGui.QFontMetrics(small).horizontalAdvance(n) for n in self.names[:k]) + 10
        title_h, foot_h = QtGui.QFontMetrics(big).height() + 6, 2 * line + 4
        side = min(self.width() - label_w - 8, self.height() - title_h - foot_h)
        cell = max(side / k, 4.0)
        x0 = label_w + (self.width() - label_w - cell * k) / 2
        y0 = title_h
        title = self._fitting(self.TITLES, big, acc=np.trace(m) / max(m.sum(), 1) * 100,
                              n=m.sum())  # fmt: skip
        self._text(p, big, theme.FOREGROUND, QtCore.QRectF(0, 0, self.width(), title_h),
                   QtCore.Qt.AlignCenter, title)  # fmt: skip
        self._cells(p, m, x0, y0, cell)
        # a name every `rows` / `cols` cells, so that names never overlap
        rows = int(np.ceil(line / max(cell, 1.0)))
        cols = int(np.ceil((label_w - 6) / max(cell, 1.0)))
        right = QtCore.Qt.AlignRight | QtCore.Qt.AlignVCenter
        for i, name in enumerate(self.names[:k]):
            if i % rows == 0:
                box = QtCore.QRectF(x0 - label_w, y0 + i * cell, label_w - 4, cell)
                self._text(p, small, theme.MUTED, box, right, name)
            if i % cols == 0:
                box = QtCore.QRectF(x0 + (i + 0.5 - cols / 2) * cell, y0 + k * cell, cols * cell,
                                    line)  # fmt: skip
                self._text(p, small, theme.MUTED, box, QtCore.Qt.AlignCenter, name)
        note = self._fitting(self.NOTES, small)
        self._text(p, small, theme.MUTED, QtCore.QRectF(0, y0 + k * cell + line + 2,
                   self.width(), line), QtCore.Qt.AlignCenter, note)  # fmt: skip
        p.end()

    def _text(self, p, font, colour: str, rect: QtCore.QRectF, flags, text: str) -> None:
        if not text:
            return
        p.setFont(font)
        p.setPen(QtGui.QColor(colour))
        p.drawText(rect, flags, text)
        self.painted_text_px.append(QtGui.QFontInfo(font).pixelSize())

    def _cells(self, p: QtGui.QPainter, m: np.ndarray, x0: float, y0: float, cell: float):
        """The coloured cells and, when they fit at a readable size, the counts."""
        k = m.shape[0]
        frac = m / np.maximum(m.sum(axis=1, keepdims=True), 1)
        rgba = to_rgba(frac, theme.SEQUENTIAL_CMAP, 0.0, 1.0)
        font = theme.font(1.0 if k <= 5 else 0.85, bold=True)
        fm = QtGui.QFontMetrics(font)
        widest = fm.horizontalAdvance(str(int(m.max())) if m.size else "0")
        self.counts_shown = widest <= cell - 4 and fm.height() <= cell
        p.setFont(font)
        for r in range(k):
            for c in range(k):
                rect = QtCore.QRectF(x0 + c * cell, y0 + r * cell, cell - 1, cell - 1)
                colour = QtGui.QColor(*[int(v) for v in rgba[r, c, :3]])
                p.fillRect(rect, colour)
                if r == c:
                    p.setPen(QtGui.QPen(QtGui.QColor(theme.OK), 2))
                    p.drawRect(rect.adjusted(1, 1, -1, -1))
                if self.counts_shown:
                    dark = colour.lightnessF() > 0.55
                    p.setPen(QtGui.QColor("#000000" if dark else "#ffffff"))
                    p.drawText(rect, QtCore.Qt.AlignCenter, str(m[r, c]))
        if self.counts_shown:
            self.painted_text_px.append(QtGui.QFontInfo(font).pixelSize())


class PredictionView(QtWidgets.QWidget):
    """Predicted-class probabilities of the selected sample (true class highlighted) above the
    confusion matrix of the test set. The matrix needs a pass over the whole test set, so it
    is refreshed at most twice a second; the bars follow the sample at 20 Hz.
    """

    def __init__(self, session, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.probabilities: np.ndarray | None = None  # (k,) for the selected sample
        self.matrix: np.ndarray | None = None  # (k, k) counts

        self.headline = QtWidgets.QLabel()
        theme.set_font(self.headline, 1.25, bold=True)
        self.headline.setWordWrap(True)
        self.glw = pg.GraphicsLayoutWidget()
        self.glw.setMinimumSize(160, 100)
        self.bars_plot = self.glw.addPlot(row=0, col=0)
        cache_axes(self.bars_plot)
        # no plot title: a pyqtgraph title widens the plot past a narrow dock
        theme.style_plot(self.bars_plot)
        # Bars lie down: each class name gets a line of its own beside its bar, however long
        # the name and however narrow the dock.
        self.bars_plot.setLabel("bottom", "P(class)")
        fixed_plot(self.bars_plot)
        self.bars_plot.setXRange(0, 1.05, padding=0)
        self.bars_plot.getViewBox().invertY(True)  # the first class on top, as in the matrix
        self.bars_plot.showGrid(x=True, y=False, alpha=0.2)
        self.bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.75)
        self.bars_plot.addItem(self.bars)
        self.bars_plot.getViewBox().sigResized.connect(self._on_bars_resized)

        self.cm_widget = MatrixWidget()
        self.message = message_label()

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.headline)
        layout.addWidget(self.message)
        # bars beside the matrix in a wide dock, above it in a tall one
        self.charts = QtWidgets.QBoxLayout(QtWidgets.QBoxLayout.TopToBottom)
        self.charts.addWidget(self.glw, 1)
        self.charts.addWidget(self.cm_widget, 2)
        layout.addLayout(self.charts, 1)

        self.throttle = Redraw(self, self.redraw_sample)
        self.cm_throttle = Redraw(self, self.redraw_matrix, min_interval_ms=500)
        self.throttle.mark_on(*forward_signals(session))
        self.cm_throttle.mark_on(*model_signals(session))

    # --- the selected sample --------------------------------------------------------------
    def redraw_sample(self) -> None:
        ds = self.session.project.dataset
        if ds is None or ds.task != "classification":
            return self._show_message(
                "Predictions and the confusion matrix are for "
                "classification; this dataset is a regression task."
            )
        try:
            rec = recorded_forward(self.session)
        except ValueError as exc:
            return self._show_message(str(exc))
        k = max(ds.num_classes or 2, 2)
        probs = to_probabilities(rec.output)[0]
        if probs.size != k:
            return self._show_message(
                f"The network has {rec.output.shape[1]} outputs but the data has {k} classes."
            )
        self.probabilities = probs
        true = None if rec.y is None else int(np.asarray(rec.y).reshape(-1)[0])
        pred = int(probs.argmax())
        names = list(ds.class_names) or [str(c) for c in range(k)]
        colours = class_colours(k, names)
        brushes = [pg.mkBrush(colours[c] if k <= 3 else theme.ACCENT) for c in range(k)]
        # the true class gets a thick green frame: right when the tallest bar is framed
        pens = [pg.mkPen(theme.OK, width=4) if c == true else pg.mkPen(None) for c in range(k)]
        self.bars.setOpts(x0=np.zeros(k), y=np.arange(k), width=probs, height=0.75,
                          brushes=brushes, pens=pens)  # fmt: skip
        # every class name if a line of text fits beside each bar, else every second...
        axis = self.bars_plot.getAxis("left")
        line = QtGui.QFontMetrics(axis.style.get("tickFont") or axis.font()).height()
        step = int(np.ceil(line / max(self.bars_plot.getViewBox().height() / k, 1.0)))
        ticks = [[(c, names[c]) for c in range(0, k, max(step, 1))]]
        if ticks != getattr(self, "_ticks", None):  # a new axis picture only when they change
            self._ticks = ticks
            axis.setTicks(ticks)
            self.bars_plot.setYRange(-0.6, k - 0.4, padding=0)
        verdict = ""
        if true is not None:
            ok = pred == true
            colour = theme.OK if ok else theme.ERROR
            word = "right" if ok else "wrong"
            verdict = f" \u00b7 true {names[true]} <span style='color:{colour}'>{word}</span>"
        self._set_headline(
            f"Predicted <b>{names[pred]}</b> ({probs[pred] * 100:.0f}%)"
            f"{verdict}<br><span style='color:{theme.MUTED}; font-weight:normal;"
            f" font-size:{theme.point_size(0.85):.1f}pt'>green frame = true class</span>"
        )
        self.message.hide()
        self.glw.show()
        self.cm_widget.show()

    def _set_headline(self, text: str) -> None:
        # A label's new text re-lays out the whole dock (~10 ms of GUI time while training):
        # skip it when nothing changed.
        if text != self.headline.text():
            self.headline.setText(text)

    # --- the test set ---------------------------------------------------------------------
    def redraw_matrix(self) -> None:
        ds, model = self.session.project.dataset, self.session.inspect.model
        if ds is None or model is None or ds.task != "classification" or not len(ds.x_test):
            return
        if tuple(model.input_shape) != tuple(ds.x_test.shape[1:]):
            return
        k = max(ds.num_classes or 2, 2)
        try:
            probs = to_probabilities(model.predict(ds.x_test))
        except ValueError:
            return
        if probs.shape[1] != k:
            return
        self.matrix = confusion_matrix(class_indices(ds.y_test), probs.argmax(axis=1), k)
        self._draw_matrix(self.matrix, list(ds.class_names) or [str(c) for c in range(k)])

    def _draw_matrix(self, m: np.ndarray, names: list[str]) -> None:
        self.cm_widget.set_matrix(m, names)
        self.cm_widget.show()

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        self.glw.hide()
        self.cm_widget.hide()
        self._set_headline("")
        self._ticks = None

    def _on_bars_resized(self, *_args) -> None:
        throttle = getattr(self, "throttle", None)  # sized once before it exists
        if throttle is not None:
            throttle.mark()  # how many class names fit beside the bars

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        wide = is_wide(event.size())
        set_side_by_side_soon(
            self, self.charts, wide, lambda: self.charts.setStretch(1, 1 if wide else 2)
        )
        super().resizeEvent(event)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        self.throttle.flush()
        self.cm_throttle.flush()
