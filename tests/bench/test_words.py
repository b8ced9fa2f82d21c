"""The spoken-words benchmark set: layout, WAV format, audible words, disjoint speakers, seeds.

A tiny set (3 speakers, one of them test, every label once each) takes about a second.
"""

import json
import re
import shutil
import struct

import numpy as np
import pytest

from visualnn import cli
from visualnn.audio.wavio import read_wav, to_mono
from visualnn.bench import words, words_eval

pytestmark = pytest.mark.skipif(
    shutil.which("espeak-ng") is None,
    reason="espeak-ng is not installed ('python3 dev.py test' installs it)",
)
SEED = 3


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    out = tmp_path_factory.mktemp("words") / "set"
    summary = words.make_set(out, seed=SEED, speakers=3, per_speaker=11, test_share=0.34)
    return out, summary


def _speaker(rel: str) -> str:
    return rel.split("/")[1].split("_nohash_")[0]


def _frames_db(x: np.ndarray, size: int = 320) -> np.ndarray:
    """Energy of 20-ms frames in dB."""
    n = len(x) // size
    return 10 * np.log10(np.mean(x[: n * size].reshape(n, size) ** 2, axis=1) + 1e-12)


def test_layout_and_disjoint_speakers(tiny):
    out, summary = tiny
    assert (summary["train"], summary["test"], summary["n_test"]) == (22, 11, 1)
    everyone = json.loads((out / "speakers.json").read_text())
    assert sorted(v["split"] for v in everyone.values()) == ["test", "train", "train"]
    files = {label: sorted(p.name for p in (out / label).iterdir()) for label in words.LABELS}
    for names in files.values():
        assert len(names) == 3
        assert all(re.fullmatch(r"[0-9a-f]{8}_nohash_0\.wav", n) for n in names)
        assert {n.split("_")[0] for n in names} == set(everyone)
    testing = (out / "testing_list.txt").read_text().split()
    assert len(testing) == 11 and all((out / rel).is_file() for rel in testing)
    test_speakers = {_speaker(rel) for rel in testing}
    assert test_speakers == {s for s, v in everyone.items() if v["split"] == "test"}
    train = [
        f"{lab}/{n}" for lab, names in files.items() for n in names if f"{lab}/{n}" not in testing
    ]
    assert len(train) == 22 and not {_speaker(rel) for rel in train} & test_speakers
    readme = (out / "README.txt").read_text()
    assert readme.startswith(words.MARKER) and f"--seed {SEED} --speakers 3" in readme


def test_speakers_take_the_labels_in_turn():
    everyone = words.draw_speakers(0, 44, test_share=0.25, per_speaker=3)
    for split, n in (("train", 9), ("test", 3)):
        said = [lab for spk in everyone.values() if spk["split"] == split for lab in spk["labels"]]
        assert {lab: said.count(lab) for lab in words.LABELS} == dict.fromkeys(words.LABELS, n)
    assert all(len(set(spk["labels"])) == 3 for spk in everyone.values())


def test_every_speaker_has_a_voice_of_their_own(tmp_path):
    # espeak-ng falls back to its plain voice, silently, when it cannot find a variant.
    for sid, spk in words.draw_speakers(SEED, 2).items():
        vdir = words.voice_dir(tmp_path / sid, sid, spk["voice"])
        mine = words.espeak("yes", f"en-us+vnn{sid}", 160, 50, vdir)
        plain = words.espeak("yes", "en-us", 160, 50, vdir)
        assert len(mine) != len(plain) or not np.allclose(mine, plain)


def test_clips_are_one_second_of_16_khz_mono_16_bit(tiny):
    out, _ = tiny
    for path in sorted(out.glob("*/*.wav")):
        blob = path.read_bytes()
        assert blob[:4] == b"RIFF" and blob[8:16] == b"WAVEfmt "
        fmt, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", blob, 20)
        assert (fmt, channels, rate, bits) == (1, 1, 16000, 16)
        data, sr = read_wav(path)
        assert data.shape == (16000, 1) and sr == 16000


