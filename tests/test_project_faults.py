"""Bad project files are refused whole at load, in one plain sentence; saving leaves no litter.

Each test injects one fault (a crafted value, header, nesting, file type, interrupted save)
and checks what the user sees: a ``ProjectError`` message, never a traceback of another
type, or for non-finite weights a project that opens with a warning.
"""

import io
import json
import os
import stat
import struct
import time
import zipfile

import numpy as np
import pytest
from test_project import SPEC, good_members, make_project, write_zip

from visualnn import project_files
from visualnn.engine import TrainConfig
from visualnn.project import (
    Project,
    ProjectError,
    load_project,
    non_finite_weights,
    save_project,
)
from visualnn.project_checks import json_depth


def with_doc(tmp_path, change, name="bad.vnn"):
    """A good project whose project.json went through ``change(doc)``."""
    members = good_members(tmp_path)
    doc = json.loads(members["project.json"])
    change(doc)
    members["project.json"] = json.dumps(doc)
    write_zip(tmp_path / name, members)
    return tmp_path / name


def schema_one(doc, **options):
    """What a schema-1 window wrote: betas and nesterov in meta, not in the config."""
    doc["schema_version"] = 1
    for key in ("nesterov", "betas"):
        doc["config"].pop(key)
    doc["meta"]["optimizer_options"] = options


def refused(path, *words):
    with pytest.raises(ProjectError) as info:
        load_project(path)
    text = str(info.value)
    assert text.startswith(f"cannot open {path.name}") or "newer visualnn" in text
    assert "\n" not in text and "Traceback" not in text
    for word in words:
        assert word in text, text
    return text


# --- every field is checked --------------------------------------------------------------
def test_schema_one_options_move_into_the_config(tmp_path):
    path = with_doc(tmp_path, lambda d: schema_one(d, nesterov=True, betas=[0.8, 0.99]))
    loaded = load_project(path)
    assert loaded.config["nesterov"] is True and loaded.config["betas"] == [0.8, 0.99]
    assert "optimizer_options" not in loaded.meta
    assert TrainConfig.from_dict(loaded.config).optimizer_kwargs("adam") == {"betas": (0.8, 0.99)}


@pytest.mark.parametrize(
    "options, words",
    [
        ({"betas": 5}, ["betas must be two numbers"]),
        ({"nesterov": "yes"}, ["nesterov must be true or false"]),
        ({"betas": [0.9, 1.5]}, ["betas"]),
        ({"warp": 9}, ["unknown training setting", "warp"]),
    ],
)
def test_bad_schema_one_options_are_refused(tmp_path, options, words):
    refused(with_doc(tmp_path, lambda d: schema_one(d, **options)), *words)


def test_bad_optimizer_options_in_a_current_file_are_refused(tmp_path):
    path = with_doc(tmp_path, lambda d: d["meta"].update(optimizer_options={"betas": 5}))
    refused(path, "optimizer options", "betas")


@pytest.mark.parametrize(
    "key, value, words",
    [
        ("lr", "fast", ["lr"]),
        ("lr", float("inf"), ["lr"]),
        ("momentum", "x", ["momentum"]),
        ("weight_decay", -1, ["weight_decay"]),
        ("batch_size", 2.5, ["batch_size"]),
        ("epochs", True, ["epochs"]),
        ("shuffle", 3, ["shuffle", "true or false"]),
        ("val_split", "a", ["val_split"]),
        ("val_split", 0.9, ["val_split"]),
        ("clip_norm", -2, ["clip_norm"]),
        ("seed", -1, ["seed"]),
        ("optimizer", "adamw", ["unknown optimizer"]),
        ("loss", ["mse"], ["loss"]),
        ("colour", "red", ["unknown training setting", "colour"]),
    ],
)
def test_training_settings_of_the_wrong_kind_are_refused(tmp_path, key, value, words):
    refused(with_doc(tmp_path, lambda d: d["config"].update({key: value})), *words)


