"""Training curves: loss and accuracy per epoch, with a light per-batch loss trace.

Both plots share the epoch axis. A batch is placed at its fractional epoch (batch 5 of 10
in epoch 3 sits at 2.5), so the noisy batch trace lines up under the epoch curves. Redraws
are coalesced to at most one per display frame however often the history grows. The legend
is a line of text above the plots, never over the curves; axis ticks are spaced for the
width of their numbers, so large text does not print them on top of each other.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from visualnn.ui import theme
from visualnn.ui.model.session import Session
from visualnn.ui.pacing import Redraw
from visualnn.ui.views.common import cache_axes, swatch

MAX_MARKED_EPOCHS = 40
PLOT_MS = 50
#: What each series is called in the legend, by its ``theme.SERIES`` colour index.
LEGEND = ((0, "training"), (1, "validation (dashed)"), (4, "per batch"))


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


_SUPERSCRIPT = str.maketrans(
    "-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
)


def decade_text(k: int) -> str:
    """10**k as a reader writes it: 100, 10, 1, 0.1, 0.01, then 10⁻³, 10⁻⁴ (no run of zeros)."""
    if -2 <= k <= 2:
        return f"{10.0**k:g}"
    return "10" + str(k).translate(_SUPERSCRIPT)


def _pen(color: str, width: float = 3.0, style=QtCore.Qt.SolidLine) -> QtCore.QObject:
    return pg.mkPen(color, width=width, style=style)


def tick_step(span: float, pixels: float, label_px: float) -> float:
    """A 1-2-5 tick spacing for ``span`` data units over ``pixels`` whose labels, each about
    ``label_px`` wide, never touch."""
    most = max(1.0, pixels / max(label_px * 1.3, 1.0))
    return nice_ceil(max(span, 1e-9) / most)


def _series(plot: pg.PlotItem) -> tuple[pg.PlotDataItem, pg.PlotDataItem]:
    """A training (solid, circles) and a validation (dashed, squares) curve on ``plot``."""
    curves = plot.plot(symbol="o", symbolSize=7), plot.plot(symbol="s", symbolSize=7)
    for curve in curves:
        # A long run keeps thousands of epochs; a 3 px antialiased line through all of them
        # took 3-4 ms per curve per redraw at 1920x1080 (a fifth of the window's time while
        # spiral trains). Drawn as each pixel column's lowest and highest value instead
        # ("peak"), it looks the same and costs a few hundred points.
        curve.setDownsampling(auto=True, method="peak")
        curve.opts["autoDownsampleFactor"] = 1.0
    return curves


def _drawable(x: np.ndarray, y: np.ndarray, log: bool) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)`` of one series as the loss axis can draw it: on a log axis only losses
    above 0 (a loss of exactly 0 has no logarithm; the curve skips it)."""
    if not log:
        return x, y
    keep = y > 0
    return x[keep], y[keep]


