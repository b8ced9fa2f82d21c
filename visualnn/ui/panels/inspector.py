"""Layer settings inspector: a form for the selected layer, every edit an undoable command.

Editors are spin boxes and combos made from the engine's settings model (``LayerField``),
over the ranges the inspector offers (``Setting.editor``): a number out of range is refused
with a note under its field saying what is allowed (never quietly changed); what still
does not fit the network (a kernel bigger than its input) is kept and explained in red, in
the engine's words. Choices show human names ("Leaky ReLU"). The form is rebuilt only when
another layer (or type) is shown: an edit refreshes values in place so the widget being
edited keeps focus."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from visualnn.engine.geometry import shape_text
from visualnn.ui import theme
from visualnn.ui.model.catalog import layer_info
from visualnn.ui.panels.fields import RangeSpinBox
from visualnn.ui.panels.layer_fields import LayerField, narrow_combo, shown_value, wrapping_form


class LayerInspector(QtWidgets.QWidget):
    """Settings of the selected layer plus the input shape, editing the document."""

    def __init__(self, session, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.document = session, session.project.document
        self.index: int | None = None
        self._form_key: tuple | None = None
        self.fields: dict[str, LayerField] = {}
        self.title = QtWidgets.QLabel()
        theme.set_font(self.title, 1.25, bold=True)
        self.description = self._label("MUTED")
        self.shape_label = self._label("FOREGROUND")
        self.error_label = self._label("ERROR")
        theme.set_font(self.error_label, 1.0, bold=True)
        self.form_box = QtWidgets.QWidget()
        self.form = wrapping_form(self.form_box)
        self.form.setContentsMargins(0, 6, 0, 6)
        self.input_box = self._make_input_box()
        box = QtWidgets.QVBoxLayout(self)
        for w in (
            self.title,
            self.description,
            self.shape_label,
            self.error_label,
            self.form_box,
            self.input_box,
        ):
            box.addWidget(w)
        box.addStretch(1)
        self.document.changed.connect(self._on_document_changed)
        self.document.edit_refused.connect(self._on_document_edit_refused)
        session.inspect.selection_changed.connect(self._on_session_selection_changed)
        self.refresh()

    def _label(self, role: str) -> QtWidgets.QLabel:
        w = QtWidgets.QLabel()
        w.setWordWrap(True)
        theme.style(w, f"color: {{{role}}};")
        w.setTextInteractionFlags(QtCore.Qt.TextSelectableByMouse)
        return w

    # --- input shape --------------------------------------------------------------------
    def _make_input_box(self) -> QtWidgets.QGroupBox:
        group = QtWidgets.QGroupBox("Input")
        theme.set_font(group, 1.0, bold=True)
        self.input_kind = narrow_combo()
        for rank, text in (
            (1, "vector: features"),
            (2, "signal: C × length"),
            (3, "image: C × H × W"),
        ):
            self.input_kind.addItem(text, rank)
        self.input_dims = []
        dims_row = QtWidgets.QHBoxLayout()
        for _ in range(3):
            s = RangeSpinBox()
            s.setAccessibleName("Input size")
            s.setRange(1, 4096)
            s.setKeyboardTracking(False)
            s.valueChanged.connect(self._on_input_edited)
            self.input_dims.append(s)
            dims_row.addWidget(s)
        self.input_note = self._label("MUTED")
        self.input_kind.currentIndexChanged.connect(self._on_input_edited)
        form = wrapping_form(group)
        form.addRow("Kind", self.input_kind)
        form.addRow("Shape", dims_row)
        form.addRow(self.input_note)
        for w in [self.input_kind, *self.input_dims, self.input_note]:
            theme.set_font(w)
        return group

    def _show_input(self) -> None:
        shape = tuple(self.document.input_shape)
        widgets = [self.input_kind, *self.input_dims]
        for w in widgets:
            w.blockSignals(True)
        self.input_kind.setCurrentIndex(self.input_kind.findData(len(shape)))
        for k, s in enumerate(self.input_dims):
            s.setVisible(k < len(shape))
            if k < len(shape):
                s.setValue(int(shape[k]))
        for w in widgets:
            w.blockSignals(False)
        locked = bool(self.document.input_locked)
        for w in widgets:
            w.setEnabled(not locked)
        self.input_note.setText(
            "Set by the dataset." if locked else "No dataset fixes it: edit freely."
        )

    def _on_input_edited(self, *_args) -> None:
        rank = self.input_kind.currentData()
        old = list(self.document.input_shape)
        dims = [s.value() for s in self.input_dims[:rank]]
        if rank != len(old):  # switching kind: keep what overlaps, pad with sensible sizes
            defaults = {1: [2], 2: [1, 64], 3: [1, 8, 8]}[rank]
            dims = (old + defaults[len(old) :])[:rank] if rank > len(old) else defaults
        self.document.set_input_shape(tuple(dims))

    # --- layer form ---------------------------------------------------------------------
    def refresh(self) -> None:
        """Show the selected layer (rebuilding the form only if the layer/type changed)."""
        doc = self.document
        sel = self.session.inspect.selection.layer
        self.index = sel if sel is not None and 0 <= sel < len(doc.layers) else None
        self._show_input()
        if self.index is None:
            self._set_form(None)
            self.title.setText("Input" if doc.layers else "Empty network")
            self.description.setText(
                "Select a layer in the graph to edit its settings."
                if doc.layers
                else "Add a layer from the palette."
            )
            self.shape_label.setText(f"shape {shape_text(doc.input_shape, '×')}")
            error = str(doc.error) if doc.error is not None and doc.error.layer is None else ""
            self.error_label.setText(error)
            return
        layer = doc.layers[self.index]
        info = layer_info(layer["type"])
        self.title.setText(f"Layer {self.index + 1} · {doc.label(self.index)}")
        self.description.setText(info.description)
        shape = doc.shapes[self.index] if self.index < len(doc.shapes) else None
        if shape is not None:
            self.shape_label.setText(
                f"{shape_text(shape.in_shape, '×')} → "
                f"{shape_text(shape.out_shape, '×')} · "
                f"{shape.num_params:,} parameters"
            )
        else:
            self.shape_label.setText(
                "shape unknown until the error below is fixed"
                if doc.layer_error(self.index)
                else "shape unknown: an earlier layer has an error"
            )
        self.error_label.setText(doc.layer_error(self.index) or "")
        self._set_form((self.index, layer["type"]))
        for key, field in self.fields.items():
            field.show(shown_value(layer, key))

    def _set_form(self, key: tuple | None) -> None:
        if key == self._form_key:
            return
        self._form_key = key
        while self.form.rowCount():
            self.form.removeRow(0)
        self.fields = {}
        self.form_box.setVisible(key is not None)
        if key is None:
            return
        for k in layer_info(key[1]).keys:
            field = LayerField(k, key[1], self._on_field_edited)
            label = QtWidgets.QLabel(field.setting.label.capitalize())
            theme.set_font(label)
            self.form.addRow(label, field.widget)
            self.fields[k] = field

    # --- slots --------------------------------------------------------------------------
    def _on_field_edited(self, key: str, value) -> None:
        if self.index is not None:
            self.document.set_option(self.index, key, value)

    def _on_document_changed(self) -> None:
        self.refresh()

    def _on_document_edit_refused(self, message: str) -> None:
        self.error_label.setText(message)

    def _on_session_selection_changed(self) -> None:
        self.refresh()
