"""Recurrent layers in the views: the neuron maths equal the fast layer's recorded states, the
Recurrent dock shows them and selects unit j at step t, the weights view splits the gates.

The editor side (palette, inspector, graph cards) is in ``test_recurrent_editor.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore
from views_helpers import show, train_steps

from visualnn.engine import Sequential
from visualnn.ui.model.forward import recorded_forward
from visualnn.ui.model.session import Session
from visualnn.ui.views.neuron_math import explain

pytest.importorskip("pytestqt")

CELLS = [
    ("rnn", {}),
    ("rnn", {"nonlinearity": "relu"}),
    ("gru", {}),
    ("lstm", {}),
    ("rnn", {"bidirectional": True, "return_sequences": True}),
    ("gru", {"bidirectional": True}),
    ("lstm", {"bidirectional": True, "return_sequences": True}),
]


def recurrent_session(spec, length: int = 8) -> Session:
    """A session on bit-parity sequences ``(1, length)`` with the network ``spec``."""
    session = Session()
    session.project.set_dataset("parity", n=200, length=length)
    session.project.document.reset(spec, (1, length))
    session.build_model(keep_weights=False)
    assert session.inspect.model is not None, session.inspect.spec_error
    return session


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# --- neuron maths -------------------------------------------------------------------------
@pytest.mark.parametrize(("kind", "extra"), CELLS)
def test_neuron_math_equals_the_fast_layers_recorded_states(kind, extra):
    model = Sequential.from_spec(
        [{"type": "conv1d", "out_channels": 3, "kernel_size": 2},
         {"type": kind, "hidden_size": 4, **extra}],
        (2, 9),
        seed=3,
    )  # fmt: skip
    x = np.random.default_rng(1).normal(size=(1, 2, 9)).astype(np.float32)
    model.forward(x, record=True)
    layer, states = model.layers[1], model.layers[1].last_states
    units, steps = states["h"].shape[1:]
    assert (units, steps) == (4 * layer.dirs, 8)
    act = {"sigmoid": sigmoid, "tanh": np.tanh, "relu": lambda z: max(z, 0.0)}
    for j, t in [(0, 0), (1, 3), (3, 7), (units - 1, 0), (units - 1, 5), (units // 2, 7)]:
        ex = explain(model, model.records, 1, (j, t))
        assert ex.kind == "recurrent" and ex.unit == (j, t)
        assert ex.h == pytest.approx(states["h"][0, j, t], abs=1e-5)
        for g in ex.gates:
            if g.name in states:
                assert g.value == pytest.approx(states[g.name][0, j, t], abs=1e-5), g.name
            # the numbers shown add up: pre-activation -> value through the gate's function
            assert act[g.fn](g.pre) == pytest.approx(g.value, abs=1e-9), g.name
        if kind == "lstm":
            assert ex.c == pytest.approx(states["c"][0, j, t], abs=1e-5)
            v = {g.name: g.value for g in ex.gates}
            assert ex.c == pytest.approx(v["f"] * ex.c_prev + v["i"] * v["g"], abs=1e-9)
        if kind == "gru":
            v = {g.name: g.value for g in ex.gates}
            assert ex.h == pytest.approx((1 - v["z"]) * v["n"] + v["z"] * ex.h_prev, abs=1e-9)
        if kind == "rnn":
            assert ex.total == pytest.approx(sum(term[3] for term in ex.terms), abs=1e-9)
            assert ex.a == pytest.approx(act[ex.activation](ex.total + ex.bias), abs=1e-9)
            assert len(ex.terms) == 3 + 4  # every input feature and every previous state
        assert any(f"&lt;{t}&gt;" in line for line in ex.lines)  # the step, HTML-escaped


def test_final_state_of_a_unit_is_its_last_step_or_first_backwards():
    model = Sequential.from_spec([{"type": "gru", "hidden_size": 3, "bidirectional": True}],
                                 (1, 6), seed=0)  # fmt: skip
    x = np.random.default_rng(0).integers(0, 2, (1, 1, 6)).astype(np.float32)
    out = model.forward(x, record=True)
    forward, backward = (
        explain(model, model.records, 0, (1,)),
        explain(model, model.records, 0, (4,)),
    )
    assert forward.unit == (1, 5) and backward.unit == (4, 0)
    assert (forward.h, backward.h) == pytest.approx((out[0, 1], out[0, 4]), abs=1e-5)
    assert "starts at the last step" in " ".join(explain(model, model.records, 0, (4, 5)).lines)
    with pytest.raises(ValueError, match="not in this"):
        explain(model, model.records, 0, (6, 0))  # a selection left from another network
    with pytest.raises(ValueError, match="not in this"):
        explain(model, model.records, 0, (0, 6))


def test_neuron_view_shows_a_gru_unit_and_keeps_it_while_the_input_changes(qtbot):
    from visualnn.ui.views.neuron import NeuronView

    session = recurrent_session([{"type": "gru", "hidden_size": 5}, {"type": "dense", "units": 2}])
    view = show(qtbot, NeuronView(session), 360, 520)
    session.inspect.select(0, (2, 4))
    view.throttle.flush()
    assert "unit 2, step t = 4" in view.title.text()
    assert "a&lt;4&gt;" in view.formula.text() and view.gate_text.isVisible()
    assert [row[0].text for row in view.terms.rows[1:4]] == ["r", "z", "n"]
    states = recorded_forward(session).states[0]
    assert view.explanation.h == pytest.approx(states["h"][0, 2, 4], abs=1e-5)
    seen = {round(view.explanation.h, 6)}
    session.inspect.set_live_sample(np.ones((1, 8), np.float32))
    session.inspect.set_live(True)
    for k in range(4):  # live input: new numbers, the same unit and step
        session.inspect.set_live_sample((np.arange(8) % (k + 2) == 0).astype(np.float32)[None])
        view.throttle.mark_now()
        view.throttle.flush()
        assert session.inspect.selection.unit == (2, 4)
        assert view.explanation.unit == (2, 4)
        seen.add(round(view.explanation.h, 6))
    assert len(seen) > 1


# --- the Recurrent dock -------------------------------------------------------------------
def test_heatmap_shows_the_recorded_states_and_a_click_selects_unit_and_step(qtbot):
    from visualnn.ui.views.recurrent import RecurrentView
    from visualnn.ui.views.tiles import to_rgba

    session = recurrent_session([{"type": "lstm", "hidden_size": 6}, {"type": "dense", "units": 2}])
    view = show(qtbot, RecurrentView(session), 700, 520)
    states = recorded_forward(session).states[0]
    maps = view.maps.maps
    assert [m.key for m in maps] == ["h", "c", "i", "f", "g", "o"]
    for m in maps:
        np.testing.assert_array_equal(m.values, states[m.key][0])
    np.testing.assert_array_equal(view.maps.x, recorded_forward(session).x[0])
    image = view.maps.grab().toImage()
    h, rect = maps[0], view.maps._rects[0]
    near_corner = QtCore.QPointF(rect.width() / 8 * 0.4, rect.height() / 6 * 0.4)
    for j, t in [(0, 0), (5, 7), (3, 2)]:  # the painted colour is the value's colour
        pos = (view.maps.cell_centre(0, j, t) - near_corner).toPoint()  # beside any number
        want = to_rgba(h.values[j : j + 1, t : t + 1], h.cmap, *h.levels)[0, 0, :3]
        got = image.pixelColor(pos)
        assert np.abs(np.array([got.red(), got.green(), got.blue()]) - want).max() <= 2

    qtbot.mouseClick(view.maps, QtCore.Qt.LeftButton, pos=view.maps.cell_centre(3, 4, 6).toPoint())
    assert (session.inspect.selection.layer, session.inspect.selection.unit) == (0, (4, 6))
    view.throttle.flush()
    assert view.maps.selected == (4, 6)
    view.setFocus()
    for key in (QtCore.Qt.Key_Left, QtCore.Qt.Key_Left, QtCore.Qt.Key_Down):
        qtbot.keyClick(view, key)
        view.throttle.flush()
    assert session.inspect.selection.unit == (5, 4)


def test_unrolled_view_shows_a_window_of_steps_around_the_selected_one(qtbot):
    from visualnn.ui.views.recurrent import RecurrentView

    session = recurrent_session([{"type": "gru", "hidden_size": 4, "bidirectional": True},
                                 {"type": "dense", "units": 2}], length=40)  # fmt: skip
    view = show(qtbot, RecurrentView(session), 640, 360)
    session.inspect.select(0, (6, 20))
    view.unroll_check.setChecked(True)
    view.throttle.flush()
    strip, states = view.unrolled, recorded_forward(session).states[0]
    shown = strip.shown_steps()
    assert 20 in shown and 1 < len(shown) < 40 and shown == list(range(shown[0], shown[-1] + 1))
    assert strip.data.direction == 1  # unit 6 of 2x4 runs backwards
    np.testing.assert_array_equal(strip.data.h, states["h"][0, 6])
    assert set(strip.data.gates) == {"r", "z", "n"}
    box = dict(strip._boxes)[shown[0]]
    qtbot.mouseClick(strip, QtCore.Qt.LeftButton, pos=box.center().toPoint())
    assert session.inspect.selection.unit == (6, shown[0])


def test_recurrent_view_explains_a_network_without_recurrent_layers(qtbot, xor_session):
    from visualnn.ui.views.recurrent import NO_LAYER, RecurrentView

    view = show(qtbot, RecurrentView(xor_session), 500, 300)
    assert view.message.text() == NO_LAYER and not view.stack.isVisible()
    assert not view.wants_front()


# --- weights ------------------------------------------------------------------------------
def test_weights_view_shows_a_grus_gate_blocks_and_gradients(qtbot):
    from visualnn.ui.views.weight_recurrent import B_HH, W_HH, W_IH
    from visualnn.ui.views.weights import WeightsView

    session = recurrent_session([{"type": "gru", "hidden_size": 4}, {"type": "dense", "units": 2}])
    view = show(qtbot, WeightsView(session), 560, 420)
    view.layer_combo.setCurrentIndex(view.layer_combo.findData(0))
    view.throttle.flush()
    panel = view.panels[0]
    labels = [
        item.textItem.toPlainText()
        for item in panel.view.childGroup.childItems()
        if hasattr(item, "textItem")
    ]
    assert {"r", "z", "n", "x", "b"} <= set(labels)
    params = session.inspect.model.layers[0].params
    idx = panel.index
    for g in range(3):  # each gate block holds its rows of W_ih, W_hh and b_hh
        for kind, name in ((W_IH, "weight_ih_l0"), (W_HH, "weight_hh_l0"), (B_HH, "bias_hh_l0")):
            where = (idx[..., 2] == kind) & (idx[..., 3] == g)
            rows, cols = idx[where][:, 0] - 4 * g, idx[where][:, 1]
            want = (
                params[name][4 * g + rows, cols]
                if params[name].ndim == 2
                else params[name][4 * g + rows]
            )
            np.testing.assert_allclose(panel.raw[where], want, rtol=1e-6)
    r, c = np.argwhere((idx[..., 2] == W_HH) & (idx[..., 3] == 1))[0]
    assert "update z of unit 0" in view._describe(panel, r, c, panel.raw[r, c])

    train_steps(session, 3, lr=0.05)
    view.grad_check.setChecked(True)
    grads = session.inspect.last_grads[0]
    where = (idx[..., 2] == W_IH) & (idx[..., 3] == 2)
    np.testing.assert_allclose(view.panels[0].raw[where], grads["weight_ih_l0"][8:, 0], rtol=1e-6)
    assert "\u2202L/\u2202W_in" in view._describe(panel, *np.argwhere(where)[0], 0.0)
