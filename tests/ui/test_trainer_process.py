"""The trainer process on its own (no Qt): controls, live changes, endings, faults, cleanup."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from visualnn.data import load_dataset
from visualnn.engine import Sequential, SpecError, Trainer
from visualnn.presets import build_preset
from visualnn.ui.training import TrainerProcess, Update

#: A bound against hangs only: every wait below normally ends in well under a second.
PATIENCE_S = 60.0


class Seen:
    """Everything the polls returned, merged."""

    def __init__(self) -> None:
        self.updates: list[Update] = []
        self.losses: list[float] = []
        self.epochs: list[dict] = []
        self.states: list[tuple[str, str]] = []
        self.indices: list[tuple[int, int, np.ndarray]] = []
        self.snapshot = None

    def add(self, update: Update) -> None:
        self.updates.append(update)
        self.losses += update.losses
        self.epochs += update.epochs
        self.states += update.states
        self.indices += update.batch_indices
        self.snapshot = update.snapshot or self.snapshot

    @property
    def state(self) -> str | None:
        return self.states[-1][0] if self.states else None


def wait(proc: TrainerProcess, until, seen: Seen | None = None) -> Seen:
    """Poll until ``until(seen)`` holds."""
    seen = seen or Seen()
    deadline = time.monotonic() + PATIENCE_S
    while not until(seen):
        assert time.monotonic() < deadline, f"gave up waiting; states so far {seen.states}"
        seen.add(proc.poll(timeout=0.05))
    return seen


def ended(seen: Seen) -> bool:
    return seen.state in ("completed", "diverged", "failed", "stopped")


def paused(seen: Seen) -> bool:
    return seen.state == "paused"


@pytest.fixture
def proc():
    p = TrainerProcess()
    yield p
    p.close()


def setup(name="xor", **changes):
    """(model, dataset, config) of preset ``name`` with ``changes`` to its config."""
    model, ds, config = build_preset(name)
    for key, value in changes.items():
        setattr(config, key, value)
    return model, ds, config


def start(proc: TrainerProcess, model, ds, config, key="xor", **kw) -> int:
    proc.set_data(key, ds.x_train, ds.y_train, ds.x_test, ds.y_test)
    return proc.start_run(
        model.to_spec(), model.input_shape, model.seed, model.get_weights(), config.to_dict(),
        ds.task, key, **kw,
    )  # fmt: skip


def local_trainer(model, ds, config) -> Trainer:
    """The same run in this process."""
    return Trainer(model.copy(), (ds.x_train, ds.y_train), (ds.x_test, ds.y_test), config, ds.task)


def assert_same_weights(got: list[dict], want: list[dict]) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g.keys() == w.keys()
        for k in g:
            np.testing.assert_allclose(g[k], w[k], rtol=0, atol=1e-6)


# --- controls ---------------------------------------------------------------------------
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


@pytest.mark.parametrize("preset, epochs", [("spiral", 3), ("digits-mlp", 2)])  # mlp: dropout
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


def test_set_speed_refuses_nonsense(proc):
    with pytest.raises(ValueError):
        proc.set_speed(batches_per_second=1, epochs_per_second=1)
    with pytest.raises(ValueError):
        proc.set_speed(batches_per_second=0)


# --- process life -----------------------------------------------------------------------
def test_the_child_never_imports_qt(proc):
    model, ds, config = setup(epochs=1)
    start(proc, model, ds, config)
    proc.play()
    wait(proc, ended)
    info = proc.child_info()
    assert info["pid"] == proc.pid != os.getpid()
    assert not {"PySide6", "pyqtgraph", "shiboken6", "sounddevice"} & set(info["modules"])
    assert info["env"]["OPENBLAS_NUM_THREADS"] == "1"


def test_a_killed_child_fails_the_run_and_the_next_run_gets_a_new_one(proc):
    model, ds, config = setup(epochs=100_000)
    start(proc, model, ds, config)
    proc.play()
    wait(proc, lambda s: len(s.losses) > 10)
    pid = proc.pid
    os.kill(pid, signal.SIGKILL)
    seen = wait(proc, ended)
    assert seen.states[-1] == (
        "failed",
        "the training process stopped unexpectedly (exit code -9)",
    )
    config.epochs = 2
    start(proc, model, ds, config)  # its data set goes to the new child too
    proc.play()
    assert wait(proc, ended).state == "completed"
    assert proc.pid != pid


def slow_setup():
    """A network whose every batch takes seconds (a 128 -> 640 channel 3x3 convolution over
    512 digits images: 6-9 s and 1 GB with one BLAS thread, measured)."""
    ds = load_dataset("digits_images")
    model, _, config = setup("digits-cnn", batch_size=512, epochs=1)
    spec = [
        {"type": "conv2d", "out_channels": 128, "kernel_size": 3, "padding": "same"},
        {"type": "conv2d", "out_channels": 640, "kernel_size": 3, "padding": "same"},
        {"type": "flatten"},
        {"type": "dense", "units": 10},
    ]
    return spec, ds, config


def test_close_during_a_long_batch_is_prompt_and_leaves_nothing(proc):
    spec, ds, config = slow_setup()
    proc.set_data("digits", ds.x_train, ds.y_train, ds.x_test, ds.y_test)
    proc.start_run(spec, ds.input_shape, 0, None, config.to_dict(), ds.task, "digits")
    wait(proc, paused)
    segments = [s.name for s in proc._res.segments.values()] + [proc._res.snapshot.name]
    pid = proc.pid
    proc.play()
    time.sleep(0.5)  # inside the first batch, seconds long
    t0 = time.monotonic()
    proc.close()
    took = time.monotonic() - t0
    assert took < 3.0, f"close took {took:.1f} s"
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # reaped, not a zombie
    assert not [n for n in segments if Path("/dev/shm", n).exists()]


def test_close_of_an_idle_child_and_twice(proc):
    proc.start()
    pid = proc.pid
    proc.close()
    proc.close()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with pytest.raises(RuntimeError):
        proc.start()


def test_set_data_twice_with_one_key_shares_it_once(proc):
    _, ds, _ = setup()
    proc.set_data("k", ds.x_train, ds.y_train)
    segments = dict(proc._res.segments)
    proc.set_data("k", ds.x_train[:5], ds.y_train[:5])
    assert proc._res.segments == segments
    proc.drop_data("k")
    assert proc._res.segments == {}


def test_data_dropped_during_a_run_stays_until_the_run_ends(proc):
    model, ds, config = setup(epochs=100_000)
    start(proc, model, ds, config)
    proc.play()
    seen = wait(proc, lambda s: len(s.losses) > 10)
    (name,) = proc._res.segments
    proc.drop_data("xor")
    assert not Path("/dev/shm", name).exists()  # unlinked; the child's mapping lives on
    n = len(seen.losses)
    seen = wait(proc, lambda s: len(s.losses) > n + 10, seen)
    proc.end_run()
    assert wait(proc, ended, seen).state == "stopped"
    with pytest.raises(SpecError, match="set_data"):
        proc.start_run(model.to_spec(), (2,), 0, None, config.to_dict(), ds.task, "xor")


PARENT = """
import os, signal
from visualnn.presets import build_preset
from visualnn.ui.training import TrainerProcess
model, ds, config = build_preset("xor")
config.epochs = 100_000
p = TrainerProcess()
p.set_data("xor", ds.x_train, ds.y_train, ds.x_test, ds.y_test)
p.start_run(model.to_spec(), (2,), 0, None, config.to_dict(), ds.task, "xor")
p.play()
while not p.poll(timeout=0.1).losses:
    pass
print(p.pid, p._res.snapshot.name, *p._res.segments, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"  # a zombie is gone too
    except OSError:
        return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and /dev/shm")
def test_a_killed_parent_leaves_no_child_and_no_shared_memory():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run(
        [sys.executable, "-c", PARENT], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.returncode == -signal.SIGKILL, out.stderr
    pid, *names = out.stdout.split()
    deadline = time.monotonic() + PATIENCE_S
    # The child notices within a second (its parent id changes); the resource tracker,
    # seeing its parent's end of the pipe close, unlinks what the parent created.
    while not (gone(int(pid)) and not [n for n in names if Path("/dev/shm", n).exists()]):
        assert time.monotonic() < deadline, "the child or a segment outlived the parent"
        time.sleep(0.05)
