"""Losses: values against the formulas, finite-difference gradients, torch edge cases, errors."""

import numpy as np
import pytest

from visualnn.engine.activations import softmax
from visualnn.engine.errors import SpecError
from visualnn.engine.gradcheck import assert_loss_gradient
from visualnn.engine.losses import LOSSES, BCELoss, CrossEntropyLoss, L1Loss, MSELoss

SHAPES = [(1, 1), (4, 1), (3, 5), (2, 3, 4)]


@pytest.mark.parametrize("shape", SHAPES)
def test_mse(shape):
    rng = np.random.default_rng(0)
    pred, target = rng.standard_normal(shape), rng.standard_normal(shape)
    assert MSELoss().forward(pred, target) == pytest.approx(np.mean((pred - target) ** 2))
    assert assert_loss_gradient(MSELoss(), pred, target) < 1e-7


@pytest.mark.parametrize("shape", SHAPES)
def test_l1(shape):
    rng = np.random.default_rng(1)
    pred, target = rng.standard_normal(shape), rng.standard_normal(shape)
    assert L1Loss().forward(pred, target) == pytest.approx(np.mean(np.abs(pred - target)))
    assert assert_loss_gradient(L1Loss(), pred, target) < 1e-7


def test_l1_subgradient_at_zero_is_zero():
    loss = L1Loss()
    loss.forward(np.array([[1.0, 2.0]]), np.array([[1.0, 0.0]]))
    np.testing.assert_array_equal(loss.backward(), [[0.0, 0.5]])


@pytest.mark.parametrize("shape", SHAPES)
def test_bce(shape):
    rng = np.random.default_rng(2)
    p = rng.uniform(0.05, 0.95, shape)
    t = rng.uniform(0, 1, shape)
    want = -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))
    assert BCELoss().forward(p, t) == pytest.approx(want)
    assert assert_loss_gradient(BCELoss(), p, t, eps=1e-7) < 1e-6


def test_bce_near_zero_and_one_is_finite_like_torch():
    loss = BCELoss()
    p = np.array([[0.0, 1.0, 1e-30, 1 - 1e-16]])
    t = np.array([[1.0, 0.0, 1.0, 1.0]])
    # log clamped at -100: the saturated wrong predictions cost exactly 100 each
    value = loss.forward(p, t)
    assert np.isfinite(value)
    assert value == pytest.approx((100 + 100 + 30 * np.log(10) + 0) / 4, rel=1e-6)
    g = loss.backward()
    assert np.all(np.isfinite(g))
    # torch: (p - t) / max(p (1 - p), 1e-12) / N
    assert g[0, 0] == pytest.approx(-1 / 1e-12 / 4)
    # a right saturated prediction costs 0
    assert loss.forward(np.array([[1.0, 0.0]]), np.array([[1.0, 0.0]])) == 0.0


def test_bce_rejects_non_probabilities():
    with pytest.raises(SpecError, match="between 0 and 1: end the network with a sigmoid"):
        BCELoss().forward(np.array([[1.5]]), np.array([[1.0]]))


@pytest.mark.parametrize("n, c", [(1, 2), (4, 3), (7, 10)])
def test_cross_entropy(n, c):
    rng = np.random.default_rng(n + c)
    logits = rng.standard_normal((n, c)) * 1.5
    labels = rng.integers(0, c, n)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    want = -np.mean(np.log(p[np.arange(n), labels]))
    loss = CrossEntropyLoss()
    assert loss.forward(logits, labels) == pytest.approx(want)
    onehot = np.eye(c)[labels]
    np.testing.assert_allclose(loss.backward(), (p - onehot) / n, rtol=1e-10, atol=1e-14)
    assert assert_loss_gradient(CrossEntropyLoss(), logits, labels) < 1e-7


def test_cross_entropy_large_logits_are_finite():
    loss = CrossEntropyLoss()
    logits = np.array([[1000.0, -1000.0, 0.0], [-5e4, 5e4, 0.0]], dtype=np.float32)
    labels = np.array([1, 1])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = loss.forward(logits, labels)
        g = loss.backward()
    assert value == pytest.approx(2000 / 2, rel=1e-6)
    assert g.dtype == np.float32 and np.all(np.isfinite(g))
    np.testing.assert_allclose(g[0], [0.5, -0.5, 0.0])


