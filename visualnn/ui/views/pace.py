"""A slower pace for views whose redraw is costly or whose numbers must stay readable.

While training, the session announces new weights up to 20 times a second. Tables of
numbers cannot be read at that rate, and a redraw of the decision boundary (a forward pass
over a 120x120 grid) costs milliseconds of GUI-thread time, i.e. of the training thread's
GIL time. Such views mark their ``RedrawThrottle`` from ``weights_updated`` through a
``SnapshotPace``, and directly from everything the user does (select a unit, pick a sample),
which must still answer at once.
"""

from __future__ import annotations

from PySide6 import QtCore

#: Numeric read-outs and heavy views: about five new frames a second while training.
READOUT_MS = 200


class SnapshotPace(QtCore.QObject):
    """Forward :meth:`mark` to ``target`` (a throttle's ``mark``) at most once per interval.

    The first mark after a quiet spell goes through at once; marks within the interval
    after it are folded into one more, sent when the interval is over, so the last
    snapshot is always shown.
    """

    def __init__(self, parent: QtCore.QObject, target, interval_ms: int = READOUT_MS) -> None:
        super().__init__(parent)
        self._target = target
        self._pending = False
        self._timer = QtCore.QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timer_timeout)

    def mark(self, *_args) -> None:
        if self._timer.isActive():
            self._pending = True
            return
        self._target()
        self._timer.start()

    def _on_timer_timeout(self) -> None:
        if self._pending:
            self._pending = False
            self._target()
            self._timer.start()
