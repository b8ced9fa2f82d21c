"""What RNN, GRU and LSTM share: settings, torch's parameters, shapes and the time plumbing.

A batch arrives as ``(N, features, T)``, the layout Conv1D gives and a log-mel patch has.
Inside, everything is time-major, ``(T, N, ...)``, so one time step is one contiguous
``(N, ...)`` block. The work that does not depend on the recurrence is done for all steps
at once: the input projections ``x W_ih^T + b`` before the loop (one product for both
directions), and after it the weight gradients (one product each) and the input gradient.
Only the ``h W_hh^T`` product and the gate arithmetic run step by step, in preallocated
buffers. ``engine/reference/recurrent`` has the same maths as plain per-step formulas.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import SpecError
from ..geometry import shape_text
from ..init import bias_init_name, initialize
from ..module import Module
from ..settings import check

SUFFIXES = ("", "_reverse")  # torch's parameter names of the two directions
KINDS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def sigmoid_(a: np.ndarray) -> None:
    """Logistic function in place, as ``0.5 tanh(a / 2) + 0.5``: exact and never overflows."""
    a *= 0.5
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5


def time_steps(t: int, reverse: bool) -> range:
    """The order a direction visits the steps in: forward 0..T-1, reverse T-1..0."""
    return range(t - 1, -1, -1) if reverse else range(t)


class Recurrent(Module):
    """Base of RNN, GRU, LSTM: one layer (``l0``), optionally bidirectional.

    Settings, parameters and shapes; ``run.RecurrentLayer`` adds the forward and backward
    passes, the cells (``rnn``, ``gru``, ``lstm``) their step formulas.
    """

    gates = 1
    label = "Recurrent"
    state_names: tuple[str, ...] = ("h",)

    def __init__(
        self,
        hidden_size: int,
        bidirectional: bool = False,
        return_sequences: bool = False,
        init: str = "default",
        input_size: int | None = None,
    ) -> None:
        super().__init__()
        t, who = self.type_name, self.label
        self.hidden_size = int(check(t, "hidden_size", hidden_size, who))
        self.bidirectional = bool(check(t, "bidirectional", bidirectional, who))
        self.return_sequences = bool(check(t, "return_sequences", return_sequences, who))
        self.init = check(t, "init", init, who)
        self.last_states: dict[str, np.ndarray] | None = None
        self._buf: dict[str, np.ndarray] = {}
        self._reuse = False
        if input_size is not None:  # stand-alone use (tests): build at once, seed 0
            f = int(check(t, "input_size", input_size, who))
            self._init_params(f, np.random.default_rng(0))

    # --- shapes and parameters -------------------------------------------------------------
    @property
    def dirs(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def input_size(self) -> int | None:
        w = self.params.get("weight_ih_l0")
        return None if w is None else int(w.shape[1])

    def _check_input_shape(self, input_shape: tuple[int, ...]) -> tuple[int, int]:
        shape = tuple(int(s) for s in input_shape)
        if len(shape) != 2:
            what = f"a flat vector of {shape[0]}" if len(shape) == 1 else shape_text(shape)
            raise SpecError(
                f"{self.describe()}: needs features x time as input, but gets {what} (put it "
                "before Flatten, after a Conv1D)"
            )
        if self.input_size is not None and shape[0] != self.input_size:
            raise SpecError(
                f"{self.describe()}: was built for {self.input_size} input features but gets "
                f"{shape[0]}"
            )
        return shape[0], shape[1]

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        t = self._check_input_shape(input_shape)[1]
        units = self.hidden_size * self.dirs
        return (units, t) if self.return_sequences else (units,)

    def build(self, input_shape: tuple[int, ...], rng: np.random.Generator) -> None:
        self.params = {}
        f = self._check_input_shape(input_shape)[0]
        super().build(input_shape, rng)
        self._init_params(f, rng)

    def _init_params(self, n_in: int, rng: np.random.Generator) -> None:
        """torch's names, shapes and order; "default" is torch's U(+-1/sqrt(hidden_size))."""
        h, gh = self.hidden_size, self.gates * self.hidden_size
        shapes = {"weight_ih": (gh, n_in), "weight_hh": (gh, h), "bias_ih": (gh,), "bias_hh": (gh,)}
        self.params = {}
        for sfx in SUFFIXES[: self.dirs]:
            for kind in KINDS:
                shape = shapes[kind]
                if self.init == "default":
                    name, fan_in, fan_out = "default", h, gh
                else:
                    name = self.init if kind.startswith("weight") else bias_init_name(self.init)
                    fan_in, fan_out = shapes[kind.replace("bias", "weight")][1], gh
                self.params[f"{kind}_l0{sfx}"] = initialize(name, shape, fan_in, fan_out, rng)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self._buf.clear()

    def config(self) -> dict[str, Any]:
        cfg: dict[str, Any] = {"type": self.type_name, "hidden_size": self.hidden_size}
        for key, default in self._defaults():
            value = getattr(self, key)
            if value != default:
                cfg[key] = value
        return cfg

    def _defaults(self) -> tuple[tuple[str, Any], ...]:
        return (("bidirectional", False), ("return_sequences", False), ("init", "default"))

    def describe(self) -> str:
        return f"{self.label} {self.hidden_size}" + (" \u00d72" if self.bidirectional else "")
