"""Training as a generator: one report per batch and per epoch, no threads, no callbacks.

The caller (the CLI, a test, the GUI's worker thread) drives ``Trainer.steps()`` and may
change ``trainer.config.lr``, ``batch_size`` or the optimizer between two ``next()`` calls.
Epochs and batches are numbered from 1 in every report and message.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

import numpy as np

from .augment import augment_batch
from .errors import SpecError
from .geometry import shape_text
from .losses import LOSSES
from .optim import OPTIMIZERS, clip_grad_norm
from .sequential import Sequential
from .train_config import BatchReport, DivergedReport, EpochReport, TrainConfig

__all__ = ["BatchReport", "DivergedReport", "EpochReport", "TrainConfig", "Trainer"]


class Trainer:
    """Mini-batch training of a ``Sequential`` on arrays, as a generator of reports.

    Parameters
    ----------
    model : Sequential
        Trained in place.
    train : (x, y)
        x ``(N, *model.input_shape)``; y int labels ``(N,)`` for cross-entropy, targets
        shaped like the output (or ``(N,)`` for one output) for mse/l1/bce.
    val : (x, y) or None
        Evaluated after every epoch.
    config : TrainConfig
    task : str
        "classification" (accuracy is reported) or "regression".
    gain_units : (bands,) float array or None
        For ``augment``'s ``gain_db``: the normalised units one dB of loudness adds to each
        band of the inputs (a sound data set's ``gain_units()``); None: the inputs have no
        loudness to change.
    """

    def __init__(
        self,
        model: Sequential,
        train: tuple[np.ndarray, np.ndarray],
        val: tuple[np.ndarray, np.ndarray] | None = None,
        config: TrainConfig | None = None,
        task: str = "classification",
        gain_units: np.ndarray | None = None,
    ) -> None:
        self.model = model
        self.config = config if config is not None else TrainConfig()
        self.config.check()
        if task not in ("classification", "regression"):
            raise SpecError(f"task must be 'classification' or 'regression', got '{task}'")
        self.task = task
        self.x, self.y = self._check_data(train, "the training data")
        self.gain_units = self._check_gain_units(gain_units)
        if val is None and self.config.val_split > 0:
            k = int(len(self.x) * self.config.val_split)
            order = np.random.default_rng(self.config.seed).permutation(len(self.x))
            val = (self.x[order[:k]], self.y[order[:k]])
            self.x, self.y = self.x[order[k:]], self.y[order[k:]]
        self.val = None if val is None else self._check_data(val, "the validation data")
        self.loss_fn = LOSSES[self.config.loss]()
        # Softmax + cross-entropy: train on the softmax's input with the fused gradient.
        self.fused = self.config.loss == "cross_entropy" and model.ends_in_softmax()
        model.loss = self.config.loss
        self.rng = np.random.default_rng(self.config.seed)
        self.params = model.parameters()
        # A rolling copy of the weights before each step (one memcpy of the parameters,
        # measured at a few per cent of a step), restored when the run diverges.
        self.keep_last_good = True
        self._backup = [p.value.copy() for p in self.params]
        #: The share of ``config.lr`` the schedule gives the current batch (``lr_scale``).
        self.lr_scale = 1.0
        self.optimizer = None
        self.set_optimizer(self.config.optimizer)
        self.history: list[dict[str, Any]] = []
        #: Keep every epoch report in ``history`` (the command line saves it). A caller that
        #: records the reports itself (the window's trainer process, which may run for hours)
        #: turns it off so memory does not grow with the epochs.
        self.keep_history = True
        self.epoch = 0
        self.step = 0
        self.samples_seen = 0
        #: Indices into the training arrays of the batch last trained (slow motion shows them).
        self.last_batch: np.ndarray = np.zeros(0, np.int64)

    # --- set-up -------------------------------------------------------------------------
    def _check_data(self, data: Any, what: str) -> tuple[np.ndarray, np.ndarray]:
        try:
            x, y = data
        except (TypeError, ValueError):
            raise SpecError(f"{what} must be a pair (x, y)") from None
        x = self.model.check_input(x, f"the inputs of {what}")
        y = np.asarray(y)
        if len(y) != len(x):
            raise SpecError(f"{what} has {len(x)} inputs but {len(y)} targets; they must match")
        if y.dtype.kind not in "fiub":
            raise SpecError(f"the targets of {what} must be numbers, not {y.dtype}")
        if not np.isfinite(y).all():
            raise SpecError(f"the targets of {what} contain NaN or infinite values")
        out = self.model.output_shape
        if self.config.loss == "cross_entropy":
            if y.ndim != 1 or (y.dtype.kind == "f" and np.any(y != np.round(y))):
                raise SpecError(f"cross-entropy needs one whole class label per sample in {what}")
            y = y.astype(np.int64)
            if len(out) != 1 or out[0] < 2:
                raise SpecError(
                    f"cross-entropy needs the last layer to output one score per class, but "
                    f"it outputs {shape_text(out)}"
                )
            if y.min() < 0 or y.max() >= out[0]:
                raise SpecError(
                    f"{what} has label {int(y.max() if y.max() >= out[0] else y.min())}, but "
                    f"the last layer has {out[0]} units (labels 0 to {out[0] - 1})"
                )
        else:
            k = out[0] if len(out) == 1 else 0
            labels = y.ndim == 1 and k > 1 and np.all(y == np.round(y))
            if self.task == "classification" and labels and 0 <= y.min() and y.max() < k:
                # Class labels with mse/l1/bce on k outputs: train on one-hot targets.
                y = np.eye(k, dtype=np.float32)[y.astype(np.int64)]
            if y.size != len(y) * int(np.prod(out)):
                raise SpecError(
                    f"the targets of {what} have {y.size // max(len(y), 1)} value(s) per "
                    f"sample, but the network outputs {shape_text(out)}"
                )
            y = y.reshape(len(y), *out).astype(np.float32)
        return x, y

    def _check_gain_units(self, units: Any) -> np.ndarray | None:
        if units is None:
            return None
        units = np.asarray(units, np.float32)
        bands = self.x.shape[-2] if self.x.ndim >= 3 else None
        if units.shape != (bands,) or not np.isfinite(units).all():
            raise SpecError(f"gain_units must be one finite number per band ({bands}), got "
                            f"shape {units.shape}")  # fmt: skip
        return units

    def set_optimizer(self, name: str, **kw: Any) -> None:
        """Switch optimizer (fresh state); ``kw`` sets any of lr, momentum, weight_decay,
        nesterov and betas in ``config`` first."""
        if name not in OPTIMIZERS:
            raise SpecError(f"unknown optimizer '{name}'; known: {', '.join(OPTIMIZERS)}")
        for key in ("lr", "momentum", "weight_decay", "nesterov", "betas"):
            if key in kw:
                value = kw.pop(key)
                setattr(self.config, key, tuple(value) if key == "betas" else value)
        if kw:
            raise SpecError(f"unknown optimizer setting(s) {', '.join(sorted(kw))}")
        self.config.optimizer = name
        self.config.check()
        args = {"lr": self.config.lr, "weight_decay": self.config.weight_decay}
        self.optimizer = OPTIMIZERS[name](self.params, **args, **self.config.optimizer_kwargs())

    def _apply_live_settings(self) -> None:
        """Hand ``config`` changes made between two ``next()`` calls to the optimizer.

        Plain attributes apply from the next step and keep the optimizer's state (momentum
        buffers, Adam's moments), as changing a param group's value in torch does.
        """
        if self.config.optimizer != getattr(self.optimizer, "name", None):
            self.set_optimizer(self.config.optimizer)  # assigned directly: fresh state
        opt, cfg = self.optimizer, self.config
        opt.lr = cfg.lr * self.lr_scale
        opt.weight_decay = cfg.weight_decay
        for key, value in cfg.optimizer_kwargs().items():
            setattr(opt, key, value)

    # --- one step -----------------------------------------------------------------------
    def _loss_and_grad(self, out: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        if self.fused:
            return self.loss_fn.forward_softmax(out, y), self.loss_fn.backward()
        return self.loss_fn.forward(out, y), self.loss_fn.backward()

    def _backward(self, grad: np.ndarray) -> None:
        model = self.model
        if not self.fused:
            model.backward(grad)
            return
        last = model.layers[-1]
        if last.config().get("type") == "softmax":
            model.backward(grad, start=len(model.layers) - 2)
            return
        # activation="softmax" shorthand: back-propagate from the pre-activation.
        act, last.act = last.act, None
        try:
            model.backward(grad)
        finally:
            last.act = act

    def _grad_norm(self) -> float:
        if self.config.clip_norm is not None:
            return float(clip_grad_norm(self.params, self.config.clip_norm))
        total = 0.0
        for p in self.params:
            g = p.grad.reshape(-1)
            total += float(np.dot(g, g))
        return float(np.sqrt(total))

    def _train_batch(self, xb: np.ndarray, yb: np.ndarray) -> tuple[float, float, int]:
        """Forward, backward, step; returns ``(loss, grad_norm, correct)``."""
        self.model.zero_grad(fill=False)  # backward overwrites the gradients
        # Overflow on the way to a divergence is expected and reported in words instead.
        with np.errstate(over="ignore", invalid="ignore"):
            out = self.model.forward(xb, training=True, check=False)
            correct = self._correct(out, yb)  # now: the output is a scratch buffer
            loss, grad = self._loss_and_grad(out, yb)
            if not np.isfinite(loss):
                self.model.zero_grad()  # no backward ran: show zeros, not the last gradient
                return loss, float("nan"), correct
            self._backward(grad)
            norm = self._grad_norm()
            if np.isfinite(norm):
                if self.keep_last_good:
                    # These weights gave a finite loss and gradient: the ones to fall back to.
                    for b, p in zip(self._backup, self.params, strict=True):
                        np.copyto(b, p.value)
                self._apply_live_settings()
                self.optimizer.step()
        return loss, norm, correct

    def _correct(self, out: np.ndarray, y: np.ndarray) -> int:
        if self.task != "classification":
            return 0
        if self.config.loss == "cross_entropy":
            return int(np.count_nonzero(np.argmax(out, axis=1) == y))
        # One output unit (sigmoid + bce, or a regression net used as a classifier).
        if out.shape[1:] == (1,):
            return int(np.count_nonzero((out[:, 0] > 0.5) == (y[:, 0] > 0.5)))
        return int(np.count_nonzero(np.argmax(out, axis=1) == np.argmax(y, axis=1)))

    def _diverged(self, epoch: int, batch: int, loss: float, norm: float) -> DivergedReport:
        if not np.isfinite(loss) or not all(np.isfinite(p.value).all() for p in self.params):
            # These weights broke the forward pass: go back to the ones before the last step.
            # (With only the gradient non-finite, the current weights are the last good ones.)
            for b, p in zip(self._backup, self.params, strict=True):
                np.copyto(p.value, b)
        what, value = ("loss", loss) if not np.isfinite(loss) else ("gradient norm", norm)
        lr = self.config.lr
        msg = (
            f"the {what} became {value} at epoch {epoch}, batch {batch}; the last good weights "
            f"were restored. Try a learning rate 10x smaller ({lr:g} \u2192 {lr / 10:g})"
            + (" or gradient clipping." if self.config.clip_norm is None else ".")
        )
        return DivergedReport(epoch, batch, self.step, float(value), msg)

    # --- the generator ------------------------------------------------------------------
    def steps(self) -> Iterator[BatchReport | EpochReport | DivergedReport]:
        """Train until ``config.epochs`` epochs are done, yielding after every batch/epoch.

        Yields ``BatchReport`` per batch and ``EpochReport`` per epoch; on a non-finite loss
        or gradient, a ``DivergedReport`` and then it stops, with the last good weights
        restored. Calling ``steps()`` again continues from the current epoch.
        """
        n = len(self.x)
        while self.epoch < self.config.epochs:
            epoch = self.epoch + 1
            bs = int(self.config.batch_size)  # batch size changes apply from the next epoch
            order = self.rng.permutation(n) if self.config.shuffle else np.arange(n)
            batches = (n + bs - 1) // bs
            t0 = time.perf_counter()
            loss_sum, correct, seen = 0.0, 0, 0
            for b in range(batches):
                idx = order[b * bs : (b + 1) * bs]
                self.last_batch = idx
                xb, yb = self.x[idx], self.y[idx]
                progress = (epoch - 1 + b / batches) / self.config.epochs
                self.lr_scale = self.config.lr_scale(progress)
                if self.config.augment and xb.ndim >= 3:  # (bands, time) inputs only
                    xb = augment_batch(xb, self.rng, **self.config.augment,
                                       gain_units=self.gain_units)  # fmt: skip
                loss, norm, c = self._train_batch(xb, yb)
                self.step += 1
                if not (np.isfinite(loss) and np.isfinite(norm)):
                    yield self._diverged(epoch, b + 1, loss, norm)
                    return
                self.samples_seen += len(idx)
                loss_sum += loss * len(idx)
                correct += c
                seen += len(idx)
                yield BatchReport(
                    epoch, b + 1, batches, float(loss), norm, self.samples_seen, self.optimizer.lr
                )
            train_seconds = time.perf_counter() - t0
            val_loss, val_acc = self.evaluate(*self.val) if self.val is not None else (None, None)
            classify = self.task == "classification"
            report = EpochReport(
                epoch=epoch,
                train_loss=loss_sum / seen,
                train_acc=correct / seen if classify else None,
                val_loss=val_loss,
                val_acc=val_acc,
                samples_seen=self.samples_seen,
                seconds=time.perf_counter() - t0,
                samples_per_second=seen / max(train_seconds, 1e-9),
            )
            self.epoch = epoch
            if self.keep_history:
                self.history.append(asdict(report))
            yield report

    def run(self) -> list[dict[str, Any]]:
        """Train to the end, ignoring batch reports; returns ``history``."""
        for _ in self.steps():
            pass
        return self.history

    def evaluate(
        self, x: np.ndarray, y: np.ndarray, batch_size: int = 1024
    ) -> tuple[float, float | None]:
        """Mean loss and accuracy (None for regression) on ``x``, ``y`` in evaluation mode."""
        x, y = self._check_data((x, y), "the evaluation data")
        loss_fn = LOSSES[self.config.loss]()
        loss_sum, correct = 0.0, 0
        for i in range(0, len(x), batch_size):
            xb, yb = x[i : i + batch_size], y[i : i + batch_size]
            out = self.model.forward(xb, training=False, check=False)
            if self.fused:
                loss = loss_fn.forward_softmax(out, yb)
            else:
                loss = loss_fn.forward(out, yb)
            loss_sum += loss * len(xb)
            correct += self._correct(out, yb)
        acc = correct / len(x) if self.task == "classification" else None
        return loss_sum / len(x), acc
