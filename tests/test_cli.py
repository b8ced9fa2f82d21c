"""The visualnn command: headless training, one-line errors, lazy imports."""

import json
import subprocess
import sys

import pytest

from visualnn import cli
from visualnn.project import load_project


def test_train_preset_writes_a_loadable_project(tmp_path, capsys):
    out = tmp_path / "xor.vnn"
    code = cli.main(
        ["train", "xor", "--epochs", "3", "--lr", "0.05", "--seed", "2", "--out", str(out)]
    )
    assert code == 0
    captured = capsys.readouterr()
    assert captured.out.count("epoch ") == 3 and "epoch 3/3" in captured.out
    assert "saved" in captured.err
    project = load_project(out)
    assert len(project.history) == 3 and project.seed == 2
    assert project.config["lr"] == 0.05 and project.config["epochs"] == 3
    assert project.dataset["name"] == "xor"
    project.build_model()


def test_train_spec_file(tmp_path, capsys):
    spec = {
        "spec": [
            {"type": "dense", "units": 4, "activation": "relu"},
            {"type": "dense", "units": 2},
        ],
        "input_shape": [2],
        "dataset": {"name": "gauss", "params": {"noise": 0.1}},
        "config": {"lr": 0.1, "epochs": 2, "batch_size": 25},
    }
    path = tmp_path / "net.json"
    path.write_text(json.dumps(spec))
    out = tmp_path / "net.vnn"
    assert cli.main(["train", "--spec", str(path), "--out", str(out)]) == 0
    project = load_project(out)
    assert project.spec == spec["spec"] and project.dataset["params"]["noise"] == 0.1


@pytest.mark.parametrize(
    "content, match",
    [
        (
            {"spec": [{"type": "dense", "unit": 3}], "input_shape": [2]},
            "layer 1, Dense: unknown setting 'unit' (did you mean 'units'?)",
        ),
        ({"spec": [{"type": "dense", "units": 3}], "input_shape": [3]}, "takes (3,)"),
        ({"spec": [], "input_shape": [2]}, "no layers"),
        (
            {"spec": [{"type": "dense", "units": 2}], "input_shape": [2], "dataset": "mnist"},
            "unknown dataset 'mnist'",
        ),
        (
            {"spec": [{"type": "dense", "units": 2}], "input_shape": [2], "extra": 1},
            "unknown key(s) extra",
        ),
        ([{"type": "dense"}], "give an object"),
        ("{not json", "not valid JSON"),
        ({"spec": [{"type": "dense", "units": 2}], "input_shape": 2}, "'input_shape' has"),
        ({"spec": [{"type": "dense", "units": 2}], "input_shape": [2], "config": []}, "'config'"),
        (
            {"spec": [{"type": "dense", "units": 2}], "input_shape": [2], "config": {"lr": "x"}},
            "lr must be",
        ),
    ],
)
def test_bad_spec_file_gives_one_line_error(tmp_path, capsys, content, match):
    path = tmp_path / "bad.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    code = cli.main(["train", "--spec", str(path), "--out", str(tmp_path / "o.vnn")])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("visualnn: error: ") and match in err[-1], err
    assert not any("Traceback" in line for line in err)
    assert not (tmp_path / "o.vnn").exists()


@pytest.mark.parametrize(
    "argv, match",
    [
        (["train", "nope"], "unknown preset 'nope'"),
        (["train", "--spec", "/nonexistent/x.json"], "cannot read"),
        (["train", "xor", "--out", "/nonexistent/dir/x.vnn"], "does not exist"),
        (["train", "xor", "--epochs", "-1"], "epochs"),
    ],
)
def test_train_errors(capsys, argv, match):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert match in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_usage_errors_exit_2(capsys):
    assert cli.main(["train", "xor", "--epochs", "abc"]) == 2
    assert cli.main(["frobnicate"]) == 2
    assert "unknown command" in capsys.readouterr().err


def test_presets_lists_all(capsys):
    from visualnn.presets import PRESETS

    assert cli.main(["presets"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in PRESETS)


def test_missing_gui_libraries_give_a_clear_message(monkeypatch, capsys):
    real = cli.importlib.import_module

    def fake(name, *a, **kw):
        if name.startswith("visualnn.ui"):
            raise ImportError("libEGL.so.1: cannot open shared object file")
        return real(name, *a, **kw)

    monkeypatch.setattr(cli.importlib, "import_module", fake)
    assert cli.main([]) == 2
    err = capsys.readouterr().err
    assert "libEGL.so.1" in err and "apt-get install" in err and "visualnn train" in err
    assert cli.main(["spectrogram"]) == 2


def test_train_in_a_fresh_process_never_loads_qt(tmp_path):
    out = tmp_path / "s.vnn"
    code = (
        "import sys; from visualnn.cli import main; "
        f"rc = main(['train', 'circle', '--epochs', '1', '--out', {str(out)!r}]); "
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph', 'sounddevice'))]; "
        "print('LOADED', bad); sys.exit(rc)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "LOADED []" in proc.stdout
    assert load_project(out).history[0]["epoch"] == 1


def test_python_dash_m_entry_point(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "visualnn", "presets"], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0 and "digits-cnn" in proc.stdout


def test_help_works_without_qt(monkeypatch, capsys):
    real = cli.importlib.import_module

    def fake(name, *a, **kw):
        if name.startswith("visualnn.ui"):
            raise ImportError("No module named 'PySide6'")
        return real(name, *a, **kw)

    monkeypatch.setattr(cli.importlib, "import_module", fake)
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "train" in out and "window options unavailable" in out


def test_progress_bar_on_a_terminal(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert cli.main(["train", "xor", "--epochs", "2", "--out", str(tmp_path / "x.vnn")]) == 0
    err = capsys.readouterr().err
    assert "\r[" in err and "%" in err and "loss" in err


def test_bench_audio_reports_realtime_factors(capsys):
    assert cli.main(["bench-audio", "--audio-seconds", "1", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    # Anything slower than real time could not drive a live spectrogram at all.
    assert result["stft_x_realtime"] > 1 and result["log_mel_x_realtime"] > 1
