"""GUI-thread side of training: turns Play / Pause / Step / Reset into worker runs.

The controller builds a ``Trainer`` on a *copy* of the session's model, hands it to a
``TrainingWorker`` thread and drains the worker's latest-value snapshot with a timer
(<= 30 Hz) into ``Session.apply_snapshot``. Hyper-parameters are forwarded live; anything the
running trainer cannot absorb (a new structure, data set or loss) ends the run, and the next
Play starts a new one from the current weights.
"""

from __future__ import annotations

import dataclasses
import threading
import time

from PySide6 import QtCore

from visualnn.engine import SpecError, Trainer
from visualnn.ui.model.session import Session
from visualnn.ui.workers.training import TrainingWorker

#: Settings the worker can apply between two batches; everything else restarts the run.
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
    }
)
#: The drain timer's rate while the worker runs: how often the controller considers handing
#: a snapshot to the views (every tick wakes the GUI thread and costs the trainer a GIL
#: hand-over, so it is off while the worker sleeps).
DRAIN_HZ = 10
#: ... and the shortest time between two frames (one tick, less timer jitter). Longer than
#: the views' redraw delays (50-70 ms): a frame's cost is paid before the next is considered.
MIN_FRAME_S = 0.09
_META_CALL = QtCore.QEvent.MetaCall
#: Share of one core the GUI thread may use while training. Python threads share one GIL,
#: so every millisecond the views spend in Python is taken from the trainer: the next frame
#: waits until the GUI thread's CPU time since the last one is at most this share of the
#: wall time (a 20 ms frame at 0.08: a frame every 250 ms). Cheaper frames, more frames.
GUI_BUDGET = 0.08
#: ... but the views never go longer than this without a new snapshot.
MAX_STALE_S = 0.5
#: ``sys.setswitchinterval`` for the app. The trainer thread is CPU-bound Python and the GUI
#: thread drops the GIL on many Qt calls; each time it waits up to this long to get it back
#: (5 ms by default, which turns one redraw of a few hundred Qt calls into a visible stall).
SWITCH_INTERVAL_S = 0.0002


