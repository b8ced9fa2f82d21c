"""One frame clock for the whole window: every view redraws at most once per display frame.

Views do not run timers of their own. They :meth:`~Redraw.mark` themselves dirty when
their data changes (a training snapshot, a new sample, a click) and the clock, ticking at the
display's pace, redraws each dirty and visible view once per frame. A frame that takes
longer than its slot delays the next tick: frames are dropped, never queued. Producers (the
training process, the live input) are polled first in each tick, so the views of one frame
all show the same snapshot. When nothing is dirty and no producer is active the clock stops,
so an idle window costs no wake-ups.

A view that shows numbers to be read (the neuron maths) asks for a longer
``min_interval_ms``: changing digits cannot be read at 60 frames a second.
"""

from __future__ import annotations

import inspect
import time
import weakref
from collections.abc import Callable

from PySide6 import QtCore, QtGui, QtWidgets

#: The display's pace; Qt cannot tell us the refresh rate offscreen, 60 Hz is the common one.
FRAME_MS = 16


class Redraw(QtCore.QObject):
    """One view's place on the frame clock: ``mark()`` when its data changed.

    Parameters
    ----------
    widget : QWidget
        Redrawn only while visible; it owns this object.
    redraw : callable
        Draws the view; held weakly when it is a bound method (no reference cycle).
    min_interval_ms : int
        Shortest time between two redraws (readable numbers); 0 = every frame.
    """

    def __init__(self, widget: QtWidgets.QWidget, redraw: Callable[[], None],
                 min_interval_ms: int = 0) -> None:  # fmt: skip
        super().__init__(widget)
        # A bound ``redraw`` is held weakly: widget -> this child -> widget would be a
        # reference cycle, and the cyclic GC may free a parentless widget mid-paint.
        self._redraw = weakref.WeakMethod(redraw) if inspect.ismethod(redraw) else (lambda: redraw)
        self.min_interval = min_interval_ms / 1000.0
        self.dirty = True
        self.count = 0  # redraws done (the GUI benchmark reads it)
        self.last = 0.0
        widget.installEventFilter(self)
        frame_clock().add(self)
        from visualnn.ui import theme  # here: theme imports pyqtgraph, pacing is imported early

        theme.changes().changed.connect(self.mark)  # new colours and sizes: draw again

    def mark(self, *_args) -> None:
        """The view's data changed: redraw it at the next frame it is visible."""
        self.dirty = True
        frame_clock().wake()

    def mark_on(self, *signals, now: bool = False) -> None:
        """Connect ``signals`` to :meth:`mark` (to :meth:`mark_now` with ``now``)."""
        for signal in signals:
            signal.connect(self.mark_now if now else self.mark)

    def mark_now(self, *_args) -> None:
        """Like :meth:`mark`, skipping ``min_interval``: the user asked (a click)."""
        self.last = 0.0
        self.mark()

    def flush(self) -> None:
        """Redraw now if dirty, visible or not (tests, screenshots)."""
        redraw = self._redraw()
        if self.dirty and redraw is not None:
            self.dirty = False
            self.last = time.perf_counter()
            self.count += 1
            redraw()

    def due(self, now: float) -> bool:
        return self.dirty and now - self.last >= self.min_interval and _visible(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt override
        if event.type() == QtCore.QEvent.Show and self.dirty:
            frame_clock().wake()  # hidden behind a tab while it changed: draw it now
        return False


class FrameClock(QtCore.QObject):
    """The one clock (see the module docstring); get it with :func:`frame_clock`.

    Signals: ``ticked(float)`` after each frame with the seconds it took (benchmarks).
    """

    ticked = QtCore.Signal(float)

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._views: dict[int, weakref.ref] = {}
        self._producers: list = []
        self.frames = 0
        self._timer = QtCore.QTimer(self)
        self._timer.setTimerType(QtCore.Qt.PreciseTimer)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self.tick)

    def add(self, view: Redraw) -> None:
        key = id(view)
        self._views[key] = weakref.ref(view)
        # Forget a view when Qt deletes it (its widget closed): the wrapper may outlive it.
        view.destroyed.connect(lambda *_a, k=key: self._views.pop(k, None))
        self.wake()

    def add_producer(self, poll: Callable[[], bool]) -> None:
        """``poll()`` runs first in every frame; it returns True while it wants frames
        (training runs, live input is on). Held weakly when it is a bound method."""
        ref = weakref.WeakMethod(poll) if inspect.ismethod(poll) else (lambda: poll)
        self._producers.append(ref)
        self.wake()

    def wake(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def tick(self) -> None:
        """One frame: poll producers, then redraw every due view once."""
        start = time.perf_counter()
        busy = False
        for ref in list(self._producers):
            poll = ref()
            if poll is None:
                self._producers.remove(ref)
            else:
                busy = bool(poll()) or busy
        pending = False
        for key, ref in list(self._views.items()):
            view = ref()
            try:
                if view.due(start):
                    view.flush()
                pending = pending or (view.dirty and _visible(view))
            except (AttributeError, RuntimeError):  # gone, or its C++ half deleted
                self._views.pop(key, None)
        self.frames += 1
        if not (busy or pending):
            self._timer.stop()
        self.ticked.emit(time.perf_counter() - start)


def _visible(view: Redraw) -> bool:
    """On screen: shown, and not covered (a dock behind another dock's tab stays "visible"
    to Qt but has nothing of itself on screen)."""
    widget = view.parent()
    if widget is None or not widget.isVisible():
        return False
    if isinstance(widget, QtWidgets.QAbstractScrollArea):  # its viewport covers all of it
        widget = widget.viewport()
    return not widget.visibleRegion().isEmpty()


def frame_clock() -> FrameClock:
    """The application's frame clock (made on first use, parented to the application)."""
    app = QtGui.QGuiApplication.instance()
    clock = getattr(app, "_visualnn_clock", None) if app is not None else _FALLBACK.get("clock")
    if clock is None:
        clock = FrameClock(app)
        if app is not None:
            app._visualnn_clock = clock
        else:
            _FALLBACK["clock"] = clock
    return clock


_FALLBACK: dict = {}
