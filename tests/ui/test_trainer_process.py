"""The trainer process on its own (no Qt): controls, live changes, endings, faults, cleanup."""

from __future__ import annotations

import numpy as np
import pytest
from trainer_process_helpers import (
    assert_same_weights,
    ended,
    local_trainer,
    paused,
    setup,
    start,
    wait,
)

from visualnn.engine import Sequential, SpecError


def test_a_run_starts_paused_then_play_runs_every_epoch(proc):
    model, ds, config = setup(epochs=4)
    run = start(proc, model, ds, config)
    first = wait(proc, paused)
    assert first.losses == [] and first.updates[-1].run_id == run
    proc.play()
    seen = wait(proc, ended)
    assert seen.state == "completed"
    assert [s for s, _ in seen.states] == ["running", "completed"]
    per_epoch = -(-len(ds.x_train) // config.batch_size)
    assert len(seen.losses) == 4 * per_epoch
    assert [e["epoch"] for e in seen.epochs] == [1, 2, 3, 4]
    assert set(seen.epochs[0]) >= {"train_loss", "val_acc", "samples_per_second"}


# digits-mlp: dropout; sounds-cnn: augmentation, louder and quieter by the set's gain units
@pytest.mark.parametrize("preset, epochs", [("spiral", 3), ("digits-mlp", 2), ("sounds-cnn", 1)])
def test_final_weights_equal_an_in_process_run(proc, preset, epochs):
    model, ds, config = setup(preset, epochs=epochs)
    start(proc, model, ds, config, key=preset)
    proc.play()
    seen = wait(proc, ended)
    local = local_trainer(model, ds, config)
    history = local.run()
    assert seen.state == "completed"
    assert seen.snapshot.step == local.step and seen.snapshot.samples_seen == local.samples_seen
    assert_same_weights(seen.snapshot.weights, local.model.get_weights())
    assert_same_weights(seen.snapshot.grads, [layer.grads for layer in local.model.layers])
    assert [e["train_loss"] for e in seen.epochs] == [h["train_loss"] for h in history]


def test_step_batch_and_step_epoch_train_exact_counts(proc):
    model, ds, config = setup(epochs=3)
    start(proc, model, ds, config)
    wait(proc, paused)
    per_epoch = -(-len(ds.x_train) // config.batch_size)
    for _ in range(3):
        proc.step_batch()
        seen = wait(proc, paused)
        assert len(seen.losses) == 1 and seen.epochs == []
    proc.step_epoch()  # the rest of epoch 1, and its report
    seen = wait(proc, paused)
    assert len(seen.losses) == per_epoch - 3
    assert [e["epoch"] for e in seen.epochs] == [1]
    proc.step_epoch()  # a whole epoch
    seen = wait(proc, paused)
    assert len(seen.losses) == per_epoch and [e["epoch"] for e in seen.epochs] == [2]
    assert seen.snapshot.epoch == 2 and seen.snapshot.batch == per_epoch
    assert seen.snapshot.step == 2 * per_epoch and len(seen.snapshot.indices) > 0


def test_pause_stops_after_the_current_batch(proc):
    model, ds, config = setup(epochs=100_000)
    start(proc, model, ds, config)
    proc.play()
    seen = wait(proc, lambda s: len(s.losses) > 50)
    proc.pause()
    seen = wait(proc, paused, seen)
    step = seen.snapshot.step
    assert step == len(seen.losses)
    later = wait(proc, lambda s: len(s.updates) >= 5)
    assert later.losses == [] and later.snapshot is None  # nothing trained while paused
    proc.step_batch()
    seen = wait(proc, paused)
    assert len(seen.losses) == 1 and seen.snapshot.step == step + 1


def test_epochs_done_numbers_epochs_on_and_counts_them(proc):
    model, ds, config = setup(epochs=5)
    start(proc, model, ds, config, epochs_done=3)
    proc.play()
    seen = wait(proc, ended)
    assert [e["epoch"] for e in seen.epochs] == [4, 5]


# --- live changes -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "changes",
    [
        {"lr": 0.3},
        {"optimizer": "sgd", "lr": 0.5, "momentum": 0.9, "nesterov": True},
        {"batch_size": 7, "betas": [0.5, 0.9], "clip_norm": 0.1, "weight_decay": 0.01},
    ],
)
def test_live_changes_act_as_on_an_in_process_trainer(proc, changes):
    model, ds, config = setup(epochs=3)
    start(proc, model, ds, config)
    wait(proc, paused)
    for _ in range(5):
        proc.step_batch()
        wait(proc, paused)
    proc.update(**changes)
    proc.play()
    seen = wait(proc, ended)

    local = local_trainer(model, ds, config)
    steps = local.steps()
    for _ in range(5):
        next(steps)
    for key, value in changes.items():
        setattr(local.config, key, tuple(value) if key == "betas" else value)
    for _ in steps:
        pass
    assert seen.state == "completed" and seen.snapshot.step == local.step
    assert_same_weights(seen.snapshot.weights, local.model.get_weights())


def test_update_refuses_what_cannot_change_live(proc):
    model, ds, config = setup()
    start(proc, model, ds, config)
    with pytest.raises(SpecError, match="loss"):
        proc.update(loss="mse")
    with pytest.raises(SpecError, match="lr"):
        proc.update(lr=-1.0)
    proc.end_run()
    assert wait(proc, ended).state == "stopped"


# --- endings ----------------------------------------------------------------------------
def test_divergence_reports_and_publishes_the_last_finite_weights(proc):
    # A linear output on a regression set: lr 1e6 sends the loss to infinity in a few batches.
    _, ds, config = setup("sum", lr=1e6, batch_size=16, epochs=5)
    spec = [{"type": "dense", "units": 5, "activation": "tanh"}, {"type": "dense", "units": 1}]
    model = Sequential.from_spec(spec, (2,), seed=0)
    start(proc, model, ds, config, key="sum")
    proc.play()
    seen = wait(proc, ended)
    assert seen.state == "diverged"
    assert "learning rate" in seen.states[-1][1]
    local = local_trainer(model, ds, config)
    reports = list(local.steps())
    assert type(reports[-1]).__name__ == "DivergedReport"
    assert seen.states[-1][1] == reports[-1].message
    weights = seen.snapshot.weights
    assert all(np.isfinite(v).all() for w in weights for v in w.values())
    assert_same_weights(weights, local.model.get_weights())


def test_end_run_publishes_the_final_weights(proc):
    model, ds, config = setup()
    start(proc, model, ds, config)
    wait(proc, paused)
    proc.step_batch()
    step = wait(proc, paused).snapshot
    proc.end_run()
    seen = wait(proc, ended)
    assert seen.state == "stopped" and seen.losses == []
    assert seen.snapshot.step == 1
    assert_same_weights(seen.snapshot.weights, step.weights)
    proc.play()  # the run has ended: nothing happens
    assert proc.poll(timeout=0.2).empty


def test_an_engine_error_fails_the_run_and_the_process_lives_on(proc):
    model, ds, config = setup()
    proc.set_data("bad", ds.x_train, ds.y_train[:10], ds.x_test, ds.y_test)
    proc.start_run(model.to_spec(), model.input_shape, 0, None, config.to_dict(), ds.task, "bad")
    seen = wait(proc, ended)
    assert seen.state == "failed" and "targets" in seen.states[-1][1]
    pid = proc.pid
    config.epochs = 1
    start(proc, model, ds, config)
    proc.play()
    assert wait(proc, ended).state == "completed" and proc.pid == pid


def test_a_new_run_drops_every_message_of_the_one_it_replaces(proc):
    model, ds, config = setup(epochs=100_000)
    first = start(proc, model, ds, config)
    proc.play()
    wait(proc, lambda s: len(s.losses) > 20)
    second = start(proc, model, ds, config)  # replaces a run in full flight; stays paused
    assert second != first
    seen = wait(proc, lambda s: len(s.updates) >= 20)
    assert {u.run_id for u in seen.updates} == {second}
    assert seen.losses == [] and seen.epochs == [] and seen.snapshot is None
    assert [s for s, _ in seen.states] == ["paused"]


# --- slow motion ------------------------------------------------------------------------
def test_slow_motion_publishes_every_batch_and_takes_its_time(proc):
    model, ds, config = setup(epochs=100)
    proc.set_speed(batches_per_second=20)
    start(proc, model, ds, config)
    proc.play()
    seen = wait(proc, lambda s: len(s.losses) >= 5)
    proc.pause()
    seen = wait(proc, paused, seen)
    n = len(seen.losses)
    assert [(e, b) for e, b, _ in seen.indices] == [(1, b) for b in range(1, n + 1)]
    order = np.random.default_rng(config.seed).permutation(len(ds.x_train))
    bs = config.batch_size
    for _, b, idx in seen.indices:
        np.testing.assert_array_equal(idx, order[(b - 1) * bs : b * bs])
    np.testing.assert_array_equal(seen.snapshot.indices, seen.indices[-1][2])
    assert n < 100  # at full speed it would have run thousands of batches meanwhile
    proc.set_speed(epochs_per_second=1000)  # back to (nearly) full speed, still publishing
    proc.play()
    seen = wait(proc, ended)
    assert len(seen.indices) == len(seen.losses) > 0


def test_a_step_publishes_its_batch_at_full_speed_and_play_does_not(proc):
    model, ds, config = setup(epochs=100)
    start(proc, model, ds, config)  # full speed: no slow motion
    proc.step_batch()
    seen = wait(proc, lambda s: len(s.losses) >= 1)
    order = np.random.default_rng(config.seed).permutation(len(ds.x_train))
    assert [(e, b) for e, b, _ in seen.indices] == [(1, 1)]  # the Step's batch, to show
    np.testing.assert_array_equal(seen.indices[0][2], order[: config.batch_size])
    proc.play()
    seen = wait(proc, lambda s: len(s.losses) >= 200)
    proc.pause()
    seen = wait(proc, paused, seen)
    assert seen.indices == []  # at full speed no batch is published: it would only flicker


def test_set_speed_refuses_nonsense(proc):
    with pytest.raises(ValueError):
        proc.set_speed(batches_per_second=1, epochs_per_second=1)
    with pytest.raises(ValueError):
        proc.set_speed(batches_per_second=0)


# --- process life -----------------------------------------------------------------------
