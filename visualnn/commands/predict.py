"""``visualnn predict M.vnn FILE.wav ... | X.npy [--json]``: what a saved model says.

One line per WAV file (its loudest second goes through the model's own sound features), or
one line per row of a ``.npy`` array of network inputs, fed as they are. With ``--json``
each line is an object: ``{"file", "label", "probabilities": {label: p}}`` for files and
``{"index", ...}`` for array rows.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from visualnn.commands.output import error

MAX_NPY_BYTES = 1 << 30


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", metavar="M.vnn", help="a project saved by visualnn")
    p.add_argument("inputs", nargs="+", metavar="FILE", help="WAV files, or one .npy array")
    p.add_argument("--json", action="store_true", help="one JSON object per line")


def _emit(key: str, value, probs: np.ndarray, predictor, as_json: bool) -> None:
    label = predictor.label(probs)
    if as_json:
        line = {key: value, "label": label, "probabilities": predictor.as_dict(probs)}
        print(json.dumps(line), flush=True)
    else:
        print(f"{value}: {label} ({100 * float(np.max(probs)):.1f} %)", flush=True)


def _load_npy(path: Path) -> np.ndarray:
    """A ``.npy`` of numbers, its header checked before anything is read."""
    from visualnn.engine import SpecError

    if not path.is_file():
        raise SpecError(f"{path} is not a file")
    if path.stat().st_size > MAX_NPY_BYTES:
        raise SpecError(f"{path.name} is larger than 1 GB")
    try:
        x = np.load(path, allow_pickle=False, mmap_mode="r")
    except (ValueError, OSError, EOFError) as e:
        raise SpecError(f"{path.name} is not a readable .npy array ({e})") from None
    if x.dtype.kind not in "fiub":
        raise SpecError(f"{path.name} holds {x.dtype}, not numbers")
    return np.asarray(x, dtype=np.float32)


def _predict_arrays(predictor, path: Path, as_json: bool) -> None:
    x = _load_npy(path)
    if tuple(x.shape) == tuple(predictor.model.input_shape):
        x = x[None]  # one sample without its batch axis
    probs = predictor.probabilities(x)
    for i, row in enumerate(probs):
        _emit("index", i, row, predictor, as_json)


def _predict_wavs(predictor, paths: list[Path], as_json: bool) -> int:
    """One line per file; an unusable file gets a line on stderr. Returns failures."""
    from visualnn.data.sound import fit_length
    from visualnn.data.sound.clipset import load_clip
    from visualnn.engine import SpecError

    rate, failures = predictor.samplerate, 0
    samples = predictor.transform.features.samples
    for path in paths:
        try:
            clip = fit_length(load_clip(path, rate), samples)
        except SpecError as e:
            print(f"visualnn: {path}: {e}", file=sys.stderr)
            failures += 1
            continue
        probs = predictor.probabilities(predictor.audio_inputs(clip[None]))[0]
        _emit("file", str(path), probs, predictor, as_json)
    return failures


def run(args: argparse.Namespace) -> int:
    """Entry point; 0 when every input was classified, 1 if some file failed, 2 bad input."""
    from visualnn.engine import SpecError
    from visualnn.predictor import Predictor
    from visualnn.project import ProjectError, load_project

    paths = [Path(p) for p in args.inputs]
    try:
        predictor = Predictor.from_project(load_project(args.model))
        if any(p.suffix.lower() == ".npy" for p in paths):
            if len(paths) != 1:
                raise SpecError("give one .npy array, or WAV files, not both")
            _predict_arrays(predictor, paths[0], args.json)
            return 0
        return 1 if _predict_wavs(predictor, paths, args.json) else 0
    except (SpecError, ProjectError) as e:
        return error(str(e))
