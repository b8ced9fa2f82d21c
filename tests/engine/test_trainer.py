"""Trainer: reports, fused softmax + cross-entropy, divergence, live changes, bad data."""

import numpy as np
import pytest

from visualnn.engine import (
    BatchReport,
    DivergedReport,
    EpochReport,
    Sequential,
    SpecError,
    TrainConfig,
    Trainer,
)


def blobs(n=60, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    x = rng.normal(size=(n, 2)).astype(np.float32) * 0.3 + np.eye(3, 2)[y].astype(np.float32)
    return x, y


def mlp(last_activation=None, seed=0, extra=()):
    last = {"type": "dense", "units": 3}
    if last_activation:
        last["activation"] = last_activation
    spec = [{"type": "dense", "units": 6, "activation": "tanh"}, last, *extra]
    return Sequential.from_spec(spec, (2,), seed=seed)


def test_reports_and_history():
    x, y = blobs()
    cfg = TrainConfig(lr=0.1, batch_size=16, epochs=2)
    trainer = Trainer(mlp(), (x, y), (x[:10], y[:10]), cfg)
    reports = list(trainer.steps())
    batches = [r for r in reports if isinstance(r, BatchReport)]
    epochs = [r for r in reports if isinstance(r, EpochReport)]
    assert len(batches) == 8 and len(epochs) == 2
    assert batches[0].epoch == 1 and batches[0].batch == 1 and batches[0].batches_per_epoch == 4
    assert batches[3].samples_seen == 60 and batches[-1].samples_seen == 120
    assert all(b.grad_norm > 0 and np.isfinite(b.loss) for b in batches)
    e = epochs[-1]
    assert e.epoch == 2 and e.samples_seen == 120 and 0 <= e.train_acc <= 1
    assert e.val_loss is not None and 0 <= e.val_acc <= 1 and e.samples_per_second > 0
    assert trainer.history[-1]["epoch"] == 2 and len(trainer.history) == 2
    loss, acc = trainer.evaluate(x, y)
    assert np.isfinite(loss) and 0 <= acc <= 1


def test_training_learns_and_steps_can_resume():
    x, y = blobs()
    trainer = Trainer(mlp(), (x, y), config=TrainConfig(lr=0.3, batch_size=10, epochs=20))
    trainer.run()
    assert trainer.history[-1]["train_acc"] > 0.9
    trainer.config.epochs = 22
    assert [r.epoch for r in trainer.steps() if isinstance(r, EpochReport)] == [21, 22]


@pytest.mark.parametrize("how", ["shorthand", "layer"])
def test_fused_softmax_cross_entropy_equals_cross_entropy_on_logits(how):
    x, y = blobs()
    if how == "shorthand":
        fused = mlp("softmax", seed=5)
    else:
        fused = mlp(None, seed=5, extra=({"type": "softmax"},))
    logits = mlp(None, seed=5)
    np.testing.assert_array_equal(
        fused.get_weights()[0]["weight"], logits.get_weights()[0]["weight"]
    )
    cfg = dict(lr=0.5, batch_size=20, epochs=3)
    t1 = Trainer(fused, (x, y), config=TrainConfig(**cfg))
    t2 = Trainer(logits, (x, y), config=TrainConfig(**cfg))
    assert t1.fused and not t2.fused
    l1 = [r.loss for r in t1.steps() if isinstance(r, BatchReport)]
    l2 = [r.loss for r in t2.steps() if isinstance(r, BatchReport)]
    np.testing.assert_allclose(l1, l2, rtol=1e-5)
    for a, b in zip(fused.get_weights(), logits.get_weights(), strict=False):
        for k in a:
            np.testing.assert_allclose(a[k], b[k], rtol=1e-5, atol=1e-6)
    # Both predict probabilities.
    np.testing.assert_allclose(fused.predict(x), logits.predict(x), rtol=1e-5, atol=1e-6)


def test_fused_path_is_stable_with_saturated_softmax():
    x, y = blobs()
    model = mlp("softmax")
    w = model.get_weights()
    w[1]["weight"] *= 200  # probabilities of exactly 0 and 1 in float32
    model.set_weights(w)
    trainer = Trainer(model, (x, y), config=TrainConfig(lr=0.01, epochs=2))
    reports = list(trainer.steps())
    assert not any(isinstance(r, DivergedReport) for r in reports)
    assert all(np.isfinite(p.value).all() for p in model.parameters())


def test_divergence_restores_last_finite_weights():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 2)).astype(np.float32) * 10
    y = (x @ np.array([[3.0], [-2.0]], np.float32)) * 10
    model = Sequential.from_spec([{"type": "dense", "units": 1}], (2,))
    cfg = TrainConfig(lr=5.0, optimizer="sgd", loss="mse", batch_size=8, epochs=50)
    trainer = Trainer(model, (x, y), config=cfg, task="regression")
    reports = list(trainer.steps())
    last = reports[-1]
    assert isinstance(last, DivergedReport)
    assert not np.isfinite(last.value)
    assert last.step == trainer.step and last.epoch >= 1 and last.batch >= 1
    assert "learning rate 10x smaller (5 \u2192 0.5)" in last.message
    assert f"epoch {last.epoch}, batch {last.batch}" in last.message
    assert all(np.isfinite(p.value).all() for p in model.parameters())
    # The step whose loss overflowed ran no backward: its gradients read zero, not stale.
    assert "loss became inf" in last.message
    assert all(not p.grad.any() for p in model.parameters())
    # The restored weights give a finite loss.
    loss, acc = trainer.evaluate(x, y)
    assert np.isfinite(loss) and acc is None
    assert sum(isinstance(r, DivergedReport) for r in reports) == 1


