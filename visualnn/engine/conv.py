"""Convolution layers with torch's ``nn.Conv2d`` / ``nn.Conv1d`` layout and semantics.

The work (im2col in a batch-innermost layout, one matrix product, fused bias and ReLU) is
in ``conv_base``; this module holds the two public layers and their 1-D / 2-D differences.
"""

from __future__ import annotations

import numpy as np

from .conv_base import _Conv
from .errors import SpecError
from .geometry import Pads, as_pair, padding_amounts, shape_text

__all__ = ["Conv1D", "Conv2D"]


class Conv2D(_Conv):
    """2-D convolution (cross-correlation) with torch's ``nn.Conv2d`` layout.

    Parameters
    ----------
    out_channels : int
        Number of filters.
    kernel_size, stride, dilation : int or (int, int)
        Window size, step and tap spacing (height, width).
    padding : int, (int, int), "valid" or "same"
        Zeros around the input. ``"same"`` needs stride 1; with an even span the extra
        row/column goes to the bottom/right, as ``torch.nn.functional.conv2d`` does.
    activation : str or None
        Shorthand applied to the output (``"relu"`` is fused in place).
    init : str
        Initialiser name; fan_in = in_channels * kh * kw.
    in_channels : int or None
        When given, parameters are created at once (seed 0).

    Notes
    -----
    ``params["weight"]`` (out, in, kh, kw), ``params["bias"]`` (out,). Input (N, C, H, W),
    output (N, out, Ho, Wo) with ``Ho = (H + pad - dilation*(kh-1) - 1) // stride + 1``.
    """

    type_name = "conv2d"

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        _, _, _, ho, wo = self._geometry(input_shape)
        return (self.out_channels, ho, wo)


class Conv1D(_Conv):
    """1-D convolution with torch's ``nn.Conv1d`` layout: input (N, C, L), weight (out, in, k).

    Same keys as ``Conv2D`` with single numbers; computed as a 2-D convolution of height 1.
    Output length ``(L + pad - dilation*(k-1) - 1) // stride + 1``.
    """

    type_name = "conv1d"
    label = "Conv1D"

    # The height axis is a dummy: kernel, stride and dilation 1, no padding.
    def _pair(self, value) -> tuple[int, int]:
        return 1, as_pair(value)[1]

    def _pads(self, padding) -> Pads:
        return (0, 0), padding_amounts(padding, self.kernel, self.dilation)[1]

    def _axes(self, pair: tuple[int, int]) -> tuple[int, ...]:
        return (pair[1],)

    def _spatial(self, input_shape: tuple[int, ...]) -> tuple[int, int, int]:
        shape = tuple(int(s) for s in input_shape)
        if len(shape) != 2:
            what = self._what(shape) if len(shape) != 3 else f"an image {shape_text(shape)}"
            raise SpecError(f"Conv1D needs a signal input (channels, length) but gets {what}")
        return shape[0], 1, shape[1]

    def _weight_kernel(self) -> tuple[int, ...]:
        return (self.kernel[1],)

    def _to_4d(self, x: np.ndarray) -> np.ndarray:
        return x[:, :, None, :]

    def _from_4d(self, y: np.ndarray) -> np.ndarray:
        return y[:, :, 0, :]

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        return (self.out_channels, self._geometry(input_shape)[4])
