"""The trainer process's loop: train, obey the parent between batches, answer frame requests.

``main`` is the spawn entry point. The child runs one thread and imports no Qt. Replies go
out only when the parent asks for a frame, at most one request outstanding, so the child
never fills the reply pipe and never blocks on a parent that is busy drawing.
"""

from __future__ import annotations

import dataclasses
import gc
import os
import sys
import time

import numpy as np

from visualnn.engine import SpecError
from visualnn.engine.train_config import BatchReport, EpochReport

from . import shm
from .link import ParentLink
from .protocol import (
    COMPLETED,
    DIVERGED,
    FAILED,
    PAUSED,
    RUNNING,
    STOPPED,
    Close,
    Configure,
    Control,
    Data,
    DropData,
    FrameReply,
    Info,
    InfoReply,
    Speed,
    Start,
)
from .run import Run

#: How often (seconds) the child checks that its parent is still alive. Normally the parent
#: closes the pipe or sends ``Close``; this catches a parent killed with SIGKILL.
PARENT_CHECK_S = 1.0
#: Environment variables the parent sets for the child's BLAS (reported by ``Info``).
BLAS_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def main(commands, replies, wake, ctrl_name: str, parent_pid: int) -> None:
    """Serve the parent until ``Close``, the end of its pipe, or its death.

    Parameters
    ----------
    commands, replies, wake : multiprocessing.connection.Connection
        Read end of the parent's command pipe; write end of the reply pipe; read end of the
        wake-up pipe (a byte per frame request, read only while idle).
    ctrl_name : str
        The parent's control segment: int64 counts of messages announced, frames asked for.
    parent_pid : int
    """
    runner = Runner(ParentLink(commands, replies, wake, ctrl_name, parent_pid))
    try:
        runner.serve()
    except (EOFError, BrokenPipeError, ConnectionResetError):
        pass  # the parent is gone: there is nobody left to report to
    finally:
        runner.close()


