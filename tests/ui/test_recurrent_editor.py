"""Recurrent layers in the editor: added from the palette, edited in the inspector with
human labels, mistakes explained on the node, drawn with a loop, and in the window while
training (the views redraw without errors).
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore, QtWidgets
from views_helpers import show_editor

from visualnn.ui.graph.recurrent_art import RecurrentNodeItem
from visualnn.ui.graph.view import GraphView
from visualnn.ui.model.recurrent import is_recurrent
from visualnn.ui.model.session import Session

pytest.importorskip("pytestqt")


@pytest.fixture
def editor(qtbot):
    """A session on bit-parity sequences (1, 6) with an empty network, graph and panels."""
    session = Session()
    session.project.set_dataset("parity", n=100, length=6)
    session.project.document.reset([], (1, 6))
    return show_editor(qtbot, session)


def test_palette_adds_a_gru_and_the_inspector_edits_it(editor):
    session, view, palette, inspector = editor
    doc = session.project.document
    assert palette.add_type("gru") == 0
    assert doc.layers == [{"type": "gru", "hidden_size": 16}] and doc.error is None
    node = view.graph.nodes[0]
    assert isinstance(node, RecurrentNodeItem) and "GRU 16" in node.text()
    assert not node.neurons  # 16 units: the folded cell with its loop
    labels = [inspector.form.itemAt(r, QtWidgets.QFormLayout.LabelRole).widget().text()
              for r in range(inspector.form.rowCount())]  # fmt: skip
    assert labels == ["Hidden units", "Both directions", "Output", "Initialiser"]
    inspector.fields["hidden_size"].widget.setValue(4)
    assert doc.layers[0]["hidden_size"] == 4 and "GRU 4" in view.graph.nodes[0].text()
    assert session.inspect.model.layers[0].hidden_size == 4
    assert len(view.graph.nodes[0].neurons) == 4  # few units: drawn as neurons
    inspector.fields["bidirectional"].widget.setChecked(True)
    assert doc.layers[0]["bidirectional"] is True and "out 8" in view.graph.nodes[0].text()
    output = inspector.fields["return_sequences"].widget
    output.setCurrentIndex(output.findData(True))
    assert doc.layers[0]["return_sequences"] is True
    assert "out 8×6" in view.graph.nodes[0].text()
    for _ in range(3):
        doc.undo_stack.undo()
    assert doc.layers == [{"type": "gru", "hidden_size": 16}]
    assert inspector.fields["hidden_size"].widget.value() == 16
    assert not inspector.fields["bidirectional"].widget.isChecked()

    palette.add_type("rnn")  # after the selected GRU
    assert doc.layers[1]["type"] == "rnn" and "Activation" in [
        inspector.form.itemAt(r, QtWidgets.QFormLayout.LabelRole).widget().text()
        for r in range(inspector.form.rowCount())
    ]
    combo = inspector.fields["nonlinearity"].widget
    combo.setCurrentIndex(combo.findData("relu"))
    assert doc.layers[1]["nonlinearity"] == "relu" and "RNN ReLU 16" in doc.label(1)


def test_impossible_positions_are_explained_on_the_node(editor):
    session, view, palette, _ = editor
    doc = session.project.document
    doc.reset([{"type": "flatten"}, {"type": "lstm", "hidden_size": 8}], (1, 6))
    node = view.graph.nodes[1]
    assert node.error and "features x time" in node.error
    assert "Flatten" in node.error  # the sentence says where it belongs
    doc.reset([{"type": "gru", "hidden_size": 8, "return_sequences": True},
               {"type": "dense", "units": 2}], (1, 6))  # fmt: skip
    assert "Flatten" in view.graph.nodes[1].error
    assert not doc.set_option(0, "hidden_size", "many")  # nonsense is refused, not kept
    assert not doc.set_option(0, "bidirectional", 1)
    said = []
    doc.edit_refused.connect(said.append)
    assert not doc.set_option(0, "hidden_size", 5000)  # too big: refused with the range
    assert "1024" in said[-1] and doc.layers[0]["hidden_size"] == 8


def test_recurrent_neurons_select_their_unit_at_the_chosen_step(editor, qtbot):
    session, view, _, _ = editor
    doc = session.project.document
    doc.reset([{"type": "rnn", "hidden_size": 3, "bidirectional": True, "return_sequences": True},
               {"type": "flatten"}, {"type": "dense", "units": 2}], (1, 6))  # fmt: skip
    session.build_model(keep_weights=False)
    view.fit()
    node = view.graph.nodes[0]
    assert len(node.neurons) == 6 and 0 not in view.graph.links  # an arrow in, no 1-to-1 links
    pos = view.mapFromScene(node.neurons[4].scenePos())
    qtbot.mouseClick(view.viewport(), QtCore.Qt.LeftButton, pos=pos)
    assert session.inspect.selection.unit == (4,)  # its final state
    session.inspect.select(0, (1, 2))
    assert node.step == 2 and node.neurons[1].pen().widthF() > 3
    qtbot.mouseClick(view.viewport(), QtCore.Qt.LeftButton, pos=pos)
    assert session.inspect.selection.unit == (4, 2)  # another unit, the same step


GRU5, DENSE2 = {"type": "gru", "hidden_size": 5}, {"type": "dense", "units": 2}
COMBINATIONS = {
    "conv1d-gru-dense": (
        [{"type": "conv1d", "out_channels": 4, "kernel_size": 3}, GRU5, DENSE2],
        (2, 12),
    ),
    "bidirectional-lstm": (
        [{"type": "lstm", "hidden_size": 3, "bidirectional": True}, DENSE2],
        (1, 6),
    ),
    "sequences-flatten-dense": (
        [{"type": "rnn", "hidden_size": 4, "return_sequences": True}, {"type": "flatten"}, DENSE2],
        (1, 6),
    ),
    "stacked": (
        [
            {"type": "gru", "hidden_size": 3, "return_sequences": True, "bidirectional": True},
            {"type": "lstm", "hidden_size": 2},
            DENSE2,
        ],
        (1, 6),
    ),
}


@pytest.mark.parametrize("name", list(COMBINATIONS))
def test_every_view_draws_every_combination(qtbot, name):
    from views_helpers import show

    from visualnn.ui.views.activations import ActivationsView
    from visualnn.ui.views.neuron import NeuronView
    from visualnn.ui.views.recurrent import RecurrentView
    from visualnn.ui.views.weights import WeightsView

    spec, shape = COMBINATIONS[name]
    session = Session()
    session.project.document.reset(spec, shape)
    session.build_model(keep_weights=False)
    session.inspect.set_custom_sample(np.random.default_rng(0).normal(size=shape))
    graph = GraphView(session)
    qtbot.addWidget(graph)
    views = [show(qtbot, cls(session), 640, 420)
             for cls in (RecurrentView, NeuronView, WeightsView, ActivationsView)]  # fmt: skip
    model = session.inspect.model
    for i, layer in enumerate(model.layers):
        out = layer.output_shape(layer.input_shape)
        last = tuple(s - 1 for s in out)
        if is_recurrent(layer):  # (j,): its final state; (j, t): unit j at step t
            last = (last[0], layer.input_shape[-1] - 1)
        for unit in [(0,) * (1 if is_recurrent(layer) else len(out)), last]:
            session.inspect.select(i, unit)
            for v in views:
                v.throttle.flush()
            graph.graph.recolor()
            assert views[1].explanation is not None, (i, unit, views[1].message.text())
    assert not views[0].message.isVisible()


def test_parity_rnn_trains_in_the_window_and_the_views_keep_up(make_window, qtbot):
    from visualnn.ui.docks import content

    window = make_window("parity-rnn")
    s = window.session
    recurrent = content(window.docks["recurrent"])
    neuron = content(window.docks["neuron"])
    assert window.docks["recurrent"].isVisible()  # a recurrent network: its dock in front
    s.inspect.select(0, (3, 2))
    updates = []
    s.inspect.weights_updated.connect(lambda: updates.append(1))
    window.training_panel.epochs.setValue(1000)  # 25 epochs can be over in a second
    window.actions["play"].trigger()
    qtbot.waitUntil(lambda: len(updates) >= 5, timeout=30000)
    window.actions["play"].trigger()  # pause
    qtbot.waitUntil(lambda: s.inspect.training_state != "running", timeout=10000)
    from visualnn.ui.model.forward import recorded_forward

    # no events between the pass and the redraws: a last snapshot cannot slip in between
    states = recorded_forward(s).states[0]
    for view in (recurrent, neuron):
        view.throttle.mark_now()
        view.throttle.flush()
    assert s.inspect.selection.unit == (3, 2) and recurrent.maps.selected == (3, 2)
    np.testing.assert_array_equal(recurrent.maps.maps[0].values, states["h"][0])
    assert neuron.explanation.h == pytest.approx(states["h"][0, 3, 2], abs=1e-5)
    assert recurrent.throttle.count > 1 and neuron.throttle.count > 1


def test_command_line_selects_a_recurrent_unit_at_a_step():
    from visualnn.presets import build_preset
    from visualnn.ui.app import check_selection

    model = build_preset("parity-rnn")[0]
    assert check_selection(model, 0, (3,)) is None  # its final state
    assert check_selection(model, 0, (3, 2)) is None  # unit 3 at step 2
    assert "time step 0 to 5" in check_selection(model, 0, (3, 9))


def test_the_cell_label_shrinks_to_fit_a_small_cell_in_large_type(qapp):
    from PySide6 import QtGui

    from visualnn.ui.graph.recurrent_art import _fitted

    big = QtGui.QFont()
    big.setPixelSize(40)  # presentation mode's type on a cell zoomed out in a long network
    fitted = _fitted(QtGui.QFont(big), "a<t>", 30.0)
    assert QtGui.QFontMetricsF(fitted).horizontalAdvance("a<t>") <= 31.0
    assert fitted.pixelSize() < 40
    roomy = _fitted(QtGui.QFont(big), "a<t>", 500.0)
    assert roomy.pixelSize() == 40  # room enough: untouched
