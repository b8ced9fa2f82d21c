"""The ``.vnn`` project file: a zip of ``project.json`` and ``weights.npz``.

Written atomically (see :mod:`visualnn.project_files`); read defensively and validated
completely: only regular files are opened, sizes and JSON depth are checked before anything
is decompressed or parsed, every field is checked (:mod:`visualnn.project_checks`), the
network is built and each weight's header is compared with it before the weight is read
(:mod:`visualnn.project_weights`), and a newer schema is refused in words. Loading is pure:
it returns a valid ``Project`` or raises ``ProjectError``, so a failed load cannot touch the
open session.
"""

from __future__ import annotations

import json
import os
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from visualnn.engine import Sequential, SpecError
from visualnn.project_checks import (
    ProjectError,
    check_document,
    check_json_depth,
    finite_or_none,
    options_into_config,
)
from visualnn.project_files import NotRegularFile, atomic_write, open_regular
from visualnn.project_weights import check_sizes, non_finite, read_weights, weights_bytes

SCHEMA_VERSION = 2
MAX_MEMBER_BYTES = 200 * 1024 * 1024  # no sane network of this app comes near it
MAX_FILE_BYTES = 2 * MAX_MEMBER_BYTES


@dataclass
class Project:
    """Everything needed to reopen a piece of work.

    Attributes
    ----------
    spec : list of dict
        Layer dicts (may be invalid: a half-edited network can be saved).
    input_shape : tuple of int
    config : dict
        ``TrainConfig.to_dict()``.
    dataset : dict
        ``{"name": ..., "params": {...}}``.
    history : list of dict
        ``EpochReport`` dicts.
    weights : list of dict or None
        One dict per layer, ``{"weight": ndarray, "bias": ndarray}`` or empty; None when the
        network was never built.
    seed : int
    meta : dict
        ``created``, ``modified``, ``app_version``, free text such as ``title``.
    task : str
        "classification" or "regression".
    class_names : list of str
        One name per output class (empty for regression or unnamed classes).
    input_transform : dict or None
        For models fed by sound: feature settings and normalisation ``norm`` (keys in
        ``project_checks.check_input_transform``). None: the input is used as it is.
    sounds : bytes or None
        The clips of a sound data set (``SoundClips.to_bytes``), so the project retrains
        anywhere; stored as ``sounds.npz`` in the file.
    warnings : list of str
        Found at load, not saved: sentences for the window, e.g. "this project has
        non-finite weights in layer 3 (weight): ...". The project still opens.
    """

    spec: list[dict[str, Any]]
    input_shape: tuple[int, ...]
    config: dict[str, Any] = field(default_factory=dict)
    dataset: dict[str, Any] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)
    weights: list[dict[str, np.ndarray]] | None = None
    seed: int = 0
    meta: dict[str, Any] = field(default_factory=dict)
    task: str = "classification"
    class_names: list[str] = field(default_factory=list)
    input_transform: dict[str, Any] | None = None
    sounds: bytes | None = None
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def from_model(cls, model: Sequential, **kw: Any) -> Project:
        """A project holding ``model``'s spec, seed and a copy of its weights."""
        shape, weights = tuple(model.input_shape), model.get_weights()
        return cls(spec=model.to_spec(), input_shape=shape, weights=weights, seed=model.seed, **kw)

    def build_model(self) -> Sequential:
        """The network with the saved weights; ``SpecError`` if spec and weights disagree."""
        model = Sequential.from_spec(self.spec, self.input_shape, seed=self.seed)
        if self.weights is not None:
            model.set_weights(self.weights)
        model.loss = self.config.get("loss")
        return model


def app_version() -> str:
    from visualnn import __version__

    return __version__


