"""One update step of each optimizer, torch's formulas (the "Algorithm" boxes of its docs).

Each ``*_step(param, grad, state, ...)`` returns the new parameter and updates ``state`` (a
dict, empty before the first step) in place. ``weight_decay`` adds ``wd * param`` to the
gradient first, as torch's (coupled) weight decay does.
"""

from __future__ import annotations

import math

import numpy as np


def sgd_step(param, grad, state, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    """SGD with momentum: ``buf = momentum buf + (1 - dampening) g`` (``buf = g`` at first);
    the step follows ``buf``, or ``g + momentum buf`` with Nesterov."""
    g = grad + weight_decay * param
    if momentum:
        buf = state.get("buf")
        buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
        state["buf"] = buf
        g = g + momentum * buf if nesterov else buf
    return param - lr * g


def rmsprop_step(param, grad, state, lr=0.01, alpha=0.99, eps=1e-8, momentum=0.0,
                 centered=False, weight_decay=0.0):  # fmt: skip
    """RMSprop: ``v = alpha v + (1 - alpha) g^2``, step ``lr g / (sqrt(v) + eps)``.

    Centered: ``sqrt(v - gbar^2)`` with ``gbar`` the running mean of ``g``. With momentum the
    step follows ``buf = momentum buf + g / (sqrt(v) + eps)``.
    """
    g = grad + weight_decay * param
    v = alpha * state.get("v", 0.0) + (1 - alpha) * g * g
    state["v"] = v
    if centered:
        gbar = alpha * state.get("gbar", 0.0) + (1 - alpha) * g
        state["gbar"] = gbar
        avg = np.sqrt(v - gbar * gbar) + eps
    else:
        avg = np.sqrt(v) + eps
    if momentum > 0:
        buf = momentum * state.get("buf", 0.0) + g / avg
        state["buf"] = buf
        return param - lr * buf
    return param - lr * g / avg


def adagrad_step(param, grad, state, lr=0.01, lr_decay=0.0, eps=1e-10, weight_decay=0.0):
    """Adagrad: ``sum += g^2``, step ``clr g / (sqrt(sum) + eps)``,
    ``clr = lr / (1 + (t - 1) lr_decay)`` at step ``t`` (1, 2, ...)."""
    t = state["t"] = state.get("t", 0) + 1
    g = grad + weight_decay * param
    clr = lr / (1 + (t - 1) * lr_decay)
    s = state["sum"] = state.get("sum", 0.0) + g * g
    return param - clr * g / (np.sqrt(s) + eps)


def adam_step(param, grad, state, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
              amsgrad=False):  # fmt: skip
    """Adam: moving averages ``m`` of ``g`` and ``v`` of ``g^2``, bias-corrected::

        m = b1 m + (1 - b1) g ;  v = b2 v + (1 - b2) g^2
        param -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)

    AMSGrad uses the largest ``v`` seen so far instead of ``v``.
    """
    b1, b2 = betas
    t = state["t"] = state.get("t", 0) + 1
    g = grad + weight_decay * param
    m = state["m"] = b1 * state.get("m", 0.0) + (1 - b1) * g
    v = state["v"] = b2 * state.get("v", 0.0) + (1 - b2) * g * g
    if amsgrad:
        v = state["vmax"] = np.maximum(state.get("vmax", 0.0), v)
    denom = np.sqrt(v) / math.sqrt(1 - b2**t) + eps
    return param - lr / (1 - b1**t) * m / denom


def clip_grad_norm(grads, max_norm):
    """Scale all gradients so their joint L2 norm is at most ``max_norm`` (torch's rule:
    ``coef = max_norm / (total + 1e-6)``, applied when below 1); returns the new list and
    the total norm before clipping."""
    total = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
    coef = max_norm / (total + 1e-6)
    return [g * coef if coef < 1 else g for g in grads], total


OPTIMIZERS = {"sgd": sgd_step, "rmsprop": rmsprop_step, "adagrad": adagrad_step, "adam": adam_step}
