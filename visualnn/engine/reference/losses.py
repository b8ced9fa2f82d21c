"""Losses as torch defines them (mean reduction): each returns ``(value, dL/dpred)``."""

from __future__ import annotations

import numpy as np


def mse(pred, target):
    """``mean((pred - target)^2)``; gradient ``2 (pred - target) / size``."""
    diff = pred - target
    return float(np.mean(diff**2)), 2 * diff / diff.size


def l1(pred, target):
    """``mean(|pred - target|)``; gradient ``sign(pred - target) / size`` (0 at equality)."""
    diff = pred - target
    return float(np.mean(np.abs(diff))), np.sign(diff) / diff.size


def bce(p, target):
    """Binary cross-entropy on probabilities, torch's ``BCELoss``.

    ``-mean(t log p + (1 - t) log(1 - p))`` with each log clamped at -100; the gradient is
    ``(p - t) / (p (1 - p)) / size`` with the denominator kept above 1e-12.
    """
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), -100.0)
        log_q = np.maximum(np.log(1 - p), -100.0)
    value = -np.mean(target * log_p + (1 - target) * log_q)
    grad = (p - target) / np.maximum(p * (1 - p), 1e-12) / p.size
    return float(value), grad


def cross_entropy(logits, labels):
    """Softmax cross-entropy on logits ``(m, C)`` with integer labels ``(m,)``.

    ``-mean_i log softmax(logits_i)[label_i]``; gradient ``(softmax - onehot) / m``.
    """
    m, c = logits.shape
    value = 0.0
    grad = np.zeros((m, c))
    for i in range(m):
        z = logits[i] - logits[i].max()  # shift for a finite exp; cancels in the softmax
        log_sum = np.log(np.sum(np.exp(z)))
        value += log_sum - z[labels[i]]
        grad[i] = np.exp(z - log_sum)
        grad[i, labels[i]] -= 1
    return value / m, grad / m


LOSSES = {"mse": mse, "l1": l1, "bce": bce, "cross_entropy": cross_entropy}