def test_words_stand_out_of_their_background(tiny):
    out, _ = tiny
    for label in words.WORDS:
        for path in sorted((out / label).glob("*.wav")):
            db = _frames_db(to_mono(read_wav(path)[0]).astype(np.float64))
            # The word's loudest frames rise well above the clip's typical (background) level.
            assert db.max() > np.median(db) + 4, f"{path.name} ({label}) is buried in noise"
    for path in sorted((out / words.BACKGROUND).glob("*.wav")):
        assert np.abs(read_wav(path)[0]).max() > 0  # never digital silence: a live mic isn't


def test_same_seed_same_bytes_whatever_the_jobs(tiny, tmp_path, capsys):
    out, _ = tiny
    again = tmp_path / "again"
    args = ["bench-words", "make", str(again), "--seed", str(SEED), "--speakers", "3", "--labels"]
    assert cli.main([*args, "11", "--test-share", "0.34", "--jobs", "1"]) == 0
    assert "22 training clips" in capsys.readouterr().out
    ours = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert ours == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert all((out / rel).read_bytes() == (again / rel).read_bytes() for rel in ours)
    other = words.make_set(tmp_path / "other", seed=SEED + 1, speakers=1, per_speaker=11)
    assert other["train"] == 11 and not set((tmp_path / "other" / "yes").iterdir()) & set(
        (out / "yes").iterdir()
    )


def test_refuses_a_foreign_folder_and_replaces_its_own(tmp_path):
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(words.WordsError, match="not empty"):
        words.make_set(foreign, speakers=1)
    assert [p.name for p in foreign.iterdir()] == ["notes.txt"]
    own = tmp_path / "own"
    first = words.make_set(own, seed=1, speakers=1, per_speaker=11)
    second = words.make_set(own, seed=2, speakers=1, per_speaker=2)
    assert (first["train"], second["train"]) == (11, 2)
    assert len(list(own.glob("*/*.wav"))) == 2  # the first set's clips are gone


def test_missing_espeak_is_said_in_plain_words(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert cli.main(["bench-words", "make", str(tmp_path / "set")]) == 2
    assert "espeak-ng is not installed: sudo apt-get install espeak-ng" in capsys.readouterr().err


def test_live_stream_and_its_ground_truth(tmp_path):
    wav = tmp_path / "stream.wav"
    truth = words_eval.make_stream(wav, seed=SEED, speakers=3, n_words=3)
    assert truth == json.loads(wav.with_suffix(".json").read_text())
    said = truth["words"]
    assert len(said) == 3 and all(s["word"] in words.WORDS for s in said)
    assert all(0 < s["onset"] < s["offset"] for s in said)
    assert all(b["onset"] - a["offset"] >= 1.0 for a, b in zip(said, said[1:], strict=False))
    x, sr = read_wav(wav)
    assert sr == 16000 and abs(len(x) / sr - truth["seconds"]) < 1e-3
    db = _frames_db(to_mono(x).astype(np.float64))
    spoken = np.zeros(len(db), bool)
    for s in said:
        spoken[int(s["onset"] * 50) : int(s["offset"] * 50) + 1] = True
    assert db[spoken].max() > np.median(db[~spoken]) + 6


def test_eval_trains_the_presets_as_train_does_and_reports(tiny, capsys):
    out, _ = tiny
    clips = words_eval.load_clips(out)
    assert len(clips) == 33 and int(clips.test.sum()) == 11  # the testing_list's speaker
    preset, data = words_eval.preset_dataset("sounds-cnn", clips, out)
    assert data.x_train.shape == (22, 1, 40, 101) and data.x_test.shape == (11, 1, 40, 101)
    assert sorted(data.y_test.tolist()) == list(range(11))
    assert preset.spec[-1]["units"] == 11  # the output follows the labels
    assert np.abs(data.x_train.mean(axis=(0, 1, 3))).max() < 1e-3  # normalised per band
    assert cli.main(["bench-words", "eval", str(out), "--model", "sounds-conv1d"]) == 0
    printed = capsys.readouterr().out
    assert "22 training and 11 test clips" in printed and "sounds-conv1d:" in printed


def test_eval_refuses_a_folder_without_held_out_speakers(tmp_path, capsys):
    assert cli.main(["bench-words", "eval", str(tmp_path)]) == 2
    assert "no testing_list.txt" in capsys.readouterr().err
