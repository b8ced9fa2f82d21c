"""Sound data sets: features per representation, folder import with bad files, the split,
the clips inside a project file."""

from __future__ import annotations

import numpy as np
import pytest

from visualnn.audio.wavio import write_wav
from visualnn.data import load_dataset
from visualnn.data.sound import (
    SoundClips,
    SoundFeatures,
    SoundTransform,
    fit_length,
    from_folder,
    synthetic_clip,
)
from visualnn.engine import SpecError
from visualnn.project import Project, dataset_fields, load_project, project_dataset, save_project


def _tone(freq, seconds=1.0, sr=16000, amp=0.3):
    t = np.arange(int(seconds * sr)) / sr
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


@pytest.mark.parametrize(
    "representation, layout, shape",
    [
        ("logmel", "image", (1, 40, 101)),
        ("logmel", "sequence", (40, 101)),
        ("linear", "image", (1, 257, 101)),
        ("mfcc", "sequence", (13, 101)),
        ("waveform", "sequence", (1, 16000)),
    ],
)
def test_each_representation_has_its_input_shape(representation, layout, shape):
    ds = load_dataset("sounds", representation=representation, layout=layout)
    assert ds.input_shape == shape
    assert ds.x_train.shape[1:] == shape and ds.x_train.dtype == np.float32
    # Normalised with the training clips' statistics: mean 0, std 1 per band there.
    raw = ds.transform.features.compute(ds.clips.audio[:4])
    assert np.allclose(ds.transform.normalise(raw), ds.transform(ds.clips.audio[:4]))
    assert abs(float(ds.x_train.mean())) < 0.05 and abs(float(ds.x_train.std()) - 1) < 0.1


def test_features_equal_librosa():
    librosa = pytest.importorskip("librosa")
    x = (np.random.default_rng(0).standard_normal(16000) * 0.1).astype(np.float32)
    mel = librosa.feature.melspectrogram(
        y=x, sr=16000, n_fft=512, hop_length=160, n_mels=40, fmin=50, fmax=8000
    )
    mel_db = librosa.power_to_db(mel, top_db=None)
    ours = SoundFeatures().compute(x[None])[0]
    assert np.abs(ours - mel_db).max() < 1e-3
    mfcc = SoundFeatures(representation="mfcc").compute(x[None])[0]
    assert np.abs(mfcc - librosa.feature.mfcc(S=mel_db, n_mfcc=13)).max() < 1e-3
    lin = SoundFeatures(representation="linear").compute(x[None])[0]
    spec = np.abs(librosa.stft(x, n_fft=512, hop_length=160)) ** 2
    assert np.abs(lin - librosa.power_to_db(spec, top_db=None)).max() < 1e-3


def test_tone_peaks_in_its_mel_band():
    from visualnn.audio.mel import mel_frequencies

    f = SoundFeatures()
    bands = f.compute(_tone(2000)[None])[0].mean(axis=1)
    centres = mel_frequencies(f.n_mels + 2, f.fmin, f.samplerate / 2)[1:-1]
    assert abs(centres[int(bands.argmax())] - 2000) < 250


def _two_sounds_in_a_room(seed: int, second: str) -> np.ndarray:
    """A whistle and ``second`` over a little noise (no bin at the dB floor), (16000,)."""
    rng = np.random.default_rng(seed)
    word = synthetic_clip("whistle", rng) + synthetic_clip(second, rng)
    return word + rng.normal(0, 1e-3, word.shape).astype(np.float32)


@pytest.mark.parametrize("representation", ["logmel", "linear", "mfcc"])
def test_normalised_level_hears_the_word_not_how_loud_it_was(representation):
    word = _two_sounds_in_a_room(4, "clap")
    plain = SoundFeatures(representation=representation)
    level = SoundFeatures(representation=representation, normalise_level=True)
    x = level.compute(word[None])[0]
    if representation != "mfcc":  # the dB less their mean over the clip
        db = plain.compute(word[None])[0]
        np.testing.assert_allclose(x, db - db.mean(), atol=1e-3)
    # 12 dB quieter adds -12 dB to every cell: with the level normalised, nothing changes
    quieter = word[None] * 10 ** (-12 / 20)
    assert np.abs(level.compute(quieter)[0] - x).max() < 0.05
    assert np.abs(plain.compute(quieter)[0] - plain.compute(word[None])[0]).max() > 5
    with pytest.raises(SpecError, match="normalise_level must be true or false"):
        SoundFeatures(normalise_level="yes")


