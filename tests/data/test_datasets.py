"""Bundled data sets: shapes, dtypes, ranges, seeding, fixed digits split, bad parameters."""

import numpy as np
import pytest

from visualnn.data import DATASETS, Dataset, dataset_params, load_dataset
from visualnn.engine import SpecError

TOYS = ["circle", "xor", "gauss", "spiral"]


@pytest.mark.parametrize("name", TOYS)
def test_toy_classification_sets(name):
    d = load_dataset(name, n=200, noise=0.1, train_ratio=0.7, seed=1)
    assert isinstance(d, Dataset) and d.task == "classification"
    assert d.x_train.shape == (140, 2) and d.x_test.shape == (60, 2)
    assert d.x_train.dtype == np.float32 and d.y_train.dtype == np.int64
    assert set(np.unique(np.concatenate([d.y_train, d.y_test]))) == {0, 1}
    assert np.abs(d.x_train).max() < 1.6  # about [-1, 1]
    assert d.num_classes == 2 and len(d.class_names) == 2 and d.input_shape == (2,)
    again = load_dataset(name, n=200, noise=0.1, train_ratio=0.7, seed=1)
    np.testing.assert_array_equal(d.x_train, again.x_train)
    other = load_dataset(name, n=200, noise=0.1, train_ratio=0.7, seed=2)
    assert not np.array_equal(d.x_train, other.x_train)


def test_circle_labels_follow_the_radius():
    d = load_dataset("circle", noise=0.0)
    r = np.hypot(d.x_train[:, 0], d.x_train[:, 1])
    assert (r[d.y_train == 1] < 0.5).all() and (r[d.y_train == 0] >= 0.7 - 1e-6).all()


def test_xor_labels_follow_the_quadrant():
    d = load_dataset("xor", noise=0.0)
    np.testing.assert_array_equal(d.y_train, (d.x_train[:, 0] * d.x_train[:, 1] >= 0))


def test_plane_regression():
    d = load_dataset("plane", noise=0.0)
    assert d.task == "regression" and d.y_train.shape == (600, 1) and d.num_classes is None
    np.testing.assert_allclose(d.y_train[:, 0], 0.6 * d.x_train.sum(axis=1), atol=1e-6)


def test_sum_dataset():
    d = load_dataset("sum", n=100)
    assert d.x_train.shape == (80, 2) and d.y_train.shape == (80, 1)
    assert 0 <= d.x_train.min() and d.x_train.max() < 0.5
    np.testing.assert_allclose(d.y_train[:, 0], d.x_train.sum(axis=1), rtol=1e-6)


def test_digits_fixed_stratified_split():
    d = load_dataset("digits")
    assert d.x_train.shape == (1438, 64) and d.x_test.shape == (359, 64)
    assert d.x_train.dtype == np.float32 and 0 <= d.x_train.min() and d.x_train.max() == 1
    counts = np.bincount(d.y_test, minlength=10)
    assert counts.min() >= 34 and counts.max() <= 38  # every class held out ~20%
    assert d.class_names == tuple("0123456789") and d.num_classes == 10
    img = load_dataset("digits_images")
    assert img.x_train.shape == (1438, 1, 8, 8) and img.input_shape == (1, 8, 8)
    np.testing.assert_array_equal(img.x_test.reshape(-1, 64), d.x_test)
    np.testing.assert_array_equal(img.y_test, d.y_test)
    # The split is fixed: same as a fresh load, and train and test are disjoint.
    np.testing.assert_array_equal(load_dataset("digits").y_test, d.y_test)
    train = {r.tobytes() for r in d.x_train}
    assert sum(r.tobytes() in train for r in d.x_test) < 5  # a few digits are exact repeats


def test_neuron_set_starts_with_the_worked_example():
    d = load_dataset("neuron")
    np.testing.assert_array_equal(d.x_test[0], np.float32([0.5, 0.3, 0.2]))
    assert d.input_shape == (3,) and d.y_test[0] == 0


@pytest.mark.parametrize(
    "name, params, match",
    [
        ("mnist", {}, "unknown dataset 'mnist'; known datasets: circle"),
        ("circle", {"nosie": 0.1}, "did you mean 'noise'"),
        ("circle", {"noise": 0.9}, "noise must be between 0.0 and 0.5"),
        ("circle", {"noise": "lots"}, "noise must be a number"),
        ("spiral", {"train_ratio": 0.95}, "train_ratio"),
        ("xor", {"n": 2}, "n must be between"),
        ("xor", {"n": 10.5}, "whole number"),
        ("digits", {"seed": 1}, "takes no settings"),
    ],
)
def test_bad_parameters(name, params, match):
    with pytest.raises(SpecError, match=match):
        load_dataset(name, **params)


def test_registry_and_params():
    assert {"circle", "xor", "gauss", "spiral", "plane", "sum", "digits", "digits_images"} <= set(
        DATASETS
    )
    assert set(dataset_params("spiral")) == {"n", "noise", "train_ratio", "seed"}


def test_digits_file_is_package_data():
    """The digits ship inside the package (pyproject's package-data), not beside the source
    tree, so a plain ``pip install`` (not editable) finds them too."""
    import tomllib
    from pathlib import Path

    import visualnn
    from visualnn.data.digits import DATA_FILE

    package = Path(visualnn.__file__).resolve().parent
    relative = DATA_FILE.relative_to(package)
    root = package.parent
    globs = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["visualnn"]
    assert any(relative.match(g) for g in globs), (relative, globs)
    assert DATA_FILE.is_file() and (DATA_FILE.parent / "README.md").is_file()
