"""A sound project's clips leave as a Speech Commands folder and come back with the same
split; the window's File > Export menu writes models and clips."""

from __future__ import annotations

import numpy as np

from visualnn import cli
from visualnn.data import load_dataset
from visualnn.data.sound import from_folder
from visualnn.project import Project, dataset_fields, save_project


def _sound_project(tmp_path):
    ds = load_dataset("sounds", train_ratio=0.75, seed=3)
    path = tmp_path / "demo.vnn"
    save_project(path, Project(spec=[], input_shape=ds.input_shape, **dataset_fields(ds)))
    return ds, path


def test_export_clips_folder_round_trips_the_clips_and_split(tmp_path, capsys):
    ds, path = _sound_project(tmp_path)
    assert cli.main(["export", str(path), str(tmp_path / "clips") + "/"]) == 0
    assert "wrote 128 clips of 4 classes" in capsys.readouterr().out
    again = from_folder(tmp_path / "clips")
    assert sorted(again.class_names) == sorted(ds.class_names)
    assert again.test.sum() == len(ds.x_test)  # testing_list.txt keeps the split
    back = load_dataset("sounds", source="folder", path=str(tmp_path / "clips"), train_ratio=0.75)
    assert back.params["split"] == "the folder's testing_list.txt"
    assert np.allclose(np.sort(back.x_test.ravel()), np.sort(ds.x_test.ravel()), atol=1e-4)
    assert cli.main(["export", str(path), str(tmp_path / "clips") + "/"]) == 2
    assert "not an empty folder" in capsys.readouterr().err


def test_export_clips_needs_a_sound_project(tmp_path, capsys):
    assert cli.main(["train", "xor", "--epochs", "1", "--out", str(tmp_path / "x.vnn"),
                     "--quiet"]) == 0  # fmt: skip
    assert cli.main(["export", str(tmp_path / "x.vnn"), str(tmp_path / "out") + "/"]) == 2
    assert "no sound clips" in capsys.readouterr().err


def test_window_exports_model_and_sounds(tmp_path):
    from visualnn.ui.export import export_model, export_sounds
    from visualnn.ui.model.session import Session

    session = Session()
    session.load_preset("sounds-conv1d")
    said, kind = export_model(session.to_project(), tmp_path / "net.py")
    assert kind == "info" and (tmp_path / "net.py").exists() and (tmp_path / "net.npz").exists()
    said, kind = export_model(session.to_project(), tmp_path / "net.txt")
    assert kind == "error" and ".onnx or .py" in said
    said, kind = export_sounds(session.project, tmp_path / "sounds")
    assert kind == "info" and len(list((tmp_path / "sounds").glob("*/*.wav"))) == 128
    session.load_preset("xor")
    assert export_sounds(session.project, tmp_path / "none")[1] == "warning"
