"""Max and average pooling with torch's semantics (``nn.MaxPool2d``, ``nn.AvgPool2d``).

Both loop over the ``kh * kw`` window offsets and combine strided views of the input, so the
common 2x2/2 case is four whole-array operations. Padding is never copied in: each offset
only touches the output cells whose tap lands on real input, which is exactly what torch's
-inf padding (max) and zero padding with ``count_include_pad=True`` (average) amount to.
Work happens on the batch-innermost view ``(C, H, W, N)`` (see ``im2col``), so every tap is
a slice with contiguous rows and a conv layer's output is read in its own memory order;
results are NCHW views of ``(C, Ho, Wo, N)`` arrays. In training mode (without ``record``)
outputs and input gradients are scratch buffers reused by the next step, as in Dense.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .conv_base import _jsonable
from .errors import SpecError
from .geometry import as_pair, kernel_misfit, shape_text
from .im2col import Offsets, batch_contiguous, from_chwn, to_chwn, window_offsets
from .module import Module
from .settings import check


class _Pool2D(Module):
    """Shared shape logic of the pooling layers."""

    label = "Pool"

    def __init__(self, kernel_size, stride=None, padding=0) -> None:
        super().__init__()
        self._raw = {"kernel_size": kernel_size, "stride": stride, "padding": padding}
        t, who = self.type_name, self.label
        self.kernel = as_pair(check(t, "kernel_size", kernel_size, who))
        stride = check(t, "stride", stride, who)
        self.stride = self.kernel if stride is None else as_pair(stride)
        self.padding = as_pair(check(t, "padding", padding, who), 0)
        for p, k in zip(self.padding, self.kernel, strict=True):
            if 2 * p > k:
                raise SpecError(
                    f"{self._label()}: padding {p} is more than half the kernel ({k}); "
                    "PyTorch does not allow that either",
                    key="padding",
                )
        self._offsets_key: tuple | None = None
        self._buffers: dict[str, np.ndarray] = {}
        self._reuse = False

    def _label(self) -> str:
        return f"{self.label} {shape_text(self.kernel)}"

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
        pad = tuple(2 * p for p in self.padding)
        misfit = kernel_misfit((h, w), self.kernel, (1, 1), pad)
        if misfit:
            raise SpecError(f"{self._label()}: {misfit}", key="kernel_size")
        return (c, *self._offsets((h, w)).out_hw)

    def _offsets(self, hw: tuple[int, int]) -> Offsets:
        if self._offsets_key != hw:
            pad = tuple((p, p) for p in self.padding)
            self._offsets_val = window_offsets(hw, self.kernel, self.stride, pad)
            self._offsets_key = hw
        return self._offsets_val

    def _disjoint(self) -> bool:
        """True when no input pixel is in two windows (stride = kernel, no padding): the
        backward pass can write each window's gradient in place instead of adding it up."""
        return self.stride == self.kernel and self.padding == (0, 0)

    def _zero_uncovered(self, dx: np.ndarray, out_hw: tuple[int, int]) -> None:
        """Zero the rows and columns of ``dx`` (C, H, W, N) that no window reaches (the
        remainder when the kernel does not divide the size: 101 frames pooled by 3)."""
        rows, cols = out_hw[0] * self.kernel[0], out_hw[1] * self.kernel[1]
        dx[:, rows:] = 0
        dx[:, :rows, cols:] = 0

    def _prepare(self, x: np.ndarray, training: bool) -> tuple[np.ndarray, Offsets]:
        x = np.asarray(x)
        self.output_shape(x.shape[1:])
        self._reuse = bool(training and not self.record)
        return batch_contiguous(to_chwn(x)), self._offsets(x.shape[2:])

    def _buffer(self, name: str, shape: tuple[int, ...], dtype, zero: bool = False):
        """Scratch kept between training steps (fresh arrays otherwise, so callers may keep)."""
        if not self._reuse:
            return (np.zeros if zero else np.empty)(shape, dtype)
        buf = self._buffers.get(name)
        if buf is None or buf.shape != shape or buf.dtype != dtype:
            buf = self._buffers[name] = np.empty(shape, dtype)
        if zero:
            buf.fill(0)
        return buf

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

    def __init__(self, kernel_size, stride=None, padding=0) -> None:
        super().__init__(kernel_size, stride, padding)
        # Set per forward by Sequential: the input is a conv's pre-activation whose ReLU
        # this layer applies after pooling (see ``_Conv.can_defer_relu``).
        self.relu_input = False

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """``(N, C, H, W) -> (N, C, Ho, Wo)``, an NCHW view of (C, Ho, Wo, N) memory."""
        x_t, offsets = self._prepare(x, training)
        c, n = x_t.shape[0], x_t.shape[3]
        out = self._buffer("out", (c, *offsets.out_hw, n), x_t.dtype)
        first = offsets.items[0]
        if first[2].full and first[3].full:
            np.copyto(out, x_t[:, first[2].inp, first[3].inp])
            rest = offsets.items[1:]
        else:
            out.fill(-np.inf)
            rest = offsets.items
        for _, _, r, col in rest:
            view = out[:, r.out, col.out]
            np.maximum(view, x_t[:, r.inp, col.inp], out=view)
        self._x_t, self._out = x_t, out
        if self.relu_input:
            y = self._buffer("relu_out", out.shape, out.dtype)
            np.maximum(out, 0, out=y)
            return self._keep(from_chwn(y))
        return self._keep(from_chwn(out))

    def backward(self, grad_out: np.ndarray, into: np.ndarray | None = None) -> np.ndarray:
        """``(N, C, Ho, Wo) -> (N, C, H, W)``.

        ``into`` (N, C, H, W), when given, receives the result and is returned (the previous
        conv's ``output_grad_buffer``). With ``relu_input`` the result is the gradient with
        respect to the pre-activation.
        """
        x_t, out = self._x_t, self._out
        g_t = batch_contiguous(to_chwn(np.asarray(grad_out, dtype=out.dtype)))
        if self.relu_input:  # through the ReLU first: dL/dmax = dL/dy * 1[max > 0]
            g_relu = self._buffer("g_relu", out.shape, out.dtype)
            np.multiply(g_t, out > 0, out=g_relu)
            g_t = g_relu
        hw = x_t.shape[1:3]
        disjoint = self._disjoint()
        if into is None:
            dx = self._buffer("dx", x_t.shape, out.dtype, zero=not disjoint)
        else:
            dx = to_chwn(into)
            if not disjoint:
                dx.fill(0)
        if disjoint:
            self._zero_uncovered(dx, out.shape[1:3])
        items = self._offsets(hw).items
        hit = self._buffer("hit", out.shape, np.dtype(bool))
        taken = self._buffer("taken", out.shape, np.dtype(bool), zero=True)
        for k, (_, _, r, col) in enumerate(items):
            # dL/dx = dL/dy at the window's first maximum (row-major, torch's rule), 0 elsewhere
            h, done = hit[:, r.out, col.out], taken[:, r.out, col.out]
            np.equal(x_t[:, r.inp, col.inp], out[:, r.out, col.out], out=h)
            if k:
                np.greater(h, done, out=h)  # a hit, and the window not yet taken
            if k < len(items) - 1:
                np.logical_or(done, h, out=done)
            target = dx[:, r.inp, col.inp]
            if disjoint:
                np.multiply(g_t[:, r.out, col.out], h, out=target)
            else:
                target += g_t[:, r.out, col.out] * h
        return from_chwn(dx) if into is None else into


