"""The parity data set: layout, labels, parameters, reproducibility."""

import numpy as np
import pytest

from visualnn.data import DATASETS, dataset_params, load_dataset
from visualnn.engine import SpecError


def test_parity_layout_and_labels():
    d = load_dataset("parity", n=200, length=7, seed=3)
    assert "parity" in DATASETS and d.input_shape == (1, 7)
    assert d.x_train.shape[1:] == (1, 7) and d.x_train.dtype == np.float32
    assert len(d.x_train) + len(d.x_test) == 200 and len(d.x_train) == 160
    for x, y in ((d.x_train, d.y_train), (d.x_test, d.y_test)):
        assert set(np.unique(x)) <= {0.0, 1.0}
        np.testing.assert_array_equal(y, x[:, 0, :].sum(axis=1).astype(np.int64) % 2)
    assert d.num_classes == 2 and d.class_names == ("even", "odd") and d.task == "classification"
    assert d.params == {"n": 200, "length": 7, "noise": 0.0, "train_ratio": 0.8, "seed": 3}
    assert 0.35 < d.y_train.mean() < 0.65


def test_parity_is_reproducible_and_noise_keeps_labels():
    a = load_dataset("parity", n=50, seed=1)
    b = load_dataset("parity", n=50, seed=1)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    noisy = load_dataset("parity", n=50, seed=1, noise=0.1)
    np.testing.assert_array_equal(noisy.y_train, a.y_train)
    assert np.abs(noisy.x_train - a.x_train).max() > 0
    assert set(dataset_params("parity")) == {"n", "length", "noise", "train_ratio", "seed"}


@pytest.mark.parametrize(
    "params, key",
    [({"n": 2}, "n"), ({"length": 0}, "length"), ({"length": 2.5}, "length"),
     ({"noise": -1}, "noise"), ({"train_ratio": 1.0}, "train_ratio"), ({"seed": -1}, "seed")],
)  # fmt: skip
def test_parity_bad_parameters(params, key):
    with pytest.raises(SpecError, match=f"dataset parity: {key} must be") as info:
        load_dataset("parity", **params)
    assert info.value.key == key
