"""Optimizers: three steps against torch's update formulas (the twins in engine/reference)."""

import math

import numpy as np
import pytest

from visualnn.engine.errors import SpecError
from visualnn.engine.optim import (
    OPTIMIZERS,
    SGD,
    Adagrad,
    Adam,
    Param,
    RMSprop,
    clip_grad_norm,
)
from visualnn.engine.reference import optim as ref_optim

STEPS = 3


def problem(dtype=np.float64):
    """Three parameters and, for each of three steps, their gradients.

    The third is long enough for the optimizers' BLAS path, the others take the NumPy one.
    """
    rng = np.random.default_rng(0)
    values = [rng.standard_normal((3, 2)), rng.standard_normal(4), rng.standard_normal((130, 128))]
    grads = [[rng.standard_normal(v.shape) for v in values] for _ in range(STEPS)]
    return [v.astype(dtype) for v in values], [[g.astype(dtype) for g in gs] for gs in grads]


def run(make, dtype=np.float64):
    values, grads = problem(dtype)
    params = [Param(v.copy(), np.zeros_like(v), f"p{i}") for i, v in enumerate(values)]
    opt = make(params)
    for step in range(STEPS):
        for p, g in zip(params, grads[step], strict=True):
            p.grad[...] = g
        opt.step()
    return [p.value for p in params]


# --- torch's formulas: the plain twins in engine/reference/optim.py ----------------------
def expected(ref, **kw):
    """Each parameter after ``STEPS`` reference steps from the same start and gradients."""
    values, grads = problem()
    out = []
    for i, value in enumerate(values):
        state: dict = {}
        for gs in grads:
            value = ref(value, gs[i], state, **kw)
        out.append(value)
    return out


ref_sgd, ref_adam = ref_optim.sgd_step, ref_optim.adam_step
ref_rmsprop, ref_adagrad = ref_optim.rmsprop_step, ref_optim.adagrad_step

CASES = [
    (lambda p: SGD(p, lr=0.1), ref_sgd, {"lr": 0.1}),
    (lambda p: SGD(p, lr=0.1, momentum=0.9), ref_sgd, {"lr": 0.1, "momentum": 0.9}),
    (
        lambda p: SGD(p, lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01),
        ref_sgd,
        {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.01},
    ),
    (
        lambda p: SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1),
        ref_sgd,
        {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1},
    ),
    (lambda p: Adam(p), ref_adam, {}),
    (
        lambda p: Adam(p, lr=0.01, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.1),
        ref_adam,
        {"lr": 0.01, "betas": (0.8, 0.9), "eps": 1e-6, "weight_decay": 0.1},
    ),
    (lambda p: Adam(p, lr=0.01, amsgrad=True), ref_adam, {"lr": 0.01, "amsgrad": True}),
    (lambda p: RMSprop(p), ref_rmsprop, {}),
    (
        lambda p: RMSprop(p, lr=0.02, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.1),
        ref_rmsprop,
        {"lr": 0.02, "alpha": 0.9, "momentum": 0.5, "centered": True, "weight_decay": 0.1},
    ),
    (lambda p: RMSprop(p, momentum=0.7), ref_rmsprop, {"momentum": 0.7}),
    (lambda p: Adagrad(p), ref_adagrad, {}),
    (
        lambda p: Adagrad(p, lr=0.1, lr_decay=0.5, weight_decay=0.2),
        ref_adagrad,
        {"lr": 0.1, "lr_decay": 0.5, "weight_decay": 0.2},
    ),
]


