"""Models for the export tests and the reference they must match (visualnn's own output)."""

from __future__ import annotations

import importlib.util
import itertools
from typing import Any

import numpy as np

from visualnn.data import load_dataset
from visualnn.engine import Sequential, TrainConfig, Trainer
from visualnn.export import ExportNet, make_export_net
from visualnn.presets import get_preset
from visualnn.project import Project

TOL = 1e-5
_COUNTER = itertools.count()

#: name -> (spec, input_shape, loss, weight scale). Weights are scaled up from torch's small
#: default init so outputs are far from uniform: a wrong layer would show, not blur.
MODELS: dict[str, tuple[list[dict[str, Any]], tuple[int, ...], str | None, float]] = {
    "sound-conv1d": (
        [
            {"type": "conv1d", "out_channels": 16, "kernel_size": 5, "stride": 2},
            {"type": "relu"},
            {
                "type": "conv1d",
                "out_channels": 12,
                "kernel_size": 4,
                "padding": "same",
                "dilation": 2,
                "activation": "tanh",
            },
            {
                "type": "conv1d",
                "out_channels": 8,
                "kernel_size": 3,
                "stride": 3,
                "padding": 1,
                "activation": "leaky_relu",
            },
            {"type": "flatten"},
            {"type": "dropout", "p": 0.25},
            {"type": "dense", "units": 5, "activation": "softmax"},
        ],
        (40, 101),
        "cross_entropy",
        5.0,
    ),
    "conv2d-zoo": (
        [
            {
                "type": "conv2d",
                "out_channels": 4,
                "kernel_size": [2, 4],
                "padding": "same",
                "activation": "sigmoid",
            },
            {
                "type": "conv2d",
                "out_channels": 6,
                "kernel_size": 3,
                "stride": 2,
                "dilation": [1, 2],
                "padding": [1, 2],
                "activation": "leaky_relu",
            },
            {"type": "avgpool2d", "kernel_size": 3, "stride": 1, "padding": 1},
            {"type": "maxpool2d", "kernel_size": [2, 3], "stride": [1, 2], "padding": 1},
            {
                "type": "conv2d",
                "out_channels": 5,
                "kernel_size": 2,
                "padding": "same",
                "dilation": 3,
            },
            {"type": "leaky_relu", "negative_slope": 0.2},
            {"type": "conv2d", "out_channels": 3, "kernel_size": 1, "padding": "valid"},
            {"type": "flatten"},
            {"type": "dense", "units": 7, "activation": "tanh"},
            {"type": "dense", "units": 4},
            {"type": "softmax"},
        ],
        (3, 13, 11),
        "cross_entropy",
        5.0,
    ),
    # Not cross-entropy: the final softmax is part of what the network computes.
    "activations-mse": (
        [
            {"type": "dense", "units": 6, "activation": "relu"},
            {"type": "sigmoid"},
            {"type": "dense", "units": 6, "activation": "leaky_relu"},
            {"type": "tanh"},
            {"type": "dense", "units": 5, "activation": "linear"},
            {"type": "identity"},
            {"type": "relu"},
            {"type": "dense", "units": 3, "activation": "softmax"},
        ],
        (4,),
        "mse",
        5.0,
    ),
    # A softmax over the channels of a feature map, and activations as layers on 4-D input.
    "softmax-channels": (
        [
            {"type": "conv2d", "out_channels": 3, "kernel_size": 3},
            {"type": "softmax"},
            {"type": "sigmoid"},
            {"type": "conv2d", "out_channels": 4, "kernel_size": 2, "stride": 2},
            {"type": "tanh"},
            {"type": "flatten"},
            {"type": "dense", "units": 3},
        ],
        (2, 7, 9),
        None,
        5.0,
    ),
    # The CRNN's bridge: a Conv2D's channels x bands merged into one axis, time kept.
    "conv-to-sequence": (
        [
            {"type": "conv2d", "out_channels": 3, "kernel_size": 3, "padding": "same"},
            {"type": "maxpool2d", "kernel_size": 2},
            {"type": "flatten", "start_dim": 1, "end_dim": 2},
            {"type": "gru", "hidden_size": 4, "return_sequences": True},
            {"type": "flatten", "start_dim": 1, "end_dim": -2},
            {"type": "flatten"},
            {"type": "dense", "units": 3},
        ],
        (2, 6, 9),
        None,
        5.0,
    ),
    "sigmoid-bce": (
        [
            {"type": "dense", "units": 4, "activation": "tanh"},
            {"type": "dense", "units": 1, "activation": "sigmoid"},
        ],
        (3,),
        "bce",
        5.0,
    ),
}


