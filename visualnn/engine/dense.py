"""Fully connected layer, ``y = act(x @ W.T + b)``, tuned for the training hot path."""

from __future__ import annotations

from typing import Any

import numpy as np

from .activations import ReLU, make_activation
from .errors import SpecError
from .geometry import shape_text
from .init import init_weight_and_bias
from .module import Module
from .settings import check


class Dense(Module):
    """Fully connected layer with torch's ``nn.Linear`` layout and an optional activation.

    Parameters
    ----------
    units : int
        Output features.
    activation : str or None
        Shorthand applied after the affine map (``"relu"``, ``"sigmoid"``...); None = linear.
    init : str
        Initialiser name (``visualnn.engine.init.INITIALIZERS``).
    in_features : int or None
        When given, the layer builds itself at once with seed 0.

    Notes
    -----
    ``params["weight"]`` has shape ``(units, in)``, ``params["bias"]`` ``(units,)``; input
    ``(N, in)``, output ``(N, units)``. In training mode (``forward(x, training=True)`` with
    ``record`` off) the output and the returned input gradient are scratch buffers reused
    by the next training step, so a caller that wants to keep them must copy them. Eval-mode
    and recording forwards return fresh arrays. Set ``reuse_buffers = False`` to always
    allocate.
    """

    type_name = "dense"
    reuse_buffers = True
    overwrites_grads = True

    def __init__(
        self,
        units: int,
        activation: str | None = None,
        init: str = "default",
        in_features: int | None = None,
    ) -> None:
        super().__init__()
        self.units = int(check("dense", "units", units, "Dense"))
        self.activation = check("dense", "activation", activation, "Dense")
        self.init = check("dense", "init", init, "Dense")
        self.act = make_activation(self.activation)
        # ReLU is fused into the affine map: in place, with a reusable mask.
        self._fused_relu = isinstance(self.act, ReLU)
        self._buf: dict[str, np.ndarray] = {}
        self._reuse = False
        self._grads_zero = False
        if in_features is not None:
            n_in = int(check("dense", "in_features", in_features, "Dense"))
            self.build((n_in,), np.random.default_rng(0))

    # --- shape and building -------------------------------------------------------------
    @property
    def in_features(self) -> int | None:
        w = self.params.get("weight")
        return None if w is None else int(w.shape[1])

    def _check_input_shape(self, input_shape: tuple[int, ...]) -> int:
        shape = tuple(input_shape)
        if len(shape) != 1:
            raise SpecError(
                f"{self.describe()} needs a flat input of features, but gets "
                f"{shape_text(shape)}: add a Flatten layer before it"
            )
        if self.in_features is not None and shape[0] != self.in_features:
            raise SpecError(
                f"{self.describe()} was built for {self.in_features} input features "
                f"but gets {shape[0]}"
            )
        return int(shape[0])

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        self._check_input_shape(input_shape)
        return (self.units,)

    def build(self, input_shape: tuple[int, ...], rng: np.random.Generator) -> None:
        self.params = {}
        n_in = self._check_input_shape(input_shape)
        super().build(input_shape, rng)
        weight, bias = init_weight_and_bias(self.init, (self.units, n_in), n_in, self.units, rng)
        self.params = {"weight": weight, "bias": bias}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self._grads_zero = True
        self._buf.clear()

    def config(self) -> dict[str, Any]:
        cfg: dict[str, Any] = {"type": self.type_name, "units": self.units}
        if self.activation is not None:
            cfg["activation"] = self.activation
        if self.init != "default":
            cfg["init"] = self.init
        return cfg

    def describe(self) -> str:
        return f"Dense {self.units}"

    def zero_grad(self, fill: bool = True) -> None:
        super().zero_grad(fill)
        self._grads_zero = True

    # --- running ------------------------------------------------------------------------
    def _array(self, key: str, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        """A scratch array kept across steps while shapes repeat, or a fresh one."""
        if not self._reuse:
            return np.empty(shape, dtype)
        buf = self._buf.get(key)
        if buf is None or buf.shape != shape or buf.dtype != dtype:
            buf = self._buf[key] = np.empty(shape, dtype)
        return buf

    def _ones(self, n: int, dtype: np.dtype) -> np.ndarray:
        """A cached ``(n,)`` vector of ones (read only)."""
        ones = self._buf.get("ones")
        if ones is None or ones.shape[0] != n or ones.dtype != dtype:
            ones = self._buf["ones"] = np.ones(n, dtype)
        return ones

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """``(N, in) -> (N, units)``."""
        if not self.params:
            raise SpecError(f"{self.describe()} is not built yet: give in_features or build it")
        weight, bias = self.params["weight"], self.params["bias"]
        x = np.asarray(x)
        if x.ndim != 2 or x.shape[1] != weight.shape[1]:
            self._check_input_shape(x.shape[1:])  # raises, naming the shapes
        if x.dtype != weight.dtype:
            x = x.astype(weight.dtype)
        self._x = x
        self._reuse = bool(training and self.reuse_buffers and not self.record)
        z = self._array("z", (x.shape[0], self.units), weight.dtype)
        np.matmul(x, weight.T, out=z)
        z += bias
        if self.record:
            self.last_pre = z
        if self.act is None:
            y = z
        elif self._fused_relu:
            self._mask = self._array("mask", z.shape, np.dtype(bool))
            np.greater(z, 0, out=self._mask)
            # Recording keeps the pre-activation intact, so ReLU then writes elsewhere.
            y = np.maximum(z, 0) if self.record else np.maximum(z, 0, out=z)
        else:
            y = self.act.forward(z, training)
        if self.record:
            self.last_out = y
        return y

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        """``(N, units) -> (N, in)``, or None when ``need_input_grad`` is False."""
        weight, x = self.params["weight"], self._x
        g = grad_out if grad_out.dtype == weight.dtype else grad_out.astype(weight.dtype)
        if self._fused_relu:
            # dL/dz = dL/dy * 1[z > 0]
            gz = self._array("gz", g.shape, weight.dtype)
            np.multiply(g, self._mask, out=gz)
        elif self.act is not None:
            gz = self.act.backward(g)
        else:
            gz = g
        # dL/dW = dL/dz^T x ;  dL/db = sum_n dL/dz ;  dL/dx = dL/dz W
        gw, gb = self.grads["weight"], self.grads["bias"]
        # The bias sum as ones @ dL/dz: BLAS does it 2-4x faster than np.sum(axis=0) here.
        ones = self._ones(gz.shape[0], gz.dtype)
        if self._grads_zero:
            # Right after zero_grad, writing equals accumulating and saves a pass.
            np.matmul(gz.T, x, out=gw)
            np.matmul(ones, gz, out=gb)
            self._grads_zero = False
        else:
            tmp = self._array("gw", gw.shape, gw.dtype)
            np.matmul(gz.T, x, out=tmp)
            gw += tmp
            gb += ones @ gz
        if not self.need_input_grad:
            return None
        dx = self._array("dx", x.shape, weight.dtype)
        np.matmul(gz, weight, out=dx)
        return dx
