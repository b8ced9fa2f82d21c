"""The machinery shared by Conv2D and Conv1D: settings, shapes, and im2col + one GEMM.

Internally a batch is handled batch-innermost, ``(C, H, W, N)`` (see ``im2col``): the
product ``W (O, C*kh*kw) @ cols (C*kh*kw, Ho*Wo*N)`` lands directly as ``(O, Ho, Wo, N)``,
and the layer returns it as an NCHW *view* instead of paying for a transpose copy. Pooling
keeps that layout, so a conv -> pool -> conv chain never reorders memory. Conv1D is Conv2D
on ``(C, 1, L)`` inputs with a ``1 x k`` kernel.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .activations import ReLU, make_activation
from .errors import SpecError
from .geometry import Pads, as_pair, kernel_misfit, out_size, padding_amounts, shape_text
from .im2col import PlanCache, cols_times_grad, from_chwn, to_chwn
from .init import init_weight_and_bias
from .module import Module
from .settings import check


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


class _Conv(Module):
    """Shared machinery of Conv2D and Conv1D; spatial work is always 2-D internally."""

    label = "Conv2D"

    def __init__(
        self,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] | str = 0,
        dilation: int | tuple[int, int] = 1,
        activation: str | None = None,
        init: str = "default",
        in_channels: int | None = None,
    ) -> None:
        """The settings ``Conv2D`` documents; ``Conv1D`` takes single numbers for them."""
        super().__init__()
        t, who = self.type_name, self.label
        self.out_channels = int(check(t, "out_channels", out_channels, who))
        self._raw = {"kernel_size": kernel_size, "stride": stride, "dilation": dilation}
        self.kernel = self._pair(check(t, "kernel_size", kernel_size, who))
        self.stride = self._pair(check(t, "stride", stride, who))
        self.dilation = self._pair(check(t, "dilation", dilation, who))
        self.padding = check(t, "padding", padding, who)
        if padding == "same" and self.stride != (1, 1):
            raise SpecError(
                f"{self.label} padding 'same' works only with stride 1 (as in PyTorch), "
                f"but the stride is {self._text(self.stride)}",
                key="padding",
            )
        self.pad = self._pads(padding)
        self.activation = check(t, "activation", activation, who)
        self.init = check(t, "init", init, who)
        self.act = make_activation(self.activation)
        self._fused_relu = isinstance(self.act, ReLU)
        # Set per forward by Sequential when a MaxPool follows (see ``can_defer_relu``).
        self.defer_relu = False
        self._grad_target: np.ndarray | None = None
        self._plans = PlanCache()
        self._reuse = False
        if in_channels is not None:  # stand-alone use (tests): build at once, seed 0
            c = int(check(t, "in_channels", in_channels, who))
            self._init_params(c, np.random.default_rng(0))

    # --- the 1-D / 2-D difference --------------------------------------------------------
    def _pair(self, value) -> tuple[int, int]:
        """A checked kernel / stride / dilation as ``(height, width)``."""
        return as_pair(value)

    def _pads(self, padding) -> Pads:
        """A checked padding as ``((top, bottom), (left, right))``."""
        return padding_amounts(padding, self.kernel, self.dilation)

    def _axes(self, pair: tuple[int, int]) -> tuple[int, ...]:
        """The axes a person sees: both of an image, the length of a signal."""
        return pair

    def _text(self, pair: tuple[int, int]) -> str:
        return shape_text(self._axes(pair))

    def _spatial(self, input_shape: tuple[int, ...]) -> tuple[int, int, int]:
        """``(C, H, W)`` of one sample; raises on the wrong number of dimensions."""
        shape = tuple(int(s) for s in input_shape)
        if len(shape) != 3:
            raise SpecError(
                f"{self.label} needs an image input (channels, height, width) but gets "
                f"{self._what(shape)}"
            )
        return shape

    @staticmethod
    def _what(shape: tuple[int, ...]) -> str:
        if len(shape) == 1:
            return f"{shape[0]} features"
        if len(shape) == 2:
            return f"a signal of {shape[0]} channels x {shape[1]} steps"
        return f"an input of shape {shape_text(shape)}"

    # --- shapes -------------------------------------------------------------------------
    @property
    def in_channels(self) -> int | None:
        w = self.params.get("weight")
        return None if w is None else int(w.shape[1])

    def _geometry(self, input_shape: tuple[int, ...]) -> tuple[int, int, int, int, int]:
        """``(C, H, W, Ho, Wo)`` for one sample, with plain-sentence errors."""
        c, h, w = self._spatial(input_shape)
        if self.in_channels is not None and c != self.in_channels:
            raise SpecError(
                f"{self.describe()}: expects {self.in_channels} input channels but the input "
                f"has {c}"
            )
        pad = (sum(self.pad[0]), sum(self.pad[1]))
        a = self._axes
        misfit = kernel_misfit(a((h, w)), a(self.kernel), a(self.dilation), a(pad))
        if misfit:
            raise SpecError(f"{self._label()}: {misfit}", key="kernel_size")
        ho = out_size(h, self.kernel[0], self.stride[0], sum(self.pad[0]), self.dilation[0])
        wo = out_size(w, self.kernel[1], self.stride[1], sum(self.pad[1]), self.dilation[1])
        return c, h, w, ho, wo

    def _label(self) -> str:
        return f"{self.label} {self._text(self.kernel)}"

    def build(self, input_shape: tuple[int, ...], rng: np.random.Generator) -> None:
        self.params = {}
        c = self._geometry(input_shape)[0]
        super().build(input_shape, rng)
        self._init_params(c, rng)

    def _init_params(self, in_channels: int, rng: np.random.Generator) -> None:
        k = self.kernel[0] * self.kernel[1]
        shape = (self.out_channels, in_channels, *self._weight_kernel())
        weight, bias = init_weight_and_bias(
            self.init, shape, in_channels * k, self.out_channels * k, rng
        )
        self.params = {"weight": weight, "bias": bias}
        self.grads = {key: np.zeros_like(v) for key, v in self.params.items()}
        self._plans.clear()

    def _weight_kernel(self) -> tuple[int, ...]:
        return self.kernel

    def config(self) -> dict[str, Any]:
        cfg: dict[str, Any] = {
            "type": self.type_name,
            "out_channels": self.out_channels,
            "kernel_size": _jsonable(self._raw["kernel_size"]),
        }
        # Like Dense, settings left at their default stay out of the spec.
        for key, value, default in (
            ("stride", self._raw["stride"], 1),
            ("padding", self.padding, 0),
            ("dilation", self._raw["dilation"], 1),
            ("activation", self.activation, None),
            ("init", self.init, "default"),
        ):
            if value != default:
                cfg[key] = _jsonable(value)
        return cfg

    def describe(self) -> str:
        return f"{self.label} {self.out_channels}@{self._text(self.kernel)}"

    # --- running ------------------------------------------------------------------------
    def _to_4d(self, x: np.ndarray) -> np.ndarray:
        return x

    def _from_4d(self, y: np.ndarray) -> np.ndarray:
        return y

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """``(N, C, H, W) -> (N, out_channels, Ho, Wo)``, an NCHW view of (O, Ho, Wo, N) memory.

        In training mode without ``record`` the result lives in a scratch buffer that the
        next training step reuses (as for Dense); otherwise it is a fresh array.
        """
        x = np.asarray(x)
        if not self.params:
            self._init_params(self._spatial(x.shape[1:])[0], np.random.default_rng(0))
        weight, bias = self.params["weight"], self.params["bias"]
        self._geometry(x.shape[1:])
        if x.dtype != weight.dtype:
            x = x.astype(weight.dtype)
        x4 = self._to_4d(x)
        o, n = self.out_channels, x4.shape[0]
        plan = self._plans.get(
            x4.shape, o, self.kernel, self.stride, self.pad, self.dilation, weight.dtype
        )
        plan.im2col(to_chwn(x4))
        self._reuse = bool(training and not self.record)
        z = plan.product(o, self._reuse)
        # [W | b] @ [cols; 1]: the bias rides along in the product instead of another pass.
        np.matmul(plan.weight_with_bias(weight, bias), plan.cols_aug, out=z)
        (ho, wo), (hg, wg) = plan.out_hw, plan.grid_hw
        out_t = z.reshape(o, hg, wg, n)[:, :ho, :wo]
        if self.record:
            pre = out_t.copy() if self.act is not None else out_t
            self.last_pre = self._from_4d(from_chwn(pre))
        if self._fused_relu and self.defer_relu:
            pass  # the next layer pools the pre-activation and applies the ReLU itself
        elif self._fused_relu:
            # y = z * 1[z > 0] on the whole buffer (contiguous; the pad cells are unused). The
            # mask is kept for backward; this is faster than np.maximum(z, 0) here, and differs
            # only for z = -inf (NaN instead of 0), where training has diverged anyway.
            mask = plan.mask(plan.gz.shape).reshape(z.shape)
            np.greater(z, 0, out=mask)
            np.multiply(z, mask, out=z)
        elif self.act is not None:
            out_t = to_chwn(self.act.forward(from_chwn(out_t), training))
        self._plan_used = plan
        y = self._from_4d(from_chwn(out_t))
        if self.record:
            self.last_out = y
        return y

    @property
    def can_defer_relu(self) -> bool:
        """Whether a following max-pool may take over this layer's fused ReLU.

        relu(max(z)) = max(relu(z)), and the gradients agree exactly (torch's first-maximum
        rule included): a window whose maximum is positive has the same maxima either way,
        and one whose maximum is not positive passes no gradient through the ReLU. Pooling
        first applies the ReLU to a 4x smaller array and lets the pool write dL/dz straight
        into this layer's gradient buffer (``output_grad_buffer``).
        """
        return self._fused_relu

    def output_grad_buffer(self) -> np.ndarray:
        """``(N, out_channels, Ho, Wo)`` view of the buffer ``backward`` reads dL/dz from.

        A pool that took over the ReLU (``defer_relu``) writes its input gradient here and
        passes this very array to ``backward``, which then skips its own copy and mask.
        """
        ho, wo = self._plan_used.out_hw
        self._grad_target = from_chwn(self._plan_used.gz[:, :ho, :wo])
        return self._grad_target

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        """``(N, out_channels, Ho, Wo) -> (N, C, H, W)``, or None if no input grad is needed.

        After a forward with ``defer_relu``, ``grad_out`` is dL/dz (the pool applied the
        ReLU's derivative), not dL/dy.
        """
        weight, plan, o = self.params["weight"], self._plan_used, self.out_channels
        in_place, self._grad_target = grad_out is self._grad_target, None
        g_t = to_chwn(self._to_4d(np.asarray(grad_out, dtype=weight.dtype)))
        ho, wo = plan.out_hw
        gz_valid = plan.gz[:, :ho, :wo]  # the rest of plan.gz stays zero
        if in_place:
            pass  # the next layer wrote dL/dz into gz_valid already
        elif self._fused_relu and not self.defer_relu:
            # dL/dz = dL/dy * 1[z > 0], with the mask forward kept
            mask = plan.mask(plan.gz.shape)[:, :ho, :wo]
            np.multiply(g_t, mask, out=gz_valid)
        elif self.act is not None and not self._fused_relu:
            np.copyto(gz_valid, to_chwn(self.act.backward(from_chwn(g_t))))
        else:
            np.copyto(gz_valid, g_t)
        gz = plan.gz.reshape(o, -1)
        # [dL/dW | dL/db] = dL/dz @ [cols; 1]^T  (the ones row sums dL/dz for the bias)
        # (computed transposed: BLAS splits the long (C*kh*kw+1)-row side better over threads)
        dw_aug = cols_times_grad(plan.cols_aug, gz).T
        self.grads["weight"] += dw_aug[:, :-1].reshape(weight.shape)
        self.grads["bias"] += dw_aug[:, -1]
        if not self.need_input_grad:
            return None
        # dL/dcols = W^T @ dL/dz, then col2im adds every tap back onto the pixel it read.
        np.matmul(weight.reshape(o, -1).T, gz, out=plan.dcols())
        dx_t = plan.col2im(plan.dx_buffer() if self._reuse else None)
        return self._from_4d(from_chwn(dx_t))
