"""Geometry and the im2col / col2im copies shared by convolution and pooling.

Everything here works on a *channel-first* view ``(C, N, H, W)`` of an NCHW batch. With that
layout one matrix product ``W (O, C*kh*kw) @ cols (C*kh*kw, N*Ho*Wo)`` writes the output as
``(O, N, Ho, Wo)``, which the layers hand on as an NCHW view without a transpose copy.

Padding is never materialised: for each kernel offset only the rows and columns that fall on
real input are copied, and the padded border of a ``cols`` buffer stays zero from the moment
the buffer is created (the buffers are reused, and nothing else ever writes there). The loops
run over kernel offsets (``kh * kw`` iterations), never over samples or pixels.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import NamedTuple

import numpy as np


class AxisOffset(NamedTuple):
    """Where kernel offset ``i`` along one spatial axis reads real input.

    ``out`` is the slice of output positions whose tap lands inside the input, ``inp`` the
    matching (strided) slice of input positions; ``full`` says every output position does.
    """

    out: slice
    inp: slice
    full: bool


def axis_offsets(
    n_in: int, n_out: int, k: int, stride: int, pad_lo: int, dilation: int
) -> list[AxisOffset | None]:
    """Per kernel offset along one axis, the valid output and input slices (None if empty).

    Output position ``o`` with offset ``i`` reads input ``o * stride + i * dilation - pad_lo``.
    """
    result: list[AxisOffset | None] = []
    for i in range(k):
        start = i * dilation - pad_lo
        o_lo = max(0, -(start // stride)) if start < 0 else 0  # ceil(-start / stride)
        o_hi = min(n_out, (n_in - 1 - start) // stride + 1) if n_in - 1 - start >= 0 else 0
        if o_hi <= o_lo:
            result.append(None)
            continue
        i_lo = o_lo * stride + start
        i_hi = i_lo + (o_hi - o_lo - 1) * stride + 1
        full = o_lo == 0 and o_hi == n_out
        result.append(AxisOffset(slice(o_lo, o_hi), slice(i_lo, i_hi, stride), full))
    return result


def out_size(n_in: int, k: int, stride: int, pad_total: int, dilation: int) -> int:
    """Output length along one axis, as torch computes it (floor division)."""
    return (n_in + pad_total - dilation * (k - 1) - 1) // stride + 1


def same_padding(k: int, dilation: int) -> tuple[int, int]:
    """Torch's ``padding='same'``: the odd extra pad goes to the right/bottom."""
    total = dilation * (k - 1)
    return total // 2, total - total // 2


class Offsets(NamedTuple):
    """All ``kh * kw`` kernel offsets of a 2-D window: ``(i, j, rows, cols)`` with slices."""

    items: list[tuple[int, int, AxisOffset, AxisOffset]]
    out_hw: tuple[int, int]


def window_offsets(
    in_hw: tuple[int, int],
    kernel: tuple[int, int],
    stride: tuple[int, int],
    pad: tuple[tuple[int, int], tuple[int, int]],
    dilation: tuple[int, int] = (1, 1),
) -> Offsets:
    """Valid slices for every kernel offset of a 2-D window (row-major, as torch scans)."""
    ho = out_size(in_hw[0], kernel[0], stride[0], sum(pad[0]), dilation[0])
    wo = out_size(in_hw[1], kernel[1], stride[1], sum(pad[1]), dilation[1])
    rows = axis_offsets(in_hw[0], ho, kernel[0], stride[0], pad[0][0], dilation[0])
    cols = axis_offsets(in_hw[1], wo, kernel[1], stride[1], pad[1][0], dilation[1])
    items = [
        (i, j, r, c)
        for i, r in enumerate(rows)
        for j, c in enumerate(cols)
        if r is not None and c is not None
    ]
    return Offsets(items, (ho, wo))


