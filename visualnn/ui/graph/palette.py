"""The layer palette: every layer type with a one-line explanation, to add by double-click or drag.

A double-click inserts the type's default layer right after the selected layer, but never
after the output layer (the last dense or conv layer and its activation): there, and when
nothing is selected, it goes just before the output, and a note under the list says so. A
layer after the softmax output trained silently at chance. A drag onto the graph inserts it
exactly where it is dropped (see ``GraphView.dropEvent``).
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from visualnn.ui import theme
from visualnn.ui.graph.view import LAYER_MIME
from visualnn.ui.model.catalog import LAYER_CATALOG, default_layer, output_start

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
        hint = QtWidgets.QLabel(
            "Double-click: add after the selected layer, before the output. "
            "Drag onto the network: add exactly there."
        )
        hint.setWordWrap(True)
        theme.style(hint, "color: {MUTED};")
        self.note = QtWidgets.QLabel()  # what the last double-click did, and why there
        self.note.setWordWrap(True)
        theme.style(self.note, "color: {ACCENT};")
        self.note.hide()
        box = QtWidgets.QVBoxLayout(self)
        box.setContentsMargins(4, 4, 4, 4)
        box.addWidget(hint)
        box.addWidget(self.list)
        box.addWidget(self.note)
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
        """Insert ``layer_type``'s default layer after the selection, before the output
        layer; returns its index."""
        doc = self.session.project.document
        sel = self.session.inspect.selection.layer
        out = output_start(doc.layers)
        index = out if sel is None else min(sel + 1, out)
        output = doc.label(out) if out < len(doc.layers) else ""
        if not doc.add_layer(index, default_layer(layer_type)):
            return None
        title = LAYER_CATALOG[layer_type].title if layer_type in LAYER_CATALOG else layer_type
        said = f"Added {title} as layer {index + 1}"
        if output and index == out and (sel is None or sel >= out):
            said += (f", before the output layer ({output}): the output stays last. "
                     "To put it elsewhere, drag it onto the network.")  # fmt: skip
        self.note.setText(said + ("" if said.endswith(".") else "."))
        self.note.show()
        self.session.inspect.select(index)
        self.layer_added.emit(index)
        return index

    def _on_list_item_double_clicked(self, item: QtWidgets.QListWidgetItem) -> None:
        self.add_type(item.data(_TYPE_ROLE))
