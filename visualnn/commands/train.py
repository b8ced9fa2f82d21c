"""``visualnn train``: train a preset or a spec file headless and save a project.

    visualnn train spiral --epochs 300 --out spiral.vnn
    visualnn train sounds-cnn --data speech/ --out words.vnn
    visualnn train --spec net.json

The same engine, data sets and project file as the window; Qt is never loaded.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path
from typing import Any

from visualnn.commands.output import Progress, error


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("preset", nargs="?", help="preset name (see 'visualnn presets')")
    p.add_argument("--spec", metavar="FILE", help="JSON file: spec, input_shape, dataset, ...")
    p.add_argument(
        "--data",
        metavar="DIR",
        help="train a sound preset on a folder of WAV files, one subfolder per class "
        "(DIR/yes/*.wav, DIR/no/*.wav, ...; a testing_list.txt picks the test clips)",
    )
    p.add_argument("--epochs", type=int, help="number of epochs (default: the preset's)")
    p.add_argument("--lr", type=float, help="learning rate (default: the preset's)")
    p.add_argument("--batch-size", type=int, help="mini-batch size (default: the preset's)")
    p.add_argument("--seed", type=int, help="seed of the weights and the shuffling")
    p.add_argument("--out", metavar="FILE", help="project file to write (default: NAME.vnn)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")


@dataclasses.dataclass
class Setup:
    """Everything a run needs, from a preset or a spec file plus the command's overrides."""

    name: str
    model: Any
    dataset: Any
    config: Any
    task: str


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


def _from_spec_file(args: argparse.Namespace) -> Setup:
    from visualnn.data import load_dataset
    from visualnn.engine import Sequential, TrainConfig

    doc = _load_spec_file(args.spec)
    ds = doc.get("dataset", "circle")
    if isinstance(ds, str):
        ds_name, ds_params = ds, doc.get("dataset_params", {})
    else:
        ds_name, ds_params = ds.get("name"), ds.get("params", {})
    dataset = load_dataset(ds_name, **ds_params)
    config = TrainConfig.from_dict(doc.get("config", {}))
    seed = args.seed if args.seed is not None else int(doc.get("seed", 0))
    model = Sequential.from_spec(doc["spec"], tuple(doc["input_shape"]), seed=seed)
    name = doc.get("name") or Path(args.spec).stem
    return Setup(name, model, dataset, config, doc.get("task", dataset.task))


def _sound_folder(preset, folder: str, quiet: bool):
    """The preset's sound features on the clips of ``folder``; skipped files are listed."""
    from visualnn.data.sound import load_clips, make_sounds
    from visualnn.engine import SpecError

    if preset.dataset != "sounds":
        raise SpecError(f"--data takes a sound preset (sounds-cnn, sounds-conv1d, ...), "
                        f"not {preset.name}")  # fmt: skip
    bar = Progress(quiet)
    clips = load_clips("folder", folder, progress=lambda k, n: bar.show(k / n, f"reading {k}/{n}"))
    bar.clear()
    if clips.skipped and not quiet:
        print(f"skipped {len(clips.skipped)} file(s):", file=sys.stderr)
        for name, reason in clips.skipped[:20]:
            print(f"  {name}: {reason}", file=sys.stderr)
        if len(clips.skipped) > 20:
            print(f"  ... and {len(clips.skipped) - 20} more", file=sys.stderr)
    params = {**preset.dataset_params, "source": "folder", "path": str(Path(folder).resolve())}
    return make_sounds(**params, clips=clips)


def _from_preset(args: argparse.Namespace) -> Setup:
    from visualnn.data import load_dataset
    from visualnn.engine import TrainConfig
    from visualnn.presets import fit_to_classes, get_preset

    preset = get_preset(args.preset or "spiral")
    if args.data:
        dataset = _sound_folder(preset, args.data, args.quiet)
    else:
        dataset = load_dataset(preset.dataset, **preset.dataset_params)
    if preset.dataset == "sounds":
        preset = dataclasses.replace(
            preset, spec=fit_to_classes(preset.spec, dataset.num_classes), weights=None
        )
    if args.seed is not None:
        preset = dataclasses.replace(preset, seed=args.seed)
    config = TrainConfig.from_dict(preset.config.to_dict())
    return Setup(preset.name, preset.build_model(), dataset, config, preset.task)


def setup(args: argparse.Namespace) -> Setup:
    """A ready run from the command line; ``SpecError`` in words for anything wrong."""
    from visualnn.engine import SpecError

    if args.spec and args.preset:
        raise SpecError("give either a preset name or --spec FILE, not both")
    if args.spec and args.data:
        raise SpecError("--data goes with a sound preset, not with --spec")
    run = _from_spec_file(args) if args.spec else _from_preset(args)
    for key in ("epochs", "lr", "batch_size"):
        if getattr(args, key) is not None:
            setattr(run.config, key, getattr(args, key))
    if args.seed is not None:
        run.config.seed = args.seed
    run.config.check()
    if tuple(run.dataset.input_shape) != tuple(run.model.input_shape):
        raise SpecError(
            f"dataset {run.dataset.title} has samples of {run.dataset.input_shape}, but the "
            f"network takes {run.model.input_shape}"
        )
    return run


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


def _train(run: Setup, quiet: bool):
    """Drive the trainer with a progress bar; returns ``(trainer, DivergedReport | None)``."""
    from visualnn.engine import BatchReport, DivergedReport, EpochReport, Trainer

    ds, config = run.dataset, run.config
    trainer = Trainer(run.model, (ds.x_train, ds.y_train), (ds.x_test, ds.y_test), config,
                      task=run.task, gain_units=ds.gain_units())  # fmt: skip
    if not quiet:
        print(f"training {run.name}: {run.model!r}, {len(ds.x_train)} samples of "
              f"{ds.title}", file=sys.stderr)  # fmt: skip
    bar, diverged = Progress(quiet), None
    for r in trainer.steps():
        if isinstance(r, BatchReport):
            done = (r.epoch - 1 + r.batch / r.batches_per_epoch) / max(config.epochs, 1)
            bar.show(done, f"loss {r.loss:.4f}")
        elif isinstance(r, EpochReport):
            bar.clear()
            if not quiet:
                print(_fmt_epoch(r, config.epochs), flush=True)
        elif isinstance(r, DivergedReport):
            diverged = r
    bar.clear()
    return trainer, diverged


def run(args: argparse.Namespace) -> int:
    """Entry point of ``visualnn train``; 0 done, 1 diverged, 2 bad input."""
    from visualnn.engine import SpecError
    from visualnn.project import Project, ProjectError, dataset_fields, save_project

    t0 = time.perf_counter()
    try:
        job = setup(args)
        out = Path(args.out or f"{job.name}.vnn")
        if not out.parent.exists():
            raise OSError(f"the folder {out.parent} does not exist")
        trainer, diverged = _train(job, args.quiet)
        project = Project.from_model(
            job.model,
            config=job.config.to_dict(),
            history=trainer.history,
            task=job.task,
            meta={"title": job.name, "preset": None if args.spec else job.name},
            **dataset_fields(job.dataset),
        )
        save_project(out, project)
    except (SpecError, ProjectError, OSError) as e:
        return error(str(e))
    except (TypeError, ValueError, KeyError) as e:  # a malformed file we did not foresee
        return error(f"cannot train: {type(e).__name__}: {e}")
    if not args.quiet:
        print(f"saved {out} ({time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    if diverged is not None:
        print(f"visualnn: {diverged.message}", file=sys.stderr)
        return 1
    return 0
