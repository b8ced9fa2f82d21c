"""Is training learning? A loss that explodes to NaN stops the run (the engine restores the
last good weights); this catches the quieter failures a class would otherwise stare at: a
learning rate of 1e3 that keeps "training" at a loss far above where it started, or a loss
that climbs epoch after epoch.
"""

from __future__ import annotations

import itertools
import math

#: Epochs a pattern must last before it is called (a noisy epoch or two is normal).
PATIENCE = 5
#: "Far above its start": this many times the first epoch's loss.
FAR_ABOVE = 3.0


def learning_trouble(rows: list[dict], config) -> tuple[int, str] | None:
    """``(epoch where it began, what to say)`` when training is not learning, else None.

    Parameters
    ----------
    rows : list of dict
        Epoch reports in order, each with ``epoch`` and ``train_loss``.
    config : TrainConfig
        For the advice (the learning rate now).
    """
    # Called every frame while training: read the first finite loss and the last few from
    # the ends of the history, never the whole of it.
    tail = list(itertools.islice(_finite(reversed(rows)), PATIENCE + 1))[::-1]
    if len(tail) < PATIENCE + 1:
        return None
    start = next(_finite(rows))[1]
    recent = tail[-PATIENCE:]
    lr = float(config.lr)
    advice = f"Try a learning rate 10x smaller ({lr:g} \u2192 {lr / 10:g})"
    if all(v > FAR_ABOVE * max(start, 1e-12) for _, v in recent):
        return recent[0][0], (
            f"<b>Not learning.</b> For {PATIENCE} epochs the loss has stayed far above where "
            f"it started ({recent[-1][1]:.3g} against {start:.3g}): the steps are too big and "
            f"overshoot. {advice}, or press Reset."
        )
    values = [v for _, v in tail]
    if all(b > a for a, b in zip(values, values[1:], strict=False)) and values[-1] > start:
        return recent[0][0], (
            f"<b>Not learning.</b> The loss has risen for {PATIENCE} epochs in a row "
            f"({values[0]:.3g} \u2192 {values[-1]:.3g}). {advice}."
        )
    return None


def _finite(rows):
    """``(epoch, train_loss)`` of the rows with a finite training loss, in ``rows``' order."""
    for r in rows:
        loss = r.get("train_loss")
        if loss is not None and math.isfinite(loss):
            yield int(r["epoch"]), float(loss)