@pytest.mark.parametrize(
    "history, words",
    [
        (["x", 3], ["epoch 1 of the history", "not a report"]),
        ([{"epoch": 1, "train_loss": "low"}], ["train_loss", "not a finite number"]),
        ([{"epoch": 1, "train_loss": float("nan")}], ["train_loss", "not a finite number"]),
        ([{"epoch": 1}, {"epoch": True}], ["epoch 2", "epoch"]),
        ([{"epoch": 1, "mood": 2}], ["unknown entries mood"]),
        ({"epoch": 1}, ["history should be a list"]),
    ],
)
def test_bad_history_is_refused(tmp_path, history, words):
    refused(with_doc(tmp_path, lambda d: d.update(history=history)), *words)


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda d: d.update(class_names=["cat", 3]), ["class names"]),
        (lambda d: d.update(class_names="cat"), ["class names"]),
        (lambda d: d.update(input_transform=[1]), ["input_transform"]),
        (lambda d: d.update(input_transform={"n_fft": "big"}), ["n_fft"]),
        (lambda d: d.update(input_transform={"zoom": 2}), ["unknown entries zoom"]),
        (lambda d: d.update(input_transform={"seconds": float("nan")}), ["seconds"]),
        (lambda d: d.update(input_transform={"norm": {"mean": [0], "std": []}}), ["norm"]),
        (lambda d: d.update(task="poetry"), ["classification or regression"]),
        (lambda d: d.update(seed=1.5), ["seed"]),
        (lambda d: d.update(dataset={"name": "xor", "params": {"colour": 1}}), ["colour"]),
        (lambda d: d.update(dataset={"name": 3}), ["name should be text"]),
        (lambda d: d.update(dataset="xor"), ["data set"]),
        (lambda d: d["meta"].update(preset=7), ["preset"]),
        (lambda d: d.update(meta=[]), ["meta"]),
        (lambda d: d.update(input_shape=[0, 5, 5]), ["input shape"]),
        (lambda d: d.update(input_shape=[1, 5, 5, 5, 5]), ["input shape"]),
        (lambda d: d.update(num_layers=2), ["layer count"]),
        (lambda d: d.update(num_layers="3"), ["layer count"]),
        (lambda d: d.update(spec=[{"type": "dense", "units": 3}]), ["layer count"]),
    ],
)
def test_bad_fields_are_refused(tmp_path, change, words):
    refused(with_doc(tmp_path, change), *words)


def test_a_network_that_cannot_be_built_with_its_weights_is_refused(tmp_path):
    def change(doc):
        doc["spec"][0]["kernel_size"] = 7  # does not fit a 5x5 input any more

    refused(with_doc(tmp_path, change), "cannot be built", "layer 1")


def test_missing_or_extra_weights_are_refused(tmp_path):
    members = good_members(tmp_path)
    model, _ = make_project()
    weights = model.get_weights()
    arrays = {f"L{i}.{k}": v for i, w in enumerate(weights) for k, v in w.items()}
    arrays.pop("L2.bias")
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    members["weights.npz"] = buf.getvalue()
    write_zip(tmp_path / "bad.vnn", members)
    refused(tmp_path / "bad.vnn", "weights of layer 3 (bias) are missing")
    arrays["L1.weight"] = np.zeros(3)  # Flatten has no weights
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    members["weights.npz"] = buf.getvalue()
    write_zip(tmp_path / "bad.vnn", members)
    refused(tmp_path / "bad.vnn", "unexpected array 'L1.weight'")


def test_a_project_that_loads_builds(tmp_path):
    _, project = make_project()
    save_project(tmp_path / "p.vnn", project)
    loaded = load_project(tmp_path / "p.vnn")
    assert loaded.warnings == [] and non_finite_weights(loaded) == []
    assert loaded.build_model().layers[0].params["weight"].shape == (2, 1, 3, 3)


# --- crafted files -------------------------------------------------------------------------
def npy_claiming(shape, payload=b"\0" * 64, dtype="<f4"):
    """An .npy member whose header claims ``shape`` whatever data follows."""
    header = f"{{'descr': '{dtype}', 'fortran_order': False, 'shape': {shape!r}, }}"
    header = header.encode("latin1")
    pad = 64 - (10 + len(header) + 1) % 64
    header += b" " * pad + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + payload


def npz_with(tmp_path, replace):
    model, _ = make_project()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i, w in enumerate(model.get_weights()):
            for k, v in w.items():
                name = f"L{i}.{k}.npy"
                if name in replace:
                    zf.writestr(name, replace[name])
                else:
                    one = io.BytesIO()
                    np.save(one, v)
                    zf.writestr(name, one.getvalue())
    members = good_members(tmp_path)
    members["weights.npz"] = buf.getvalue()
    write_zip(tmp_path / "crafted.vnn", members)
    return tmp_path / "crafted.vnn"


def test_a_header_claiming_a_terabyte_is_refused_before_reading(tmp_path):
    path = npz_with(tmp_path, {"L2.bias.npy": npy_claiming((10**12,))})
    refused(path, "bias of layer 3 has shape 1000000000000", "needs 3")


def test_a_header_promising_more_data_than_stored_is_refused(tmp_path):
    path = npz_with(tmp_path, {"L2.bias.npy": npy_claiming((3,), payload=b"\0" * 8)})
    refused(path, "weights are damaged", "holds 8 bytes", "promises 12")


def test_a_header_of_objects_is_refused_as_pickle(tmp_path):
    path = npz_with(tmp_path, {"L2.bias.npy": npy_claiming((3,), dtype="|O")})
    refused(path, "pickled Python objects")


def test_a_header_of_text_is_refused(tmp_path):
    path = npz_with(tmp_path, {"L2.bias.npy": npy_claiming((3,), dtype="<U1")})
    refused(path, "not numbers")


