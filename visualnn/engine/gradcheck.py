"""Finite-difference gradient checks for layers and losses, in float64.

Used by the test-suite of every layer::

    layer = Conv2D(4, 3, in_channels=2)
    x = np.random.default_rng(0).standard_normal((2, 2, 5, 5))
    assert_layer_gradients(layer, x)          # input, weight and bias

The scalar checked is ``L = sum(layer.forward(x) * r)`` with a fixed random ``r``, so every
output element contributes, and ``backward(r)`` must return ``dL/dx`` and accumulate
``dL/dW``, ``dL/db`` into ``layer.grads``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .module import Module


def numerical_grad(f: Callable[[], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of the scalar ``f()`` with respect to the array ``x``.

    Parameters
    ----------
    f : callable
        Takes no argument and reads ``x`` (or an array sharing its memory) to compute a float.
    x : numpy.ndarray, float64, C-contiguous, any shape
        Perturbed in place one element at a time and restored afterwards.
    eps : float
        Step; ``(f(x + eps e_i) - f(x - eps e_i)) / (2 eps)``.

    Returns
    -------
    numpy.ndarray, float64, shape ``x.shape``
    """
    if x.dtype != np.float64:
        raise TypeError(f"numerical_grad needs a float64 array, got {x.dtype}")
    if not x.flags.c_contiguous:
        raise ValueError("numerical_grad needs a C-contiguous array (it perturbs it in place)")
    flat = x.reshape(-1)
    grad = np.zeros(x.size, dtype=np.float64)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        f_plus = float(f())
        flat[i] = old - eps
        f_minus = float(f())
        flat[i] = old
        grad[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad.reshape(x.shape)


def cast_layer(layer: Module, dtype: np.dtype | type = np.float64) -> Module:
    """Convert a built layer's ``params`` and ``grads`` to ``dtype`` in place; returns it.

    Zeroes the gradients and drops cached scratch buffers. Arrays are rebound, so ``Param``
    objects taken before the cast no longer refer to the layer: cast before building an
    optimizer (this is meant for gradient checks).
    """
    for key, value in layer.params.items():
        layer.params[key] = np.ascontiguousarray(value, dtype=dtype)
        layer.grads[key] = np.zeros_like(layer.params[key])
    buffers = getattr(layer, "_buf", None)
    if isinstance(buffers, dict):
        buffers.clear()
    layer.zero_grad()
    return layer


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """``max |a - n| / max(max |a|, max |n|)``: the worst error relative to the gradient's size."""
    diff = float(np.max(np.abs(analytic - numeric))) if analytic.size else 0.0
    scale = max(
        float(np.max(np.abs(analytic), initial=0.0)), float(np.max(np.abs(numeric), initial=0.0))
    )
    return diff / max(scale, 1e-12)


def layer_gradients(
    layer: Module,
    x: np.ndarray,
    rng: np.random.Generator | None = None,
    training: bool = False,
    eps: float = 1e-6,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Analytic and numerical gradients of ``sum(layer.forward(x) * r)``.

    Parameters
    ----------
    layer : Module
        Built or not (an unbuilt layer is built for ``x.shape[1:]`` with ``rng``); its
        parameters are cast to float64 with ``cast_layer``.
    x : numpy.ndarray, shape ``(N, ...)``
        Input; copied to float64.
    rng : numpy.random.Generator or None
        For ``r`` and building; None uses seed 0.
    training : bool
        Passed to ``forward``. A layer with a ``rng`` attribute (Dropout) gets its generator
        state restored before every forward, so all evaluations share one mask.
    eps : float
        Finite-difference step.

    Returns
    -------
    dict
        ``{"input": (analytic, numeric), "weight": ..., "bias": ...}``; ``"input"`` only when
        ``layer.need_input_grad``.
    """
    rng = np.random.default_rng(0) if rng is None else rng
    x = np.array(x, dtype=np.float64, order="C")
    if layer.input_shape is None and hasattr(layer, "build"):
        layer.build(tuple(x.shape[1:]), rng)
    cast_layer(layer, np.float64)
    run = _repeatable_forward(layer, x, training)
    r = rng.standard_normal(run().shape)

    def loss() -> float:
        return float(np.sum(run() * r))

    dx, analytic = _backward_of(layer, run, r)
    result: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if layer.need_input_grad:
        if dx is None:
            raise AssertionError(f"{layer!r}: backward returned None with need_input_grad on")
        result["input"] = (dx, numerical_grad(loss, x, eps))
    for key, value in layer.params.items():
        result[key] = (analytic[key], numerical_grad(loss, value, eps))
    return result


def _repeatable_forward(layer: Module, x: np.ndarray, training: bool) -> Callable[[], np.ndarray]:
    """``layer.forward(x)`` that draws the same random numbers every call.

    A layer with a ``rng`` attribute (Dropout) gets its generator state back before each
    forward, so every evaluation of the finite differences shares one mask.
    """
    layer_rng = getattr(layer, "rng", None)
    rng_state = (
        layer_rng.bit_generator.state if isinstance(layer_rng, np.random.Generator) else None
    )

    def run() -> np.ndarray:
        if rng_state is not None:
            layer.rng.bit_generator.state = rng_state
        return layer.forward(x, training=training)

    return run


def _backward_of(
    layer: Module, run: Callable[[], np.ndarray], r: np.ndarray
) -> tuple[np.ndarray | None, dict[str, np.ndarray]]:
    """The analytic gradients of ``sum(run() * r)``: ``(dL/dx or None, {name: dL/dparam})``."""
    layer.zero_grad()
    run()
    dx = layer.backward(r.copy())
    # Copy at once: layers may hand out scratch buffers that later forwards overwrite.
    dx = None if dx is None else np.array(dx, dtype=np.float64)
    return dx, {k: g.copy() for k, g in layer.grads.items()}


def gradcheck_layer(layer: Module, x: np.ndarray, **options: Any) -> dict[str, float]:
    """Relative error (see ``relative_error``) of every gradient: ``{"input": ..., ...}``.

    ``options`` are ``layer_gradients``'s: ``rng``, ``training`` and ``eps``.
    """
    grads = layer_gradients(layer, x, **options)
    return {k: relative_error(a, n) for k, (a, n) in grads.items()}


def assert_layer_gradients(
    layer: Module, x: np.ndarray, *args: Any, atol: float = 1e-6, rtol: float = 1e-4, **kw: Any
) -> dict[str, float]:
    """Fail with a readable message unless every gradient matches its finite difference.

    Each analytic gradient must satisfy ``|a - n| <= atol + rtol |n|`` elementwise. Keep
    inputs away from kinks (ReLU at 0, max-pool ties, L1 at equality). Returns the relative
    errors like ``gradcheck_layer``. ``args`` and ``kw`` are ``layer_gradients``'s: ``rng``,
    ``training`` and ``eps``.
    """
    grads = layer_gradients(layer, x, *args, **kw)
    errors = {k: relative_error(a, n) for k, (a, n) in grads.items()}
    for key, (a, n) in grads.items():
        if a.shape != n.shape:
            raise AssertionError(f"{layer!r}: {key} gradient has shape {a.shape}, want {n.shape}")
        if not np.allclose(a, n, rtol=rtol, atol=atol):
            worst = np.unravel_index(np.argmax(np.abs(a - n)), a.shape)
            raise AssertionError(
                f"{layer!r}: {key} gradient differs from finite differences, at {worst}: "
                f"analytic {a[worst]:.8g} vs numeric {n[worst]:.8g}; relative errors {errors}"
            )
    return errors


def check_layer_gradients(
    layer: Module,
    input_shape: tuple[int, ...],
    rng: np.random.Generator | None = None,
    batch: int = 2,
    training: bool = False,
    atol: float = 1e-6,
    rtol: float = 1e-4,
) -> dict[str, float]:
    """Build ``layer`` for ``input_shape`` and check it on a random batch.

    The batch is standard normal, shape ``(batch, *input_shape)``; see
    ``assert_layer_gradients``. Returns the relative errors.
    """
    rng = np.random.default_rng(0) if rng is None else rng
    layer.build(tuple(input_shape), rng)
    x = rng.standard_normal((batch, *input_shape))
    return assert_layer_gradients(layer, x, rng, training, atol=atol, rtol=rtol)


def assert_loss_gradient(
    loss, pred: np.ndarray, target: np.ndarray, eps: float = 1e-6, atol=1e-6, rtol=1e-4
) -> float:
    """Check ``loss.backward()`` against finite differences of ``loss.forward(pred, target)``.

    ``pred`` is copied to float64; returns the relative error.
    """
    pred = np.array(pred, dtype=np.float64, order="C")
    loss.forward(pred, target)
    analytic = np.asarray(loss.backward(), dtype=np.float64)
    numeric = numerical_grad(lambda: loss.forward(pred, target), pred, eps)
    err = relative_error(analytic, numeric)
    if analytic.shape != pred.shape or not np.allclose(analytic, numeric, rtol=rtol, atol=atol):
        raise AssertionError(f"{type(loss).__name__}: gradient relative error {err:.3g}")
    return err
