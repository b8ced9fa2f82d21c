"""Shared set-up of the trainer-process tests: polling, runs of presets, weight checks."""

from __future__ import annotations

import time

import numpy as np

from visualnn.engine import Trainer
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


def setup(name="xor", **changes):
    """(model, dataset, config) of preset ``name`` with ``changes`` to its config."""
    model, ds, config = build_preset(name)
    for key, value in changes.items():
        setattr(config, key, value)
    return model, ds, config


def start(proc: TrainerProcess, model, ds, config, key="xor", **kw) -> int:
    proc.set_data(key, ds.x_train, ds.y_train, ds.x_test, ds.y_test, ds.gain_units())
    return proc.start_run(
        model.to_spec(), model.input_shape, model.seed, model.get_weights(), config.to_dict(),
        ds.task, key, **kw,
    )  # fmt: skip


def local_trainer(model, ds, config) -> Trainer:
    """The same run in this process."""
    return Trainer(
        model.copy(),
        (ds.x_train, ds.y_train),
        (ds.x_test, ds.y_test),
        config,
        ds.task,
        ds.gain_units(),
    )


def assert_same_weights(got: list[dict], want: list[dict]) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g.keys() == w.keys()
        for k in g:
            np.testing.assert_allclose(g[k], w[k], rtol=0, atol=1e-6)


# --- controls ---------------------------------------------------------------------------