@pytest.mark.parametrize("representation", ["logmel", "linear", "mfcc"])
def test_gain_units_say_what_a_louder_clip_does_to_the_network_input(representation):
    # The gain augmentation adds gain_db * gain_units to every frame: exactly what playing
    # the clip louder does to the normalised input.
    word = _two_sounds_in_a_room(5, "hum")
    features = SoundFeatures(representation=representation)
    raw = features.compute(np.stack([word, 0.5 * word]))
    transform = SoundTransform.fit(features, raw)
    units = transform.gain_units()
    assert units.shape == (features.bands,) and units.dtype == np.float32
    louder = transform(word[None] * 10 ** (9 / 20))[0] - transform(word[None])[0]
    np.testing.assert_allclose(louder, np.broadcast_to(9 * units[:, None], louder.shape),
                               atol=2e-3)  # fmt: skip
    if representation == "mfcc":  # a constant in dB lives in the first coefficient only
        assert np.abs(units[1:]).max() < 1e-6 < abs(units[0])


def test_no_gain_units_where_loudness_does_not_add():
    level = SoundFeatures(normalise_level=True)
    wave = SoundFeatures(representation="waveform", layout="sequence")
    for features in (level, wave):
        raw = features.compute(_tone(440)[None])
        assert SoundTransform.fit(features, raw).gain_units() is None
    assert load_dataset("xor").gain_units() is None
    sounds = load_dataset("sounds")
    np.testing.assert_allclose(sounds.gain_units(), 1 / np.asarray(sounds.transform.std))


def test_normalised_level_travels_with_the_data_set_and_the_model(tmp_path):
    ds = load_dataset("sounds", layout="sequence", normalise_level=True)
    assert ds.params["normalise_level"] is True and ds.transform.features.normalise_level
    assert SoundTransform.from_dict(ds.transform.to_dict()) == ds.transform
    path = tmp_path / "p.vnn"
    save_project(path, Project(spec=[], input_shape=ds.input_shape, **dataset_fields(ds)))
    again = load_project(path)
    assert again.input_transform["normalise_level"] is True
    assert np.array_equal(project_dataset(again).x_train, ds.x_train)
    clip = ds.clips.audio[:1]
    raw = ds.transform.features.compute(clip)
    assert abs(float(raw.mean())) < 1e-3
    np.testing.assert_allclose(ds.transform(clip * 0.25), ds.transform(clip), atol=0.05)
    assert load_dataset("sounds").params["normalise_level"] is False


def test_fit_length_keeps_the_loudest_second_and_centres_short_clips():
    x = np.zeros(48000, np.float32)
    x[30000:31000] = 1.0
    cut = fit_length(x, 16000)
    assert cut.shape == (16000,) and cut.sum() == 1000.0
    short = fit_length(np.ones(4000, np.float32), 16000)
    assert short[:6000].sum() == 0 and short[6000:10000].sum() == 4000 and short[10000:].sum() == 0


def test_transform_round_trips_and_refuses_bad_statistics():
    ds = load_dataset("sounds")
    again = SoundTransform.from_dict(ds.transform.to_dict())
    assert again == ds.transform
    bad = ds.transform.to_dict()
    bad["norm"]["std"][3] = 0.0
    with pytest.raises(SpecError, match="positive"):
        SoundTransform.from_dict(bad)
    with pytest.raises(SpecError, match="representation"):
        SoundFeatures(representation="cochleagram")


def _folder(tmp_path, speakers=4, per_class=8, testing_list=False):
    root = tmp_path / "words"
    rng = np.random.default_rng(1)
    for label in ("whistle", "hum", "clap"):
        (root / label).mkdir(parents=True)
        for i in range(per_class):
            name = f"spk{i % speakers}_nohash_{i}.wav"
            write_wav(root / label / name, synthetic_clip(label, rng, 16000), 16000)
    if testing_list:
        listed = "hum/spk0_nohash_0.wav\nclap/spk1_nohash_1.wav\nwhistle/spk2_nohash_2.wav\n"
        (root / "testing_list.txt").write_text(listed)
    return root