# --- writing ----------------------------------------------------------------------------
def save_project(path: str | os.PathLike, project: Project) -> None:
    """Write ``project`` to ``path`` atomically: the old file survives any failure.

    The file keeps its permission mode; a symbolic link keeps pointing at the saved file.

    Raises
    ------
    ProjectError
        When the folder cannot be written, with the reason.
    """
    path = Path(path)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    meta = {"created": now, **project.meta, "modified": now, "app_version": app_version()}
    doc = {
        "schema_version": SCHEMA_VERSION,
        "spec": project.spec,
        "input_shape": list(project.input_shape),
        "config": project.config,
        "dataset": project.dataset,
        "task": project.task,
        "seed": project.seed,
        "history": [finite_or_none(h) for h in project.history],
        "num_layers": None if project.weights is None else len(project.weights),
        "class_names": list(project.class_names),
        "input_transform": project.input_transform,
        "meta": meta,
    }
    try:
        text = json.dumps(doc, indent=1, allow_nan=True)
    except (TypeError, ValueError) as e:
        raise ProjectError(f"cannot save the project: a setting is not plain data ({e})") from None
    weights = weights_bytes(project.weights or [])

    def write(f) -> None:
        with zipfile.ZipFile(f, "w") as zf:
            zf.writestr("project.json", text, compress_type=zipfile.ZIP_DEFLATED)
            # npz arrays barely compress; storing them keeps the bomb check meaningful.
            zf.writestr("weights.npz", weights, compress_type=zipfile.ZIP_STORED)
            if project.sounds:
                zf.writestr("sounds.npz", project.sounds, compress_type=zipfile.ZIP_STORED)

    try:
        atomic_write(path, write)
    except OSError as e:
        raise ProjectError(f"cannot save {path}: {e.strerror or e}") from None
    project.meta = meta


# --- reading ----------------------------------------------------------------------------
# MIGRATIONS[v] turns a schema-v document into schema v + 1; when the format changes, bump
# SCHEMA_VERSION and add the step from the old one.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: options_into_config}


def migrate(doc: dict[str, Any]) -> dict[str, Any]:
    """Bring a project document of an older schema up to ``SCHEMA_VERSION``, step by step."""
    version = doc["schema_version"]
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise ProjectError(f"projects of schema {version} can no longer be read")
        doc = step(dict(doc))
        version = doc["schema_version"] = version + 1
    return doc


def _parse(text: str, what: str) -> dict[str, Any]:
    """project.json -> a migrated, fully checked document."""
    check_json_depth(text, what)
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as e:
        raise ProjectError(f"{what}: project.json is damaged ({e})") from None
    if not isinstance(doc, dict):
        raise ProjectError(f"{what}: project.json does not hold a project")
    version = doc.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ProjectError(f"{what}: project.json has no valid schema_version")
    if version > SCHEMA_VERSION:
        raise ProjectError(
            f"this project was saved by a newer visualnn (schema {version}); this version "
            f"reads up to schema {SCHEMA_VERSION}"
        )
    try:
        doc = migrate(doc)
    except ProjectError as e:
        raise ProjectError(f"{what}: {e}") from None
    check_document(doc, what)
    return doc


def _doc_to_project(doc: dict[str, Any]) -> Project:
    return Project(
        spec=doc["spec"],
        input_shape=tuple(doc["input_shape"]),
        config=doc.get("config", {}),
        dataset=doc.get("dataset", {}),
        history=doc.get("history", []),
        seed=doc.get("seed", 0),
        meta=doc.get("meta", {}),
        task=doc.get("task", "classification"),
        class_names=list(doc.get("class_names", [])),
        input_transform=doc.get("input_transform"),
    )


def _load_weights(zf: zipfile.ZipFile, project: Project, what: str) -> None:
    """Build the network, read weights shaped as it needs, set them: all or nothing."""
    if "weights.npz" not in zf.namelist():
        raise ProjectError(f"{what}: the weights (weights.npz) are missing")
    try:
        model = Sequential.from_spec(project.spec, project.input_shape, seed=project.seed)
    except SpecError as e:
        raise ProjectError(f"{what}: the project's network cannot be built: {e}") from None
    expected = [{k: v.shape for k, v in layer.params.items()} for layer in model.layers]
    weights = read_weights(zf.read("weights.npz"), expected, what, MAX_MEMBER_BYTES)
    try:
        model.set_weights(weights)
    except SpecError as e:
        raise ProjectError(f"{what}: the project's network cannot be built: {e}") from None
    project.weights = weights
    project.warnings = non_finite(weights)