def describe(exc: BaseException) -> str:
    """The words for a failure: a ``SpecError``'s own message, else the type and message."""
    text = str(exc)
    if isinstance(exc, SpecError):
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class Runner:
    """The child's state: data sets, the current run, unsent events, the speed."""

    def __init__(self, link: ParentLink) -> None:
        self.link = link
        self.data = shm.MappedSets()
        self.snapshot = None  # the SharedMemory the current run publishes into
        self.run: Run | None = None
        self.events: list = []  # (run_id, kind, payload) not yet sent
        self.losses: list[float] = []  # the current run's batch losses not yet in events
        self.speed = Speed()
        #: slow motion: nap between batches, publish every batch's indices (a Step's batch
        #: is published at any speed)
        self.slow = False
        self.closing = False
        self.last_start = 0.0  # perf_counter() when the last batch started (slow motion)
        self.next_check = 0.0
        self.handlers = {
            Start: self._on_start,
            Control: self._on_control,
            Configure: self._on_configure,
            Speed: self._on_speed,
            Data: self._on_data,
            DropData: self._on_drop_data,
            Info: self._on_info,
            Close: self._on_close,
        }

    # --- the loop -----------------------------------------------------------------------
    def serve(self) -> None:
        link = self.link
        ctrl = link.ctrl
        while not self.closing:
            if ctrl[0] != link.seen:
                self._drain()
                continue  # a command may have ended, replaced or paused the run
            run = self.run
            if run is None or not run.has_work():
                self._idle(run)
                continue
            if run.state != RUNNING:
                self._set_state(run, RUNNING)
            if self.slow and not self._nap(run):
                continue
            self._advance(run)
            if ctrl[1] != link.answered:
                self._send_frame()

    def _drain(self) -> None:
        for msg in self.link.messages():
            self.handlers[type(msg)](msg)

    def _wait(self, timeout: float) -> bool:
        """Sleep until a message (handled) or a frame request arrives (True) or ``timeout``
        passes (False)."""
        woken = self.link.wait(timeout)
        self._drain()
        return woken

    def _idle(self, run: Run | None) -> None:
        if run is not None and not run.done and run.state != PAUSED:
            self._set_state(run, PAUSED)
        if self.link.frame_asked():
            self._send_frame()  # the views show where training stopped
        if not self._wait(PARENT_CHECK_S):
            self.link.check_parent()

    def _nap(self, run: Run) -> bool:
        """Slow motion: sleep until the next batch is due, waking for any message. True when
        it is time to train, False when a message came (the caller re-checks its controls)."""
        interval = run.interval(self.speed)
        if interval is None:
            return True
        remaining = self.last_start + interval - time.perf_counter()
        if remaining <= 0:
            return True
        if self.link.frame_asked():
            self._send_frame()
        return not self._wait(remaining)

    def _advance(self, run: Run) -> None:
        """One ``next()`` of the trainer: a batch, an epoch report, or the end."""
        start = time.perf_counter()
        if start > self.next_check:
            self.link.check_parent()
            self.next_check = start + PARENT_CHECK_S
        try:
            report = next(run.steps)
        except StopIteration:
            self._finish(run, COMPLETED)
            return
        except Exception as exc:  # the engine's error is the run's, not the process's
            self._finish(run, FAILED, describe(exc))
            return
        kind = type(report)
        if kind is BatchReport:
            self.last_start = start
            self.losses.append(report.loss)
            stepped = bool(run.batch_steps) and not run.running  # Step: this one batch
            run.counted(report)
            if self.slow or stepped:
                indices = np.array(run.trainer.last_batch, np.int64)
                self.events.append((run.id, "indices", (report.epoch, report.batch, indices)))
        elif kind is EpochReport:
            self._flush_losses(run.id)  # the epoch's batches arrive before its report
            # The trainer keeps no history here (it would grow for hours): the GUI does.
            self.events.append((run.id, "epoch", dataclasses.asdict(report)))
            run.counted(None)
        else:  # DivergedReport: the trainer has restored the last finite weights
            self._finish(run, DIVERGED, report.message)

    # --- publishing -----------------------------------------------------------------------
    def _flush_losses(self, run_id: int) -> None:
        if self.losses:
            self.events.append((run_id, "batches", self.losses))
            self.losses = []

    def _set_state(self, run: Run, state: str, message: str = "") -> None:
        run.state = state
        self.events.append((run.id, "state", (state, message)))

    def _finish(self, run: Run, state: str, message: str = "") -> None:
        self._flush_losses(run.id)
        run.done = True
        run.snapshot_due = state != FAILED  # after a failure the weights may be half-stepped
        self._set_state(run, state, message)

    def _send_frame(self) -> None:
        run, meta = self.run, None
        if run is not None:
            self._flush_losses(run.id)
            if run.wants_snapshot():
                meta = run.write_snapshot()
        events, self.events = self.events, []
        self.link.answer(FrameReply(events, meta))

    # --- commands -------------------------------------------------------------------------
    def _on_start(self, msg: Start) -> None:
        self._drop_run()
        try:
            try:
                arrays = self.data.arrays(msg.data_key)
            except KeyError as exc:
                raise SpecError(exc.args[0]) from None
            self._map_snapshot(msg.snapshot_name)
            self.run = Run(msg, arrays, self.snapshot)
        except Exception as exc:  # a bad spec, weights or data: the run fails, we live on
            self.events.append((msg.run_id, "state", (FAILED, describe(exc))))

    def _drop_run(self) -> None:
        # Whatever the old run had not sent yet belongs to a run the parent has left behind.
        self.run = None
        self.events, self.losses = [], []
        self.last_start = 0.0
        self.data.retry()

    def _map_snapshot(self, name: str) -> None:
        if self.snapshot is not None and self.snapshot.name == name:
            return
        self.data.retire(self.snapshot)  # the old run viewed it; it has gone (or will)
        self.snapshot = None
        self.snapshot = shm.attach(name)

    def _on_control(self, msg: Control) -> None:
        run = self.run
        if run is None or run.id != msg.run_id or run.done:
            return  # meant for a run that has ended: nothing to do
        if msg.action == "end":
            self._finish(run, STOPPED)
        else:
            run.control(msg.action)

    def _on_configure(self, msg: Configure) -> None:
        run = self.run
        if run is None or run.id != msg.run_id or run.done:
            return
        try:
            run.configure(msg.changes)
        except SpecError as exc:
            self._finish(run, FAILED, describe(exc))

    def _on_speed(self, msg: Speed) -> None:
        self.speed = msg
        self.slow = bool(msg.batches_per_second or msg.epochs_per_second)

    def _on_data(self, msg: Data) -> None:
        self.data.add(msg.key, msg.shm_name, msg.layout)

    def _on_drop_data(self, msg: DropData) -> None:
        self.data.drop(msg.key)

    def _on_info(self, msg: Info) -> None:
        info = {
            "pid": os.getpid(),
            "modules": sorted({name.split(".")[0] for name in sys.modules}),
            "env": {k: os.environ.get(k) for k in BLAS_VARS},
        }
        self.link.send(InfoReply(info))

    def _on_close(self, msg: Close) -> None:
        self.closing = True

    def close(self) -> None:
        """Unmap every segment (the parent unlinks them): views first, then the mappings."""
        self.run = None
        gc.collect()
        self.data.retire(self.snapshot)
        self.snapshot = None
        self.data.close()
        self.link.close()
