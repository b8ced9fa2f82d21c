"""What the views need to know about recurrent layers, without widgets.

A recurrent unit is selected as ``(j, t)``: unit ``j`` of the layer's output (``0 ..
H*dirs - 1``, forward direction first) at time step ``t`` (``0 .. T - 1``). That is also the
index into the layer's output when it returns sequences, ``(H*dirs, T)``, so a click on
the Activations tile and a click in the Recurrent view mean the same thing. A unit given
as ``(j,)`` (the graph's neurons, a layer that outputs only its final state) means unit
``j`` at its final step: ``T - 1`` for the forward direction, ``0`` for the backward one
(torch's ``h_n``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RECURRENT_TYPES = ("rnn", "gru", "lstm")

#: Per layer type, the recorded per-step arrays in display order (``last_states`` keys).
STATE_ORDER = {
    "rnn": ("h",),
    "gru": ("h", "r", "z", "n"),
    "lstm": ("h", "c", "i", "f", "g", "o"),
}

#: What a student reads for each recorded array.
STATE_TITLES = {
    "h": "hidden state a",
    "c": "cell state c",
    "r": "reset gate r",
    "z": "update gate z",
    "n": "candidate n",
    "i": "input gate i",
    "f": "forget gate f",
    "g": "candidate g",
    "o": "output gate o",
}

#: The same, short, for a narrow map.
STATE_SHORT = {"h": "a<t>", "c": "c<t>", "r": "r reset", "z": "z update", "n": "n new",
               "i": "i input", "f": "f forget", "g": "g new", "o": "o output"}  # fmt: skip

#: Values a gate can take, for fixed colour scales: a gate's colour then means the same in
#: every frame, instead of being stretched to whatever this frame's extremes are.
STATE_RANGES = {"r": (0.0, 1.0), "z": (0.0, 1.0), "i": (0.0, 1.0), "f": (0.0, 1.0),
                "o": (0.0, 1.0), "n": (-1.0, 1.0), "g": (-1.0, 1.0)}  # fmt: skip


def layer_type(layer) -> str:
    """The spec type of a built layer (``"gru"``) or a spec dict."""
    cfg = layer if isinstance(layer, dict) else layer.config()
    return str(cfg.get("type", "")).lower()


def is_recurrent(layer) -> bool:
    """True for an RNN, GRU or LSTM layer (built, or a spec dict)."""
    return layer_type(layer) in RECURRENT_TYPES


def state_range(name: str, values: np.ndarray) -> tuple[float, float]:
    """Colour levels for one recorded array: fixed for gates, symmetric for states.

    ``h`` of a tanh cell stays in -1..1, but a ReLU RNN's and an LSTM's ``c`` do not: those
    use their largest magnitude (at least 1, so small values stay dark).
    """
    if name in STATE_RANGES:
        return STATE_RANGES[name]
    finite = np.abs(values[np.isfinite(values)])
    peak = max(float(finite.max()) if finite.size else 1.0, 1.0)
    if name == "h" and finite.size and float(values[np.isfinite(values)].min()) >= 0:
        return 0.0, peak  # a ReLU RNN: never negative
    return -peak, peak


@dataclass(frozen=True)
class UnitStep:
    """One recurrent unit at one step: ``unit`` in the output, ``local`` in its direction."""

    unit: int
    step: int
    direction: int  # 0 forward, 1 backward
    local: int  # unit index inside its direction, 0 .. H - 1

    def previous(self, steps: int) -> int | None:
        """The step whose state feeds this one, None at the direction's start."""
        prev = self.step + (1 if self.direction else -1)
        return prev if 0 <= prev < steps else None


def final_step(layer, unit: int, steps: int) -> int:
    """The step at which unit ``unit`` reaches its final state (torch's ``h_n``)."""
    return 0 if unit >= layer.hidden_size else steps - 1


def unit_step(layer, unit: tuple, steps: int) -> UnitStep:
    """``(j,)`` or ``(j, t)`` checked against the layer; ``ValueError`` when it does not fit
    (a selection left over from another network)."""
    units = layer.hidden_size * (2 if layer.bidirectional else 1)
    if not 1 <= len(unit) <= 2 or not 0 <= int(unit[0]) < units:
        raise ValueError(f"Unit {tuple(unit)} is not in this layer ({units} units).")
    j = int(unit[0])
    t = int(unit[1]) if len(unit) == 2 else final_step(layer, j, steps)
    if not 0 <= t < steps:
        raise ValueError(f"Time step {t} is not in this sequence (steps 0 to {steps - 1}).")
    d = int(j >= layer.hidden_size)
    return UnitStep(j, t, d, j - d * layer.hidden_size)


def selected_step(selection, index: int, layer, steps: int) -> UnitStep | None:
    """The selection as a ``UnitStep`` if it is a unit of layer ``index``, else None."""
    if selection.layer != index or selection.unit is None:
        return None
    try:
        return unit_step(layer, tuple(selection.unit), steps)
    except (ValueError, TypeError):
        return None
