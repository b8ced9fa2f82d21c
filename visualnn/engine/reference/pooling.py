"""Max and average pooling as loops: ``pool_forward``, ``pool_backward``.

torch's meaning: ``(m, C, H, W)`` inputs, a ``kernel`` window moved by ``stride``, with
``padding`` cells on each side (never chosen by max, counted as zeros by the average,
``count_include_pad=True``).
"""

from __future__ import annotations

import numpy as np


def create_mask_from_window(x):
    """True at the window's maximum: the only cell the max passes its gradient to.

    With ties, the first maximum in row-major order (torch's rule).
    """
    mask = np.zeros(x.shape, dtype=bool)
    mask[np.unravel_index(np.argmax(x), x.shape)] = True
    return mask


def distribute_value(dz, shape):
    """Spread ``dz`` evenly over a window of ``shape``: the average's gradient."""
    return np.full(shape, dz / (shape[0] * shape[1]))


def pool_forward(a_prev, kernel, stride=None, padding=(0, 0), mode="max"):
    """Pool every window of every channel.

    Parameters
    ----------
    a_prev : (m, C, H, W)
    kernel : (kh, kw)
    stride : (int, int) or None
        None: the kernel size.
    padding : (int, int)
    mode : {"max", "average"}

    Returns
    -------
    a : (m, C, H_out, W_out)
        ``H_out = (H + 2 padding - kh) // stride + 1``.
    cache : tuple
    """
    stride = kernel if stride is None else stride
    fill = -np.inf if mode == "max" else 0.0
    ph, pw = padding
    a_pad = np.pad(a_prev, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)
    m, n_c, height, width = a_pad.shape
    h_out = (height - kernel[0]) // stride[0] + 1
    w_out = (width - kernel[1]) // stride[1] + 1
    a = np.zeros((m, n_c, h_out, w_out))
    for i in range(m):
        for h in range(h_out):
            for w in range(w_out):
                top, left = h * stride[0], w * stride[1]
                for c in range(n_c):
                    window = a_pad[i, c, top : top + kernel[0], left : left + kernel[1]]
                    a[i, c, h, w] = np.max(window) if mode == "max" else np.mean(window)
    return a, (a_pad, a_prev.shape, kernel, stride, padding, mode)


def pool_backward(da, cache):
    """Gradient of ``pool_forward`` from ``da`` (m, C, H_out, W_out) -> ``(m, C, H, W)``."""
    a_pad, shape, kernel, stride, padding, mode = cache
    da_pad = np.zeros(a_pad.shape)
    m, n_c, h_out, w_out = da.shape
    for i in range(m):
        for h in range(h_out):
            for w in range(w_out):
                top, left = h * stride[0], w * stride[1]
                rows, cols = slice(top, top + kernel[0]), slice(left, left + kernel[1])
                for c in range(n_c):
                    if mode == "max":
                        mask = create_mask_from_window(a_pad[i, c, rows, cols])
                        da_pad[i, c, rows, cols] += mask * da[i, c, h, w]
                    else:
                        da_pad[i, c, rows, cols] += distribute_value(da[i, c, h, w], kernel)
    ph, pw = padding
    return da_pad[:, :, ph : ph + shape[2], pw : pw + shape[3]]
