"""The layer palette: every layer type with a one-line explanation, to add by double-click or drag.

A double-click inserts the type's default layer right after the selected layer (at
the end when nothing is selected) and selects it; a drag onto the graph inserts it where it
is dropped (see ``GraphView.dropEvent``).
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from visualnn.ui import theme
from visualnn.ui.graph.view import LAYER_MIME
from visualnn.ui.model.catalog import LAYER_CATALOG, default_layer

_TYPE_ROLE = QtCore.Qt.UserRole


class _TypeList(QtWidgets.QListWidget):
    """List whose drag payload is the layer type name."""

    def mimeTypes(self) -> list[str]:  # noqa: N802 - Qt's name
        return [LAYER_MIME]

    def mimeData(self, items) -> QtCore.QMimeData:  # noqa: N802 - Qt's name
        data = QtCore.QMimeData()
        if items:
            data.setData(LAYER_MIME, str(items[0].data(_TYPE_ROLE)).encode())
        return data


class LayerPalette(QtWidgets.QWidget):
    """List of layer types; adds to the document after the selected layer."""

    layer_added = QtCore.Signal(int)

    def __init__(self, session, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.list = _TypeList(self)
        self.list.setDragEnabled(True)
        self.list.setDragDropMode(QtWidgets.QAbstractItemView.DragOnly)
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        theme.set_font(self.list)
        self.list.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarAlwaysOff)
        self.list.setVerticalScrollMode(QtWidgets.QAbstractItemView.ScrollPerPixel)
        for t, info in LAYER_CATALOG.items():
            item = QtWidgets.QListWidgetItem()
            item.setData(_TYPE_ROLE, t)
            item.setToolTip(f"{info.description}\nDouble-click or drag onto the graph to add.")
            self.list.addItem(item)
            # A label per row: bold title over a muted explanation, wrapped to the width.
            label = QtWidgets.QLabel(
                f"<b>{info.title}</b><br><span style='color:{theme.MUTED}'>"
                f"{info.description}</span>"
            )
            label.setWordWrap(True)
            label.setContentsMargins(8, 6, 8, 6)
            label.setAttribute(QtCore.Qt.WA_TransparentForMouseEvents)  # drags start on rows
            self.list.setItemWidget(item, label)
        theme.style(self.list, "QListWidget::item { border-bottom: 1px solid {BACKGROUND}; }")
        hint = QtWidgets.QLabel("Double-click or drag a layer onto the network.")
        hint.setWordWrap(True)
        theme.style(hint, "color: {MUTED};")
        box = QtWidgets.QVBoxLayout(self)
        box.setContentsMargins(4, 4, 4, 4)
        box.addWidget(hint)
        box.addWidget(self.list)
        self.list.itemDoubleClicked.connect(self._on_list_item_double_clicked)

    def resizeEvent(self, event):  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit_rows()

    def showEvent(self, event):  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._fit_rows()

    def _fit_rows(self) -> None:
        """Row heights follow the wrapped labels (a list cannot size item widgets itself)."""
        width = self.list.viewport().width()
        for row in range(self.list.count()):
            item = self.list.item(row)
            label = self.list.itemWidget(item)
            h = label.heightForWidth(width) if label.hasHeightForWidth() else -1
            item.setSizeHint(QtCore.QSize(width, max(h, label.sizeHint().height())))

    def add_type(self, layer_type: str) -> int | None:
        """Insert ``layer_type``'s default layer after the selection; returns its index."""
        doc = self.session.project.document
        sel = self.session.inspect.selection.layer
        index = len(doc.layers) if sel is None else min(sel + 1, len(doc.layers))
        if not doc.add_layer(index, default_layer(layer_type)):
            return None
        self.session.inspect.select(index)
        self.layer_added.emit(index)
        return index

    def _on_list_item_double_clicked(self, item: QtWidgets.QListWidgetItem) -> None:
        self.add_type(item.data(_TYPE_ROLE))