def test_folder_import_lists_bad_files_and_converts_any_format(tmp_path):
    root = _folder(tmp_path)
    (root / "hum" / "notes.txt").write_text("not audio")
    (root / "hum" / "fake.wav").write_bytes(b"hello, not a wav file at all")
    write_wav(root / "clap" / "empty.wav", np.zeros(0, np.float32), 16000)
    write_wav(root / "clap" / "long.wav", np.zeros(16000 * 12, np.float32), 16000)
    write_wav(root / "whistle" / "nan.wav", np.full(800, np.nan, np.float32), 16000, "FLOAT")
    good = (root / "whistle" / "spk0_nohash_0.wav").read_bytes()
    (root / "whistle" / "cut.wav").write_bytes(good[: len(good) // 2])
    stereo = np.stack([_tone(2000, sr=48000), _tone(2000, sr=48000)], axis=1)
    write_wav(root / "whistle" / "stereo.wav", stereo, 48000, "PCM_24")
    clips = from_folder(root)
    reasons = dict(clips.skipped)
    assert set(reasons) == {
        "hum/notes.txt", "hum/fake.wav", "clap/empty.wav", "clap/long.wav",
        "whistle/nan.wav", "whistle/cut.wav",
    }  # fmt: skip
    assert "not a WAV" in reasons["hum/fake.wav"] and "empty" in reasons["clap/empty.wav"]
    assert "too long" in reasons["clap/long.wav"] and "NaN" in reasons["whistle/nan.wav"]
    assert "truncated" in reasons["whistle/cut.wav"]
    assert clips.counts() == {"clap": 8, "hum": 8, "whistle": 9}
    i = list(clips.files).index("whistle/stereo.wav")
    assert clips.audio.shape == (25, 16000) and abs(float(clips.audio[i].max()) - 0.3) < 0.01


def test_folder_background_noise_becomes_a_class(tmp_path):
    root = _folder(tmp_path)
    (root / "_background_noise_").mkdir()
    noise = np.random.default_rng(0).normal(0, 0.05, 16000 * 5).astype(np.float32)
    write_wav(root / "_background_noise_" / "room.wav", noise, 16000)
    clips = from_folder(root)
    assert clips.counts()["background"] == 5 and clips.class_names[-1] == "background"


def test_split_keeps_speakers_apart_or_follows_testing_list(tmp_path):
    ds = load_dataset("sounds", source="folder", path=str(_folder(tmp_path)), train_ratio=0.7)
    assert ds.params["split"] == "speakers kept apart"
    clips = ds.clips
    test_rows = {tuple(r) for r in np.round(ds.x_test.reshape(len(ds.x_test), -1)[:, :50], 4)}
    assert len(test_rows) == len(ds.x_test)
    speakers = clips.speakers
    # Rebuild the split from the clips: no speaker on both sides.
    from visualnn.data.sound.dataset import split

    tr, te, _ = split(clips, 0.7, 0)
    assert not set(speakers[tr]) & set(speakers[te])
    listed = load_dataset(
        "sounds", source="folder", path=str(_folder(tmp_path / "b", testing_list=True))
    )
    assert listed.params["split"] == "the folder's testing_list.txt" and len(listed.x_test) == 3


def test_too_few_classes_or_clips_are_explained(tmp_path):
    root = tmp_path / "one"
    (root / "yes").mkdir(parents=True)
    write_wav(root / "yes" / "a.wav", _tone(300), 16000)
    with pytest.raises(SpecError, match="at least two classes"):
        from_folder(root)
    with pytest.raises(SpecError, match="not a folder"):
        from_folder(tmp_path / "missing")


def test_clips_travel_inside_the_project(tmp_path):
    ds = load_dataset("sounds", source="folder", path=str(_folder(tmp_path)))
    path = tmp_path / "p.vnn"
    save_project(path, Project(spec=[], input_shape=ds.input_shape, **dataset_fields(ds)))
    # The folder is gone: the project still makes the same data set from its own clips.
    import shutil

    shutil.rmtree(tmp_path / "words")
    again = project_dataset(load_project(path))
    assert np.array_equal(again.x_train, ds.x_train) and np.array_equal(again.y_test, ds.y_test)
    assert again.title == "words" and list(again.class_names) == list(ds.class_names)


def test_damaged_clips_are_refused_in_words():
    with pytest.raises(SpecError, match="damaged"):
        SoundClips.from_bytes(b"PK\x03\x04 garbage")
    clips = load_dataset("sounds").clips
    blob = clips.to_bytes()
    again = SoundClips.from_bytes(blob)
    assert np.array_equal(again.audio, clips.audio) and again.class_names == clips.class_names
