"""``TrainerProcess``: the GUI's handle on a trainer running in a process of its own.

Everything here is called from one thread (the GUI's) and never blocks on the child, except
``close`` (bounded) and ``poll``/``child_info`` when given a timeout. Transport:

* commands: pickled, written by a sender thread (``child.py``), announced by a counter;
* data sets: one shared-memory segment each, sent once and mapped by the child (no copy);
* snapshots: the parent keeps one frame request outstanding (a counter in shared memory,
  plus a byte on a wake-up pipe for a child that sleeps); after its current batch the child
  copies weights and gradients into a shared segment and replies with the events since its
  last reply. The parent copies them out before it asks again, so one buffer is enough: the
  child writes only between a request and its reply.
"""

from __future__ import annotations

import time
import weakref

import numpy as np

from visualnn.engine import Sequential, SpecError, TrainConfig

from . import shm
from .child import ChildProcess, Resources
from .protocol import (
    FAILED,
    LIVE_KEYS,
    Configure,
    Control,
    Data,
    DropData,
    Info,
    InfoReply,
    Speed,
    Start,
)
from .updates import Update, merge_reply

#: BLAS threads of the child. One: on the 2-core target the GUI needs the other core, and a
#: BLAS thread that must share a core spins and yields. Measured (``visualnn.bench.process
#: --blas-threads 2 --gui-load 0.3``): digits-cnn and digits-mlp at 1-4 % of their speed with
#: one thread.
CHILD_BLAS_THREADS = 1
#: With a frame asked for this long ago and no answer, ``poll`` checks the child still lives
#: (its death normally shows at once, as the end of the reply pipe).
SILENCE_S = 1.0