class GeneralPlan:
    """im2col for any stride: ``cols`` (C, kh, kw, N, Ho, Wo), one strided copy per offset.

    Entries of ``cols`` that would read padding are never written, so they stay zero from the
    moment the buffer is created. The gemm output grid is exactly ``(N, Ho, Wo)``.
    """

    def __init__(self, x_shape, out_channels, kernel, stride, pad, dilation, dtype):
        n, c, h, w = x_shape
        kh, kw = kernel
        self.offsets = window_offsets((h, w), kernel, stride, pad, dilation)
        self.out_hw = self.grid_hw = self.offsets.out_hw
        ho, wo = self.out_hw
        self.x_shape, self.dtype = x_shape, dtype
        self.cols = np.zeros((c, kh, kw, n, ho, wo), dtype)
        self.cols2 = self.cols.reshape(c * kh * kw, n * ho * wo)
        self.gz = np.zeros((out_channels, n, ho, wo), dtype)
        self._dcols: np.ndarray | None = None
        self._dx: np.ndarray | None = None

    def im2col(self, x_cf: np.ndarray) -> None:
        """Fill ``cols`` from ``x_cf`` (C, N, H, W)."""
        for i, j, r, c in self.offsets.items:
            np.copyto(self.cols[:, i, j, :, r.out, c.out], x_cf[:, :, r.inp, c.inp])

    def dcols(self) -> np.ndarray:
        """Scratch ``(C*kh*kw, grid size)`` for the gradient of ``cols``."""
        if self._dcols is None:
            self._dcols = np.empty_like(self.cols2)
        return self._dcols

    def col2im(self, dx_cf: np.ndarray | None = None) -> np.ndarray:
        """Scatter-add ``dcols`` back onto the pixels they were read from; (C, N, H, W)."""
        n, c, h, w = self.x_shape
        dx = np.zeros((c, n, h, w), self.dtype) if dx_cf is None else dx_cf
        if dx_cf is not None:
            dx.fill(0)
        dcols = self._dcols.reshape(self.cols.shape)
        for i, j, r, col in self.offsets.items:
            target = dx[:, :, r.inp, col.inp]
            np.add(target, dcols[:, i, j, :, r.out, col.out], out=target)
        return dx

    def dx_buffer(self) -> np.ndarray:
        n, c, h, w = self.x_shape
        if self._dx is None:
            self._dx = np.empty((c, n, h, w), self.dtype)
        return self._dx


