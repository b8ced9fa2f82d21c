"""What the network predicts: class bars for the selected sample and a test-set confusion matrix."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from visualnn.ui import theme
from visualnn.ui.views.boundary import to_probabilities
from visualnn.ui.views.common import RedrawThrottle, message_label, recorded_forward
from visualnn.ui.views.tiles import to_rgba


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, k: int) -> np.ndarray:
    """Counts ``(k, k)``: row = true class, column = predicted class."""
    m = np.zeros((k, k), dtype=np.int64)
    np.add.at(m, (np.asarray(y_true, int), np.asarray(y_pred, int)), 1)
    return m


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
        self.headline.setFont(theme.font(1.25, bold=True))
        self.headline.setWordWrap(True)
        self.glw = pg.GraphicsLayoutWidget()
        self.bars_plot = self.glw.addPlot(row=0, col=0)
        theme.style_plot(self.bars_plot, "P(class) for this sample")
        self.bars_plot.setMouseEnabled(False, False)
        self.bars_plot.hideButtons()
        self.bars_plot.setMenuEnabled(False)
        self.bars_plot.setYRange(0, 1.05, padding=0)
        self.bars_plot.showGrid(x=False, y=True, alpha=0.2)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.75)
        self.bars_plot.addItem(self.bars)

        self.cm_plot = self.glw.addPlot(row=1, col=0)
        theme.style_plot(self.cm_plot, "Confusion matrix (test set)")
        self.cm_plot.setMouseEnabled(False, False)
        self.cm_plot.hideButtons()
        self.cm_plot.setMenuEnabled(False)
        self.cm_plot.showGrid(x=False, y=False)
        self.cm_plot.invertY(True)
        self.cm_plot.setAspectLocked(True)
        self.cm_plot.setLabel("left", "true")
        self.cm_plot.setLabel("bottom", "predicted")
        self.cm_image = pg.ImageItem(axisOrder="row-major")
        self.cm_plot.addItem(self.cm_image)
        self._cm_texts: list[pg.TextItem] = []
        self.glw.ci.layout.setRowStretchFactor(0, 2)
        self.glw.ci.layout.setRowStretchFactor(1, 3)
        self.message = message_label()

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.headline)
        layout.addWidget(self.message)
        layout.addWidget(self.glw, 1)

        self.throttle = RedrawThrottle(self, self.redraw_sample, 50)
        self.cm_throttle = RedrawThrottle(self, self.redraw_matrix, 500)
        for sig in (session.weights_updated, session.spec_changed, session.dataset_changed):
            sig.connect(self.throttle.mark)
            sig.connect(self.cm_throttle.mark)
        session.sample_changed.connect(self.throttle.mark)

    # --- the selected sample --------------------------------------------------------------
    def redraw_sample(self) -> None:
        ds = self.session.dataset
        if ds is None or ds.task != "classification":
            return self._show_message("Predictions and the confusion matrix are for "
                                      "classification; this dataset is a regression task.")
        try:
            rec = recorded_forward(self.session)
        except ValueError as exc:
            return self._show_message(str(exc))
        k = max(ds.num_classes or 2, 2)
        probs = to_probabilities(rec.output)[0]
        if probs.size != k:
            return self._show_message(f"The network has {rec.output.shape[1]} outputs but the "
                                      f"data has {k} classes.")
        self.probabilities = probs
        true = None if rec.y is None else int(np.asarray(rec.y).reshape(-1)[0])
        pred = int(probs.argmax())
        names = list(ds.class_names) or [str(c) for c in range(k)]
        brushes = [pg.mkBrush(theme.POSITIVE if c == true else theme.ACCENT) for c in range(k)]
        pens = [pg.mkPen(theme.FOREGROUND, width=3) if c == pred else pg.mkPen(None)
                for c in range(k)]
        self.bars.setOpts(x=np.arange(k), height=probs, brushes=brushes, pens=pens, width=0.75)
        ticks = [[(c, names[c]) for c in range(k)]]
        self.bars_plot.getAxis("bottom").setTicks(ticks)
        self.bars_plot.setXRange(-0.6, k - 0.4, padding=0)
        verdict = ""
        if true is not None:
            ok = pred == true
            colour = theme.OK if ok else theme.ERROR
            word = "\u2714 right" if ok else "\u2718 wrong"
            verdict = (f" \u00b7 true {names[true]} <span style='color:{colour}'>"
                       f"{word}</span>")
        self.headline.setText(f"Predicted <b>{names[pred]}</b> ({probs[pred] * 100:.0f}%)"
                              f"{verdict}")
        self.message.hide()
        self.glw.show()

    # --- the test set ---------------------------------------------------------------------
    def redraw_matrix(self) -> None:
        ds, model = self.session.dataset, self.session.view_model
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
        y = np.asarray(ds.y_test).reshape(len(ds.y_test), -1)
        y_true = y.argmax(axis=1) if y.shape[1] > 1 else np.rint(y[:, 0]).astype(int)
        self.matrix = confusion_matrix(y_true, probs.argmax(axis=1), k)
        self._draw_matrix(self.matrix, list(ds.class_names) or [str(c) for c in range(k)])

    def _draw_matrix(self, m: np.ndarray, names: list[str]) -> None:
        k = m.shape[0]
        # normalise per true class so small classes are as visible as large ones
        frac = m / np.maximum(m.sum(axis=1, keepdims=True), 1)
        self.cm_image.setImage(to_rgba(frac, theme.SEQUENTIAL_CMAP, 0, 1), autoLevels=False)
        self.cm_image.setRect(QtCore.QRectF(-0.5, -0.5, k, k))
        if len(self._cm_texts) != k * k:
            for t in self._cm_texts:
                self.cm_plot.removeItem(t)
            self._cm_texts = []
            size = theme.font(1.0 if k <= 5 else 0.8, bold=True)
            for r in range(k):
                for c in range(k):
                    t = pg.TextItem(anchor=(0.5, 0.5))
                    t.setFont(size)
                    t.setPos(c, r)
                    self.cm_plot.addItem(t)
                    self._cm_texts.append(t)
        for idx, t in enumerate(self._cm_texts):
            r, c = divmod(idx, k)
            colour = "#000000" if frac[r, c] > 0.6 else theme.FOREGROUND
            t.setText(str(m[r, c]), color=QtGui.QColor(colour))
        ticks = [[(c, names[c]) for c in range(k)]]
        self.cm_plot.getAxis("bottom").setTicks(ticks)
        self.cm_plot.getAxis("left").setTicks(ticks)
        self.cm_plot.setRange(xRange=(-0.5, k - 0.5), yRange=(-0.5, k - 0.5), padding=0.02)
        acc = np.trace(m) / max(m.sum(), 1)
        self.cm_plot.setTitle(f"Confusion matrix (test set, {m.sum()} samples, "
                              f"{acc * 100:.1f}% right)", color=theme.FOREGROUND,
                              size=f"{int(theme.BASE_POINT_SIZE * 1.15)}pt")

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        self.glw.hide()
        self.headline.setText("")

    def showEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        self.throttle.flush()
        self.cm_throttle.flush()
