"""Checks of a project document's plain-data fields, each failure one sentence for a teacher.

``load_project`` runs every check here before it builds anything, so a project that opens is
valid through and through: nothing bad is left to be discovered by a view or the trainer.
"""

from __future__ import annotations

import math
import re
from dataclasses import fields
from typing import Any

import numpy as np

from visualnn.engine import SpecError, TrainConfig
from visualnn.engine.spec import check_input_shape
from visualnn.engine.train_config import EpochReport

#: Deepest nesting of lists and objects accepted in project.json (ours is 5 deep).
MAX_JSON_DEPTH = 64
MAX_LAYERS = 10_000
MAX_SEED = 2**63 - 1
TASKS = ("classification", "regression")
#: Keys of a history entry: the epoch report's fields plus where its batches end.
HISTORY_KEYS = frozenset(f.name for f in fields(EpochReport)) | {"batches"}
#: Keys of ``input_transform`` and what each holds.
TRANSFORM_TEXT = ("representation", "layout")
TRANSFORM_WHOLE = ("samplerate", "n_fft", "hop", "n_mels", "n_mfcc")
TRANSFORM_REAL = ("seconds", "fmin")
TRANSFORM_FLAGS = ("normalise_level",)
OPTIMIZER_OPTIONS = ("nesterov", "betas")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


class ProjectError(Exception):
    """A project file that cannot be read or written, explained in one sentence."""


