"""Activation functions as layers, as the ``activation=`` shorthand, and as curves for plots."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .errors import SpecError
from .module import Module
from .settings import check

ArrayFn = Callable[[np.ndarray], np.ndarray]


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic function without overflow: ``exp`` only ever sees ``-|z|``."""
    z = np.asarray(z)
    e = np.exp(-np.abs(z))
    # 1/(1+e^-z) for z >= 0 and e^z/(1+e^z) for z < 0: both exact, neither overflows.
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def softmax(z: np.ndarray, axis: int = 1) -> np.ndarray:
    """Softmax along ``axis``, shifted by the maximum so ``exp`` cannot overflow."""
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    e /= np.sum(e, axis=axis, keepdims=True)
    return e


class _Activation(Module):
    """Shared bookkeeping: parameter-free, shape-preserving, records its output."""

    def _keep(self, y: np.ndarray) -> np.ndarray:
        if self.record:
            self.last_pre = y
            self.last_out = y
        return y

    def describe(self) -> str:
        return type(self).__name__


class ReLU(_Activation):
    """``y = max(x, 0)`` elementwise; any shape ``(N, ...)``."""

    type_name = "relu"

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._mask = x > 0
        return self._keep(np.maximum(x, 0))

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        # dL/dx = dL/dy * 1[x > 0]
        return grad_out * self._mask


class LeakyReLU(_Activation):
    """``y = x`` for ``x > 0`` else ``negative_slope * x``; any shape ``(N, ...)``."""

    type_name = "leaky_relu"

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = float(
            check("leaky_relu", "negative_slope", negative_slope, "LeakyReLU")
        )

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._mask = x > 0
        return self._keep(np.where(self._mask, x, x * self.negative_slope))

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        # dL/dx = dL/dy * (1 if x > 0 else slope)
        return np.where(self._mask, grad_out, grad_out * self.negative_slope)

    def config(self) -> dict[str, Any]:
        cfg = super().config()
        if self.negative_slope != 0.01:
            cfg["negative_slope"] = self.negative_slope
        return cfg


class Sigmoid(_Activation):
    """``y = 1 / (1 + exp(-x))``, stable for any ``|x|``; any shape ``(N, ...)``."""

    type_name = "sigmoid"

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._y = sigmoid(x)
        return self._keep(self._y)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        # dL/dx = dL/dy * y * (1 - y)
        y = self._y
        return grad_out * y * (1 - y)


class Tanh(_Activation):
    """``y = tanh(x)``; any shape ``(N, ...)``."""

    type_name = "tanh"

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._y = np.tanh(x)
        return self._keep(self._y)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        # dL/dx = dL/dy * (1 - y^2)
        y = self._y
        return grad_out * (1 - y * y)


class Softmax(_Activation):
    """Softmax over axis 1 (the features or channels), as ``torch.nn.Softmax(dim=1)``.

    Input ``(N, C)`` or ``(N, C, ...)``; output the same shape, summing to 1 along axis 1.
    """

    type_name = "softmax"

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        if len(input_shape) < 1:
            raise SpecError("Softmax needs at least one feature axis")
        return tuple(input_shape)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._y = softmax(x, axis=1)
        return self._keep(self._y)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        # dL/dx_i = y_i * (dL/dy_i - sum_j dL/dy_j * y_j)
        y = self._y
        return y * (grad_out - np.sum(grad_out * y, axis=1, keepdims=True))


class Identity(_Activation):
    """``y = x``: the "linear" activation; any shape."""

    type_name = "identity"

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return self._keep(x)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        # dL/dx = dL/dy
        return grad_out


ACTIVATIONS: dict[str, type[Module]] = {
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "softmax": Softmax,
    "linear": Identity,
    "identity": Identity,
}


def check_activation_name(name: str | None) -> str | None:
    """Return ``name`` (None allowed) if valid, else raise ``SpecError`` listing the names."""
    if name is None or (isinstance(name, str) and name in ACTIVATIONS):
        return name
    valid = ", ".join(ACTIVATIONS)
    raise SpecError(f"unknown activation {name!r}; choose one of: {valid}", key="activation")


def make_activation(name: str | None) -> Module | None:
    """Layer for an ``activation=`` shorthand, or None for no activation (None/linear/identity).

    Raises
    ------
    SpecError
        For an unknown name, with the list of valid ones.
    """
    name = check_activation_name(name)
    if name is None or ACTIVATIONS[name] is Identity:
        return None
    return ACTIVATIONS[name]()


def _leaky(z):
    return np.where(z > 0, z, 0.01 * z)


def _dleaky(z):
    return np.where(z > 0, 1.0, 0.01)


def _dsigmoid(z):
    s = sigmoid(z)
    return s * (1 - s)


def _softmax_curve(z):
    return softmax(np.asarray(z, dtype=float), axis=-1)


# (f, df) for plotting one neuron's activation curve over a grid of pre-activations.
_CURVES: dict[str, tuple[ArrayFn, ArrayFn | None]] = {
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (np.asarray(z) > 0).astype(float)),
    "leaky_relu": (_leaky, _dleaky),
    "sigmoid": (sigmoid, _dsigmoid),
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "softmax": (_softmax_curve, None),
    "linear": (lambda z: np.asarray(z, dtype=float), lambda z: np.ones_like(z, dtype=float)),
    "identity": (lambda z: np.asarray(z, dtype=float), lambda z: np.ones_like(z, dtype=float)),
}


def activation_fn(name: str | None) -> tuple[ArrayFn, ArrayFn | None]:
    """Elementwise ``(f, df)`` of an activation, for drawing its curve.

    Parameters
    ----------
    name : str or None
        An ``ACTIVATIONS`` key; None means linear.

    Returns
    -------
    f, df : callable
        ``f(z)`` and its derivative ``df(z)`` for an array ``z`` of any shape. Softmax is not
        elementwise (each output depends on every unit), so its ``f`` is the softmax of the
        whole array along its last axis and ``df`` is None: show softmax specially.
    """
    name = check_activation_name(name)
    return _CURVES["linear" if name is None else name]