def _colour_series(train: pg.PlotDataItem, val: pg.PlotDataItem) -> None:
    for curve, colour, style in ((train, theme.SERIES[0], QtCore.Qt.SolidLine),
                                 (val, theme.SERIES[1], QtCore.Qt.DashLine)):  # fmt: skip
        curve.setPen(_pen(colour, style=style))
        curve.setSymbolBrush(colour)
        curve.setSymbolPen(None)


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
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        self.legend = QtWidgets.QLabel()
        self.legend.setWordWrap(True)
        outer.addWidget(self.legend)
        layout = QtWidgets.QHBoxLayout()
        outer.addLayout(layout, 1)
        self.loss_widget = pg.PlotWidget()
        self.acc_widget = pg.PlotWidget()
        for w in (self.loss_widget, self.acc_widget):
            w.setMinimumSize(180, 150)
            layout.addWidget(w)
        self.loss_plot: pg.PlotItem = self.loss_widget.getPlotItem()
        # A long run's loss sits on the axis near 0 for thousands of epochs; on a log axis
        # its progress from 0.01 to 0.0001 (and every spike) stays in sight. The switch sits
        # in the plot's empty top-left corner, beside its centred title: no extra row.
        self.log_check = QtWidgets.QCheckBox("log", self.loss_widget)
        self.log_check.setToolTip(
            "Draw the loss on a logarithmic axis (1, 0.1, 0.01, 10\u207b\u00b3 ...): once "
            "the loss is near 0, a log axis still shows it falling tenfold, and its spikes"
        )
        theme.set_font(self.log_check, 0.9)
        self.log_check.move(4, 2)
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
        self._ranges: tuple | None = None  # (x right, loss top, bottom, width, log) last set
        self.acc_plot.getAxis("left").setTickSpacing(0.25, 0.125)

        # The batch trace first, thin and translucent, so the epoch curves draw over it.
        self.batch_curve = self.loss_plot.plot()
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
        self._look = -1  # theme generation the pens and legend were made for
        # On the frame clock: hidden (closed or behind a tab) plots cost nothing.
        # 20 redraws a second: curves move smoothly at that rate, and each repaint of both
        # plots costs ~7 ms that the decision boundary needs more in the same frame.
        self.throttle = Redraw(self, self.redraw, min_interval_ms=PLOT_MS)
        session.project.history_changed.connect(self.throttle.mark)
        self.log_check.toggled.connect(self._on_log_toggled)
        self.throttle.flush()

    def _on_log_toggled(self, log: bool) -> None:
        self.loss_plot.setLogMode(x=False, y=log)
        self._ranges = None
        self.throttle.mark()
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

    def _restyle(self) -> None:
        """Pens and legend in the current theme's colours."""
        self._look = theme.GENERATION
        self.batch_curve.setPen(pg.mkPen(theme.SERIES[4], width=1.2))
        _colour_series(self.train_loss, self.val_loss)
        _colour_series(self.train_acc, self.val_acc)
        self._marked = not self._marked  # re-apply the markers with the new brushes
        self._ranges = None

    def _legend(self, empty: bool) -> None:
        parts = [f"{swatch(theme.SERIES[k])} {name}" for k, name in LEGEND]
        if empty:
            parts = ["No training yet: press Play (Space)."]
        text = " &nbsp; ".join(parts)
        if text != self.legend.text():
            self.legend.setText(text)

    def _ticks(self, right: float) -> None:
        """Epoch ticks no closer than their numbers are wide (inside the first epochs the
        numbers are fractions, 0.25, 0.5: measured as written, not as ``right`` is)."""
        for plot in (self.loss_plot, self.acc_plot):
            axis = plot.getAxis("bottom")
            fm = QtGui.QFontMetricsF(axis.style.get("tickFont") or axis.font())
            pixels = max(plot.getViewBox().width(), 60.0)
            step = 0.0
            texts = [f"{right:g}"]
            for _ in range(3):  # wider labels, sparser ticks, other labels: settles fast
                label = max(fm.horizontalAdvance(t) for t in texts) + fm.horizontalAdvance("0")
                new = tick_step(right, pixels, label)
                if new == step:
                    break
                step = new
                texts = [f"{k * step:g}" for k in range(int(right / step) + 1)][:64]
            axis.setTickSpacing(step, step)

    def _log_ticks(self, bottom: float, top: float) -> None:
        """Decades on the log loss axis, written the same way (1, 0.1, 0.01, 10⁻³, ...) and
        no closer than their text is tall."""
        axis = self.loss_plot.getAxis("left")
        line = QtGui.QFontMetricsF(axis.style.get("tickFont") or axis.font()).height()
        decades = int(top - bottom)
        step = max(1, int(np.ceil(decades * line * 1.4 / max(axis.height(), 60.0))))
        ticks = [(float(k), decade_text(k)) for k in range(int(top), int(bottom) - 1, -step)]
        axis.setTicks([ticks])

    def redraw(self) -> None:
        """Set every curve from the project's bounded ``History``."""
        if self._look != theme.GENERATION:
            self._restyle()
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
        log = self.log_check.isChecked()
        train_loss = _drawable(*hist.series("train_loss"), log)
        val_loss = _drawable(*hist.series("val_loss"), log)
        self.train_loss.setData(*train_loss)
        self.val_loss.setData(*val_loss)
        self.train_acc.setData(*hist.series("train_acc"))
        self.val_acc.setData(*hist.series("val_acc"))
        x, losses = hist.trace
        finite = np.isfinite(losses) & (losses > 0 if log else True)
        self.batch_curve.setData(x[finite], losses[finite])
        self._draw_marks(hist.marks)
        regression = self.session.project.task != "classification"
        self.acc_widget.setVisible(not regression)
        n = max(hist.epochs_done, float(x[-1]) if len(x) else 0.0)
        # Whole epochs once there are some; inside the first epoch, just the batches so far.
        # Both snapped to "nice" numbers, so the axes are re-drawn only now and then.
        # Nothing yet: one epoch wide, not a thousandth (whose ticks ran into each other).
        right = nice_ceil(np.ceil(n)) if n >= 1 else nice_ceil(n) if n > 0 else 1.0
        self._legend(empty=not len(x) and not len(train_loss[0]))
        shown = [losses[finite], train_loss[1], val_loss[1]]
        shown = np.concatenate(shown) if any(len(v) for v in shown) else np.zeros(1)
        if log:  # whole powers of ten, in the axis' own units (log10 of the loss)
            top = float(np.ceil(np.log10(shown.max()))) if shown.max() > 0 else 0.0
            bottom = float(np.floor(np.log10(shown.min()))) if shown.min() > 0 else top - 1
            bottom = min(bottom, top - 1)
        else:
            top = nice_ceil(shown.max()) if shown.max() > 0 else 1.0
            bottom = min(0.0, float(shown.min()))
        width = round(self.loss_plot.getViewBox().width())
        if self._ranges != (right, top, bottom, width, log):
            self._ranges = (right, top, bottom, width, log)
            self._ticks(right)
            for plot in (self.loss_plot, self.acc_plot):
                plot.setXRange(0, right, padding=0.02)
            self.loss_plot.setYRange(bottom, top, padding=0.02)
            if log:
                self._log_ticks(bottom, top)
            else:
                self.loss_plot.getAxis("left").setTicks(None)  # pyqtgraph's own again
            for plot in (self.loss_plot, self.acc_plot):
                # apply the new range now: pyqtgraph otherwise does it while painting, which
                # makes every item dirty again and paints the plot a second time
                plot.getViewBox().prepareForPaint()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(event)
        self.throttle.mark()  # tick spacing follows the width
