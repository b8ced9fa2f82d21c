"""Flatten: the bridge from feature maps ``(N, C, H, W)`` to Dense inputs ``(N, C*H*W)``."""

from __future__ import annotations

import numpy as np

from .module import Module


class Flatten(Module):
    """``(N, d1, d2, ...) -> (N, d1*d2*...)`` in C order, as ``torch.nn.Flatten()``."""

    type_name = "flatten"

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        return (int(np.prod(input_shape, dtype=np.int64)),)

    def describe(self) -> str:
        return "Flatten"

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self._shape = x.shape
        y = x.reshape(x.shape[0], int(np.prod(x.shape[1:], dtype=np.int64)))
        if self.record:
            self.last_pre = self.last_out = y
        return y

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        # dL/dx = dL/dy reshaped back to the input's shape
        return grad_out.reshape(self._shape)
