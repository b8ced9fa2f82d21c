"""Messages between the GUI process and the trainer process.

Everything here is plain data (dataclasses of numbers, strings, lists, dicts and NumPy
arrays), so it pickles under the spawn start method and imports no Qt.

Parent to child, through the command pipe: ``Start``, ``Control``, ``Configure``, ``Speed``,
``Data``, ``DropData``, ``Info``, ``Close``. A frame is asked for without a message: the
parent increments a counter in shared memory (see ``child.ChildProcess.ask_frame``) and has
at most one request outstanding. Child to parent, through the reply pipe: ``FrameReply``
(only ever in answer to such a request) and ``InfoReply``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .shm import Entry

# States a run reports, in ``Update.states``.
RUNNING = "running"
PAUSED = "paused"
COMPLETED = "completed"  # every epoch asked for has run
DIVERGED = "diverged"  # non-finite loss or gradient; the last finite weights are published
FAILED = "failed"  # an exception in the engine, or the process died; the message says which
STOPPED = "stopped"  # ended by ``end_run()``; its final weights are published
#: A run reporting one of these has ended and reports nothing more.
FINAL_STATES = frozenset({COMPLETED, DIVERGED, FAILED, STOPPED})

#: Hyper-parameters a run takes between two batches (as ``TrainConfig`` fields).
LIVE_KEYS = frozenset(
    {
        "lr",
        "batch_size",
        "epochs",
        "optimizer",
        "momentum",
        "nesterov",
        "betas",
        "weight_decay",
        "clip_norm",
        "augment",
        "lr_schedule",
    }
)

#: ``Control.action`` values.
ACTIONS = frozenset({"play", "pause", "step_batch", "step_epoch", "end"})


# --- parent to child ---------------------------------------------------------------------
@dataclass
class Start:
    """Replace the current run by a new one, paused. ``snapshot_name`` is the segment the
    child writes weights and gradients into when asked for a frame."""

    run_id: int
    spec: list[dict[str, Any]]
    input_shape: tuple[int, ...]
    seed: int
    weights: list[dict[str, np.ndarray]]
    config: dict[str, Any]
    task: str
    data_key: Any
    epochs_done: int
    snapshot_name: str


@dataclass
class Control:
    """One of ``ACTIONS`` for run ``run_id`` (ignored if that run is no longer current)."""

    run_id: int
    action: str


@dataclass
class Configure:
    """Live hyper-parameter changes (``LIVE_KEYS``), applied before the next batch."""

    run_id: int
    changes: dict[str, Any]


@dataclass
class Speed:
    """Slow motion at a target rate, or as fast as possible when both are None."""

    batches_per_second: float | None = None
    epochs_per_second: float | None = None

    def __post_init__(self) -> None:
        rates = [r for r in (self.batches_per_second, self.epochs_per_second) if r is not None]
        if len(rates) > 1:
            raise ValueError("give batches_per_second or epochs_per_second, not both")
        if rates and not rates[0] > 0:
            raise ValueError(f"a speed must be above 0, got {rates[0]}")


@dataclass
class Data:
    """Data set ``key`` lives in segment ``shm_name``: x_train, y_train, x_test, y_test."""

    key: Any
    shm_name: str
    layout: list[Entry]


@dataclass
class DropData:
    key: Any


@dataclass
class Info:
    """Answer with an ``InfoReply`` (diagnostics and tests)."""


@dataclass
class Close:
    """Leave the loop and exit."""


# --- child to parent ---------------------------------------------------------------------
@dataclass
class SnapshotMeta:
    """Where the weights and gradients of run ``run_id`` at ``step`` are in the snapshot
    segment: ``layout`` holds the weights then the gradients, layer by layer, in ``keys``
    order."""

    run_id: int
    step: int
    epoch: int
    batch: int
    samples_seen: int
    indices: np.ndarray
    keys: list[list[str]]
    layout: list[Entry]


@dataclass
class FrameReply:
    """Events since the last reply, each ``(run_id, kind, payload)`` with kind "batches"
    (list of losses), "epoch" (report dict), "state" ((state, message)) or "indices"
    ((epoch, batch, indices)); and a snapshot if the weights changed since the last one."""

    events: list[tuple[int, str, Any]]
    snapshot: SnapshotMeta | None


@dataclass
class InfoReply:
    info: dict[str, Any]
