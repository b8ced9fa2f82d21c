"""A sequence lesson without audio: the parity of a stream of bits.

Each sample is a row of ``length`` bits, fed to the network one bit per time step; the
class says whether the number of ones is odd. No single step tells the answer, and the
answer flips with every 1: a network can only get it right by carrying a running
"odd so far?" in its hidden state, which the recurrent views then show flipping.
"""

from __future__ import annotations

import numpy as np

from visualnn.data.dataset import Dataset, check_range, check_split, split


def make_parity(
    n: int = 2000, length: int = 8, noise: float = 0.0, train_ratio: float = 0.8, seed: int = 0
) -> Dataset:
    """Bit streams and their parity.

    Parameters
    ----------
    n : int
        Number of sequences (train and test together).
    length : int
        Time steps per sequence.
    noise : float
        Standard deviation of Gaussian noise added to the bits (0: clean 0/1 values).
    train_ratio : float
        Fraction kept for training; the rest is the held-out test set.
    seed : int

    Returns
    -------
    Dataset
        x float32 ``(N, 1, length)`` (one feature x time, the recurrent layers' layout), y
        int64 ``(N,)``: 0 for an even number of ones, 1 for odd.
    """
    n = check_range("parity", "n", n, 4, 1_000_000, integer=True)
    length = check_range("parity", "length", length, 1, 1000, integer=True)
    noise = check_range("parity", "noise", noise, 0.0, 1.0)
    train_ratio, seed = check_split("parity", train_ratio, seed)
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2, (n, length))
    y = (bits.sum(axis=1) % 2).astype(np.int64)
    x = bits.astype(np.float32)[:, None, :]
    x_tr, y_tr, x_te, y_te = split(x, y, train_ratio, rng)
    if noise > 0:
        # its own stream: the same seed gives the same bits and split with or without noise
        noise_rng = np.random.default_rng([seed, 1])
        x_tr += noise_rng.normal(0.0, noise, x_tr.shape).astype(np.float32)
        x_te += noise_rng.normal(0.0, noise, x_te.shape).astype(np.float32)
    params = {"n": n, "length": length, "noise": noise, "train_ratio": train_ratio, "seed": seed}
    return Dataset.from_split("parity", (x_tr, y_tr, x_te, y_te), params, ("even", "odd"))
