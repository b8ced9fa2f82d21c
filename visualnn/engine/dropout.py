"""Inverted dropout: scale the kept units at training time so evaluation is the identity."""

from __future__ import annotations

from typing import Any

import numpy as np

from .module import Module
from .settings import check


class Dropout(Module):
    """Zero each element with probability ``p`` while training, as ``torch.nn.Dropout``.

    Parameters
    ----------
    p : float
        Drop probability in [0, 1). Kept elements are scaled by ``1 / (1 - p)``.

    Notes
    -----
    Any input shape ``(N, ...)``. The random generator comes from ``build`` (seeded by the
    model), so a seed fixes the masks; an unbuilt layer uses seed 0. ``last_mask`` holds the
    scaled mask of the last training forward, shape ``(N, ...)``.
    """

    type_name = "dropout"

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        self.p = float(check("dropout", "p", p, "Dropout"))
        self.rng = np.random.default_rng(0)
        self.last_mask: np.ndarray | None = None

    def build(self, input_shape: tuple[int, ...], rng: np.random.Generator) -> None:
        super().build(input_shape, rng)
        # A child generator: the layer's draws don't shift the model's other random streams.
        self.rng = np.random.default_rng(rng.integers(0, 2**63 - 1))

    def config(self) -> dict[str, Any]:
        return {"type": self.type_name, "p": self.p}

    def describe(self) -> str:
        return f"Dropout {self.p:g}"

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        if not training or self.p == 0.0:
            self.last_mask = None
            y = x
        else:
            dtype = x.dtype if x.dtype in (np.float32, np.float64) else np.dtype(np.float64)
            u = self.rng.random(x.shape, dtype=dtype)
            # Kept units are scaled by 1/(1-p) so the expected output equals the input.
            mask = (u >= self.p).astype(dtype)
            mask *= 1.0 / (1.0 - self.p)
            self.last_mask = mask
            y = x * mask
        if self.record:
            self.last_pre = self.last_out = y
        return y

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        # dL/dx = dL/dy * mask  (the identity when not training)
        if self.last_mask is None:
            return grad_out
        return grad_out * self.last_mask
