"""Gated recurrent unit with torch's ``nn.GRU`` formulas and gate order (r, z, n)."""

from __future__ import annotations

import numpy as np

from .base import SUFFIXES, sigmoid_, time_steps
from .run import RecurrentLayer


class GRU(RecurrentLayer):
    """GRU layer, torch's ``nn.GRU`` (one layer, batch first, input as features x time).

    Step formulas (``*`` elementwise, ``s`` the logistic sigmoid)::

        r = s(W_ir x + b_ir + W_hr h + b_hr)          reset gate
        z = s(W_iz x + b_iz + W_hz h + b_hz)          update gate
        n = tanh(W_in x + b_in + r * (W_hn h + b_hn)) candidate
        h' = (1 - z) * n + z * h

    Parameters
    ----------
    hidden_size, bidirectional, return_sequences, init, input_size
        As for ``RNN``.

    Notes
    -----
    Input ``(N, F, T)``. ``weight_ih_l0`` (3H, F) and ``weight_hh_l0`` (3H, H) stack the
    rows of r, z, n; biases (3H,). Output ``(N, H*dirs, T)`` with ``return_sequences``,
    else ``(N, H*dirs)``. With ``record`` on, ``last_states`` holds ``"h"``, ``"r"``,
    ``"z"``, ``"n"``, each ``(N, H*dirs, T)`` (directions concatenated, forward first).
    """

    type_name = "gru"
    label = "GRU"
    gates = 3
    state_names = ("h", "r", "z", "n")

    def _input_bias(self, d: int) -> np.ndarray:
        # b_hr and b_hz add straight to the input projection; b_hn sits inside r * (...)
        sfx, h = SUFFIXES[d], self.hidden_size
        bias = self.params[f"bias_ih_l0{sfx}"].copy()
        bias[: 2 * h] += self.params[f"bias_hh_l0{sfx}"][: 2 * h]
        return bias

    def _run(self, d: int, xp: np.ndarray) -> None:
        t, n, _ = xp.shape
        h = self.hidden_size
        w_hh, b_hh = self._weights(d)
        hb = self._hidden(d, "h", t, n, xp.dtype)
        # r, z in one buffer and n in another: each step's block is contiguous, which makes
        # the sigmoid and tanh about twice as fast as on column slices of one (N, 3H) row
        rz_all = self._array(f"rz{d}", (t, n, 2 * h), xp.dtype)
        n_all = self._array(f"n{d}", (t, n, h), xp.dtype)
        hn = self._array(f"hn{d}", (t, n, h), xp.dtype)  # W_hn h + b_hn, for backward
        hh = self._array("hh", (n, 3 * h), xp.dtype)
        prev, out = self._offsets(d)
        w_t, b_hn = w_hh.T, b_hh[2 * h :]
        for s in time_steps(t, bool(d)):
            h_prev, h_new, rz, cand = hb[s + prev], hb[s + out], rz_all[s], n_all[s]
            np.matmul(h_prev, w_t, out=hh)
            np.add(xp[s, :, : 2 * h], hh[:, : 2 * h], out=rz)
            sigmoid_(rz)
            np.add(hh[:, 2 * h :], b_hn, out=hn[s])
            np.multiply(rz[:, :h], hn[s], out=cand)
            cand += xp[s, :, 2 * h :]
            np.tanh(cand, out=cand)
            # h' = n + z * (h - n)
            np.subtract(h_prev, cand, out=h_new)
            h_new *= rz[:, h:]
            h_new += cand

    def _back(self, d: int, dh: np.ndarray, dy: np.ndarray | None, dg: np.ndarray) -> np.ndarray:
        t, n, _ = dg.shape
        h = self.hidden_size
        w_hh = self._weights(d)[0]
        rz_all, n_all, hn = self._buf[f"rz{d}"], self._buf[f"n{d}"], self._buf[f"hn{d}"]
        prev = self._offsets(d)[0]
        hb = self._buf[f"h{d}"]
        dgh = self._array(f"dgh{d}", (t, n, 3 * h), dg.dtype)
        a = self._array("a", (n, h), dg.dtype)
        b = self._array("b", (n, h), dg.dtype)
        for s in time_steps(t, not d):
            if dy is not None:
                dh += dy[s]
            gi, gh, cand = dg[s], dgh[s], n_all[s]
            r, z = rz_all[s, :, :h], rz_all[s, :, h:]
            # dL/dn_pre = dL/dh (1 - z) (1 - n^2)
            dn = gi[:, 2 * h :]
            np.multiply(cand, cand, out=a)
            np.subtract(1, a, out=a)
            np.subtract(1, z, out=b)
            a *= b
            np.multiply(a, dh, out=dn)
            # dL/dz_pre = dL/dh (h_prev - n) z (1 - z)
            np.subtract(hb[s + prev], cand, out=a)
            a *= dh
            b *= z
            np.multiply(a, b, out=gh[:, h : 2 * h])
            # dL/d(W_hn h + b_hn) = dL/dn_pre r ;  dL/dr_pre = dL/dn_pre (W_hn h + b_hn) r (1 - r)
            np.multiply(dn, r, out=gh[:, 2 * h :])
            np.subtract(1, r, out=b)
            b *= r
            np.multiply(dn, hn[s], out=a)
            np.multiply(a, b, out=gh[:, :h])
            # dL/dh_prev = dL/dh z + dG_hh W_hh
            np.multiply(dh, z, out=a)
            np.matmul(gh, w_hh, out=dh)
            dh += a
        # r and z enter the input and recurrent pre-activations alike
        np.copyto(dg[:, :, : 2 * h], dgh[:, :, : 2 * h])
        return dgh

    def _states(self, d: int) -> dict[str, np.ndarray]:
        rz, h = self._buf[f"rz{d}"], self.hidden_size
        return {
            "h": self._sequence(d),
            "r": rz[:, :, :h],
            "z": rz[:, :, h:],
            "n": self._buf[f"n{d}"],
        }
