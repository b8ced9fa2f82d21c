"""Decision boundary of a 2-D toy problem, live, behind its training and test points."""

from __future__ import annotations

import functools

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from visualnn.ui import theme
from visualnn.ui.model.forward import to_probabilities
from visualnn.ui.pacing import Redraw
from visualnn.ui.theme import class_colours
from visualnn.ui.views.common import cache_axes, message_label
from visualnn.ui.views.tiles import to_rgba

GRID = 120


def boundary_rgba(probs: np.ndarray, shape: tuple[int, int], names=()) -> np.ndarray:
    """Colour a grid of class probabilities ``(H*W, k)`` as ``(H, W, 4)`` bytes.

    Two classes: a continuous cool-to-warm ramp of P(class 1) with a dark band at 0.5, so the
    boundary itself is visible. More classes: the winning class colour, faded by confidence.
    """
    k = probs.shape[1]
    if k == 2:  # a table of the ramp and one lookup: a few float passes fewer per frame
        table = _ramp_lut(tuple(names or ()))
        idx = np.clip(np.rint(probs[:, 1] * (RAMP_STEPS - 1)), 0, RAMP_STEPS - 1).astype(np.intp)
        return np.take(table, idx, axis=0).reshape(*shape, 4)
    return _mix_rgba(probs, names).reshape(*shape, 4)


#: Entries of the two-class colour table (P(class 1) resolved to 1 / (RAMP_STEPS - 1)).
RAMP_STEPS = 2048


@functools.lru_cache(maxsize=8)
def _ramp_lut(names: tuple) -> np.ndarray:
    p = np.linspace(0.0, 1.0, RAMP_STEPS)
    return _mix_rgba(np.stack([1 - p, p], axis=1), names)


def _mix_rgba(probs: np.ndarray, names=()) -> np.ndarray:
    """``(N, k)`` probabilities -> ``(N, 4)`` bytes (see ``boundary_rgba``)."""
    k = probs.shape[1]
    cols = np.array([c.getRgb()[:3] for c in class_colours(k, names)], dtype=np.float64)
    bg = np.array(QtGui.QColor(theme.BACKGROUND).getRgb()[:3], dtype=np.float64)
    if k == 2:
        p = probs[:, 1:2]
        confidence = np.abs(p - 0.5) * 2  # 0 on the boundary, 1 far from it
        colour = np.where(p >= 0.5, cols[1], cols[0])
    else:
        win = probs.argmax(axis=1)
        colour = cols[win]
        confidence = ((probs.max(axis=1) - 1 / k) / (1 - 1 / k))[:, None]
    # keep the background muted so the data points stay the brightest thing on screen
    mix = 0.22 + 0.58 * np.clip(confidence, 0, 1) ** 0.7
    rgb = bg + (colour - bg) * mix
    rgba = np.concatenate([rgb, np.full((len(rgb), 1), 255.0)], axis=1)
    return rgba.round().astype(np.uint8)


