"""Optimizers with PyTorch's default (single-tensor) update formulas, updated in place.

Ten steps here equal ten steps of ``torch.optim`` from the same weights and gradients.
Hyper-parameters are plain attributes: ``opt.lr = 0.1`` applies from the next ``step()``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .blas import axpby, axpy
from .errors import SpecError


@dataclass(slots=True, eq=False)
class Param:
    """A trainable array and its gradient, both updated in place (never rebound).

    Attributes
    ----------
    value : numpy.ndarray
        The parameter, any shape.
    grad : numpy.ndarray
        Same shape and dtype; layers accumulate into it.
    name : str
        For messages and views, e.g. ``"layer 1 weight"``.
    """

    value: np.ndarray
    grad: np.ndarray
    name: str = ""


def _check(name: str, value: float, low: float = 0.0, high: float | None = None) -> float:
    """``value`` as a float in [low, high), else a ``SpecError`` naming the setting."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise SpecError(f"{name} must be a number, not {value!r}", key=name) from None
    if not math.isfinite(v) or v < low or (high is not None and v >= high):
        where = f"at least {low:g}" if high is None else f"in [{low:g}, {high:g})"
        raise SpecError(f"{name} must be {where}, not {value!r}", key=name)
    return v


class Optimizer:
    """Base: holds ``params`` and per-parameter state arrays; subclasses define ``_update``."""

    name = "optimizer"

    def __init__(self, params: Iterable[Param], lr: float, weight_decay: float) -> None:
        self.params = list(params)
        self.lr = lr
        self.weight_decay = weight_decay
        self.step_count = 0
        # Scratch arrays per parameter (one for the decayed gradient, one for the update):
        # steps run with out= and in-place operators and never allocate.
        self._tmp = [np.empty_like(p.value) for p in self.params]
        self._wd: list[np.ndarray] = []

    def _validate(self) -> None:
        self.lr = _check("lr", self.lr)
        self.weight_decay = _check("weight_decay", self.weight_decay)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad.fill(0)

    def _decayed_grad(self, i: int) -> np.ndarray:
        """``grad + weight_decay * value`` (torch's L2 form), in the scratch array."""
        p = self.params[i]
        if self.weight_decay == 0:
            return p.grad
        if len(self._wd) != len(self.params):
            self._wd = [np.empty_like(q.value) for q in self.params]
        g = self._wd[i]
        np.multiply(p.value, self.weight_decay, out=g)
        g += p.grad
        return g

    def step(self) -> None:
        """Apply one update to every parameter from its current ``grad``."""
        self._validate()
        self.step_count += 1
        self._prepare()
        for i, p in enumerate(self.params):
            self._update(i, p, self._decayed_grad(i))

    def _prepare(self) -> None:
        """Per-step scalars shared by all parameters (after ``step_count`` is incremented)."""

    def _update(self, i: int, p: Param, g: np.ndarray) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """``torch.optim.SGD``: momentum buffer starts as the first gradient (no dampening)."""

    name = "sgd"

    def __init__(self, params, lr=0.01, momentum=0.0, dampening=0.0, nesterov=False,
                 weight_decay=0.0):  # fmt: skip
        super().__init__(params, lr, weight_decay)
        self.momentum, self.dampening, self.nesterov = momentum, dampening, nesterov
        self._buf: list[np.ndarray | None] = [None] * len(self.params)
        self._validate()

    def _validate(self) -> None:
        super()._validate()
        self.momentum = _check("momentum", self.momentum, 0.0, 1.0)
        self.dampening = _check("dampening", self.dampening, 0.0, 1.0 + 1e-12)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise SpecError("Nesterov momentum needs a momentum above 0 and zero dampening")

    def _update(self, i, p, g):
        d = g
        if self.momentum != 0:
            buf = self._buf[i]
            if buf is None:
                buf = self._buf[i] = g.copy()
            else:
                # buf = momentum * buf + (1 - dampening) * g
                axpby(1.0 - self.dampening, g, self.momentum, buf)
            if self.nesterov:
                # d = g + momentum * buf
                d = self._tmp[i]
                np.copyto(d, g)
                axpy(self.momentum, buf, d)
            else:
                d = buf
        # value -= lr * d, one pass (torch: p.add_(d, alpha=-lr))
        axpy(-self.lr, d, p.value)


