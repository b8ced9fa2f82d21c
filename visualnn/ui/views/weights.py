"""Weight (or last-step gradient) heatmaps: dense as out x in, conv as a kernel mosaic."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from visualnn.ui import theme
from visualnn.ui.model.recurrent import is_recurrent
from visualnn.ui.pacing import Redraw
from visualnn.ui.views.common import fmt, layer_combo, layer_title, message_label
from visualnn.ui.views.nonfinite import finite_peak, legend_label, show_legend
from visualnn.ui.views.weight_panels import LayerPanel, weight_mosaic
from visualnn.ui.views.weight_recurrent import describe, hint, label_panel, recurrent_mosaic

__all__ = ["SCALES", "WeightsView", "weight_mosaic"]

SCALES = {"per layer": "layer", "per unit": "unit", "global": "global"}


class WeightsView(QtWidgets.QWidget):
    """Heatmaps of the selected layer's (or every layer's) weights or last gradients."""

    def __init__(self, session, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.panels: list[LayerPanel] = []
        self._signature: tuple | None = None

        self.layer_combo = layer_combo()
        self.grad_check = QtWidgets.QCheckBox("Gradients")
        self.grad_check.setToolTip(
            "Show \u2202L/\u2202w of the last training step instead of "
            "the weights: which way, and how hard, each weight is pushed"
        )
        theme.set_font(self.grad_check)
        self.scale_combo = QtWidgets.QComboBox()
        theme.set_font(self.scale_combo)
        self.scale_combo.addItems(list(SCALES))
        self.scale_combo.setToolTip("Colour scale shared per layer, per output unit or globally")
        # The layer on a line of its own, wide enough for its name; the options under it.
        bar = QtWidgets.QVBoxLayout()
        bar.addWidget(self.layer_combo)
        options = QtWidgets.QHBoxLayout()
        options.addWidget(self.grad_check)
        options.addWidget(self.scale_combo, 1)
        bar.addLayout(options)

        self.glw = self._new_canvas()
        self.hover = QtWidgets.QLabel(" ")
        self.hover.setTextFormat(QtCore.Qt.PlainText)  # "a<t-1>" is text, not a tag
        theme.set_font(self.hover, 1.05)
        self.message = message_label()
        self.nan_legend = legend_label()

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(self.glw, 1)
        self._layout = layout
        layout.addWidget(self.nan_legend)
        layout.addWidget(self.hover)

        self.throttle = Redraw(self, self.redraw)
        self.throttle.mark_on(session.inspect.weights_updated, session.inspect.spec_changed)
        session.inspect.selection_changed.connect(self._on_session_selection_changed)
        self.layer_combo.currentIndexChanged.connect(self._on_control_changed)
        self.grad_check.toggled.connect(self._on_control_changed)
        self.scale_combo.currentIndexChanged.connect(self._on_control_changed)

    # --- data -----------------------------------------------------------------------------
    def _param_layers(self) -> list[int]:
        model = self.session.inspect.model
        return [
            i
            for i, layer in enumerate(model.layers)
            if "weight" in layer.params or is_recurrent(layer)
        ]

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
        # the titles too (an activation changed, the dock got narrower) and the look
        titles = tuple(self._panel_title(i, model.layers[i]) for i in shown)
        signature = (tuple(shown), titles, theme.GENERATION)
        if signature != self._signature:
            self._build(shown, titles)
            self._signature = signature
        mosaics = []
        for i in shown:
            src = sources[i] if i < len(sources) else {}
            if is_recurrent(model.layers[i]):  # gates stacked, x | a<t-1> | biases
                mosaics.append(recurrent_mosaic(model.layers[i], src))
                continue
            w = np.asarray(src.get("weight", model.layers[i].params["weight"]), dtype=np.float64)
            b = src.get("bias") if w.ndim == 2 else None
            mosaics.append((*weight_mosaic(w, None if b is None else np.asarray(b)), w.shape))
        global_max = max(finite_peak(m, 0.0) for m, _, _ in mosaics) or 1.0
        scale = SCALES[self.scale_combo.currentText()]
        for panel, (img, index, shape) in zip(self.panels, mosaics, strict=True):
            panel.show(img, index, scale, global_max, shape)
        what = "\u2202L/\u2202w" if self.grad_check.isChecked() else "weights"
        bad = [f"layer {p.index_layer + 1} has {p.nonfinite}" for p in self.panels if p.nonfinite]
        detail = f"{what} that are NaN or infinite ({'; '.join(bad)})" if bad else ""
        show_legend(self.nan_legend, detail)
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

    def _panel_title(self, i: int, layer) -> str:
        """The layer's title, with how to read the picture when the view is wide enough
        for both (else the title alone: a cut-off title reads worse than a short one)."""
        title = layer_title(i, layer)
        full = title + self._hint(layer)
        room = self.width() - 90  # the colour bar and margins
        fits = QtGui.QFontMetrics(theme.font(1.0, bold=True)).horizontalAdvance(full) <= room
        return full if fits else title

    def _build(self, shown: list[int], titles: tuple[str, ...]) -> None:
        # a fresh canvas per structure: re-filling a cleared GraphicsLayout leaves its rows
        # collapsed to zero height
        old, self.glw = self.glw, self._new_canvas()
        self._layout.replaceWidget(old, self.glw)
        old.hide()
        old.deleteLater()
        self.panels = [
            LayerPanel(self.glw, 2 * k, i, title)
            for k, (i, title) in enumerate(zip(shown, titles, strict=True))
        ]
        model = self.session.inspect.model
        for panel in self.panels:
            if is_recurrent(model.layers[panel.index_layer]):
                label_panel(panel, model.layers[panel.index_layer])

    def _hint(self, layer) -> str:
        if is_recurrent(layer):
            return hint(layer)
        return self._axes_hint(layer.params["weight"].shape)

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
        self.nan_legend.hide()
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
                if panel.index[r, c, 0] >= 0:  # a value, not a gap (NaN values too)
                    self.hover.setText(self._describe(panel, r, c, v))
                    return
        self.hover.setText(" ")

    def _describe(self, panel: LayerPanel, r: int, c: int, v: float) -> str:
        name = "\u2202L/\u2202" if self.grad_check.isChecked() else ""
        o, i, dr, dc = (int(k) for k in panel.index[r, c])
        where = f"layer {panel.index_layer + 1}: "
        layer = self.session.inspect.model.layers[panel.index_layer]
        if is_recurrent(layer):
            return where + describe(layer, panel.index[r, c], v, self.grad_check.isChecked())
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

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(event)
        self.throttle.mark()  # the titles follow the width

    def showEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        self.throttle.flush()
