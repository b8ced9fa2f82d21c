"""The input plane of 2-D point data: the one domain the boundary and the neuron maps cover."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def is_plane(dataset) -> bool:
    """Whether ``dataset``'s samples are points of a plane (input shape ``(2,)``)."""
    return dataset is not None and tuple(getattr(dataset, "input_shape", ())) == (2,)


@dataclass(frozen=True)
class PlaneGrid:
    """An ``n x n`` grid over the data's points with a margin of 8 % on each side.

    ``lo``, ``hi`` are the corners ``(2,)`` (float64: pyqtgraph compares ranges with huge
    limits that overflow float32); ``xs``, ``ys`` the ``(n,)`` coordinates; ``points`` the
    ``(n * n, 2)`` float32 samples, row by row, row ``r`` at ``y = ys[r]`` (rows go *up*).
    """

    lo: np.ndarray
    hi: np.ndarray
    xs: np.ndarray
    ys: np.ndarray
    points: np.ndarray

    @property
    def n(self) -> int:
        return len(self.xs)

    def fraction(self, point) -> tuple[float, float]:
        """Where ``point`` ``(2,)`` lies: ``(0, 0)`` the low corner, ``(1, 1)`` the high."""
        p = np.asarray(point, dtype=np.float64).reshape(-1)[:2]
        f = (p - self.lo) / np.maximum(self.hi - self.lo, 1e-12)
        return float(f[0]), float(f[1])


def plane_grid(dataset, n: int) -> PlaneGrid:
    """The ``n x n`` :class:`PlaneGrid` over ``dataset``'s training and test points."""
    pts = np.concatenate([dataset.x_train, dataset.x_test]).astype(np.float64)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    pad = (hi - lo) * 0.08 + 1e-6
    lo, hi = lo - pad, hi + pad
    xs = np.linspace(lo[0], hi[0], n, dtype=np.float32)
    ys = np.linspace(lo[1], hi[1], n, dtype=np.float32)
    gx, gy = np.meshgrid(xs, ys)
    return PlaneGrid(lo, hi, xs, ys, np.stack([gx.ravel(), gy.ravel()], axis=1))


def plane_records(model, grid: PlaneGrid) -> list:
    """One recording forward pass of ``grid``'s points: every layer's ``LayerRecord``
    (``out`` and ``pre``, ``(n * n, *shape)``, row by row as ``grid.points``).

    Weights that are not numbers give outputs that are not numbers, not warnings. Raises
    ``ValueError`` when the model does not take the points.
    """
    with np.errstate(all="ignore"):
        model.forward(grid.points, record=True)
    return list(model.records)
