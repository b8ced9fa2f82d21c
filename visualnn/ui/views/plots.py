"""Training curves: loss and accuracy per epoch, with a light per-batch loss trace.

Both plots share the epoch axis. A batch is placed at its fractional epoch (batch 5 of 10
in epoch 3 sits at 2.5), so the noisy batch trace lines up under the epoch curves. Redraws
are coalesced to at most one per display frame however often the history grows.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from visualnn.ui import theme
from visualnn.ui.model.session import Session
from visualnn.ui.pacing import Redraw
from visualnn.ui.views.common import cache_axes

MAX_MARKED_EPOCHS = 40
PLOT_MS = 50


def nice_ceil(value: float) -> float:
    """Smallest of 1, 2, 2.5, 5 times a power of ten that is >= ``value`` (> 0).

    Plot ranges snap to these so they change a few times per run instead of every frame:
    a new range makes pyqtgraph re-generate the axis ticks and labels, GIL time taken from
    the trainer.
    """
    value = max(float(value), 1e-9)
    base = 10.0 ** np.floor(np.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if step * base >= value * (1 - 1e-9):
            return float(step * base)
    return float(10 * base)


def _pen(color: str, width: float = 3.0, style=QtCore.Qt.SolidLine) -> QtCore.QObject:
    return pg.mkPen(color, width=width, style=style)


def _series(plot: pg.PlotItem) -> tuple[pg.PlotDataItem, pg.PlotDataItem]:
    """A training (solid, circles) and a validation (dashed, squares) curve on ``plot``."""
    curves = []
    for colour, style, symbol, name in (
        (theme.SERIES[0], QtCore.Qt.SolidLine, "o", "training"),
        (theme.SERIES[1], QtCore.Qt.DashLine, "s", "validation"),
    ):
        curves.append(
            plot.plot(
                pen=_pen(colour, style=style),
                symbol=symbol,
                symbolSize=7,
                symbolBrush=colour,
                symbolPen=None,
                name=name,
            )  # fmt: skip
        )
    return curves[0], curves[1]


def _mark_line(epoch: int, text: str) -> pg.InfiniteLine:
    line = pg.InfiniteLine(pos=epoch, angle=90, pen=pg.mkPen(theme.WARNING, width=2,
                           style=QtCore.Qt.DashLine), label=text,
                           labelOpts={"position": 0.9, "color": theme.WARNING})  # fmt: skip
    return line


class TrainingPlots(QtWidgets.QWidget):
    """Loss (train, validation, per batch) and accuracy (train, validation) against epochs."""

    def __init__(self, session: Session, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.loss_widget = pg.PlotWidget()
        self.acc_widget = pg.PlotWidget()
        for w in (self.loss_widget, self.acc_widget):
            w.setMinimumSize(180, 150)
            layout.addWidget(w)
        self.loss_plot: pg.PlotItem = self.loss_widget.getPlotItem()
        self.acc_plot: pg.PlotItem = self.acc_widget.getPlotItem()
        theme.style_plot(self.loss_plot, "Loss")
        theme.style_plot(self.acc_plot, "Accuracy")
        for plot in (self.loss_plot, self.acc_plot):
            cache_axes(plot)
            plot.setLabel("bottom", "epoch")
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
        self.acc_plot.setYRange(0, 1.0, padding=0.02)
        self.loss_plot.enableAutoRange(y=False)
        self._ranges: tuple | None = None  # (x right, loss top) last set
        self.acc_plot.getAxis("left").setTickSpacing(0.25, 0.125)

        legend_font = theme.font(0.95)
        self.loss_plot.addLegend(offset=(-10, 10), labelTextSize=f"{legend_font.pointSize()}pt")
        self.acc_plot.addLegend(offset=(-10, -10), labelTextSize=f"{legend_font.pointSize()}pt")
        # The batch trace first, thin and translucent, so the epoch curves draw over it.
        self.batch_curve = self.loss_plot.plot(
            pen=pg.mkPen(theme.SERIES[4], width=1.2), name="per batch"
        )
        self.batch_curve.setOpacity(0.45)
        # Thousands of thin segments redrawn every frame: antialiasing them costs more than
        # the rest of the plot and a 1 px trace does not need it.
        self.batch_curve.opts["antialias"] = False
        self.batch_curve.setDownsampling(auto=True, method="mean")
        self.batch_curve.setClipToView(True)
        self.batch_curve.setSkipFiniteCheck(True)
        self.train_loss, self.val_loss = _series(self.loss_plot)
        self.train_acc, self.val_acc = _series(self.acc_plot)
        for curve in (self.train_loss, self.val_loss, self.train_acc, self.val_acc):
            curve.setSkipFiniteCheck(True)  # every series is filtered to finite values
        self._marked = True
        self._mark_lines: list = []  # vertical lines where training stopped learning
        # On the frame clock: hidden (closed or behind a tab) plots cost nothing.
        # 20 redraws a second: curves move smoothly at that rate, and each repaint of both
        # plots costs ~7 ms that the decision boundary needs more in the same frame.
        self.throttle = Redraw(self, self.redraw, min_interval_ms=PLOT_MS)
        session.project.history_changed.connect(self.throttle.mark)
        self.throttle.flush()

    def _draw_marks(self, marks) -> None:
        if [(line.value(), line.label.format) for line in self._mark_lines] == [
            (float(e), t) for e, t in marks
        ]:
            return
        for line in self._mark_lines:
            self.loss_plot.removeItem(line)
        self._mark_lines = [_mark_line(e, t) for e, t in marks]
        for line in self._mark_lines:
            self.loss_plot.addItem(line)

    def redraw(self) -> None:
        """Set every curve from the project's bounded ``History``."""
        hist = self.session.project.history
        # Markers help while epochs are few; past that they only cost paint time.
        marked = len(hist.epochs) <= MAX_MARKED_EPOCHS
        if marked != self._marked:
            self._marked = marked
            for curve, symbol in (
                (self.train_loss, "o"),
                (self.val_loss, "s"),
                (self.train_acc, "o"),
                (self.val_acc, "s"),
            ):
                curve.setSymbol(symbol if marked else None)
        train_loss, val_loss = hist.series("train_loss"), hist.series("val_loss")
        self.train_loss.setData(*train_loss)
        self.val_loss.setData(*val_loss)
        self.train_acc.setData(*hist.series("train_acc"))
        self.val_acc.setData(*hist.series("val_acc"))
        x, losses = hist.trace
        finite = np.isfinite(losses)
        self.batch_curve.setData(x[finite], losses[finite])
        self._draw_marks(hist.marks)
        regression = self.session.project.task != "classification"
        self.acc_widget.setVisible(not regression)
        n = max(hist.epochs_done, float(x[-1]) if len(x) else 0.0)
        # Whole epochs once there are some; inside the first epoch, just the batches so far.
        # Both snapped to "nice" numbers, so the axes are re-drawn only now and then.
        right = nice_ceil(np.ceil(n)) if n >= 1 else nice_ceil(max(n, 1e-3))
        shown = [losses[finite], train_loss[1], val_loss[1]]
        shown = np.concatenate(shown) if any(len(v) for v in shown) else np.zeros(1)
        top = nice_ceil(shown.max()) if shown.max() > 0 else 1.0
        bottom = min(0.0, float(shown.min()))
        if self._ranges != (right, top, bottom):
            self._ranges = (right, top, bottom)
            for plot in (self.loss_plot, self.acc_plot):
                plot.setXRange(0, right, padding=0.02)
            self.loss_plot.setYRange(bottom, top, padding=0.02)
            for plot in (self.loss_plot, self.acc_plot):
                # apply the new range now: pyqtgraph otherwise does it while painting, which
                # makes every item dirty again and paints the plot a second time
                plot.getViewBox().prepareForPaint()
