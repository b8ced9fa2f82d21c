"""The "seeing inside" views: they get data from the session and show the model's real numbers.

Activations, the neuron explainer and the data panel here; weights, boundary, predictions,
every view on the presets and view lifetimes in ``test_views_weights.py``. Shared set-up is in
``views_helpers.py``, the ``xor_session`` / ``cnn_session`` fixtures in ``conftest.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from views_helpers import show, train_steps

from visualnn.ui.model.session import Session

pytest.importorskip("pytestqt")


# --- activations --------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["xor", "cnn"])
def test_activations_show_every_layer_and_follow_weights_and_sample(qtbot, which, request):
    from visualnn.ui.model.forward import recorded_forward
    from visualnn.ui.views.activations import ActivationsView

    session = request.getfixturevalue(f"{which}_session")
    view = show(qtbot, ActivationsView(session))
    model = session.inspect.model
    assert len(view._tiles) == len(model.layers) + 1
    rec = recorded_forward(session)
    np.testing.assert_allclose(view._tiles[0].values, rec.x[0])
    for i, r in enumerate(rec.records):
        np.testing.assert_allclose(view._tiles[i + 1].values, r.out[0], atol=1e-6)

    before = [t.values.copy() for t in view._tiles]
    train_steps(session, 5)
    view.throttle.flush()
    assert not np.allclose(before[1], view._tiles[1].values)

    session.inspect.select_sample(7)
    view.throttle.flush()
    np.testing.assert_allclose(view._tiles[0].values, session.project.dataset.x_test[7])

    view.pre_check.setChecked(True)
    rec = recorded_forward(session)
    for i, r in enumerate(rec.records):
        np.testing.assert_allclose(view._tiles[i + 1].values, r.pre[0], atol=1e-6)


def test_clicking_a_unit_or_a_pixel_selects_it(qtbot, cnn_session):
    from PySide6 import QtCore

    from visualnn.ui.views.activations import ActivationsView

    view = show(qtbot, ActivationsView(cnn_session), 600, 900)
    tile = view._tiles[1]  # conv feature maps (4, 8, 8)
    rect, key, (h, w) = tile._cells[2]
    pos = QtCore.QPoint(
        int(rect.left() + rect.width() * 5.5 / w), int(rect.top() + rect.height() * 1.5 / h)
    )
    qtbot.mouseClick(tile, QtCore.Qt.LeftButton, pos=pos)
    assert cnn_session.inspect.selection.layer == 0
    assert cnn_session.inspect.selection.unit == (2, 1, 5)
    dense = view._tiles[-1]
    rect = dense._cells[3][0]
    qtbot.mouseClick(dense, QtCore.Qt.LeftButton, pos=rect.center().toPoint())
    assert cnn_session.inspect.selection.layer == len(cnn_session.inspect.model.layers) - 1
    assert cnn_session.inspect.selection.unit == (3,)


# --- neuron -------------------------------------------------------------------------------
def test_neuron_view_dense_numbers_equal_the_model(qtbot, xor_session):
    from visualnn.ui.model.forward import recorded_forward
    from visualnn.ui.views.neuron import NeuronView

    train_steps(xor_session, 20)
    view = show(qtbot, NeuronView(xor_session))
    rec = recorded_forward(xor_session)
    for layer, units in ((0, range(6)), (1, range(4)), (2, range(2))):
        for j in units:
            xor_session.inspect.select(layer, (j,))
            view.throttle.flush()
            ex = view.explanation
            assert ex is not None and ex.kind == "dense"
            assert ex.z == pytest.approx(float(rec.records[layer].pre[0, j]), abs=1e-5)
            assert ex.a == pytest.approx(float(rec.records[layer].out[0, j]), abs=1e-5)
            # contributions are sorted, largest magnitude first, and add up to the sum
            mags = [abs(t[3]) for t in ex.terms]
            assert mags == sorted(mags, reverse=True)
            assert sum(t[3] for t in ex.terms) == pytest.approx(ex.total, abs=1e-9)
    assert "softmax" in view.formula.text() or "e^z" in view.formula.text()
    assert view.plot_widget.isVisible()


def test_neuron_view_fits_a_projector_dock_without_sideways_scrolling(qtbot, cnn_session):
    """At 1280x720 the Inspector dock is ~320 px wide: conv grids stack, the formula wraps."""
    from visualnn.ui.views.neuron import NeuronView

    view = show(qtbot, NeuronView(cnn_session), w=320, h=600)
    for sel in ((0, (2, 3, 4)), (1, (2, 3, 1))):
        cnn_session.inspect.select(*sel)
        view.throttle.flush()
        assert view.explanation is not None
        assert view.minimumSizeHint().width() <= 320
        assert view.detail.sizeHint().width() <= 300  # would push the dock into scrolling
    assert view.detail.font().pointSizeF() >= 12  # stacked, so the text need not shrink


def test_neuron_view_conv_pool_and_flatten_equal_the_feature_maps(qtbot, cnn_session):
    from visualnn.ui.model.forward import recorded_forward
    from visualnn.ui.views.neuron import NeuronView

    train_steps(cnn_session, 5)
    cnn_session.inspect.select_sample(3)
    view = show(qtbot, NeuronView(cnn_session))
    rec = recorded_forward(cnn_session)
    # corners and edges exercise the zero padding; (0, 4, 4) is an interior position
    cases = [(0, (1, 0, 0)), (0, (3, 7, 7)), (0, (0, 4, 2)), (2, (5, 0, 3)), (2, (2, 3, 3))]
    for layer, unit in cases:
        cnn_session.inspect.select(layer, unit)
        view.throttle.flush()
        ex = view.explanation
        assert ex.kind == "conv"
        assert ex.z == pytest.approx(float(rec.records[layer].pre[0][unit]), abs=1e-5)
        assert ex.a == pytest.approx(float(rec.records[layer].out[0][unit]), abs=1e-5)
        assert ex.patch.shape == ex.kernel.shape == (ex.kernel.shape[0], 3, 3)
    cnn_session.inspect.select(0, (1, 0, 0))
    view.throttle.flush()
    assert view.explanation.padded[0, 0, 0] and not view.explanation.padded[0, 1, 1]
    cnn_session.inspect.select(1, (2, 3, 1))  # maxpool
    view.throttle.flush()
    assert view.explanation.kind == "pool"
    assert view.explanation.a == pytest.approx(float(rec.records[1].out[0, 2, 3, 1]), abs=1e-6)
    cnn_session.inspect.select(3, (37,))  # flatten
    view.throttle.flush()
    assert view.explanation.a == pytest.approx(float(rec.records[3].out[0, 37]), abs=1e-6)
    cnn_session.inspect.select(2, (9, 0, 0))  # stale selection: no crash, a message
    view.throttle.flush()
    assert view.explanation is None and view.message.isVisible()


# --- data panel ---------------------------------------------------------------------------
@pytest.mark.parametrize("dataset, shape", [("digits_images", (1, 8, 8)), ("digits", (64,))])
def test_drawing_a_digit_makes_a_custom_sample(qtbot, dataset, shape):
    from PySide6 import QtCore

    from visualnn.ui.panels.data import DataPanel

    session = Session()
    session.project.set_dataset(dataset)
    panel = DataPanel(session)
    qtbot.addWidget(panel)
    panel.resize(420, 800)
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.canvas_box.isVisible()
    canvas = panel.canvas
    side = canvas._side()
    pts = [
        QtCore.QPoint(int(side.left() + side.width() * fx), int(side.top() + side.height() * fy))
        for fx, fy in ((0.5, 0.15), (0.5, 0.5), (0.5, 0.85))
    ]
    qtbot.mousePress(canvas, QtCore.Qt.LeftButton, pos=pts[0])
    for p in pts[1:]:
        qtbot.mouseMove(canvas, pos=p)
    qtbot.mouseRelease(canvas, QtCore.Qt.LeftButton, pos=pts[-1])
    assert session.inspect.source == "custom"
    x = session.inspect.sample()[0][0]
    assert x is not None and x.shape == shape
    assert x.min() >= 0 and x.max() <= 1 and x.max() > 0.5
    img = x.reshape(8, 8)
    assert img[:, 3:5].sum() > img[:, :2].sum()  # a vertical stroke lands in the middle
    xs, _ = session.inspect.sample()
    assert xs.shape == (1, *shape)
    panel.clear_button.click()
    assert session.inspect.source == "dataset" and canvas.is_empty()


def test_sample_picker_selects_samples(qtbot, xor_session):
    from visualnn.ui.panels.data import DataPanel

    panel = DataPanel(xor_session)
    qtbot.addWidget(panel)
    panel.next_button.click()
    assert xor_session.inspect.sample_index == 1
    panel.spin.setValue(42)
    assert xor_session.inspect.sample_index == 42
    panel.prev_button.click()
    assert xor_session.inspect.sample_index == 41
    panel.random_button.click()
    assert 0 <= xor_session.inspect.sample_index < len(xor_session.project.dataset.x_test)
    assert panel.label_text.text().startswith("label:")


@pytest.mark.parametrize(
    "spec, input_shape",
    [
        (
            [
                {
                    "type": "conv1d",
                    "out_channels": 3,
                    "kernel_size": 3,
                    "padding": "same",
                    "activation": "tanh",
                }
            ],
            (2, 11),
        ),
        (
            [
                {
                    "type": "conv1d",
                    "out_channels": 3,
                    "kernel_size": 3,
                    "padding": 2,
                    "dilation": 2,
                    "stride": 2,
                }
            ],
            (2, 11),
        ),
        (
            [
                {
                    "type": "conv2d",
                    "out_channels": 2,
                    "kernel_size": 3,
                    "padding": 1,
                    "stride": 2,
                    "dilation": 2,
                    "activation": "sigmoid",
                },
                {"type": "avgpool2d", "kernel_size": 2, "padding": 1},
                {"type": "maxpool2d", "kernel_size": 2, "stride": 1, "padding": 1},
                {"type": "tanh"},
                {"type": "flatten"},
                {"type": "dense", "units": 3},
                {"type": "softmax"},
            ],
            (3, 9, 9),
        ),
    ],
)
def test_neuron_math_matches_every_position_and_geometry(spec, input_shape):
    from visualnn.engine import Sequential
    from visualnn.ui.views.neuron_math import explain

    model = Sequential.from_spec(spec, input_shape, seed=1)
    x = np.random.default_rng(0).normal(size=(1, *input_shape)).astype(np.float32)
    model.forward(x, record=True)
    for i, r in enumerate(model.records):
        for unit in np.ndindex(r.out.shape[1:]):
            ex = explain(model, model.records, i, unit)
            assert ex.a == pytest.approx(float(r.out[0][unit]), abs=1e-5), (i, unit)
            if ex.kind in ("dense", "conv"):
                assert ex.z == pytest.approx(float(r.pre[0][unit]), abs=1e-5), (i, unit)