def test_cross_entropy_accepts_column_and_float_labels_and_soft_targets():
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((4, 3))
    labels = np.array([0, 2, 1, 2])
    want = CrossEntropyLoss().forward(logits, labels)
    assert CrossEntropyLoss().forward(logits, labels[:, None]) == pytest.approx(want)
    assert CrossEntropyLoss().forward(logits, labels.astype(np.float32)) == pytest.approx(want)
    soft = CrossEntropyLoss()
    assert soft.forward(logits, np.eye(3)[labels]) == pytest.approx(want)
    fused = CrossEntropyLoss()
    fused.forward_softmax(softmax(logits), labels)
    np.testing.assert_allclose(soft.backward(), fused.backward())
    t = rng.dirichlet(np.ones(3), size=4)
    assert assert_loss_gradient(CrossEntropyLoss(), logits, t) < 1e-7


def test_cross_entropy_fused_softmax_path():
    rng = np.random.default_rng(4)
    logits = rng.standard_normal((5, 4))
    labels = rng.integers(0, 4, 5)
    exact = CrossEntropyLoss()
    value = exact.forward(logits, labels)
    fused = CrossEntropyLoss()
    assert fused.forward_softmax(softmax(logits), labels) == pytest.approx(value)
    np.testing.assert_allclose(fused.backward(), exact.backward(), atol=1e-15)
    # a probability of exactly 0 on the true class costs 100 (log clamp), not inf
    assert CrossEntropyLoss().forward_softmax(np.array([[1.0, 0.0]]), [1]) == 100.0


@pytest.mark.parametrize(
    "logits, labels, match",
    [
        (np.zeros((3, 4)), [0, 1, 4], "label 4 is out of range for 4 classes"),
        (np.zeros((3, 4)), [0, -1, 2], "label -1 is out of range"),
        (np.zeros((3, 4)), [0, 1], "one class label per sample"),
        (np.zeros((3, 4)), [0.0, np.nan, 1.0], "whole class numbers"),
        (np.zeros((3, 4)), [0.5, 1.0, 1.0], "whole class numbers"),
        (np.zeros((3, 4, 2)), [0, 1, 2], "add a Flatten or Dense layer"),
    ],
)
def test_cross_entropy_errors(logits, labels, match):
    with pytest.raises(SpecError, match=match):
        CrossEntropyLoss().forward(logits, np.asarray(labels))


def test_regression_target_shapes_and_nan():
    pred = np.zeros((4, 1), dtype=np.float32)
    loss = MSELoss()
    assert loss.forward(pred, np.ones(4)) == 1.0  # (N,) targets fit an (N, 1) output
    assert loss.backward().shape == (4, 1) and loss.backward().dtype == np.float32
    with pytest.raises(SpecError, match="targets have shape 3 but the network output has"):
        MSELoss().forward(pred, np.ones(3))
    with pytest.raises(SpecError, match="NaN"):
        MSELoss().forward(pred, np.array([1.0, np.nan, 0.0, 0.0]))
    # a NaN *prediction* is a divergence for the trainer to report, not a bad input
    assert np.isnan(MSELoss().forward(np.full((2, 1), np.nan), np.zeros(2)))


@pytest.mark.parametrize("name", list(LOSSES))
def test_float32_in_float32_out(name):
    rng = np.random.default_rng(5)
    pred = rng.uniform(0.1, 0.9, (6, 3)).astype(np.float32)
    target = rng.integers(0, 3, 6) if name == "cross_entropy" else rng.uniform(0, 1, (6, 3))
    loss = LOSSES[name]()
    assert isinstance(loss.forward(pred, target), float)
    assert loss.backward().dtype == np.float32
    assert loss.takes_labels == (name == "cross_entropy")
    assert loss.name == name


def test_registry():
    assert set(LOSSES) == {"mse", "l1", "bce", "cross_entropy"}
