"""The ``Dataset`` record every loader returns, and the checks loaders share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from visualnn.engine.errors import SpecError

#: A split set, ``(x_train, y_train, x_test, y_test)``: what ``split`` returns.
SplitArrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


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

    def gain_units(self) -> np.ndarray | None:
        """``(bands,)``: what one dB of loudness adds to each band of the inputs (a sound
        set's, for the ``gain_db`` augmentation), or None for data without a loudness."""
        units = getattr(self.transform, "gain_units", None)
        return None if units is None else units()

    @classmethod
    def from_split(
        cls,
        name: str,
        parts: SplitArrays,
        params: dict[str, Any],
        class_names: tuple[str, ...] | None = None,
    ) -> Dataset:
        """A set made of ``split``'s four arrays.

        Parameters
        ----------
        name : str
            The loader's name (``DATASETS`` key).
        parts : tuple of np.ndarray
            ``(x_train, y_train, x_test, y_test)``; the sample shape is read off ``x_train``
            ``(N, *input_shape)``.
        params : dict
            What the set was made with.
        class_names : tuple of str or None
            One name per class, in label order, for labels int ``(N,)``; None for a
            regression set, whose targets are float ``(N, k)``.
        """
        x_train, y_train, x_test, y_test = parts
        return cls(
            name,
            x_train,
            y_train,
            x_test,
            y_test,
            task="regression" if class_names is None else "classification",
            input_shape=tuple(x_train.shape[1:]),
            num_classes=None if class_names is None else len(class_names),
            class_names=tuple(class_names or ()),
            params=params,
        )


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


def check_split(name: str, train_ratio: Any, seed: Any) -> tuple[float, int]:
    """The two settings every generated set takes, checked: ``(train_ratio, seed)``.

    ``train_ratio`` must lie in [0.1, 0.9], so both sides of the split keep samples, and
    ``seed`` in [0, 2**32 - 1], what ``numpy.random.default_rng`` takes.
    """
    train_ratio = check_range(name, "train_ratio", train_ratio, 0.1, 0.9)
    seed = check_range(name, "seed", seed, 0, 2**32 - 1, integer=True)
    return train_ratio, seed


def split(
    x: np.ndarray, y: np.ndarray, train_ratio: float, rng: np.random.Generator
) -> SplitArrays:
    """Shuffle ``(N, ...)`` arrays with ``rng`` and cut them into train and test parts."""
    order = rng.permutation(len(x))
    n_train = int(round(len(x) * train_ratio))
    n_train = min(max(n_train, 1), len(x) - 1)  # keep both sides non-empty
    tr, te = order[:n_train], order[n_train:]
    return x[tr], y[tr], x[te], y[te]
