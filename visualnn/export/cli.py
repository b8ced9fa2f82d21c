"""``visualnn export M.vnn OUT.onnx|OUT.py``: one line on success, one line on any failure.

Exit codes: 0 written, 2 anything the user can fix (missing or damaged project, unknown
extension, missing ``onnx`` package, unwritable folder). No Qt, no torch.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

INSTALL_HINT = "pip install 'visualnn[export]'"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``export`` sub-command's arguments."""
    parser.add_argument("project", metavar="M.vnn", help="the project file to export")
    parser.add_argument(
        "out",
        metavar="OUT",
        help="OUT.onnx: an ONNX model (opset 17, any batch size); OUT.py: a PyTorch module "
        "with its trained weights in OUT.npz beside it; DIR/ (a new folder): the clips of a "
        "sound project as WAV files, one subfolder per class",
    )


def _error(message: str) -> int:
    print(f"visualnn: error: {message}", file=sys.stderr)
    return 2


def _summary(net, files: list[Path]) -> str:
    """``"wrote x.onnx: input (batch, 1, 8, 8) -> logits (batch, 10); ..."``."""
    shape = ", ".join(str(s) for s in net.input_shape)
    text = f"wrote {' and '.join(str(f) for f in files)}: input (batch, {shape})"
    if net.output_shape:
        text += f" -> {net.output} (batch, {', '.join(str(s) for s in net.output_shape)})"
    if net.dropped_softmax:
        text += "; the final softmax is left out (apply it to the logits for probabilities)"
    return text


def _export_sounds(project_path: str, out: Path) -> int:
    """The clips of a sound project as a Speech Commands folder."""
    from visualnn.data.sound import SoundClips
    from visualnn.engine import SpecError
    from visualnn.project import ProjectError, load_project

    from .sounds import export_clips

    try:
        project = load_project(project_path)
        if not project.sounds:
            raise SpecError(f"{Path(project_path).name} holds no sound clips to export")
        params = dict(project.dataset.get("params") or {})
        clips = SoundClips.from_bytes(project.sounds)
        n = export_clips(clips, out, float(params.get("train_ratio", 0.8)),
                         int(params.get("seed", 0)))  # fmt: skip
    except (ProjectError, SpecError) as e:
        return _error(str(e))
    print(f"wrote {n} clips of {len(clips.class_names)} classes to {out}/")
    return 0


def run(args: argparse.Namespace) -> int:
    """Export ``args.project`` to ``args.out``; returns the exit code."""
    from visualnn.project import ProjectError, load_project

    from . import ExportError, export_files, from_project, write_atomic

    out = Path(args.out)
    suffix = out.suffix.lower()
    if args.out.endswith(("/", os.sep)) or (out.is_dir() and not suffix):
        return _export_sounds(args.project, out)
    if suffix not in (".onnx", ".py"):
        return _error(f"cannot tell the format from '{out.name}': give OUT.onnx or OUT.py")
    if suffix == ".onnx" and importlib.util.find_spec("onnx") is None:
        return _error(f"exporting to ONNX needs the 'onnx' package, not installed: {INSTALL_HINT}")
    try:
        project = load_project(args.project)
        net = from_project(project)
        if project.weights is None:
            print(
                f"visualnn: note: {Path(args.project).name} holds no trained weights; exporting "
                f"the initial weights of seed {project.seed}",
                file=sys.stderr,
            )
        files = export_files(net, out)
        write_atomic(files)
    except (ProjectError, ExportError) as e:
        return _error(str(e))
    except ImportError as e:  # onnx present but broken (a missing shared library...)
        return _error(f"cannot load the 'onnx' package ({e}); {INSTALL_HINT}")
    print(_summary(net, list(files)))
    return 0
