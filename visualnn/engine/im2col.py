"""Geometry and the im2col / col2im copies shared by convolution and pooling.

Layout: the layers work on the *batch-innermost* view ``(C, H, W, N)`` of an NCHW batch
(``to_chwn``), and hand their results on as NCHW views of such arrays (``from_chwn``), so a
conv -> pool -> conv chain never reorders memory. Why: NumPy pays a fixed cost per innermost
row of an operation, and every spatial slice (a kernel offset, a pooling tap, a padded
interior) of a ``(C, H, W, N)`` array has contiguous innermost rows of ``N`` (or ``W*N``)
numbers, where an NCHW slice has strided rows of 7 to 28. One matrix product
``W (O, C*kh*kw) @ cols (C*kh*kw, Ho*Wo*N)`` then yields the output as ``(O, Ho, Wo, N)``.

The loops here run over kernel offsets (``kh * kw`` iterations), never over samples or pixels.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import NamedTuple

import numpy as np

from .geometry import out_size


def to_chwn(x: np.ndarray) -> np.ndarray:
    """The ``(C, H, W, N)`` view of an ``(N, C, H, W)`` array (no copy)."""
    return x.transpose(1, 2, 3, 0)


def from_chwn(a: np.ndarray) -> np.ndarray:
    """The ``(N, C, H, W)`` view of a ``(C, H, W, N)`` array (no copy)."""
    return a.transpose(3, 0, 1, 2)


def batch_contiguous(a: np.ndarray) -> np.ndarray:
    """``a`` (C, H, W, N) itself when its batch axis is contiguous, else a compact copy."""
    return a if a.strides[-1] == a.itemsize else np.ascontiguousarray(a)


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


class _Plan:
    """Scratch buffers every plan keeps, created on first use and reused while shapes repeat."""

    cols_aug: np.ndarray
    dtype: np.dtype

    def _scratch(self, name: str, shape: tuple[int, ...], dtype=None) -> np.ndarray:
        buf = self.__dict__.get("_buf_" + name)
        if buf is None:
            buf = np.empty(shape, self.dtype if dtype is None else dtype)
            setattr(self, "_buf_" + name, buf)
        return buf

    def weight_with_bias(self, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
        """``[W | b]`` as an (O, C*kh*kw + 1) matrix, to multiply with ``cols_aug``."""
        o = weight.shape[0]
        w_aug = self._scratch("w_aug", (o, self.cols_aug.shape[0]))
        w_aug[:, :-1] = weight.reshape(o, -1)
        w_aug[:, -1] = bias
        return w_aug

    def product(self, out_channels: int, reuse: bool) -> np.ndarray:
        """Array for the (O, grid size) product: kept when ``reuse``, else fresh."""
        shape = (out_channels, self.cols_aug.shape[1])
        return self._scratch("z", shape) if reuse else np.empty(shape, self.dtype)

    def mask(self, shape: tuple[int, ...]) -> np.ndarray:
        return self._scratch("mask", shape, np.dtype(bool))

    def dcols(self) -> np.ndarray:
        """Scratch ``(C*kh*kw, grid size)`` for the gradient of ``cols``."""
        return self._scratch("dcols", self.cols2.shape)


class PlanCache:
    """The last few plans by input shape and dtype (training batch, short last batch, eval)."""

    def __init__(self, size: int = 4, max_bytes: int = 64 << 20) -> None:
        self.size, self.max_bytes = size, max_bytes
        self._plans: OrderedDict[tuple, _Plan] = OrderedDict()

    def get(self, x_shape, out_channels, kernel, stride, pad, dilation, dtype) -> _Plan:
        key = (tuple(x_shape), np.dtype(dtype).str)
        plan = self._plans.get(key)
        if plan is None:
            if stride == (1, 1):
                plan = FlatPlan(x_shape, out_channels, kernel, pad, dilation, dtype)
            else:
                plan = GeneralPlan(x_shape, out_channels, kernel, stride, pad, dilation, dtype)
            if plan.cols_aug.nbytes > self.max_bytes:
                return plan  # a one-off (say a huge evaluation batch): not worth keeping
            self._plans[key] = plan
            while len(self._plans) > self.size:
                self._plans.popitem(last=False)
        self._plans.move_to_end(key)
        return plan

    def clear(self) -> None:
        self._plans.clear()


class GeneralPlan(_Plan):
    """im2col for any stride: ``cols`` (C, kh, kw, Ho, Wo, N), one strided copy per offset.

    Entries of ``cols`` that would read padding are never written, so they stay zero from the
    moment the buffer is created. The product's output grid is exactly ``(Ho, Wo)``.
    """

    def __init__(self, x_shape, out_channels, kernel, stride, pad, dilation, dtype):
        n, c, h, w = x_shape
        kh, kw = kernel
        self.offsets = window_offsets((h, w), kernel, stride, pad, dilation)
        self.out_hw = self.grid_hw = self.offsets.out_hw
        ho, wo = self.out_hw
        self.x_shape, self.dtype = x_shape, dtype
        self.cols_aug = _cols_with_ones(c * kh * kw, ho * wo * n, dtype)
        self.cols2 = self.cols_aug[:-1]
        self.cols = self.cols2.reshape(c, kh, kw, ho, wo, n)
        self.gz = np.zeros((out_channels, ho, wo, n), dtype)
        self._dx: np.ndarray | None = None

    def im2col(self, x_t: np.ndarray) -> None:
        """Fill ``cols`` from ``x_t`` (C, H, W, N)."""
        for i, j, r, c in self.offsets.items:
            np.copyto(self.cols[:, i, j, r.out, c.out], x_t[:, r.inp, c.inp])

    def dx_buffer(self) -> np.ndarray:
        n, c, h, w = self.x_shape
        if self._dx is None:
            self._dx = np.empty((c, h, w, n), self.dtype)
        return self._dx

    def col2im(self, dx: np.ndarray | None = None) -> np.ndarray:
        """Scatter-add ``dcols`` back onto the pixels they were read from; (C, H, W, N)."""
        n, c, h, w = self.x_shape
        if dx is None:
            dx = np.zeros((c, h, w, n), self.dtype)
        else:
            dx.fill(0)
        dcols = self.dcols().reshape(self.cols.shape)
        for i, j, r, col in self.offsets.items:
            target = dx[:, r.inp, col.inp]
            np.add(target, dcols[:, i, j, r.out, col.out], out=target)
        return dx


class FlatPlan(_Plan):
    """im2col for stride 1 as ``kh*kw`` contiguous slices (the common 'same' / 'valid' case).

    Each channel's padded batch is one flat vector ``xp[c]``: padded row ``r``, padded column
    ``s``, sample ``n`` at ``(r*Ws + s)*N + n``. With stride 1, output pixel ``(h, w)`` of
    sample ``n`` reads ``xp[c, ((h + d*i)*Ws + w + d*j)*N + n]`` for kernel offset ``(i, j)``,
    so row ``(c, i, j)`` of ``cols`` is the slice of ``xp[c]`` shifted by
    ``d*(i*Ws + j)*N``, and col2im is ``kh*kw`` vector adds.

    Neighbouring rows share their zero padding: a row takes ``W + max(pl, pr)`` columns, not
    ``W + pl + pr``, which is enough for every tap that runs off a row to land on a zero. The
    product runs over the grid ``(Ho, Ws)``; the extra column cells are dropped on the way
    out and get zero gradient on the way back (3x3 'same' on 14x14: 14x15 cells for 14x14
    outputs, 7% more flops, far cheaper than strided copies).
    """

    def __init__(self, x_shape, out_channels, kernel, pad, dilation, dtype):
        n, c, h, w = x_shape
        kh, kw = kernel
        (pt, pb), (pl, pr) = pad
        self.x_shape, self.dtype, self._corner = x_shape, dtype, (pt, pl)
        self.out_hw = (h + pt + pb - dilation[0] * (kh - 1), w + pl + pr - dilation[1] * (kw - 1))
        # Only the Ho output rows are computed; the rows below are read by taps, never output.
        self.grid_hw = (self.out_hw[0], max(w + max(pl, pr), self.out_hw[1]))
        ws = self.grid_hw[1]
        self.length = self.grid_hw[0] * ws * n
        self._padded_hw = (h + pt + pb, ws)
        self.shifts = [
            (i, j, (dilation[0] * i * ws + dilation[1] * j) * n)
            for i in range(kh)
            for j in range(kw)
        ]
        # Zero padding is written once, here: later calls only overwrite the interior.
        self.xp = np.zeros((c, self.length + self.shifts[-1][2]), dtype)
        self.interior = self._interior(self.xp)
        self.cols_aug = _cols_with_ones(c * kh * kw, self.length, dtype)
        self.cols2 = self.cols_aug[:-1]
        self.cols = self.cols2.reshape(c, kh, kw, self.length)
        self.gz = np.zeros((out_channels, *self.grid_hw, n), dtype)
        self._dx: np.ndarray | None = None

    def _interior(self, flat: np.ndarray) -> np.ndarray:
        """The (C, H, W, N) view of the real pixels inside a padded flat buffer."""
        n, c, h, w = self.x_shape
        (pt, pl), (hs, ws) = self._corner, self._padded_hw
        grid = flat[:, : hs * ws * n].reshape(c, hs, ws, n)
        return grid[:, pt : pt + h, pl : pl + w]

    def im2col(self, x_t: np.ndarray) -> None:
        """Fill ``cols`` from ``x_t`` (C, H, W, N): one padding copy, then kh*kw slices."""
        np.copyto(self.interior, x_t)
        n = self.length
        for i, j, shift in self.shifts:
            np.copyto(self.cols[:, i, j], self.xp[:, shift : shift + n])

    def dx_buffer(self) -> np.ndarray:
        if self._dx is None:
            self._dx = np.empty_like(self.xp)
        return self._dx

    def col2im(self, dxp: np.ndarray | None = None) -> np.ndarray:
        """Add every tap's gradient back onto its padded pixel; the (C, H, W, N) interior."""
        dxp = np.empty_like(self.xp) if dxp is None else dxp
        dcols, n = self.dcols().reshape(self.cols.shape), self.length
        for k, (i, j, shift) in enumerate(self.shifts):
            if k == 0:  # shift 0: a copy instead of zero-fill plus add
                np.copyto(dxp[:, :n], dcols[:, i, j])
                dxp[:, n:] = 0
            else:
                target = dxp[:, shift : shift + n]
                np.add(target, dcols[:, i, j], out=target)
        return self._interior(dxp)