def is_number(v: Any) -> bool:
    """A JSON number (bools are not numbers here) that is finite."""
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def is_whole(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def json_depth(text: str) -> int:
    """Deepest nesting of ``[`` and ``{`` in JSON ``text``, ignoring brackets inside strings.

    Vectorised (strings blanked by one regex, then a cumulative sum), so even a large file is
    scanned in milliseconds and nothing recursive ever sees it.
    """
    bare = _STRING.sub('""', text).encode("utf-8", "replace")
    b = np.frombuffer(bare, dtype=np.uint8)
    step = np.isin(b, (ord("["), ord("{"))).astype(np.int64)
    step -= np.isin(b, (ord("]"), ord("}")))
    return int(np.cumsum(step).max()) if b.size else 0


def check_json_depth(text: str, what: str) -> None:
    depth = json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise ProjectError(
            f"{what}: project.json is nested {depth} levels deep (at most {MAX_JSON_DEPTH}); "
            "it was not written by visualnn"
        )


def check_config(config: Any, what: str) -> None:
    """The training settings: every value of the right kind, as ``TrainConfig`` needs."""
    if not isinstance(config, dict):
        raise ProjectError(f"{what}: the training settings ('config') should be an object")
    for key in ("momentum", "weight_decay", "lr"):
        if key in config and not (is_number(config[key]) and config[key] >= 0):
            raise ProjectError(
                f"{what}: the training setting {key} must be a number of at least 0, "
                f"got {config[key]!r}"
            )
    checks = {
        "seed": (lambda v: is_whole(v) and 0 <= v <= MAX_SEED, "a whole number of at least 0"),
        "clip_norm": (lambda v: v is None or (is_number(v) and v > 0), "empty or above 0"),
        "shuffle": (lambda v: isinstance(v, bool), "true or false"),
        "val_split": (lambda v: is_number(v), "a number from 0 to 0.5"),
        "optimizer": (lambda v: isinstance(v, str), "a name"),
        "loss": (lambda v: isinstance(v, str), "a name"),
    }
    for key, (ok, must) in checks.items():
        if key in config and not ok(config[key]):
            raise ProjectError(
                f"{what}: the training setting {key} must be {must}, got {config[key]!r}"
            )
    try:
        TrainConfig.from_dict(config)
    except SpecError as e:
        raise ProjectError(f"{what}: bad training settings: {e}") from None
    except (TypeError, ValueError) as e:
        raise ProjectError(f"{what}: bad training settings ({e})") from None


def check_history(history: Any, what: str) -> None:
    """Epoch reports: objects of known keys holding finite numbers (or empty values)."""
    if not isinstance(history, list):
        raise ProjectError(f"{what}: the training history should be a list of epochs")
    for n, entry in enumerate(history, start=1):
        if not isinstance(entry, dict):
            raise ProjectError(f"{what}: epoch {n} of the history is {entry!r}, not a report")
        unknown = sorted(set(entry) - HISTORY_KEYS)
        if unknown:
            raise ProjectError(
                f"{what}: epoch {n} of the history has unknown entries {', '.join(unknown)}"
            )
        for key, v in entry.items():
            if v is not None and not is_number(v):
                raise ProjectError(
                    f"{what}: epoch {n} of the history has {key} = {v!r}, not a finite number"
                )


def check_class_names(names: Any, what: str) -> None:
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ProjectError(f"{what}: the class names should be a list of words")


def check_input_transform(value: Any, what: str) -> None:
    """Feature settings for sound input: known keys, names as text, sizes as numbers."""
    if value is None:
        return
    if not isinstance(value, dict):
        raise ProjectError(f"{what}: 'input_transform' should be an object")
    known = (*TRANSFORM_TEXT, *TRANSFORM_WHOLE, *TRANSFORM_REAL, *TRANSFORM_FLAGS, "norm")
    unknown = sorted(set(value) - set(known))
    if unknown:
        raise ProjectError(
            f"{what}: the input settings have unknown entries {', '.join(map(str, unknown))}"
        )
    for key, v in value.items():
        if key in TRANSFORM_TEXT:
            ok, must = isinstance(v, str), "a name"
        elif key in TRANSFORM_WHOLE:
            ok, must = is_whole(v) and 1 <= v <= 10_000_000, "a whole number of at least 1"
        elif key in TRANSFORM_REAL:
            ok, must = is_number(v) and v >= 0, "a number of at least 0"
        elif key in TRANSFORM_FLAGS:
            ok, must = isinstance(v, bool), "true or false"
        else:
            ok, must = _norm_ok(v), 'an object {"mean": [...], "std": [...]} of numbers'
        if not ok:
            raise ProjectError(f"{what}: the input setting {key} must be {must}, got {v!r}")


def _norm_ok(v: Any) -> bool:
    if not isinstance(v, dict) or set(v) != {"mean", "std"}:
        return False
    mean, std = v["mean"], v["std"]
    lists = isinstance(mean, list) and isinstance(std, list) and len(mean) == len(std)
    return lists and all(is_number(x) for x in mean) and all(is_number(x) for x in std)


def check_dataset(dataset: Any, what: str) -> None:
    """A name and plain settings; a registry data set must take every setting given.

    Names outside the registry pass (sound data sets travel with their projects); whether
    the data can be made is the opener's question, as it is for a missing folder.
    """
    from visualnn.data import DATASETS, dataset_params

    if not isinstance(dataset, dict) or set(dataset) - {"name", "params"}:
        raise ProjectError(f"{what}: the data set should be an object with a name and settings")
    name, params = dataset.get("name"), dataset.get("params", {})
    if name is not None and not isinstance(name, str):
        raise ProjectError(f"{what}: the data set's name should be text, got {name!r}")
    if not isinstance(params, dict):
        raise ProjectError(f"{what}: the settings of data set {name} should be an object")
    allowed = dataset_params(name) if name in DATASETS else None
    for key, v in params.items() if allowed is not None else ():
        if key not in allowed:
            raise ProjectError(f"{what}: data set {name} has no setting {key!r}")
        if not (is_number(v) or isinstance(v, str | bool) or v is None):
            raise ProjectError(f"{what}: data set setting {key} = {v!r} is not a plain value")


def check_meta(meta: Any, what: str) -> None:
    """Free text about the project; the few keys the app reads must hold what it expects."""
    if not isinstance(meta, dict):
        raise ProjectError(f"{what}: 'meta' should be an object")
    for key in ("preset", "title", "created", "modified", "app_version"):
        if meta.get(key) is not None and not isinstance(meta[key], str):
            raise ProjectError(f"{what}: meta {key} should be text, got {meta[key]!r}")
    if "optimizer_options" in meta:
        check_optimizer_options(meta["optimizer_options"], what)


def check_optimizer_options(opts: Any, what: str) -> None:
    """The schema-1 home of ``nesterov`` and ``betas`` (now in the training settings)."""
    if not isinstance(opts, dict) or set(opts) - set(OPTIMIZER_OPTIONS):
        raise ProjectError(
            f"{what}: the optimizer options should hold only nesterov and betas, got {opts!r}"
        )
    try:
        TrainConfig.from_dict({k: opts[k] for k in OPTIMIZER_OPTIONS if k in opts})
    except (SpecError, TypeError, ValueError) as e:
        raise ProjectError(f"{what}: bad optimizer options: {e}") from None


def check_scalars(doc: dict[str, Any], what: str) -> None:
    """Seed, task, layer list and input shape."""
    seed = doc.get("seed", 0)
    if not is_whole(seed) or not 0 <= seed <= MAX_SEED:
        raise ProjectError(f"{what}: the seed must be a whole number of at least 0, got {seed!r}")
    if doc.get("task", "classification") not in TASKS:
        raise ProjectError(
            f"{what}: the task must be classification or regression, got {doc.get('task')!r}"
        )
    spec = doc.get("spec")
    if not isinstance(spec, list) or not all(isinstance(d, dict) for d in spec):
        raise ProjectError(f"{what}: the network (spec) is missing or not a list of layers")
    if len(spec) > MAX_LAYERS:
        raise ProjectError(f"{what}: the network has {len(spec)} layers; at most {MAX_LAYERS}")
    shape = doc.get("input_shape")
    if not isinstance(shape, list) or not all(is_whole(s) for s in shape):
        raise ProjectError(f"{what}: the input shape is missing or not a list of numbers")
    try:
        check_input_shape(shape)
    except SpecError as e:
        raise ProjectError(f"{what}: {e}") from None
    num_layers = doc.get("num_layers")
    if num_layers is not None and (not is_whole(num_layers) or num_layers != len(spec)):
        raise ProjectError(
            f"{what}: project.json has a bad layer count ({num_layers!r} weights for "
            f"{len(spec)} layers)"
        )


def check_document(doc: dict[str, Any], what: str) -> None:
    """Every plain-data field of a (migrated) project document; raises ``ProjectError``."""
    check_scalars(doc, what)
    check_config(doc.get("config", {}), what)
    check_dataset(doc.get("dataset", {}), what)
    check_history(doc.get("history", []), what)
    check_meta(doc.get("meta", {}), what)
    check_class_names(doc.get("class_names", []), what)
    check_input_transform(doc.get("input_transform"), what)


# --- shaping documents (saving, migrating) -------------------------------------------
def finite_or_none(entry: Any) -> Any:
    """A history entry ready to save: NaN and infinity become None ("no value"), because
    written as they are they would make the file refuse to load."""
    if not isinstance(entry, dict):
        return entry
    return {
        k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in entry.items()
    }


def options_into_config(doc: dict[str, Any]) -> dict[str, Any]:
    """Schema 1 -> 2: ``meta.optimizer_options`` (nesterov, betas) moves into ``config``.

    The options win over the config's values: schema-1 windows kept the user's choice in the
    options and left the config's copies at their defaults.
    """
    meta, config = doc.get("meta"), doc.get("config")
    if isinstance(meta, dict) and isinstance(config, dict):
        opts = meta.get("optimizer_options")
        if isinstance(opts, dict):  # anything else stays for check_meta to refuse in words
            doc["meta"] = {k: v for k, v in meta.items() if k != "optimizer_options"}
            doc["config"] = {**config, **opts}  # unknown keys: refused as unknown settings
    return doc
