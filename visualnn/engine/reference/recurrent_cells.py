"""One time step of RNN, GRU and LSTM, forward and backward, written like the textbook.

The course notation, one column per sample: ``x<t>`` is ``(n_x, m)``, the hidden state
``a<t>`` is ``(n_a, m)``. Weights use torch's names and shapes: ``W_ax`` is ``weight_ih``
``(gates*n_a, n_x)``, ``W_aa`` is ``weight_hh`` ``(gates*n_a, n_a)``; gates are stacked in
torch's order (GRU r, z, n; LSTM i, f, g, o). Biases are columns ``(gates*n_a, 1)``.

Each ``*_cell_forward`` returns the new state(s) and a ``cache``; each ``*_cell_backward``
takes the gradient with respect to the new state(s) and the cache and returns a dict of
gradients: ``da_prev`` (and ``dc_prev``), ``dx``, and the parameters' (same keys as the
``params`` dict, to be summed over the time steps).
"""

from __future__ import annotations

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-z))``."""
    return 1.0 / (1.0 + np.exp(-z))


def _split(v: np.ndarray, gates: int) -> list[np.ndarray]:
    """``(gates*n_a, ...)`` -> one ``(n_a, ...)`` block per gate."""
    n_a = v.shape[0] // gates
    return [v[k * n_a : (k + 1) * n_a] for k in range(gates)]


# --- RNN --------------------------------------------------------------------------------
def rnn_cell_forward(xt, a_prev, params, nonlinearity="tanh"):
    """``a<t> = g(W_aa a<t-1> + W_ax x<t> + b_a)``, with ``b_a = b_ih + b_hh``.

    Parameters
    ----------
    xt : (n_x, m)
    a_prev : (n_a, m)
    params : dict
        ``W_ax`` (n_a, n_x), ``W_aa`` (n_a, n_a), ``b_ih`` and ``b_hh`` (n_a, 1).
    nonlinearity : {"tanh", "relu"}

    Returns
    -------
    a_next : (n_a, m)
    cache : tuple
    """
    z = params["W_aa"] @ a_prev + params["W_ax"] @ xt + params["b_ih"] + params["b_hh"]
    a_next = np.tanh(z) if nonlinearity == "tanh" else np.maximum(z, 0)
    return a_next, (xt, a_prev, a_next, params, nonlinearity)


def rnn_cell_backward(da_next, cache):
    """Gradients of one RNN step from ``da_next`` (n_a, m)."""
    xt, a_prev, a_next, params, nonlinearity = cache
    # dz = da * g'(z): 1 - a^2 for tanh, 1[a > 0] for relu
    g_prime = 1 - a_next**2 if nonlinearity == "tanh" else (a_next > 0).astype(a_next.dtype)
    dz = da_next * g_prime
    db = dz.sum(axis=1, keepdims=True)
    return {
        "dx": params["W_ax"].T @ dz,
        "da_prev": params["W_aa"].T @ dz,
        "W_ax": dz @ xt.T,
        "W_aa": dz @ a_prev.T,
        "b_ih": db,
        "b_hh": db,
    }


# --- GRU --------------------------------------------------------------------------------
def gru_cell_forward(xt, a_prev, params):
    """One GRU step, torch's formulas::

        r = sigmoid(W_ir x + b_ir + W_hr a + b_hr)
        z = sigmoid(W_iz x + b_iz + W_hz a + b_hz)
        n = tanh(W_in x + b_in + r * (W_hn a + b_hn))
        a_next = (1 - z) * n + z * a

    ``params`` as for ``rnn_cell_forward`` with three stacked gates (3 n_a rows).
    """
    gi = params["W_ax"] @ xt + params["b_ih"]  # input part of each gate, (3 n_a, m)
    gh = params["W_aa"] @ a_prev + params["b_hh"]  # recurrent part
    i_r, i_z, i_n = _split(gi, 3)
    h_r, h_z, h_n = _split(gh, 3)
    r = sigmoid(i_r + h_r)
    z = sigmoid(i_z + h_z)
    n = np.tanh(i_n + r * h_n)
    a_next = (1 - z) * n + z * a_prev
    return a_next, (xt, a_prev, r, z, n, h_n, params)


def gru_cell_backward(da_next, cache):
    """Gradients of one GRU step from ``da_next`` (n_a, m)."""
    xt, a_prev, r, z, n, h_n, params = cache
    dn = da_next * (1 - z)
    dz = da_next * (a_prev - n)
    dn_pre = dn * (1 - n**2)
    dr = dn_pre * h_n
    dz_pre = dz * z * (1 - z)
    dr_pre = dr * r * (1 - r)
    # the input part sees dn_pre, the recurrent part of n sees it through r
    dgi = np.concatenate([dr_pre, dz_pre, dn_pre])
    dgh = np.concatenate([dr_pre, dz_pre, dn_pre * r])
    return {
        "dx": params["W_ax"].T @ dgi,
        "da_prev": params["W_aa"].T @ dgh + da_next * z,
        "W_ax": dgi @ xt.T,
        "W_aa": dgh @ a_prev.T,
        "b_ih": dgi.sum(axis=1, keepdims=True),
        "b_hh": dgh.sum(axis=1, keepdims=True),
    }


# --- LSTM -------------------------------------------------------------------------------
def lstm_cell_forward(xt, a_prev, c_prev, params):
    """One LSTM step, torch's formulas::

        [i; f; g; o] = W_ax x + b_ih + W_aa a + b_hh   (pre-activations, stacked)
        i, f, o = sigmoid(.)   g = tanh(.)
        c_next = f * c_prev + i * g
        a_next = o * tanh(c_next)

    Returns ``a_next``, ``c_next`` (n_a, m) and the cache.
    """
    pre = params["W_ax"] @ xt + params["W_aa"] @ a_prev + params["b_ih"] + params["b_hh"]
    p_i, p_f, p_g, p_o = _split(pre, 4)
    i, f, g, o = sigmoid(p_i), sigmoid(p_f), np.tanh(p_g), sigmoid(p_o)
    c_next = f * c_prev + i * g
    a_next = o * np.tanh(c_next)
    return a_next, c_next, (xt, a_prev, c_prev, i, f, g, o, c_next, params)


def lstm_cell_backward(da_next, dc_next, cache):
    """Gradients of one LSTM step from ``da_next`` and ``dc_next`` (n_a, m)."""
    xt, a_prev, c_prev, i, f, g, o, c_next, params = cache
    tanh_c = np.tanh(c_next)
    do = da_next * tanh_c
    dc = dc_next + da_next * o * (1 - tanh_c**2)
    di, df, dg = dc * g, dc * c_prev, dc * i
    dpre = np.concatenate([di * i * (1 - i), df * f * (1 - f), dg * (1 - g**2), do * o * (1 - o)])
    db = dpre.sum(axis=1, keepdims=True)
    return {
        "dx": params["W_ax"].T @ dpre,
        "da_prev": params["W_aa"].T @ dpre,
        "dc_prev": dc * f,
        "W_ax": dpre @ xt.T,
        "W_aa": dpre @ a_prev.T,
        "b_ih": db,
        "b_hh": db,
    }


def cell_forward(kind, xt, a_prev, c_prev, params, nonlinearity="tanh"):
    """One time step of any cell: ``(a_next, c_next, cache)``.

    ``kind`` is ``"rnn"``, ``"gru"`` or ``"lstm"``; ``c_prev`` and ``c_next`` are the LSTM's
    cell state ``(n_a, m)`` and are passed through unchanged by the other two.
    """
    if kind == "lstm":
        return lstm_cell_forward(xt, a_prev, c_prev, params)
    if kind == "gru":
        a_next, cache = gru_cell_forward(xt, a_prev, params)
    else:
        a_next, cache = rnn_cell_forward(xt, a_prev, params, nonlinearity)
    return a_next, c_prev, cache