class AvgPool2D(_Pool2D):
    """Mean over each window, torch's ``nn.AvgPool2d`` with ``count_include_pad=True``.

    Parameters and shapes as ``MaxPool2D``; padded cells count as zeros in every mean, so
    each output is the window sum divided by ``kh * kw``.
    """

    type_name = "avgpool2d"
    label = "AvgPool"

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """``(N, C, H, W) -> (N, C, Ho, Wo)``, an NCHW view of (C, Ho, Wo, N) memory."""
        x_t, offsets = self._prepare(x, training)
        if x_t.dtype.kind != "f":
            x_t = x_t.astype(np.float32)
        c, n = x_t.shape[0], x_t.shape[3]
        out = self._buffer("out", (c, *offsets.out_hw, n), x_t.dtype, zero=True)
        for _, _, r, col in offsets.items:
            view = out[:, r.out, col.out]
            np.add(view, x_t[:, r.inp, col.inp], out=view)
        out *= 1.0 / (self.kernel[0] * self.kernel[1])
        self._in_shape = x_t.shape
        return self._keep(from_chwn(out))

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """``(N, C, Ho, Wo) -> (N, C, H, W)``."""
        shape = self._in_shape
        # dL/dx = sum over the windows containing x of dL/dy / (kh * kw)
        g_t = to_chwn(np.asarray(grad_out)) * (1.0 / (self.kernel[0] * self.kernel[1]))
        g_t = g_t.astype(np.asarray(grad_out).dtype, copy=False)
        hw = shape[1:3]
        disjoint = self._disjoint()
        dx = self._buffer("dx", shape, g_t.dtype, zero=not disjoint)
        if disjoint:
            self._zero_uncovered(dx, g_t.shape[1:3])
        for _, _, r, col in self._offsets(hw).items:
            target = dx[:, r.inp, col.inp]
            if disjoint:
                np.copyto(target, g_t[:, r.out, col.out])
            else:
                target += g_t[:, r.out, col.out]
        return from_chwn(dx)
