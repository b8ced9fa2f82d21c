"""Weight (or last-step gradient) heatmaps: dense as out x in, conv as a kernel mosaic."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from visualnn.ui import theme
from visualnn.ui.pacing import Redraw
from visualnn.ui.views.common import (
    cache_axes,
    fmt,
    layer_title,
    message_label,
)
from visualnn.ui.views.tiles import to_rgba

SCALES = {"per layer": "layer", "per unit": "unit", "global": "global"}


def weight_mosaic(w: np.ndarray, b: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Lay parameters out as one 2-D image and remember which index each pixel shows.

    Parameters
    ----------
    w : ndarray
        ``(out, in)`` dense, ``(out, in, kh, kw)`` conv2d or ``(out, in, k)`` conv1d.
    b : ndarray or None
        ``(out,)``; dense layers get it as an extra column after a gap.

    Returns
    -------
    image : ndarray, float ``(rows, cols)``, NaN in the gaps between kernels.
    index : ndarray, int ``(rows, cols, 4)``: ``(out, in, kh, kw)`` index shown by each pixel
        (``in = -1`` marks a bias, ``out = -1`` a gap).
    """
    if w.ndim == 2:
        out, inn = w.shape
        cols = inn + (2 if b is not None else 0)
        img = np.full((out, cols), np.nan)
        index = np.full((out, cols, 4), -1)
        img[:, :inn] = w
        o, i = np.meshgrid(np.arange(out), np.arange(inn), indexing="ij")
        index[:, :inn, 0], index[:, :inn, 1], index[:, :inn, 2:] = o, i, 0
        if b is not None:
            img[:, -1] = b
            index[:, -1, 0], index[:, -1, 2:] = np.arange(out), 0
        return img, index
    if w.ndim == 3:
        w = w[:, :, None, :]
    out, inn, kh, kw = w.shape
    # one input channel: wrap the filters into a near-square grid instead of a thin column;
    # more filters than input channels: filters as columns, so the mosaic is wide like a dock
    transpose = 1 < inn < out
    if inn == 1:
        grid_cols = int(np.ceil(np.sqrt(out)))
        grid_rows = int(np.ceil(out / grid_cols))
    else:
        grid_rows, grid_cols = (inn, out) if transpose else (out, inn)
    img = np.full((grid_rows * (kh + 1) - 1, grid_cols * (kw + 1) - 1), np.nan)
    index = np.full((*img.shape, 4), -1)
    dr, dc = np.meshgrid(np.arange(kh), np.arange(kw), indexing="ij")
    for o in range(out):
        for i in range(inn):
            gr, gc = divmod(o, grid_cols) if inn == 1 else (i, o) if transpose else (o, i)
            r0, c0 = gr * (kh + 1), gc * (kw + 1)
            img[r0 : r0 + kh, c0 : c0 + kw] = w[o, i]
            index[r0 : r0 + kh, c0 : c0 + kw] = np.stack(
                [np.full_like(dr, o), np.full_like(dr, i), dr, dc], axis=-1
            )
    return img, index


class _Title(pg.LabelItem):
    """A label that never asks for width: a long title must not widen the layout column and
    push the colour bar out of the view."""

    def updateMin(self) -> None:  # noqa: N802 (pyqtgraph name)
        super().updateMin()
        self.setMinimumWidth(0)
        for key in (QtCore.Qt.MinimumSize, QtCore.Qt.PreferredSize):
            if key in self._sizeHint:
                self._sizeHint[key] = (0, self._sizeHint[key][1])


