"""The training history of a project, kept bounded however long it trains.

A toy set trains a hundred epochs a second; ten minutes of that is 60,000 epoch reports and
millions of batch losses. Memory must not follow: epoch reports beyond ``MAX_EPOCH_ROWS`` are
thinned (every other old row dropped, the newest ``KEEP_RECENT`` kept whole) and the
per-batch trace is a fixed buffer that halves its resolution when full (pairs averaged).
Plots then draw a few thousand points at most, whatever the run's length. Every row keeps
its true epoch number, so curves stay in place.
"""

from __future__ import annotations

import numpy as np

MAX_EPOCH_ROWS = 4000
KEEP_RECENT = 500
MAX_TRACE = 16384  # per-batch points; halved (pairs averaged) when full


class History:
    """Epoch reports and the per-batch loss trace of one project.

    Attributes
    ----------
    epochs : list of dict
        ``EpochReport`` dicts (thinned when long), each with its true ``epoch`` number.
    epochs_done : int
        Epochs trained in all (``epochs`` may hold fewer rows).
    """

    def __init__(self, rows: list[dict] | None = None) -> None:
        self.epochs: list[dict] = []
        self.epochs_done = 0
        self._x = np.zeros(MAX_TRACE)
        self._y = np.zeros(MAX_TRACE)
        self._n = 0  # trace points in use
        self._stride = 1  # batches per trace point after halvings
        self._pending: list[float] = []  # batch losses waiting to fill one point
        self._pending_x: list[float] = []
        self._batch_in_epoch = 0
        self._columns: dict = {}  # series arrays, extended as rows come (see ``series``)
        #: ``(epoch, text)`` moments the plots mark (training stopped learning there).
        self.marks: list[tuple[int, str]] = []
        for row in rows or []:
            self.add_epoch(row, renumber=False)

    # --- adding ---------------------------------------------------------------------------
    def add_epoch(self, report: dict, renumber: bool = True) -> dict:
        """Append one epoch report; numbered on from earlier runs unless ``renumber`` is off.

        Returns the stored row.
        """
        row = {k: v for k, v in dict(report).items() if k != "kind"}
        if renumber or "epoch" not in row:
            row["epoch"] = self.epochs_done + 1
        self.epochs_done = max(self.epochs_done + 1, int(row["epoch"]))
        self._batch_in_epoch = 0
        self.epochs.append(row)
        if len(self.epochs) > MAX_EPOCH_ROWS:
            old, recent = self.epochs[:-KEEP_RECENT], self.epochs[-KEEP_RECENT:]
            self.epochs = old[::2] + recent  # a new list: ``series`` starts its columns over
        return row

    def add_batches(self, losses, batches_per_epoch: int) -> None:
        """Append batch losses; each sits at its fractional epoch (batch 5 of 10 in epoch 3
        at x = 2.5), so the noisy trace lines up under the epoch curves. Vectorised: a toy
        set brings hundreds of batches per frame."""
        pace = max(int(batches_per_epoch), 1)
        losses = np.asarray(losses, dtype=np.float64).reshape(-1)
        if not losses.size:
            return
        k = self._batch_in_epoch + np.arange(1, losses.size + 1)
        self._batch_in_epoch += losses.size
        x = self.epochs_done + np.minimum(k / pace, 1.0)
        # Batches are averaged in groups of ``stride`` (whatever the halvings made it).
        self._pending_x.extend(x.tolist())
        self._pending.extend(losses.tolist())
        whole = len(self._pending) // self._stride * self._stride
        if whole:
            px = np.asarray(self._pending_x[:whole]).reshape(-1, self._stride)[:, -1]
            py = np.asarray(self._pending[:whole]).reshape(-1, self._stride).mean(axis=1)
            del self._pending[:whole], self._pending_x[:whole]
            self._push(px, py)

    def _push(self, xs: np.ndarray, ys: np.ndarray) -> None:
        for i in range(0, len(xs), MAX_TRACE // 2):
            x, y = xs[i : i + MAX_TRACE // 2], ys[i : i + MAX_TRACE // 2]
            if self._n + len(x) > MAX_TRACE:
                half = self._n // 2
                self._x[:half] = self._x[1 : 2 * half : 2]  # a pair's later x: its last batch
                self._y[:half] = 0.5 * (self._y[0 : 2 * half : 2] + self._y[1 : 2 * half : 2])
                self._n, self._stride = half, self._stride * 2
            self._x[self._n : self._n + len(x)] = x
            self._y[self._n : self._n + len(y)] = y
            self._n += len(x)

    def add_mark(self, epoch: int, text: str) -> None:
        """Remember that something happened at ``epoch`` (the plots draw a line there)."""
        self.marks = [*self.marks[-19:], (int(epoch), str(text))]

    def clear(self) -> None:
        self.__init__()

    # --- reading --------------------------------------------------------------------------
    @property
    def trace(self) -> tuple[np.ndarray, np.ndarray]:
        """Per-batch losses: ``(x in epochs, loss)``, two ``(n,)`` views, ``n <= MAX_TRACE``."""
        return self._x[: self._n], self._y[: self._n]

    def series(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """``(epoch, value)`` of one report field, finite values only, ``(n,)`` each.

        Columns are kept as arrays and extended with the rows added since the last call, so
        a plot redrawn every frame does not rebuild thousands of rows each time.
        """
        if not self.epochs:
            return np.zeros(0), np.zeros(0)
        cols = self._columns
        if cols.get("_rows") is not self.epochs or cols.get("_n", 0) > len(self.epochs):
            cols.clear()  # thinned or cleared: start over
            cols["_rows"], cols["_n"] = self.epochs, 0
        n0 = cols["_n"]
        if n0 < len(self.epochs):
            new = self.epochs[n0:]
            for name in {"epoch", key, *[k for k in cols if not k.startswith("_")]}:
                part = np.array([h.get(name) for h in new], dtype=float).reshape(-1)
                cols[name] = np.concatenate([cols.get(name, np.zeros(0))[:n0], part])
            cols["_n"] = len(self.epochs)
        if key not in cols:
            cols[key] = np.array([h.get(key) for h in self.epochs], dtype=float).reshape(-1)
        x, y = cols["epoch"], cols[key]
        keep = np.isfinite(y)
        return x[keep], y[keep]

    def last(self) -> dict | None:
        return self.epochs[-1] if self.epochs else None

    def to_list(self) -> list[dict]:
        """The rows to save in a project file (copies)."""
        return [dict(h) for h in self.epochs]

    def __len__(self) -> int:
        return self.epochs_done
