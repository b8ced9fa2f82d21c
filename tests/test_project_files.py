"""Crafted project files and interrupted saves: refused in words, no litter, nothing lost.

Headers that claim terabytes, JSON nested 100,000 deep, pipes and devices, non-finite
weights; saves interrupted or killed, file modes and symbolic links.
"""

import io
import os
import stat
import struct
import time
import zipfile

import numpy as np
import pytest
from test_project import SPEC, good_members, make_project, write_zip
from test_project_faults import refused

from visualnn import project_files
from visualnn.project import Project, load_project, save_project
from visualnn.project_checks import json_depth


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