class _LayerPanel:
    """One layer's title, heatmap and colour bar inside the shared graphics layout."""

    def __init__(self, glw: pg.GraphicsLayoutWidget, row: int, index: int, title: str):
        self.index_layer = index
        self.label = _Title(
            title,
            color=theme.FOREGROUND,
            size=f"{theme.BASE_POINT_SIZE}pt",
            bold=True,
            justify="left",
        )
        self.label.setSizePolicy(QtWidgets.QSizePolicy.Expanding, QtWidgets.QSizePolicy.Fixed)
        glw.addItem(self.label, row=row, col=0, colspan=2)
        self.view = glw.addViewBox(row=row + 1, col=0)
        self.view.setMouseEnabled(False, False)
        self.view.setMenuEnabled(False)
        self.view.invertY(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.image)
        self.bar = pg.ColorBarItem(
            values=(-1, 1),
            colorMap=theme.colormap(theme.DIVERGING_CMAP),
            interactive=False,
            width=18,
        )
        self.bar.getAxis("right").setStyle(tickFont=theme.font(0.85))
        self.bar.getAxis("right").setTextPen(theme.FOREGROUND)
        glw.addItem(self.bar, row=row + 1, col=1)
        cache_axes(self.bar)
        self.raw = np.zeros((1, 1))
        self.index = np.full((1, 1, 4), -1)
        self.shape: tuple = ()

    def show(
        self, raw: np.ndarray, index: np.ndarray, scale: str, global_max: float, shape: tuple
    ) -> None:
        self.raw, self.index, self.shape = raw, index, shape
        shown = raw
        if scale == "unit":
            unit = index[..., 0]
            peak = np.zeros(shape[0])
            np.maximum.at(peak, unit[unit >= 0], np.abs(raw[unit >= 0]))
            shown = raw / np.where(unit >= 0, np.maximum(peak[unit], 1e-12), 1.0)
            m = 1.0
        elif scale == "global":
            m = global_max
        else:
            m = float(np.nanmax(np.abs(raw))) if np.isfinite(raw).any() else 1.0
        m = max(m, 1e-12)
        self.levels = (-m, m)
        self.image.setImage(to_rgba(shown, theme.DIVERGING_CMAP, -m, m), autoLevels=False)
        self.bar.setLevels(values=(-m, m))
        # square kernel pixels; dense matrices may stretch to use the space
        self.view.setAspectLocked(len(shape) > 2, ratio=1.0)
        self.view.autoRange(padding=0.02)


