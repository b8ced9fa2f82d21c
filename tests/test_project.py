"""The .vnn project file: round trip, atomic save, and every kind of bad file refused."""

import io
import json
import os
import zipfile

import numpy as np
import pytest

from visualnn import project as project_mod
from visualnn.engine import Sequential, TrainConfig
from visualnn.project import (
    SCHEMA_VERSION,
    Project,
    ProjectError,
    check_project_model,
    load_project,
    save_project,
)

SPEC = [
    {"type": "conv2d", "out_channels": 2, "kernel_size": 3, "activation": "relu"},
    {"type": "flatten"},
    {"type": "dense", "units": 3, "activation": "softmax"},
]


def make_project(seed=3):
    model = Sequential.from_spec(SPEC, (1, 5, 5), seed=seed)
    return model, Project.from_model(
        model,
        config=TrainConfig(lr=0.05).to_dict(),
        dataset={"name": "digits_images", "params": {}},
        history=[{"epoch": 1, "train_loss": 0.5, "val_loss": None}],
        meta={"title": "test"},
    )


def write_zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def good_members(tmp_path):
    _, project = make_project()
    save_project(tmp_path / "good.vnn", project)
    with zipfile.ZipFile(tmp_path / "good.vnn") as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_round_trip_identical_weights(tmp_path):
    model, project = make_project()
    path = tmp_path / "p.vnn"
    save_project(path, project)
    loaded = load_project(path)
    assert loaded.spec == SPEC and loaded.input_shape == (1, 5, 5) and loaded.seed == 3
    assert loaded.config == TrainConfig(lr=0.05).to_dict()
    assert loaded.dataset == {"name": "digits_images", "params": {}}
    assert loaded.history == project.history and loaded.task == "classification"
    assert loaded.meta["title"] == "test" and "created" in loaded.meta
    assert loaded.meta["app_version"]
    for a, b in zip(model.get_weights(), loaded.weights, strict=True):
        assert set(a) == set(b)
        for k in a:
            assert a[k].dtype == b[k].dtype and a[k].tobytes() == b[k].tobytes()
    rebuilt = check_project_model(loaded)
    x = np.random.default_rng(0).random((2, 1, 5, 5), dtype=np.float32)
    np.testing.assert_array_equal(rebuilt.predict(x), model.predict(x))
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]


def test_project_without_weights(tmp_path):
    project = Project(spec=[{"type": "dense", "unit": 3}], input_shape=(2,))
    save_project(tmp_path / "p.vnn", project)
    loaded = load_project(tmp_path / "p.vnn")
    assert loaded.weights is None and loaded.spec == project.spec  # invalid specs are kept


def test_failed_save_keeps_the_old_file(tmp_path):
    _, project = make_project()
    path = tmp_path / "p.vnn"
    save_project(path, project)
    before = path.read_bytes()
    project.config = {"bad": object()}
    with pytest.raises(ProjectError, match="plain data"):
        save_project(path, project)
    assert path.read_bytes() == before
    with pytest.raises(ProjectError, match="cannot save"):
        save_project(tmp_path / "missing-dir" / "p.vnn", make_project()[1])
    assert sorted(os.listdir(tmp_path)) == ["p.vnn"]


@pytest.mark.parametrize(
    "content, match",
    [
        (b"this is not a zip file at all", "not a visualnn project or it is damaged"),
        (b"", "not a visualnn project or it is damaged"),
    ],
)
def test_corrupt_file(tmp_path, content, match):
    path = tmp_path / "bad.vnn"
    path.write_bytes(content)
    with pytest.raises(ProjectError, match=match):
        load_project(path)