def test_deeply_nested_json_is_refused_before_parsing(tmp_path):
    members = good_members(tmp_path)
    members["project.json"] = "[" * 100_000 + "]" * 100_000
    write_zip(tmp_path / "deep.vnn", members)
    refused(tmp_path / "deep.vnn", "nested 100000 levels deep")


def test_json_depth_ignores_brackets_in_strings():
    assert json_depth('{"a": "[[[[{{{{", "b": [1, [2]], "c": "\\"]["}') == 3
    assert json_depth("") == 0


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_pipes_folders_and_devices_are_refused_at_once(tmp_path, kind):
    path = tmp_path / "thing.vnn"
    if kind == "fifo":
        os.mkfifo(path)  # opening it for reading would wait for a writer forever
        refused(path, "it is a pipe, not a project file")
    else:
        path.mkdir()
        refused(path, "it is a folder")


def test_dev_zero_is_refused_at_once():
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero on this platform")
    refused(project_files.Path("/dev/zero"), "it is a device, not a project file")


def test_non_finite_weights_open_with_a_warning(tmp_path):
    model, project = make_project()
    weights = model.get_weights()
    weights[0]["weight"][1, 0, 2, 2] = np.nan
    weights[2]["bias"][0] = np.inf
    project.weights = weights
    save_project(tmp_path / "nan.vnn", project)
    loaded = load_project(tmp_path / "nan.vnn")
    assert np.isnan(loaded.weights[0]["weight"][1, 0, 2, 2])
    assert loaded.warnings == non_finite_weights(loaded)
    assert len(loaded.warnings) == 2
    assert loaded.warnings[0].startswith("this project has non-finite weights in layer 1 (weight)")
    assert "layer 3 (bias)" in loaded.warnings[1] and "1 of 3 values" in loaded.warnings[1]


# --- saving --------------------------------------------------------------------------------
def test_a_saved_history_with_nan_loads(tmp_path):
    _, project = make_project()
    project.history = [{"epoch": 1, "train_loss": 0.5, "val_loss": float("nan")}]
    save_project(tmp_path / "p.vnn", project)
    assert load_project(tmp_path / "p.vnn").history == [
        {"epoch": 1, "train_loss": 0.5, "val_loss": None}
    ]
    assert np.isnan(project.history[0]["val_loss"])  # the open session keeps its own


def temps(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_an_interrupted_save_leaves_no_temporary_file(tmp_path, monkeypatch):
    _, project = make_project()
    path = tmp_path / "p.vnn"
    save_project(path, project)
    before = path.read_bytes()

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(project_files.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_project(path, project)
    assert temps(tmp_path) == [] and path.read_bytes() == before


def test_a_killed_save_is_cleaned_up_by_the_next_one(tmp_path):
    _, project = make_project()
    path = tmp_path / "p.vnn"
    stale = tmp_path / ".p.vnn.k1ll3d.tmp"  # what a process killed mid-save leaves
    fresh = tmp_path / ".p.vnn.l1ve.tmp"  # another save in progress right now: left alone
    other = tmp_path / ".q.vnn.k1ll3d.tmp"  # another file's: not ours to judge
    for p in (stale, fresh, other):
        p.write_bytes(b"half a project")
    old = time.time() - 3600
    for p in (stale, other):
        os.utime(p, (old, old))
    save_project(path, project)
    assert temps(tmp_path) == sorted([fresh.name, other.name])
    assert load_project(path).spec == SPEC


@pytest.mark.parametrize("mode", [0o644, 0o600, 0o664])
def test_saving_keeps_the_file_mode(tmp_path, mode):
    _, project = make_project()
    path = tmp_path / "p.vnn"
    save_project(path, project)
    os.chmod(path, mode)
    save_project(path, project)
    assert stat.S_IMODE(path.stat().st_mode) == mode


def test_a_new_file_gets_the_umask_default(tmp_path):
    _, project = make_project()
    old = os.umask(0o027)
    try:
        save_project(tmp_path / "new.vnn", project)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.vnn").stat().st_mode) == 0o640  # not mkstemp's 0600


def test_saving_through_a_symlink_writes_the_target(tmp_path):
    _, project = make_project()
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    target, link = real_dir / "p.vnn", tmp_path / "link.vnn"
    save_project(target, project)
    link.symlink_to(target)
    project.meta["title"] = "through the link"
    save_project(link, project)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert load_project(target).meta["title"] == "through the link"
    assert temps(tmp_path) == [] and temps(real_dir) == []


def test_a_project_without_weights_still_opens_when_its_spec_is_half_edited(tmp_path):
    project = Project(spec=[{"type": "conv2d", "out_channels": 2}], input_shape=(1, 5, 5))
    save_project(tmp_path / "p.vnn", project)
    assert load_project(tmp_path / "p.vnn").weights is None