def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over axis 1, in float64."""
    z = np.asarray(z, np.float64)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def build(name: str, seed: int = 0) -> Sequential:
    """The model ``MODELS[name]`` with scaled seeded weights and its loss set."""
    spec, shape, loss, scale = MODELS[name]
    model = Sequential.from_spec(spec, shape, seed=seed)
    model.set_weights([{k: v * scale for k, v in w.items()} for w in model.get_weights()])
    model.loss = loss
    return model


def train_preset(name: str, epochs: int = 3) -> tuple[Sequential, np.ndarray]:
    """A preset trained a few epochs, and its real test inputs."""
    preset = get_preset(name)
    data = load_dataset(preset.dataset, **preset.dataset_params)
    model = preset.build_model()
    config = TrainConfig.from_dict({**preset.config.to_dict(), "epochs": epochs})
    Trainer(model, (data.x_train, data.y_train), None, config).run()
    model.loss = config.loss
    return model, data.x_test.astype(np.float32)


def export_net(model: Sequential, **info: Any) -> ExportNet:
    """The ``ExportNet`` of an engine model (as ``from_project`` makes it)."""
    return make_export_net(
        model.to_spec(), model.get_weights(), model.input_shape, loss=model.loss, **info
    )


def project_of(model: Sequential, **kw: Any) -> Project:
    """A project holding ``model`` and its loss."""
    return Project.from_model(model, config={"loss": model.loss}, **kw)


def as_probabilities(out: np.ndarray, output: str) -> np.ndarray:
    """What visualnn's ``predict`` gives from an exported output (softmax of logits)."""
    return softmax(out) if output == "logits" else np.asarray(out, np.float64)


def random_inputs(shape: tuple[int, ...], n: int = 48, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, *shape)).astype(np.float32)


def compare(got: np.ndarray, model: Sequential, x: np.ndarray) -> float:
    """Assert ``got`` (probabilities) equals ``model.predict(x)``; returns the max abs diff."""
    want = model.predict(x)
    assert got.shape == want.shape
    diff = float(np.abs(got - want).max())
    assert diff < TOL, diff
    assert (got.argmax(axis=1) == want.argmax(axis=1)).all()
    return diff


def load_module(path, name: str | None = None):
    """Import an exported ``OUT.py`` by path, under a name no other test uses."""
    name = name or f"{path.stem}_{next(_COUNTER)}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: (kind, bidirectional, return_sequences, nonlinearity) for every recurrent variant.
RECURRENT_CASES = [
    (kind, bi, seq, nl)
    for kind in ("rnn", "gru", "lstm")
    for bi in (False, True)
    for seq in (False, True)
    for nl in (("tanh", "relu") if kind == "rnn" else ("tanh",))
]
NEEDS_RECURRENT = "visualnn's recurrent layers (rnn, gru, lstm) are not in visualnn.engine yet"


def recurrent_layer(kind: str, hidden: int, bi: bool, seq: bool, nl: str) -> dict[str, Any]:
    """A recurrent layer's spec dict, every setting spelled out."""
    layer = {"type": kind, "hidden_size": hidden, "bidirectional": bi, "return_sequences": seq}
    if kind == "rnn":
        layer["nonlinearity"] = nl
    return layer


def case_id(case: tuple) -> str:
    kind, bi, seq, nl = case
    return f"{kind}{'-' + nl if kind == 'rnn' else ''}{'-bi' if bi else ''}{'-seq' if seq else ''}"
