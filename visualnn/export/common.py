"""What both exporters share: the network as plain (settings, weights) pairs, and safe writes.

An ``ExportNet`` is deliberately independent of the engine's layer objects: each layer is its
spec dict plus a dict of float32 arrays named as in torch (``weight``, ``bias``,
``weight_ih_l0``...). The exporters read only that, so a layer type can be exported (and
tested against torch) from a plain description before the engine has it.
"""

from __future__ import annotations

import inspect
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from visualnn.engine import LAYER_TYPES

#: Layer types whose parameters are the torch RNN family's (gate blocks, ``*_reverse``).
RECURRENT_TYPES = ("rnn", "gru", "lstm")


class ExportError(Exception):
    """A network or a destination that cannot be exported, explained in one sentence."""


@dataclass
class ExportNet:
    """A network ready to be written out.

    Attributes
    ----------
    layers : list of (dict, dict)
        Per layer its spec dict (``{"type": "conv2d", "out_channels": 8, ...}``) and its
        parameters as float32 arrays, e.g. ``weight`` (out, in, kh, kw) and ``bias`` (out,).
    input_shape : tuple of int
        One sample, e.g. ``(1, 8, 8)``; the batch axis comes in front.
    output : str
        ``"logits"`` when the project trains with cross-entropy (apply a softmax over axis 1
        for probabilities), else ``"output"`` (exactly what the network computes).
    dropped_softmax : bool
        Whether a final softmax was left out (it is fused into cross-entropy in training).
    """

    layers: list[tuple[dict[str, Any], dict[str, np.ndarray]]]
    input_shape: tuple[int, ...]
    output: str = "output"
    dropped_softmax: bool = False
    class_names: list[str] = field(default_factory=list)
    input_transform: dict[str, Any] | None = None
    task: str = "classification"
    loss: str | None = None
    title: str = "network"
    spec: list[dict[str, Any]] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    output_shape: tuple[int, ...] = ()


def setting(layer: dict[str, Any], key: str, fallback: Any = None) -> Any:
    """A layer setting: the spec's value, else the engine constructor's default, else fallback.

    Specs leave settings at their default out (``Conv2D.config()`` omits ``padding=0``), so
    the default must come from the engine itself, not from a guess here.
    """
    if key in layer:
        return layer[key]
    cls = LAYER_TYPES.get(layer.get("type"))
    if cls is not None:
        param = inspect.signature(cls.__init__).parameters.get(key)
        if param is not None and param.default is not inspect.Parameter.empty:
            return param.default
    return fallback


def ends_in_softmax(spec: list[dict[str, Any]]) -> bool:
    """Whether the last layer is a softmax layer or has ``activation="softmax"``."""
    last = spec[-1] if spec else {}
    return last.get("type") == "softmax" or last.get("activation") == "softmax"


def make_export_net(
    spec: list[dict[str, Any]],
    weights: list[dict[str, np.ndarray]],
    input_shape: tuple[int, ...],
    loss: str | None = None,
    **info: Any,
) -> ExportNet:
    """Pair each layer with its float32 weights and leave out a softmax fused into the loss.

    Parameters
    ----------
    spec : list of dict
        Layer dicts as in a project.
    weights : list of dict
        One dict of arrays per layer (empty for parameter-free layers).
    input_shape : tuple of int
        One sample.
    loss : str or None
        The training loss; with ``"cross_entropy"`` a final softmax is dropped, so the
        output is the logits the loss was computed from.
    **info
        Other ``ExportNet`` fields (class_names, input_transform, task, title, config).
    """
    if len(spec) != len(weights):
        raise ExportError(f"the spec has {len(spec)} layers but the weights {len(weights)}")
    layers = [
        (dict(d), {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in w.items()})
        for d, w in zip(spec, weights, strict=True)
    ]
    dropped = loss == "cross_entropy" and ends_in_softmax(spec)
    if dropped:
        last, params = layers[-1]
        if last.get("type") == "softmax":
            layers.pop()
        else:
            layers[-1] = ({k: v for k, v in last.items() if k != "activation"}, params)
    output = "logits" if loss == "cross_entropy" else "output"
    return ExportNet(
        layers,
        tuple(int(s) for s in input_shape),
        output=output,
        dropped_softmax=dropped,
        loss=loss,
        spec=[dict(d) for d in spec],
        **info,
    )


def from_project(project: Any) -> ExportNet:
    """The ``ExportNet`` of a loaded ``Project``; ``ExportError`` if it cannot be built.

    Building the engine model checks the spec and that the weights fit it; a project that
    was never trained exports its seeded initial weights.
    """
    from visualnn.project import ProjectError, check_project_model

    try:
        model = check_project_model(project)
    except ProjectError as e:
        raise ExportError(str(e)) from None
    title = str(project.meta.get("title") or "network")
    return make_export_net(
        model.to_spec(),
        model.get_weights(),
        tuple(model.input_shape),
        loss=project.config.get("loss"),
        class_names=list(project.class_names),
        input_transform=project.input_transform,
        task=project.task,
        title=title,
        config=dict(project.config),
        output_shape=tuple(model.output_shape),
    )


def write_atomic(files: dict[Path, bytes]) -> None:
    """Write every file through a temp file in its folder, then ``os.replace`` them all.

    Nothing is replaced until every temp file is complete, so a failure (full disk, missing
    folder) leaves the old files as they were and no temp file behind.

    Raises
    ------
    ExportError
        With the path and the reason in words.
    """
    temps: dict[Path, str] = {}
    path = next(iter(files))
    try:
        for path, data in files.items():
            folder = path.parent
            if not folder.is_dir():
                what = "is not a folder" if folder.exists() else "does not exist"
                raise ExportError(f"cannot write {path}: the folder {folder} {what}")
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
            temps[path] = tmp
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        for path, tmp in temps.items():  # noqa: B007 - ``path`` names the file in errors
            os.replace(tmp, path)
    except OSError as e:
        raise ExportError(f"cannot write {path}: {e.strerror or e}") from None
    finally:
        for tmp in temps.values():
            if os.path.exists(tmp):
                os.unlink(tmp)
