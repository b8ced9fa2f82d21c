"""Two-dimensional toy sets in the manner of TensorFlow Playground.

Playground draws its points in [-6, 6]; here everything is divided by the Playground radius
(5 for the classification sets, 6 for the plane) so the points sit in about [-1, 1] (a bit
more with noise), a scale at which torch's default initialisation trains at once.
"""

from __future__ import annotations

import numpy as np

from visualnn.data.dataset import Dataset, check_range, check_split, split

CLASS_NAMES = ("orange", "blue")  # Playground's colours for labels -1 and +1


def _circle(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # Inner disc (label 1) of radius 0.5, outer ring (label 0) between 0.7 and 1.
    half = n // 2
    r = np.concatenate([rng.uniform(0, 0.5, half), rng.uniform(0.7, 1.0, n - half)])
    a = rng.uniform(0, 2 * np.pi, n)
    xy = np.stack([r * np.sin(a), r * np.cos(a)], axis=1)
    xy += rng.uniform(-1, 1, (n, 2)) * noise
    # As in Playground, the label follows the noisy position, so noise blurs the border.
    y = (np.hypot(xy[:, 0], xy[:, 1]) < 0.5).astype(np.int64)
    return xy, y


def _xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    xy = rng.uniform(-1, 1, (n, 2))
    xy += np.where(xy > 0, 0.06, -0.06)  # Playground's padding keeps points off the axes
    y = (xy[:, 0] * xy[:, 1] >= 0).astype(np.int64)
    xy += rng.uniform(-1, 1, (n, 2)) * noise
    return xy, y


def _gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # Two clusters at (+0.4, +0.4) and (-0.4, -0.4); noise widens them as in Playground.
    std = 0.1 + noise * 1.4
    half = n // 2
    y = np.concatenate([np.ones(half, np.int64), np.zeros(n - half, np.int64)])
    centre = np.where(y[:, None] == 1, 0.4, -0.4)
    return centre + rng.normal(0, std, (n, 2)), y


def _spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # Two interleaved arms, 1.75 turns each, the second rotated by half a turn.
    half = n // 2
    parts, labels = [], []
    for label, count, delta in ((1, half, 0.0), (0, n - half, np.pi)):
        i = np.arange(count)
        r = i / count
        t = 1.75 * i / count * 2 * np.pi + delta
        pts = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
        parts.append(pts + rng.uniform(-1, 1, (count, 2)) * noise * 0.2)
        labels.append(np.full(count, label, np.int64))
    return np.concatenate(parts), np.concatenate(labels)


def _plane(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    xy = rng.uniform(-1, 1, (n, 2))
    noisy = xy + rng.uniform(-1, 1, (n, 2)) * noise
    target = (noisy[:, :1] + noisy[:, 1:]) * 0.6  # Playground's (x + y) / 10 on [-6, 6]
    return xy, target


GENERATORS = {
    "circle": _circle,
    "xor": _xor,
    "gauss": _gauss,
    "spiral": _spiral,
    "plane": _plane,
}


def make_toy2d(
    name: str, n: int | None = None, noise: float = 0.0, train_ratio: float = 0.5, seed: int = 0
) -> Dataset:
    """Make one of the 2-D sets.

    Parameters
    ----------
    name : str
        "circle", "xor", "gauss", "spiral" (classification) or "plane" (regression).
    n : int, optional
        Number of points in all; Playground's 500 (classification) or 1200 (regression).
    noise : float
        0 to 0.5, as Playground's noise slider divided by 100.
    train_ratio : float
        0.1 to 0.9: the share of points used for training; the rest is the test set.
    seed : int
        Same seed, same points and split.

    Returns
    -------
    Dataset
        x float32 ``(N, 2)``; y int64 ``(N,)`` in {0, 1}, or float32 ``(N, 1)`` for plane.
    """
    regression = name == "plane"
    n = (1200 if regression else 500) if n is None else n
    n = check_range(name, "n", n, 4, 1_000_000, integer=True)
    noise = check_range(name, "noise", noise, 0.0, 0.5)
    train_ratio, seed = check_split(name, train_ratio, seed)
    rng = np.random.default_rng(seed)
    x, y = GENERATORS[name](n, noise, rng)
    x = x.astype(np.float32)
    y = y.astype(np.float32) if regression else y
    parts = split(x, y, train_ratio, rng)
    params = {"n": n, "noise": noise, "train_ratio": train_ratio, "seed": seed}
    return Dataset.from_split(name, parts, params, None if regression else CLASS_NAMES)
