"""Sound-class data sets: shapes, labels, split, normalisation and a learning test."""

from __future__ import annotations

import json

import numpy as np
import pytest

from visualnn.audio.clips import ClipStore
from visualnn.data.audio_sets import (
    DEMO_CLASSES,
    SOUND_TRAIN_CONFIG,
    SoundFeatures,
    dataset_from_clip_store,
    normalise,
    sound_cnn_spec,
    synthetic_clip,
    synthetic_sound_classes,
)
from visualnn.engine import Sequential, SpecError, TrainConfig, Trainer, validate_spec


def _tone(freq, seconds=1.0, sr=48000, amp=0.3):
    t = np.arange(int(seconds * sr)) / sr
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_features_patch_shape_and_peak_band():
    f = SoundFeatures()
    assert f.shape == (1, 40, 101)
    # Any rate and length in: a 48 kHz, 1.3 s tone is resampled and cut to the last second.
    p = f.patch(_tone(2000, 1.3), 48000)
    assert p.shape == f.shape and p.dtype == np.float32
    from visualnn.audio.features import mel_frequencies

    centres = mel_frequencies(f.n_mels + 2, f.fmin, f.samplerate / 2)[1:-1]
    assert abs(centres[int(p[0].mean(axis=1).argmax())] - 2000) < 250
    # A short clip is zero-padded in front, so its sound sits at the end of the patch.
    short = f.patch(_tone(2000, 0.3, 16000), 16000)[0]
    assert short[:, :50].max() < short[:, -20:].max() - 40


def test_dataset_from_clip_store(tmp_path):
    store = ClipStore(tmp_path / "sounds")
    rng = np.random.default_rng(0)
    for i in range(5):
        store.add(_tone(300 + 10 * i), 48000, "low")
        store.add(_tone(3000 + 10 * i), 48000, "high")
        store.add(rng.normal(0, 0.001, 16000).astype(np.float32), 16000, "quiet")
    ds = dataset_from_clip_store(ClipStore(tmp_path / "sounds"), seed=3)
    assert ds.class_names == ("low", "high", "quiet")
    assert ds.num_classes == 3 and ds.input_shape == (1, 40, 101)
    assert ds.x_train.shape == (12, 1, 40, 101) and ds.x_test.shape == (3, 1, 40, 101)
    assert ds.y_train.dtype == np.int64
    # Stratified: every class on both sides.
    assert sorted(np.bincount(ds.y_train)) == [4, 4, 4] and sorted(ds.y_test) == [0, 1, 2]
    # Normalised with training statistics, stored JSON-able for live inference.
    json.dumps(ds.params)
    assert abs(float(ds.x_train.mean())) < 0.1
    f = SoundFeatures(**ds.params["features"])
    again = normalise(f.patch(*store.load(store.clips[0])), ds.params["norm"])
    assert any(np.allclose(again, x, atol=1e-4) for x in np.concatenate([ds.x_train, ds.x_test]))
    # Same seed, same split.
    ds2 = dataset_from_clip_store(store, seed=3)
    assert np.array_equal(ds.y_train, ds2.y_train) and np.allclose(ds.x_test, ds2.x_test)


def test_dataset_refuses_too_little(tmp_path):
    store = ClipStore(tmp_path)
    store.add(_tone(300), 48000, "only")
    store.add(_tone(300), 48000, "only")
    with pytest.raises(SpecError, match="two sound classes"):
        dataset_from_clip_store(store)
    store.add(_tone(900), 48000, "other")
    with pytest.raises(SpecError, match="other"):
        dataset_from_clip_store(store)


def test_synthetic_clips_are_what_they_say():
    rng = np.random.default_rng(1)
    f = SoundFeatures()
    whistle = f.patch(synthetic_clip("whistle", rng), 16000)[0].max(axis=1)
    hum = f.patch(synthetic_clip("hum", rng), 16000)[0].max(axis=1)
    silence = synthetic_clip("silence", rng)
    assert whistle.argmax() > 18 and hum.argmax() < 10
    assert np.sqrt(np.mean(silence**2)) < 0.003
    with pytest.raises(SpecError):
        synthetic_clip("bark", rng)


def test_sound_cnn_spec_fits_shapes():
    shapes = validate_spec(sound_cnn_spec((1, 40, 101), 3), (1, 40, 101))
    assert shapes[-1].out_shape == (3,)
    assert validate_spec(sound_cnn_spec((1, 8, 6), 2), (1, 8, 6))[-1].out_shape == (2,)
    with pytest.raises(SpecError):
        sound_cnn_spec(n_classes=1)


def test_sound_cnn_learns_demo_sounds():
    ds = synthetic_sound_classes(seed=0)
    assert ds.class_names == DEMO_CLASSES
    model = Sequential.from_spec(sound_cnn_spec(ds.input_shape, 4), ds.input_shape, seed=0)
    trainer = Trainer(model, (ds.x_train, ds.y_train), None, TrainConfig(**SOUND_TRAIN_CONFIG))
    trainer.run()
    acc = float(np.mean(model.predict(ds.x_test).argmax(axis=1) == ds.y_test))
    assert acc >= 0.9, acc


def test_patch_is_nearly_rate_independent():
    """48 kHz audio analysed directly matches the same sound at 16 kHz (no resampling)."""
    f = SoundFeatures()
    for freq in (300, 2000, 6000):
        a = f.patch(_tone(freq, sr=48000), 48000)[0]
        b = f.patch(_tone(freq, sr=16000), 16000)[0]
        peak = b.mean(axis=1).argmax()
        assert a.mean(axis=1).argmax() == peak
        assert abs(a[peak].mean() - b[peak].mean()) < 1.0
    # White noise of equal power *density* (3x the variance over a 3x wider band) looks the
    # same in the bands below 8 kHz, as it would after a low-pass resampler.
    noise48 = np.random.default_rng(0).normal(0, 0.05 * np.sqrt(3), 48000).astype(np.float32)
    noise16 = np.random.default_rng(1).normal(0, 0.05, 16000).astype(np.float32)
    diff = f.patch(noise48, 48000)[0].mean(axis=1) - f.patch(noise16, 16000)[0].mean(axis=1)
    assert np.abs(diff[2:]).max() < 1.5  # the lowest bands hold only a bin or two
