"""``visualnn export``: files written, one-line errors, atomic writes, no Qt and no torch."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from export_helpers import build, project_of

from visualnn import cli
from visualnn.export import common
from visualnn.project import Project, save_project

needs_onnx = pytest.mark.skipif(
    importlib.util.find_spec("onnx") is None, reason="onnx is not installed"
)


@pytest.fixture
def project_file(tmp_path):
    model = build("sound-conv1d")
    project = project_of(
        model,
        class_names=["yes", "no", "up", "down", "silence"],
        input_transform={"representation": "log_mel", "samplerate": 16000, "n_mels": 40},
        meta={"title": "words"},
    )
    path = tmp_path / "words.vnn"
    save_project(path, project)
    return path


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("visualnn: error: ")
    return err[0]


@needs_onnx
def test_export_onnx_writes_a_checked_model(project_file, tmp_path, capsys):
    import onnx

    out = tmp_path / "words.onnx"
    assert cli.main(["export", str(project_file), str(out)]) == 0
    text = capsys.readouterr().out
    assert "input (batch, 40, 101) -> logits (batch, 5)" in text and "softmax is left out" in text
    model = onnx.load(out)
    onnx.checker.check_model(model, full_check=True)
    props = {p.key: json.loads(p.value) for p in model.metadata_props}
    assert props["visualnn.class_names"] == ["yes", "no", "up", "down", "silence"]
    assert props["visualnn.input_transform"]["n_mels"] == 40


def test_export_py_writes_module_and_weights(project_file, tmp_path, capsys):
    out = tmp_path / "words_net.py"
    assert cli.main(["export", str(project_file), str(out)]) == 0
    assert "words_net.npz and" in capsys.readouterr().out
    source = out.read_text(encoding="utf-8")
    compile(source, str(out), "exec")
    assert 'CLASS_NAMES = ["yes", "no", "up", "down", "silence"]' in source
    assert '"representation": "log_mel"' in source and "def load(" in source
    model = build("sound-conv1d")
    with np.load(tmp_path / "words_net.npz", allow_pickle=False) as npz:
        # conv, relu, conv, tanh, conv, leaky_relu, flatten, dropout, linear (softmax dropped)
        assert sorted(npz.files) == sorted(
            f"layers.{i}.{k}" for i in (0, 2, 4, 8) for k in ("weight", "bias")
        )
        np.testing.assert_array_equal(npz["layers.8.weight"], model.layers[6].params["weight"])


@pytest.mark.parametrize(
    "out, message",
    [
        ("net.txt", "give OUT.onnx or OUT.py"),
        ("digits-cnn.py", "such as digits_cnn.py"),
        ("json.py", "would hide Python's own 'json' module"),
        ("missing/net.py", "the folder"),
    ],
)
def test_bad_destinations_are_refused_in_one_line(project_file, tmp_path, capsys, out, message):
    assert cli.main(["export", str(project_file), str(tmp_path / out)]) == 2
    assert message in one_error_line(capsys)
    assert not list(tmp_path.glob("net*")) and not list(tmp_path.glob("digits*"))


def test_a_file_where_the_folder_should_be(project_file, tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    assert cli.main(["export", str(project_file), str(tmp_path / "afile" / "net.py")]) == 2
    assert "is not a folder" in one_error_line(capsys)


@pytest.mark.parametrize(
    "content, message",
    [(None, "no such file"), (b"not a zip", "not a visualnn project or it is damaged")],
)
def test_missing_or_corrupt_project(tmp_path, capsys, content, message):
    path = tmp_path / "broken.vnn"
    if content is not None:
        path.write_bytes(content)
    assert cli.main(["export", str(path), str(tmp_path / "net.py")]) == 2
    assert message in one_error_line(capsys)


def test_a_network_that_cannot_be_built(tmp_path, capsys):
    path = tmp_path / "half.vnn"
    save_project(path, Project(spec=[{"type": "dense", "units": 0}], input_shape=(2,)))
    assert cli.main(["export", str(path), str(tmp_path / "net.py")]) == 2
    assert "cannot be built" in one_error_line(capsys)


def test_an_untrained_project_exports_its_initial_weights(tmp_path, capsys):
    path = tmp_path / "fresh.vnn"
    save_project(path, Project(spec=[{"type": "dense", "units": 2}], input_shape=(3,)))
    assert cli.main(["export", str(path), str(tmp_path / "fresh_net.py")]) == 0
    assert "holds no trained weights" in capsys.readouterr().err


def test_a_failed_write_leaves_the_old_files_and_no_temp_file(
    project_file, tmp_path, capsys, monkeypatch
):
    out = tmp_path / "words_net.py"
    out.write_text("old module")

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(common.os, "replace", refuse)
    assert cli.main(["export", str(project_file), str(out)]) == 2
    assert "No space left on device" in one_error_line(capsys)
    assert out.read_text() == "old module"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["words.vnn", "words_net.py"]


def run_isolated(code: str, cwd) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_missing_onnx_is_one_clear_line_and_exit_2(project_file, tmp_path):
    code = (
        "import sys\n"
        "sys.modules['onnx'] = None  # as if it were not installed\n"
        "from visualnn.cli import main\n"
        f"sys.exit(main(['export', {str(project_file)!r}, 'out.onnx']))\n"
    )
    proc = run_isolated(code, tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert lines == [
        "visualnn: error: exporting to ONNX needs the 'onnx' package, not installed: "
        "pip install 'visualnn[export]'"
    ]
    assert not (tmp_path / "out.onnx").exists()


@pytest.mark.parametrize("out", ["words_net.py", pytest.param("words.onnx", marks=needs_onnx)])
def test_export_loads_neither_qt_nor_torch(project_file, tmp_path, out):
    code = (
        "import sys\n"
        "from visualnn.cli import main\n"
        f"code = main(['export', {str(project_file)!r}, {out!r}])\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('torch', 'PySide6', 'pyqtgraph', 'shiboken6', 'sounddevice'))\n"
        "print('CODE', code, 'BAD', bad)\n"
    )
    proc = run_isolated(code, tmp_path)
    assert proc.stdout.strip().endswith("CODE 0 BAD []"), proc.stdout + proc.stderr


def test_the_py_file_is_ruff_clean(project_file, tmp_path):
    ruff = pytest.importorskip("ruff", reason="ruff is not installed")
    out = tmp_path / "words_net.py"
    assert cli.main(["export", str(project_file), str(out)]) == 0
    binary = ruff.find_ruff_bin()
    for args in (["check", "--line-length", "100"], ["format", "--check", "--line-length", "100"]):
        proc = subprocess.run([binary, *args, str(out)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_exported_files_are_not_zip_bombs_or_pickles(project_file, tmp_path):
    """The weights file is a plain npz: only .npy members, all loadable without pickle."""
    assert cli.main(["export", str(project_file), str(tmp_path / "words_net.py")]) == 0
    with zipfile.ZipFile(tmp_path / "words_net.npz") as zf:
        assert all(n.endswith(".npy") for n in zf.namelist())
    with np.load(tmp_path / "words_net.npz", allow_pickle=False) as npz:
        assert all(npz[k].dtype == np.float32 for k in npz.files)