def test_live_changes_between_steps():
    x, y = blobs()
    trainer = Trainer(mlp(), (x, y), config=TrainConfig(lr=0.1, batch_size=20, epochs=3))
    steps = trainer.steps()
    next(steps)
    trainer.config.lr = 0.0
    trainer.config.batch_size = 30  # from the next epoch
    before = [w["weight"].copy() for w in trainer.model.get_weights() if w]
    reports = [next(steps) for _ in range(3)]  # batches 2, 3 and the epoch report
    assert reports[0].lr == 0.0 and isinstance(reports[2], EpochReport)
    after = [w["weight"] for w in trainer.model.get_weights() if w]
    for a, b in zip(before, after, strict=True):
        np.testing.assert_array_equal(a, b)
    trainer.set_optimizer("adam", lr=0.01)
    assert trainer.config.optimizer == "adam" and trainer.optimizer.lr == 0.01
    rest = list(steps)
    assert [r.batches_per_epoch for r in rest if isinstance(r, BatchReport)][0] == 2


def test_clip_norm_reports_norm_before_clipping():
    x, y = blobs()
    trainer = Trainer(mlp(), (x, y), config=TrainConfig(lr=0.1, epochs=1, clip_norm=1e-3))
    norms = [r.grad_norm for r in trainer.steps() if isinstance(r, BatchReport)]
    assert max(norms) > 1e-3


def test_val_split_and_bce():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(100, 2)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    model = Sequential.from_spec([{"type": "dense", "units": 1, "activation": "sigmoid"}], (2,))
    cfg = TrainConfig(lr=1.0, loss="bce", epochs=15, batch_size=10, val_split=0.2)
    trainer = Trainer(model, (x, y), config=cfg)
    assert len(trainer.x) == 80 and len(trainer.val[0]) == 20
    trainer.run()
    assert trainer.history[-1]["val_acc"] > 0.85


@pytest.mark.parametrize(
    "train, match",
    [
        ((np.zeros((0, 2), np.float32), np.zeros(0, np.int64)), "empty"),
        ((np.zeros((4, 2), np.float32), np.zeros(3, np.int64)), "4 inputs but 3 targets"),
        ((np.zeros((4, 3), np.float32), np.zeros(4, np.int64)), "shape 4x3"),
        ((np.zeros((4, 2), np.float32), np.array([0, 1, 2, 3])), "label 3"),
        ((np.zeros((4, 2), np.float32), np.array([0, 1, -1, 0])), "label -1"),
        ((np.zeros((4, 2), np.float32), np.array([0.5, 1, 1, 0])), "whole class label"),
        ((np.zeros((4, 2), np.float32), np.array(["a"] * 4)), "numbers"),
        ((np.full((4, 2), np.nan, np.float32), np.zeros(4, np.int64)), "NaN"),
        ("nope", "pair"),
    ],
)
def test_bad_data_raises_spec_error(train, match):
    with pytest.raises(SpecError, match=match):
        Trainer(mlp(), train)


def test_bad_config_raises_spec_error():
    x, y = blobs()
    with pytest.raises(SpecError, match="optimizer"):
        Trainer(mlp(), (x, y), config=TrainConfig(optimizer="adamw"))
    with pytest.raises(SpecError, match="loss"):
        Trainer(mlp(), (x, y), config=TrainConfig(loss="hinge"))
    with pytest.raises(SpecError, match="batch_size"):
        Trainer(mlp(), (x, y), config=TrainConfig(batch_size=0))
    with pytest.raises(SpecError, match="unknown training setting"):
        TrainConfig.from_dict({"lr": 0.1, "learning_rate": 1})
    assert TrainConfig.from_dict(TrainConfig(lr=0.5).to_dict()).lr == 0.5


