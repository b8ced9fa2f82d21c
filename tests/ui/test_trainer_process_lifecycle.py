"""The trainer process's life: a child without Qt, killed children and parents, closing
during a long batch, and the shared training data."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from trainer_process_helpers import (
    PATIENCE_S,
    ended,
    paused,
    setup,
    start,
    wait,
)

from visualnn.data import load_dataset
from visualnn.engine import SpecError


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
