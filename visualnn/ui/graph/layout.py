"""Row layout of the layer graph: cards left to right, wrapped into rows when that reads better.

A mixin for ``GraphScene`` (which owns ``nodes``, ``links``, ``_wires``, ``row_width``,
``row_count`` and ``chain()``): it places the cards and draws what joins them, i.e. neuron
links inside a row, arrows between blocks, and a connector from the end of one row round to the
start of the next.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui

from visualnn.ui import theme
from visualnn.ui.graph.items import NodeItem
from visualnn.ui.graph.links import LinkBundle
from visualnn.ui.model.recurrent import RECURRENT_TYPES as RECURRENT

GAP_DENSE = 150.0  # room for all-to-all links: they are the point of the picture
GAP_ONE_TO_ONE = 80.0
GAP_BLOCK = 70.0
ROW_GAP = 90.0  # between wrapped rows: room for the connector
ROW_GAP_COMPACT = 50.0  # the same for title-only cards (detail 0), short of height
ROW_ERROR_SPACE = 80.0  # under a row with an invalid node: room for the explanation


def _xy(p: QtCore.QPointF) -> tuple[float, float]:
    return p.x(), p.y()


class RowLayout:
    """Placement and wiring of the graph's cards (mixed into ``GraphScene``)."""

    # --- layout (rows wrap so a long network stays readable in a narrow view) -----------
    def _rows(self, row_width: float | None) -> list[list[NodeItem]]:
        rows: list[list[NodeItem]] = [[]]
        right = 0.0
        for item in self.chain():
            w = item.card_rect().width()
            row = rows[-1]
            left = right + (self._gap(row[-1], item) if row else 0.0)
            # Never between two neuron columns: their links (the weights) are the picture.
            linked = bool(row) and bool(row[-1].neurons) and bool(item.neurons)
            if row and row_width is not None and left + w > row_width and not linked:
                rows.append([])
                left = 0.0
            rows[-1].append(item)
            right = left + w
        return rows

    def content_rect(self) -> QtCore.QRectF:
        """What is drawn: the cards, the wires between them and the error notes shown
        (``itemsBoundingRect`` also counts hidden items, such as empty error notes)."""
        rect = QtCore.QRectF()
        for node in self.chain():
            rect = rect.united(node.mapRectToScene(node.card_rect()))
            if node.error:
                rect = rect.united(node.sceneBoundingRect().united(node.childrenBoundingRect()
                                   .translated(node.pos())))  # fmt: skip
        for wire in self._wires:
            rect = rect.united(wire.sceneBoundingRect())
        return rect

    def _row_gap(self) -> float:
        chain = self.chain()
        return ROW_GAP_COMPACT if chain and chain[0].detail <= 0 else ROW_GAP

    @staticmethod
    def _row_height(row: list[NodeItem]) -> float:
        extra = ROW_ERROR_SPACE if any(n.error for n in row) else 0.0
        return max(n.card_rect().height() for n in row) + extra

    def measure(self, row_width: float | None) -> QtCore.QSizeF:
        """Size the graph would take with rows wrapped at ``row_width`` (None: one row)."""
        rows = self._rows(row_width)
        if not rows[0]:
            return QtCore.QSizeF(0, 0)
        width = 0.0
        for row in rows:
            right = 0.0
            for a, b in zip([None, *row[:-1]], row, strict=True):
                right += (self._gap(a, b) if a is not None else 0.0) + b.card_rect().width()
            width = max(width, right)
        height = sum(self._row_height(r) for r in rows) + self._row_gap() * (len(rows) - 1)
        return QtCore.QSizeF(width, height)

    def set_text_scale(self, k: float, neuron_scale: float = 1.0, detail: int = 2) -> None:
        """Size every card's text ``k`` times normal and neurons ``neuron_scale`` times, with
        ``detail`` lines (cards only: call ``set_layout`` before showing). Lets the view
        measure layouts."""
        for item in self.chain():
            if (item.text_scale, item.neuron_scale, item.detail) != (k, neuron_scale, detail):
                item.set_text_scale(k, neuron_scale, detail)

    def set_layout(
        self, row_width: float | None, text_scale: float, neuron_scale: float = 1.0,
        detail: int = 2,
    ) -> None:  # fmt: skip
        """Wrap at ``row_width`` (None: one row) with card text ``text_scale``, neurons
        ``neuron_scale`` times normal and ``detail`` lines; re-places the cards if any of it
        changed."""
        self.set_text_scale(text_scale, neuron_scale, detail)
        new = (row_width, text_scale, neuron_scale, detail)
        if new != (self.row_width, self.text_scale, self.neuron_scale, self.detail):
            self.row_width, self.text_scale, self.neuron_scale, self.detail = new
            self._place()
            self.recolor()

    def _place(self) -> None:
        """Position the cards row by row and draw the links and arrows between them."""
        for item in [*self.links.values(), *self._wires]:
            self.removeItem(item)
        self.links, self._wires = {}, []
        rows = self._rows(self.row_width)
        self.row_count = len(rows)
        top = 0.0
        for r, row in enumerate(rows):
            h = self._row_height(row)
            y = top + max(n.card_rect().height() for n in row) / 2
            right, prev = 0.0, None
            for item in row:
                w = item.card_rect().width()
                left = right + (self._gap(prev, item) if prev is not None else 0.0)
                item.home, item.row = QtCore.QPointF(left + w / 2, y), r
                item.setPos(item.home)
                right, prev = left + w, item
            top += h + self._row_gap()
        chain = self.chain()
        for i in range(1, len(chain)):
            a, b = chain[i - 1], chain[i]
            if a.row == b.row:
                self._connect(i - 1, a, b)
            else:
                self._wrap_wire(a, b)
        self.setSceneRect(self.itemsBoundingRect().adjusted(-40, -40, 40, 40))

    def _gap(self, a: NodeItem, b: NodeItem) -> float:
        if a.neurons and b.neurons:
            return GAP_DENSE if b.layer_type == "dense" else GAP_ONE_TO_ONE
        return GAP_BLOCK

    def _connect(self, i: int, a: NodeItem, b: NodeItem) -> None:
        if a.neurons and b.neurons and b.layer_type == "dense":
            pairs = [(j, k) for j in range(len(b.neurons)) for k in range(len(a.neurons))]
        elif a.neurons and len(a.neurons) == len(b.neurons) and b.layer_type not in RECURRENT:
            # one to one (an activation after a dense layer), never into a recurrent layer
            pairs = [(j, j) for j in range(len(b.neurons))]
        else:
            self._arrow(a, b)
            return
        rows, cols = zip(*pairs, strict=True)
        bundle = LinkBundle(
            [_xy(a.neuron_anchor(k, "right")) for k in cols],
            [_xy(b.neuron_anchor(j, "left")) for j in rows],
            rows,
            cols,
        )
        self.addItem(bundle)
        self.links[i] = bundle

    def _arrow(self, a: NodeItem, b: NodeItem) -> None:
        y = a.pos().y()
        x0 = a.pos().x() + a.card_rect().right() + 6
        x1 = b.pos().x() + b.card_rect().left() - 6
        path = QtGui.QPainterPath(QtCore.QPointF(x0, y))
        path.lineTo(x1, y)
        self._add_wire(path, QtCore.QPointF(x1, y))

    def _wrap_wire(self, a: NodeItem, b: NodeItem) -> None:
        """Connector from the end of one row round to the start of the next."""
        x0 = a.pos().x() + a.card_rect().right() + 6
        x1 = b.pos().x() + b.card_rect().left() - 6
        below = a.pos().y() + a.card_rect().bottom() + (ROW_ERROR_SPACE if a.error else 0)
        mid = below + self._row_gap() / 2
        path = QtGui.QPainterPath(QtCore.QPointF(x0, a.pos().y()))
        for pt in (
            (x0 + 24, a.pos().y()),
            (x0 + 24, mid),
            (x1 - 24, mid),
            (x1 - 24, b.pos().y()),
            (x1, b.pos().y()),
        ):
            path.lineTo(*pt)
        self._add_wire(path, QtCore.QPointF(x1, b.pos().y()))

    def _add_wire(self, path: QtGui.QPainterPath, tip: QtCore.QPointF) -> None:
        path.moveTo(tip + QtCore.QPointF(-12, -8))
        path.lineTo(tip)
        path.lineTo(tip + QtCore.QPointF(-12, 8))
        wire = self.addPath(path, QtGui.QPen(QtGui.QColor(theme.MUTED), 3.0))
        wire.setZValue(-10)
        wire.setCacheMode(wire.CacheMode.DeviceCoordinateCache)  # static: a blit per repaint
        self._wires.append(wire)
