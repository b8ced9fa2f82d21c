"""Decision boundary of a 2-D toy problem, live, behind its training and test points."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from visualnn.ui import theme
from visualnn.ui.model.catalog import dataset_title
from visualnn.ui.model.forward import class_indices, output_classes
from visualnn.ui.model.plane import PlaneGrid, is_plane, plane_grid, plane_records
from visualnn.ui.pacing import Redraw
from visualnn.ui.views.boundary_colours import (
    RAMP_STEPS,
    boundary_rgba,
    class_colours,
    class_rgb,
    iso_segments,
    signed_rgb,
    to_probabilities,
)
from visualnn.ui.views.common import cache_axes, forward_signals, message_label, swatch
from visualnn.ui.views.nonfinite import finite_peak, legend_label, mark, show_legend
from visualnn.ui.views.tiles import to_rgba
from visualnn.ui.widgets import fixed_plot

GRID = 96  # 9,216 points: one forward pass a frame, scaled smoothly on screen
__all__ = [
    "GRID",
    "RAMP_STEPS",
    "BoundaryView",
    "boundary_rgba",
    "class_colours",
    "iso_segments",
    "to_probabilities",
]


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
        self._grid_for, self._grid_cache = None, None
        # where the sample ring was last drawn (None: nowhere; False: not drawn yet)
        self._marked: tuple | None | bool = False
        self._range: tuple | None = None

        self._build_plot()
        self.legend = QtWidgets.QLabel()
        theme.set_font(self.legend, 0.95)
        # Wrapped, so a long legend never widens the dock (and the window) past a projector.
        self.legend.setWordWrap(True)
        self.message = message_label()
        self.nan_legend = legend_label()
        self.nonfinite = 0  # grid points drawn in the "not a number" colour

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        for widget, stretch in ((self.message, 0), (self.plot_widget, 1), (self.legend, 0),
                                (self.nan_legend, 0)):  # fmt: skip
            layout.addWidget(widget, stretch)

        # A grid forward pass per frame: the boundary moves as smoothly as the training runs.
        self.throttle = Redraw(self, self.redraw)
        self.throttle.mark_on(*forward_signals(session))
        session.inspect.batch_changed.connect(self._on_inspect_batch_changed)
        self.throttle.mark_on(session.inspect.preview_changed)

    def _build_plot(self) -> None:
        """The heatmap and its 0.5 line under the training, test, batch and sample points."""
        self.plot_widget = pg.PlotWidget()
        plot = self.plot_widget.getPlotItem()
        theme.style_plot(plot)
        cache_axes(plot)
        plot.setLabel("bottom", "x\u2081")
        plot.setLabel("left", "x\u2082")
        fixed_plot(plot, square=True)
        self.image = pg.ImageItem(axisOrder="row-major")
        plot.addItem(self.image)
        # the 0.5 line itself: where the network changes its mind
        self.isocurve = pg.PlotCurveItem(
            pen=pg.mkPen(theme.FOREGROUND, width=2), connect="pairs", skipFiniteCheck=True
        )
        plot.addItem(self.isocurve)
        self.train_points = pg.ScatterPlotItem(size=9, pxMode=True)
        self.test_points = pg.ScatterPlotItem(size=11, pxMode=True)
        self.sample_marker = pg.ScatterPlotItem(
            size=24,
            pxMode=True,
            symbol="o",
            brush=pg.mkBrush(None),
            pen=pg.mkPen(theme.FOREGROUND, width=3),
        )
        # Slow motion: the points of the batch just trained, ringed.
        self.batch_points = pg.ScatterPlotItem(
            size=17, pxMode=True, brush=pg.mkBrush(None), pen=pg.mkPen(theme.WARNING, width=3)
        )
        for item in (self.train_points, self.test_points, self.batch_points, self.sample_marker):
            plot.addItem(item)
        # While the pointer is on a neuron of the graph: which unit the picture shows, laid
        # over the legend it replaces for that time (in a line of its own it would push the
        # plot up and back on every hover; over the plot it hid the top of the picture).
        self.preview_label = QtWidgets.QLabel(self)
        self.preview_label.setWordWrap(True)
        theme.set_font(self.preview_label, 0.95, bold=True)
        self.preview_label.hide()

    def redraw(self) -> None:
        ds, model = self.session.project.dataset, self.session.inspect.model
        if not is_plane(ds):
            name = dataset_title(ds.name, ds) if ds is not None else "no data set"
            shape = "\u00d7".join(map(str, ds.input_shape)) if ds else "no"
            return self._show_message(
                f"Drawn for 2-D points only. {name} has {shape} inputs: "
                "see Activations and Predictions."
            )
        if model is None or tuple(model.input_shape) != (2,):
            return self._show_message("The network does not take 2 inputs: fix the first layer.")
        if self._points_for is not ds:
            self._draw_points(ds)
        plane = self._grid(ds)
        lo, hi, xs, ys = plane.lo, plane.hi, plane.xs, plane.ys
        try:
            out = model.predict(plane.points)
        except ValueError as exc:
            return self._show_message(str(exc))
        with np.errstate(invalid="ignore", over="ignore"):  # NaN weights: drawn, not fatal
            rgba = self._colour(ds, out, xs, ys)
            rgba = self._preview(model, plane, rgba)
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

    def _colour(self, ds, out: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """The grid's colours ``(GRID, GRID, 4)``; sets ``grid_values`` and the boundary line."""
        if ds.task == "classification":
            probs = to_probabilities(out)
            self.grid_values = probs.reshape(GRID, GRID, -1)
            rgba = boundary_rgba(probs, (GRID, GRID), ds.class_names)
            bad = int(np.count_nonzero(~np.isfinite(probs).all(axis=1)))
            if probs.shape[1] == 2:
                cols, rows = iso_segments(self.grid_values[..., 1], 0.5)
                ends = (np.isfinite(cols) & np.isfinite(rows)).reshape(-1, 2).all(axis=1)
                keep = np.repeat(ends, 2)  # whole segments only
                self.isocurve.setData(
                    xs[0] + cols[keep] * (xs[1] - xs[0]), ys[0] + rows[keep] * (ys[1] - ys[0])
                )
            else:
                self.isocurve.setData([], [])
        else:
            v = np.asarray(out, dtype=np.float64)[:, 0].reshape(GRID, GRID)
            self.grid_values = v[..., None]
            m = max(finite_peak(v, 0.0), 1e-6)
            rgba = to_rgba(np.clip(v, -m, m), theme.DIVERGING_CMAP, -m, m)
            rgba[..., :3] = (rgba[..., :3] * 0.75).astype(np.uint8)
            bad = mark(rgba, v)
            self.isocurve.setData([], [])
        self.nonfinite = bad
        detail = (
            f"the network's output is NaN or infinite at {bad} of {GRID * GRID} points "
            "(are its weights finite?)"
        )
        show_legend(self.nan_legend, detail if bad else "")
        return rgba

    def _preview(self, model, plane: PlaneGrid, rgba: np.ndarray) -> np.ndarray:
        """The pointed-at unit's output over the plane instead of the network's (and the
        line where its weighted sum z is 0), as TensorFlow Playground shows a hovered
        neuron; ``rgba`` unchanged when nothing is pointed at."""
        unit = unit_over_plane(model, plane, self.session.inspect.preview)
        if unit is None:
            self.preview_label.hide()
            return rgba
        name, j, layer_values, z = unit
        shown = np.empty_like(rgba)
        ds, layer = self.session.project.dataset, self.session.inspect.preview[0]
        last = layer is not None and layer == len(model.layers) - 1
        classes = output_classes(layer_values, ds, last)
        if classes is None:  # as the unit's small map in the graph
            shown[..., :3] = signed_rgb(layer_values, theme.BACKGROUND)[:, :, j]
        else:
            shown[..., :3] = class_rgb(layer_values, theme.BACKGROUND, classes)[:, :, j]
        shown[..., 3] = 255
        line = ""
        if z is not None:
            cols, rows = iso_segments(z, 0.0)
            keep = np.repeat((np.isfinite(cols) & np.isfinite(rows)).reshape(-1, 2).all(1), 2)
            xs, ys = plane.xs, plane.ys  # whole segments only (NaN weights: none)
            self.isocurve.setData(
                xs[0] + cols[keep] * (xs[1] - xs[0]), ys[0] + rows[keep] * (ys[1] - ys[0])
            )
            line = " \u00b7 line: z = 0"
        else:
            self.isocurve.setData([], [])
        text = f"{name}: its output{line}"  # its colours: the graph's, said in its tooltip
        label = self.preview_label
        label.setText(text)
        label.setStyleSheet(
            f"color: {theme.FOREGROUND}; background: {theme.BACKGROUND}; padding: 2px 0px;"
        )
        # the legend's place, as wide; wrapped upwards from its bottom if longer
        legend = self.legend.geometry()
        width = max(legend.width(), 80)
        height = max(label.heightForWidth(width), legend.height())
        label.setGeometry(legend.left(), legend.bottom() + 1 - height, width, height)
        self.preview_label.show()
        self.preview_label.raise_()
        return shown

    def _grid(self, ds) -> PlaneGrid:
        """The grid over ``ds`` (kept while ``ds`` is shown)."""
        if self._grid_for is not ds:
            self._grid_cache, self._grid_for = plane_grid(ds, GRID), ds
        return self._grid_cache

    def _draw_points(self, ds) -> None:
        self._points_for = ds
        dark = pg.mkPen("#000000", width=1.2)
        if ds.task == "classification":
            cols = class_colours(ds.num_classes or 2, ds.class_names)
            ytr, yte = class_indices(ds.y_train), class_indices(ds.y_test)
            brushes = [pg.mkBrush(cols[k % len(cols)]) for k in ytr]
            pens = [pg.mkPen(cols[k % len(cols)], width=2.5) for k in yte]
            names = ds.class_names or [str(k) for k in range(len(cols))]
            self.legend.setText(
                "  ".join(
                    f"{swatch(c.name())} <span style='color:{c.name()}'>{n}</span>"
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

    def _on_inspect_batch_changed(self) -> None:
        ds = self.session.project.dataset
        idx = self.session.inspect.batch_indices
        if not is_plane(ds) or not len(idx) or idx.max() >= len(ds.x_train):
            self.batch_points.setData(pos=np.zeros((0, 2)))
            return
        self.batch_points.setData(pos=ds.x_train[idx])

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        self.plot_widget.hide()
        self.legend.setText("")
        self.nan_legend.hide()
        self._points_for = self._range = None
        self._marked = False

    def showEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        self.throttle.flush()


def unit_over_plane(model, plane: PlaneGrid, target) -> tuple | None:
    """What the Decision boundary shows for pointed-at unit ``target = (layer, unit)``.

    Returns
    -------
    tuple or None
        ``(name, unit, layer_values, z)``: a title; the unit's index in the last axis of
        ``layer_values`` ``(n, n, units)``, the whole layer's outputs over the plane (one
        colour scale for the layer, as its small maps in the graph); ``z`` ``(n, n)`` its
        weighted sum (None for an input feature). None: nothing to show.
    """
    if target is None:
        return None
    layer, unit = target
    n = plane.n
    if layer is None:
        if not 0 <= unit < 2:
            return None
        name = "Input x" + "\u2080\u2081"[unit]
        return name, unit, plane.points.reshape(n, n, 2), None
    records = plane_records(model, plane)
    if not 0 <= layer < len(records):
        return None
    rec = records[layer]
    out, pre = np.asarray(rec.out), np.asarray(rec.pre)
    if out.ndim != 2 or not 0 <= unit < out.shape[1]:
        return None
    z = pre[:, unit].reshape(n, n) if pre.shape == out.shape else None
    name = f"Layer {layer + 1} \u00b7 unit {unit}"
    return name, unit, out.reshape(n, n, -1), z
