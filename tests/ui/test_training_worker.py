"""The training thread on its own: controls, live changes, divergence, failure, stop."""

from __future__ import annotations

import numpy as np
import pytest

from visualnn.data import load_dataset
from visualnn.engine import Sequential, TrainConfig, Trainer
from visualnn.ui.workers.training import TrainingWorker, live_workers

SPEC = [{"type": "dense", "units": 8, "activation": "tanh"}, {"type": "dense", "units": 2}]


def make_worker(dataset="circle", **config) -> TrainingWorker:
    ds = load_dataset(dataset)
    spec = SPEC if ds.task == "classification" else SPEC[:1] + [{"type": "dense", "units": 1}]
    model = Sequential.from_spec(spec, (2,), seed=0)
    cfg = TrainConfig(**{"lr": 0.1, "epochs": 5, "batch_size": 10, **config})
    trainer = Trainer(
        model, train=(ds.x_train, ds.y_train), val=(ds.x_test, ds.y_test), config=cfg, task=ds.task
    )
    return TrainingWorker(trainer)


@pytest.fixture
def worker():
    made = []

    def make(dataset="circle", **config):
        w = make_worker(dataset, **config)
        made.append(w)
        return w

    yield make
    for w in made:
        assert w.stop(timeout=2.0)


def test_play_runs_every_epoch_and_publishes_snapshots(qtbot, worker):
    w = worker(epochs=4)
    epochs, batches = [], []
    w.epoch_finished.connect(epochs.append)
    w.batches_done.connect(batches.extend)
    with qtbot.waitSignal(w.completed, timeout=10_000):
        w.start()
        w.play()
    qtbot.waitUntil(lambda: len(epochs) == 4, timeout=2000)
    assert [e["epoch"] for e in epochs] == [1, 2, 3, 4]
    per_epoch = -(-len(w.trainer.x) // 10)
    assert len(batches) == 4 * per_epoch
    snap = w.take_snapshot()
    assert snap is not None and len(snap["weights"]) == 2
    assert snap["weights"][0]["weight"].shape == (8, 2)
    assert w.take_snapshot() is None  # the slot holds only the latest value, once


def test_step_batch_and_step_epoch(qtbot, worker):
    w = worker()
    batches, epochs = [], []
    w.batches_done.connect(batches.extend)
    w.epoch_finished.connect(epochs.append)
    w.start()
    w.step_batch()
    qtbot.waitUntil(lambda: len(batches) == 1, timeout=3000)
    w.step_batch()
    w.step_batch()
    qtbot.waitUntil(lambda: len(batches) == 3, timeout=3000)
    qtbot.wait(100)
    assert len(batches) == 3 and not epochs  # paused in between: nothing else ran
    w.step_epoch()
    qtbot.waitUntil(lambda: len(epochs) == 1, timeout=3000)
    qtbot.wait(100)
    assert len(batches) == -(-len(w.trainer.x) // 10) and len(epochs) == 1


def test_live_learning_rate_change_reaches_the_trainer(qtbot, worker):
    w = worker(epochs=1000)
    w.start()
    w.play()
    qtbot.waitUntil(lambda: w.trainer.step > 5, timeout=3000)
    w.request_changes(lr=0.0123, momentum=0.5)
    qtbot.waitUntil(lambda: w.trainer.optimizer.lr == pytest.approx(0.0123), timeout=3000)
    assert w.trainer.optimizer.momentum == 0.5
    w.request_changes(optimizer="adam", optimizer_options={"betas": (0.8, 0.99)})
    qtbot.waitUntil(lambda: w.trainer.optimizer.name == "adam", timeout=3000)
    assert tuple(w.trainer.optimizer.betas) == (0.8, 0.99)


def test_exploding_learning_rate_diverges_with_finite_weights(qtbot, worker):
    # Cross-entropy saturates instead of overflowing; squared error on a regression does not.
    w = worker("plane", lr=1e6, epochs=50, loss="mse")
    texts = []
    w.diverged.connect(texts.append)
    with qtbot.waitSignal(w.finished, timeout=10_000):
        w.start()
        w.play()
    assert texts and "diverged" in texts[0] and "learning rate" in texts[0]
    weights = w.take_snapshot()["weights"]
    assert all(np.isfinite(v).all() for layer in weights for v in layer.values())


def test_exception_becomes_failed_signal(qtbot, worker):
    w = worker()

    def boom():
        raise RuntimeError("engine exploded")
        yield  # pragma: no cover

    w.trainer.steps = boom
    with qtbot.waitSignal(w.failed, timeout=5000) as blocker:
        w.start()
        w.play()
    assert "engine exploded" in blocker.args[0]


def test_stop_joins_quickly_while_training(qtbot, worker):
    w = worker(epochs=100_000)
    w.start()
    w.play()
    qtbot.waitUntil(lambda: w.trainer.step > 3, timeout=3000)
    assert w in live_workers()
    assert w.stop(timeout=2.0)
    assert not w.isRunning() and w not in live_workers()


def test_stop_wakes_a_paused_worker(qtbot, worker):
    w = worker()
    w.start()
    qtbot.wait(50)
    assert w.stop(timeout=2.0)
