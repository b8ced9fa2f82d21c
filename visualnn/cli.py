"""The ``visualnn`` command: the window by default, or a headless sub-command.

Sub-command modules are imported only when chosen, so ``visualnn train`` never loads Qt and
works on a machine without any display or Qt libraries.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

# name -> (module, help); the module provides add_arguments(parser) and run(args) -> int.
COMMANDS: dict[str, tuple[str, str]] = {
    "train": ("visualnn.cli", "train a preset or a spec file headless and save a project"),
    "presets": ("visualnn.cli", "list the presets"),
    "export": ("visualnn.export.cli", "export a project as ONNX (OUT.onnx) or PyTorch (OUT.py)"),
    "bench": (
        "visualnn.bench.engine",
        "engine training speed vs PyTorch if present",
    ),
    "spectrogram": ("visualnn.ui.spectrogram_app", "live spectrogram of the microphone or a tone"),
    "bench-audio": ("visualnn.bench.audio", "STFT / log-mel throughput as a multiple of real time"),
    "bench-gui": ("visualnn.bench.gui", "training speed with every view open vs headless"),
    "bench-spectrogram": (
        "visualnn.bench.spectrogram",
        "CPU, frame rate and latency of the live spectrogram",
    ),
}
GUI_MODULE = "visualnn.ui.app"
QT_HINT = (
    "the window needs PySide6 and the Qt system libraries; on Debian/Ubuntu run: sudo apt-get "
    "install libegl1 libgl1 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 "
    "libxcb-shape0 libdbus-1-3 (headless commands such as 'visualnn train' work without them)"
)


def _error(message: str) -> int:
    print(f"visualnn: error: {message}", file=sys.stderr)
    return 2


def _one_blas_thread() -> None:
    """Give BLAS one thread in the windowed commands (before NumPy is first imported).

    The window trains on one core and draws on the other; a second BLAS thread fights the GUI
    thread for it (measured under load: a small product took 25-45 ms instead of 70 us). A
    value the user set wins.
    """
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")


def _import(module: str):
    """Import a sub-command module; on failure say what is missing, in one line."""
    try:
        return importlib.import_module(module)
    except ImportError as e:  # includes a missing libEGL.so under PySide6
        hint = QT_HINT if module.startswith("visualnn.ui") else "reinstall visualnn"
        raise SystemExit(_error(f"cannot load {module} ({e}); {hint}")) from None


# --- train ------------------------------------------------------------------------------
def add_train_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("preset", nargs="?", help="preset name (see 'visualnn presets')")
    p.add_argument("--spec", metavar="FILE", help="JSON file: spec, input_shape, dataset, ...")
    p.add_argument("--epochs", type=int, help="number of epochs (default: the preset's)")
    p.add_argument("--lr", type=float, help="learning rate (default: the preset's)")
    p.add_argument("--batch-size", type=int, help="mini-batch size (default: the preset's)")
    p.add_argument("--seed", type=int, help="seed of the weights and the shuffling")
    p.add_argument("--out", metavar="FILE", help="project file to write (default: NAME.vnn)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _load_spec_file(path: str) -> dict[str, Any]:
    """Read a spec file: ``{"spec": [...], "input_shape": [...], "dataset": ...}``."""
    from visualnn.engine import SpecError

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise SpecError(f"cannot read {path}: {e.strerror or e}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise SpecError(f"{path} is not valid JSON (line {e.lineno}: {e.msg})") from None
    if isinstance(doc, list):
        raise SpecError(f"{path}: give an object with 'spec', 'input_shape' and 'dataset'")
    if not isinstance(doc, dict) or "spec" not in doc or "input_shape" not in doc:
        raise SpecError(f"{path}: needs at least the keys 'spec' and 'input_shape'")
    known = {"spec", "input_shape", "dataset", "dataset_params", "config", "task", "seed", "name"}
    unknown = sorted(set(doc) - known)
    if unknown:
        raise SpecError(f"{path}: unknown key(s) {', '.join(unknown)}; known: {sorted(known)}")
    kinds = {"input_shape": list, "config": dict, "dataset_params": dict, "dataset": str | dict}
    for key, kind in kinds.items():
        if key in doc and not isinstance(doc[key], kind):
            raise SpecError(f"{path}: '{key}' has the wrong form ({doc[key]!r})")
    return doc


def _setup(args: argparse.Namespace):
    """(name, model, dataset, config, task) from a preset or a spec file plus overrides."""
    from visualnn.data import load_dataset
    from visualnn.engine import Sequential, SpecError, TrainConfig
    from visualnn.presets import get_preset

    if args.spec and args.preset:
        raise SpecError("give either a preset name or --spec FILE, not both")
    if args.spec:
        doc = _load_spec_file(args.spec)
        ds = doc.get("dataset", "circle")
        ds_name, ds_params = (
            (ds, doc.get("dataset_params", {}))
            if isinstance(ds, str)
            else (
                ds.get("name"),
                ds.get("params", {}),
            )
        )
        dataset = load_dataset(ds_name, **ds_params)
        config = TrainConfig.from_dict(doc.get("config", {}))
        seed = args.seed if args.seed is not None else int(doc.get("seed", 0))
        model = Sequential.from_spec(doc["spec"], tuple(doc["input_shape"]), seed=seed)
        name = doc.get("name") or Path(args.spec).stem
        task = doc.get("task", dataset.task)
    else:
        preset = get_preset(args.preset or "spiral")
        name, task = preset.name, preset.task
        dataset = load_dataset(preset.dataset, **preset.dataset_params)
        config = TrainConfig.from_dict(preset.config.to_dict())
        if args.seed is not None:
            preset = dataclasses.replace(preset, seed=args.seed)
        model = preset.build_model()
    for key in ("epochs", "lr", "batch_size"):
        if getattr(args, key) is not None:
            setattr(config, key, getattr(args, key))
    if args.seed is not None:
        config.seed = args.seed
    config.check()
    if tuple(dataset.input_shape) != tuple(model.input_shape):
        raise SpecError(
            f"dataset {dataset.name} has samples of {dataset.input_shape}, but the network "
            f"takes {model.input_shape}"
        )
    return name, model, dataset, config, task


def _bar(done: float, width: int = 24) -> str:
    n = int(round(done * width))
    return "[" + "#" * n + "." * (width - n) + "]"


def _fmt_epoch(r, epochs: int) -> str:
    parts = [f"epoch {r.epoch}/{epochs}", f"loss {r.train_loss:.4f}"]
    if r.train_acc is not None:
        parts.append(f"acc {100 * r.train_acc:.1f}%")
    if r.val_loss is not None:
        parts.append(f"test loss {r.val_loss:.4f}")
    if r.val_acc is not None:
        parts.append(f"test acc {100 * r.val_acc:.1f}%")
    parts.append(f"{r.samples_per_second:,.0f} samples/s")
    return "  ".join(parts)


def run_train(args: argparse.Namespace) -> int:
    from visualnn.engine import BatchReport, DivergedReport, EpochReport, SpecError, Trainer
    from visualnn.project import Project, ProjectError, save_project

    try:
        name, model, dataset, config, task = _setup(args)
        out = Path(args.out or f"{name}.vnn")
        if not out.parent.exists():
            raise OSError(f"the folder {out.parent} does not exist")
        trainer = Trainer(
            model,
            (dataset.x_train, dataset.y_train),
            (dataset.x_test, dataset.y_test),
            config,
            task=task,
        )
        print(f"training {name}: {model!r}, {len(dataset.x_train)} samples", file=sys.stderr)
        live = not args.quiet and sys.stderr.isatty()
        diverged, t0, last_draw = None, time.perf_counter(), 0.0
        for r in trainer.steps():
            if isinstance(r, BatchReport) and live and time.perf_counter() - last_draw > 0.1:
                last_draw = time.perf_counter()
                done = (r.epoch - 1 + r.batch / r.batches_per_epoch) / max(config.epochs, 1)
                sys.stderr.write(f"\r{_bar(done)} {100 * done:5.1f}%  loss {r.loss:.4f} ")
                sys.stderr.flush()
            elif isinstance(r, EpochReport):
                if live:
                    sys.stderr.write("\r" + " " * 60 + "\r")
                print(_fmt_epoch(r, config.epochs), flush=True)
            elif isinstance(r, DivergedReport):
                diverged = r
        if live:
            sys.stderr.write("\r" + " " * 60 + "\r")
        project = Project.from_model(
            model,
            config=config.to_dict(),
            dataset={"name": dataset.name, "params": dataset.params},
            history=trainer.history,
            task=task,
            meta={"title": name},
        )
        save_project(out, project)
    except (SpecError, ProjectError, OSError) as e:
        return _error(str(e))
    except (TypeError, ValueError, KeyError) as e:  # a malformed file we did not foresee
        return _error(f"cannot train: {type(e).__name__}: {e}")
    seconds = time.perf_counter() - t0
    print(f"saved {out} ({seconds:.1f} s)", file=sys.stderr)
    if diverged is not None:
        print(f"visualnn: {diverged.message}", file=sys.stderr)
        return 1
    return 0


def run_presets(args: argparse.Namespace) -> int:
    from visualnn.presets import PRESETS

    width = max(len(n) for n in PRESETS)
    for name, p in PRESETS.items():
        print(f"{name:<{width}}  {p.title} ({p.dataset}, {p.config.epochs} epochs)")
    return 0


LOCAL = {
    "train": (add_train_arguments, run_train),
    "presets": (lambda p: None, run_presets),
}


# --- dispatch ---------------------------------------------------------------------------
def _command_parser(command: str) -> tuple[argparse.ArgumentParser, Any]:
    module, help_text = COMMANDS[command]
    parser = argparse.ArgumentParser(prog=f"visualnn {command}", description=help_text)
    if command in LOCAL:
        add, run = LOCAL[command]
    else:
        mod = _import(module)
        add, run = mod.add_arguments, mod.run
    add(parser)
    return parser, run


def _gui_parser() -> argparse.ArgumentParser:
    lines = [f"  {name:<12} {help_text}" for name, (_, help_text) in COMMANDS.items()]
    parser = argparse.ArgumentParser(
        prog="visualnn",
        description="See a neural network think. Without a command, opens the window.",
        epilog="commands (visualnn COMMAND --help for their options):\n" + "\n".join(lines),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``visualnn`` command; returns the exit code (0 ok, 2 usage or input error)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in COMMANDS:
            if argv[0] in ("spectrogram", "bench-gui", "bench-spectrogram"):
                _one_blas_thread()
            parser, run = _command_parser(argv[0])
            return int(run(parser.parse_args(argv[1:])) or 0)
        parser = _gui_parser()
        if argv and not argv[0].startswith("-"):
            parser.error(f"unknown command '{argv[0]}'; choose from: {', '.join(COMMANDS)}")
        if {"-h", "--help"} & set(argv):
            try:
                importlib.import_module(GUI_MODULE)
            except ImportError as e:  # still show the commands that work without Qt
                parser.print_help()
                print(f"\n(window options unavailable: {e})")
                return 0
        _one_blas_thread()
        app = _import(GUI_MODULE)
        app.add_arguments(parser)
        return int(app.run(parser.parse_args(argv)) or 0)
    except SystemExit as e:  # argparse's exits (help, usage errors) and _import's
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    except KeyboardInterrupt:
        print("visualnn: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
