"""No traps in front of a class: Space plays from any field that is not text, icons come
from bundled files, a double-clicked layer lands before the output, Undo gives the trained
weights back, a value out of range is refused with the range, names are human, labels
follow the model."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtTest, QtWidgets
from readability import no_gc

from visualnn.ui import icons
from visualnn.ui.docks import content

GLYPHS = "\u25b6\u23f8\u25a0\u25cf\u26a0\u2139\u2714\u2718\u2715\u25c0"


# --- Space --------------------------------------------------------------------------------
def press_space(qtbot, window, widget) -> list[str]:
    hits: list[str] = []
    window.actions["play"].triggered.connect(lambda: hits.append("play"))
    window.activateWindow()
    widget.setFocus()
    qtbot.waitUntil(lambda: QtWidgets.QApplication.focusWidget() is not None, timeout=2000)
    QtTest.QTest.keyClick(QtWidgets.QApplication.focusWidget(), QtCore.Qt.Key_Space)
    window.actions["play"].triggered.disconnect()
    return hits


@pytest.mark.parametrize(
    "field", ["learning rate", "epochs", "optimizer", "reset button", "graph", "units"]
)
def test_space_plays_from_fields_that_are_not_text(qtbot, make_window, field):
    window = make_window("xor")
    window.controller.play = window.controller.toggle = lambda: None  # the key, not training
    panel = window.training_panel
    if field == "units":
        window.views.set_shown("inspector")
        window.session.inspect.select(0)
        widget = content(window.docks["inspector"]).fields["units"].widget
    else:
        widget = {
            "learning rate": panel.lr,
            "epochs": panel.epochs,
            "optimizer": panel.optimizer,
            "reset button": panel.buttons["reset"],
            "graph": window.graph_view,
        }[field]
    assert press_space(qtbot, window, widget) == ["play"]


def test_space_in_a_spin_box_takes_the_typed_number_first(qtbot, make_window):
    window = make_window("xor")
    window.controller.toggle = lambda: None
    epochs = window.training_panel.epochs
    epochs.setFocus()
    epochs.lineEdit().selectAll()
    QtTest.QTest.keyClicks(epochs, "42")
    assert press_space(qtbot, window, epochs) == ["play"]
    assert window.session.project.config.epochs == 42


def test_space_types_a_space_in_a_name_field(qtbot, make_window):
    window = make_window("xor")
    name = QtWidgets.QLineEdit("my", window.training_panel)  # a text field, as a class name
    name.show()
    assert press_space(qtbot, window, name) == []
    assert name.text() in ("my ", " ") or " " in name.text()


# --- icons --------------------------------------------------------------------------------
def test_every_icon_is_a_bundled_svg_that_draws(qapp):
    names = icons.names()
    assert {"play", "pause", "step", "step-epoch", "present", "exit", "warning"} <= set(names)
    for name in names:
        image = icons.icon(name).pixmap(32).toImage()
        alpha = [image.pixelColor(x, y).alpha() for x in range(32) for y in range(32)]
        assert max(alpha) > 200, f"icon {name} draws nothing"


@no_gc
def all_texts(window) -> list[str]:
    texts = [w.text() for w in window.findChildren(QtWidgets.QAbstractButton)]
    texts += [a.text() for a in window.findChildren(QtGui.QAction)]
    return texts + [w.text() for w in window.findChildren(QtWidgets.QLabel)]


def test_buttons_show_icons_not_font_glyphs(qtbot, make_window):
    window = make_window("xor")
    texts = all_texts(window)
    assert not [t for t in texts if any(g in t for g in GLYPHS)]
    play = window.actions["play"]
    assert not play.icon().isNull() and play.text() == "Play"
    window.session.inspect.set_training_state("running")
    assert play.text() == "Pause" and play.property(icons._PROP)[0] == "pause"
    window.session.inspect.set_training_state("paused")


# --- adding layers ------------------------------------------------------------------------
def test_double_click_adds_before_the_output_layer_and_says_so(qtbot, make_window):
    window = make_window("xor")  # dense 8 tanh, dense 2 softmax
    doc = window.session.project.document
    palette = content(window.docks["layers"])
    window.session.inspect.select(None)
    assert palette.add_type("dense") == 1
    assert [layer.get("activation") for layer in doc.layers] == ["tanh", "relu", "softmax"]
    assert "before the output layer" in palette.note.text()
    window.session.inspect.select(2)  # the output itself selected: still before it
    assert palette.add_type("dropout") == 2 and doc.layers[-1]["activation"] == "softmax"
    window.session.inspect.select(0)  # an inner layer: right after it, no lecture
    assert palette.add_type("dense") == 1 and "before the output" not in palette.note.text()


def test_output_start_keeps_activations_with_their_output():
    from visualnn.ui.model.catalog import output_start

    assert output_start([]) == 0
    assert output_start([{"type": "dense"}, {"type": "dense"}, {"type": "softmax"}]) == 1
    assert output_start([{"type": "conv2d"}, {"type": "flatten"}, {"type": "dense"}]) == 2
    assert output_start([{"type": "relu"}]) == 1


# --- undo ---------------------------------------------------------------------------------
def test_undo_gives_back_the_trained_weights_of_the_edited_layer(qtbot, make_window):
    window = make_window("xor")
    s, doc = window.session, window.session.project.document
    rng = np.random.default_rng(3)
    for layer in s.inspect.model.layers:  # as if trained
        for value in layer.params.values():
            value[...] = rng.normal(size=value.shape)
    trained = s.inspect.model.get_weights()
    doc.set_option(0, "units", 5)
    edited = s.inspect.model.get_weights()
    assert edited[0]["weight"].shape == (5, 2)
    window.actions["undo"].trigger()
    back = s.inspect.model.get_weights()
    for a, b in zip(trained, back, strict=True):
        for key in a:
            np.testing.assert_array_equal(a[key], b[key])
    window.actions["redo"].trigger()
    np.testing.assert_array_equal(s.inspect.model.get_weights()[0]["weight"], edited[0]["weight"])


# --- refusals -----------------------------------------------------------------------------
def type_into(qtbot, field, text: str) -> None:
    field.setFocus()
    field.lineEdit().selectAll()
    QtTest.QTest.keyClicks(field, text)
    QtTest.QTest.keyClick(field, QtCore.Qt.Key_Return)


@pytest.mark.parametrize(
    ("key", "typed", "said"),
    [
        ("units", "99999999", "Units: from 1 to 4096 (99999999 is too big)"),
        ("units", "-5", "Units: from 1 to 4096 (-5 is too small)"),
    ],
)
def test_inspector_refuses_out_of_range_units_and_says_the_range(
    qtbot, make_window, key, typed, said
):
    window = make_window("xor")
    window.views.set_shown("inspector")
    window.session.inspect.select(0)
    field = content(window.docks["inspector"]).fields[key].widget
    type_into(qtbot, field, typed)
    assert window.session.project.document.layers[0]["units"] == 8  # unchanged
    assert field.value() == 8 and field.note.isVisible() and field.note.text() == said


def test_a_kernel_of_zero_is_refused_not_ignored(qtbot, make_window):
    window = make_window("digits-cnn")
    window.views.set_shown("inspector")
    window.session.inspect.select(0)
    field = content(window.docks["inspector"]).fields["kernel_size"].widget
    type_into(qtbot, field, "0")
    assert field.note.isVisible() and "from 1 to 15 (0 is too small)" in field.note.text()
    assert window.session.project.document.layers[0]["kernel_size"] == 3


def test_training_fields_refuse_with_the_range(qtbot, make_window):
    window = make_window("xor")
    panel = window.training_panel
    epochs = window.session.project.config.epochs
    type_into(qtbot, panel.epochs, "0")
    assert window.session.project.config.epochs == epochs
    assert panel.epochs.note.text() == "Epochs: from 1 to 10000000 (0 is too small)"
    type_into(qtbot, panel.lr, "5e9")
    assert "Learning rate: from 1e-06 to 1e+06 (5e+09 is too big)" == panel.lr.note.text()


def test_a_long_run_shows_its_epochs_as_saved(make_window):
    # A run left training for hours (a million epochs) shows that number, not the field's cap.
    window = make_window("xor")
    window.controller.update_config(epochs=1_000_000)
    window.training_panel.sync_from_session()
    assert window.training_panel.epochs.value() == 1_000_000
    assert window.session.project.config.epochs == 1_000_000


def test_the_document_refuses_with_the_range(qtbot):
    from visualnn.ui.model.document import SpecDocument

    doc = SpecDocument(layers=[{"type": "dense", "units": 4}])
    said = []
    doc.edit_refused.connect(said.append)
    assert not doc.set_option(0, "units", 99999999)
    assert "units must be a whole number from 1 to 4096, got 99999999" in said[-1]
    assert doc.layers[0]["units"] == 4


# --- names and labels ---------------------------------------------------------------------
def test_human_names_for_activations_initialisers_and_data_sets(qtbot, make_window):
    window = make_window("digits-cnn")
    window.views.set_shown("inspector")
    window.session.inspect.select(0)
    fields = content(window.docks["inspector"]).fields
    acts = [
        fields["activation"].widget.itemText(i) for i in range(fields["activation"].widget.count())
    ]
    assert "Leaky ReLU" in acts and "leaky_relu" not in acts
    inits = fields["init"].widget
    assert "Xavier, uniform" in [inits.itemText(i) for i in range(inits.count())]
    assert window.training_panel.dataset.currentText() == "Handwritten digits (images)"
    window.graph_view.graph.set_text_scale(1.0, 1.0, detail=2)  # every line of the cards
    cards = [node.text() for node in window.graph_view.graph.nodes]
    assert any("ReLU" in text for text in cards) and not any("relu" in text for text in cards)


def test_weights_title_follows_an_activation_change(qtbot, make_window):
    window = make_window("xor")
    window.views.set_shown("weights")
    view = content(window.docks["weights"])
    view.throttle.flush()
    assert "Tanh" in view.panels[0].label.text
    window.session.project.document.set_option(0, "activation", "relu")
    view.throttle.flush()
    assert "ReLU" in view.panels[0].label.text and "Tanh" not in view.panels[0].label.text


def test_progress_never_says_done_before_the_last_epoch(qtbot, make_window):
    window = make_window("xor")
    panel, s = window.training_panel, window.session
    s.project.record_progress([{"epoch": 1, "train_loss": 0.5}], [])
    s.inspect.set_training_state("finished")
    panel.epochs.setValue(300)  # more epochs asked for after the run ended
    panel._update_progress()
    assert "done" not in panel.progress.text() and "1 / 300" in panel.progress.text()


def test_a_long_history_is_drawn_by_pixel_column_keeping_its_peaks(qtbot, make_window):
    # Thousands of epochs in a plot a few hundred pixels wide: each column's lowest and
    # highest value are drawn (a spike stays visible), not every epoch.
    window = make_window("xor")
    window.views.set_shown("plots")
    plots = window.docks["plots"].widget()
    rows = [{"epoch": e, "train_loss": 1.0 / e, "val_loss": 1.0 / e} for e in range(1, 4001)]
    rows[2500]["val_loss"] = 3.0  # one bad epoch late in the run
    window.session.project.record_progress(rows, [])
    plots.throttle.flush()
    x, y = plots.val_loss.getData()
    width = plots.loss_plot.getViewBox().width()
    assert 0 < len(x) <= 2 * width + 4 < len(window.session.project.history.epochs)
    assert np.nanmax(y) == 3.0


def test_log_loss_keeps_a_long_runs_progress_and_spikes_in_sight(qtbot, make_window):
    # 4000 epochs falling from 0.5 to 1e-4 (and one exact 0): on a linear axis everything
    # after the first few hundred epochs lies on the axis; on a log axis it spans decades.
    window = make_window("xor")
    window.views.set_shown("plots")
    plots = window.docks["plots"].widget()
    epochs = np.arange(1, 4001)
    loss = 0.5 * (2e-4) ** ((epochs - 1) / 3999)
    rows = [{"epoch": int(e), "train_loss": float(v), "val_loss": float(v)} for e, v in
            zip(epochs, loss, strict=True)]  # fmt: skip
    rows[3000]["val_loss"] = 0.05  # a spike, late
    rows[3500]["train_loss"] = 0.0  # a loss of exactly 0 has no logarithm
    window.session.project.record_progress(rows, [])
    plots.throttle.flush()
    low, high = plots.loss_plot.getViewBox().viewRange()[1]
    assert low < 0 < 0.5 <= high  # linear: 0 at the bottom
    plots.log_check.setChecked(True)
    low, high = plots.loss_plot.getViewBox().viewRange()[1]
    assert low <= np.log10(1e-4) and high >= np.log10(0.5)  # decades 1e-4 .. 1, log10 units
    assert high - low <= 5
    x, y = plots.val_loss.getData()  # what is drawn: log10 of the loss
    assert np.isfinite(y).all() and np.isclose(np.nanmax(y[x > 2000]), np.log10(0.05))
    x, y = plots.train_loss.getData()
    assert np.isfinite(y).all() and 3501 not in x  # the 0 is skipped, nothing is -inf
    plots.log_check.setChecked(False)
    low, high = plots.loss_plot.getViewBox().viewRange()[1]
    assert low < 0 < 0.5 <= high


def test_epoch_ticks_inside_the_first_epochs_do_not_run_into_each_other(qtbot, make_window, themed):
    """Presenting, a run 1.1 epochs in: the axis is 0 .. 2 epochs, its ticks fractions
    (0.5, 1, 1.5). They were spaced for the width of "2" and printed as 0.20.50.81.0..."""
    from PySide6 import QtGui

    window = make_window("digits-cnn")
    window.presentation.set_on(True, full_screen=False)
    window.views.set_shown("plots")
    plots = window.docks["plots"].widget()
    batches = -(-len(window.session.project.dataset.x_train) // 32)  # digits: 45 a epoch
    window.session.project.record_progress([], list(np.linspace(2.3, 1.0, batches + 5)))
    plots.throttle.flush()
    qtbot.wait(50)
    for plot in (plots.loss_plot, plots.acc_plot):
        axis, box = plot.getAxis("bottom"), plot.getViewBox()
        left, right = box.viewRange()[0]
        step = axis._tickSpacing[0][0]  # what setTickSpacing set
        gap = step * box.width() / (right - left)  # px between two ticks
        fm = QtGui.QFontMetricsF(axis.style.get("tickFont") or axis.font())
        texts = [f"{k * step:g}" for k in range(int(right / step) + 1)]
        assert gap > max(fm.horizontalAdvance(t) for t in texts), (step, gap, texts)
