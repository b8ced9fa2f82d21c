"""Max and average pooling with torch's semantics (``nn.MaxPool2d``, ``nn.AvgPool2d``).

Both loop over the ``kh * kw`` window offsets and combine strided views of the input, so the
common 2x2/2 case is four whole-array operations. Padding is never copied in: each offset
only touches the output cells whose tap lands on real input, which is exactly what torch's
-inf padding (max) and zero padding with ``count_include_pad=True`` (average) amount to.
Work happens on the channel-first view ``(C, N, H, W)`` so a conv layer's output is read in
its own memory order; results are returned as NCHW views of channel-first arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .conv import _jsonable, as_pair
from .dense import shape_text
from .errors import SpecError
from .im2col import Offsets, channel_first, window_offsets
from .module import Module


class _Pool2D(Module):
    """Shared shape logic of the pooling layers."""

    label = "Pool"

    def __init__(self, kernel_size, stride=None, padding=0) -> None:
        super().__init__()
        self._raw = {"kernel_size": kernel_size, "stride": stride, "padding": padding}
        self.kernel = as_pair(kernel_size, f"{self.label} kernel size", "kernel_size")
        self.stride = (
            self.kernel if stride is None else as_pair(stride, f"{self.label} stride", "stride")
        )
        self.padding = as_pair(padding, f"{self.label} padding", "padding", minimum=0)
        for p, k in zip(self.padding, self.kernel, strict=True):
            if 2 * p > k:
                raise SpecError(
                    f"{self._label()}: padding {p} is more than half the kernel ({k}); "
                    "PyTorch does not allow that either",
                    key="padding",
                )
        self._offsets_key: tuple | None = None

    def _label(self) -> str:
        return f"{self.label} {self.kernel[0]}x{self.kernel[1]}"

    def describe(self) -> str:
        text = self._label()
        if self.stride != self.kernel:
            text += f" stride {self.stride[0]}" + (
                "" if self.stride[0] == self.stride[1] else f"x{self.stride[1]}"
            )
        return text

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        shape = tuple(int(s) for s in input_shape)
        if len(shape) != 3:
            what = f"{shape[0]} features" if len(shape) == 1 else shape_text(shape)
            raise SpecError(
                f"{self.label} needs an image input (channels, height, width) but gets {what}"
            )
        c, h, w = shape
        ph, pw = self.padding
        if h + 2 * ph < self.kernel[0] or w + 2 * pw < self.kernel[1]:
            size = f"{h}x{w}"
            if ph or pw:
                size += f" ({h + 2 * ph}x{w + 2 * pw} with padding)"
            raise SpecError(f"{self._label()}: input is {size}, smaller than the kernel")
        return (c, *self._offsets((h, w)).out_hw)

    def _offsets(self, hw: tuple[int, int]) -> Offsets:
        if self._offsets_key != hw:
            pad = tuple((p, p) for p in self.padding)
            self._offsets_val = window_offsets(hw, self.kernel, self.stride, pad)
            self._offsets_key = hw
        return self._offsets_val

    def _tiles(self, hw: tuple[int, int]) -> bool:
        """True when the windows cover every input pixel exactly once (e.g. 2x2 on 28x28)."""
        return (
            self.stride == self.kernel
            and self.padding == (0, 0)
            and hw[0] % self.kernel[0] == 0
            and hw[1] % self.kernel[1] == 0
        )

    def _prepare(self, x: np.ndarray) -> tuple[np.ndarray, Offsets]:
        x = np.asarray(x)
        self.output_shape(x.shape[1:])
        return channel_first(x), self._offsets(x.shape[2:])

    def _keep(self, y: np.ndarray) -> np.ndarray:
        if self.record:
            self.last_pre = y
            self.last_out = y
        return y

    def config(self) -> dict[str, Any]:
        cfg: dict[str, Any] = {
            "type": self.type_name,
            "kernel_size": _jsonable(self._raw["kernel_size"]),
        }
        if self._raw["stride"] is not None:
            cfg["stride"] = _jsonable(self._raw["stride"])
        if self._raw["padding"] != 0:
            cfg["padding"] = _jsonable(self._raw["padding"])
        return cfg


class MaxPool2D(_Pool2D):
    """Maximum over each window, torch's ``nn.MaxPool2d`` (-inf padding, floor mode).

    Parameters
    ----------
    kernel_size : int or (int, int)
    stride : int, (int, int) or None
        None means the kernel size.
    padding : int or (int, int)
        At most half the kernel, as in torch.

    Notes
    -----
    Input (N, C, H, W), output (N, C, Ho, Wo), ``Ho = (H + 2*pad - kh) // stride + 1``. The
    gradient goes to the first maximum of each window in row-major order (torch's tie rule).
    """

    type_name = "maxpool2d"
    label = "MaxPool"

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """``(N, C, H, W) -> (N, C, Ho, Wo)``."""
        x_cf, offsets = self._prepare(x)
        c, n = x_cf.shape[:2]
        out = np.empty((c, n, *offsets.out_hw), x_cf.dtype)
        first = offsets.items[0]
        if first[2].full and first[3].full:
            np.copyto(out, x_cf[:, :, first[2].inp, first[3].inp])
            rest = offsets.items[1:]
        else:
            out.fill(-np.inf)
            rest = offsets.items
        for _, _, r, col in rest:
            view = out[:, :, r.out, col.out]
            np.maximum(view, x_cf[:, :, r.inp, col.inp], out=view)
        self._x_cf, self._out = x_cf, out
        return self._keep(channel_first(out))

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """``(N, C, Ho, Wo) -> (N, C, H, W)``."""
        x_cf, out = self._x_cf, self._out
        g_cf = channel_first(np.asarray(grad_out, dtype=out.dtype))
        hw = x_cf.shape[2:]
        tiles = self._tiles(hw)
        dx = (np.empty if tiles else np.zeros)(x_cf.shape, out.dtype)
        items = self._offsets(hw).items
        taken = np.zeros(out.shape, bool) if len(items) > 1 else None
        for k, (_, _, r, col) in enumerate(items):
            # dL/dx = dL/dy at the window's first maximum, 0 elsewhere
            hit = x_cf[:, :, r.inp, col.inp] == out[:, :, r.out, col.out]
            if taken is not None:
                done = taken[:, :, r.out, col.out]
                if k:
                    np.greater(hit, done, out=hit)  # hit and not already taken
                if k < len(items) - 1:
                    np.logical_or(done, hit, out=done)
            target = dx[:, :, r.inp, col.inp]
            if tiles:
                np.multiply(g_cf[:, :, r.out, col.out], hit, out=target)
            else:
                target += g_cf[:, :, r.out, col.out] * hit
        return channel_first(dx)


class AvgPool2D(_Pool2D):
    """Mean over each window, torch's ``nn.AvgPool2d`` with ``count_include_pad=True``.

    Parameters and shapes as ``MaxPool2D``; padded cells count as zeros in every mean, so
    each output is the window sum divided by ``kh * kw``.
    """

    type_name = "avgpool2d"
    label = "AvgPool"

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """``(N, C, H, W) -> (N, C, Ho, Wo)``."""
        x_cf, offsets = self._prepare(x)
        if x_cf.dtype.kind != "f":
            x_cf = x_cf.astype(np.float32)
        c, n = x_cf.shape[:2]
        out = np.zeros((c, n, *offsets.out_hw), x_cf.dtype)
        for _, _, r, col in offsets.items:
            view = out[:, :, r.out, col.out]
            np.add(view, x_cf[:, :, r.inp, col.inp], out=view)
        out *= 1.0 / (self.kernel[0] * self.kernel[1])
        self._in_shape = x_cf.shape
        return self._keep(channel_first(out))

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """``(N, C, Ho, Wo) -> (N, C, H, W)``."""
        shape = self._in_shape
        # dL/dx = sum over the windows containing x of dL/dy / (kh * kw)
        g_cf = channel_first(np.asarray(grad_out)) * (1.0 / (self.kernel[0] * self.kernel[1]))
        g_cf = g_cf.astype(grad_out.dtype, copy=False)
        hw = shape[2:]
        tiles = self._tiles(hw)
        dx = (np.empty if tiles else np.zeros)(shape, g_cf.dtype)
        for _, _, r, col in self._offsets(hw).items:
            target = dx[:, :, r.inp, col.inp]
            if tiles:
                np.copyto(target, g_cf[:, :, r.out, col.out])
            else:
                target += g_cf[:, :, r.out, col.out]
        return channel_first(dx)
