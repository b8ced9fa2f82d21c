"""Decision boundary of a 2-D toy problem, live, behind its training and test points."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from visualnn.ui import theme
from visualnn.ui.views.common import RedrawThrottle, message_label
from visualnn.ui.views.tiles import to_rgba

GRID = 120
ISO_STEP = 2  # the 0.5 contour is traced on a GRID / ISO_STEP grid


_NAMED = {"orange": theme.POSITIVE, "blue": theme.NEGATIVE}


def class_colours(n: int, names=()) -> list[QtGui.QColor]:
    """One colour per class: classes named after a colour ("orange", "blue", as in the
    TensorFlow Playground data) get it; otherwise cool, warm, then the series colours."""
    base = [theme.NEGATIVE, theme.POSITIVE] + theme.SERIES[2:] + ["#b07cff", "#ff7c7c"]
    names = list(names or ())
    return [
        QtGui.QColor(_NAMED.get(names[k] if k < len(names) else "", base[k % len(base)]))
        for k in range(n)
    ]


def to_probabilities(out: np.ndarray) -> np.ndarray:
    """``(N, k)`` network output -> class probabilities ``(N, max(k, 2))``."""
    out = np.asarray(out, dtype=np.float64)
    if out.shape[1] == 1:
        p1 = out[:, 0]
        if p1.min() < 0 or p1.max() > 1:  # a linear or tanh output: squash for display
            p1 = 1 / (1 + np.exp(-p1))
        return np.stack([1 - p1, p1], axis=1)
    rows = out.sum(axis=1)
    if (out < 0).any() or not np.allclose(rows, 1, atol=1e-3):
        out = np.exp(out - out.max(axis=1, keepdims=True))
        out /= out.sum(axis=1, keepdims=True)
    return out


def boundary_rgba(probs: np.ndarray, shape: tuple[int, int], names=()) -> np.ndarray:
    """Colour a grid of class probabilities ``(H*W, k)`` as ``(H, W, 4)`` bytes.

    Two classes: a continuous cool-to-warm ramp of P(class 1) with a dark band at 0.5, so the
    boundary itself is visible. More classes: the winning class colour, faded by confidence.
    """
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
    return rgba.reshape(*shape, 4).round().astype(np.uint8)


class BoundaryView(QtWidgets.QWidget):
    """Heatmap of the model's prediction over the input plane (2-D datasets only).

    Recomputed with one vectorised forward pass over a ``GRID x GRID`` grid at most ten
    times a second while visible.
    """

    def __init__(self, session, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.grid_values: np.ndarray | None = None  # (GRID, GRID, k) probabilities / output
        self._points_for = None

        self.plot_widget = pg.PlotWidget()
        plot = self.plot_widget.getPlotItem()
        theme.style_plot(plot)
        plot.setLabel("bottom", "x\u2081")
        plot.setLabel("left", "x\u2082")
        plot.setMouseEnabled(False, False)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.setAspectLocked(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        plot.addItem(self.image)
        # the 0.5 line itself: where the network changes its mind
        self.isocurve = pg.IsocurveItem(
            level=0.5, pen=pg.mkPen(theme.FOREGROUND, width=2), axisOrder="row-major"
        )
        self.isocurve.setParentItem(self.image)
        # Traced on every ISO_STEP-th grid point: pyqtgraph's isocurve is pure Python and cost
        # ~25 ms a frame at full resolution, GIL time taken from the training thread. The
        # scale maps the coarse grid back onto the image's pixels.
        self.isocurve.setTransform(QtGui.QTransform.fromScale(ISO_STEP, ISO_STEP))
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

        self.throttle = RedrawThrottle(self, self.redraw, 100)
        for sig in (
            session.weights_updated,
            session.spec_changed,
            session.dataset_changed,
            session.sample_changed,
        ):
            sig.connect(self.throttle.mark)

    def redraw(self) -> None:
        ds, model = self.session.dataset, self.session.view_model
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
        lo, hi = self._bounds(ds)
        xs = np.linspace(lo[0], hi[0], GRID, dtype=np.float32)
        ys = np.linspace(lo[1], hi[1], GRID, dtype=np.float32)
        gx, gy = np.meshgrid(xs, ys)  # row r is y = ys[r]: rows go up the plot
        grid = np.stack([gx.ravel(), gy.ravel()], axis=1)
        try:
            out = model.predict(grid)
        except ValueError as exc:
            return self._show_message(str(exc))
        if ds.task == "classification":
            probs = to_probabilities(out)
            self.grid_values = probs.reshape(GRID, GRID, -1)
            rgba = boundary_rgba(probs, (GRID, GRID), ds.class_names)
            coarse = self.grid_values[::ISO_STEP, ::ISO_STEP, 1] if probs.shape[1] == 2 else None
            self.isocurve.setData(coarse)
        else:
            v = np.asarray(out, dtype=np.float64)[:, 0].reshape(GRID, GRID)
            self.grid_values = v[..., None]
            m = max(float(np.abs(v).max()), 1e-6)
            rgba = to_rgba(v, theme.DIVERGING_CMAP, -m, m)
            rgba[..., :3] = (rgba[..., :3] * 0.75).astype(np.uint8)
            self.isocurve.setData(None)
        self.image.setImage(rgba, autoLevels=False)
        dx, dy = (hi[0] - lo[0]) / (GRID - 1), (hi[1] - lo[1]) / (GRID - 1)
        self.image.setRect(
            QtCore.QRectF(lo[0] - dx / 2, lo[1] - dy / 2, hi[0] - lo[0] + dx, hi[1] - lo[1] + dy)
        )
        self.plot_widget.getPlotItem().setRange(
            xRange=(float(lo[0]), float(hi[0])), yRange=(float(lo[1]), float(hi[1])), padding=0
        )
        self._mark_sample(ds)
        self.message.hide()
        self.plot_widget.show()

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
        if self.session.custom_sample is None and len(ds.x_test):
            x = ds.x_test[self.session.sample_index % len(ds.x_test)]
            self.sample_marker.setData(pos=[x])
        else:
            self.sample_marker.setData(pos=[])

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        self.plot_widget.hide()
        self.legend.setText("")
        self._points_for = None

    def showEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        self.throttle.flush()
