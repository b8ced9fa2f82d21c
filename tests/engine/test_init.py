"""Initialisers: bounds, moments, bias rules, seeds and errors."""

import math

import numpy as np
import pytest

from visualnn.engine.errors import SpecError
from visualnn.engine.init import INITIALIZERS, fans, init_weight_and_bias, initialize

FAN_IN, FAN_OUT = 50, 30
SHAPE = (200, 250)  # 50 000 draws: moments within ~1 %


def draw(name, dtype=np.float32):
    return initialize(name, SHAPE, FAN_IN, FAN_OUT, np.random.default_rng(0), dtype)


@pytest.mark.parametrize(
    "name, bound",
    [
        ("default", 1 / math.sqrt(FAN_IN)),
        ("xavier_uniform", math.sqrt(6 / (FAN_IN + FAN_OUT))),
        ("kaiming_uniform", math.sqrt(6 / FAN_IN)),
    ],
)
def test_uniform_bounds_and_moments(name, bound):
    w = draw(name)
    assert w.dtype == np.float32 and w.shape == SHAPE
    assert np.abs(w).max() <= bound
    assert np.abs(w).max() > 0.99 * bound
    assert abs(w.mean()) < 0.01 * bound
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.01)


@pytest.mark.parametrize(
    "name, std",
    [
        ("xavier_normal", math.sqrt(2 / (FAN_IN + FAN_OUT))),
        ("kaiming_normal", math.sqrt(2 / FAN_IN)),
    ],
)
def test_normal_moments(name, std):
    w = draw(name)
    assert abs(w.mean()) < 0.01 * std
    assert w.std() == pytest.approx(std, rel=0.01)


def test_uniform01_and_zeros():
    w = draw("uniform01")
    assert w.min() >= 0 and w.max() < 1
    assert w.mean() == pytest.approx(0.5, abs=0.005)
    assert not draw("zeros").any()


@pytest.mark.parametrize("name", list(INITIALIZERS))
def test_seed_reproducible(name):
    a = draw(name)
    b = draw(name)
    np.testing.assert_array_equal(a, b)
    if name != "zeros":
        other = initialize(name, SHAPE, FAN_IN, FAN_OUT, np.random.default_rng(1))
        assert not np.array_equal(a, other)


def test_dtype_float64():
    assert draw("default", np.float64).dtype == np.float64


@pytest.mark.parametrize(
    "name, bias_check",
    [
        ("default", lambda b, fan_in: np.abs(b).max() <= 1 / math.sqrt(fan_in) and b.std() > 0),
        ("uniform01", lambda b, fan_in: b.min() >= 0 and b.max() < 1 and b.std() > 0),
        ("xavier_uniform", lambda b, fan_in: not b.any()),
        ("xavier_normal", lambda b, fan_in: not b.any()),
        ("kaiming_uniform", lambda b, fan_in: not b.any()),
        ("kaiming_normal", lambda b, fan_in: not b.any()),
        ("zeros", lambda b, fan_in: not b.any()),
    ],
)
def test_weight_and_bias(name, bias_check):
    w, b = init_weight_and_bias(name, (64, 9), None, None, np.random.default_rng(0))
    assert w.shape == (64, 9) and b.shape == (64,)
    assert w.dtype == b.dtype == np.float32
    assert bias_check(b, 9)


def test_conv_shaped_weights_use_torch_fans():
    assert fans((8, 3, 5, 5)) == (75, 200)
    assert fans((16, 4)) == (4, 16)
    assert fans((6, 2, 7)) == (14, 42)
    w, b = init_weight_and_bias("default", (8, 3, 5, 5), None, None, np.random.default_rng(0))
    assert np.abs(w).max() <= 1 / math.sqrt(75) and np.abs(b).max() <= 1 / math.sqrt(75)
    w64, _ = init_weight_and_bias("default", (8, 3), 3, 8, np.random.default_rng(0), np.float64)
    assert w64.dtype == np.float64


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(SpecError, match="unknown initialiser 'he'; choose one of: default") as e:
        initialize("he", (2, 2), 2, 2, np.random.default_rng(0))
    assert e.value.key == "init"
    with pytest.raises(SpecError, match="kaiming_normal"):
        init_weight_and_bias("glorot", (2, 2), None, None, np.random.default_rng(0))
