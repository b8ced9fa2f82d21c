"""The weights, decision-boundary and prediction views, every view on the real presets, and
view lifetimes (a view must be freed when dropped, never by the cyclic GC in a paint event).

Shared set-up is in ``views_helpers.py``, the ``xor_session`` / ``cnn_session`` fixtures in
``conftest.py``.
"""

from __future__ import annotations

import gc
import importlib
import weakref

import numpy as np
import pytest
from PySide6 import QtCore, QtWidgets
from views_helpers import show, train_steps

from visualnn.ui.model.session import Session

pytest.importorskip("pytestqt")


# --- weights ------------------------------------------------------------------------------
def test_weights_view_levels_symmetric_and_gradient_switch(qtbot, cnn_session):
    from visualnn.ui.views.weights import WeightsView, weight_mosaic

    view = show(qtbot, WeightsView(cnn_session), 600, 800)
    assert [p.index_layer for p in view.panels] == [0]  # the first layer, big, by default
    view.layer_combo.setCurrentIndex(0)  # "All layers"
    assert [p.index_layer for p in view.panels] == [0, 2, 4]
    for panel in view.panels:
        lo, hi = panel.levels
        assert lo == -hi and hi > 0
        assert panel.bar.levels() == pytest.approx((lo, hi))
    w0 = cnn_session.inspect.model.layers[0].params["weight"]
    np.testing.assert_allclose(view.panels[0].raw, weight_mosaic(w0, None)[0], equal_nan=True)

    view.grad_check.setChecked(True)  # no step yet: explained, not crashed
    assert view.message.isVisible()
    train_steps(cnn_session, 3)
    view.throttle.flush()
    assert view.message.isHidden()
    for panel in view.panels:
        g = cnn_session.inspect.last_grads[panel.index_layer]
        b = g["bias"] if g["weight"].ndim == 2 else None
        np.testing.assert_allclose(panel.raw, weight_mosaic(g["weight"], b)[0], equal_nan=True)

    view.scale_combo.setCurrentText("per unit")
    assert view.panels[-1].levels == (-1.0, 1.0)
    view.scale_combo.setCurrentText("global")
    assert len({p.levels for p in view.panels}) == 1

    cnn_session.inspect.select(4, (0,))  # following the clicked layer
    view.throttle.flush()
    assert [p.index_layer for p in view.panels] == [4]
    assert "w[" in view._describe(view.panels[0], 0, 0, 0.5)
    assert "bias" in view._describe(view.panels[0], 0, view.panels[0].raw.shape[1] - 1, 0.5)


# --- boundary and predictions ----------------------------------------------------------------
def test_boundary_grid_changes_with_weights_and_explains_other_data(
    qtbot, xor_session, cnn_session
):
    from visualnn.ui.views.boundary import GRID, BoundaryView

    view = show(qtbot, BoundaryView(xor_session))
    assert view.grid_values.shape == (GRID, GRID, 2)
    np.testing.assert_allclose(view.grid_values.sum(axis=-1), 1, atol=1e-5)
    before = view.grid_values.copy()
    train_steps(xor_session, 10)
    view.throttle.flush()
    assert not np.allclose(before, view.grid_values)

    other = show(qtbot, BoundaryView(cnn_session))
    assert other.message.isVisible() and "2-D" in other.message.text()


def test_prediction_bars_and_confusion_matrix(qtbot, cnn_session):
    from visualnn.ui.views.confusion import PredictionView

    view = show(qtbot, PredictionView(cnn_session))
    view.cm_throttle.flush()
    assert view.probabilities.shape == (10,)
    assert view.probabilities.sum() == pytest.approx(1, abs=1e-5)
    assert view.matrix.shape == (10, 10)
    assert view.matrix.sum() == len(cnn_session.project.dataset.x_test)
    assert "Predicted" in view.headline.text()


