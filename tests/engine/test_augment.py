"""Augmentation of (bands, time) inputs: what moves where, what is masked, what is refused."""

import numpy as np
import pytest

from visualnn.engine import Sequential, SpecError, TrainConfig, Trainer
from visualnn.engine.augment import augment_batch, check_augment


def _batch(n=64, bands=6, frames=20, channels=None):
    rng = np.random.default_rng(0)
    shape = (n, bands, frames) if channels is None else (n, channels, bands, frames)
    return rng.normal(size=shape).astype(np.float32)


def test_nothing_asked_nothing_changed_and_the_input_is_kept():
    x = _batch()
    keep = x.copy()
    y = augment_batch(x, np.random.default_rng(1))
    assert y is not x and np.array_equal(y, x) and np.array_equal(x, keep)
    z = augment_batch(x, np.random.default_rng(1), time_shift=3, band_mask=2)
    assert z.shape == x.shape and z.dtype == np.float32 and np.array_equal(x, keep)


def test_time_shift_moves_each_clip_whole_and_fills_with_zero():
    x = _batch(channels=2)
    y = augment_batch(x, np.random.default_rng(2), time_shift=4)
    seen = set()
    for a, b in zip(x, y, strict=True):
        for s in range(-4, 5):  # exactly one shift explains the clip
            moved = np.zeros_like(a)
            if s >= 0:
                moved[..., s:] = a[..., : a.shape[-1] - s]
            else:
                moved[..., :s] = a[..., -s:]
            if np.array_equal(moved, b):
                seen.add(s)
                break
        else:
            raise AssertionError("a clip was not a shifted copy of itself")
    assert len(seen) >= 5  # drawn per clip, both ways


def test_band_shift_repeats_the_edge_band():
    x = _batch()
    y = augment_batch(x, np.random.default_rng(3), band_shift=2)
    for a, b in zip(x, y, strict=True):
        matches = [s for s in range(-2, 3)
                   if np.array_equal(b, a[np.clip(np.arange(6) - s, 0, 5)])]  # fmt: skip
        assert matches


def test_masks_zero_one_stretch_no_wider_than_asked():
    x = _batch() + 10.0  # no zeros of its own
    y = augment_batch(x, np.random.default_rng(4), time_mask=5)
    widths = []
    for b in y:
        cols = np.flatnonzero((b == 0).all(axis=0))
        assert (b == 0).sum() == cols.size * b.shape[0]  # whole frames, every band
        if cols.size:
            assert np.array_equal(cols, np.arange(cols[0], cols[0] + cols.size))  # one stretch
        widths.append(cols.size)
    assert max(widths) <= 5 and len(set(widths)) > 2
    y = augment_batch(x, np.random.default_rng(4), band_mask=2)
    assert max(int((b == 0).all(axis=1).sum()) for b in y) <= 2


def test_the_same_seed_gives_the_same_batch():
    x = _batch()
    kw = {"time_shift": 3, "band_shift": 1, "time_mask": 4, "band_mask": 2}
    a = augment_batch(x, np.random.default_rng(5), **kw)
    b = augment_batch(x, np.random.default_rng(5), **kw)
    assert np.array_equal(a, b) and not np.array_equal(a, x)


def test_gain_adds_one_loudness_per_clip_in_every_band_s_units():
    x = _batch(channels=1)
    units = np.linspace(0.05, 0.1, 6).astype(np.float32)
    y = augment_batch(x, np.random.default_rng(6), gain_db=6, gain_units=units)
    gains = (y - x)[:, 0] / units[:, None]  # (N, bands, frames) dB, one value per clip
    np.testing.assert_allclose(gains, gains[:, :1, :1] + 0 * gains, atol=1e-4)
    g = gains[:, 0, 0]
    assert np.abs(g).max() <= 6 and g.min() < -3 and g.max() > 3
    # No units (digits, one loudness per clip): the setting does nothing.
    assert np.array_equal(augment_batch(x, np.random.default_rng(6), gain_db=6), x)


def test_a_trainer_refuses_gain_units_that_do_not_fit_the_bands():
    x, y = _batch(n=8), np.zeros(8, np.int64)
    model = Sequential.from_spec([{"type": "flatten"}, {"type": "dense", "units": 2}], (6, 20))
    with pytest.raises(SpecError, match=r"one finite number per band \(6\)"):
        Trainer(model, (x, y), None, TrainConfig(), gain_units=np.ones(5))
    trainer = Trainer(model, (x, y), None, TrainConfig(epochs=2, augment={"gain_db": 3}),
                      gain_units=np.full(6, 0.1))  # fmt: skip
    assert trainer.gain_units.dtype == np.float32 and len(trainer.run()) == 2


@pytest.mark.parametrize(
    "bad, said",
    [
        ([1], "must be an object"),
        ({"pitch": 2}, "unknown augment setting 'pitch'"),
        ({"time_shift": -1}, "from 0 to 100"),
        ({"band_mask": 2.5}, "whole number"),
        ({"time_mask": True}, "whole number"),
        ({"gain_db": 31}, "from 0 to 30"),
    ],
)
def test_bad_settings_are_refused_in_words(bad, said):
    with pytest.raises(SpecError, match=said):
        check_augment(bad)
    with pytest.raises(SpecError, match=said):
        TrainConfig.from_dict({"augment": bad})


def test_a_trainer_with_augmentation_learns_and_the_setting_round_trips():
    # Two classes of "sounds": energy in the low or the high bands, anywhere in time.
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    x = rng.normal(0, 0.3, (200, 8, 16)).astype(np.float32)
    for i, label in enumerate(y):
        t = rng.integers(0, 12)
        x[i, 4 * label : 4 * label + 4, t : t + 4] += 2.0
    config = TrainConfig(optimizer="adam", lr=0.01, epochs=15, batch_size=16,
                         augment={"time_shift": 3, "time_mask": 3, "band_mask": 1})  # fmt: skip
    assert TrainConfig.from_dict(config.to_dict()).augment == config.augment
    spec = [{"type": "conv1d", "out_channels": 8, "kernel_size": 3, "activation": "relu"},
            {"type": "flatten"}, {"type": "dense", "units": 2}]  # fmt: skip
    model = Sequential.from_spec(spec, (8, 16), seed=0)
    Trainer(model, (x[:150], y[:150]), None, config).run()
    assert np.mean(model.predict(x[150:]).argmax(1) == y[150:]) >= 0.95


def test_inputs_without_a_time_axis_train_unaugmented():
    x = np.random.default_rng(0).normal(size=(32, 2)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    model = Sequential.from_spec([{"type": "dense", "units": 2}], (2,), seed=0)
    config = TrainConfig(epochs=2, augment={"time_shift": 3})
    assert len(Trainer(model, (x, y), None, config).run()) == 2