def load_project(path: str | os.PathLike) -> Project:
    """Read a ``.vnn`` file into a fully valid ``Project``.

    When it has weights, its network is built and the weights set on it here, so
    ``project.build_model()`` cannot fail afterwards. Non-finite weights do not stop the
    project from opening; ``project.warnings`` says where they are.

    Raises
    ------
    ProjectError
        Missing, unreadable, non-regular (folder, pipe, device), corrupt, truncated,
        oversized, too deeply nested, pickled, inconsistent or newer-schema files, each with
        a one-sentence message.
    """
    path = Path(path)
    what = f"cannot open {path.name}"
    try:
        fh, size = open_regular(path)
        with fh:
            if size > MAX_FILE_BYTES:
                mb = size / 2**20
                raise ProjectError(f"{what}: the file is {mb:.0f} MB, too big for a project")
            with zipfile.ZipFile(fh) as zf:
                check_sizes(zf, what, MAX_MEMBER_BYTES)
                if "project.json" not in zf.namelist():
                    raise ProjectError(f"{what}: it is not a visualnn project (no project.json)")
                try:
                    text = zf.read("project.json").decode("utf-8")
                except UnicodeDecodeError as e:
                    raise ProjectError(f"{what}: project.json is damaged ({e})") from None
                doc = _parse(text, what)
                project = _doc_to_project(doc)
                if doc.get("num_layers") is not None:
                    _load_weights(zf, project, what)
                if "sounds.npz" in zf.namelist():
                    project.sounds = zf.read("sounds.npz")
    except NotRegularFile as e:
        raise ProjectError(f"{what}: it is {e.kind}, not a project file") from None
    except FileNotFoundError:
        raise ProjectError(f"{what}: no such file") from None
    except IsADirectoryError:
        raise ProjectError(f"{what}: it is a folder, not a file") from None
    except PermissionError:
        raise ProjectError(f"{what}: permission denied") from None
    except zipfile.BadZipFile:
        raise ProjectError(f"{what}: it is not a visualnn project or it is damaged") from None
    except (OSError, EOFError, zlib.error, zipfile.LargeZipFile, NotImplementedError) as e:
        raise ProjectError(f"{what}: the file is damaged or unreadable ({e})") from None
    return project


def dataset_fields(dataset) -> dict[str, Any]:
    """``Project`` fields describing ``dataset`` (a ``visualnn.data.Dataset``): how to make it
    again, its class names, the input transform of a sound set and its clips."""
    params = {k: v for k, v in dataset.params.items() if k != "split"}
    fields = {"dataset": {"name": dataset.name, "params": params},
              "class_names": list(dataset.class_names)}  # fmt: skip
    if dataset.transform is not None:
        fields["input_transform"] = dataset.transform.to_dict()
    if dataset.clips is not None:
        fields["sounds"] = dataset.clips.to_bytes()
    return fields


def project_dataset(project: Project):
    """The project's data set, made again (from its own clips for a sound set).

    Raises
    ------
    ProjectError
        When the data set cannot be made, with the reason.
    """
    from visualnn.data import load_dataset
    from visualnn.data.sound import SoundClips

    ds = dict(project.dataset or {})
    params = dict(ds.get("params") or {})
    try:
        if project.sounds:
            params["clips"] = SoundClips.from_bytes(project.sounds)
        return load_dataset(ds.get("name", "circle"), **params)
    except SpecError as e:
        raise ProjectError(f"the project's data set cannot be made: {e}") from None


def check_project_model(project: Project) -> Sequential:
    """Build the project's network, turning a spec/weights mismatch into ``ProjectError``."""
    try:
        return project.build_model()
    except SpecError as e:
        raise ProjectError(f"the project's network cannot be built: {e}") from None
