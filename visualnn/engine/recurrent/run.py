"""The forward and backward passes every recurrent layer shares, around its cell's time loop.

Per direction ``d`` the cell gets its input projections ``xp`` (T, N, gates*H) and fills its
buffers step by step; everything else is done here for all steps at once:

- forward: ``(N, F, T) -> (T, N, F)`` once, then ``x W_ih^T + b`` for every step and both
  directions in one product;
- backward: the cell turns the output gradients into gate gradients ``dG`` (T, N, gates*H),
  then ``dW_ih = dG^T X``, ``dW_hh = dG_hh^T H_prev``, the bias sums and ``dX = dG W_ih`` are
  one product each over all ``T*N`` rows.
"""

from __future__ import annotations

import numpy as np

from ..errors import SpecError
from .base import SUFFIXES, Recurrent


class RecurrentLayer(Recurrent):
    """Forward/backward plumbing; subclasses implement ``_run``, ``_back`` and ``_states``.

    The hidden states of direction ``d`` live in ``self._buf[f"h{d}"]``, shape
    ``(T + 1, N, H)``, with one row of zeros for the initial state: the forward direction
    reads ``h<t-1>`` from row ``t`` and writes ``h<t>`` to row ``t + 1``; the reverse one
    reads row ``t + 1`` and writes row ``t`` (``_offsets``). One slice of that buffer then
    holds every step's previous state as a ``(T*N, H)`` matrix for the weight gradient.
    """

    # --- buffers ------------------------------------------------------------------------
    def _array(self, key: str, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        """Scratch kept across calls while the shape repeats (internal state for backward)."""
        buf = self._buf.get(key)
        if buf is None or buf.shape != shape or buf.dtype != dtype:
            buf = self._buf[key] = np.empty(shape, dtype)
        return buf

    def _result(self, key: str, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        """An array handed to the caller: scratch in training mode, else fresh."""
        return self._array(key, shape, dtype) if self._reuse else np.empty(shape, dtype)

    def _hidden(self, d: int, name: str, t: int, n: int, dtype: np.dtype) -> np.ndarray:
        """``(T + 1, N, H)`` state buffer of direction ``d`` with its zero initial row."""
        buf = self._array(f"{name}{d}", (t + 1, n, self.hidden_size), dtype)
        buf[t if d else 0] = 0
        return buf

    @staticmethod
    def _offsets(d: int) -> tuple[int, int]:
        """``(prev, out)``: step ``t`` reads state row ``t + prev`` and writes ``t + out``."""
        return (1, 0) if d else (0, 1)

    def _sequence(self, d: int, name: str = "h") -> np.ndarray:
        """``(T, N, H)`` view of the states direction ``d`` wrote, in time order."""
        buf = self._buf[f"{name}{d}"]
        out = self._offsets(d)[1]
        return buf[out : out + buf.shape[0] - 1]

    def _ones(self, n: int, dtype: np.dtype) -> np.ndarray:
        ones = self._buf.get("ones")
        if ones is None or ones.shape[0] != n or ones.dtype != dtype:
            ones = self._buf["ones"] = np.ones(n, dtype)
        return ones

    def _weights(self, d: int) -> tuple[np.ndarray, np.ndarray]:
        """``(weight_hh, bias_hh)`` of direction ``d``."""
        sfx = SUFFIXES[d]
        return self.params[f"weight_hh_l0{sfx}"], self.params[f"bias_hh_l0{sfx}"]

    def _input_bias(self, d: int) -> np.ndarray:
        """Bias added to the input projection: both biases, where they simply add up."""
        sfx = SUFFIXES[d]
        return self.params[f"bias_ih_l0{sfx}"] + self.params[f"bias_hh_l0{sfx}"]

    # --- per-cell hooks -----------------------------------------------------------------
    #: None, or a method giving a ``(gates*H,)`` factor for the rows of the input projection
    #: (the LSTM doubles its g rows; see ``LSTM._run``).
    row_scale = None

    def _run(self, d: int, xp: np.ndarray) -> None:
        """Direction ``d`` forward from its input projections ``xp`` (T, N, gates*H)."""
        raise NotImplementedError

    def _back(self, d: int, dh: np.ndarray, dy: np.ndarray | None, dg: np.ndarray) -> np.ndarray:
        """Direction ``d`` backward.

        Parameters
        ----------
        dh : (N, H)
            dL/dh of the last state the direction wrote (zeros with ``return_sequences``);
            the cell may overwrite it.
        dy : (T, N, H) or None
            dL/dh<t> from the layer's output at every step (``return_sequences``).
        dg : (T, N, gates*H)
            Filled with dL/d(input pre-activations), the rows that multiply ``W_ih``.

        Returns
        -------
        (T, N, gates*H)
            dL/d(recurrent pre-activations), the rows that multiply ``W_hh`` (``dg`` itself
            where the two are the same).
        """
        raise NotImplementedError

    def _states(self, d: int) -> dict[str, np.ndarray]:
        """Per-step arrays of direction ``d`` for the views, each ``(T, N, H)``."""
        raise NotImplementedError

    # --- running ------------------------------------------------------------------------
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """``(N, F, T) -> (N, H*dirs, T)`` with ``return_sequences``, else ``(N, H*dirs)``."""
        if not self.params:
            raise SpecError(f"{self.describe()} is not built yet: give input_size or build it")
        x = np.asarray(x)
        if x.ndim != 3 or x.shape[1] != self.input_size:
            self._check_input_shape(x.shape[1:])  # raises, naming the shapes
        dtype = self.params["weight_ih_l0"].dtype
        n, f, t = x.shape
        gh = self.gates * self.hidden_size
        self._reuse = bool(training and not self.record)
        # x<t> with a column of ones, so the bias rides along in the input product
        xt = self._array("xt", (t, n, f + 1), dtype)
        xt[:, :, f] = 1
        np.copyto(xt[:, :, :f], x.transpose(2, 0, 1), casting="unsafe")
        w_aug = self._array("w_aug", (self.dirs * gh, f + 1), dtype)
        for d, s in enumerate(SUFFIXES[: self.dirs]):
            w_aug[d * gh : (d + 1) * gh, :f] = self.params[f"weight_ih_l0{s}"]
            w_aug[d * gh : (d + 1) * gh, f] = self._input_bias(d)
        if self.row_scale is not None:
            w_aug *= np.tile(self.row_scale(), self.dirs)[:, None]
        xp = self._array("xp", (t, n, self.dirs * gh), dtype)
        # all steps and both directions at once: [X | 1] (T*N, F+1) @ [W_ih | b]^T
        np.matmul(xt.reshape(t * n, f + 1), w_aug.T, out=xp.reshape(t * n, -1))
        for d in range(self.dirs):
            self._run(d, xp[:, :, d * gh : (d + 1) * gh])
        y = self._output(n, t, dtype)
        if self.record:
            self.last_pre = self.last_out = y
            self.last_states = self._all_states()
        return y

    def _output(self, n: int, t: int, dtype: np.dtype) -> np.ndarray:
        h = self.hidden_size
        if not self.return_sequences:
            # torch's h_n: the forward direction's last state, then the reverse one's first
            y = self._result("y", (n, h * self.dirs), dtype)
            for d in range(self.dirs):
                np.copyto(y[:, d * h : (d + 1) * h], self._sequence(d)[0 if d else t - 1])
            return y
        if self.dirs == 1 and self._reuse:
            return self._sequence(0).transpose(1, 2, 0)  # a view of the scratch states
        y = self._result("y", (n, h * self.dirs, t), dtype)
        for d in range(self.dirs):
            np.copyto(y[:, d * h : (d + 1) * h], self._sequence(d).transpose(1, 2, 0))
        return y

    def _all_states(self) -> dict[str, np.ndarray]:
        """Copies for the views: name -> ``(N, H*dirs, T)``, directions concatenated."""
        per_dir = [self._states(d) for d in range(self.dirs)]
        return {
            k: np.concatenate([s[k].transpose(1, 2, 0) for s in per_dir], axis=1)
            for k in per_dir[0]
        }

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        """``grad_out`` shaped like the output -> ``(N, F, T)``, or None (``need_input_grad``)."""
        xt = self._buf["xt"]
        t, n, f = xt.shape[0], xt.shape[1], xt.shape[2] - 1
        h, gh, dtype = self.hidden_size, self.gates * self.hidden_size, xt.dtype
        g = np.asarray(grad_out)
        dg = self._array("dg", (t, n, self.dirs * gh), dtype)
        dh = self._array("dh", (n, h), dtype)
        if self.return_sequences:
            gy = self._array("gy", (t, n, self.dirs * h), dtype)
            np.copyto(gy, g.transpose(2, 0, 1), casting="unsafe")
        ones = self._ones(t * n, dtype)
        for d, sfx in enumerate(SUFFIXES[: self.dirs]):
            cols = slice(d * h, (d + 1) * h)
            if self.return_sequences:
                dh.fill(0)
            else:
                np.copyto(dh, g[:, cols], casting="unsafe")
            dy = gy[:, :, cols] if self.return_sequences else None
            dgh = self._back(d, dh, dy, dg[:, :, d * gh : (d + 1) * gh]).reshape(t * n, gh)
            prev = self._offsets(d)[0]
            h_prev = self._buf[f"h{d}"][prev : prev + t].reshape(t * n, h)
            # dL/dW_hh = sum_t dG_hh<t>^T h<t-1> ;  dL/db_hh = sum_t,n dG_hh<t>
            # (computed transposed: BLAS is ~20% faster with the long T*N side this way)
            self.grads[f"weight_hh_l0{sfx}"] += (h_prev.T @ dgh).T
            self.grads[f"bias_hh_l0{sfx}"] += ones @ dgh
        dg2 = dg.reshape(t * n, -1)
        # [dL/dW_ih | dL/db_ih] = sum_t dG<t>^T [x<t> | 1]  (both directions, one product)
        dw = (xt.reshape(t * n, f + 1).T @ dg2).T
        for d, sfx in enumerate(SUFFIXES[: self.dirs]):
            self.grads[f"weight_ih_l0{sfx}"] += dw[d * gh : (d + 1) * gh, :f]
            self.grads[f"bias_ih_l0{sfx}"] += dw[d * gh : (d + 1) * gh, f]
        if not self.need_input_grad:
            return None
        # dL/dx<t> = dG<t> W_ih, for every step in one product
        dx = self._result("dx", (t, n, f), dtype)
        w_ih = [self.params[f"weight_ih_l0{s}"] for s in SUFFIXES[: self.dirs]]
        np.matmul(
            dg2, w_ih[0] if self.dirs == 1 else np.concatenate(w_ih), out=dx.reshape(t * n, f)
        )
        return dx.transpose(1, 2, 0)
