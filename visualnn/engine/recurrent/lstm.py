"""Long short-term memory with torch's ``nn.LSTM`` formulas and gate order (i, f, g, o)."""

from __future__ import annotations

import numpy as np

from .base import sigmoid_, time_steps
from .run import RecurrentLayer


class LSTM(RecurrentLayer):
    """LSTM layer, torch's ``nn.LSTM`` (one layer, batch first, input as features x time).

    Step formulas (``*`` elementwise, ``s`` the logistic sigmoid, ``W x`` short for
    ``W_i. x + b_i. + W_h. h + b_h.``)::

        i = s(W x)   input gate        f = s(W x)   forget gate
        g = tanh(W x)  candidate       o = s(W x)   output gate
        c' = f * c + i * g
        h' = o * tanh(c')

    Parameters
    ----------
    hidden_size, bidirectional, return_sequences, init, input_size
        As for ``RNN``.

    Notes
    -----
    Input ``(N, F, T)``. ``weight_ih_l0`` (4H, F) and ``weight_hh_l0`` (4H, H) stack the
    rows of i, f, g, o; biases (4H,). The output is ``h`` (every step or the last, as for
    ``RNN``). With ``record`` on, ``last_states`` holds ``"h"``, ``"c"``, ``"i"``, ``"f"``,
    ``"g"``, ``"o"``, each ``(N, H*dirs, T)`` (directions concatenated, forward first).
    """

    type_name = "lstm"
    label = "LSTM"
    gates = 4
    state_names = ("h", "c", "i", "f", "g", "o")

    def row_scale(self) -> np.ndarray:
        """2 for the g rows, 1 elsewhere: the loop computes tanh(x) as 2 sigmoid(2x) - 1."""
        h = self.hidden_size
        scale = np.ones(4 * h, self.params["weight_hh_l0"].dtype)
        scale[2 * h : 3 * h] = 2
        return scale

    def _run(self, d: int, xp: np.ndarray) -> None:
        # xp's g columns hold 2x the pre-activation (``row_scale``), and so does the product
        # with the doubled W_hh below: then one sigmoid over the whole contiguous (N, 4H)
        # block serves all four gates, and g = 2 sigmoid(2x) - 1 = tanh(x) needs two more
        # operations, instead of four separate passes over column slices.
        t, n, _ = xp.shape
        h = self.hidden_size
        w_hh = self._weights(d)[0]
        w_t = (w_hh * self.row_scale()[:, None]).T
        hb = self._hidden(d, "h", t, n, xp.dtype)
        cb = self._hidden(d, "c", t, n, xp.dtype)
        gates = self._array(f"gates{d}", (t, n, 4 * h), xp.dtype)
        tc = self._array(f"tanh_c{d}", (t, n, h), xp.dtype)  # tanh(c), for backward
        a = self._array("a", (n, h), xp.dtype)
        prev, out = self._offsets(d)
        for s in time_steps(t, bool(d)):
            g = gates[s]
            np.matmul(hb[s + prev], w_t, out=g)
            g += xp[s]
            sigmoid_(g)
            i, f, cand, o = g[:, :h], g[:, h : 2 * h], g[:, 2 * h : 3 * h], g[:, 3 * h :]
            cand *= 2
            cand -= 1
            c = cb[s + out]
            np.multiply(f, cb[s + prev], out=c)
            np.multiply(i, cand, out=a)
            c += a
            np.tanh(c, out=tc[s])
            np.multiply(o, tc[s], out=hb[s + out])

    def _back(self, d: int, dh: np.ndarray, dy: np.ndarray | None, dg: np.ndarray) -> np.ndarray:
        t, n, _ = dg.shape
        h = self.hidden_size
        w_hh = self._weights(d)[0]
        gates, tc, cb = self._buf[f"gates{d}"], self._buf[f"tanh_c{d}"], self._buf[f"c{d}"]
        prev = self._offsets(d)[0]
        a = self._array("a", (n, h), dg.dtype)
        ds = self._array("ds", (n, 4 * h), dg.dtype)  # s (1 - s) of every gate at once
        m = self._array("m", (n, 3, h), dg.dtype)  # what dL/dc multiplies for i, f, g
        dc = self._array("dc", (n, h), dg.dtype)
        dc.fill(0)
        for s in time_steps(t, not d):
            if dy is not None:
                dh += dy[s]
            g, gi = gates[s], dg[s]
            i, f, cand, o = g[:, :h], g[:, h : 2 * h], g[:, 2 * h : 3 * h], g[:, 3 * h :]
            np.subtract(1, g, out=ds)
            ds *= g
            # dL/do_pre = dL/dh tanh(c) o (1 - o)
            np.multiply(dh, tc[s], out=a)
            np.multiply(a, ds[:, 3 * h :], out=gi[:, 3 * h :])
            # dL/dc += dL/dh o (1 - tanh(c)^2)
            np.multiply(tc[s], tc[s], out=a)
            np.subtract(1, a, out=a)
            a *= o
            a *= dh
            dc += a
            # dL/d[i; f; g]_pre = dL/dc [g i (1 - i); c_prev f (1 - f); i (1 - g^2)]
            np.multiply(cand, ds[:, :h], out=m[:, 0])
            np.multiply(cb[s + prev], ds[:, h : 2 * h], out=m[:, 1])
            np.multiply(cand, cand, out=a)
            np.subtract(1, a, out=a)
            np.multiply(a, i, out=m[:, 2])
            np.multiply(m, dc[:, None, :], out=gi[:, : 3 * h].reshape(n, 3, h))
            # dL/dc_prev = dL/dc f ;  dL/dh_prev = dG W_hh
            dc *= f
            np.matmul(gi, w_hh, out=dh)
        return dg

    def _states(self, d: int) -> dict[str, np.ndarray]:
        g, h = self._buf[f"gates{d}"], self.hidden_size
        names = ("i", "f", "g", "o")
        states = {"h": self._sequence(d), "c": self._sequence(d, "c")}
        states.update({k: g[:, :, j * h : (j + 1) * h] for j, k in enumerate(names)})
        return states
