"""The child's end of the transport (``child.ChildProcess`` holds the parent's end).

Two counters in shared memory, one writer each on the parent's side: ``ctrl[0]`` counts the
messages announced on the command pipe (incremented before each is written), ``ctrl[1]`` the
frames asked for. The training loop reads them between batches, ~0.2 us against ~11 us for
``Connection.poll()``. A sleeping child waits on the command pipe and on the wake-up pipe,
which carries a byte per frame request.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from multiprocessing.connection import wait

from . import shm


class ParentLink:
    """Pipes and counters shared with the parent.

    Parameters
    ----------
    commands, replies, wake : multiprocessing.connection.Connection
        Read end of the command pipe; write end of the reply pipe; read end of the wake-up
        pipe.
    ctrl_name : str
        The control segment: two int64 counters.
    parent_pid : int
    """

    def __init__(self, commands, replies, wake, ctrl_name: str, parent_pid: int) -> None:
        self.commands, self.replies, self.wake = commands, replies, wake
        os.set_blocking(wake.fileno(), False)
        self._ctrl_shm = shm.attach(ctrl_name)
        (self.ctrl,) = shm.views(self._ctrl_shm, [((2,), "<i8", 0)])
        self.seen = 0  # messages read
        self.answered = 0  # frames answered
        self.parent_pid = parent_pid

    def messages(self) -> Iterator:
        """Every message announced so far (``recv`` waits for the rest of one being
        written: it was announced first because a big one is only written while read)."""
        while self.ctrl[0] > self.seen:
            msg = self.commands.recv()
            self.seen += 1
            yield msg

    def frame_asked(self) -> bool:
        return self.ctrl[1] != self.answered

    def answer(self, reply) -> None:
        """Send the answer to the frame request outstanding."""
        self.answered = int(self.ctrl[1])
        self.replies.send(reply)

    def send(self, msg) -> None:
        self.replies.send(msg)

    def wait(self, timeout: float) -> bool:
        """Sleep until a message or a frame request arrives or ``timeout`` passes; True if
        woken. ``EOFError`` if the parent closed its end."""
        ready = wait([self.commands, self.wake], timeout)
        if self.wake in ready:
            try:
                if not os.read(self.wake.fileno(), 65536):
                    raise EOFError
            except BlockingIOError:
                pass
        if self.commands in ready and self.ctrl[0] == self.seen:
            raise EOFError  # readable with nothing announced: the end of the pipe
        return bool(ready)

    def check_parent(self) -> None:
        """``EOFError`` if the parent died without closing the pipes (killed)."""
        if os.getppid() != self.parent_pid:
            raise EOFError

    def close(self) -> None:
        self.ctrl = None
        shm.release(self._ctrl_shm)
        for conn in (self.commands, self.replies, self.wake):
            conn.close()
