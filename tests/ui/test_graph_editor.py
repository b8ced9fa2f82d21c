"""The layer graph editor driven as a user would: add, break, undo, move, delete, inspect."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets
from views_helpers import show_editor

from visualnn.ui.graph.view import GraphView
from visualnn.ui.model.session import Session

XOR_MLP = [
    {"type": "dense", "units": 8, "activation": "tanh"},
    {"type": "dense", "units": 8, "activation": "tanh"},
    {"type": "dense", "units": 2},
]


@pytest.fixture
def editor(qtbot):
    """A session with an empty 2-feature network, a graph view, palette and inspector."""
    session = Session()
    session.project.document.reset([], (2,))
    return show_editor(qtbot, session)


def node_texts(view):
    return [n.text() for n in view.graph.nodes]


def menu_action(menu: QtWidgets.QMenu, *path: str) -> QtWidgets.QAction:
    """The action at ``path`` ("Insert layer after", "Dense") in a context menu."""
    for act in menu.actions():
        if act.text() == path[0]:
            return act if len(path) == 1 else menu_action(act.menu(), *path[1:])
    raise AssertionError(f"no menu entry {path[0]!r} in {[a.text() for a in menu.actions()]}")


def test_build_network_with_palette_and_context_menu(editor):
    session, view, palette, _ = editor
    doc = session.project.document
    assert palette.add_type("dense") == 0  # nothing selected: appended, then selected
    assert session.inspect.selection.layer == 0
    assert "out 8" in view.graph.nodes[0].text() and "24 params" in view.graph.nodes[0].text()
    assert len(view.graph.nodes[0].neurons) == 8 and len(view.graph.links[0]) == 16

    menu = view.graph.build_context_menu(0)
    menu_action(menu, "Insert layer after", "Dense").trigger()
    assert [layer["type"] for layer in doc.layers] == ["dense", "dense"]
    doc.set_option(1, "units", 3)
    assert "out 3" in node_texts(view)[1] and "27 params" in node_texts(view)[1]
    menu = view.graph.build_context_menu(None)  # kept alive: the menu owns its actions
    menu_action(menu, "Add layer at the end", "Softmax").trigger()
    assert doc.layers[-1] == {"type": "softmax"} and doc.error is None
    assert session.inspect.model is not None  # the session rebuilt the model on the edit
    menu = view.graph.build_context_menu(1)
    menu_action(menu, "Duplicate").trigger()
    assert doc.layers[2] == doc.layers[1] and len(view.graph.nodes) == 4


def test_bad_edits_are_explained_on_the_node(editor):
    session, view, _, _ = editor
    doc = session.project.document
    doc.reset([{"type": "conv2d", "out_channels": 4, "kernel_size": 3}], (1, 3, 3))
    assert doc.error is None and "out 4×1×1" in node_texts(view)[0]

    assert doc.set_option(0, "kernel_size", 5)  # fits alone, not on a 3x3 input: kept, marked
    node = view.graph.nodes[0]
    assert node.error and "3x3" in node.error and "5" in node.error
    assert node.toolTip() == node.error
    doc.undo_stack.undo()
    assert not view.graph.nodes[0].error

    doc.add_layer(1, {"type": "dense", "units": 3})  # dense straight after conv: no flatten
    assert doc.error.layer == 1
    text = view.graph.nodes[1].error
    assert "Flatten" in text and "4x1x1" in text
    assert doc.shapes[0] is not None and doc.shapes[1] is None  # the good prefix keeps shapes

    refused = []
    doc.edit_refused.connect(refused.append)
    before = doc.spec()
    assert not doc.set_option(1, "units", "2.5")
    assert not doc.set_option(0, "stride", -1)
    assert doc.spec() == before and "2.5" in refused[0] and "-1" in refused[1]
    view.graph.recolor()  # an invalid network has no model: drawing must not fail


def test_undo_redo_restore_the_exact_spec(editor):
    session, view, palette, _ = editor
    doc = session.project.document
    doc.reset(XOR_MLP, (2,))
    specs = [doc.spec()]
    doc.set_option(0, "units", 4)
    doc.set_option(0, "units", 5)  # merges with the previous edit: one undo step
    specs.append(doc.spec())
    doc.set_option(1, "activation", None)
    specs.append(doc.spec())
    doc.add_layer(3, {"type": "softmax"})
    specs.append(doc.spec())
    doc.move_layer(0, 1)
    specs.append(doc.spec())
    doc.remove_layer(2)
    specs.append(doc.spec())
    doc.set_input_shape((3,))
    specs.append(doc.spec())
    assert doc.undo_stack.count() == 6
    assert doc.undo_stack.text(0) == "Change units of layer 1"
    assert doc.undo_stack.undoText() == "Change input shape"
    for expected in reversed(specs[:-1]):
        doc.undo_stack.undo()
        assert doc.spec() == expected
    assert doc.input_shape == (2,) and node_texts(view)[0].startswith("Dense 8")
    for expected in specs[1:]:
        doc.undo_stack.redo()
        assert doc.spec() == expected
    assert doc.input_shape == (3,)


def test_drag_to_reorder_and_delete_key(editor, qtbot):
    session, view, _, _ = editor
    doc = session.project.document
    doc.reset(
        [{"type": "dense", "units": 4}, {"type": "relu"}, {"type": "dense", "units": 2}], (2,)
    )
    scene = view.graph
    node = scene.nodes[0]
    # Let go of the first card to the right of the second: it moves behind it.
    scene.node_released(0, scene.nodes[1].home + QtCore.QPointF(10, 0))
    assert [layer["type"] for layer in doc.layers] == ["relu", "dense", "dense"]
    assert session.inspect.selection.layer == 1
    scene.node_released(1, None)  # a click, not a drag: nothing moves
    assert doc.layers[1]["units"] == 4
    del node

    session.inspect.select(0)
    view.setFocus()
    qtbot.keyClick(view.viewport(), QtCore.Qt.Key_Delete)
    assert [layer["type"] for layer in doc.layers] == ["dense", "dense"]
    assert len(scene.nodes) == 2
    doc.undo_stack.undo()
    assert doc.layers[0] == {"type": "relu"}


def test_clicking_a_neuron_selects_the_unit(editor, qtbot):
    session, view, _, _ = editor
    session.project.document.reset(XOR_MLP, (2,))
    view.fit()
    neuron = view.graph.nodes[1].neurons[3]
    pos = view.mapFromScene(neuron.scenePos())
    qtbot.mouseClick(view.viewport(), QtCore.Qt.LeftButton, pos=pos)
    assert (session.inspect.selection.layer, session.inspect.selection.unit) == (1, (3,))
    assert view.graph.nodes[1].selected and neuron.pen().widthF() > 3
    card = view.graph.nodes[2]
    top = card.mapToScene(card.card_rect().topLeft() + QtCore.QPointF(20, 8))
    qtbot.mouseClick(view.viewport(), QtCore.Qt.LeftButton, pos=view.mapFromScene(top))
    assert (session.inspect.selection.layer, session.inspect.selection.unit) == (2, None)


def test_weight_updates_recolour_without_rebuilding(editor, qtbot):
    session, view, _, _ = editor
    session.project.set_dataset("xor")
    session.project.document.reset(XOR_MLP, (2,))
    session.build_model(keep_weights=False)
    links = view.graph.links[1]
    before = links.colors()
    w = session.inspect.model.get_weights()
    w[1]["weight"] = -w[1]["weight"]
    session.inspect.apply_snapshot(w)
    qtbot.wait(150)
    assert view.graph.links[1] is links  # the same item, recoloured
    after = links.colors()
    assert after != before
    assert view.graph.nodes[0].neurons[0].value is not None  # filled from the sample


def test_inspector_edits_are_undoable(editor):
    session, view, _, inspector = editor
    doc = session.project.document
    doc.reset(
        [
            {
                "type": "conv2d",
                "out_channels": 8,
                "kernel_size": 3,
                "padding": "same",
                "activation": "relu",
            },
            {"type": "maxpool2d", "kernel_size": 2},
        ],
        (1, 8, 8),
    )
    session.inspect.select(0)
    assert inspector.title.text().startswith("Layer 1")
    assert "1×8×8 → 8×8×8" in inspector.shape_label.text()
    inspector.fields["out_channels"].widget.setValue(4)
    assert doc.layers[0]["out_channels"] == 4 and "out 4×8×8" in node_texts(view)[0]
    combo = inspector.fields["padding"].widget
    combo.setCurrentIndex(combo.findData("valid"))
    assert doc.layers[0]["padding"] == "valid" and "6×6" in inspector.shape_label.text()
    act = inspector.fields["activation"].widget
    act.setCurrentIndex(act.findText("linear"))
    assert "activation" not in doc.layers[0]
    inspector.fields["kernel_size"].widget.setValue(9)  # too big for 8x8: explained in red
    assert "8x8" in inspector.error_label.text()
    for _ in range(4):
        doc.undo_stack.undo()
    assert doc.layers[0] == {
        "type": "conv2d",
        "out_channels": 8,
        "kernel_size": 3,
        "padding": "same",
        "activation": "relu",
    }
    assert inspector.fields["out_channels"].widget.value() == 8

    session.inspect.select(1)
    stride = inspector.fields["stride"].widget
    assert stride.text() == "= kernel"
    stride.setValue(1)
    assert doc.layers[1]["stride"] == 1 and "8×7×7" in inspector.shape_label.text()

    session.inspect.select(None)
    inspector.input_dims[1].setValue(10)
    assert doc.input_shape == (1, 10, 8)
    doc.input_locked = True
    inspector.refresh()
    assert not inspector.input_dims[0].isEnabled()


def test_palette_drop_inserts_where_dropped(editor):
    session, view, _, _ = editor
    doc = session.project.document
    doc.reset([{"type": "dense", "units": 4}, {"type": "dense", "units": 2}], (2,))
    assert view.fit_button.isHidden()  # fitting itself, the view has no use for it
    view.zoom(1.3)  # Ctrl+wheel zooms and stops auto-fitting; the Fit button resumes it
    assert not view.auto_fit and not view.fit_button.isHidden()
    view.fit_button.click()
    assert view.auto_fit and view.fit_button.isHidden()
    between = (view.graph.nodes[0].home + view.graph.nodes[1].home) / 2
    view.drop_layer("dropout", between)
    assert [layer["type"] for layer in doc.layers] == ["dense", "dropout", "dense"]
    assert session.inspect.selection.layer == 1


def test_narrow_view_wraps_rows_and_shows_feature_maps(editor, qtbot):
    session, view, _, _ = editor
    session.load_preset("digits-cnn")
    view.resize(760, 800)
    view.fit()
    scene = view.graph
    assert scene.row_count > 1  # a long CNN in a tall narrow view: wrapped, not shrunk
    assert view.transform().m11() > 0.6
    qtbot.wait(150)  # the throttled recolour after the load
    assert scene.nodes[0].images and scene.input_node.images  # real maps of the sample
    last = len(scene.nodes) - 1
    # Drop the last card at the very start of the first row: it becomes layer 1.
    scene.node_released(last, scene.nodes[0].home - QtCore.QPointF(40, 0))
    assert session.project.document.layers[0]["type"] == "dense"
    assert "Dense" in scene.nodes[0].text() and scene.nodes[0].error  # and it is explained


def test_digits_cnn_labels_stay_legible_in_a_projector_sized_graph(qtbot):
    """At 1280x720 the graph gets ~930x325 px: fitting 7 cards and a 10-neuron column must
    not shrink card text below ~13 px (it was 9 px); the text scales up instead."""
    from visualnn.ui.graph.view import MIN_TEXT_PX

    session = Session()
    session.load_preset("digits-cnn")
    view = GraphView(session)
    qtbot.addWidget(view)
    view.resize(929, 325)
    view.show()
    qtbot.waitExposed(view)
    view.fit()
    assert view.text_px() >= 13.0 and MIN_TEXT_PX >= 13.0
    chain = view.graph.chain()
    seen = view.mapToScene(view.viewport().rect()).boundingRect()
    assert all(seen.contains(n.mapRectToScene(n.card_rect())) for n in chain)  # all fits
    for a, b in zip(chain[:-1], chain[1:], strict=True):  # and no card overlaps the next
        if a.row == b.row:
            assert a.mapRectToScene(a.card_rect()).right() < b.mapRectToScene(b.card_rect()).left()
    # a wide view needs no enlarged text
    view.resize(1900, 700)
    view.fit()
    assert view.graph.text_scale == 1.0 and view.text_px() >= 18


def test_inspector_fits_a_projector_dock(editor):
    session, view, palette, inspector = editor
    session.load_preset("digits-cnn")
    session.inspect.select(0)
    assert inspector.minimumSizeHint().width() <= 320
