"""The parent's low-level half of one trainer process: spawn it, feed it, end it.

Messages are pickled by the caller and written to the command pipe by a sender thread, so the
GUI thread never blocks on the pipe: a ``Start`` carrying a megabyte of weights cannot be
written until the child reads it, and the child reads only between two batches, which may
be seconds apart.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Iterator
from multiprocessing.reduction import ForkingPickler

import numpy as np

from . import runner, shm
from .protocol import Close

#: Politeness before force, in seconds: a child between batches reads ``Close`` and exits in
#: a few milliseconds; one inside a long batch would only read it after the batch, so after
#: this it is terminated (SIGTERM ends NumPy mid-product), then killed.
GRACE_S = 0.2
TERMINATE_S = 0.2


@contextlib.contextmanager
def blas_env(threads: int | None) -> Iterator[None]:
    """Set the BLAS thread count for a process spawned inside, then restore the parent's.

    A spawned child reads these when it imports NumPy; the parent's own BLAS, loaded long
    ago, is unaffected.
    """
    if threads is None:
        yield
        return
    saved = {k: os.environ.get(k) for k in runner.BLAS_VARS}
    os.environ.update({k: str(int(threads)) for k in runner.BLAS_VARS})
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class ChildProcess:
    """A spawned ``runner.main`` with its three pipes, its control counters (see ``link.py``)
    and its sender thread.

    Parameters
    ----------
    blas_threads : int or None
        OPENBLAS/OMP/MKL thread count for the child (None: inherit the environment).
    """

    def __init__(self, blas_threads: int | None) -> None:
        ctx = multiprocessing.get_context("spawn")
        # [0] messages announced (written by the sender thread), [1] frames asked for
        # (written by the GUI thread): one writer each.
        self._ctrl_shm = shm.create_empty(16)
        (self._ctrl,) = shm.views(self._ctrl_shm, [((2,), "<i8", 0)])
        command_r, self.commands = ctx.Pipe(duplex=False)
        self.replies, reply_w = ctx.Pipe(duplex=False)
        # One byte per frame request wakes a child sleeping between runs or batches (it
        # reads the counter only while it trains). Non-blocking: when it is full, the child
        # has that many wake-ups waiting already.
        wake_r, self._wake = ctx.Pipe(duplex=False)
        os.set_blocking(self._wake.fileno(), False)
        self.process = ctx.Process(
            target=runner.main,
            args=(command_r, reply_w, wake_r, self._ctrl_shm.name, os.getpid()),
            name="visualnn-trainer",
            daemon=True,  # a safety net only: close() is the real end
        )
        try:
            with blas_env(blas_threads):
                self.process.start()
        except BaseException:
            for conn in (command_r, reply_w, wake_r, self.commands, self.replies, self._wake):
                conn.close()
            self._ctrl = None
            shm.release(self._ctrl_shm, unlink=True)
            raise
        # Only the child may hold these ends: its death must read as EOF here.
        command_r.close()
        reply_w.close()
        wake_r.close()
        self.broken = False  # the command pipe failed: the child is gone
        self._exitcode: int | None = None
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._sender = threading.Thread(
            target=self._send_loop, name="visualnn-trainer-sender", daemon=True
        )
        self._sender.start()

    @property
    def pid(self) -> int | None:
        return self.process.pid

    @property
    def exitcode(self) -> int | None:
        return self._exitcode if self._exitcode is not None else self.process.exitcode

    def alive(self) -> bool:
        return self._exitcode is None and self.process.is_alive()

    def ask_frame(self) -> None:
        """Ask for a ``FrameReply`` after the current batch: a counter in shared memory, so
        the GUI pays neither a pickle nor a wake-up of the sender thread each frame."""
        self._ctrl[1] += 1
        try:
            os.write(self._wake.fileno(), b"\0")
        except OSError:
            pass  # full (wake-ups are pending anyway) or the child is gone (poll sees it)

    def send(self, msg) -> None:
        """Queue ``msg`` for the child, pickled now (the caller may change its arrays next)."""
        if not self.broken:
            self._queue.put(ForkingPickler.dumps(msg))

    def _send_loop(self) -> None:
        ctrl = self._ctrl
        while True:
            data = self._queue.get()
            if data is None:
                return
            try:
                # Announce first: the child reads only what was announced, and a message
                # bigger than the pipe can only be written while the child reads it.
                ctrl[0] += 1
                self.commands.send_bytes(data)
            except (OSError, ValueError):
                self.broken = True  # the child died or the pipe was closed: stop() follows
                return

    def stop(self, timeout: float = 2.0, polite: bool = True) -> None:
        """End the child within ``timeout`` (Close, then SIGTERM, then SIGKILL), reap it and
        release the pipes, the thread and the control counters."""
        deadline = time.monotonic() + timeout
        proc = self.process
        if polite and proc.is_alive():
            self.send(Close())
            proc.join(min(GRACE_S, timeout))
        if proc.is_alive():
            proc.terminate()
            proc.join(max(min(TERMINATE_S, deadline - time.monotonic()), 0.01))
        if proc.is_alive():
            proc.kill()
            proc.join(max(deadline - time.monotonic(), 1.0))  # SIGKILL cannot be refused
        self._queue.put(None)
        # A sender blocked on the dead child's pipe gets EPIPE at once.
        self._sender.join(timeout=1.0)
        for conn in (self.commands, self.replies, self._wake):
            conn.close()
        self._exitcode = proc.exitcode
        if self._exitcode is not None:
            proc.close()  # frees its sentinel pipe
        self._ctrl = None
        shm.release(self._ctrl_shm, unlink=True)  # unmapped once a stuck sender lets go


class Resources:
    """What must go when a ``TrainerProcess`` goes: its child and every segment it created.

    Apart from the handle, so a ``weakref.finalize`` can release them without keeping the
    handle alive.
    """

    def __init__(self) -> None:
        self.child: ChildProcess | None = None
        self.segments: dict = {}  # data-set segments, by name
        self.snapshot = None  # the snapshot segment

    def release(self, timeout: float = 2.0) -> None:
        child, self.child = self.child, None
        if child is not None:
            child.stop(timeout)
        for segment in [*self.segments.values(), self.snapshot]:
            shm.release(segment, unlink=True)
        self.segments, self.snapshot = {}, None

    def snapshot_room(self, weights: list[dict[str, np.ndarray]]):
        """The snapshot segment, grown to hold these weights and their gradients as float64
        (the child lays them out by the model's own dtypes)."""
        need = sum(2 * (v.size * 8 + shm.ALIGN) for w in weights for v in w.values()) + 1
        if self.snapshot is None or self.snapshot.size < need:
            old, self.snapshot = self.snapshot, shm.create_empty(need)
            shm.release(old, unlink=True)  # a child still writing the old run keeps its map
        return self.snapshot
