"""Slow motion on pictures: the Activations view shows the batch being trained."""

from __future__ import annotations

import numpy as np
from views_helpers import train_steps

from visualnn.ui import theme
from visualnn.ui.model.forward import class_indices, to_probabilities
from visualnn.ui.views.activations import ActivationsView
from visualnn.ui.views.batch_strip import sample_pictures


def _view(qtbot, session) -> ActivationsView:
    view = ActivationsView(session)
    qtbot.addWidget(view)
    view.resize(640, 500)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_slow_motion_shows_the_batch_wrong_ones_first_and_only_batch_by_batch(qtbot, cnn_session):
    session, ds = cnn_session, cnn_session.project.dataset
    train_steps(session, 25)  # half learned: it names some of a batch right, some wrong
    view = _view(qtbot, session)
    strip = view.batch_strip
    idx = np.arange(20, 52)
    session.inspect.set_training_state("running")
    session.inspect.set_batch(idx)  # training at full speed publishes none; if it did:
    assert not strip.isVisible()
    session.project.set_speed("batches-1")
    assert strip.isVisible() and strip.height() > 40
    # the network's own answers
    guess = to_probabilities(session.inspect.model.predict(ds.x_train[idx])).argmax(axis=1)
    truth = class_indices(ds.y_train[idx])
    wrong = int((guess != truth).sum())
    assert 0 < wrong < len(idx)
    assert strip.right == [False] * wrong + [True] * (len(idx) - wrong)
    assert f"{wrong} named wrong now" in strip.caption
    first_wrong = int(np.flatnonzero(guess != truth)[0])  # in batch order, wrong ones first
    names = ds.class_names or [str(k) for k in range(10)]
    assert strip.labels[0] == names[truth[first_wrong]]
    assert strip.said[0] == names[guess[first_wrong]]
    assert strip.pictures.shape == (32, 8, 8)
    assert np.array_equal(strip.pictures, ds.x_train[idx][:, 0])
    strip.grab()  # paints without error; what it wrote is large enough to read
    assert min(strip.painted_text_px) >= 0.8 * theme.point_size(1.0)
    # ten epochs a second would flicker a new batch every frame: hidden, as at full speed
    session.project.set_speed("epochs-10")
    assert not strip.isVisible()


def test_points_and_features_have_no_pictures_but_digits_and_sounds_do():
    assert sample_pictures(np.zeros((4, 2)), sound=False) is None  # 2-D points: the boundary
    assert sample_pictures(np.zeros((4, 3)), sound=False) is None  # three features
    flat = np.arange(2 * 64, dtype=np.float32).reshape(2, 64)  # digits for an MLP: 8x8
    assert np.array_equal(sample_pictures(flat, sound=False), flat.reshape(2, 8, 8))
    mel = np.arange(2 * 40 * 5, dtype=np.float32).reshape(2, 1, 40, 5)
    shown = sample_pictures(mel, sound=True)  # low pitch at the bottom, as on the Microphone
    assert np.array_equal(shown[:, -1], mel[:, 0, 0]) and shown.shape == (2, 40, 5)
    assert list(class_indices(np.eye(3)[[2, 0]])) == [2, 0]
    assert list(class_indices(np.array([1.0, 0.0]))) == [1, 0]


def test_a_batch_of_another_data_set_or_no_network_hides_the_strip(qtbot, cnn_session):
    session = cnn_session
    view = _view(qtbot, session)
    session.project.set_speed("batches-5")
    session.inspect.set_batch(np.array([0, 1, 10**6]))  # indices past this data set's end
    assert not view.batch_strip.isVisible()
    session.inspect.set_batch(np.array([0, 1]))
    assert view.batch_strip.isVisible()
    session.project.set_dataset("xor")  # 2-D points: the boundary rings the batch instead
    assert not view.batch_strip.isVisible()


def test_a_steps_batch_shows_while_paused_and_play_at_full_speed_forgets_it(qtbot, make_window):
    window = make_window("digits-cnn")
    window.views.set_shown("activations")
    strip = window.docks["activations"].widget().batch_strip
    session = window.session
    assert session.project.speed == "max"
    session.inspect.set_training_state("paused")
    session.inspect.set_batch(np.arange(32))  # what a Step publishes at any speed
    assert strip.isVisible()
    window.controller.play()  # full speed: no batch is "the one training" any more
    assert not len(session.inspect.batch_indices) and not strip.isVisible()
    window.controller.pause()


def test_the_window_rings_each_batch_a_batch_at_a_time_and_none_at_epochs_a_second(
    qtbot, make_window
):
    """The real trainer process: at five batches a second each batch's points are ringed on
    the boundary; at ten epochs a second (a batch every few ms) nothing is, not a strobe."""
    window = make_window("xor")
    session, boundary = window.session, window.docks["boundary"].widget()
    session.project.set_speed("batches-5")
    window.controller.play()
    qtbot.waitUntil(lambda: len(session.inspect.batch_indices) > 0, timeout=20000)
    assert len(boundary.batch_points.data) == session.project.config.batch_size
    session.project.set_speed("epochs-10")  # while it plays
    assert not len(session.inspect.batch_indices)
    qtbot.wait(600)  # many batches trained and published meanwhile: none shown
    assert not len(session.inspect.batch_indices) and not len(boundary.batch_points.data)
    window.controller.pause()


def test_a_network_whose_answers_are_not_numbers_is_neither_right_nor_wrong(qtbot, cnn_session):
    session = cnn_session
    weights = session.inspect.model.get_weights()
    weights[-1]["weight"][:] = np.nan  # the output layer blown up
    session.inspect.apply_snapshot(weights)
    view = _view(qtbot, session)
    session.project.set_speed("batches-1")
    session.inspect.set_batch(np.arange(8))
    strip = view.batch_strip
    assert strip.isVisible() and strip.right == [None] * 8 and strip.said == [""] * 8
    assert "not numbers" in strip.caption and "wrong" not in strip.caption  # not "said 0"
    strip.grab()