class TrainerProcess:
    """Train in a child process; control it between batches; poll once per GUI frame.

    Parameters
    ----------
    blas_threads : int or None
        BLAS threads of the child (None: whatever the environment says).
    """

    def __init__(self, blas_threads: int | None = CHILD_BLAS_THREADS) -> None:
        self.blas_threads = blas_threads
        self._res = Resources()
        self._finalizer = weakref.finalize(self, self._res.release)
        self._sets = shm.OwnedSets(self._res.segments)
        self._run_id: int | None = None
        self._next_id = 1  # run ids count up over the handle's life, across children
        self._run_live = False  # the current run has not reported a final state
        self._config: dict | None = None
        self._speed = Speed()
        self._asked_at: float | None = None  # when the outstanding frame was asked for
        self._pending = Update()
        self._info: dict | None = None
        self._closed = False

    # --- the child ------------------------------------------------------------------------
    @property
    def run_id(self) -> int | None:
        """The current run (the last ``start_run``), None before the first."""
        return self._run_id

    @property
    def pid(self) -> int | None:
        """The child's process id, None while there is none."""
        return self._res.child.pid if self._res.child is not None else None

    def start(self) -> None:
        """Start the child now rather than at the first ``start_run`` (it takes about half a
        second to import NumPy and the engine); it then lives until ``close``."""
        self._ensure_child()

    def _ensure_child(self) -> ChildProcess:
        if self._closed:
            raise RuntimeError("the trainer process has been closed")
        child = self._res.child
        if child is not None and (child.broken or not child.alive()):
            self._child_died()  # died since the last poll: replace it
        if self._res.child is None:
            self._res.child = ChildProcess(self.blas_threads)
            self._sets.told = set()
            self._asked_at = None
            if self._speed != Speed():
                self._res.child.send(self._speed)
        return self._res.child

    def _send(self, msg) -> None:
        if self._res.child is not None:
            self._res.child.send(msg)

    # --- data and runs ----------------------------------------------------------------------
    def set_data(self, key, x_train, y_train, x_test=None, y_test=None, gain_units=None) -> None:
        """Share a data set with the child under ``key`` (a second call with it does nothing).

        Parameters
        ----------
        key : hashable
            Names the data set; runs refer to it. Same key, same content.
        x_train : np.ndarray
            ``(N, *input_shape)``.
        y_train : np.ndarray
            ``(N,)`` labels or ``(N, ...)`` targets.
        x_test, y_test : np.ndarray or None
            The validation set (None: none).
        gain_units : np.ndarray or None
            ``(bands,)`` for the ``gain_db`` augmentation (``Dataset.gain_units()``).
        """
        if self._closed:
            raise RuntimeError("the trainer process has been closed")
        given = (x_train, y_train, x_test, y_test, gain_units)
        arrays = [None if a is None else np.asarray(a) for a in given]
        self._sets.add(key, arrays)

    def drop_data(self, key) -> None:
        """Forget data set ``key`` and free its shared memory (once no run trains on it)."""
        if self._sets.drop(key):
            self._send(DropData(key))

    def start_run(
        self,
        spec: list[dict],
        input_shape: tuple[int, ...],
        seed: int,
        weights: list[dict[str, np.ndarray]] | None,
        config: dict,
        task: str,
        data_key,
        epochs_done: int = 0,
    ) -> int:
        """End any current run and start a new one, paused; returns its ``run_id``.

        ``weights`` as ``Sequential.get_weights()`` gives (None: the seed's); ``config`` as
        ``TrainConfig.to_dict()``: its ``epochs`` counts ``epochs_done`` too, and epoch
        reports are numbered on from ``epochs_done``. A bad config raises ``SpecError`` here;
        a bad spec, weights or data make the run report "failed".
        """
        if data_key not in self._sets:
            raise SpecError(f"no data set {data_key!r}: call set_data first")
        config = TrainConfig.from_dict(config).to_dict()
        if weights is None:
            weights = Sequential.from_spec(spec, input_shape, seed=seed).get_weights()
        weights = [{k: np.asarray(v) for k, v in w.items()} for w in weights]
        snapshot = self._res.snapshot_room(weights)
        self._ensure_child()
        shared = self._sets.announce(data_key)
        if shared is not None:
            self._send(Data(data_key, *shared))
        run_id, self._next_id = self._next_id, self._next_id + 1
        self._run_id, self._run_live, self._config = run_id, True, config
        self._pending = Update(run_id)  # whatever was waiting belongs to the run left behind
        shape = tuple(int(d) for d in input_shape)
        self._send(
            Start(run_id, spec, shape, seed, weights, config, task, data_key, int(epochs_done),
                  snapshot.name)
        )  # fmt: skip
        return run_id

    # --- controls -------------------------------------------------------------------------
    def _control(self, action: str) -> None:
        if self._run_live:
            self._send(Control(self._run_id, action))

    def play(self) -> None:
        """Train freely until paused, ended or done."""
        self._control("play")

    def pause(self) -> None:
        """Pause after the current batch (pending single steps are cancelled)."""
        self._control("pause")

    def step_batch(self) -> None:
        """Train exactly one more batch (and an epoch report due before it), then pause."""
        self._control("step_batch")

    def step_epoch(self) -> None:
        """Train to the end of the current epoch, its report included, then pause."""
        self._control("step_epoch")

    def end_run(self) -> None:
        """End the run after the current batch (at once if paused): it reports "stopped"
        with its final weights as the snapshot."""
        self._control("end")

    def update(self, **changes) -> None:
        """Change hyper-parameters of the run between two batches (``LIVE_KEYS``: lr,
        momentum, nesterov, betas, weight_decay, clip_norm, augment and optimizer from the
        next step, a new optimizer with fresh state; batch_size from the next epoch; epochs
        at once).

        Raises ``SpecError`` for another key or a value that cannot train. Without a live run
        there is nothing to change (the next ``start_run`` carries the whole config).
        """
        unknown = sorted(set(changes) - LIVE_KEYS)
        if unknown:
            raise SpecError(
                f"{', '.join(unknown)} cannot change during a run; live: {', '.join(LIVE_KEYS)}"
            )
        if self._config is None:
            return
        merged = {**self._config, **changes}
        TrainConfig.from_dict(merged)  # refuses what the child would refuse
        self._config = merged
        if self._run_live:
            self._send(Configure(self._run_id, dict(changes)))

    def set_speed(
        self, batches_per_second: float | None = None, epochs_per_second: float | None = None
    ) -> None:
        """Teaching speed, for this run and the next: as fast as possible (no argument), or
        slow motion at a target rate. In slow motion the child sleeps between batches (any
        command wakes it) and ``Update.batch_indices`` lists every batch's samples."""
        self._speed = Speed(batches_per_second, epochs_per_second)  # ValueError if nonsense
        self._send(self._speed)

    # --- what comes back ------------------------------------------------------------------
    def poll(self, timeout: float = 0.0) -> Update:
        """Everything of the current run since the last call (see ``Update``); never blocks
        unless ``timeout`` > 0, which waits up to that long for the child's next answer."""
        self._pump()
        self._ask()
        if timeout > 0 and self._asked_at is not None:
            self._wait_until(lambda: self._asked_at is None, timeout)
            self._ask()
        update, self._pending = self._pending, Update(self._run_id)
        return update

    def _wait_until(self, done, timeout: float) -> None:
        """Read replies until ``done()`` or ``timeout`` (or the child's death)."""
        child, deadline = self._res.child, time.monotonic() + timeout
        while child is not None and self._res.child is child and not done():
            left = deadline - time.monotonic()
            if left <= 0 or not child.replies.poll(left):
                break
            self._pump()

    def _ask(self) -> None:
        # Frames are asked for while a run lives: its final state comes in the last answer.
        if self._run_live and self._asked_at is None and self._res.child is not None:
            self._res.child.ask_frame()
            self._asked_at = time.monotonic()

    def _pump(self) -> None:
        """Read every reply waiting; notice a dead child."""
        child = self._res.child
        if child is None:
            return
        try:
            while child.replies.poll():
                msg = child.replies.recv()
                if isinstance(msg, InfoReply):
                    self._info = msg.info
                else:
                    self._asked_at = None
                    ended = merge_reply(self._pending, msg, self._run_id, self._res.snapshot)
                    self._run_live = self._run_live and not ended
        except (EOFError, OSError):
            self._child_died()
            return
        silent = self._asked_at is not None and time.monotonic() - self._asked_at > SILENCE_S
        if child.broken or (silent and not child.alive()):
            self._child_died()

    def _child_died(self) -> None:
        child, self._res.child = self._res.child, None
        child.stop(timeout=1.0, polite=False)
        self._sets.told, self._asked_at = set(), None
        if self._run_live:
            self._run_live = False
            text = f"the training process stopped unexpectedly (exit code {child.exitcode})"
            self._pending.states.append((FAILED, text))

    def child_info(self, timeout: float = 10.0) -> dict | None:
        """The child's pid, loaded top-level modules and BLAS environment (diagnostics)."""
        self._info = None
        self._ensure_child().send(Info())
        self._wait_until(lambda: self._info is not None, timeout)
        return self._info

    def close(self, timeout: float = 2.0) -> None:
        """Stop the child (at once if it is inside a batch: it is terminated, then killed)
        and free every pipe and shared-memory segment. The handle is unusable afterwards."""
        if self._closed:
            return
        self._closed = True
        self._run_live = False
        self._finalizer.detach()
        self._res.release(timeout)