class WeightsView(QtWidgets.QWidget):
    """Heatmaps of the selected layer's (or every layer's) weights or last gradients."""

    def __init__(self, session, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.panels: list[_LayerPanel] = []
        self._signature: tuple | None = None

        self.layer_combo = QtWidgets.QComboBox()
        self.layer_combo.setFont(theme.font())
        self.layer_combo.setSizeAdjustPolicy(
            QtWidgets.QComboBox.AdjustToMinimumContentsLengthWithIcon
        )
        self.layer_combo.setMinimumContentsLength(6)
        self.grad_check = QtWidgets.QCheckBox("Gradients")
        self.grad_check.setToolTip(
            "Show \u2202L/\u2202w of the last training step instead of "
            "the weights: which way, and how hard, each weight is pushed"
        )
        self.grad_check.setFont(theme.font())
        self.scale_combo = QtWidgets.QComboBox()
        self.scale_combo.setFont(theme.font())
        self.scale_combo.addItems(list(SCALES))
        self.scale_combo.setToolTip("Colour scale shared per layer, per output unit or globally")
        bar = QtWidgets.QHBoxLayout()
        bar.addWidget(self.layer_combo, 2)
        bar.addWidget(self.grad_check)
        bar.addWidget(self.scale_combo, 1)

        self.glw = self._new_canvas()
        self.hover = QtWidgets.QLabel(" ")
        self.hover.setFont(theme.font(1.05))
        self.message = message_label()

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(self.glw, 1)
        self._layout = layout
        layout.addWidget(self.hover)

        self.throttle = Redraw(self, self.redraw)
        for sig in (session.inspect.weights_updated, session.inspect.spec_changed):
            sig.connect(self.throttle.mark)
        session.inspect.selection_changed.connect(self._on_session_selection_changed)
        self.layer_combo.currentIndexChanged.connect(self._on_control_changed)
        self.grad_check.toggled.connect(self._on_control_changed)
        self.scale_combo.currentIndexChanged.connect(self._on_control_changed)

    # --- data -----------------------------------------------------------------------------
    def _param_layers(self) -> list[int]:
        model = self.session.inspect.model
        return [i for i, layer in enumerate(model.layers) if "weight" in layer.params]

    def _sources(self) -> list[dict] | None:
        model = self.session.inspect.model
        if self.grad_check.isChecked():
            return self.session.inspect.last_grads
        return [layer.params for layer in model.layers]

    def redraw(self) -> None:
        model = self.session.inspect.model
        if model is None:
            return self._show_message("No model: fix the network in the graph first.")
        layers = self._param_layers()
        if not layers:
            return self._show_message("This network has no weights (add a Dense or Conv layer).")
        self._sync_combo(model, layers)
        sources = self._sources()
        if sources is None:
            return self._show_message(
                "No gradients yet: train for one step (Step) to see "
                "which way each weight is being pushed."
            )
        chosen = self.layer_combo.currentData()
        shown = layers if chosen is None or chosen not in layers else [chosen]
        signature = (tuple(shown), tuple(model.layers[i].describe() for i in shown))
        if signature != self._signature:
            self._build(model, shown)
            self._signature = signature
        mosaics = []
        for i in shown:
            src = sources[i] if i < len(sources) else {}
            w = np.asarray(src.get("weight", model.layers[i].params["weight"]), dtype=np.float64)
            b = src.get("bias") if w.ndim == 2 else None
            mosaics.append((*weight_mosaic(w, None if b is None else np.asarray(b)), w.shape))
        finite = [np.nanmax(np.abs(m)) for m, _, _ in mosaics if np.isfinite(m).any()]
        global_max = float(max(finite)) if finite else 1.0
        scale = SCALES[self.scale_combo.currentText()]
        for panel, (img, index, shape) in zip(self.panels, mosaics, strict=True):
            panel.show(img, index, scale, global_max, shape)
        self.message.hide()
        self.glw.show()

    def _sync_combo(self, model, layers: list[int]) -> None:
        items = [("All layers", None)] + [(layer_title(i, model.layers[i]), i) for i in layers]
        current = [
            (self.layer_combo.itemText(k), self.layer_combo.itemData(k))
            for k in range(self.layer_combo.count())
        ]
        if current != items:
            first = not current
            keep = self.layer_combo.currentData()
            self.layer_combo.blockSignals(True)
            self.layer_combo.clear()
            for text, data in items:
                self.layer_combo.addItem(text, data)
            pos = self.layer_combo.findData(keep) if keep is not None else 0
            if first and len(items) > 1:
                # one layer big by default (the selected one, else the first): every layer
                # stacked in a dock is too small to read from the back of a room ("All
                # layers" is one click away)
                pos = max(self.layer_combo.findData(self.session.inspect.selection.layer), 1)
            self.layer_combo.setCurrentIndex(max(pos, 0))
            self.layer_combo.blockSignals(False)

    def _build(self, model, shown: list[int]) -> None:
        # a fresh canvas per structure: re-filling a cleared GraphicsLayout leaves its rows
        # collapsed to zero height
        old, self.glw = self.glw, self._new_canvas()
        self._layout.replaceWidget(old, self.glw)
        old.hide()
        old.deleteLater()
        self.panels = [
            _LayerPanel(
                self.glw,
                2 * k,
                i,
                layer_title(i, model.layers[i])
                + self._axes_hint(model.layers[i].params["weight"].shape),
            )
            for k, i in enumerate(shown)
        ]

    def _new_canvas(self) -> pg.GraphicsLayoutWidget:
        glw = pg.GraphicsLayoutWidget()
        glw.scene().sigMouseMoved.connect(self._on_scene_mouse_moved)
        return glw

    @staticmethod
    def _axes_hint(shape: tuple) -> str:
        if len(shape) == 2:
            return " \u2014 units \u00d7 inputs, bias last"
        if shape[1] == 1:
            return " \u2014 one kernel per filter"
        if 1 < shape[1] < shape[0]:
            return " \u2014 input channels \u00d7 filters"
        return " \u2014 filters \u00d7 input channels"

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        self.glw.hide()
        self._signature = None

    # --- hover ----------------------------------------------------------------------------
    def _on_scene_mouse_moved(self, pos) -> None:
        for panel in self.panels:
            if not panel.view.sceneBoundingRect().contains(pos):
                continue
            p = panel.view.mapSceneToView(pos)
            r, c = int(np.floor(p.y())), int(np.floor(p.x()))
            if 0 <= r < panel.raw.shape[0] and 0 <= c < panel.raw.shape[1]:
                v = panel.raw[r, c]
                if np.isfinite(v) and panel.index[r, c, 0] >= 0:
                    self.hover.setText(self._describe(panel, r, c, v))
                    return
        self.hover.setText(" ")

    def _describe(self, panel: _LayerPanel, r: int, c: int, v: float) -> str:
        name = "\u2202L/\u2202" if self.grad_check.isChecked() else ""
        o, i, dr, dc = (int(k) for k in panel.index[r, c])
        where = f"layer {panel.index_layer + 1}: "
        if i < 0:
            return f"{where}{name}b[{o}] = {fmt(v, 4)}   (bias of unit {o})"
        if len(panel.shape) == 2:
            return f"{where}{name}w[{o}, {i}] = {fmt(v, 4)}   (unit {o} \u2190 input {i})"
        idx = f"{o}, {i}, {dr}, {dc}" if len(panel.shape) == 4 else f"{o}, {i}, {dc}"
        return f"{where}{name}w[{idx}] = {fmt(v, 4)}   (filter {o}, input channel {i})"

    # --- slots ----------------------------------------------------------------------------
    def _on_control_changed(self, *_args) -> None:
        self.throttle.mark()
        self.throttle.flush()

    def _on_session_selection_changed(self) -> None:
        """Follow the layer the user clicked, if it has weights."""
        layer = self.session.inspect.selection.layer
        pos = self.layer_combo.findData(layer) if layer is not None else -1
        if pos >= 0 and pos != self.layer_combo.currentIndex():
            self.layer_combo.setCurrentIndex(pos)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        self.throttle.flush()