def _cols_with_ones(rows: int, length: int, dtype) -> np.ndarray:
    """A zero ``(rows + 1, length)`` buffer whose last row is ones: with the bias appended
    to the weight matrix, one product gives ``W @ cols + b`` and one gives ``[dW | db]``."""
    buf = np.zeros((rows + 1, length), dtype)
    buf[-1] = 1
    return buf


#: ``cols_times_grad`` splits the long side into pieces of this many columns when the result
#: is tiny: a few KB of cols and gradient per piece stay in the core's cache.
GRAD_CHUNK = 8192
#: ... and does so only when the result has at most this many entries (rows x channels):
#: then OpenBLAS streams the whole long side through one small kernel call and is bound by
#: memory (first conv of the bench, 10 x 8 over 52k columns: 440 us whole, 190 us in
#: pieces); for larger results it blocks the long side well itself and splitting is slower.
SMALL_GRAD_ENTRIES = 256


def cols_times_grad(cols: np.ndarray, gz: np.ndarray) -> np.ndarray:
    """``cols @ gz.T``: ``(R, L) x (O, L) -> (R, O)``, in cache-sized pieces when small.

    The weight gradient of a convolution (``R = C*kh*kw + 1`` rows with the bias row,
    ``O`` output channels, ``L`` output pixels times samples).
    """
    rows, length = cols.shape
    if rows * gz.shape[0] > SMALL_GRAD_ENTRIES or length <= 2 * GRAD_CHUNK:
        return cols @ gz.T
    total = np.zeros((rows, gz.shape[0]), np.result_type(cols, gz))
    part = np.empty_like(total)
    for start in range(0, length, GRAD_CHUNK):
        stop = start + GRAD_CHUNK
        np.matmul(cols[:, start:stop], gz[:, start:stop].T, out=part)
        total += part
    return total
