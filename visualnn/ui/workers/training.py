"""The training thread: runs the engine's ``Trainer.steps()`` off the GUI thread.

The worker owns its own model and trainer; nothing it touches is shared with the GUI except
three lock-protected slots:

* control flags (play / pause / step a batch / step an epoch / stop), checked between
  batches, with a condition variable so a paused worker sleeps instead of spinning;
* pending hyper-parameter changes handed over by the GUI and applied before the next batch;
* a latest-value snapshot (copies of weights and gradients) written at most ``publish_hz``
  times a second and taken by a GUI-thread timer, so views redraw at their own pace and
  never once per step.

Reports cross to the GUI as queued signals; batch losses are batched up for the same reason.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import weakref

from PySide6 import QtCore

#: Longest the worker waits for a busy GUI event loop before it trains on regardless.
GATE_TIMEOUT_S = 0.05

#: Every worker started and not yet joined; the test fixture checks it is empty afterwards.
_LIVE: weakref.WeakSet = weakref.WeakSet()


def live_workers() -> list[TrainingWorker]:
    """Workers whose thread is still running (for tests and for the window's close check)."""
    return [w for w in list(_LIVE) if w.isRunning()]


def report_dict(report) -> dict:
    """A plain dict of an engine report (a dataclass) with its kind added."""
    data = dataclasses.asdict(report) if dataclasses.is_dataclass(report) else dict(vars(report))
    data["kind"] = type(report).__name__
    return data


class TrainingWorker(QtCore.QThread):
    """One training run of ``trainer`` on a thread of its own.

    Parameters
    ----------
    trainer : visualnn.engine.Trainer
        Built by the GUI thread on a *copy* of the model; from ``start()`` on only this
        thread touches it.
    publish_hz : float
        Upper bound on weight snapshots per second.
    gate : threading.Event, optional
        Set while the GUI event loop is idle; each batch waits for it (at most
        ``GATE_TIMEOUT_S``) so a redraw is not interleaved with training batches.

    Signals
    -------
    epoch_finished(dict)
        An ``EpochReport`` as a dict.
    batches_done(list)
        Losses of the batches since the last emission (floats), throttled like snapshots.
    snapshot_ready()
        A new snapshot waits in the slot (``take_snapshot``), and so may progress events
        (``take_progress``): the controller listens to this one signal instead of one queued
        ``epoch_finished`` per epoch (a toy set runs hundreds a second, and each queued
        signal wakes the GUI thread and takes the GIL from this one).
    diverged(str)
        The run stopped on a non-finite loss or gradient; the text says where and what to try.
        The snapshot slot then holds the last finite weights.
    completed()
        Every epoch asked for has run.
    failed(str)
        An exception escaped the engine; the text is its message.
    paused(), resumed()
        The worker went to sleep between batches / woke up to train.

    ``finished()`` (from ``QThread``) follows any of the endings above and ``stop()``.
    """

    # ``object`` rather than dict/list: the Python object is handed over as is instead of
    # being converted to a QVariantMap/List and back on every emission.
    epoch_finished = QtCore.Signal(object)
    batches_done = QtCore.Signal(object)
    snapshot_ready = QtCore.Signal()
    diverged = QtCore.Signal(str)
    completed = QtCore.Signal()
    failed = QtCore.Signal(str)
    paused = QtCore.Signal()
    resumed = QtCore.Signal()

    def __init__(
        self, trainer, publish_hz: float = 20.0, gate: threading.Event | None = None, parent=None
    ) -> None:
        super().__init__(parent)
        #: Set while the GUI event loop sleeps (see ``TrainingController``): the worker only
        #: starts a batch then, so the two threads do not fight over the GIL during a redraw.
        self.gate = gate
        self.setObjectName("visualnn-training")
        self.trainer = trainer
        self._min_interval = 1.0 / max(publish_hz, 1e-3)
        self._cond = threading.Condition()
        self._running = False  # free-running (Play) vs paused
        self._stop = False
        self._batch_steps = 0  # pending single-batch steps
        self._epoch_steps = 0  # pending "run to the end of the epoch" requests
        self._pending: dict = {}
        self._snapshot: dict | None = None
        self._events: list[tuple[str, object]] = []  # ("batches", [...]) / ("epoch", dict)
        self.last_divergence = None  # the DivergedReport, for the GUI's banner
        self.samples_per_second = 0.0

    # --- GUI-thread controls (thread-safe) ------------------------------------------------
    def play(self) -> None:
        """Train freely until paused, stopped or done."""
        self._control(running=True)

    def pause(self) -> None:
        """Sleep after the current batch (pending single steps are cancelled)."""
        self._control(running=False, clear_steps=True)

    def step_batch(self) -> None:
        """Train exactly one more batch, then pause."""
        self._control(running=False, batch=1)

    def step_epoch(self) -> None:
        """Train to the end of the current epoch (its report included), then pause."""
        self._control(running=False, epoch=1)

    def request_changes(self, **changes) -> None:
        """Hand over hyper-parameter changes; they apply before the next batch."""
        with self._cond:
            self._pending.update(changes)

    def stop(self, timeout: float = 2.0) -> bool:
        """Ask the thread to end and join it; returns True if it ended within ``timeout``."""
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        ok = self.wait(int(timeout * 1000)) if self.isRunning() else True
        if ok:
            _LIVE.discard(self)
        return ok

    def take_snapshot(self) -> dict | None:
        """The newest snapshot ``{"weights", "grads", "samples_seen"}`` or None; clears it."""
        with self._cond:
            snap, self._snapshot = self._snapshot, None
        return snap

    def take_progress(self) -> list[tuple[str, object]]:
        """Reports since the last call, in order: ``("batches", [loss, ...])`` and
        ``("epoch", report_dict)``, as ``Session.record_progress`` takes them."""
        with self._cond:
            events, self._events = self._events, []
        return events

    def start(self, *args) -> None:  # noqa: D102 - QThread.start, plus the registry
        _LIVE.add(self)
        super().start(*args)

    def _control(self, running: bool, batch: int = 0, epoch: int = 0, clear_steps=False):
        with self._cond:
            self._running = running
            if clear_steps:
                self._batch_steps = self._epoch_steps = 0
            self._batch_steps += batch
            self._epoch_steps += epoch
            self._cond.notify_all()

    # --- worker thread --------------------------------------------------------------------
    def _wait_for_work(self) -> tuple[bool, dict]:
        """Block while paused; return (go on?, pending changes)."""
        with self._cond:
            if not (self._running or self._batch_steps or self._epoch_steps or self._stop):
                self.paused.emit()
                while not (self._running or self._batch_steps or self._epoch_steps):
                    if self._stop:
                        break
                    self._cond.wait()
                if not self._stop:
                    self.resumed.emit()
            changes, self._pending = self._pending, {}
            return not self._stop, changes

    def _apply_changes(self, changes: dict) -> None:
        trainer = self.trainer
        extras = changes.pop("optimizer_options", {})
        name = changes.pop("optimizer", None)
        for key, value in changes.items():
            # Plain attributes apply from the next step and keep the optimizer's state
            # (momentum buffers, Adam moments), as changing them in torch would.
            if hasattr(trainer.config, key):
                setattr(trainer.config, key, value)
            if hasattr(trainer.optimizer, key):
                setattr(trainer.optimizer, key, value)
        if name is not None and name != getattr(trainer.optimizer, "name", None):
            trainer.set_optimizer(name, **extras)

    def _has_work(self) -> bool:
        with self._cond:
            return bool(self._running or self._batch_steps or self._epoch_steps or self._stop)

    def _publish(self, losses: list[float], samples_seen: int) -> None:
        """Put copies of the weights and last gradients in the slot; flush batch losses."""
        model = self.trainer.model
        grads = [{k: v.copy() for k, v in layer.grads.items()} for layer in model.layers]
        with self._cond:
            self._snapshot = {
                "weights": model.get_weights(),
                "grads": grads,
                "samples_seen": samples_seen,
            }
        self._flush(losses)
        self.snapshot_ready.emit()

    def _flush(self, losses: list[float]) -> None:
        if losses:
            batch = list(losses)
            with self._cond:
                self._events.append(("batches", batch))
            self.batches_done.emit(batch)
            losses.clear()

    def _take_step(self, counter: str) -> bool:
        """Count down a pending single step; True if one was pending."""
        if not getattr(self, counter):  # cheap unlocked peek: the common free-running case
            return False
        with self._cond:
            value = getattr(self, counter)
            if value:
                setattr(self, counter, value - 1)
            return bool(value)

    def run(self) -> None:  # noqa: C901 - one loop, its branches are the report kinds
        losses: list[float] = []
        last_publish = 0.0
        samples_seen = 0
        unpublished = False
        try:
            steps = self.trainer.steps()
            while True:
                # Unlocked peek (attribute reads are atomic): the locked slow path only runs
                # when something is asked of the worker, not on every batch.
                if (
                    not self._running
                    or self._stop
                    or self._pending
                    or self._batch_steps
                    or self._epoch_steps
                ):
                    if unpublished and not self._has_work():
                        # About to sleep: the views must show where training stopped.
                        self._publish(losses, samples_seen)
                        unpublished = False
                    go_on, changes = self._wait_for_work()
                    if not go_on:
                        break
                    if changes:
                        self._apply_changes(changes)
                gate = self.gate
                if gate is not None and not gate.is_set():
                    gate.wait(GATE_TIMEOUT_S)
                try:
                    report = next(steps)
                except StopIteration:
                    self._publish(losses, samples_seen)
                    self.completed.emit()
                    break
                now = time.perf_counter()
                kind = type(report).__name__
                if kind == "BatchReport":
                    losses.append(float(report.loss))
                    samples_seen = int(report.samples_seen)
                    due = self._take_step("_batch_steps")
                elif kind == "EpochReport":
                    self.samples_per_second = float(report.samples_per_second or 0.0)
                    due = self._take_step("_epoch_steps")
                    self._flush(losses)  # the epoch's batches arrive before its report
                    entry = report_dict(report)
                    with self._cond:
                        self._events.append(("epoch", entry))
                    self.epoch_finished.emit(entry)
                else:  # DivergedReport: the trainer has restored the last finite weights
                    self.last_divergence = report
                    self._publish(losses, samples_seen)
                    self.diverged.emit(divergence_text(report))
                    break
                if due or now - last_publish >= self._min_interval:
                    self._publish(losses, samples_seen)
                    last_publish, unpublished = now, False
                else:
                    unpublished = True
        except Exception as exc:  # the GUI shows it; a dead thread must not take the app
            self.failed.emit(f"{type(exc).__name__}: {exc}")


def divergence_text(report) -> str:
    """The banner's words (rich text): where it blew up, the value, and what to try."""
    message = str(getattr(report, "message", "")).strip()
    if message:
        message = message[0].upper() + message[1:]
    return (
        f"<b>Training diverged at step {getattr(report, 'step', '?')}.</b><br>{message}<br>"
        "Then press Play to go on from there, or Reset to start over."
    )
