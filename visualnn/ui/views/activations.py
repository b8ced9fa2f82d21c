"""Every layer's output for the selected sample: unit strips with values and feature-map mosaics."""

from __future__ import annotations

import functools
import weakref

import numpy as np
from PySide6 import QtCore, QtWidgets

from visualnn.engine.geometry import shape_text
from visualnn.ui import theme
from visualnn.ui.model.forward import recorded_forward
from visualnn.ui.pacing import Redraw
from visualnn.ui.views.batch_strip import BatchStrip
from visualnn.ui.views.common import fmt, forward_signals, layer_title, message_label
from visualnn.ui.views.tiles import LayerTile
from visualnn.ui.widgets import vertical_scroll


class ActivationsView(QtWidgets.QWidget):
    """Scrollable column of layers, input first, each drawn by a :class:`LayerTile`.

    Recomputes (one recording forward pass, shared with the other views) only when weights,
    sample or spec changed, at most 20 times a second and only while visible. Clicking a unit
    or a feature-map pixel selects it in the session (the neuron view then explains it).
    """

    def __init__(self, session, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._signature: tuple | None = None
        self._tiles: list[LayerTile] = []
        self._followed: int | None = None  # the selected layer last scrolled to

        self.pre_check = QtWidgets.QCheckBox("Pre-activation z")
        theme.set_font(self.pre_check)
        self.pre_check.setToolTip("Show each layer's weighted sum z instead of its output a = f(z)")
        self.sample_label = QtWidgets.QLabel()
        theme.set_font(self.sample_label, 1.0, bold=True)
        # wraps in a narrow dock rather than widen it (or be cut off)
        self.sample_label.setWordWrap(True)
        bar = QtWidgets.QHBoxLayout()
        bar.addWidget(self.sample_label, 1)
        bar.addWidget(self.pre_check)

        self.message = message_label()
        # slow motion on pictures: the batch being trained, under the sample's name
        self.batch_strip = BatchStrip(session)
        for signal in (session.inspect.batch_changed, session.project.speed_changed,
                       session.project.dataset_changed,
                       session.inspect.training_state_changed):  # fmt: skip
            signal.connect(self._on_batch_context_changed)
        self._column = QtWidgets.QVBoxLayout()
        self._column.setSpacing(4)
        self._column.setContentsMargins(6, 6, 6, 6)
        self.scroll = vertical_scroll(self._column, top_aligned=True)

        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.batch_strip)
        layout.addWidget(self.message)
        layout.addWidget(self.scroll, 1)

        self.throttle = Redraw(self, self.redraw)
        self.throttle.mark_on(*forward_signals(session), session.inspect.selection_changed)
        self.pre_check.toggled.connect(self._on_pre_check_toggled)

    # --- drawing ------------------------------------------------------------------------
    def redraw(self) -> None:
        """Run (or reuse) the recorded forward pass and push every layer's values."""
        try:
            rec = recorded_forward(self.session)
        except ValueError as exc:
            self._show_message(str(exc))
            return
        model = self.session.inspect.model
        self.message.hide()
        self.scroll.show()
        signature = (theme.GENERATION,) + tuple(  # new text size: new tile sizes
            (layer.describe(), r.out.shape)
            for layer, r in zip(model.layers, rec.records, strict=True)
        )
        if signature != self._signature:
            self._rebuild(model, rec)
            self._signature = signature
        use_pre = self.pre_check.isChecked()
        sel = self.session.inspect.selection
        # A sound input's rows are pitches: low at the bottom, as on the Microphone dock. The
        # image-shaped layers after it keep that axis; 1-D layers' rows are channels.
        sound = getattr(self.session.project.dataset, "transform", None) is not None
        self._tiles[0].flip_rows = sound
        self._tiles[0].set_values(rec.x[0])
        self._tiles[0].set_title(*self._title_text("Input", rec.x[0]))
        for i, (layer, r) in enumerate(zip(model.layers, rec.records, strict=True)):
            values = (r.pre if use_pre and r.pre is not None else r.out)[0]
            chosen = sel.unit if sel.layer == i else None
            self._tiles[i + 1].flip_rows = sound and values.ndim == 3
            self._tiles[i + 1].set_values(values, chosen)
            self._tiles[i + 1].set_title(*self._title_text(layer_title(i, layer), values))
        self.sample_label.setText(self._sample_text(rec))
        self._follow_selection(sel.layer)

    def _follow_selection(self, layer: int | None) -> None:
        """Scroll a newly selected layer into sight: clicking a layer in the graph shows its
        activations even when a small screen has room for only one or two layers."""
        if layer is None or layer == self._followed or not 0 <= layer + 1 < len(self._tiles):
            self._followed = layer
            return
        self._followed = layer
        # once the tiles have their new heights (Qt lays out after this pass): its top at
        # the top of the view, as much of it as fits (not merely its bottom edge in sight)
        # (a weak reference: a pending timer must not keep a dropped view alive)
        view = weakref.ref(self)
        QtCore.QTimer.singleShot(0, self, lambda: view() and view()._scroll_to(layer + 1))

    def _scroll_to(self, index: int) -> None:
        if index < len(self._tiles):
            self.scroll.widget().layout().activate()
            self.scroll.verticalScrollBar().setValue(self._tiles[index].y())

    def _rebuild(self, model, rec) -> None:
        while self._column.count():
            item = self._column.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self._tiles = []
        flat_image = rec.x[0].ndim == 1 and rec.x[0].size >= 16
        for i in range(len(model.layers) + 1):
            tile = LayerTile(square_grid=(i == 0 and flat_image), titled=True)
            if i > 0:
                # bound to the session, not to ``self``: a closure over the view, kept by its
                # own child tile, would put the view in a reference cycle (see RedrawThrottle)
                tile.unit_clicked.connect(functools.partial(self.session.inspect.select, i - 1))
            self._column.addWidget(tile)
            self._tiles.append(tile)

    @staticmethod
    def _title_text(name: str, values: np.ndarray) -> tuple[str, str]:
        """``(name, "shape · min … max")`` for a tile's title line."""
        shape = shape_text(values.shape, "\u00d7")
        if not values.size:
            return name, ""
        return name, f"{shape} \u00b7 {fmt(values.min(), 2)} \u2026 {fmt(values.max(), 2)}"

    def _sample_text(self, rec) -> str:
        s = self.session
        if s.inspect.source == "custom":
            return "Your drawing"
        if s.inspect.source == "live":
            return "Live sound · the last second"
        label = rec.y
        names = (
            getattr(s.project.dataset, "class_names", None)
            if s.project.dataset is not None
            else None
        )
        try:
            label_int = int(np.asarray(label).reshape(-1)[0])
            if names and 0 <= label_int < len(names) and s.project.task == "classification":
                label = names[label_int]
            else:
                label = ", ".join(fmt(v, 2) for v in np.asarray(label, float).reshape(-1))
        except (TypeError, ValueError, IndexError):
            pass
        return f"Test sample {s.inspect.sample_index} \u00b7 label {label}"

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        self.scroll.hide()
        self.sample_label.setText("")

    # --- slots --------------------------------------------------------------------------
    def _on_batch_context_changed(self, *_args) -> None:
        self.batch_strip.refresh()

    def _on_pre_check_toggled(self, _checked: bool) -> None:
        self.throttle.mark()
        self.throttle.flush()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        self.throttle.flush()