# --- the real presets -----------------------------------------------------------------------
@pytest.mark.parametrize("preset", ["xor", "circle", "digits-cnn", "digits-mlp"])
def test_all_views_on_presets(qtbot, preset):
    from visualnn.ui.model.forward import recorded_forward
    from visualnn.ui.panels.data import DataPanel
    from visualnn.ui.views.activations import ActivationsView
    from visualnn.ui.views.boundary import BoundaryView
    from visualnn.ui.views.confusion import PredictionView
    from visualnn.ui.views.neuron import NeuronView
    from visualnn.ui.views.weights import WeightsView

    session = Session()
    session.load_preset(preset)
    views = [
        show(qtbot, cls(session), 560, 480)
        for cls in (ActivationsView, WeightsView, NeuronView, BoundaryView, PredictionView)
    ]
    panel = DataPanel(session)
    qtbot.addWidget(panel)
    train_steps(session, 3, lr=0.05)
    session.inspect.select_sample(11)
    rec = recorded_forward(session)
    # explain the middle unit of every layer and compare with what the model computed
    for i, r in enumerate(rec.records):
        unit = tuple(s // 2 for s in r.out.shape[1:])
        session.inspect.select(i, unit)
        for v in views:
            v.throttle.flush()
        ex = views[2].explanation
        assert ex is not None, views[2].message.text()
        assert ex.a == pytest.approx(float(r.out[0][unit]), abs=1e-5)
        if ex.kind in ("dense", "conv"):
            assert ex.z == pytest.approx(float(r.pre[0][unit]), abs=1e-5)
    views[4].cm_throttle.flush()
    assert views[4].matrix.sum() == len(session.project.dataset.x_test)
    two_d = tuple(session.project.dataset.input_shape) == (2,)
    assert (views[3].grid_values is not None) == two_d
    assert panel.canvas_box.isVisibleTo(panel) == preset.startswith("digits")


# --- lifetimes ------------------------------------------------------------------------------
# A parentless widget whose Python wrapper sits in a reference cycle (a child QObject holding
# it: a throttle's bound ``redraw``, a lambda over ``self`` on a child's signal) is deleted
# whenever CPython's cyclic GC happens to run. GC runs on allocation, and allocations happen
# inside Python ``paintEvent``s, so the view could be deleted in the middle of painting
# itself: a segfault in ``GraphicsView.paintEvent`` that moved with the order of the tests.
class _CollectOnPaint(QtCore.QObject):
    """Application event filter: run the cyclic GC inside every paint event of a widget that
    is not in ``spare``'s window (the view under test may be deleted there and then)."""

    def __init__(self, spare: QtWidgets.QWidget) -> None:
        super().__init__()
        self.spare = spare

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt name)
        if event.type() == QtCore.QEvent.Paint and obj.isWidgetType():
            if obj.window() is not self.spare:
                gc.collect()
        return False


@pytest.mark.parametrize(
    "module, name",
    [
        ("views.activations", "ActivationsView"),
        ("views.weights", "WeightsView"),
        ("views.neuron", "NeuronView"),
        ("views.boundary", "BoundaryView"),
        ("views.confusion", "PredictionView"),
        ("panels.data", "DataPanel"),
    ],
)
def test_a_dropped_view_is_freed_at_once_not_by_the_cyclic_gc(qtbot, cnn_session, module, name):
    cls = getattr(importlib.import_module(f"visualnn.ui.{module}"), name)
    view = cls(cnn_session)
    qtbot.addWidget(view)
    view.resize(600, 600)
    view.show()
    qtbot.waitExposed(view)
    if name == "WeightsView":  # layer switches build fresh canvases: no links back to the view
        for k in (0, 2, 1):
            view.layer_combo.setCurrentIndex(k)
    if name == "ActivationsView":
        view.throttle.flush()
        tile = view._tiles[-1]
        qtbot.mouseClick(tile, QtCore.Qt.LeftButton, pos=tile._cells[0][0].center().toPoint())
        assert cnn_session.inspect.selection.layer == len(cnn_session.inspect.model.layers) - 1
    train_steps(cnn_session, 1)
    qtbot.wait(30)  # timers and deferred layout switches fire
    ref = weakref.ref(view)
    gc.disable()
    try:
        del view
        held_by = [type(r).__name__ for r in gc.get_referrers(ref())] if ref() else []
        assert ref() is None, f"{name} lives on in a reference cycle, held by {held_by}"
    finally:
        gc.enable()


def test_rebuilding_weights_while_a_dropped_view_repaints_and_the_gc_runs(qtbot, cnn_session):
    """The crash: the weights view switches layers (fresh canvases) while another pyqtgraph
    view, no longer referenced from Python but still on screen, repaints; the GC runs inside
    each of that window's paint events. Before the fix this segfaulted every time; now the
    dropped view is freed at ``del``, before it can paint again."""
    from visualnn.ui.views.confusion import PredictionView
    from visualnn.ui.views.weights import WeightsView

    weights = show(qtbot, WeightsView(cnn_session), 600, 800)
    other = show(qtbot, PredictionView(cnn_session), 500, 400)
    other_ref = weakref.ref(other)
    del other  # on screen, and no Python reference left
    collector = _CollectOnPaint(weights)
    app = QtWidgets.QApplication.instance()
    app.installEventFilter(collector)
    try:
        for k in range(8):
            weights.layer_combo.setCurrentIndex(k % weights.layer_combo.count())
            train_steps(cnn_session, 1)
            if other_ref() is not None:
                other_ref().glw.viewport().update()
            qtbot.wait(60)
    finally:
        app.removeEventFilter(collector)
    assert other_ref() is None
    assert [p.index_layer for p in weights.panels] == [weights.layer_combo.currentData()]
