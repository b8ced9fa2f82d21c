"""What ``TrainerProcess.poll()`` returns, and how the child's replies become it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import shm
from .protocol import FINAL_STATES, FrameReply, SnapshotMeta


@dataclass
class Snapshot:
    """The newest weights of a run, copied out of shared memory (the caller owns them).

    Attributes
    ----------
    weights, grads : list of dict of np.ndarray
        One dict per layer as ``Sequential.get_weights()`` gives, e.g. a Dense layer's
        ``{"weight": (out, in), "bias": (out,)}``; ``grads`` has the same keys and shapes
        and holds the gradients of the last batch trained.
    step : int
        Batches trained in this run.
    epoch, batch : int
        Epoch and batch (from 1) of the last batch trained; 0 before the first.
    samples_seen : int
        Samples trained on in this run.
    indices : np.ndarray
        ``(B,)`` int64, rows of the training arrays in the last batch (empty before it).
    """

    run_id: int
    weights: list[dict[str, np.ndarray]]
    grads: list[dict[str, np.ndarray]]
    step: int
    epoch: int
    batch: int
    samples_seen: int
    indices: np.ndarray


@dataclass
class Update:
    """Everything of the current run since the last ``poll()``.

    Attributes
    ----------
    run_id : int or None
        The current run (None before the first ``start_run``).
    progress : list of (str, object)
        ``("batches", [loss, ...])`` and ``("epoch", asdict(EpochReport))`` in the order they
        happened: the form ``Session.record_progress`` takes.
    states : list of (str, str)
        ``(state, message)`` changes in order: "running", "paused", and at the end one of
        ``FINAL_STATES`` (message: the divergence advice or the failure; else "").
    batch_indices : list of (int, int, np.ndarray)
        In slow motion, ``(epoch, batch, indices)`` for every batch trained, in order.
    snapshot : Snapshot or None
        The newest weights only; older ones were dropped.
    """

    run_id: int | None = None
    progress: list[tuple[str, Any]] = field(default_factory=list)
    states: list[tuple[str, str]] = field(default_factory=list)
    batch_indices: list[tuple[int, int, np.ndarray]] = field(default_factory=list)
    snapshot: Snapshot | None = None

    @property
    def losses(self) -> list[float]:
        """Every batch loss in ``progress``, in order."""
        return [v for kind, data in self.progress if kind == "batches" for v in data]

    @property
    def epochs(self) -> list[dict[str, Any]]:
        """Every epoch report in ``progress``, in order."""
        return [data for kind, data in self.progress if kind == "epoch"]

    @property
    def state(self) -> str | None:
        """The newest state, or None if it did not change."""
        return self.states[-1][0] if self.states else None

    @property
    def message(self) -> str:
        """The newest state's message ("" if none)."""
        return self.states[-1][1] if self.states else ""

    @property
    def empty(self) -> bool:
        return not (self.progress or self.states or self.batch_indices or self.snapshot)


def read_snapshot(segment, meta: SnapshotMeta) -> Snapshot:
    """Copy the weights and gradients ``meta`` describes out of ``segment``."""
    arrays = [v.copy() for v in shm.views(segment, meta.layout)]
    half = len(arrays) // 2
    weights, grads = iter(arrays[:half]), iter(arrays[half:])
    return Snapshot(
        run_id=meta.run_id,
        weights=[{k: next(weights) for k in keys} for keys in meta.keys],
        grads=[{k: next(grads) for k in keys} for keys in meta.keys],
        step=meta.step,
        epoch=meta.epoch,
        batch=meta.batch,
        samples_seen=meta.samples_seen,
        indices=meta.indices,
    )


def merge_reply(update: Update, reply: FrameReply, run_id: int | None, segment) -> bool:
    """Add what ``reply`` says about run ``run_id`` to ``update`` (other runs' events are
    dropped) and copy its snapshot out of ``segment``; True if the run reached its end."""
    ended = False
    for rid, kind, payload in reply.events:
        if rid != run_id:
            continue  # a run that was replaced
        if kind == "batches":
            if update.progress and update.progress[-1][0] == "batches":
                update.progress[-1][1].extend(payload)
            else:
                update.progress.append(("batches", list(payload)))
        elif kind == "epoch":
            update.progress.append(("epoch", payload))
        elif kind == "state":
            update.states.append(tuple(payload))
            ended = ended or payload[0] in FINAL_STATES
        elif kind == "indices":
            update.batch_indices.append(payload)
    meta = reply.snapshot
    if meta is not None and meta.run_id == run_id:
        update.snapshot = read_snapshot(segment, meta)  # the newest only: older ones go
    return ended
