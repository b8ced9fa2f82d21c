"""Convolution as nested loops: ``conv_single_step``, ``conv_forward``, ``conv_backward``.

torch's layout and meaning: inputs ``(m, C, H, W)``, weights ``(O, C, kh, kw)``, biases
``(O,)``; cross-correlation (the kernel is not flipped); ``stride``, ``pad`` (zeros added
on each side) and ``dilation`` (spacing between the kernel's taps) per axis.
"""

from __future__ import annotations

import numpy as np


def zero_pad(x, pad):
    """Zeros around the two spatial axes of ``(m, C, H, W)``; ``pad = ((top, bottom),
    (left, right))``."""
    return np.pad(x, ((0, 0), (0, 0), pad[0], pad[1]))


def conv_single_step(a_slice_prev, w, b):
    """One output number: the window ``(C, kh, kw)`` times one filter, summed, plus its bias."""
    return float(np.sum(a_slice_prev * w) + b)


def _window(a_pad_i, h, w, shape, stride, dilation):
    """The input cells that output pixel ``(h, w)`` sees: ``(C, kh, kw)``."""
    kh, kw = shape
    top, left = h * stride[0], w * stride[1]
    return a_pad_i[
        :,
        top : top + dilation[0] * (kh - 1) + 1 : dilation[0],
        left : left + dilation[1] * (kw - 1) + 1 : dilation[1],
    ]


def conv_forward(a_prev, weight, bias, stride=(1, 1), pad=((0, 0), (0, 0)), dilation=(1, 1)):
    """2-D convolution.

    Parameters
    ----------
    a_prev : (m, C, H, W)
    weight : (O, C, kh, kw)
    bias : (O,)
    stride, dilation : (int, int)
    pad : ((top, bottom), (left, right))

    Returns
    -------
    z : (m, O, H_out, W_out)
        ``H_out = (H + top + bottom - dilation (kh - 1) - 1) // stride + 1``, same for W.
    cache : tuple
    """
    m = a_prev.shape[0]
    n_out, _, kh, kw = weight.shape
    a_pad = zero_pad(a_prev, pad)
    h_out = (a_pad.shape[2] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    w_out = (a_pad.shape[3] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    z = np.zeros((m, n_out, h_out, w_out))
    for i in range(m):
        for h in range(h_out):
            for w in range(w_out):
                a_slice = _window(a_pad[i], h, w, (kh, kw), stride, dilation)
                for c in range(n_out):
                    z[i, c, h, w] = conv_single_step(a_slice, weight[c], bias[c])
    return z, (a_prev, weight, stride, pad, dilation)


def conv_backward(dz, cache):
    """Gradients of ``conv_forward`` from ``dz`` (m, O, H_out, W_out).

    Every output pixel hands its gradient back to the window it read: ``weight[c] * dz`` to
    the input cells, ``window * dz`` to the filter.

    Returns
    -------
    da_prev : (m, C, H, W)
    dweight : (O, C, kh, kw)
    dbias : (O,)
    """
    a_prev, weight, stride, pad, dilation = cache
    m, n_out, h_out, w_out = dz.shape
    kh, kw = weight.shape[2:]
    a_pad = zero_pad(a_prev, pad)
    da_pad = np.zeros(a_pad.shape)
    dweight = np.zeros(weight.shape)
    for i in range(m):
        for h in range(h_out):
            for w in range(w_out):
                a_slice = _window(a_pad[i], h, w, (kh, kw), stride, dilation)
                da_slice = _window(da_pad[i], h, w, (kh, kw), stride, dilation)
                for c in range(n_out):
                    da_slice += weight[c] * dz[i, c, h, w]  # a view: writes into da_pad
                    dweight[c] += a_slice * dz[i, c, h, w]
    height, width = a_prev.shape[2:]
    da_prev = da_pad[:, :, pad[0][0] : pad[0][0] + height, pad[1][0] : pad[1][0] + width]
    return da_prev, dweight, dz.sum(axis=(0, 2, 3))


def conv1d_forward(a_prev, weight, bias, stride=1, pad=(0, 0), dilation=1):
    """1-D convolution of ``(m, C, L)`` with ``(O, C, k)``: a 2-D one of height 1."""
    z, cache = conv_forward(
        a_prev[:, :, None, :], weight[:, :, None, :], bias, (1, stride), ((0, 0), pad),
        (1, dilation),
    )  # fmt: skip
    return z[:, :, 0, :], cache


def conv1d_backward(dz, cache):
    """Gradients of ``conv1d_forward``: ``da_prev (m, C, L)``, ``dweight (O, C, k)``, ``dbias``."""
    da, dw, db = conv_backward(dz[:, :, None, :], cache)
    return da[:, :, 0, :], dw[:, :, 0, :], db
