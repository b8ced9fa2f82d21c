"""What the Neuron view shows of one unit: its inputs, weights, sums and activation.

``neuron_math`` (dense, conv, pool, activations) and ``neuron_recurrent`` (one recurrent
unit at one step) fill an ``Explanation``; the view and its table draw it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from visualnn.engine.activations import activation_fn


def activation_function(name: str):
    """``f(z)`` as a vectorised callable; softmax is handled by the caller (needs all z)."""
    if name in ("linear", "identity", None, ""):
        return lambda z: np.asarray(z, dtype=np.float64)
    return activation_fn(name)[0]


@dataclass
class Explanation:
    """One unit's computation. Arrays for conv are ``(in_ch, kh, kw)`` (2-D) or ``(in_ch, k)``."""

    kind: str  # "dense", "conv", "pool", "activation", "passthrough"
    unit: tuple
    activation: str = "linear"
    terms: list[tuple[str, float, float, float]] = field(default_factory=list)  # (name, x, w, x*w)
    total: float = 0.0  # sum of all products
    bias: float = 0.0
    z: float = 0.0
    a: float = 0.0
    kernel: np.ndarray | None = None
    patch: np.ndarray | None = None
    padded: np.ndarray | None = None  # True where the patch lies in the zero padding
    window: np.ndarray | None = None
    softmax_rest: float | None = None  # sum of exp(z_k - m) over the other units
    softmax_shift: float = 0.0
    lines: list[str] = field(default_factory=list)

    def apply(self, z: np.ndarray) -> np.ndarray:
        """The activation curve through this unit: ``a`` as a function of its own ``z``."""
        z = np.asarray(z, dtype=np.float64)
        if self.softmax_rest is not None:
            e = np.exp(z - self.softmax_shift)
            return e / (e + self.softmax_rest)
        return np.asarray(activation_function(self.activation)(z), dtype=np.float64)
