"""The project's history stays bounded however long a run trains, and keeps true epochs;
the "not learning" check; weights survive edits that do not touch their layer."""

from __future__ import annotations

import numpy as np

from visualnn.engine import Sequential, TrainConfig
from visualnn.ui.model.health import learning_trouble
from visualnn.ui.model.history import KEEP_RECENT, MAX_EPOCH_ROWS, MAX_TRACE, History
from visualnn.ui.model.session import carry_weights


def test_batch_trace_sits_at_fractional_epochs_and_stays_bounded():
    h = History()
    h.add_batches([1.0, 2.0], batches_per_epoch=4)
    assert h.trace[0].tolist() == [0.25, 0.5]
    h.add_batches([3.0, 4.0], batches_per_epoch=4)
    h.add_epoch({"train_loss": 2.5})
    h.add_batches([5.0], batches_per_epoch=4)
    assert h.trace[0].tolist() == [0.25, 0.5, 0.75, 1.0, 1.25]
    for _ in range(200):  # millions of batches: the trace halves its resolution instead
        h.add_batches(np.ones(5000), batches_per_epoch=5000)
        h.add_epoch({"train_loss": 1.0})
    x, y = h.trace
    assert len(x) <= MAX_TRACE and np.all(np.diff(x) >= 0) and np.allclose(y[-10:], 1.0)
    assert h.epochs_done == 201 and 200.99 < x[-1] <= 201  # the newest few wait to be averaged


def test_epoch_rows_are_thinned_but_keep_their_numbers():
    h = History()
    for e in range(MAX_EPOCH_ROWS * 3):
        h.add_epoch({"train_loss": 1.0 / (e + 1), "val_loss": None})
    assert len(h.epochs) <= MAX_EPOCH_ROWS and h.epochs_done == MAX_EPOCH_ROWS * 3
    epochs, losses = h.series("train_loss")
    assert epochs[-1] == MAX_EPOCH_ROWS * 3 and np.all(np.diff(epochs) > 0)
    assert np.allclose(losses, 1.0 / epochs)
    assert [r["epoch"] for r in h.epochs[-KEEP_RECENT:]] == list(
        range(MAX_EPOCH_ROWS * 3 - KEEP_RECENT + 1, MAX_EPOCH_ROWS * 3 + 1)
    )
    assert h.series("val_loss")[0].size == 0  # None values are not drawn


def test_not_learning_is_said_for_a_huge_learning_rate_and_a_rising_loss():
    config = TrainConfig(lr=1000.0)
    stuck = [{"epoch": e + 1, "train_loss": 0.7 if e == 0 else 30.0 + e} for e in range(8)]
    epoch, text = learning_trouble(stuck, config)
    assert epoch == 4 and "far above" in text and "1000 \u2192 100" in text
    rising = [{"epoch": e + 1, "train_loss": 1.0 + 0.1 * e} for e in range(8)]
    assert "risen" in learning_trouble(rising, config)[1]
    falling = [{"epoch": e + 1, "train_loss": 1.0 / (e + 1)} for e in range(8)]
    assert learning_trouble(falling, config) is None
    assert learning_trouble(stuck[:4], config) is None  # too early to say


def test_not_learning_skips_losses_that_are_not_numbers():
    # The start is the first finite loss; NaN epochs (a restored divergence) are not counted.
    config = TrainConfig(lr=1.0)
    nan = float("nan")
    rows = [{"epoch": 1, "train_loss": nan}, {"epoch": 2, "train_loss": 0.5}]
    rows += [{"epoch": e, "train_loss": 3.0 if e % 2 else nan} for e in range(3, 14)]
    epoch, text = learning_trouble(rows, config)
    assert epoch == 5 and "(3 against 0.5)" in text
    assert learning_trouble(rows[:9], config) is None  # only four finite epochs after the start


def test_carry_weights_keeps_every_layer_an_edit_did_not_change():
    tanh8 = {"type": "dense", "units": 8, "activation": "tanh"}
    spec = [tanh8, dict(tanh8), {"type": "dense", "units": 2}]
    old = Sequential.from_spec(spec, (2,), seed=1)
    grown = Sequential.from_spec([spec[0], {"type": "dense", "units": 8, "activation": "relu"},
                                  *spec[1:]], (2,), seed=2)  # fmt: skip
    assert carry_weights(old, grown) == 3
    for a, b in ((0, 0), (1, 2), (2, 3)):
        assert np.array_equal(old.layers[a].params["weight"], grown.layers[b].params["weight"])
    wider = Sequential.from_spec([{**spec[0], "units": 9}, *spec[1:]], (2,), seed=3)
    assert carry_weights(old, wider) == 1  # the changed layer and the next one start afresh
    assert np.array_equal(old.layers[2].params["weight"], wider.layers[2].params["weight"])
