"""Flatten: the bridge from feature maps ``(N, C, H, W)`` to Dense inputs ``(N, C*H*W)``, or
from a Conv2D's maps ``(N, C, bands, time)`` to a sequence ``(N, C*bands, time)``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import SpecError
from .geometry import shape_text
from .module import Module
from .settings import check


class Flatten(Module):
    """Merge axes ``start_dim`` to ``end_dim`` into one, in C order, as
    ``torch.nn.Flatten(start_dim, end_dim)``: axes count as torch counts them, 0 being the
    batch (never merged) and -1 the last.

    The defaults (1, -1) lay each sample out as one vector: ``(N, C, H, W) -> (N, C*H*W)``.
    ``Flatten(1, 2)`` turns a Conv2D's ``(N, C, bands, time)`` into ``(N, C*bands, time)``:
    at each time step, every channel's bands in one vector, for a recurrent layer.
    """

    type_name = "flatten"

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = int(check("flatten", "start_dim", start_dim, "Flatten"))
        self.end_dim = int(check("flatten", "end_dim", end_dim, "Flatten"))

    def _merged(self, input_shape: tuple[int, ...]) -> tuple[int, int]:
        """The merged sample axes as a slice ``[a, b)`` of ``input_shape`` (no batch axis)."""
        rank = len(input_shape)
        end = self.end_dim if self.end_dim >= 0 else rank + 1 + self.end_dim
        if not 1 <= self.start_dim <= end <= rank:
            raise SpecError(
                f"Flatten: axes {self.start_dim} to {self.end_dim} do not fit its input "
                f"{shape_text(input_shape)}, whose axes are 1 to {rank} (-1 is the last)"
            )
        return self.start_dim - 1, end

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        a, b = self._merged(input_shape)
        merged = int(np.prod(input_shape[a:b], dtype=np.int64))
        return (*input_shape[:a], merged, *input_shape[b:])

    def config(self) -> dict[str, Any]:
        d: dict[str, Any] = {"type": self.type_name}
        if (self.start_dim, self.end_dim) != (1, -1):  # plain Flatten stays {"type": "flatten"}
            d.update(start_dim=self.start_dim, end_dim=self.end_dim)
        return d

    def describe(self) -> str:
        if (self.start_dim, self.end_dim) == (1, -1):
            return "Flatten"
        return f"Flatten {self.start_dim}-{self.end_dim}"

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._shape = x.shape
        y = x.reshape(x.shape[0], *self.output_shape(x.shape[1:]))
        if self.record:
            self.last_pre = self.last_out = y
        return y

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        # dL/dx = dL/dy reshaped back to the input's shape
        return grad_out.reshape(self._shape)
