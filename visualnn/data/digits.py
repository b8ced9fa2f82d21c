"""The 8x8 handwritten digits (UCI optical digits, CC BY 4.0), in ``visualnn/assets/digits``."""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

import numpy as np

from visualnn.data.dataset import Dataset
from visualnn.engine.errors import SpecError

# Package data (``visualnn/assets``; the top-level ``assets`` is a link to it), so a plain
# ``pip install`` ships it too.
DATA_FILE = Path(__file__).resolve().parents[1] / "assets" / "digits" / "digits.csv.gz"
SPLIT_SEED = 0  # the held-out split is fixed: learning tests and the UI quote numbers on it
TEST_RATIO = 0.2


@lru_cache(maxsize=1)
def _load_raw() -> tuple[np.ndarray, np.ndarray]:
    """Pixels ``(1797, 64)`` uint8 in 0..16 and labels ``(1797,)`` int64, read once."""
    try:
        with gzip.open(DATA_FILE, "rt") as f:
            table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    except OSError as e:
        raise SpecError(f"the bundled digits file could not be read ({DATA_FILE}): {e}") from e
    if table.ndim != 2 or table.shape[1] != 65:
        raise SpecError(f"the bundled digits file {DATA_FILE} is damaged (shape {table.shape})")
    return table[:, :64].astype(np.uint8), table[:, 64].astype(np.int64)


def _stratified_split(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices of train and test sets: ``TEST_RATIO`` of every class held out, seeded."""
    rng = np.random.default_rng(SPLIT_SEED)
    train, test = [], []
    for c in range(10):
        idx = rng.permutation(np.flatnonzero(y == c))
        k = int(round(len(idx) * TEST_RATIO))
        test.append(idx[:k])
        train.append(idx[k:])
    # Shuffle across classes too, so a plain slice of the set is not all zeros.
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def make_digits(images: bool = False) -> Dataset:
    """Load the digits with a fixed stratified 80/20 split (1,438 train, 359 test).

    Parameters
    ----------
    images : bool
        False: flat samples ``(64,)`` for an MLP; True: ``(1, 8, 8)`` NCHW for a CNN.

    Returns
    -------
    Dataset
        x float32 in [0, 1] (pixels / 16), y int64 labels 0..9.
    """
    pixels, labels = _load_raw()
    x = pixels.astype(np.float32) / 16.0
    shape = (1, 8, 8) if images else (64,)
    x = x.reshape(-1, *shape)
    tr, te = _stratified_split(labels)
    name = "digits_images" if images else "digits"
    parts = (x[tr], labels[tr], x[te], labels[te])
    return Dataset.from_split(name, parts, {}, tuple(str(d) for d in range(10)))
