"""The layer graph scene: lays the network out left to right and turns gestures into edits.

Structure changes (``document.changed``) rebuild the items; weight and sample updates only
recolour the existing links and neurons, throttled by a single-shot timer: one vectorised
pass per layer's links (``links.LinkBundle``) and a new brush only for neurons whose colour
really changed, not a new scene.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from visualnn.engine.geometry import shape_text
from visualnn.ui import theme
from visualnn.ui.graph.art import maps_to_images, unit_values
from visualnn.ui.graph.items import NodeItem
from visualnn.ui.graph.layout import RowLayout
from visualnn.ui.graph.links import LinkBundle
from visualnn.ui.graph.neurons import neuron_fills
from visualnn.ui.graph.plane_maps import MAP_GRID, map_images, plane_outputs
from visualnn.ui.graph.recurrent_art import RecurrentNodeItem
from visualnn.ui.model.catalog import LAYER_CATALOG, default_layer, human_name, layer_info
from visualnn.ui.model.forward import output_classes, recorded_forward
from visualnn.ui.model.plane import PlaneGrid, is_plane, plane_grid
from visualnn.ui.model.recurrent import is_recurrent

#: Layers with at most this many units (and inputs with this many features) show neurons.
MAX_NEURONS = 16
#: A recurrent layer's units as neurons only when this few: its column sits beside the
#: loop, and a taller one shrinks the whole graph on a projector.
MAX_RECURRENT_NEURONS = 8


class GraphScene(QtWidgets.QGraphicsScene, RowLayout):
    """The network as cards and neurons; reads the session, edits through its document.

    Parameters
    ----------
    session : Session
        Provides ``document``, ``view_model``, ``sample()``, ``selection``, ``select`` and
        the ``weights_updated`` / ``sample_changed`` / ``selection_changed`` signals.
    """

    layout_changed = QtCore.Signal()

    def __init__(self, session, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.session, self.document = session, session.project.document
        self.setBackgroundBrush(QtGui.QColor(theme.BACKGROUND))
        self.input_node: NodeItem | None = None
        self.nodes: list[NodeItem] = []
        self.links: dict[int, LinkBundle] = {}
        self._wires: list[QtWidgets.QGraphicsPathItem] = []
        self.row_width: float | None = None  # set by the view to fit its shape
        self.text_scale = 1.0  # card text size factor, raised by the view when it zooms out
        self.neuron_scale = 1.0  # neuron size factor, raised by the view into spare height
        self.detail = 2  # lines under the card titles, lowered by the view when short of room
        self.row_count = 1
        #: The view's place on the frame clock (set by the view that shows this scene).
        self.recolor_pace = None
        #: (data set, its map grid, the input features' maps: they never change)
        self._plane: tuple[object, PlaneGrid, list] | None = None
        self.document.changed.connect(self._on_document_changed)
        session.inspect.weights_updated.connect(self._on_session_weights_updated)
        session.inspect.sample_changed.connect(self._on_session_weights_updated)
        session.inspect.selection_changed.connect(self._on_session_selection_changed)
        self.rebuild()

    # --- building -----------------------------------------------------------------------
    def node(self, index: int | None) -> NodeItem | None:
        """The card of layer ``index`` (None: the input)."""
        if index is None:
            return self.input_node
        return self.nodes[index] if 0 <= index < len(self.nodes) else None

    def rebuild(self) -> None:
        """Recreate every item from the document (structure or settings changed)."""
        self.session.inspect.set_preview(None)  # its neuron goes, and no leave event comes
        self.clear()
        self.links, self._wires = {}, []
        doc = self.document
        shape = tuple(doc.input_shape)
        n_in = shape[0] if len(shape) == 1 and shape[0] <= MAX_NEURONS else 0
        lines = [shape_text(shape, "×") + (" features" if len(shape) == 1 else "")]
        self.input_node = NodeItem(None, "input", "Input", lines, n_in, shape, maps=shape == (2,))
        self.nodes = [self._make_node(i) for i in range(len(doc.layers))]
        for item in self.chain():
            # as the view last chose, until it re-fits
            item.set_text_scale(self.text_scale, self.neuron_scale, self.detail)
            self.addItem(item)
        self._place()
        self._on_session_selection_changed()
        self.recolor()
        self.layout_changed.emit()

    def chain(self) -> list[NodeItem]:
        """Input node then every layer node, in order."""
        return [self.input_node, *self.nodes] if self.input_node is not None else []

    def _make_node(self, i: int) -> NodeItem:
        doc, layer = self.document, self.document.layers[i]
        info = self.document.shapes[i] if i < len(self.document.shapes) else None
        out = tuple(info.out_shape) if info is not None else None
        lines = []
        act = layer.get("activation")
        if act and act not in ("linear", "identity"):
            lines.append(human_name(act))
        lines.append(f"out {shape_text(out, '×')}")
        minor = set()
        if info is not None and info.num_params:
            minor.add(len(lines))  # the parameter count goes first when room is short
            lines.append(f"{info.num_params:,} params")
        spec_type = layer.get("type", "?")
        if is_recurrent(layer):  # units x time or the final state: the units are neurons
            units = out[0] if out and out[0] <= MAX_RECURRENT_NEURONS else 0
            hidden = layer.get("hidden_size", 0)
            node = RecurrentNodeItem(i, spec_type, doc.label(i), lines, units, out, layer,
                                     hidden=hidden if isinstance(hidden, int) else 0)  # fmt: skip
            node.set_error(doc.layer_error(i))
            return node
        neural = spec_type == "dense" or layer_info(spec_type).elementwise
        units = out[0] if neural and out and len(out) == 1 and out[0] <= MAX_NEURONS else 0
        plane = tuple(doc.input_shape) == (2,)  # its neurons will be maps of the plane
        node = NodeItem(i, spec_type, doc.label(i), lines, units, out, layer, maps=plane)
        node.minor = minor
        node.set_error(doc.layer_error(i))
        return node

    # --- live colours -------------------------------------------------------------------
    def recolor(self) -> None:
        """Colour links by the current weights and neurons by the current sample's values."""
        model = self.session.inspect.model
        layers = getattr(model, "layers", None) or []
        for i, bundle in self.links.items():
            # the GUI thread's own model: read in place, no copy of every weight per frame
            params = (getattr(layers[i], "params", None) if i < len(layers) else None) or {}
            w = params.get("weight")
            if w is None or w.ndim != 2 or self.nodes[i].layer_type != "dense" or not len(bundle):
                continue
            if bundle.rows.max() < w.shape[0] and bundle.cols.max() < w.shape[1]:
                bundle.set_weights(w)
        x, outs = self._activations(model)
        # Sound inputs are drawn as on the Microphone dock: low pitch at the bottom.
        flip = getattr(self.session.project.dataset, "transform", None) is not None
        if self.input_node is not None:
            if self.input_node.neurons:
                vals, vmax = unit_values(
                    None if x is None else x.ravel(), len(self.input_node.neurons)
                )
                for n, v, fill in zip(self.input_node.neurons, vals, neuron_fills(vals, vmax),
                                      strict=True):  # fmt: skip
                    n.set_value(v, fill)
            else:
                self.input_node.set_images(maps_to_images(x, flip=flip))
        for i, node in enumerate(self.nodes):
            if node.layer_type == "conv2d":
                maps = outs[i] if outs and i < len(outs) else None
                node.set_images(maps_to_images(maps, flip=flip))
            elif node.neurons:
                out = outs[i] if outs is not None and i < len(outs) else None
                if isinstance(node, RecurrentNodeItem):
                    out = node.unit_output(out)
                vals, vmax = unit_values(out, len(node.neurons))
                for n, v, fill in zip(node.neurons, vals, neuron_fills(vals, vmax), strict=True):
                    n.set_value(v, fill)
        self._draw_plane_maps(model, x)

    def _draw_plane_maps(self, model, x: np.ndarray | None) -> None:
        """Neurons of a network on 2-D points show their output over the plane (see
        ``plane_maps``); any other network keeps plain circles."""
        shown = [node for node in self.chain() if node.neurons]
        maps = self._plane_maps(model, shown)
        grid = self._plane[1] if self._plane is not None else None
        marker = grid.fraction(x) if maps and grid is not None and x is not None else None
        for node in shown:
            images, classes = maps.get(node.index, (None, None)) if maps else (None, None)
            for j, n in enumerate(node.neurons):
                about = None
                if images and classes is not None:  # one name per unit (``output_classes``)
                    about = f"its probability of {classes[j]!r} (in that class's colour)"
                n.set_map(images[j] if images else None, marker, about)

    def _plane_maps(self, model, shown: list[NodeItem]) -> dict | None:
        """``{layer index (None: input): ([QImage per neuron], class names or None)}``, or
        None: no maps here. Class names say the layer's maps are class probabilities."""
        ds = self.session.project.dataset
        if not shown or not is_plane(ds) or tuple(getattr(model, "input_shape", ())) != (2,):
            return None
        if self._plane is None or self._plane[0] is not ds:
            grid = plane_grid(ds, MAP_GRID)
            self._plane = (ds, grid, map_images(grid.points.reshape(grid.n, grid.n, 2)))
        _, grid, inputs = self._plane
        try:
            outs = plane_outputs(model, grid)
        except ValueError:  # the network does not take the points: its error is on a card
            return None
        maps = {None: (inputs, None)}
        for node in shown:
            i = node.index
            if i is None or isinstance(node, RecurrentNodeItem) or i >= len(outs):
                continue
            if outs[i].shape[2:] == (len(node.neurons),):
                last = i == len(outs) - 1
                classes = output_classes(outs[i], ds, last)
                maps[i] = (map_images(outs[i], classes), classes)
        return maps

    def _activations(self, model) -> tuple[np.ndarray | None, list | None]:
        """One recording forward pass on the session's sample: (input, per-layer outputs)."""
        if model is None:
            return None, None
        if not any(n.neurons or n.layer_type in ("conv2d", "input") for n in self.chain()):
            return None, None  # nothing here shows activations: skip the forward pass
        try:  # the views' shared pass: one forward per snapshot for all of them
            rec = recorded_forward(self.session)
            return np.asarray(rec.x)[0], [np.asarray(r.out)[0] for r in rec.records]
        except Exception:  # noqa: BLE001 - no dataset yet, or data not matching the input
            return None, None

    # --- gestures -----------------------------------------------------------------------
    def node_clicked(self, index: int | None) -> None:
        self.session.inspect.select(index)

    def unit_clicked(self, layer: int | None, unit: int) -> None:
        if layer is None:
            self.session.inspect.select(None)
            return
        sel, node = self.session.inspect.selection, self.node(layer)
        if isinstance(node, RecurrentNodeItem) and node.step is not None and sel.layer == layer:
            self.session.inspect.select(layer, (unit, node.step))  # stay at the chosen step
        else:
            self.session.inspect.select(layer, (unit,))

    def unit_pointed(self, layer: int | None, unit: int | None) -> None:
        """The pointer went onto neuron ``unit`` of ``layer`` (None: an input feature), or
        off every neuron (``unit`` None)."""
        self.session.inspect.set_preview(None if unit is None else (layer, unit))

    def _before(self, node: NodeItem, pos: QtCore.QPointF) -> bool:
        """Whether ``node`` comes before scene point ``pos`` in reading order (rows, then x)."""
        rows = sorted({n.row for n in self.chain()})
        row_y = {r: next(n.home.y() for n in self.chain() if n.row == r) for r in rows}
        row = min(rows, key=lambda r: abs(row_y[r] - pos.y())) if rows else 0
        return node.row < row or (node.row == row and node.home.x() < pos.x())

    def insertion_index(self, pos: QtCore.QPointF) -> int:
        """Where a layer dropped at scene ``pos`` goes: after every card before that point."""
        return sum(1 for n in self.nodes if self._before(n, pos))

    def node_released(self, index: int, pos: QtCore.QPointF | None) -> None:
        """A dragged card was let go at ``pos`` (None: it was a click): reorder or snap back."""
        if pos is not None:
            others = [n for n in self.nodes if n.index != index]
            dst = sum(1 for n in others if self._before(n, pos))
            if dst != index and self.document.move_layer(index, dst):
                self.session.inspect.select(dst)
                return
        node = self.node(index)
        if node is not None:
            node.setPos(node.home)

    def build_context_menu(self, index: int | None, parent=None) -> QtWidgets.QMenu:
        """Menu for layer ``index`` (None: the input or empty space)."""
        menu = QtWidgets.QMenu(parent)
        theme.set_font(menu)
        n = len(self.document.layers)
        if index is None:
            self._types_menu(menu, "Add layer at the start", 0)
            self._types_menu(menu, "Add layer at the end", n)
            return menu
        self._types_menu(menu, "Insert layer before", index)
        self._types_menu(menu, "Insert layer after", index + 1)
        menu.addSeparator()
        menu.addAction("Duplicate", lambda: self.document.duplicate_layer(index))
        delete = menu.addAction("Delete", lambda: self._delete(index))
        delete.setShortcut(QtGui.QKeySequence.Delete)
        return menu

    def _types_menu(self, menu: QtWidgets.QMenu, title: str, position: int) -> None:
        sub = menu.addMenu(title)
        theme.set_font(sub)
        sub.setToolTipsVisible(True)
        for t, info in LAYER_CATALOG.items():
            act = sub.addAction(info.title, lambda t=t: self._add(position, t))
            act.setToolTip(info.description)
            act.setData(t)

    def _add(self, position: int, layer_type: str) -> None:
        if self.document.add_layer(position, default_layer(layer_type)):
            self.session.inspect.select(position)

    def _delete(self, index: int) -> None:
        if self.document.remove_layer(index):
            n = len(self.document.layers)
            self.session.inspect.select(min(index, n - 1) if n else None)

    def contextMenuEvent(self, event):  # noqa: N802 - Qt's name
        item = self.itemAt(event.scenePos(), QtGui.QTransform())
        while item is not None and not isinstance(item, NodeItem):
            item = item.parentItem()
        index = item.index if item is not None else None
        if index is not None:
            self.session.inspect.select(index)
        self.build_context_menu(index).exec(event.screenPos())
        event.accept()

    def keyPressEvent(self, event):  # noqa: N802 - Qt's name
        layer = self.session.inspect.selection.layer
        if event.key() in (QtCore.Qt.Key_Delete, QtCore.Qt.Key_Backspace) and layer is not None:
            self._delete(layer)
            event.accept()
            return
        super().keyPressEvent(event)

    # --- slots --------------------------------------------------------------------------
    def _on_document_changed(self) -> None:
        self.rebuild()

    def _on_session_weights_updated(self) -> None:
        if self.recolor_pace is not None:
            self.recolor_pace.mark()
        else:
            self.recolor()

    def _on_session_selection_changed(self) -> None:
        sel = self.session.inspect.selection
        unit = sel.unit[0] if sel.unit and len(sel.unit) == 1 else None
        if self.input_node is not None:
            self.input_node.set_selected(False)
        layers = getattr(self.session.inspect.model, "layers", None) or []
        for i, node in enumerate(self.nodes):
            mine = unit if i == sel.layer else None
            if isinstance(node, RecurrentNodeItem):
                step = node.step
                mine = node.follow_selection(sel, layers[i] if i < len(layers) else None)
                if node.step != step and self.recolor_pace is not None:
                    self.recolor_pace.mark()  # its neurons now show another step
            node.set_selected(i == sel.layer, mine)
