"""Whole recurrent layers as plain loops over time: ``rnn_forward``, ``rnn_backward``.

The layer's view of the data is the engine's: ``x`` of shape ``(m, n_x, T_x)`` (samples,
features, time, what Conv1D gives) and ``params`` with torch's names (``weight_ih_l0``,
``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0`` and ``*_reverse``). The loop hands each
step's ``x<t>`` as a column-per-sample ``(n_x, m)`` matrix to the cells of
``recurrent_cells``. The reverse direction is the same loop from the last step to the
first; a bidirectional layer concatenates both directions' states, forward first.
"""

from __future__ import annotations

import numpy as np

from .recurrent_cells import cell_forward, gru_cell_backward, lstm_cell_backward, rnn_cell_backward

SUFFIXES = ("", "_reverse")
NAMES = {"W_ax": "weight_ih_l0", "W_aa": "weight_hh_l0", "b_ih": "bias_ih_l0", "b_hh": "bias_hh_l0"}


def _cell_params(params, suffix):
    """torch's names -> the cells' names (biases as columns)."""
    p = {short: params[long + suffix] for short, long in NAMES.items()}
    p["b_ih"], p["b_hh"] = p["b_ih"][:, None], p["b_hh"][:, None]
    return p


def _direction_forward(kind, x, p, reverse, nonlinearity):
    """States ``a`` (n_a, m, T_x) of one direction and the caches, in visiting order."""
    m, _, t_x = x.shape
    n_a = p["W_aa"].shape[1]
    a = np.zeros((n_a, m, t_x))
    a_prev, c_prev = np.zeros((n_a, m)), np.zeros((n_a, m))
    caches = []
    for t in reversed(range(t_x)) if reverse else range(t_x):
        xt = x[:, :, t].T  # (n_x, m)
        a_prev, c_prev, cache = cell_forward(kind, xt, a_prev, c_prev, p, nonlinearity)
        a[:, :, t] = a_prev
        caches.append((t, cache))
    return a, caches


def rnn_forward(kind, x, params, bidirectional=False, return_sequences=False, nonlinearity="tanh"):
    """Run a recurrent layer over a batch.

    Parameters
    ----------
    kind : {"rnn", "gru", "lstm"}
    x : (m, n_x, T_x)
    params : dict
        torch's names and shapes, e.g. ``weight_ih_l0`` (gates*n_a, n_x).
    bidirectional, return_sequences : bool
    nonlinearity : {"tanh", "relu"}
        For ``kind="rnn"``.

    Returns
    -------
    y : (m, n_a*dirs, T_x) with ``return_sequences``, else (m, n_a*dirs)
        Every step's state, or the final one (forward: last step; reverse: first step).
    cache : tuple
        For ``rnn_backward``.
    """
    outputs, caches = [], []
    for d in range(2 if bidirectional else 1):
        p = _cell_params(params, SUFFIXES[d])
        a, cache = _direction_forward(kind, x, p, d == 1, nonlinearity)
        outputs.append(a)
        caches.append((p, cache))
    if return_sequences:
        y = np.concatenate([a.transpose(1, 0, 2) for a in outputs], axis=1)
    else:
        y = np.concatenate([a[:, :, -1 if d == 0 else 0].T for d, a in enumerate(outputs)], 1)
    return y, (kind, x, caches, return_sequences)


def rnn_backward(dy, cache):
    """Back-propagation through time.

    Parameters
    ----------
    dy : array shaped like ``y`` from ``rnn_forward``
    cache : from ``rnn_forward``

    Returns
    -------
    dx : (m, n_x, T_x)
    grads : dict
        torch's names, one gradient per parameter.
    """
    kind, x, caches, return_sequences = cache
    dx = np.zeros(x.shape)
    grads = {}
    for d, (p, steps) in enumerate(caches):
        n_a = p["W_aa"].shape[1]
        cols = slice(d * n_a, (d + 1) * n_a)
        sums = {k: np.zeros_like(v) for k, v in p.items()}
        da_next = np.zeros((n_a, x.shape[0])) if return_sequences else dy[:, cols].T
        dc_next = np.zeros_like(da_next)
        for t, step_cache in reversed(steps):  # last visited step first
            if return_sequences:
                da_next = da_next + dy[:, cols, t].T
            if kind == "lstm":
                g = lstm_cell_backward(da_next, dc_next, step_cache)
                dc_next = g["dc_prev"]
            elif kind == "gru":
                g = gru_cell_backward(da_next, step_cache)
            else:
                g = rnn_cell_backward(da_next, step_cache)
            da_next = g["da_prev"]
            dx[:, :, t] += g["dx"].T
            for k in sums:
                sums[k] += g[k]
        for short, long in NAMES.items():
            s = sums[short]
            grads[long + SUFFIXES[d]] = s[:, 0] if short.startswith("b") else s
    return dx, grads
