"""The Recurrent dock: a recurrent layer's memory over time for the input shown.

Why a dock of its own rather than a tile in Activations: a recurrent layer is not one
vector but units x time for its state and for each gate (four maps for a GRU, six for an
LSTM), plus the unrolled picture, and they must share one time axis to be read together;
in the Activations column they would be a thumbnail each. Here they get the room, and the
controls they need (which layer, maps or unrolled).

Clicking a cell selects unit ``j`` at step ``t`` (``Selection.unit = (j, t)``, see
``model/recurrent``); Neuron math then shows that step's formulas. The arrow keys move the
selection in time (left, right) and across units (up, down). The selection is kept while
training or the live input changes the numbers.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtWidgets

from visualnn.ui import theme
from visualnn.ui.model.forward import recorded_forward
from visualnn.ui.model.recurrent import (
    STATE_ORDER,
    STATE_SHORT,
    STATE_TITLES,
    is_recurrent,
    layer_type,
    selected_step,
    state_range,
    unit_step,
)
from visualnn.ui.pacing import Redraw
from visualnn.ui.views.common import layer_combo, layer_title, message_label
from visualnn.ui.views.recurrent_maps import StateMap, StateMaps
from visualnn.ui.views.recurrent_unrolled import Unrolled, UnrolledStrip

NO_LAYER = (
    "This network has no recurrent layer. Add an RNN, GRU or LSTM (Add layer) to watch its "
    "memory change from one time step to the next."
)
HINT = "Click a cell for its maths"
REDRAW_MS = 100  # the unrolled boxes show numbers: at most ten new ones a second


def recurrent_layers(model) -> list[int]:
    """Indices of the recurrent layers of ``model`` (none without a model)."""
    return [i for i, lay in enumerate(getattr(model, "layers", None) or []) if is_recurrent(lay)]


class RecurrentView(QtWidgets.QWidget):
    """State and gate heatmaps (units x time) of a recurrent layer, or the layer unrolled.

    Signals: ``wants_showing()`` when a network with a recurrent layer arrives (the window's
    view switcher then puts this view on screen).
    """

    wants_showing = QtCore.Signal()

    def __init__(self, session, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.index: int | None = None  # the layer shown
        self._had_layer = False
        self.layer_combo = layer_combo()
        self.unroll_check = QtWidgets.QCheckBox("Unrolled in time")
        self.unroll_check.setFont(theme.font())
        self.unroll_check.setToolTip("Draw the cell once per time step, for the selected unit")
        self.hint = QtWidgets.QLabel(HINT)
        self.hint.setWordWrap(True)  # two short lines in a narrow view, never cut
        theme.style(self.hint, "color: {MUTED};")
        self.hint.setToolTip(
            "Click a cell: Neuron math shows how unit j got its value at step t. "
            "Left / right arrow: the step before / after; up / down: the unit above / below."
        )
        self.hint.setSizePolicy(QtWidgets.QSizePolicy.Ignored, QtWidgets.QSizePolicy.Preferred)
        bar = QtWidgets.QHBoxLayout()
        bar.addWidget(self.layer_combo, 1)
        bar.addWidget(self.hint, 1)
        bar.addWidget(self.unroll_check)

        self.maps = StateMaps()
        self.unrolled = UnrolledStrip()
        self.stack = QtWidgets.QStackedWidget()
        self.stack.addWidget(self.maps)
        self.stack.addWidget(self.unrolled)
        self.message = message_label(NO_LAYER)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(self.stack, 1)
        self.setFocusPolicy(QtCore.Qt.ClickFocus)  # arrow keys after a click in the view

        self.throttle = Redraw(self, self.redraw, min_interval_ms=REDRAW_MS)
        inspect = session.inspect
        self.throttle.mark_on(
            inspect.weights_updated, inspect.sample_changed, session.project.dataset_changed
        )
        self.throttle.mark_on(inspect.selection_changed, now=True)
        inspect.spec_changed.connect(self._on_session_spec_changed)
        self.maps.cell_clicked.connect(self._on_maps_cell_clicked)
        self.unrolled.step_clicked.connect(self._on_unrolled_step_clicked)
        self.layer_combo.currentIndexChanged.connect(self._on_layer_combo_changed)
        self.unroll_check.toggled.connect(self._on_unroll_check_toggled)

    # --- drawing ------------------------------------------------------------------------
    def redraw(self) -> None:
        model = self.session.inspect.model
        layers = recurrent_layers(model)
        if not layers:
            self.index = None
            return self._show_message(NO_LAYER)
        self._sync_combo(model, layers)
        sel = self.session.inspect.selection
        self.index = sel.layer if sel.layer in layers else self.layer_combo.currentData()
        try:
            rec = recorded_forward(self.session)
        except ValueError as exc:
            return self._show_message(str(exc))
        states = rec.states[self.index] if self.index < len(rec.states) else None
        if not states:
            return self._show_message("This layer recorded no states: run the network once.")
        layer = model.layers[self.index]
        where = selected_step(sel, self.index, layer, states["h"].shape[-1])
        if self.unroll_check.isChecked():
            self.unrolled.set_data(self._unrolled(layer, rec, states, where))
        else:
            chosen = None if where is None else (where.unit, where.step)
            x = np.asarray(rec.records[self.index].input[0], dtype=np.float32)
            self.maps.set_maps(self._state_maps(layer, states), chosen, x)
        self.message.hide()
        self.stack.show()

    def _state_maps(self, layer, states: dict) -> list[StateMap]:
        maps = []
        for key in STATE_ORDER[layer_type(layer)]:
            values = np.asarray(states[key][0], dtype=np.float32)
            lo, hi = state_range(key, values)
            cmap = theme.DIVERGING_CMAP if lo < 0 else theme.SEQUENTIAL_CMAP
            title = STATE_TITLES[key] + ("<t>" if key in ("h", "c") else "")
            maps.append(StateMap(key, title, values, (lo, hi), cmap, STATE_SHORT[key]))
        return maps

    def _unrolled(self, layer, rec, states: dict, where) -> Unrolled:
        steps = states["h"].shape[-1]
        where = where or unit_step(layer, (0,), steps)  # nothing picked yet: unit 0
        gates = {
            k: np.asarray(states[k][0, where.unit]) for k in STATE_ORDER[layer_type(layer)][1:]
        }
        return Unrolled(
            cell=layer_type(layer),
            unit=where.unit,
            direction=where.direction,
            step=where.step,
            h=np.asarray(states["h"][0, where.unit]),
            x=np.asarray(rec.records[self.index].input[0]),
            every_step=bool(layer.return_sequences),
            gates=gates,
        )

    def _sync_combo(self, model, layers: list[int]) -> None:
        items = [(layer_title(i, model.layers[i]), i) for i in layers]
        current = [(self.layer_combo.itemText(k), self.layer_combo.itemData(k))
                   for k in range(self.layer_combo.count())]  # fmt: skip
        sel = self.session.inspect.selection.layer
        want = sel if sel in layers else self.layer_combo.currentData()
        self.layer_combo.blockSignals(True)
        if current != items:
            self.layer_combo.clear()
            for text, data in items:
                self.layer_combo.addItem(text, data)
        self.layer_combo.setCurrentIndex(max(self.layer_combo.findData(want), 0))
        self.layer_combo.setVisible(len(items) > 1)  # one layer: nothing to choose
        self.layer_combo.blockSignals(False)

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        self.stack.hide()

    # --- selecting ----------------------------------------------------------------------
    def _select(self, unit: int, step: int) -> None:
        if self.index is not None:
            self.session.inspect.select(self.index, (int(unit), int(step)))

    def _current(self) -> tuple[int, int, int, int] | None:
        """``(j, t, units, steps)`` of the selection in the layer shown, or None."""
        rec, model = self.session.forward.value, self.session.inspect.model
        states = rec.states if rec is not None and model is not None else []
        if self.index is None or self.index >= len(states) or not states[self.index]:
            return None
        units, steps = states[self.index]["h"].shape[1:]
        where = selected_step(self.session.inspect.selection, self.index,
                              model.layers[self.index], steps)  # fmt: skip
        return None if where is None else (where.unit, where.step, units, steps)

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt name)
        moves = {QtCore.Qt.Key_Left: (0, -1), QtCore.Qt.Key_Right: (0, 1),
                 QtCore.Qt.Key_Up: (-1, 0), QtCore.Qt.Key_Down: (1, 0)}  # fmt: skip
        current = self._current()
        if event.key() not in moves or current is None:
            return super().keyPressEvent(event)
        (dj, dt), (j, t, units, steps) = moves[event.key()], current
        self._select(min(max(j + dj, 0), units - 1), min(max(t + dt, 0), steps - 1))
        event.accept()

    # --- slots --------------------------------------------------------------------------
    def _on_maps_cell_clicked(self, unit: int, step: int) -> None:
        self._select(unit, step)

    def _on_unrolled_step_clicked(self, step: int) -> None:
        data = self.unrolled.data
        self._select(data.unit if data is not None else 0, step)

    def _on_layer_combo_changed(self, _index: int) -> None:
        self.session.inspect.select(self.layer_combo.currentData())

    def _on_unroll_check_toggled(self, on: bool) -> None:
        self.stack.setCurrentWidget(self.unrolled if on else self.maps)
        self.throttle.mark_now()

    def wants_front(self) -> bool:
        """True when the network has a recurrent layer."""
        return bool(recurrent_layers(self.session.inspect.model))

    def _on_session_spec_changed(self) -> None:
        has = self.wants_front()
        if has and not self._had_layer:
            self.wants_showing.emit()  # a recurrent network arrived: this is the view to watch
        self._had_layer = has
        self.throttle.mark_now()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        self.throttle.flush()
