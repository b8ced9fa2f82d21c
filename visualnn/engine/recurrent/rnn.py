"""Elman RNN, ``h<t> = act(W_ih x<t> + b_ih + W_hh h<t-1> + b_hh)``, as ``torch.nn.RNN``."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..settings import check
from .base import time_steps
from .run import RecurrentLayer


class RNN(RecurrentLayer):
    """Simple recurrent layer with torch's ``nn.RNN`` parameters (one layer, batch first).

    Parameters
    ----------
    hidden_size : int
        Units of the hidden state ``h``.
    nonlinearity : {"tanh", "relu"}
        ``act`` in the step formula.
    bidirectional : bool
        Also run a second RNN from the last step to the first (parameters ``*_reverse``);
        outputs concatenate both directions, forward first.
    return_sequences : bool
        Output every step's state ``(N, H*dirs, T)`` instead of the final one ``(N, H*dirs)``
        (torch's ``h_n``: the forward direction's last state, the reverse one's first).
    init : str
        "default" is torch's U(+-1/sqrt(hidden_size)) for every weight and bias.
    input_size : int or None
        When given, the layer builds itself at once with seed 0.

    Notes
    -----
    Input ``(N, F, T)`` (features x time, what Conv1D gives). ``weight_ih_l0`` (H, F),
    ``weight_hh_l0`` (H, H), ``bias_ih_l0`` and ``bias_hh_l0`` (H,). With ``record`` on,
    ``last_states = {"h": (N, H*dirs, T)}``, every step's hidden state, and ``last_out`` the
    output. In training mode the output and input gradient may be scratch buffers reused by
    the next step (copy them to keep them), as for Dense.
    """

    type_name = "rnn"
    label = "RNN"
    gates = 1
    state_names = ("h",)

    def __init__(
        self,
        hidden_size: int,
        nonlinearity: str = "tanh",
        bidirectional: bool = False,
        return_sequences: bool = False,
        init: str = "default",
        input_size: int | None = None,
    ) -> None:
        self.nonlinearity = check("rnn", "nonlinearity", nonlinearity, "RNN")
        super().__init__(hidden_size, bidirectional, return_sequences, init, input_size)

    def _defaults(self) -> tuple[tuple[str, Any], ...]:
        return (("nonlinearity", "tanh"), *super()._defaults())

    def describe(self) -> str:
        text = super().describe()
        return text if self.nonlinearity == "tanh" else text.replace(" ", " ReLU ", 1)

    def _run(self, d: int, xp: np.ndarray) -> None:
        t, n, _ = xp.shape
        w_hh = self._weights(d)[0]
        hb = self._hidden(d, "h", t, n, xp.dtype)
        prev, out = self._offsets(d)
        w_t, relu = w_hh.T, self.nonlinearity == "relu"
        for s in time_steps(t, bool(d)):
            h = hb[s + out]
            np.matmul(hb[s + prev], w_t, out=h)
            h += xp[s]
            if relu:
                np.maximum(h, 0, out=h)
            else:
                np.tanh(h, out=h)

    def _back(self, d: int, dh: np.ndarray, dy: np.ndarray | None, dg: np.ndarray) -> np.ndarray:
        t = dg.shape[0]
        w_hh = self._weights(d)[0]
        hs = self._sequence(d)
        a = self._array("a", dh.shape, dh.dtype)
        relu = self.nonlinearity == "relu"
        for s in time_steps(t, not d):
            if dy is not None:
                dh += dy[s]
            h = hs[s]
            if relu:
                # dL/dpre = dL/dh * 1[h > 0]
                np.greater(h, 0, out=a)
            else:
                # dL/dpre = dL/dh * (1 - h^2)
                np.multiply(h, h, out=a)
                np.subtract(1, a, out=a)
            np.multiply(dh, a, out=dg[s])
            # dL/dh<t-1> = dL/dpre W_hh
            np.matmul(dg[s], w_hh, out=dh)
        return dg

    def _states(self, d: int) -> dict[str, np.ndarray]:
        return {"h": self._sequence(d)}
