"""Activation functions and their derivatives, one formula each.

Every ``*_backward(dy, x)`` returns ``dL/dx`` given ``dL/dy`` and the layer's input ``x``.
"""

from __future__ import annotations

import numpy as np


def relu(x):
    """``max(x, 0)``."""
    return np.maximum(x, 0)


def relu_backward(dy, x):
    """Slope 1 where ``x > 0``, else 0 (0 at the kink, as torch)."""
    return dy * (x > 0)


def leaky_relu(x, negative_slope=0.01):
    """``x`` where ``x > 0``, else ``negative_slope * x``."""
    return np.where(x > 0, x, negative_slope * x)


def leaky_relu_backward(dy, x, negative_slope=0.01):
    return dy * np.where(x > 0, 1.0, negative_slope)


def sigmoid(x):
    """``1 / (1 + exp(-x))``."""
    return 1.0 / (1.0 + np.exp(-x))


def sigmoid_backward(dy, x):
    """``s'(x) = s(x) (1 - s(x))``."""
    s = sigmoid(x)
    return dy * s * (1 - s)


def tanh(x):
    return np.tanh(x)


def tanh_backward(dy, x):
    """``tanh'(x) = 1 - tanh(x)^2``."""
    return dy * (1 - np.tanh(x) ** 2)


def softmax(x):
    """Softmax over axis 1 of ``(m, C, ...)``, one sample and position at a time."""
    y = np.zeros(x.shape)
    for idx in np.ndindex(x.shape[:1] + x.shape[2:]):
        i, rest = idx[0], idx[1:]
        z = x[(i, slice(None), *rest)]
        e = np.exp(z - z.max())  # shifting by the maximum changes nothing but avoids overflow
        y[(i, slice(None), *rest)] = e / e.sum()
    return y


def softmax_backward(dy, x):
    """``dx_i = y_i (dy_i - sum_j dy_j y_j)``: the softmax's Jacobian applied to ``dy``."""
    y = softmax(x)
    return y * (dy - (dy * y).sum(axis=1, keepdims=True))


def identity(x):
    return x


def identity_backward(dy, x):
    return dy


ACTIVATIONS = {
    "relu": (relu, relu_backward),
    "leaky_relu": (leaky_relu, leaky_relu_backward),
    "sigmoid": (sigmoid, sigmoid_backward),
    "tanh": (tanh, tanh_backward),
    "softmax": (softmax, softmax_backward),
    "identity": (identity, identity_backward),
}
