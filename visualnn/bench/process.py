"""``python -m visualnn.bench.process``: training in the trainer process, polled as the GUI
polls it, against the bare ``Trainer`` in one process.

For each preset, interleaved and repeated: a headless run of E epochs (E: about ``--seconds``
of headless training), then the same run through ``TrainerProcess`` while this process plays
the GUI: a frame clock at ``--hz`` that polls, copies the newest snapshot (``poll`` does) and
optionally keeps the CPU busy for ``--gui-load`` of each frame, standing in for redraws. Both
are wall-clock times from the first batch to the last epoch report, validation included; the
process run's end is seen at the next frame, so it reads up to one frame slow.
No Qt is loaded.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

DEFAULT_PRESETS = ("xor", "spiral", "digits-cnn", "digits-mlp")


def _epochs_for(preset: str, seconds: float) -> int:
    """Epochs of ``preset`` taking about ``seconds`` headless."""
    from visualnn.presets import build_preset

    own = build_preset(preset)[2].epochs
    probe = headless(preset, max(1, own // 10))
    per_epoch = probe["seconds"] / probe["epochs"]
    return max(2, round(seconds / max(per_epoch, 1e-6)))


def headless(preset: str, epochs: int) -> dict:
    """The bare trainer: ``Trainer.run()`` of ``epochs`` epochs in this process."""
    from visualnn.engine import Trainer
    from visualnn.presets import build_preset

    model, ds, config = build_preset(preset)
    config.epochs = epochs
    trainer = Trainer(model, (ds.x_train, ds.y_train), (ds.x_test, ds.y_test), config, ds.task)
    start, cpu = time.perf_counter(), time.process_time()
    trainer.run()
    seconds = time.perf_counter() - start
    return {
        "epochs": epochs,
        "seconds": seconds,
        "samples_per_second": trainer.samples_seen / seconds,
        "samples_per_cpu_second": trainer.samples_seen / (time.process_time() - cpu),
    }


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of process ``pid`` so far, from /proc (Linux); nan elsewhere."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _busy(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def through_process(proc, preset: str, epochs: int, hz: float, gui_load: float) -> dict:
    """One run of ``preset`` in ``proc`` (a ``TrainerProcess``), driven by a frame clock."""
    from visualnn.presets import build_preset

    model, ds, config = build_preset(preset)
    config.epochs = epochs
    proc.set_data(preset, ds.x_train, ds.y_train, ds.x_test, ds.y_test)
    proc.start_run(
        model.to_spec(), model.input_shape, model.seed, model.get_weights(), config.to_dict(),
        ds.task, preset,
    )  # fmt: skip
    while proc.poll(timeout=0.1).state != "paused":
        pass  # the run is built and waiting: the clock starts at Play
    frame = 1.0 / hz
    snapshots = frames = samples = 0
    poll_seconds = 0.0
    state = None
    start, cpu = time.perf_counter(), cpu_seconds(proc.pid)
    proc.play()
    next_frame = start + frame
    while state not in ("completed", "diverged", "failed", "stopped"):
        t0 = time.perf_counter()
        update = proc.poll()
        poll_seconds += time.perf_counter() - t0
        frames += 1
        snapshots += update.snapshot is not None
        state = update.state or state
        for report in update.epochs:
            samples = report["samples_seen"]
        if update.snapshot is not None:
            samples = max(samples, update.snapshot.samples_seen)
        _busy(gui_load * frame)
        time.sleep(max(next_frame - time.perf_counter(), 0.0))
        next_frame += frame
    seconds = time.perf_counter() - start
    return {
        "state": state,
        "seconds": seconds,
        "samples_per_second": samples / seconds,
        "samples_per_cpu_second": samples / (cpu_seconds(proc.pid) - cpu),
        "snapshots_per_second": snapshots / seconds,
        "poll_ms": 1000 * poll_seconds / max(frames, 1),
    }


def bench_preset(preset: str, args: argparse.Namespace) -> dict:
    from visualnn.ui.training import TrainerProcess

    epochs = args.epochs or _epochs_for(preset, args.seconds)
    bare, child = [], []
    proc = TrainerProcess(blas_threads=args.blas_threads)
    try:
        proc.start()
        for _ in range(max(args.repeat, 1)):  # interleaved: load on a shared machine drifts
            bare.append(headless(preset, epochs))
            child.append(through_process(proc, preset, epochs, args.hz, args.gui_load))
    finally:
        proc.close()
    pairs = list(zip(bare, child, strict=True))
    ratios = [c["samples_per_second"] / b["samples_per_second"] for b, c in pairs]
    cpu = [c["samples_per_cpu_second"] / b["samples_per_cpu_second"] for b, c in pairs]
    return {
        "cpu_ratio": statistics.median(cpu),
        "preset": preset,
        "epochs": epochs,
        "headless_samples_per_second": [b["samples_per_second"] for b in bare],
        "process_samples_per_second": [c["samples_per_second"] for c in child],
        "ratios": ratios,
        "median_ratio": statistics.median(ratios),
        "best_ratio": max(c["samples_per_second"] for c in child)
        / max(b["samples_per_second"] for b in bare),
        "snapshots_per_second": statistics.median(c["snapshots_per_second"] for c in child),
        "poll_ms": statistics.median(c["poll_ms"] for c in child),
        "states": sorted({c["state"] for c in child}),
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("presets", nargs="*", default=list(DEFAULT_PRESETS))
    parser.add_argument("--seconds", type=float, default=3.0, help="headless length of a run")
    parser.add_argument("--epochs", type=int, default=None, help="epochs (default: --seconds)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each kind (default 3)")
    parser.add_argument("--hz", type=float, default=60.0, help="frame clock (default 60)")
    parser.add_argument(
        "--gui-load", type=float, default=0.0, help="share of each frame spent busy (0-1)"
    )
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=1,
        help="BLAS threads of the child; 0: inherit the environment (default 1)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")


def run(args: argparse.Namespace) -> int:
    args.blas_threads = args.blas_threads or None
    results = [bench_preset(p, args) for p in args.presets]
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    env = os.environ.get("OPENBLAS_NUM_THREADS", "unset")
    print(
        f"frame clock {args.hz:g} Hz, GUI load {100 * args.gui_load:.0f} %, child BLAS threads "
        f"{args.blas_threads or 'inherited'}, this process's OPENBLAS_NUM_THREADS {env}"
    )
    for r in results:
        bare = ", ".join(f"{v:,.0f}" for v in r["headless_samples_per_second"])
        child = ", ".join(f"{v:,.0f}" for v in r["process_samples_per_second"])
        print(f"{r['preset']} ({r['epochs']} epochs)")
        print(f"  headless          : {bare} samples/s")
        print(f"  trainer process   : {child} samples/s ({', '.join(r['states'])})")
        print(
            f"  process / headless: {', '.join(f'{100 * v:.0f} %' for v in r['ratios'])} "
            f"(median {100 * r['median_ratio']:.0f} %, best vs best "
            f"{100 * r['best_ratio']:.0f} %); {r['snapshots_per_second']:.0f} snapshots/s, "
            f"poll {r['poll_ms']:.2f} ms"
        )
        print(f"  per CPU second    : {100 * r['cpu_ratio']:.0f} % of headless (median)")
    return 0 if all(r["median_ratio"] >= 0.9 for r in results) else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    raise SystemExit(run(parser.parse_args()))
