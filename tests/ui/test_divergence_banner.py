"""The short divergence banner is read from the engine's real message (their wording is
coupled: this fails if either side changes it)."""

import numpy as np

from visualnn.engine import DivergedReport, Sequential, TrainConfig, Trainer
from visualnn.ui.panels.training_controls import short_divergence
from visualnn.ui.training_control import divergence_text


def test_a_real_divergence_gets_the_short_banner():
    rng = np.random.default_rng(0)
    x = rng.random((64, 2), dtype=np.float32)
    y = x.sum(axis=1, keepdims=True)
    model = Sequential.from_spec([{"type": "dense", "units": 5}, {"type": "dense", "units": 1}],
                                 (2,), seed=0)  # fmt: skip
    config = TrainConfig(lr=1e6, loss="mse", batch_size=8, epochs=5)
    reports = list(Trainer(model, train=(x, y), config=config, task="regression").steps())
    report = reports[-1]
    assert isinstance(report, DivergedReport)
    short = short_divergence(divergence_text(report.message))
    assert short is not None, divergence_text(report.message)
    headline, advice = short
    assert f"epoch {report.epoch}, batch {report.batch}" in headline and "loss" in headline
    assert "learning rate 100000" in advice


def test_other_messages_are_shown_whole():
    assert short_divergence("Training stopped: out of memory") is None
