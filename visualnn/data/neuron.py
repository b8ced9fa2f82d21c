"""A tiny set for the one-neuron preset: is the average of three inputs above one half?"""

from __future__ import annotations

import numpy as np

from visualnn.data.dataset import Dataset, check_range, check_split, split

# The sample of the classic worked example (inputs 0.5, 0.3, 0.2): the preset opens on it.
EXAMPLE = (0.5, 0.3, 0.2)


def make_neuron(n: int = 64, train_ratio: float = 0.75, seed: int = 0) -> Dataset:
    """Three inputs in [0, 1) and label 1 when their mean is above 0.5.

    One sigmoid neuron can learn this exactly (it is a linear threshold), so the student
    sees the loss go to zero. The first test sample is always ``EXAMPLE`` (label 0).

    Returns
    -------
    Dataset
        x float32 ``(N, 3)``, y int64 ``(N,)`` in {0, 1}.
    """
    n = check_range("neuron", "n", n, 4, 100_000, integer=True)
    train_ratio, seed = check_split("neuron", train_ratio, seed)
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 1.0, (n - 1, 3)).astype(np.float32)
    y = (x.mean(axis=1) > 0.5).astype(np.int64)
    x_tr, y_tr, x_te, y_te = split(x, y, train_ratio, rng)
    x_te = np.concatenate([np.array([EXAMPLE], np.float32), x_te])
    y_te = np.concatenate([np.array([0], np.int64), y_te])
    params = {"n": n, "train_ratio": train_ratio, "seed": seed}
    return Dataset.from_split("neuron", (x_tr, y_tr, x_te, y_te), params, ("low", "high"))
