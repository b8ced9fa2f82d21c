"""The view on the layer graph: fits itself, zooms with Ctrl+wheel, accepts palette drops."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from visualnn.ui import theme
from visualnn.ui.graph.scene import GraphScene
from visualnn.ui.model.catalog import default_layer
from visualnn.ui.pacing import Redraw

#: MIME type the palette uses when a layer type is dragged onto the graph.
LAYER_MIME = "application/x-visualnn-layer"
#: Fitting never zooms in beyond MAX_FIT_SCALE (a 3-node net would otherwise fill the wall)
#: nor out beyond MIN_FIT_SCALE (past that a long net scrolls instead). Before shrinking,
#: ``fit`` wraps long networks into rows, which keeps text readable in narrow views.
MAX_FIT_SCALE = 1.6
MIN_FIT_SCALE = 0.3
FIT_MARGIN = 30  # px left and right of the fitted graph
#: px above and below: a short view (a projector's graph is ~275 px tall) has none to spare
FIT_MARGIN_Y = 12
FIT_SHARE = 0.99  # of the viewport the fitted graph takes
#: Smallest on-screen size (pixels) of a card's smallest text that ``fit`` aims for: legible
#: from the back of a classroom on a 1280x720 projector (more when the theme sets a floor:
#: presentation mode). When fitting would shrink text
#: below it, the card text is drawn larger (up to MAX_TEXT_SCALE times) instead.
MIN_TEXT_PX = 14.0
TEXT_SCALES = (1.0, 1.15, 1.3, 1.5, 1.75, 2.0, 2.3, 2.6, 3.0)
#: Then neurons grow (at most to the text scale) as long as the fit shrinks < 3 %.
NEURON_SCALES = (2.0, 1.6, 1.3, 1.15)
#: Card detail tried in turn (see ``NodeItem.detail``): fewer lines before smaller text.
DETAILS = (2, 1, 0)
#: Neurons drawn as maps of the plane keep a card's lines only while the maps stay at least
#: this share of the size they would have without them.
MAP_SHARE = 0.88
MAP_ENOUGH_PX = 48.0  # on screen: maps this large keep every line


class GraphView(QtWidgets.QGraphicsView):
    """Shows a ``GraphScene``; re-fits after every edit and on resize until the user zooms.

    Parameters
    ----------
    session : Session
        The hub; a ``GraphScene`` on it is created unless ``scene`` is given.
    """

    #: After every fit (``spare_height`` may have changed).
    fitted = QtCore.Signal()

    def __init__(
        self, session, parent: QtWidgets.QWidget | None = None, scene: GraphScene | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.graph = scene or GraphScene(session, self)
        # Live colours once per display frame, only while the graph is on screen.
        self.graph.recolor_pace = Redraw(self, self.graph.recolor)
        self.setScene(self.graph)
        self.setRenderHints(QtGui.QPainter.Antialiasing | QtGui.QPainter.TextAntialiasing)
        self.setDragMode(QtWidgets.QGraphicsView.NoDrag)
        self.setAcceptDrops(True)
        self.setTransformationAnchor(QtWidgets.QGraphicsView.AnchorUnderMouse)
        self.setFrameShape(QtWidgets.QFrame.NoFrame)
        self.setBackgroundBrush(QtGui.QColor(theme.BACKGROUND))
        self.auto_fit = True
        self.fit_button = QtWidgets.QToolButton(self)
        self.fit_button.setText("Fit")
        self.fit_button.setToolTip("Fit the whole network in view")
        theme.set_font(self.fit_button, 1.0, bold=True)
        self.fit_button.clicked.connect(self._on_fit_button_clicked)
        self.graph.layout_changed.connect(self._on_graph_layout_changed)
        theme.changes().changed.connect(self._on_theme_changed)
        QtCore.QTimer.singleShot(0, self.fit)

    # --- zoom ---------------------------------------------------------------------------
    def fit(self) -> None:
        """Fit the whole graph, wrapping it into rows if that makes it larger, within
        readable zoom limits; keeps fitting on resize until the user zooms.

        The Fit button shows only once the user has zoomed: while the view fits itself it
        has nothing to do, and the graph gets the whole height (on a projector, the
        strip once kept free for it was a sixth of the graph's height).
        """
        self.auto_fit = True
        self.fit_button.hide()
        vw = self.viewport().width() - 2 * FIT_MARGIN
        vh = self.viewport().height() - 2 * FIT_MARGIN_Y
        if vw < 20 or vh < 20:
            return
        self.graph.set_layout(*self._best_layout(vw, vh))
        rect = self.graph.content_rect().adjusted(
            -FIT_MARGIN, -FIT_MARGIN_Y, FIT_MARGIN, FIT_MARGIN_Y
        )
        if rect.isEmpty():
            return
        vp = self.viewport().size()
        scale = FIT_SHARE * min(vp.width() / rect.width(), vp.height() / rect.height())
        scale = max(MIN_FIT_SCALE, min(MAX_FIT_SCALE, scale))
        self.setTransform(QtGui.QTransform.fromScale(scale, scale))
        # A scene rect no smaller than the viewport: no scroll bars unless it cannot fit.
        seen = QtCore.QRectF(0, 0, (vp.width() - 2) / scale, (vp.height() - 2) / scale)
        seen.moveCenter(rect.center())
        self.setSceneRect(rect.united(seen))
        self.centerOn(rect.center())
        if rect.width() * scale > self.viewport().width():  # still too long: show the start
            self.centerOn(rect.left() + self.viewport().width() / (2 * scale), rect.center().y())
        self.fitted.emit()

    def spare_height(self) -> int:
        """Pixels of height the fitted graph leaves empty: a long network is fitted to the
        width, and the views under it can have the rest. 0 once the user has zoomed."""
        rect = self.graph.content_rect()
        if not self.auto_fit or rect.isEmpty():
            return 0
        used = rect.height() * self.transform().m11() + 2 * FIT_MARGIN_Y
        return max(0, int(self.viewport().height() - used))

    def _best_layout(self, vw: float, vh: float) -> tuple[float | None, float, float, int]:
        """``(row_width, text_scale, neuron_scale, detail)``: the most detail whose best
        layout shows card text at MIN_TEXT_PX (or the theme's floor) on screen (failing
        that, the one showing text largest), then the largest neuron scale that costs
        almost no zoom. ``set_layout`` with the result places the cards.
        """
        wanted = max(MIN_TEXT_PX, theme.floor_px())
        if self._has_maps():
            best = self._best_for_maps(vw, vh, wanted)
            if best is None:
                return None, 1.0, 1.0, 2
        else:
            best = None
            for detail in DETAILS:
                found = self._best_text_scale(vw, vh, detail, wanted)
                if found is None:
                    return None, 1.0, 1.0, 2
                if best is None or found[2] > best[2] * 1.02:
                    best = found
                if found[2] >= wanted:
                    best = found
                    break
        width, k, _px, best_scale, detail = best
        for n in (s for s in NEURON_SCALES if s <= k):
            self.graph.set_text_scale(k, n, detail)
            size = self.graph.measure(width)
            if min(vw / size.width(), vh / size.height(), MAX_FIT_SCALE) >= 0.97 * best_scale:
                return width, k, n, detail
        return width, k, 1.0, detail

    def _has_maps(self) -> bool:
        return any(node.maps for node in self.graph.chain())

    def _best_for_maps(self, vw: float, vh: float, wanted: float):
        """Like ``_best_text_scale``, for a network whose neurons are maps of the plane: of
        the details whose text reaches ``wanted`` px, the most detailed one whose maps are
        ``MAP_ENOUGH_PX`` wide or at least ``MAP_SHARE`` of the largest the details allow.
        The maps are what the class watches: on a projector (xor: 18 -> 23 px) the lines
        under a card (activation, width, parameters; all also in its tooltip) give way.
        """
        found = []
        for detail in DETAILS:
            layout = self._best_text_scale(vw, vh, detail, wanted)
            if layout is None:
                return None
            width, k, px, scale, _ = layout
            self.graph.set_text_scale(k, 1.0, detail)
            side = max(node.picture_px() for node in self.graph.chain())
            found.append((px >= wanted, side * scale, layout))
        readable = [f for f in found if f[0]] or found
        largest = max(f[1] for f in readable)
        enough = min(MAP_SHARE * largest, MAP_ENOUGH_PX)
        return next(f[2] for f in readable if f[1] >= enough)

    def _best_text_scale(self, vw: float, vh: float, detail: int, wanted: float):
        """``(row_width, text_scale, on-screen px, zoom, detail)`` of the smallest text scale
        showing card text at ``wanted`` px (else the largest it gets), or None: no cards.

        Larger text makes cards larger and so the fit smaller: on-screen size is measured,
        not assumed.
        """
        best, best_px, best_scale = (self.graph.row_width, 1.0), -1.0, 1.0
        for k in TEXT_SCALES:
            self.graph.set_text_scale(k, 1.0, detail)
            width, scale = self._best_row_width(vw, vh)
            chain = self.graph.chain()
            if not chain:
                return None
            font_px = QtGui.QFontInfo(chain[0].line_font()).pixelSize()
            px = font_px * max(MIN_FIT_SCALE, min(MAX_FIT_SCALE, FIT_SHARE * scale))
            # clamped to MIN_FIT_SCALE a little too big still fits: the margins take it
            fits = scale >= 0.95 * MIN_FIT_SCALE or best_px < 0
            if fits and px > best_px * 1.02:  # a bigger text scale must buy bigger text
                best, best_px, best_scale = (width, k), px, min(scale, MAX_FIT_SCALE)
            if px >= wanted:
                break
        return best[0], best[1], best_px, best_scale, detail

    def text_px(self) -> float:
        """On-screen pixel size of the cards' smallest text at the current zoom."""
        chain = self.graph.chain()
        if not chain:
            return 0.0
        return QtGui.QFontInfo(chain[0].line_font()).pixelSize() * self.transform().m11()

    def _best_row_width(self, vw: float, vh: float) -> tuple[float | None, float]:
        """Row width (None: one row) whose layout shows the graph at the largest scale, and
        that scale.

        A wrap must win by a clear margin: one row reads most naturally, left to right.
        """
        one = self.graph.measure(None)
        if one.isEmpty():
            return None, 1.0
        widest = max(n.card_rect().width() for n in self.graph.chain())
        best, best_scale = None, min(vw / one.width(), vh / one.height())
        for rows in (2, 3, 4):
            width = max(one.width() / rows + widest, widest)
            size = self.graph.measure(width)
            scale = min(vw / size.width(), vh / size.height())
            if scale > best_scale * 1.2:
                best, best_scale = width, scale
        return best, best_scale

    def zoom(self, factor: float) -> None:
        """Zoom by ``factor`` around the mouse; stops auto-fitting until Fit is pressed."""
        scale = self.transform().m11() * factor
        if 0.1 <= scale <= 5.0:
            self.auto_fit = False
            self.fit_button.show()  # the way back to the whole network
            self.setSceneRect(self.graph.itemsBoundingRect().adjusted(-2000, -2000, 2000, 2000))
            self.scale(factor, factor)

    def wheelEvent(self, event):  # noqa: N802 - Qt's name
        if event.modifiers() & QtCore.Qt.ControlModifier:
            self.zoom(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)
            event.accept()
            return
        super().wheelEvent(event)

    def resizeEvent(self, event):  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        hint = self.fit_button.sizeHint()
        # Bottom-right: node titles sit at the top, where the button used to hide them.
        self.fit_button.move(
            self.viewport().width() - hint.width() - 12,
            self.viewport().height() - hint.height() - 12,
        )
        if self.auto_fit:
            self.fit()

    def keyPressEvent(self, event):  # noqa: N802 - Qt's name
        if event.matches(QtGui.QKeySequence.ZoomIn):
            self.zoom(1.15)
        elif event.matches(QtGui.QKeySequence.ZoomOut):
            self.zoom(1 / 1.15)
        else:
            super().keyPressEvent(event)

    # --- drops from the palette ---------------------------------------------------------
    def dragEnterEvent(self, event):  # noqa: N802 - Qt's name
        if event.mimeData().hasFormat(LAYER_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event):  # noqa: N802 - Qt's name
        self.dragEnterEvent(event)

    def dropEvent(self, event):  # noqa: N802 - Qt's name
        if not event.mimeData().hasFormat(LAYER_MIME):
            event.ignore()
            return
        layer_type = bytes(event.mimeData().data(LAYER_MIME)).decode()
        self.drop_layer(layer_type, self.mapToScene(event.position().toPoint()))
        event.acceptProposedAction()

    def drop_layer(self, layer_type: str, scene_pos: QtCore.QPointF) -> None:
        """Insert a default ``layer_type`` where scene point ``scene_pos`` falls between cards."""
        index = self.graph.insertion_index(scene_pos)
        if self.session.project.document.add_layer(index, default_layer(layer_type)):
            self.session.inspect.select(index)

    # --- slots --------------------------------------------------------------------------
    def _on_fit_button_clicked(self) -> None:
        self.fit()

    def _on_graph_layout_changed(self) -> None:
        self.fit()

    def _on_theme_changed(self) -> None:
        # New colours and text sizes: the cards are made again, which re-fits the view.
        self.setBackgroundBrush(QtGui.QColor(theme.BACKGROUND))
        self.graph.setBackgroundBrush(QtGui.QColor(theme.BACKGROUND))
        self.graph.rebuild()
