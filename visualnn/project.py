"""The ``.vnn`` project file: a zip of ``project.json`` and ``weights.npz``.

Written atomically (temp file in the same folder, fsync, ``os.replace``); read defensively
(sizes checked before anything is decompressed, ``allow_pickle=False``, a newer schema
refused in words). Loading is pure: it returns a new ``Project`` or raises ``ProjectError``,
so a failed load cannot touch the open session.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from visualnn.engine import Sequential, SpecError

SCHEMA_VERSION = 1
MAX_MEMBER_BYTES = 200 * 1024 * 1024  # no sane network of this app comes near it
MAX_FILE_BYTES = 2 * MAX_MEMBER_BYTES
MAX_RATIO = 100  # uncompressed / compressed above this (for members over 1 MB): a zip bomb
MEMBERS = ("project.json", "weights.npz", "sounds.npz")
_KEY = re.compile(r"^L(\d+)\.(\w+)$")


class ProjectError(Exception):
    """A project file that cannot be read or written, explained in one sentence."""


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
        How raw input becomes the network's input, for models fed by sound: the feature
        settings (``representation``, ``samplerate``, ``seconds``, ``n_fft``, ``hop``,
        ``n_mels``, ``fmin``, ``layout``) and the normalisation statistics ``norm``
        (``{"mean": [...], "std": [...]}``, per band). None: the input is used as it is.
    sounds : bytes or None
        The clips of a sound data set (``SoundClips.to_bytes``), so the project retrains
        anywhere; stored as ``sounds.npz`` in the file.
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

    @classmethod
    def from_model(cls, model: Sequential, **kw: Any) -> Project:
        """A project holding ``model``'s spec, seed and a copy of its weights."""
        return cls(
            spec=model.to_spec(),
            input_shape=tuple(model.input_shape),
            weights=model.get_weights(),
            seed=model.seed,
            **kw,
        )

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
def _weights_bytes(weights: list[dict[str, np.ndarray]]) -> bytes:
    arrays = {f"L{i}.{k}": np.asarray(v) for i, w in enumerate(weights) for k, v in w.items()}
    for name, a in arrays.items():
        if a.dtype.kind not in "fiu":
            raise ProjectError(f"cannot save weight {name}: its type is {a.dtype}, not a number")
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def save_project(path: str | os.PathLike, project: Project) -> None:
    """Write ``project`` to ``path`` atomically: the old file survives any failure.

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
        "history": project.history,
        "num_layers": None if project.weights is None else len(project.weights),
        "class_names": list(project.class_names),
        "input_transform": project.input_transform,
        "meta": meta,
    }
    try:
        text = json.dumps(doc, indent=1, allow_nan=True)
    except (TypeError, ValueError) as e:
        raise ProjectError(f"cannot save the project: a setting is not plain data ({e})") from e
    weights = _weights_bytes(project.weights or [])
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            with zipfile.ZipFile(f, "w") as zf:
                zf.writestr("project.json", text, compress_type=zipfile.ZIP_DEFLATED)
                # npz arrays barely compress; storing them keeps the bomb check meaningful.
                zf.writestr("weights.npz", weights, compress_type=zipfile.ZIP_STORED)
                if project.sounds:
                    zf.writestr("sounds.npz", project.sounds, compress_type=zipfile.ZIP_STORED)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        tmp = None
        _fsync_dir(path.parent)
    except OSError as e:
        raise ProjectError(f"cannot save {path}: {e.strerror or e}") from e
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
    project.meta = meta


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable; not possible on every platform, so best effort."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --- reading ----------------------------------------------------------------------------
def _check_sizes(zf: zipfile.ZipFile, what: str) -> None:
    for info in zf.infolist():
        if info.file_size > MAX_MEMBER_BYTES:
            mb = info.file_size / 2**20
            raise ProjectError(f"{what}: {info.filename} would unpack to {mb:.0f} MB; refusing")
        if info.file_size > 2**20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ProjectError(f"{what}: {info.filename} is suspiciously compressed; refusing")


# Schema steps: MIGRATIONS[v] turns a schema-v document into schema v + 1. Schema 1 is the
# first; when the format changes, bump SCHEMA_VERSION and add the step from the old one.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


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


def _read_weights(data: bytes, num_layers: int, what: str) -> list[dict[str, np.ndarray]]:
    try:
        inner = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ProjectError(f"{what}: the weights are damaged (weights.npz is not an npz)") from None
    _check_sizes(inner, what)
    weights: list[dict[str, np.ndarray]] = [{} for _ in range(num_layers)]
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            for key in npz.files:
                m = _KEY.match(key)
                if not m or int(m.group(1)) >= num_layers:
                    raise ProjectError(f"{what}: unexpected array '{key}' in the weights")
                a = npz[key]
                if a.dtype.kind not in "fiu":
                    raise ProjectError(f"{what}: weight '{key}' holds {a.dtype}, not numbers")
                weights[int(m.group(1))][m.group(2)] = a
    except ValueError as e:
        if "pickle" in str(e).lower():
            raise ProjectError(
                f"{what}: the weights contain pickled Python objects, which visualnn never "
                "writes and will not load (they could run code)"
            ) from None
        raise ProjectError(f"{what}: the weights are damaged ({e})") from None
    except (OSError, zipfile.BadZipFile, EOFError, zlib.error) as e:
        raise ProjectError(f"{what}: the weights are damaged ({e})") from None
    return weights


def _doc_to_project(doc: Any, what: str) -> Project:
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
    doc = migrate(doc)
    spec, shape = doc.get("spec"), doc.get("input_shape")
    if not isinstance(spec, list) or not all(isinstance(d, dict) for d in spec):
        raise ProjectError(f"{what}: the network (spec) is missing or not a list of layers")
    if not isinstance(shape, list) or not all(isinstance(s, int) for s in shape):
        raise ProjectError(f"{what}: the input shape is missing or not a list of numbers")
    types = {
        "config": dict,
        "dataset": dict,
        "history": list,
        "meta": dict,
        "seed": int,
        "class_names": list,
    }
    for key, t in types.items():
        if key in doc and not isinstance(doc[key], t):
            raise ProjectError(f"{what}: '{key}' should be a {t.__name__}")
    return Project(
        spec=spec,
        input_shape=tuple(shape),
        config=doc.get("config", {}),
        dataset=doc.get("dataset", {}),
        history=doc.get("history", []),
        seed=doc.get("seed", 0),
        meta=doc.get("meta", {}),
        task=doc.get("task", "classification"),
        class_names=[str(c) for c in doc.get("class_names", [])],
        input_transform=_input_transform(doc.get("input_transform"), what),
    )


def _input_transform(value: Any, what: str) -> dict[str, Any] | None:
    if value is not None and not isinstance(value, dict):
        raise ProjectError(f"{what}: 'input_transform' should be an object")
    return value


def load_project(path: str | os.PathLike) -> Project:
    """Read a ``.vnn`` file.

    Raises
    ------
    ProjectError
        Missing, unreadable, corrupt, truncated, oversized, pickled or newer-schema files,
        each with a one-sentence message.
    """
    path = Path(path)
    what = f"cannot open {path.name}"
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ProjectError(f"{what}: the file is {size / 2**20:.0f} MB, too big for a project")
        with zipfile.ZipFile(path) as zf:
            _check_sizes(zf, what)
            names = set(zf.namelist())
            if "project.json" not in names:
                raise ProjectError(f"{what}: it is not a visualnn project (no project.json)")
            try:
                doc = json.loads(zf.read("project.json").decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as e:
                raise ProjectError(f"{what}: project.json is damaged ({e})") from None
            project = _doc_to_project(doc, what)
            num_layers = doc.get("num_layers")
            if num_layers is not None:
                if "weights.npz" not in names:
                    raise ProjectError(f"{what}: the weights (weights.npz) are missing")
                if not isinstance(num_layers, int) or not 0 <= num_layers <= 10_000:
                    raise ProjectError(f"{what}: project.json has a bad layer count")
                project.weights = _read_weights(zf.read("weights.npz"), num_layers, what)
            if "sounds.npz" in names:
                project.sounds = zf.read("sounds.npz")
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
