"""Graphics items of the layer graph: layer cards (neurons: ``neurons.py``, links: ``links.py``).

Items only draw and forward clicks to their ``GraphScene``; they never touch the document or
the session themselves, so the scene is the one place that turns gestures into edits.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from visualnn.ui import theme
from visualnn.ui.graph import art
from visualnn.ui.graph.neurons import NEURON_RADIUS, NeuronItem

NEURON_PITCH = 40.0  # centre-to-centre distance of neurons in one column
#: Columns of more than COMPACT_UNITS neurons pack them closer: a tall column otherwise
#: sets the height of the whole fit and shrinks every label in a short view (a projector).
COMPACT_UNITS = 8
COMPACT_RADIUS = 12.0
COMPACT_PITCH = 30.0
#: Neurons drawn as maps of the input plane (``plane_maps``): pictures need more room.
MAP_RADIUS, MAP_PITCH = 24.0, 56.0
COMPACT_MAP_RADIUS, COMPACT_MAP_PITCH = 18.0, 42.0
CARD_PAD = 12.0
BLOCK_WIDTH = 170.0
BLOCK_BODY = 104.0  # height of the picture area of a block card
COLUMN_WIDTH = 120.0
TEXT_LINE = 30.0  # height of one line of node text at scale 1
TITLE_FONT = 1.35  # card title and lines, in theme.font scale units (before text_scale)
LINE_FONT = 1.2
_CACHED = QtWidgets.QGraphicsItem.DeviceCoordinateCache


class NodeItem(QtWidgets.QGraphicsObject):
    """A card for the input (``index`` None) or layer ``index``.

    Parameters
    ----------
    index : int or None
        Layer index in the spec; None for the input node.
    layer_type : str
        Spec type ("dense", "conv2d"...) or "input"; picks the drawing.
    title, lines : str, list of str
        Title (bold) and the lines under it (activation, output shape, parameter count).
    units : int
        Number of neuron circles to draw, 0 for a block.
    shape : tuple or None
        Output shape of the node (drives the block drawing).
    maps : bool
        The neurons will show maps of the input plane: larger neurons, further apart.
    """

    def __init__(
        self,
        index: int | None,
        layer_type: str,
        title: str,
        lines: list[str],
        units: int = 0,
        shape: tuple | None = None,
        settings: dict | None = None,
        maps: bool = False,
    ):
        super().__init__()
        self.index, self.layer_type, self.out_shape = index, layer_type, shape
        self.settings = settings or {}
        self.error: str | None = None
        self.selected = False
        self.home = QtCore.QPointF()
        self.row = 0  # which wrapped row of the graph the card sits on
        self._press_pos: QtCore.QPointF | None = None
        if index is not None:
            self.setFlag(QtWidgets.QGraphicsItem.ItemIsMovable)
            self.setCursor(QtCore.Qt.OpenHandCursor)
        self.setFlag(QtWidgets.QGraphicsItem.ItemIsFocusable)
        # Cards and their text rarely change but are repainted whenever the links and neurons
        # around them do (every frame while training): cached, each repaint is a blit.
        self.setCacheMode(_CACHED)
        self.images: list[QtGui.QImage] = []  # live feature maps, drawn instead of blanks
        self.text_scale, self.neuron_scale = 1.0, 1.0
        #: 2: every line; 1: without the ``minor`` lines; 0: the title alone, a smaller
        #: picture (a long network in a short view keeps its names readable)
        self.detail = 2
        self.minor: set[int] = set()  # indices of lines dropped below detail 2
        self._art_scale = 1.0  # the block picture is drawn this many times its normal size
        self._title = self._text(title, theme.FOREGROUND)
        self._lines = [self._text(t, theme.MUTED) for t in lines]
        compact = units > COMPACT_UNITS
        self.maps = maps and units > 0
        if maps:
            self._pitch = COMPACT_MAP_PITCH if compact else MAP_PITCH
            self._radius = COMPACT_MAP_RADIUS if compact else MAP_RADIUS
        else:
            self._pitch = COMPACT_PITCH if compact else NEURON_PITCH
            self._radius = COMPACT_RADIUS if compact else NEURON_RADIUS
        self.neurons = [NeuronItem(index, j, self, self._radius) for j in range(units)]
        self._error_item = QtWidgets.QGraphicsTextItem(self)
        self._error_item.setDefaultTextColor(QtGui.QColor(theme.ERROR))
        self._error_item.setVisible(False)
        # Every line, also those a short view leaves off the card (``detail``).
        self._about = "\n".join([title, *lines])
        self.setToolTip(self._about)
        self.set_text_scale(1.0)

    def _text(self, text: str, color: str):
        item = QtWidgets.QGraphicsSimpleTextItem(text, self)
        item.setBrush(QtGui.QColor(color))
        item.setCacheMode(_CACHED)
        return item

    def set_text_scale(self, k: float, neuron_scale: float = 1.0, detail: int = 2) -> None:
        """Draw the text ``k`` times its normal size and re-lay the card out around it.

        The view raises ``k`` when fitting a big network shrinks the whole scene, so the
        words stay readable from the back of a room while the pictures get smaller.
        Neurons are drawn ``neuron_scale`` times larger (at most ``k``), which the view uses
        to fill height that the text left spare. ``detail`` (2, 1, 0) says how many of the
        lines under the title are shown.
        """
        self.text_scale, self.neuron_scale, self.detail = k, neuron_scale, detail
        self._title.setFont(theme.font(TITLE_FONT * k, bold=True))
        for t in self._lines:
            t.setFont(theme.font(LINE_FONT * k))
        self._error_item.setFont(theme.font(1.15 * k, bold=True))
        self.prepareGeometryChange()
        self._layout()

    # --- geometry -----------------------------------------------------------------------
    def shown_lines(self) -> list[QtWidgets.QGraphicsSimpleTextItem]:
        """The lines under the title that the current ``detail`` shows."""
        if self.detail <= 0:
            return []
        return [t for i, t in enumerate(self._lines) if self.detail >= 2 or i not in self.minor]

    def _layout(self) -> None:
        lines = self.shown_lines()
        for t in self._lines:
            t.setVisible(t in lines)
        text_w = max(
            [self._title.boundingRect().width()] + [t.boundingRect().width() for t in lines]
        )
        line = TEXT_LINE * self.text_scale
        if self.neurons:
            w = max(COLUMN_WIDTH, text_w + 2 * CARD_PAD)
            room = (w - 2 * CARD_PAD) / (COLUMN_WIDTH - 2 * CARD_PAD)
            self._art_scale = max(1.0, min(self.text_scale, room, self.neuron_scale))
            r = self._radius * self._art_scale
            for n in self.neurons:
                n.set_radius(r)
            body = len(self.neurons) * self._pitch * self._art_scale
        else:
            w = max(BLOCK_WIDTH, text_w + 2 * CARD_PAD)
            # Grow the picture with the text as far as the (text-widened) card allows, so
            # larger words do not leave a tiny picture in a wide card.
            room = (w - 2 * CARD_PAD) / (BLOCK_WIDTH - 2 * CARD_PAD)
            self._art_scale = max(1.0, min(self.text_scale, room))
            body = BLOCK_BODY * self._art_scale * (0.6 if self.detail <= 0 else 1.0)
        h = 2 * CARD_PAD + line * (1 + len(lines)) + body + 6
        self._rect = QtCore.QRectF(-w / 2, -h / 2, w, h)
        top = self._rect.top() + CARD_PAD
        self._title.setPos(-self._title.boundingRect().width() / 2, top)
        body_top = top + line + 4
        self._body = QtCore.QRectF(self._rect.left() + CARD_PAD, body_top, w - 2 * CARD_PAD, body)
        for j, n in enumerate(self.neurons):
            n.setPos(0, body_top + self._pitch * self._art_scale * (j + 0.5))
        y = body_top + body + 4
        for t in lines:
            t.setPos(-t.boundingRect().width() / 2, y)
            y += line
        self._error_item.setTextWidth(max(w + 80, 300))
        self._error_item.setPos(-self._error_item.textWidth() / 2, self._rect.bottom() + 6)

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802 - Qt's name
        return self._rect.adjusted(-4, -4, 4, 4)

    def card_rect(self) -> QtCore.QRectF:
        return QtCore.QRectF(self._rect)

    def picture_px(self) -> float:
        """Size of one neuron in scene units (a map's side), 0 without neurons."""
        return 2 * self.neurons[0].radius if self.neurons else 0.0

    def line_font(self) -> QtGui.QFont:
        """Font of the card's smallest text (shape, parameter count): what must stay legible."""
        lines = self.shown_lines()
        return lines[0].font() if lines else self._title.font()

    def neuron_anchor(self, j: int, side: str) -> QtCore.QPointF:
        """Scene point on the left/right edge of neuron ``j`` where a link attaches."""
        c = self.neurons[j].scenePos()
        r = self.neurons[j].radius
        dx = r if side == "right" else -r
        return QtCore.QPointF(c.x() + dx, c.y())

    # --- state --------------------------------------------------------------------------
    def set_error(self, message: str | None) -> None:
        """Mark the node invalid with the engine's sentence under it (None: clear)."""
        self.error = message
        self._error_item.setVisible(bool(message))
        self._error_item.setPlainText(message or "")
        self.setToolTip(message or self._about)
        self.update()

    def text(self) -> str:
        """All visible text of the node (title, lines, error), for tests and accessibility."""
        parts = [self._title.text()] + [t.text() for t in self.shown_lines()]
        return "\n".join(parts + ([self.error] if self.error else []))

    def set_images(self, images: list[QtGui.QImage]) -> None:
        """Show these feature maps (first channels of the current sample) in the stack."""
        self.images = images
        self.update()

    def set_selected(self, on: bool, unit: int | None = None) -> None:
        self.selected = on
        for j, n in enumerate(self.neurons):
            n.set_selected(on and unit == j)
        self.update()

    # --- painting -----------------------------------------------------------------------
    def paint(self, painter: QtGui.QPainter, option, widget=None) -> None:
        painter.setRenderHint(QtGui.QPainter.Antialiasing)
        if self.error:
            pen = QtGui.QPen(QtGui.QColor(theme.ERROR), 4.0)
        elif self.selected:
            pen = QtGui.QPen(QtGui.QColor(theme.ACCENT), 4.0)
        else:
            pen = QtGui.QPen(QtGui.QColor(theme.BORDER), 2.0)
        painter.setPen(pen)
        painter.setBrush(QtGui.QColor(theme.PANEL))
        painter.drawRoundedRect(self._rect, 12, 12)
        if not self.neurons:
            a = self._art_scale
            body = QtCore.QRectF(0, 0, self._body.width() / a, self._body.height() / a)
            body.moveCenter(QtCore.QPointF(0, 0))
            painter.save()
            painter.translate(self._body.center())
            painter.scale(a, a)
            art.paint(painter, self.layer_type, body, self.out_shape, self.settings, self.images)
            painter.restore()

    # --- dragging -----------------------------------------------------------------------
    # Not ``itemChange``: PySide6 mis-counts references of its None results (scene changes
    # on every rebuild), which crashes the interpreter later. Constrain the drag here instead.
    def mouseMoveEvent(self, event):  # noqa: N802 - Qt's name
        super().mouseMoveEvent(event)
        if getattr(self.scene(), "row_count", 1) == 1:
            self.setY(self.home.y())  # one row: reordering is left/right only

    def mousePressEvent(self, event):  # noqa: N802 - Qt's name
        if event.button() == QtCore.Qt.LeftButton and self.scene() is not None:
            self._press_pos = self.pos()
            self.scene().node_clicked(self.index)
            self.setZValue(10)
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event):  # noqa: N802 - Qt's name
        super().mouseReleaseEvent(event)
        self.setZValue(0)
        if self._press_pos is not None and self.scene() is not None and self.index is not None:
            moved = (self.pos() - self._press_pos).manhattanLength() > 12
            self._press_pos = None
            self.scene().node_released(self.index, self.pos() if moved else None)