class Adam(Optimizer):
    """``torch.optim.Adam`` (``amsgrad`` optional), bias correction as torch does it."""

    name = "adam"

    def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 amsgrad=False):  # fmt: skip
        super().__init__(params, lr, weight_decay)
        self.betas, self.eps, self.amsgrad = tuple(betas), eps, bool(amsgrad)
        self._m = [np.zeros_like(p.value) for p in self.params]
        self._v = [np.zeros_like(p.value) for p in self.params]
        self._vmax = [np.zeros_like(p.value) for p in self.params] if amsgrad else []
        self._validate()

    def _validate(self) -> None:
        super()._validate()
        if len(self.betas) != 2:
            raise SpecError("Adam betas must be a pair like (0.9, 0.999)", key="betas")
        self.betas = (_check("beta1", self.betas[0], 0, 1), _check("beta2", self.betas[1], 0, 1))
        self.eps = _check("eps", self.eps)

    def _prepare(self) -> None:
        b1, b2 = self.betas
        bc2_sqrt = math.sqrt(1.0 - b2**self.step_count)
        # lr/bc1 * m / (sqrt(v)/bc2_sqrt + eps) == (lr/bc1 * bc2_sqrt) * m / (sqrt(v) + eps'):
        # multiplying through by bc2_sqrt saves one pass over every parameter.
        self._step_size = self.lr / (1.0 - b1**self.step_count) * bc2_sqrt
        self._eps_scaled = self.eps * bc2_sqrt
        if self.amsgrad and len(self._vmax) != len(self.params):
            self._vmax = [np.zeros_like(p.value) for p in self.params]

    def _update(self, i, p, g):
        b1, b2 = self.betas
        m, v, tmp = self._m[i], self._v[i], self._tmp[i]
        # m = b1 m + (1 - b1) g ;  v = b2 v + (1 - b2) g^2
        axpby(1.0 - b1, g, b1, m)
        np.multiply(g, g, out=tmp)
        axpby(1.0 - b2, tmp, b2, v)
        if self.amsgrad:
            np.maximum(self._vmax[i], v, out=self._vmax[i])
            v = self._vmax[i]
        # value -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
        np.sqrt(v, out=tmp)
        tmp += self._eps_scaled
        np.divide(m, tmp, out=tmp)
        axpy(-self._step_size, tmp, p.value)


class RMSprop(Optimizer):
    """``torch.optim.RMSprop``: ``avg = sqrt(v) + eps`` (centered and momentum optional)."""

    name = "rmsprop"

    def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-8, momentum=0.0, centered=False,
                 weight_decay=0.0):  # fmt: skip
        super().__init__(params, lr, weight_decay)
        self.alpha, self.eps, self.momentum, self.centered = alpha, eps, momentum, centered
        self._sq = [np.zeros_like(p.value) for p in self.params]
        self._gavg = [np.zeros_like(p.value) for p in self.params]
        self._buf = [np.zeros_like(p.value) for p in self.params]
        self._validate()

    def _validate(self) -> None:
        super()._validate()
        self.alpha = _check("alpha", self.alpha, 0.0, 1.0 + 1e-12)
        self.eps = _check("eps", self.eps)
        self.momentum = _check("momentum", self.momentum, 0.0, 1.0)

    def _update(self, i, p, g):
        a = self.alpha
        sq, avg = self._sq[i], self._tmp[i]
        # v = alpha v + (1 - alpha) g^2
        np.multiply(g, g, out=avg)
        axpby(1.0 - a, avg, a, sq)
        if self.centered:
            # gbar = alpha gbar + (1 - alpha) g ;  avg = sqrt(v - gbar^2) + eps
            gavg = self._gavg[i]
            axpby(1.0 - a, g, a, gavg)
            np.multiply(gavg, gavg, out=avg)
            np.subtract(sq, avg, out=avg)
            np.sqrt(avg, out=avg)
        else:
            np.sqrt(sq, out=avg)
        avg += self.eps
        if self.momentum > 0:
            # buf = momentum buf + g / avg ;  value -= lr buf
            buf = self._buf[i]
            np.divide(g, avg, out=avg)
            axpby(1.0, avg, self.momentum, buf)
            axpy(-self.lr, buf, p.value)
        else:
            # value -= lr g / avg
            np.divide(g, avg, out=avg)
            axpy(-self.lr, avg, p.value)


class Adagrad(Optimizer):
    """``torch.optim.Adagrad``: ``clr = lr / (1 + (t - 1) lr_decay)``, ``sum += g^2``."""

    name = "adagrad"

    def __init__(self, params, lr=0.01, lr_decay=0.0, eps=1e-10, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        self.lr_decay, self.eps = lr_decay, eps
        self._sum = [np.zeros_like(p.value) for p in self.params]
        self._validate()

    def _validate(self) -> None:
        super()._validate()
        self.lr_decay = _check("lr_decay", self.lr_decay)
        self.eps = _check("eps", self.eps)

    def _update(self, i, p, g):
        clr = self.lr / (1.0 + (self.step_count - 1) * self.lr_decay)
        s, std = self._sum[i], self._tmp[i]
        # sum += g^2 ;  value -= clr g / (sqrt(sum) + eps)
        np.multiply(g, g, out=std)
        s += std
        np.sqrt(s, out=std)
        std += self.eps
        np.divide(g, std, out=std)
        axpy(-clr, std, p.value)


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "rmsprop": RMSprop,
    "adagrad": Adagrad,
    "adam": Adam,
}


def clip_grad_norm(params: Iterable[Param], max_norm: float) -> float:
    """Scale all gradients so their joint L2 norm is at most ``max_norm``, in place.

    As ``torch.nn.utils.clip_grad_norm_``: ``coef = min(max_norm / (total + 1e-6), 1)``.
    A non-finite total is returned without touching the gradients (the trainer reports it).

    Returns
    -------
    float
        The total norm before clipping.
    """
    max_norm = _check("max_norm", max_norm)
    params = list(params)
    total = math.sqrt(sum(float(np.vdot(p.grad, p.grad)) for p in params))
    if not math.isfinite(total):
        return total
    coef = max_norm / (total + 1e-6)
    if coef < 1.0:
        for p in params:
            p.grad *= coef
    return total
