"""Views keep working when values are not numbers, and show them in the reserved colour.

A diverged run or a damaged project can put NaN or infinity into weights, network outputs
or sound. Each test injects such values and checks what is on screen: the redraw does not
fail, the bad places are magenta, and a legend line says "not a number".
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtGui
from views_helpers import XOR_SPEC, make_session, show, train_steps

from visualnn.ui.views.nonfinite import NAN_COLOUR, NAN_RGB32, NAN_RGBA

pytest.importorskip("pytestqt")


def poison(session, changes):
    """Set ``changes`` = [(layer, key, index, value)] in the session's model, as a snapshot."""
    weights = session.inspect.model.get_weights()
    for layer, key, index, value in changes:
        weights[layer][key][index] = value
    session.inspect.apply_snapshot(weights)


def magenta(rgba: np.ndarray) -> np.ndarray:
    return (rgba == NAN_RGBA).all(axis=-1)


def screen_pixels(widget) -> int:
    """How many pixels of the widget, as painted, are the reserved colour."""
    image = widget.grab().toImage().convertToFormat(QtGui.QImage.Format_RGB32)
    ptr = image.constBits()
    arr = np.frombuffer(ptr, np.uint32, image.bytesPerLine() * image.height() // 4)
    return int(np.count_nonzero(arr == NAN_RGB32))


def test_weights_view_draws_nan_and_inf_weights_in_the_reserved_colour(qtbot):
    from visualnn.ui.views.weights import WeightsView

    session = make_session(qtbot, XOR_SPEC, "xor", (2,))
    poison(session, [(1, "weight", (0, 0), np.nan), (0, "bias", 2, np.inf)])
    view = show(qtbot, WeightsView(session), 600, 800)
    view.layer_combo.setCurrentIndex(0)  # all layers
    for scale in ("per layer", "per unit", "global"):
        view.scale_combo.setCurrentText(scale)
        view.throttle.flush()
        first, second = view.panels[0], view.panels[1]
        assert np.isfinite(first.levels).all() and first.levels[1] > 0
        assert magenta(first.image.image)[2, -1]  # the infinite bias of unit 2
        assert magenta(second.image.image)[0, 0]  # the NaN weight
        assert magenta(second.image.image).sum() == 1 and view.panels[2].nonfinite == 0
        assert not magenta(first.image.image)[:, -2].any()  # the gap stays a gap
    assert view.nan_legend.isVisible()
    text = view.nan_legend.text()
    assert "not a number" in text and NAN_COLOUR in text
    assert "layer 1 has 1; layer 2 has 1" in text
    assert screen_pixels(view) > 0
    assert "nan" in view._describe(view.panels[1], 0, 0, np.nan)


def test_weights_view_recovers_and_shows_nan_gradients(qtbot):
    from visualnn.ui.views.weights import WeightsView

    session = make_session(qtbot, XOR_SPEC, "xor", (2,))
    view = show(qtbot, WeightsView(session), 600, 800)
    poison(session, [(0, "weight", (1, 1), np.nan)])
    view.throttle.flush()
    assert view.nan_legend.isVisible()
    poison(session, [(0, "weight", (1, 1), 0.5)])  # finite again: the legend goes
    view.throttle.flush()
    assert not view.nan_legend.isVisible()
    train_steps(session, 1)
    grads = [{k: np.full_like(v, np.nan) for k, v in g.items()} for g in session.inspect.last_grads]
    session.inspect.apply_snapshot(session.inspect.model.get_weights(), grads)
    view.grad_check.setChecked(True)
    assert view.nan_legend.isVisible() and "\u2202L/\u2202w" in view.nan_legend.text()
    assert magenta(view.panels[0].image.image).sum() == 2 * 6 + 6  # every weight and bias


@pytest.mark.parametrize("how", ["one weight", "every weight"])
def test_boundary_view_keeps_drawing_with_nan_weights(qtbot, how):
    from visualnn.ui.views.boundary import GRID, BoundaryView

    session = make_session(qtbot, XOR_SPEC, "xor", (2,))
    view = show(qtbot, BoundaryView(session))
    if how == "one weight":
        poison(session, [(2, "weight", (1, 3), np.nan)])
    else:
        w = session.inspect.model.get_weights()
        session.inspect.apply_snapshot(
            [{k: np.full_like(v, np.nan) for k, v in d.items()} for d in w]
        )
    view.throttle.mark()
    view.throttle.flush()
    rgba = view.image.image
    assert rgba.shape == (GRID, GRID, 4) and magenta(rgba).all()  # softmax of NaN: all NaN
    assert view.nonfinite == GRID * GRID and view.nan_legend.isVisible()
    assert "not a number" in view.nan_legend.text() and view.plot_widget.isVisible()
    assert screen_pixels(view) > 0


def test_boundary_colours_mark_only_the_bad_points():
    from visualnn.ui.views.boundary import boundary_rgba

    probs = np.array([[0.2, 0.8], [np.nan, np.nan], [0.9, 0.1], [np.inf, 0.0]])
    rgba = boundary_rgba(probs, (2, 2))
    assert magenta(rgba).tolist() == [[False, True], [False, True]]
    three = np.array([[0.2, 0.5, 0.3], [np.nan, 0.1, 0.2]])
    assert magenta(boundary_rgba(three, (1, 2))).tolist() == [[False, True]]


def test_boundary_view_regression_with_infinite_output(qtbot):
    from visualnn.ui.views.boundary import GRID, BoundaryView

    spec = [{"type": "dense", "units": 4, "activation": "tanh"}, {"type": "dense", "units": 1}]
    session = make_session(qtbot, spec, "plane", (2,))
    view = show(qtbot, BoundaryView(session))
    poison(session, [(2 - 1, "bias", 0, np.inf)])
    view.throttle.mark()
    view.throttle.flush()
    assert magenta(view.image.image).sum() == GRID * GRID and view.nan_legend.isVisible()
    poison(session, [(1, "bias", 0, 0.0)])
    view.throttle.mark()
    view.throttle.flush()
    assert not magenta(view.image.image).any() and not view.nan_legend.isVisible()


def test_spectrogram_shows_nan_columns_and_keeps_rolling(qtbot):
    from visualnn.ui.views.spectrogram import SpectrogramView

    view = SpectrogramView()
    qtbot.addWidget(view)
    view.resize(700, 400)
    view.show()
    view.configure(16000, 512, 160, 2.0, "linear", 0, 8000)
    view.set_levels(-90, -10)
    good = np.full((257, 20), -40.0, dtype=np.float32)
    view.push_db(good)
    bad = good.copy()
    bad[:, 5] = np.nan
    bad[10, 6] = np.inf
    bad[11, 7] = -np.inf
    view.push_db(bad)
    view.push_db(good)
    view.grab()  # paint: colours are made for what is shown
    colours = view.image._colours
    assert (colours == NAN_RGB32).any()
    assert view.nonfinite_values == 257 + 2
    assert view.nan_legend is not None and "not a number" in view.nan_legend.text
    assert "259 spectrogram values were NaN or infinite" in view.nan_legend.text
    assert screen_pixels(view) > 0
    for _ in range(200):  # roll the bad columns out of the picture
        view.push_db(good)
    view.grab()
    assert not (
        view.image._colours[:, view.image._cursor :][:, : view.image._cols] == NAN_RGB32
    ).any()