def iso_segments(values: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Marching squares, vectorised: the ``level`` contour of ``values`` ``(H, W)``.

    Returns ``(cols, rows)``, each ``(2 * n_segments,)``: consecutive pairs are the ends of
    one segment, in (fractional) grid coordinates, ready for ``connect="pairs"``.
    pyqtgraph's ``IsocurveItem`` does the same in a Python loop, ~10 ms a frame of GIL time
    taken from the training thread; this is well under a millisecond.
    """
    v = np.asarray(values, dtype=np.float64)
    h, w = v.shape
    if h < 2 or w < 2:
        return np.zeros(0), np.zeros(0)
    above = v >= level
    # only cells whose corners disagree hold a piece of the contour (a few hundred)
    mixed = above[:-1, :-1] != above[:-1, 1:]
    mixed |= above[:-1, 1:] != above[1:, 1:]
    mixed |= above[1:, 1:] != above[1:, :-1]
    rr, cc = np.nonzero(mixed)
    a, b, c, d = v[rr, cc], v[rr, cc + 1], v[rr + 1, cc + 1], v[rr + 1, cc]  # clockwise
    rr, cc = rr.astype(np.float64), cc.astype(np.float64)
    edges = (
        (a, b, cc, rr, cc + 1, rr),
        (b, c, cc + 1, rr, cc + 1, rr + 1),
        (d, c, cc, rr + 1, cc + 1, rr + 1),
        (a, d, cc, rr, cc, rr + 1),
    )
    masks, xs, ys = [], [], []
    for v1, v2, x1, y1, x2, y2 in edges:
        m = (v1 >= level) != (v2 >= level)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(m, (level - v1) / np.where(m, v2 - v1, 1.0), 0.0)
        masks.append(m)
        xs.append(x1 + t * (x2 - x1))
        ys.append(y1 + t * (y2 - y1))
    m, px, py = np.stack(masks, -1), np.stack(xs, -1), np.stack(ys, -1)
    count = m.sum(axis=-1)
    two, four = count == 2, count == 4
    # the two crossed edges of an ordinary cell; a saddle (four crossings) gives two segments
    first = np.argsort(~m[two], axis=1, kind="stable")[:, :2]
    cols = np.concatenate([np.take_along_axis(px[two], first, 1).ravel(), px[four].ravel()])
    rows = np.concatenate([np.take_along_axis(py[two], first, 1).ravel(), py[four].ravel()])
    return cols, rows


class BoundaryView(QtWidgets.QWidget):
    """Heatmap of the model's prediction over the input plane (2-D datasets only).

    Recomputed with one vectorised forward pass over a ``GRID x GRID`` grid, about five
    times a second while training and only while visible.
    """

    def __init__(self, session, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.grid_values: np.ndarray | None = None  # (GRID, GRID, k) probabilities / output
        self._points_for = None
        self._grid_for, self._grid_cache = None, ()
        # where the sample ring was last drawn (None: nowhere; False: not drawn yet)
        self._marked: tuple | None | bool = False

        self.plot_widget = pg.PlotWidget()
        plot = self.plot_widget.getPlotItem()
        theme.style_plot(plot)
        cache_axes(plot)
        plot.setLabel("bottom", "x\u2081")
        plot.setLabel("left", "x\u2082")
        plot.setMouseEnabled(False, False)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.setAspectLocked(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        plot.addItem(self.image)
        # the 0.5 line itself: where the network changes its mind
        self.isocurve = pg.PlotCurveItem(
            pen=pg.mkPen(theme.FOREGROUND, width=2), connect="pairs", skipFiniteCheck=True
        )
        plot.addItem(self.isocurve)
        self._range: tuple | None = None
        self.train_points = pg.ScatterPlotItem(size=9, pxMode=True)
        self.test_points = pg.ScatterPlotItem(size=11, pxMode=True)
        self.sample_marker = pg.ScatterPlotItem(
            size=24,
            pxMode=True,
            symbol="o",
            brush=pg.mkBrush(None),
            pen=pg.mkPen(theme.FOREGROUND, width=3),
        )
        for item in (self.train_points, self.test_points, self.sample_marker):
            plot.addItem(item)
        self.legend = QtWidgets.QLabel()
        self.legend.setFont(theme.font(0.95))
        # Wrapped, so a long legend never widens the dock (and the window) past a projector.
        self.legend.setWordWrap(True)
        self.message = message_label()

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.message)
        layout.addWidget(self.plot_widget, 1)
        layout.addWidget(self.legend)

        # A grid forward pass per frame: the boundary moves as smoothly as the training runs.
        self.throttle = Redraw(self, self.redraw)
        for sig in (
            session.inspect.weights_updated,
            session.inspect.spec_changed,
            session.project.dataset_changed,
            session.inspect.sample_changed,
        ):
            sig.connect(self.throttle.mark)

    def redraw(self) -> None:
        ds, model = self.session.project.dataset, self.session.inspect.model
        if ds is None or tuple(ds.input_shape) != (2,):
            name = ds.name if ds is not None else "no dataset"
            return self._show_message(
                f"The decision boundary is drawn for 2-D data (circle, xor, spiral...). "
                f"The current data ({name}) has {'x'.join(map(str, ds.input_shape)) if ds else 0}"
                " inputs per sample: see Activations and Predictions instead."
            )
        if model is None or tuple(model.input_shape) != (2,):
            return self._show_message("The network does not take 2 inputs: fix the first layer.")
        if self._points_for is not ds:
            self._draw_points(ds)
        lo, hi, xs, ys, grid = self._grid(ds)
        try:
            out = model.predict(grid)
        except ValueError as exc:
            return self._show_message(str(exc))
        if ds.task == "classification":
            probs = to_probabilities(out)
            self.grid_values = probs.reshape(GRID, GRID, -1)
            rgba = boundary_rgba(probs, (GRID, GRID), ds.class_names)
            if probs.shape[1] == 2:
                cols, rows = iso_segments(self.grid_values[..., 1], 0.5)
                self.isocurve.setData(
                    xs[0] + cols * (xs[1] - xs[0]), ys[0] + rows * (ys[1] - ys[0])
                )
            else:
                self.isocurve.setData([], [])
        else:
            v = np.asarray(out, dtype=np.float64)[:, 0].reshape(GRID, GRID)
            self.grid_values = v[..., None]
            m = max(float(np.abs(v).max()), 1e-6)
            rgba = to_rgba(v, theme.DIVERGING_CMAP, -m, m)
            rgba[..., :3] = (rgba[..., :3] * 0.75).astype(np.uint8)
            self.isocurve.setData([], [])
        self.image.setImage(rgba, autoLevels=False)
        dx, dy = (hi[0] - lo[0]) / (GRID - 1), (hi[1] - lo[1]) / (GRID - 1)
        self.image.setRect(
            QtCore.QRectF(lo[0] - dx / 2, lo[1] - dy / 2, hi[0] - lo[0] + dx, hi[1] - lo[1] + dy)
        )
        rng = (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))
        if rng != self._range:  # unchanged while training: no axis re-layout per frame
            self._range = rng
            self.plot_widget.getPlotItem().setRange(xRange=rng[:2], yRange=rng[2:], padding=0)
            self.plot_widget.getPlotItem().getViewBox().prepareForPaint()  # one paint, not two
        self._mark_sample(ds)
        self.message.hide()
        self.plot_widget.show()

    def _grid(self, ds) -> tuple:
        """``(lo, hi, xs, ys, points)``: the grid over ``ds`` (kept while ``ds`` is shown)."""
        if self._grid_for is not ds:
            lo, hi = self._bounds(ds)
            xs = np.linspace(lo[0], hi[0], GRID, dtype=np.float32)
            ys = np.linspace(lo[1], hi[1], GRID, dtype=np.float32)
            gx, gy = np.meshgrid(xs, ys)  # row r is y = ys[r]: rows go up the plot
            self._grid_cache = (lo, hi, xs, ys, np.stack([gx.ravel(), gy.ravel()], axis=1))
            self._grid_for = ds
        return self._grid_cache

    def _bounds(self, ds) -> tuple[np.ndarray, np.ndarray]:
        # float64: pyqtgraph compares ranges with huge limits that overflow float32
        pts = np.concatenate([ds.x_train, ds.x_test]).astype(np.float64)
        lo, hi = pts.min(axis=0), pts.max(axis=0)
        pad = (hi - lo) * 0.08 + 1e-6
        return lo - pad, hi + pad

    def _labels(self, y: np.ndarray) -> np.ndarray:
        y = np.asarray(y)
        if y.ndim > 1 and y.shape[1] > 1:
            return y.argmax(axis=1)
        return np.rint(y.reshape(len(y), -1)[:, 0]).astype(int)

    def _draw_points(self, ds) -> None:
        self._points_for = ds
        dark = pg.mkPen("#000000", width=1.2)
        if ds.task == "classification":
            cols = class_colours(ds.num_classes or 2, ds.class_names)
            ytr, yte = self._labels(ds.y_train), self._labels(ds.y_test)
            brushes = [pg.mkBrush(cols[k % len(cols)]) for k in ytr]
            pens = [pg.mkPen(cols[k % len(cols)], width=2.5) for k in yte]
            names = ds.class_names or [str(k) for k in range(len(cols))]
            self.legend.setText(
                "  ".join(
                    f"<span style='color:{c.name()}'>\u25cf {n}</span>"
                    for c, n in zip(cols, names, strict=False)
                )
                + f"   <span style='color:{theme.MUTED}'>filled: training \u00b7 "
                "ring: test</span>"
            )
        else:
            brushes = [pg.mkBrush(theme.FOREGROUND)] * len(ds.x_train)
            pens = [pg.mkPen(theme.FOREGROUND, width=2.5)] * len(ds.x_test)
            self.legend.setText(
                "background: network output (warm high, cool low) \u00b7 "
                "filled: training \u00b7 ring: test"
            )
        self.train_points.setData(pos=ds.x_train, brush=brushes, pen=dark)
        self.test_points.setData(pos=ds.x_test, brush=pg.mkBrush(None), pen=pens)

    def _mark_sample(self, ds) -> None:
        x = None
        if self.session.inspect.source == "dataset" and len(ds.x_test):
            x = ds.x_test[self.session.inspect.sample_index % len(ds.x_test)]
        key = None if x is None else tuple(float(v) for v in x)
        if key == self._marked:  # unchanged while training: no scatter rebuild per frame
            return
        self._marked = key
        self.sample_marker.setData(pos=[] if x is None else [x])

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        self.plot_widget.hide()
        self.legend.setText("")
        self._points_for = self._range = None
        self._marked = False

    def showEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        self.throttle.flush()
