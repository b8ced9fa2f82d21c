"""One training run inside the trainer process: the trainer, its controls, its snapshots."""

from __future__ import annotations

import math
from multiprocessing.shared_memory import SharedMemory

import numpy as np

from visualnn.engine import Sequential, SpecError, TrainConfig, Trainer
from visualnn.engine.train_config import BatchReport

from . import shm
from .protocol import SnapshotMeta, Speed, Start


class Run:
    """A ``Trainer`` built from a ``Start`` message, plus what the parent asked of it.

    Parameters
    ----------
    msg : Start
    arrays : list of np.ndarray or None
        x_train ``(N, *input_shape)``, y_train ``(N, ...)``, x_test, y_test (None: no
        validation set), gain_units ``(bands,)`` or None (see ``Trainer``).
    snapshot : SharedMemory
        Weights then gradients are copied into it when the parent asks for a frame.
    """

    def __init__(self, msg: Start, arrays: list, snapshot: SharedMemory) -> None:
        model = Sequential.from_spec(msg.spec, tuple(msg.input_shape), seed=msg.seed)
        model.set_weights(msg.weights)
        x, y, x_val, y_val, gain_units = arrays
        val = None if x_val is None or len(x_val) == 0 else (x_val, y_val)
        config = TrainConfig.from_dict(msg.config)
        self.trainer = Trainer(model, (x, y), val, config, msg.task, gain_units)
        self.trainer.keep_history = False  # the GUI keeps the (bounded) history: no growth here
        # Epoch numbers go on from the runs before; ``config.epochs`` counts them all.
        self.trainer.epoch = int(msg.epochs_done)
        self.steps = self.trainer.steps()
        self.id = msg.run_id
        self.running = False
        self.batch_steps = 0  # pending "one more batch" requests
        self.epoch_steps = 0  # pending "to the end of the epoch" requests
        self.done = False
        self.state: str | None = None  # the last state reported
        self.last: BatchReport | None = None
        self.snapshot_step = 0  # the parent has the weights of step 0: it sent them
        self.snapshot_due = False  # a final snapshot is owed whatever the step
        self.keys = [list(layer.params) for layer in model.layers]
        self.layout, size = shm.plan(self._sources())
        if size > snapshot.size:
            raise SpecError(
                f"the snapshot buffer holds {snapshot.size} bytes, the network needs {size}"
            )
        self.targets = shm.views(snapshot, self.layout)

    def _sources(self) -> list[np.ndarray]:
        layers = self.trainer.model.layers
        pairs = [(layer, k) for layer, keys in zip(layers, self.keys, strict=True) for k in keys]
        return [layer.params[k] for layer, k in pairs] + [layer.grads[k] for layer, k in pairs]

    def has_work(self) -> bool:
        return not self.done and bool(self.running or self.batch_steps or self.epoch_steps)

    def control(self, action: str) -> None:
        """play / pause / step_batch / step_epoch, with the worker thread's semantics."""
        self.running = action == "play"
        if action == "pause":
            self.batch_steps = self.epoch_steps = 0  # pending single steps are cancelled
        elif action == "step_batch":
            self.batch_steps += 1
        elif action == "step_epoch":
            self.epoch_steps += 1

    def configure(self, changes: dict) -> None:
        """Set live hyper-parameters on ``trainer.config``; the trainer hands them to the
        optimizer before its next step (an optimizer switch starts with fresh state)."""
        config = self.trainer.config
        old = {k: getattr(config, k) for k in changes}
        for key, value in changes.items():
            setattr(config, key, tuple(value) if key == "betas" else value)
        try:
            config.check()
        except SpecError:
            for key, value in old.items():
                setattr(config, key, value)
            raise

    def counted(self, report: BatchReport | None) -> None:
        """Count a trained batch (``report``) or a finished epoch (None) against the steps
        asked for."""
        if report is not None:
            self.last = report
            if self.batch_steps:
                self.batch_steps -= 1
        elif self.epoch_steps:
            self.epoch_steps -= 1

    def interval(self, speed: Speed) -> float | None:
        """Seconds from one batch's start to the next in slow motion, or None: no wait (full
        speed, or the next step is an epoch report, which trains no batch)."""
        last = self.last
        if last is not None and last.batch == last.batches_per_epoch:
            if self.trainer.epoch < last.epoch:
                return None
        if speed.batches_per_second:
            return 1.0 / speed.batches_per_second
        if speed.epochs_per_second:
            per_epoch = math.ceil(len(self.trainer.x) / int(self.trainer.config.batch_size))
            return 1.0 / (speed.epochs_per_second * max(per_epoch, 1))
        return None

    def write_snapshot(self) -> SnapshotMeta:
        """Copy weights and gradients into the snapshot segment; what the parent needs to
        read them back."""
        for dst, src in zip(self.targets, self._sources(), strict=True):
            np.copyto(dst, src)
        t, last = self.trainer, self.last
        self.snapshot_step, self.snapshot_due = t.step, False
        return SnapshotMeta(
            run_id=self.id,
            step=t.step,
            epoch=last.epoch if last else 0,
            batch=last.batch if last else 0,
            samples_seen=t.samples_seen,
            indices=np.array(t.last_batch, np.int64),
            keys=self.keys,
            layout=self.layout,
        )

    def wants_snapshot(self) -> bool:
        return self.snapshot_due or (not self.done and self.trainer.step != self.snapshot_step)
