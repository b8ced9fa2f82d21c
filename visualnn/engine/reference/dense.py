"""Fully connected layer and the two reshaping layers, as plain formulas."""

from __future__ import annotations

import numpy as np


def dense_forward(x, weight, bias):
    """``y = x W^T + b``, torch's ``nn.Linear``.

    Parameters
    ----------
    x : (m, n_in)
    weight : (n_out, n_in)
    bias : (n_out,)

    Returns
    -------
    y : (m, n_out)
    cache : tuple
    """
    m, n_in = x.shape
    n_out = weight.shape[0]
    y = np.zeros((m, n_out))
    for i in range(m):
        for j in range(n_out):
            y[i, j] = np.dot(weight[j], x[i]) + bias[j]
    return y, (x, weight)


def dense_backward(dy, cache):
    """Gradients of ``dense_forward`` from ``dy`` (m, n_out).

    Returns
    -------
    dx : (m, n_in)
    dweight : (n_out, n_in)
        ``sum_i dy[i, j] x[i, k]``.
    dbias : (n_out,)
    """
    x, weight = cache
    dx = dy @ weight
    dweight = np.zeros(weight.shape)
    for i in range(x.shape[0]):
        dweight += np.outer(dy[i], x[i])
    return dx, dweight, dy.sum(axis=0)


def flatten_forward(x, start_dim=1, end_dim=-1):
    """Axes ``start_dim`` to ``end_dim`` of ``x`` (0 is the batch ``m``, -1 the last) merged
    into one, in C order: ``(m, d1, d2, ...) -> (m, d1*d2*...)`` by default; ``(m, c, f, t)
    -> (m, c*f, t)`` for ``(1, 2)``. The cache is the input shape."""
    end = end_dim % x.ndim
    shape = x.shape[:start_dim] + (-1,) + x.shape[end + 1 :]
    return x.reshape(shape), x.shape


def flatten_backward(dy, shape):
    """The gradient reshaped back to the input's shape."""
    return dy.reshape(shape)


def dropout_forward(x, mask, p):
    """Inverted dropout with a given 0/1 ``mask`` (same shape as ``x``): ``x * mask / (1 - p)``.

    At evaluation time dropout is the identity (``mask`` all ones, ``p = 0``).
    """
    return x * mask / (1.0 - p)


def dropout_backward(dy, mask, p):
    """``dx = dy * mask / (1 - p)``: dropped units pass no gradient."""
    return dy * mask / (1.0 - p)