def test_truncated_file(tmp_path):
    _, project = make_project()
    path = tmp_path / "p.vnn"
    save_project(path, project)
    data = path.read_bytes()
    for cut in (len(data) // 2, len(data) - 10, 30):
        path.write_bytes(data[:cut])
        with pytest.raises(ProjectError, match="cannot open p.vnn"):
            load_project(path)


def test_newer_schema_is_refused_with_versions(tmp_path):
    members = good_members(tmp_path)
    doc = json.loads(members["project.json"])
    doc["schema_version"] = 3
    members["project.json"] = json.dumps(doc)
    write_zip(tmp_path / "new.vnn", members)
    with pytest.raises(ProjectError) as info:
        load_project(tmp_path / "new.vnn")
    assert str(info.value) == (
        f"this project was saved by a newer visualnn (schema 3); this version reads up to "
        f"schema {SCHEMA_VERSION}"
    )


def test_pickle_in_npz_is_refused(tmp_path):
    members = good_members(tmp_path)
    buf = io.BytesIO()
    np.savez(buf, **{"L0.weight": np.array([{"evil": 1}], dtype=object)})
    members["weights.npz"] = buf.getvalue()
    write_zip(tmp_path / "pickle.vnn", members)
    with pytest.raises(ProjectError, match="pickled Python objects"):
        load_project(tmp_path / "pickle.vnn")


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda m: m.pop("project.json"), "no project.json"),
        (lambda m: m.pop("weights.npz"), "weights.npz"),
        (lambda m: m.update({"project.json": b"{not json"}), "project.json is damaged"),
        (lambda m: m.update({"project.json": b"[1, 2]"}), "does not hold a project"),
        (lambda m: m.update({"project.json": b'{"spec": []}'}), "schema_version"),
        (lambda m: m.update({"weights.npz": b"garbage"}), "weights are damaged"),
    ],
)
def test_missing_or_damaged_members(tmp_path, change, match):
    members = good_members(tmp_path)
    change(members)
    write_zip(tmp_path / "bad.vnn", members)
    with pytest.raises(ProjectError, match=match):
        load_project(tmp_path / "bad.vnn")


def test_unexpected_weight_key_and_mismatched_weights(tmp_path):
    members = good_members(tmp_path)
    buf = io.BytesIO()
    np.savez(buf, **{"L9.weight": np.zeros(3)})
    members["weights.npz"] = buf.getvalue()
    write_zip(tmp_path / "bad.vnn", members)
    with pytest.raises(ProjectError, match="unexpected array 'L9.weight'"):
        load_project(tmp_path / "bad.vnn")
    buf = io.BytesIO()
    np.savez(buf, **{"L0.weight": np.zeros((1, 1, 3, 3)), "L0.bias": np.zeros(1)})
    members["weights.npz"] = buf.getvalue()
    write_zip(tmp_path / "bad2.vnn", members)
    # Found at load, not later when the window builds the network.
    with pytest.raises(ProjectError, match="weight of layer 1 has shape 1x1x3x3 but the net"):
        load_project(tmp_path / "bad2.vnn")


def test_oversized_member_and_zip_bomb(tmp_path, monkeypatch):
    members = good_members(tmp_path)
    bomb = dict(members)
    bomb["padding.bin"] = b"\0" * (3 * 2**20)  # 3 MB of zeros deflate to a few KB
    write_zip(tmp_path / "bomb.vnn", bomb)
    with pytest.raises(ProjectError, match="suspiciously compressed"):
        load_project(tmp_path / "bomb.vnn")
    write_zip(tmp_path / "ok.vnn", members)
    monkeypatch.setattr(project_mod, "MAX_MEMBER_BYTES", 100)
    with pytest.raises(ProjectError, match="would unpack to"):
        load_project(tmp_path / "ok.vnn")


def test_failed_load_changes_nothing(tmp_path):
    model, project = make_project()
    path = tmp_path / "p.vnn"
    save_project(path, project)
    current = load_project(path)
    weights_before = [{k: v.copy() for k, v in w.items()} for w in current.weights]
    before = path.read_bytes()
    (tmp_path / "bad.vnn").write_bytes(before[: len(before) // 3])
    with pytest.raises(ProjectError):
        current = load_project(tmp_path / "bad.vnn")
    assert path.read_bytes() == before
    for a, b in zip(current.weights, weights_before, strict=True):
        for k in a:
            np.testing.assert_array_equal(a[k], b[k])


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ProjectError, match="no such file"):
        load_project(tmp_path / "nope.vnn")
    with pytest.raises(ProjectError, match="cannot open"):
        load_project(tmp_path)


def test_older_schema_is_migrated(tmp_path, monkeypatch):
    _, project = make_project()
    save_project(tmp_path / "old.vnn", project)  # written as schema 2

    def two_to_three(doc):
        doc["meta"] = {**doc["meta"], "migrated": True}
        return doc

    monkeypatch.setattr(project_mod, "SCHEMA_VERSION", 3)
    monkeypatch.setattr(project_mod, "MIGRATIONS", {**project_mod.MIGRATIONS, 2: two_to_three})
    loaded = load_project(tmp_path / "old.vnn")
    assert loaded.meta["migrated"] is True and loaded.weights is not None
    monkeypatch.setattr(project_mod, "MIGRATIONS", {})
    with pytest.raises(ProjectError, match="schema 2 can no longer be read"):
        load_project(tmp_path / "old.vnn")
