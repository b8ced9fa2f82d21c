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
        self._pending: list[float] = []  # batches waiting to fill one point
        self._batch_in_epoch = 0
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
            self.epochs = old[::2] + recent
        return row

    def add_batches(self, losses, batches_per_epoch: int) -> None:
        """Append batch losses; each sits at its fractional epoch (batch 5 of 10 in epoch 3
        at x = 2.5), so the noisy trace lines up under the epoch curves."""
        pace = max(int(batches_per_epoch), 1)
        for loss in losses:
            self._batch_in_epoch += 1
            self._pending.append(float(loss))
            if len(self._pending) < self._stride:
                continue
            x = self.epochs_done + min(self._batch_in_epoch / pace, 1.0)
            self._push(x, float(np.mean(self._pending)))
            self._pending = []

    def _push(self, x: float, y: float) -> None:
        if self._n == MAX_TRACE:
            half = MAX_TRACE // 2
            self._x[:half] = self._x[1::2]  # a pair's later x: where its last batch was
            self._y[:half] = 0.5 * (self._y[0::2] + self._y[1::2])
            self._n, self._stride = half, self._stride * 2
        self._x[self._n], self._y[self._n] = x, y
        self._n += 1

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
        """``(epoch, value)`` of one report field, finite values only, ``(n,)`` each."""
        x = np.array([h.get("epoch", i + 1) for i, h in enumerate(self.epochs)], dtype=float)
        y = np.array([h.get(key) for h in self.epochs], dtype=float).reshape(-1)
        keep = np.isfinite(y)
        return x[keep], y[keep]

    def last(self) -> dict | None:
        return self.epochs[-1] if self.epochs else None

    def to_list(self) -> list[dict]:
        """The rows to save in a project file (copies)."""
        return [dict(h) for h in self.epochs]

    def __len__(self) -> int:
        return self.epochs_done
