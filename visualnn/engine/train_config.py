"""Training settings and the reports ``Trainer.steps()`` yields: plain, JSON-able data."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

from .augment import check_augment
from .errors import SpecError
from .losses import LOSSES
from .optim import OPTIMIZERS

#: Learning-rate schedules (``TrainConfig.lr_schedule``).
LR_SCHEDULES = ("constant", "cosine")


@dataclass
class TrainConfig:
    """Hyper-parameters of a run; JSON-able through ``to_dict``/``from_dict``.

    ``val_split`` (0 to 0.5) holds out that share of the training data for validation when
    no validation set is given. ``nesterov`` applies to SGD with momentum (ignored without
    momentum, where torch would refuse it) and ``betas`` to Adam, with torch's meanings.
    ``augment`` (None: off) moves each training batch's clips a little in time and pitch
    and masks stretches of them (:mod:`.augment`), e.g. ``{"time_shift": 10}``.
    ``lr_schedule`` is ``"constant"`` (``lr`` throughout) or ``"cosine"`` (``lr`` decays
    to 0 over the ``epochs``, see ``lr_scale``).
    """

    lr: float = 0.01
    optimizer: str = "sgd"
    momentum: float = 0.0
    weight_decay: float = 0.0
    batch_size: int = 32
    epochs: int = 10
    loss: str = "cross_entropy"
    seed: int = 0
    clip_norm: float | None = None
    shuffle: bool = True
    val_split: float = 0.0
    nesterov: bool = False
    betas: tuple[float, float] = (0.9, 0.999)
    augment: dict[str, int] | None = None
    lr_schedule: str = "constant"

    def lr_scale(self, progress: float) -> float:
        """The share of ``lr`` used when ``progress`` (0 to 1) of the epochs are done.

        ``"cosine"`` is torch's ``CosineAnnealingLR(T_max=epochs * batches, eta_min=0)``
        stepped after every batch: ``(1 + cos(pi * progress)) / 2``, from 1 down to 0.
        Large steps early to explore, small steps late to settle into a minimum.
        """
        if self.lr_schedule == "cosine":
            return 0.5 * (1.0 + math.cos(math.pi * min(max(progress, 0.0), 1.0)))
        return 1.0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["betas"] = list(self.betas)  # JSON has no tuples
        return d

    def optimizer_kwargs(self, name: str | None = None) -> dict[str, Any]:
        """Keyword arguments for optimizer ``name`` (default: ``optimizer``) beyond lr and
        weight decay: momentum and nesterov for SGD, momentum for RMSprop, betas for Adam."""
        name = name or self.optimizer
        if name == "sgd":
            return {"momentum": self.momentum, "nesterov": bool(self.nesterov and self.momentum)}
        if name == "rmsprop":
            return {"momentum": self.momentum}
        if name == "adam":
            return {"betas": (float(self.betas[0]), float(self.betas[1]))}
        return {}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrainConfig:
        """Build from a dict; unknown keys are refused with a ``SpecError``."""
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - names)
        if unknown:
            raise SpecError(
                f"unknown training setting(s) {', '.join(unknown)}; known: {', '.join(names)}"
            )
        d = dict(d)
        if "betas" in d and isinstance(d["betas"], list | tuple):
            d["betas"] = tuple(d["betas"])
        cfg = cls(**d)
        cfg.check()
        return cfg

    def check(self) -> None:
        """Raise ``SpecError`` for a value that cannot train."""
        if self.loss not in LOSSES:
            raise SpecError(f"unknown loss '{self.loss}'; known: {', '.join(LOSSES)}", key="loss")
        if self.optimizer not in OPTIMIZERS:
            known = ", ".join(OPTIMIZERS)
            raise SpecError(
                f"unknown optimizer '{self.optimizer}'; known: {known}", key="optimizer"
            )
        for key, lo, kind in (("lr", 0.0, int | float), ("batch_size", 1, int), ("epochs", 0, int)):
            v = getattr(self, key)
            if isinstance(v, bool) or not isinstance(v, kind) or not v >= lo:
                what = "a number" if key == "lr" else "a whole number"
                raise SpecError(f"{key} must be {what} of at least {lo}, got {v!r}", key=key)
        if self.lr_schedule not in LR_SCHEDULES:
            raise SpecError(
                f"lr_schedule must be one of {', '.join(LR_SCHEDULES)}, got {self.lr_schedule!r}",
                key="lr_schedule",
            )
        if not 0 <= self.val_split <= 0.5:
            raise SpecError(f"val_split must be between 0 and 0.5, got {self.val_split}")
        if not isinstance(self.nesterov, bool):
            raise SpecError(
                f"nesterov must be true or false, got {self.nesterov!r}", key="nesterov"
            )
        check_augment(self.augment)
        betas = self.betas
        if (
            not isinstance(betas, tuple | list)
            or len(betas) != 2
            or not all(isinstance(b, int | float) and not isinstance(b, bool) for b in betas)
            or not all(0.0 <= b < 1.0 for b in betas)
        ):
            raise SpecError(
                f"betas must be two numbers from 0 up to (not including) 1, got {betas!r}",
                key="betas",
            )


@dataclass
class BatchReport:
    """After every mini-batch: its loss (before the step), the gradient norm, the lr used.

    ``epoch`` and ``batch`` count from 1; ``samples_seen`` counts over the whole run.
    """

    epoch: int
    batch: int
    batches_per_epoch: int
    loss: float
    grad_norm: float
    samples_seen: int
    lr: float


@dataclass
class EpochReport:
    """After every epoch: mean training loss/accuracy over its batches (as trained, so with
    dropout on), validation loss/accuracy in evaluation mode (None without a validation set;
    accuracies None for regression), wall time and training throughput."""

    epoch: int
    train_loss: float
    train_acc: float | None
    val_loss: float | None
    val_acc: float | None
    samples_seen: int
    seconds: float
    samples_per_second: float


@dataclass
class DivergedReport:
    """The loss or gradient norm became ``value`` (inf or nan) at this batch; the last good
    weights are back in the model and ``message`` says what to try. The run has ended."""

    epoch: int
    batch: int
    step: int
    value: float
    message: str