def test_mse_on_class_labels_uses_one_hot_targets():
    x, y = blobs()
    trainer = Trainer(
        mlp("sigmoid"), (x, y), config=TrainConfig(lr=0.5, loss="mse", epochs=30, batch_size=10)
    )
    assert trainer.y.shape == (60, 3) and trainer.y[np.arange(60), y].all()
    trainer.run()
    assert trainer.history[-1]["train_acc"] > 0.8


def test_non_finite_gradient_with_finite_loss_keeps_current_weights(monkeypatch):
    x, y = blobs()
    trainer = Trainer(mlp(), (x, y), config=TrainConfig(lr=0.1, batch_size=20, epochs=1))
    steps = trainer.steps()
    next(steps)
    current = trainer.model.get_weights()
    monkeypatch.setattr(trainer, "_grad_norm", lambda: float("inf"))
    report = next(steps)
    assert isinstance(report, DivergedReport) and "gradient norm became inf" in report.message
    for a, b in zip(current, trainer.model.get_weights(), strict=True):
        for k in a:
            np.testing.assert_array_equal(a[k], b[k])
    assert list(steps) == []


def test_optimizer_assigned_in_config_switches_at_the_next_step():
    x, y = blobs()
    trainer = Trainer(mlp(), (x, y), config=TrainConfig(lr=0.1, batch_size=20, epochs=1))
    steps = trainer.steps()
    next(steps)
    trainer.config.optimizer = "rmsprop"
    next(steps)
    assert type(trainer.optimizer).__name__ == "RMSprop"


def test_a_trainer_without_history_keeps_no_epoch_rows():
    """The window's trainer process runs for hours; its Trainer must not grow a list."""
    from visualnn.presets import build_preset

    model, ds, config = build_preset("xor")
    config.epochs = 5
    trainer = Trainer(model, (ds.x_train, ds.y_train), (ds.x_test, ds.y_test), config)
    trainer.keep_history = False
    reports = [r for r in trainer.steps() if type(r).__name__ == "EpochReport"]
    assert len(reports) == 5 and trainer.history == []


def test_cosine_schedule_lowers_the_lr_every_batch_to_nearly_zero():
    x, y = blobs()  # 60 samples, batch 20: 3 batches an epoch, 12 in 4 epochs
    cfg = TrainConfig(lr=0.2, batch_size=20, epochs=4, lr_schedule="cosine")
    lrs = [r.lr for r in Trainer(mlp(), (x, y), config=cfg).steps() if isinstance(r, BatchReport)]
    # torch's CosineAnnealingLR(T_max=12, eta_min=0) stepped after every batch
    want = [0.2 * (1 + np.cos(np.pi * k / 12)) / 2 for k in range(12)]
    np.testing.assert_allclose(lrs, want, rtol=1e-12)
    assert lrs[0] == 0.2 and lrs[-1] < 0.004
    constant = TrainConfig(lr=0.2, batch_size=20, epochs=4)
    lrs = [r.lr for r in Trainer(mlp(), (x, y), config=constant).steps() if hasattr(r, "lr")]
    assert lrs == [0.2] * 12


def test_cosine_schedule_follows_a_live_change_of_lr_and_epochs():
    x, y = blobs()
    cfg = TrainConfig(lr=0.2, batch_size=20, epochs=2, lr_schedule="cosine")
    trainer = Trainer(mlp(), (x, y), config=cfg)
    steps = trainer.steps()
    next(steps)
    trainer.config.lr, trainer.config.epochs = 0.1, 4  # batch 2 of 12: 1/12 of the way
    assert next(steps).lr == pytest.approx(0.1 * (1 + np.cos(np.pi / 12)) / 2)
    trainer.config.lr_schedule = "constant"
    assert next(steps).lr == 0.1


def test_unknown_lr_schedule_is_refused_in_words():
    with pytest.raises(SpecError, match="lr_schedule must be one of constant, cosine"):
        TrainConfig(lr_schedule="step").check()
    with pytest.raises(SpecError, match="lr_schedule"):
        TrainConfig.from_dict({"lr_schedule": 3})
    assert TrainConfig.from_dict({"lr": 0.1}).lr_schedule == "constant"  # older projects
