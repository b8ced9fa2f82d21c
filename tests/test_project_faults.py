"""Bad project files are refused whole at load, in one plain sentence; saving leaves no litter.

Each test injects one fault (a crafted value, header, nesting, file type, interrupted save)
and checks what the user sees: a ``ProjectError`` message, never a traceback of another
type, or for non-finite weights a project that opens with a warning.
"""

import io
import json

import numpy as np
import pytest
from test_project import good_members, make_project, write_zip

from visualnn.engine import TrainConfig
from visualnn.project import (
    ProjectError,
    load_project,
    save_project,
)


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
        (lambda d: d.update(input_transform={"normalise_level": "no"}), ["level", "true"]),
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
    assert loaded.warnings == []
    assert loaded.build_model().layers[0].params["weight"].shape == (2, 1, 3, 3)
