"""Loss functions with torch's formulas and mean reduction: ``forward`` then ``backward``."""

from __future__ import annotations

import numpy as np

from .errors import SpecError
from .geometry import shape_text

# torch clamps log(p) at -100 in BCELoss so a saturated prediction gives a big, finite loss.
LOG_CLAMP = -100.0


def _as_float(pred: np.ndarray) -> np.ndarray:
    pred = np.asarray(pred)
    return pred if pred.dtype.kind == "f" else pred.astype(np.float64)


def _matching_target(name: str, pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """``target`` with ``pred``'s shape and dtype; a (N,) target fits a (N, 1) output."""
    target = np.asarray(target)
    if target.shape != pred.shape:
        if target.size != pred.size:
            raise SpecError(
                f"{name}: the targets have shape {shape_text(target.shape)} but the network "
                f"output has shape {shape_text(pred.shape)}; they must match"
            )
        target = target.reshape(pred.shape)
    if target.dtype.kind not in "fiub":
        raise SpecError(f"{name}: targets must be numbers, not {target.dtype}")
    target = target.astype(pred.dtype, copy=False)
    if not np.all(np.isfinite(target)):
        raise SpecError(f"{name}: the targets contain NaN or infinite values")
    return target


class Loss:
    """Base: ``forward(pred, target) -> float`` keeps what ``backward() -> dpred`` needs."""

    name = "loss"
    #: True when targets are integer class labels rather than arrays shaped like the output.
    takes_labels = False

    def __call__(self, pred: np.ndarray, target: np.ndarray) -> float:
        return self.forward(pred, target)

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        raise NotImplementedError

    def backward(self) -> np.ndarray:
        raise NotImplementedError


class _DifferenceLoss(Loss):
    """A mean over ``pred - target`` elementwise: the subclass says what each difference costs.

    ``forward`` keeps the differences, pred and target ``(N, ...)``; ``backward`` is the
    per-element slope over the number of elements, the mean's ``1 / size``.
    """

    title = "loss"  # what the target errors call it

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        pred = _as_float(pred)
        self._diff = pred - _matching_target(self.title, pred, target)
        return float(np.mean(self._cost(self._diff)))

    def backward(self) -> np.ndarray:
        return self._slope(self._diff) * (1.0 / max(self._diff.size, 1))

    def _cost(self, diff: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _slope(self, diff: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class MSELoss(_DifferenceLoss):
    """``mean((pred - target)^2)`` over every element; pred and target ``(N, ...)``."""

    name = "mse"
    title = "MSE loss"

    def _cost(self, diff: np.ndarray) -> np.ndarray:
        return np.square(diff)

    def _slope(self, diff: np.ndarray) -> np.ndarray:
        # dL/dpred = 2 (pred - target) / size
        return 2.0 * diff


class L1Loss(_DifferenceLoss):
    """``mean(|pred - target|)``; gradient ``sign(pred - target) / size`` with sign(0) = 0."""

    name = "l1"
    title = "L1 loss"

    def _cost(self, diff: np.ndarray) -> np.ndarray:
        return np.abs(diff)

    def _slope(self, diff: np.ndarray) -> np.ndarray:
        # dL/dpred = sign(pred - target) / size
        return np.sign(diff)


class BCELoss(Loss):
    """Binary cross-entropy on probabilities, as ``torch.nn.BCELoss``.

    ``-mean(t log p + (1 - t) log(1 - p))`` with each log clamped at -100; pred and target
    ``(N, ...)``, pred in [0, 1] (put a sigmoid before it).
    """

    name = "bce"

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        p = _as_float(pred)
        t = _matching_target("BCE loss", p, target)
        if np.any(p < 0) or np.any(p > 1):
            raise SpecError(
                "BCE loss needs probabilities between 0 and 1: end the network with a sigmoid"
            )
        self._p, self._t = p, t
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), LOG_CLAMP)
            log_q = np.maximum(np.log1p(-p), LOG_CLAMP)
        return float(-np.mean(t * log_p + (1 - t) * log_q))

    def backward(self) -> np.ndarray:
        p, t = self._p, self._t
        # dL/dp = (p - t) / max(p (1 - p), 1e-12) / size   (torch's clamped form)
        denom = np.maximum(p * (1 - p), 1e-12)
        return (p - t) / denom * (1.0 / max(p.size, 1))


class CrossEntropyLoss(Loss):
    """Softmax cross-entropy on logits, as ``torch.nn.CrossEntropyLoss``.

    ``forward(logits (N, C), labels (N,) int) -> -mean(log softmax(logits)[n, label_n])``,
    computed with log-sum-exp so large logits stay finite. Targets may also be class
    probabilities of shape ``(N, C)`` (torch's soft labels). ``backward()`` returns
    ``(softmax(logits) - onehot) / N`` of shape ``(N, C)``.

    Fused path for a network that already ends in a softmax: ``forward_softmax(probs,
    labels)`` takes the probabilities instead of logits, returns ``-mean(log p[n, label_n])``
    with the log clamped at -100, and the following ``backward()`` returns the gradient with
    respect to the **logits** (the softmax's input), ``(probs - onehot) / N``: backpropagate
    it from the layer below the softmax (or through a Dense's pre-activation), skipping the
    softmax's own backward. When the logits are at hand, ``forward(logits, labels)`` is exact.
    """

    name = "cross_entropy"
    takes_labels = True

    def _labels(self, target: np.ndarray, n: int, c: int) -> np.ndarray:
        t = np.asarray(target)
        if t.ndim == 2 and t.shape[1] == 1:
            t = t[:, 0]
        if t.ndim != 1 or t.shape[0] != n:
            raise SpecError(
                f"cross-entropy needs one class label per sample: got labels of shape "
                f"{shape_text(t.shape)} for {n} samples"
            )
        if t.dtype.kind == "f":
            if not np.all(np.isfinite(t)) or np.any(t != np.round(t)):
                raise SpecError("cross-entropy labels must be whole class numbers, not NaN")
        elif t.dtype.kind not in "iub":
            raise SpecError(f"cross-entropy labels must be whole class numbers, not {t.dtype}")
        labels = t.astype(np.intp, copy=False)
        lo, hi = (int(labels.min()), int(labels.max())) if n else (0, 0)
        if lo < 0 or hi >= c:
            bad = lo if lo < 0 else hi
            raise SpecError(
                f"cross-entropy: label {bad} is out of range for {c} classes "
                f"(labels must be 0 to {c - 1}); give the last layer one unit per class"
            )
        return labels

    def _check_pred(self, pred: np.ndarray) -> np.ndarray:
        pred = _as_float(pred)
        if pred.ndim != 2:
            raise SpecError(
                "cross-entropy needs the network output as (samples, classes) scores, "
                f"but gets {shape_text(pred.shape[1:])} per sample: add a Flatten or Dense layer"
            )
        return pred

    def _soft_target(self, pred: np.ndarray, target: np.ndarray) -> np.ndarray | None:
        t = np.asarray(target)
        if t.shape == pred.shape and t.dtype.kind == "f" and pred.shape[1] > 1:
            return _matching_target("cross-entropy", pred, t)
        return None

    def forward(self, pred: np.ndarray, target: np.ndarray) -> float:
        z = self._check_pred(pred)
        n, c = z.shape
        soft = self._soft_target(z, target)
        self._soft = soft
        # This runs on a tiny (N, C) array every step, where NumPy's per-row reductions
        # cost more than the arithmetic: the row maximum is picked by argmax and the row
        # sums are a matrix-vector product, each several times faster than max/sum(axis=1).
        rows = np.arange(n)
        shifted = z - z[rows, z.argmax(axis=1)][:, None]
        e = np.exp(shifted)
        s = (e @ np.ones(c, e.dtype))[:, None]
        e /= s
        self._probs = e
        log_s = np.log(s)
        if soft is not None:
            # -sum_c t_c log p_c with log p = shifted - log s
            return float((soft * (log_s - shifted)).sum() / max(n, 1))
        self._y = self._labels(target, n, c)
        if not n:
            return 0.0
        # Only the true class's log-probability is needed: mean(log s - shifted[n, y_n]).
        picked = shifted[rows, self._y]
        return (float(log_s.sum()) - float(picked.sum())) / n

    def forward_softmax(self, probs: np.ndarray, target: np.ndarray) -> float:
        """Cross-entropy from softmax probabilities ``(N, C)``; see the class docstring."""
        p = self._check_pred(probs)
        n, c = p.shape
        self._probs = p
        self._soft = self._soft_target(p, target)
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), LOG_CLAMP)
        if self._soft is not None:
            return float(-np.sum(self._soft * log_p) / max(n, 1))
        self._y = self._labels(target, n, c)
        return float(-np.mean(log_p[np.arange(n), self._y])) if n else 0.0

    def backward(self) -> np.ndarray:
        p = self._probs
        n = max(p.shape[0], 1)
        # dL/dlogits = (softmax - onehot) / N   (soft labels: softmax * sum(t) - t)
        if self._soft is not None:
            t = self._soft
            return (p * np.sum(t, axis=1, keepdims=True) - t) * (1.0 / n)
        g = p.copy()
        g[np.arange(p.shape[0]), self._y] -= 1
        g *= 1.0 / n
        return g


#: Every loss by its ``name`` (a TrainConfig's ``loss``), each name written once, in its class.
LOSSES: dict[str, type[Loss]] = {
    loss.name: loss for loss in (MSELoss, L1Loss, BCELoss, CrossEntropyLoss)
}
