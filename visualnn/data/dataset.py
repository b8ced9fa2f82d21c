"""The ``Dataset`` record every loader returns, and the checks loaders share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from visualnn.engine.errors import SpecError


@dataclass
class Dataset:
    """A train/test pair of arrays plus what the UI needs to label them.

    Attributes
    ----------
    x_train, x_test : np.ndarray
        float32, ``(N, *input_shape)``.
    y_train, y_test : np.ndarray
        int64 labels ``(N,)`` for classification, float32 targets ``(N, k)`` for regression.
    task : str
        ``"classification"`` or ``"regression"``.
    input_shape : tuple of int
        Shape of one sample, e.g. ``(2,)``, ``(64,)`` or ``(1, 8, 8)``.
    num_classes : int or None
        Number of classes; None for regression.
    class_names : tuple of str
        One name per class (empty for regression).
    params : dict
        The parameters the set was made with, so a project can make it again.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    task: str
    input_shape: tuple[int, ...]
    num_classes: int | None
    class_names: tuple[str, ...]
    params: dict[str, Any] = field(default_factory=dict)
    clips: Any = None
    transform: Any = None
    title: str = ""

    def __post_init__(self) -> None:
        if not self.title:
            self.title = self.name

    def __len__(self) -> int:
        return len(self.x_train) + len(self.x_test)


def check_range(name: str, key: str, value: Any, lo: float, hi: float, integer: bool = False):
    """Return ``value`` as a number in ``[lo, hi]`` or raise ``SpecError`` saying why."""
    kind = "a whole number" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise SpecError(f"dataset {name}: {key} must be {kind}, got {value!r}", key=key)
    if integer and float(value) != int(value):
        raise SpecError(f"dataset {name}: {key} must be {kind}, got {value!r}", key=key)
    if not (lo <= value <= hi) or not np.isfinite(value):
        raise SpecError(
            f"dataset {name}: {key} must be between {lo} and {hi}, got {value}", key=key
        )
    return int(value) if integer else float(value)


def split(
    x: np.ndarray, y: np.ndarray, train_ratio: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle ``(N, ...)`` arrays with ``rng`` and cut them into train and test parts."""
    order = rng.permutation(len(x))
    n_train = int(round(len(x) * train_ratio))
    n_train = min(max(n_train, 1), len(x) - 1)  # keep both sides non-empty
    tr, te = order[:n_train], order[n_train:]
    return x[tr], y[tr], x[te], y[te]
