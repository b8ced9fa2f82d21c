"""Blocks of NumPy arrays in ``multiprocessing.shared_memory``: the parent owns, the child maps.

Ownership is one-sided on purpose: the parent creates every segment and is the only one that
unlinks it, so a child that crashes or is killed can leak nothing. The child only attaches.
"""

from __future__ import annotations

import gc
import sys
from multiprocessing import resource_tracker
from multiprocessing.shared_memory import SharedMemory

import numpy as np

#: Each array starts on a cache line, so the child's copies into the block stay aligned.
ALIGN = 64

#: One array's place in a block: (shape, dtype string, byte offset); None for a missing array.
Entry = tuple[tuple[int, ...], str, int] | None


def plan(arrays: list[np.ndarray | None]) -> tuple[list[Entry], int]:
    """Where each array goes in one block, and the block's size in bytes (at least 1)."""
    layout: list[Entry] = []
    offset = 0
    for a in arrays:
        if a is None:
            layout.append(None)
            continue
        offset = -(-offset // ALIGN) * ALIGN
        layout.append((tuple(a.shape), a.dtype.str, offset))
        offset += a.nbytes
    return layout, max(offset, 1)


def views(shm: SharedMemory, layout: list[Entry]) -> list[np.ndarray | None]:
    """Arrays over the block ``shm`` as ``layout`` places them (no copy).

    Each view holds an export of ``shm``'s buffer, so ``shm.close()`` refuses (BufferError)
    while one lives. ``np.frombuffer`` on purpose: ``np.ndarray(buffer=...)`` lets the
    buffer go, and closing would unmap memory under a live array (a segfault, seen).
    """
    out: list[np.ndarray | None] = []
    for e in layout:
        if e is None:
            out.append(None)
            continue
        shape, dtype = e[0], np.dtype(e[1])
        count = int(np.prod(shape, dtype=np.int64))
        flat = np.frombuffer(shm.buf, dtype, count, e[2]) if count else np.empty(0, dtype)
        out.append(flat.reshape(shape))
    return out


def create_block(arrays: list[np.ndarray | None]) -> tuple[SharedMemory, list[Entry]]:
    """A new segment holding copies of ``arrays`` (C order); the caller must unlink it."""
    arrays = [None if a is None else np.ascontiguousarray(a) for a in arrays]
    layout, size = plan(arrays)
    shm = SharedMemory(create=True, size=size)
    try:
        for dst, src in zip(views(shm, layout), arrays, strict=True):
            if dst is not None:
                dst[...] = src
    except BaseException:
        release(shm, unlink=True)
        raise
    return shm, layout


def create_empty(size: int) -> SharedMemory:
    """A new zero-filled segment of ``size`` bytes; the caller must unlink it."""
    return SharedMemory(create=True, size=max(int(size), 1))


def attach(name: str) -> SharedMemory:
    """Map the parent's segment ``name`` without registering it with the resource tracker.

    Before Python 3.13 attaching registers the segment with the tracker the child shares
    with its parent; a registration arriving after the parent's unlink would make the tracker
    "clean up" (and warn about) a segment that is already gone.
    """
    if sys.version_info >= (3, 13):
        return SharedMemory(name, track=False)  # pragma: no cover - newer Pythons
    register = resource_tracker.register
    resource_tracker.register = lambda *args, **kwargs: None
    try:
        return SharedMemory(name)
    finally:
        resource_tracker.register = register


def release(shm: SharedMemory | None, unlink: bool = False) -> bool:
    """Close ``shm`` (and unlink it when this process owns it), ignoring what is gone.

    Returns False when a view of it was still alive, so this process's mapping stays until
    a later call (the name is unlinked regardless).
    """
    if shm is None:
        return True
    closed = True
    try:
        shm.close()
    except BufferError:
        closed = False
    if unlink:
        try:
            shm.unlink()
        except FileNotFoundError:
            pass
    return closed


class MappedSets:
    """The child's side of the data sets: key -> arrays over the parent's segments."""

    def __init__(self) -> None:
        self._sets: dict = {}  # key -> (SharedMemory, [arrays]) or why it is missing (str)
        self._dropped: list[SharedMemory] = []  # still viewed by a run when dropped

    def add(self, key, name: str, layout: list[Entry]) -> None:
        try:
            segment = attach(name)
        except OSError as exc:
            self._sets[key] = f"the data set could not be shared with the trainer ({exc})"
            return
        arrays = views(segment, layout)
        for a in arrays:
            if a is not None:
                a.flags.writeable = False  # the parent's data: never written here
        self._sets[key] = (segment, arrays)

    def arrays(self, key) -> list[np.ndarray | None]:
        """x_train, y_train, x_test, y_test of ``key``; ``KeyError`` saying why not."""
        entry = self._sets.get(key)
        if not isinstance(entry, tuple):
            raise KeyError(entry or f"the data set {key!r} was never sent")
        return entry[1]

    def drop(self, key) -> None:
        entry = self._sets.pop(key, None)
        if isinstance(entry, tuple):
            segment = entry[0]
            del entry
            self.retire(segment)  # later if the current run still trains on it

    def retire(self, segment: SharedMemory | None) -> None:
        """Unmap ``segment`` now, or once the last view of it has gone (``retry``)."""
        if segment is not None and not release(segment):
            self._dropped.append(segment)

    def retry(self) -> None:
        """Unmap retired segments no run views any more (call once a run has gone)."""
        if self._dropped:
            gc.collect()  # a run that trained on them may sit in a reference cycle
            self._dropped = [s for s in self._dropped if not release(s)]

    def close(self) -> None:
        segments = [e[0] for e in self._sets.values() if isinstance(e, tuple)] + self._dropped
        self._sets, self._dropped = {}, []
        for segment in segments:
            release(segment)


class OwnedSets:
    """The parent's side of the data sets: one segment each, and which the child knows.

    Parameters
    ----------
    segments : dict
        Every segment created here is also put in it, by name (the owner's list of what to
        unlink at the end).
    """

    def __init__(self, segments: dict) -> None:
        self._sets: dict = {}  # key -> (SharedMemory, layout)
        self._segments = segments
        self.told: set = set()  # keys the current child has been sent

    def __contains__(self, key) -> bool:
        return key in self._sets

    def add(self, key, arrays: list[np.ndarray | None]) -> None:
        """Copy ``arrays`` into a new segment, unless ``key`` has one already."""
        if key not in self._sets:
            segment, layout = create_block(arrays)
            self._segments[segment.name] = segment
            self._sets[key] = (segment, layout)

    def drop(self, key) -> bool:
        """Unlink ``key``'s segment (a child mapping it keeps it); True if the child knew it."""
        entry = self._sets.pop(key, None)
        if entry is not None:
            self._segments.pop(entry[0].name, None)
            release(entry[0], unlink=True)
        known = key in self.told
        self.told.discard(key)
        return known

    def announce(self, key) -> tuple[str, list[Entry]] | None:
        """(segment name, layout) of ``key`` if the child has not been told yet, else None."""
        if key in self.told:
            return None
        self.told.add(key)
        segment, layout = self._sets[key]
        return segment.name, layout
