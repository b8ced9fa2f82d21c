"""The GUI side of training: Play / Pause / Step / Reset over a trainer in its own process.

Training runs in a child process (:class:`visualnn.ui.training.TrainerProcess`), so the
views and the trainer never share an interpreter: the window redraws at the display's pace
while the trainer keeps its headless speed. Once per display frame the frame clock asks this
controller for news: the batches and epochs trained since the last frame go into the
project's history, the newest weights into the views' model, state changes into the
session. Hyper-parameters the running trainer can absorb are sent live; anything else (a new
network, data set or loss) ends the run, and the next Play starts a new one from the
weights the views show.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore

from visualnn.engine import SpecError
from visualnn.ui.model.health import learning_trouble
from visualnn.ui.model.project_state import SPEEDS, batch_by_batch, shows_batch
from visualnn.ui.pacing import frame_clock
from visualnn.ui.training import LIVE_KEYS, TrainerProcess

#: How long ``stop`` waits for a run's final weights before ending it regardless.
STOP_WAIT_S = 1.0


class TrainingController(QtCore.QObject):
    """The window's one training pipeline.

    Signals
    -------
    failed(str)
        A run could not start or the trainer failed; the text is for the user.
    warned(str)
        Training runs but is not learning (the loss rises or stays far above its start);
        the text says what is happening and what to try.
    """

    failed = QtCore.Signal(str)
    warned = QtCore.Signal(str)

    def __init__(self, session, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.process = TrainerProcess()
        self.run_id: int | None = None
        self.samples_per_second = 0.0
        self.frames = 0  # frames that brought news (the GUI benchmark reads it)
        self._data = (None, None)  # (dataset object, key) shared with the process
        self._keys = 0
        self._warned_at: int | None = None
        #: A command is out (Play, a step) whose outcome has not come back yet: "sent" until
        #: the run reports it runs, "running" until it pauses or ends; the frame clock keeps
        #: polling meanwhile. (A "paused" before "running" is the run's state from before the
        #: command, e.g. a new run starting paused: it does not end the wait.)
        self._busy: str | None = None
        project = session.project
        project.document.changed.connect(self._on_network_changed)
        project.dataset_changed.connect(self._on_project_dataset_changed)
        project.speed_changed.connect(self._on_project_speed_changed)
        frame_clock().add_producer(self._on_frame)
        self._on_project_speed_changed(project.speed)

    # --- user actions ---------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.session.inspect.training_state == "running"

    def toggle(self) -> None:
        """Play if paused, pause if playing (the Space key)."""
        self.pause() if self.running else self.play()

    def play(self) -> None:
        if self._ensure_run():
            self.process.play()
            self._forget_batch()
            self.session.inspect.set_training_state("running")
            self._expect_news()

    def _forget_batch(self) -> None:
        """Faster than batch by batch no batch is published: the one a Step or slow motion
        left on show (ringed points, the strip of pictures) is no longer the one training."""
        if not batch_by_batch(self.session.project.speed):
            self.session.inspect.set_batch(np.zeros(0, np.int64))

    def pause(self) -> None:
        if self.run_id is not None:
            self.process.pause()
            self.session.inspect.set_training_state("paused")

    def step_batch(self) -> None:
        if self._ensure_run():
            self.process.step_batch()
            self._expect_news()

    def step_epoch(self) -> None:
        if self._ensure_run():
            self.process.step_epoch()
            self._expect_news()

    def _expect_news(self) -> None:
        self._busy = "sent"
        frame_clock().wake()

    def reset(self) -> None:
        """End the run and re-initialise the weights with the seed; history is cleared."""
        self.stop()
        self.session.build_model(keep_weights=False)
        self.session.project.clear_history()
        self.session.inspect.set_training_state("idle")
        self._warned_at = None

    def update_config(self, **changes) -> None:
        """Change hyper-parameters now: live when the trainer can, else from the next Play.

        Keys are ``TrainConfig`` fields; a value that cannot train raises ``SpecError`` and
        changes nothing.
        """
        self.session.project.set_config(**changes)
        if self.run_id is None:
            return
        if set(changes) <= LIVE_KEYS:
            self.process.update(**changes)
        else:  # a new loss or seed: the run's trainer cannot take it
            self._end_run()

    def stop(self, timeout: float = STOP_WAIT_S) -> bool:
        """End the current run, keeping its final weights; True if they arrived in time."""
        return self._end_run(timeout=timeout)

    def shutdown(self) -> None:
        """End training and the trainer process (closing the window): at once, even in the
        middle of a batch that takes seconds."""
        self.run_id = None
        self.process.close(timeout=0.5)

    # --- runs -----------------------------------------------------------------------------
    def _data_key(self, ds):
        """The key the process knows ``ds`` by (shared once; the old set is dropped)."""
        current, key = self._data
        if current is ds:
            return key
        if key is not None:
            self.process.drop_data(key)
        self._keys += 1
        key = f"data-{self._keys}"
        self.process.set_data(key, ds.x_train, ds.y_train, ds.x_test, ds.y_test,
                              gain_units=ds.gain_units())  # fmt: skip
        self._data = (ds, key)
        return key

    def _ensure_run(self) -> bool:
        if self.run_id is not None:
            return True
        s = self.session
        model, ds = s.inspect.model, s.project.dataset
        if model is None or ds is None:
            err = s.inspect.spec_error
            self.failed.emit(f"Cannot train: {err if err else 'nothing to train yet'}")
            return False
        config = s.project.config.to_dict()
        done = len(s.project.history)
        if done >= config["epochs"]:  # all asked-for epochs ran: Play trains as many again
            config["epochs"] = done + config["epochs"]
        try:
            self.run_id = self.process.start_run(
                s.project.document.spec(), tuple(s.project.document.input_shape),
                s.project.seed, model.get_weights(), config, s.project.task,
                self._data_key(ds), epochs_done=done,
            )  # fmt: skip
        except (SpecError, ValueError, OSError, RuntimeError) as exc:
            self.failed.emit(f"Cannot train: {exc}")
            return False
        return True

    def _end_run(self, timeout: float = STOP_WAIT_S) -> bool:
        if self.run_id is None:
            return True
        self.process.end_run()
        update = self.process.poll(timeout=timeout)
        arrived = update.snapshot is not None or bool(update.states)
        self._apply(update)
        self.run_id = None
        if self.session.inspect.training_state == "running":
            self.session.inspect.set_training_state("paused")
        return arrived

    # --- news from the process, once a frame ------------------------------------------------
    def _on_frame(self) -> bool:
        """The frame clock's producer: True while a run may still bring news."""
        if self.run_id is None:
            return False
        self._apply(self.process.poll())
        return self.run_id is not None and (self._busy is not None or self.running)

    def _apply(self, update) -> None:
        s = self.session
        if update.run_id != self.run_id:
            return
        if update.progress:
            self.frames += 1
        epochs, losses = update.epochs, update.losses
        if epochs:
            self.samples_per_second = float(epochs[-1].get("samples_per_second") or 0.0)
        s.project.record_progress(epochs, losses)
        # at epochs a second the batch shown would jump many times a second
        readable = shows_batch(s.project.speed, s.inspect.training_state)
        if update.batch_indices and readable:
            s.inspect.set_batch(update.batch_indices[-1][2])
        if update.snapshot is not None:
            s.inspect.apply_snapshot(update.snapshot.weights, update.snapshot.grads)
        for state, message in update.states:
            self._on_state(state, message)
        if epochs:
            self._check_learning()

    def _on_state(self, state: str, message: str) -> None:
        inspect = self.session.inspect
        if state == "running":
            self._busy = "running"
        elif state != "paused" or self._busy == "running":
            self._busy = None
        if state == "running":
            inspect.set_training_state("running")
        elif state == "paused":
            inspect.set_training_state("paused")
        elif state == "completed":
            self.run_id = None
            inspect.set_training_state("finished")
        elif state == "diverged":
            self.run_id = None
            inspect.set_training_state("diverged")
            inspect.diverged.emit(divergence_text(message))
        elif state == "failed":
            self.run_id = None
            inspect.set_training_state("paused")
            self.failed.emit(f"Training stopped: {message}")

    def _check_learning(self) -> None:
        """Warn once per episode when the loss rises or stays far above its start."""
        history = self.session.project.history
        trouble = learning_trouble(history.epochs, self.session.project.config)
        if trouble is None:
            self._warned_at = None
            return
        epoch, text = trouble
        if self._warned_at is None:
            self._warned_at = epoch
            history.add_mark(epoch, "not learning")
            self.warned.emit(text)

    # --- slots ----------------------------------------------------------------------------
    def _on_network_changed(self) -> None:
        # The views' model was rebuilt (unchanged layers keep their weights): the run's
        # network no longer exists; the next Play starts from the views' weights.
        if self.run_id is not None:
            self.process.end_run()
            self.run_id = None
            if self.session.inspect.training_state == "running":
                self.session.inspect.set_training_state("paused")

    def _on_project_dataset_changed(self) -> None:
        self._on_network_changed()

    def _on_project_speed_changed(self, key: str) -> None:
        _label, epochs_per_second, batches_per_second = SPEEDS.get(key, SPEEDS["max"])
        self.process.set_speed(
            batches_per_second=batches_per_second, epochs_per_second=epochs_per_second
        )
        if self.running:
            self._forget_batch()


def divergence_text(message: str) -> str:
    """The banner's words (rich text): where it blew up, the value, and what to try."""
    message = str(message).strip()
    if message:
        message = message[0].upper() + message[1:]
    return (
        f"<b>Training diverged.</b><br>{message}<br>"
        "Then press Play to go on from there, or Reset to start over."
    )
