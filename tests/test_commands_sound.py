"""``visualnn train PRESET --data DIR``, ``predict`` and ``listen``: the sound model's way
through the command line, with the window's code paths and no Qt."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from visualnn import cli
from visualnn.audio.wavio import write_wav
from visualnn.data.sound import synthetic_clip
from visualnn.project import load_project


@pytest.fixture(scope="module")
def sound_model(tmp_path_factory):
    """A sounds-cnn trained on a folder of three demo classes (whistle, hum, clap)."""
    root = tmp_path_factory.mktemp("words")
    rng = np.random.default_rng(3)
    for label in ("whistle", "hum", "clap"):
        (root / "data" / label).mkdir(parents=True)
        for i in range(16):
            clip = synthetic_clip(label, rng, 16000)
            write_wav(root / "data" / label / f"s{i % 4}_nohash_{i}.wav", clip, 16000)
    (root / "data" / "hum" / "broken.wav").write_bytes(b"RIFF....WAVEjunk")
    out = root / "words.vnn"
    code = cli.main(["train", "sounds-cnn", "--data", str(root / "data"), "--epochs", "12",
                     "--out", str(out), "--quiet"])  # fmt: skip
    assert code == 0
    return root, out


def test_train_on_a_folder_sizes_the_output_and_keeps_the_clips(sound_model, capsys):
    root, out = sound_model
    project = load_project(out)
    assert project.class_names == ["clap", "hum", "whistle"]
    assert project.spec[-1] == {"type": "dense", "units": 3}
    assert project.input_transform["representation"] == "logmel"
    assert len(project.input_transform["norm"]["mean"]) == 40
    assert project.sounds and project.history[-1]["val_acc"] >= 0.8


def test_quiet_is_quiet_and_bad_files_are_listed(tmp_path, capsys):
    root = tmp_path / "d"
    rng = np.random.default_rng(0)
    for label in ("hum", "clap"):
        (root / label).mkdir(parents=True)
        for i in range(4):
            write_wav(root / label / f"{i}.wav", synthetic_clip(label, rng), 16000)
    (root / "clap" / "x.wav").write_text("no")
    argv = ["train", "sounds-conv1d", "--data", str(root), "--epochs", "1"]
    assert cli.main([*argv, "--out", str(tmp_path / "a.vnn"), "--quiet"]) == 0
    quiet = capsys.readouterr()
    assert quiet.out == "" and quiet.err == ""
    assert cli.main([*argv, "--out", str(tmp_path / "b.vnn")]) == 0
    loud = capsys.readouterr()
    assert "clap/x.wav: not a WAV file" in loud.err and "epoch 1/1" in loud.out


def test_data_needs_a_sound_preset(tmp_path, capsys):
    assert cli.main(["train", "xor", "--data", str(tmp_path)]) == 2
    assert "sound preset" in capsys.readouterr().err


def test_predict_wav_files_text_and_json(sound_model, capsys):
    root, out = sound_model
    rng = np.random.default_rng(99)
    wav = root / "whistle48k.wav"
    write_wav(wav, synthetic_clip("whistle", rng, 48000), 48000, "PCM_24")  # another rate
    assert cli.main(["predict", str(out), str(wav)]) == 0
    assert capsys.readouterr().out.startswith(f"{wav}: whistle")
    assert cli.main(["predict", str(out), str(wav), str(root / "data/hum/broken.wav"),
                     "--json"]) == 1  # fmt: skip
    captured = capsys.readouterr()
    line = json.loads(captured.out.strip())
    assert line["file"] == str(wav) and line["label"] == "whistle"
    assert set(line["probabilities"]) == {"clap", "hum", "whistle"}
    assert abs(sum(line["probabilities"].values()) - 1) < 1e-4
    assert "broken.wav" in captured.err


def test_predict_npy_rows_fed_as_they_are(sound_model, capsys):
    root, out = sound_model
    from visualnn.predictor import Predictor

    predictor = Predictor.from_project(load_project(out))
    x = np.random.default_rng(0).standard_normal((3, 1, 40, 101)).astype(np.float32)
    np.save(root / "x.npy", x)
    assert cli.main(["predict", str(out), str(root / "x.npy"), "--json"]) == 0
    lines = [json.loads(s) for s in capsys.readouterr().out.splitlines()]
    assert [d["index"] for d in lines] == [0, 1, 2]
    expected = predictor.probabilities(x)
    got = np.array([[d["probabilities"][n] for n in predictor.class_names] for d in lines])
    assert np.abs(got - expected).max() < 1e-5
    np.save(root / "bad.npy", np.zeros((2, 5), np.float32))
    assert cli.main(["predict", str(out), str(root / "bad.npy")]) == 2
    assert "do not fit" in capsys.readouterr().err


def test_listen_to_a_file_and_a_tone(sound_model, capsys):
    root, out = sound_model
    wav = root / "hum.wav"
    write_wav(wav, synthetic_clip("hum", np.random.default_rng(5)), 16000)
    assert cli.main(["listen", str(out), "--source", f"file:{wav}", "--json"]) == 0
    lines = [json.loads(s) for s in capsys.readouterr().out.splitlines()]
    # About 12 predictions in the file's second, the last of which hears the whole hum.
    assert len(lines) >= 8 and lines[-1]["label"] == "hum"
    assert all(a["t"] < b["t"] for a, b in zip(lines, lines[1:], strict=False))
    assert cli.main(["listen", str(out), "--source", "tone:2000", "--seconds", "0.5"]) == 0
    assert len(capsys.readouterr().out.splitlines()) >= 4


def test_listen_errors_in_one_line(sound_model, tmp_path, capsys):
    _, out = sound_model
    assert cli.main(["listen", str(out), "--source", "radio"]) == 2
    assert "mic, file:PATH or tone:HZ" in capsys.readouterr().err
    assert cli.main(["train", "xor", "--epochs", "1", "--out", str(tmp_path / "x.vnn")]) == 0
    assert cli.main(["listen", str(tmp_path / "x.vnn"), "--source", "tone:440"]) == 2
    assert "does not take sound" in capsys.readouterr().err


def test_commands_never_load_qt(sound_model):
    root, out = sound_model
    code = (
        "import sys; from visualnn.cli import main; "
        f"main(['predict', {str(out)!r}, {str(root / 'data/hum/s0_nohash_0.wav')!r}]); "
        f"main(['listen', {str(out)!r}, '--source', 'tone:300', '--seconds', '0.2']); "
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))]; "
        "print('BAD', bad)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.stdout.strip().endswith("BAD []"), proc.stdout + proc.stderr