@pytest.mark.parametrize("make, ref, kw", CASES)
def test_three_steps_match_torch_formulas(make, ref, kw):
    for got, want in zip(run(make), expected(ref, **kw), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("make, ref, kw", CASES)
def test_float32_stays_float32(make, ref, kw):
    got = run(make, np.float32)
    for g, want in zip(got, expected(ref, **kw), strict=True):
        assert g.dtype == np.float32
        np.testing.assert_allclose(g, want, rtol=2e-5, atol=2e-6)


def test_sgd_first_step_values_by_hand():
    p = Param(np.array([1.0, -2.0]), np.array([0.5, 1.0]))
    opt = SGD([p], lr=0.1, momentum=0.9, dampening=0.5)
    opt.step()  # buf = g (no dampening on the first step)
    np.testing.assert_allclose(p.value, [0.95, -2.1])
    opt.step()  # buf = 0.9 g + 0.5 g = 1.4 g
    np.testing.assert_allclose(p.value, [0.95 - 0.07, -2.1 - 0.14])


def test_adam_first_step_is_lr_times_sign():
    # bias correction makes the first Adam step lr * g / (|g| + eps') for every element
    p = Param(np.array([1.0, 1.0, 1.0]), np.array([1e-3, -5.0, 100.0]))
    Adam([p], lr=0.01).step()
    np.testing.assert_allclose(p.value, [0.99, 1.01, 0.99], rtol=1e-5)


def test_lr_is_a_plain_attribute_applied_next_step():
    p = Param(np.array([0.0]), np.array([1.0]))
    opt = SGD([p], lr=0.1)
    opt.step()
    opt.lr = 1.0
    opt.step()
    np.testing.assert_allclose(p.value, [-1.1])


def test_zero_grad_and_in_place_updates():
    value, grad = np.ones(3, dtype=np.float32), np.ones(3, dtype=np.float32)
    p = Param(value, grad, "w")
    opt = Adam([p])
    opt.step()
    assert p.value is value and p.grad is grad
    opt.zero_grad()
    assert not grad.any()


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda p: SGD(p, lr=-0.1), "lr must be at least 0"),
        (lambda p: SGD(p, momentum=1.0), r"momentum must be in \[0, 1\)"),
        (lambda p: SGD(p, momentum=-0.5), "momentum"),
        (lambda p: SGD(p, nesterov=True), "Nesterov momentum needs a momentum above 0"),
        (lambda p: SGD(p, momentum=0.9, dampening=0.1, nesterov=True), "zero dampening"),
        (lambda p: SGD(p, weight_decay=-1), "weight_decay"),
        (lambda p: Adam(p, betas=(1.0, 0.9)), "beta1"),
        (lambda p: Adam(p, lr="fast"), "lr must be a number"),
        (lambda p: RMSprop(p, lr=float("nan")), "lr"),
        (lambda p: Adagrad(p, eps=-1), "eps"),
    ],
)
def test_bad_hyper_parameters(make, match):
    p = Param(np.zeros(2), np.zeros(2))
    with pytest.raises(SpecError, match=match):
        make([p])


def test_bad_lr_set_later_is_caught_at_step():
    opt = SGD([Param(np.zeros(2), np.zeros(2))])
    opt.lr = -1
    with pytest.raises(SpecError, match="lr"):
        opt.step()


def test_clip_grad_norm_like_torch():
    a = Param(np.zeros(2), np.array([3.0, 0.0]))
    b = Param(np.zeros(1), np.array([4.0]))
    total = clip_grad_norm([a, b], 1.0)
    assert total == pytest.approx(5.0)
    coef = 1.0 / (5.0 + 1e-6)
    np.testing.assert_allclose(a.grad, [3 * coef, 0])
    np.testing.assert_allclose(b.grad, [4 * coef])
    # below the limit: untouched
    assert clip_grad_norm([a, b], 10.0) == pytest.approx(1.0, rel=1e-5)
    np.testing.assert_allclose(b.grad, [4 * coef])
    c = Param(np.zeros(1, np.float32), np.array([np.inf], np.float32))
    assert math.isinf(clip_grad_norm([c], 1.0))
    with pytest.raises(SpecError):
        clip_grad_norm([a], -1)


def test_registry_and_empty_params():
    assert set(OPTIMIZERS) == {"sgd", "rmsprop", "adagrad", "adam"}
    for name, cls in OPTIMIZERS.items():
        opt = cls([])
        opt.step()
        opt.zero_grad()
        assert opt.name == name
