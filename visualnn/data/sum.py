"""The classic first regression of from-scratch tutorials: learn to add two numbers."""

from __future__ import annotations

import numpy as np

from visualnn.data.dataset import Dataset, check_range, check_split, split


def make_sum(n: int = 1000, train_ratio: float = 0.8, seed: int = 0) -> Dataset:
    """Pairs of numbers in [0, 0.5) and their sum, so the target stays in [0, 1).

    The [0, 1) target range is what a sigmoid output unit can reach, which is why the
    tutorials keep the inputs below 0.5.

    Returns
    -------
    Dataset
        x float32 ``(N, 2)``, y float32 ``(N, 1)``, task "regression".
    """
    n = check_range("sum", "n", n, 4, 1_000_000, integer=True)
    train_ratio, seed = check_split("sum", train_ratio, seed)
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 0.5, (n, 2)).astype(np.float32)
    y = x.sum(axis=1, keepdims=True)
    params = {"n": n, "train_ratio": train_ratio, "seed": seed}
    return Dataset.from_split("sum", split(x, y, train_ratio, rng), params)