class FlatPlan:
    """im2col for stride 1 with long contiguous copies (the common 'same' / 'valid' case).

    Each channel's padded batch is one flat vector ``xp[c]`` of length ``N*Hp*Wp``. With
    stride 1, output pixel ``q = n*Hp*Wp + h*Wp + w`` reads ``xp[c, q + d*(i*Wp + j)]`` for
    kernel offset ``(i, j)``, so row ``(c, i, j)`` of ``cols`` is one contiguous slice of
    ``xp[c]``. The product is computed on the whole padded grid ``(N, Hp, Wp)`` (the extra
    rows/columns are ignored on the way out and get zero gradient on the way back), which
    costs ``Hp*Wp / (Ho*Wo)`` more flops but turns every im2col / col2im step into a memcpy
    or a vector add instead of thousands of short strided rows.
    """

    def __init__(self, x_shape, out_channels, kernel, pad, dilation, dtype):
        n, c, h, w = x_shape
        kh, kw = kernel
        hp, wp = h + sum(pad[0]), w + sum(pad[1])
        self.x_shape, self.dtype, self.pad = x_shape, dtype, pad
        self.out_hw = (hp - dilation[0] * (kh - 1), wp - dilation[1] * (kw - 1))
        self.grid_hw = (hp, wp)
        size = n * hp * wp
        self.shifts = [
            (i, j, dilation[0] * i * wp + dilation[1] * j) for i in range(kh) for j in range(kw)
        ]
        self.length = size - self.shifts[-1][2]  # positions whose every tap is in bounds
        # Zero padding and the zero tail of cols are written once, here, and never again.
        self.xp = np.zeros((c, n, hp, wp), dtype)
        self.interior = self.xp[:, :, pad[0][0] : pad[0][0] + h, pad[1][0] : pad[1][0] + w]
        self.cols = np.zeros((c, kh, kw, size), dtype)
        self.cols2 = self.cols.reshape(c * kh * kw, size)
        self.gz = np.zeros((out_channels, n, hp, wp), dtype)
        self._dcols: np.ndarray | None = None
        self._dx: np.ndarray | None = None

    def im2col(self, x_cf: np.ndarray) -> None:
        """Fill ``cols`` from ``x_cf`` (C, N, H, W): one padding copy, then kh*kw slices."""
        np.copyto(self.interior, x_cf)
        flat = self.xp.reshape(self.xp.shape[0], -1)
        for i, j, shift in self.shifts:
            np.copyto(self.cols[:, i, j, : self.length], flat[:, shift : shift + self.length])

    def dcols(self) -> np.ndarray:
        """Scratch ``(C*kh*kw, N*Hp*Wp)`` for the gradient of ``cols``."""
        if self._dcols is None:
            self._dcols = np.empty_like(self.cols2)
        return self._dcols

    def dx_buffer(self) -> np.ndarray:
        if self._dx is None:
            self._dx = np.empty_like(self.xp)
        return self._dx

    def col2im(self, dxp: np.ndarray | None = None) -> np.ndarray:
        """Add every tap's gradient back onto its padded pixel; the (C, N, H, W) interior."""
        dxp = np.empty_like(self.xp) if dxp is None else dxp
        flat = dxp.reshape(dxp.shape[0], -1)
        dcols = self._dcols.reshape(self.cols.shape)
        n = self.length
        for k, (i, j, shift) in enumerate(self.shifts):
            if k == 0:  # shift 0: a copy instead of zero-fill plus add
                np.copyto(flat[:, :n], dcols[:, i, j, :n])
                flat[:, n:] = 0
            else:
                target = flat[:, shift : shift + n]
                np.add(target, dcols[:, i, j, :n], out=target)
        (pt, _), (pl, _) = self.pad
        h, w = self.x_shape[2:]
        return dxp[:, :, pt : pt + h, pl : pl + w]


def make_plan(x_shape, out_channels, kernel, stride, pad, dilation, dtype):
    """The fastest im2col strategy for this geometry (flat shifts need stride 1)."""
    if stride == (1, 1):
        return FlatPlan(x_shape, out_channels, kernel, pad, dilation, dtype)
    return GeneralPlan(x_shape, out_channels, kernel, stride, pad, dilation, dtype)


def channel_first(x: np.ndarray) -> np.ndarray:
    """The ``(C, N, ...)`` view of an ``(N, C, ...)`` array (no copy)."""
    return x.swapaxes(0, 1)


class BufferCache:
    """A few scratch arrays kept by (name, shape, dtype) so steady training allocates nothing.

    Only internal scratch lives here, never an array handed to a caller, so a caller may keep
    any output it gets. At most ``size`` buffers are kept (the training batch, the last
    smaller batch and an evaluation batch fit).
    """

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._items: OrderedDict[tuple, np.ndarray] = OrderedDict()

    def get(
        self,
        name: str,
        shape: tuple[int, ...],
        dtype: np.dtype,
        factory: Callable[..., np.ndarray] = np.empty,
    ) -> np.ndarray:
        """The buffer for this key, created with ``factory(shape, dtype)`` the first time."""
        key = (name, tuple(shape), np.dtype(dtype).str)
        buf = self._items.get(key)
        if buf is None:
            buf = factory(shape, dtype)
            self._items[key] = buf
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        else:
            self._items.move_to_end(key)
        return buf

    def clear(self) -> None:
        self._items.clear()