class TrainingController(QtCore.QObject):
    """Owns at most one ``TrainingWorker`` and keeps ``session`` in step with it.

    Signals
    -------
    failed(str)
        The worker raised or a run could not start; the text is for the user.
    """

    failed = QtCore.Signal(str)

    def __init__(self, session: Session, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.worker: TrainingWorker | None = None
        self._epoch_offset = 0
        self.samples_per_second = 0.0
        self._timer = QtCore.QTimer(self)
        self._timer.setInterval(int(1000 / DRAIN_HZ))
        self._timer.timeout.connect(self._on_timer_timeout)
        self.frames = 0  # snapshots handed to the views (benchmarks report the rate)
        self._last_frame = (time.thread_time(), 0.0)  # (GUI CPU time, wall time) of it
        # Open while the GUI event loop sleeps, closed while it handles events: the worker
        # starts batches only through an open gate (with a timeout), so redraws run without
        # a CPU-bound thread taking the GIL back after every Qt call.
        self.gate = threading.Event()
        self.gate.set()
        self._dispatcher = None
        session.project.document.changed.connect(self._on_document_changed)
        session.project.dataset_changed.connect(self._on_session_restart_needed)

    # --- user actions ---------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.session.inspect.training_state == "running"

    def toggle(self) -> None:
        """Play if paused, pause if playing (the Space key)."""
        self.pause() if self.running else self.play()

    def play(self) -> None:
        if self._ensure_worker():
            self.worker.play()
            self.session.inspect.set_training_state("running")

    def pause(self) -> None:
        if self.worker is not None:
            self.worker.pause()
            self.session.inspect.set_training_state("paused")

    def step_batch(self) -> None:
        if self._ensure_worker():
            self.worker.step_batch()

    def step_epoch(self) -> None:
        if self._ensure_worker():
            self.worker.step_epoch()

    def reset(self) -> None:
        """End the run and re-initialise the weights with the seed; history is cleared."""
        self.stop()
        self.session.build_model(keep_weights=False)
        self.session.project.clear_history()
        self.session.inspect.set_training_state("idle")

    def update_config(self, **changes) -> None:
        """Change hyper-parameters now: live when the trainer can, else from the next Play.

        Keys are ``TrainConfig`` fields; a value that cannot train raises ``SpecError`` and
        changes nothing.
        """
        self.session.project.set_config(**changes)
        if self.worker is None:
            return
        live = {k: v for k, v in changes.items() if k in LIVE_KEYS}
        if "epochs" in live:  # the trainer counts its own epochs from 0
            live["epochs"] = max(int(live["epochs"]) - self._epoch_offset, 1)
        if len(live) < len(changes):
            self._end_run(paused=True)
        elif live:
            self.worker.request_changes(**live)

    def stop(self, timeout: float = 2.0) -> bool:
        """End the current run (if any) and join its thread; True if it ended in time."""
        return self._end_run(paused=False, timeout=timeout)

    # --- runs -----------------------------------------------------------------------------
    def _ensure_worker(self) -> bool:
        if self.worker is not None:
            return True
        session = self.session
        if session.inspect.model is None or session.project.dataset is None:
            msg = (
                str(session.inspect.spec_error)
                if session.inspect.spec_error
                else "nothing to train yet"
            )
            self.failed.emit(f"Cannot train: {msg}")
            return False
        done = len(session.project.history)
        epochs = (
            session.project.config.epochs - done if done < session.project.config.epochs else None
        )
        config = dataclasses.replace(
            session.project.config, epochs=epochs or session.project.config.epochs
        )
        ds = session.project.dataset
        try:
            trainer = Trainer(
                session.inspect.model.copy(),
                train=(ds.x_train, ds.y_train),
                val=(ds.x_test, ds.y_test),
                config=config,
                task=session.project.task,
            )
        except (SpecError, ValueError) as exc:
            self.failed.emit(f"Cannot train: {exc}")
            return False
        self._epoch_offset = done
        self._watch_event_loop(True)
        worker = TrainingWorker(trainer, gate=self.gate, parent=None)
        worker.diverged.connect(self._on_worker_diverged)
        worker.completed.connect(self._on_worker_completed)
        worker.failed.connect(self._on_worker_failed)
        worker.paused.connect(self._on_worker_paused)
        worker.resumed.connect(self._on_worker_resumed)
        self.worker = worker
        worker.start()
        self._timer.start()
        return True

    def _end_run(self, paused: bool, timeout: float = 2.0, drain: bool = True) -> bool:
        worker, self.worker = self.worker, None
        if worker is None:
            return True
        ok = worker.stop(timeout)
        self._timer.stop()
        self._watch_event_loop(False)
        if drain:
            self._flush_progress(worker)
            self._drain(worker)
        if paused and self.session.inspect.training_state in ("running", "paused"):
            self.session.inspect.set_training_state("paused")
        return ok

    def _watch_event_loop(self, on: bool) -> None:
        app = QtCore.QCoreApplication.instance()
        if on and self._dispatcher is None and app is not None:
            self._dispatcher = QtCore.QAbstractEventDispatcher.instance(self.thread())
            if self._dispatcher is not None:
                app.installEventFilter(self)
                self._dispatcher.aboutToBlock.connect(self._on_dispatcher_about_to_block)
        elif not on and self._dispatcher is not None:
            if app is not None:
                app.removeEventFilter(self)
            self._dispatcher.aboutToBlock.disconnect(self._on_dispatcher_about_to_block)
            self._dispatcher = None
            self.gate.set()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        # A timer, paint, layout or input event means GUI work is starting: close the gate;
        # the event loop going back to sleep opens it again. Queued signals (the worker's
        # own reports, a hundred a second) are cheap slots and must not stall the worker.
        if event.type() != _META_CALL:
            self.gate.clear()
        return False

    def _on_dispatcher_about_to_block(self) -> None:
        self.gate.set()

    def _drain(self, worker: TrainingWorker | None) -> None:
        snap = worker.take_snapshot() if worker is not None else None
        if snap is not None:
            self.session.inspect.apply_snapshot(snap["weights"], snap["grads"])

    def _current(self) -> bool:
        # Queued signals of a run that already ended must not touch the session.
        return self.sender() is not None and self.sender() is self.worker

    # --- slots ----------------------------------------------------------------------------
    def _on_timer_timeout(self) -> None:
        cpu, wall = time.thread_time(), time.perf_counter()
        since = wall - self._last_frame[1]
        gui_load = (cpu - self._last_frame[0]) / max(since, 1e-3)  # share of a core
        if since < MIN_FRAME_S:
            return
        if gui_load > GUI_BUDGET and since < MAX_STALE_S:
            return  # the last frame is not paid for yet: the trainer gets the GIL meanwhile
        self._last_frame = (cpu, wall)
        self.frames += 1
        self._flush_progress()
        self._drain(self.worker)

    def _flush_progress(self, worker: TrainingWorker | None = None) -> None:
        # Reports wait in the worker until a frame takes them: every history change redraws
        # plots and labels, and a toy set finishes a hundred epochs a second.
        worker = worker or self.worker
        events = worker.take_progress() if worker is not None else []
        epochs = [report for kind, report in events if kind == "epoch"]
        losses = [v for kind, batch in events if kind == "batches" for v in batch]
        if epochs:
            self.samples_per_second = float(epochs[-1].get("samples_per_second") or 0.0)
        self.session.project.record_progress(epochs, losses)

    def _on_worker_paused(self) -> None:
        if self._current():
            # The worker published before it went to sleep: show that, then stop ticking
            # (``resumed`` starts the timer again).
            self._timer.stop()
            self._flush_progress()
            self._drain(self.worker)
            if self.session.inspect.training_state in ("running", "paused"):
                self.session.inspect.set_training_state("paused")

    def _on_worker_resumed(self) -> None:
        if not self._current():
            return
        self._timer.start()
        if self.session.inspect.training_state in ("running", "paused", "idle"):
            self.session.inspect.set_training_state("running")

    def _on_worker_completed(self) -> None:
        if self._current():
            self._end_run(paused=False)
            self.session.inspect.set_training_state("finished")

    def _on_worker_diverged(self, text: str) -> None:
        if self._current():
            self._end_run(paused=False)
            self.session.inspect.set_training_state("diverged")
            self.session.inspect.diverged.emit(text)

    def _on_worker_failed(self, text: str) -> None:
        if self._current():
            self._end_run(paused=False)
            self.session.inspect.set_training_state("paused")
            self.failed.emit(f"Training stopped: {text}")

    def _on_document_changed(self) -> None:
        # The session has rebuilt the model (unchanged layers keep their weights): the run's
        # model no longer exists; the next Play starts a new run from the view's weights.
        if self.worker is not None:
            self._end_run(paused=True, drain=False)

    def _on_session_restart_needed(self) -> None:
        if self.worker is not None:
            self._end_run(paused=True)
