"""``visualnn bench``: training throughput of the NumPy engine next to PyTorch on the CPU.

Three workloads, each a plain SGD training step (forward, cross-entropy, backward, update) on
fixed-seed random float32 data:

- ``mlp``: Dense 784-256-128-10 with ReLU, batch 128;
- ``cnn``: 1x28x28 -> Conv2D(8, 3, same)+ReLU -> MaxPool 2 -> Conv2D(16, 3, same)+ReLU ->
  MaxPool 2 -> Flatten -> Dense(10), batch 64;
- ``gru``: 40 features x 100 steps (a log-mel patch) -> GRU 64 (last state) -> Dense(10),
  batch 64; torch gets the same (N, features, T) batch and permutes it for ``nn.GRU``.

Every measurement runs in its own fresh interpreter (``python -m visualnn.bench.engine --worker``)
with BLAS and torch limited to the same number of threads (2 by default), so neither side
inherits the other's thread pools or warm caches. Rounds alternate which side goes first;
warm-up steps are not timed. The report gives samples per second, median and min-max over the
rounds, and the ratio of the medians (above 1 means visualnn is faster).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
from typing import Any

from visualnn.bench.workloads import WORKLOADS, measure

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


# --- the driver -------------------------------------------------------------------------
def torch_available() -> bool:
    return importlib.util.find_spec("torch") is not None


def _run_worker(side: str, workload: str, seconds: float, warmup: int, threads: int) -> float:
    env = dict(os.environ)
    env.update({var: str(threads) for var in THREAD_VARS})
    cmd = [
        sys.executable,
        "-m",
        "visualnn.bench.engine",
        "--worker",
        side,
        "--workload",
        workload,
        "--seconds",
        str(seconds),
        "--warmup",
        str(warmup),
        "--threads",
        str(threads),
    ]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"{side} worker for {workload} failed:\n{proc.stderr.strip()}")
    return float(json.loads(proc.stdout.strip().splitlines()[-1])["samples_per_second"])


def _load() -> float | None:
    """One-minute load average (None where the OS does not tell)."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def _summary(runs: list[float]) -> dict[str, Any]:
    return {"median": statistics.median(runs), "min": min(runs), "max": max(runs), "runs": runs}


def run_bench(
    workloads: tuple[str, ...] | list[str] = ("mlp", "cnn", "gru"),
    rounds: int = 5,
    seconds: float = 2.0,
    torch: bool = True,
    warmup: int = 10,
    threads: int = 2,
    progress=None,
) -> list[dict[str, Any]]:
    """Benchmark each workload; one dict per workload.

    Parameters
    ----------
    workloads : sequence of str
        Keys of ``WORKLOADS``.
    rounds : int
        Measurements per side; rounds alternate which side runs first.
    seconds : float
        Timed duration of one measurement (after ``warmup`` untimed steps).
    torch : bool
        Also measure PyTorch (skipped with a note when it is not installed).
    threads : int
        BLAS / torch threads in every worker.
    progress : callable or None
        Called with a short line of text after each measurement.

    Returns
    -------
    list of dict
        ``workload``, ``title``, ``batch``, ``numpy`` and ``torch`` (``median``, ``min``,
        ``max``, ``runs`` in samples/s; ``torch`` None when not measured), ``ratio`` (numpy
        median / torch median or None), ``best_ratio`` (max / max), ``load`` (load average
        before and after), ``cpus``, ``torch_note``.
    """
    have_torch = torch and torch_available()
    load_before = _load()
    note = "" if have_torch else ("torch not installed" if torch else "torch skipped")
    sides = ["numpy", "torch"] if have_torch else ["numpy"]
    results = []
    for name in workloads:
        if name not in WORKLOADS:
            raise ValueError(f"unknown workload {name!r}; choose from {', '.join(WORKLOADS)}")
        runs = _measure_rounds(name, sides, rounds, seconds, warmup, threads, progress)
        result = _workload_result(name, runs, rounds, threads)
        result.update(torch_note=note, load=(load_before, _load()), cpus=os.cpu_count())
        results.append(result)
    return results


def _workload_result(
    name: str, runs: dict[str, list[float]], rounds: int, threads: int
) -> dict[str, Any]:
    """One workload's row of ``run_bench``, without the machine's notes."""
    np_stats = _summary(runs["numpy"])
    t_stats = _summary(runs["torch"]) if runs["torch"] else None
    return {
        "workload": name,
        "title": WORKLOADS[name]["title"],
        "batch": WORKLOADS[name]["batch"],
        "threads": threads,
        "rounds": rounds,
        "numpy": np_stats,
        "torch": t_stats,
        "ratio": np_stats["median"] / t_stats["median"] if t_stats else None,
        # Best against best: what a quiet machine would show when the load is noisy.
        "best_ratio": np_stats["max"] / t_stats["max"] if t_stats else None,
    }


def _measure_rounds(
    name: str,
    sides: list[str],
    rounds: int,
    seconds: float,
    warmup: int,
    threads: int,
    progress,
) -> dict[str, list[float]]:
    """Samples per second of each side, one worker per round; the first side alternates."""
    runs: dict[str, list[float]] = {"numpy": [], "torch": []}
    for r in range(rounds):
        for side in sides if r % 2 == 0 else sides[::-1]:
            value = _run_worker(side, name, seconds, warmup, threads)
            runs[side].append(value)
            if progress:
                progress(f"{name} round {r + 1}/{rounds} {side}: {value:,.0f} samples/s")
    return runs


def format_table(results: list[dict[str, Any]]) -> str:
    """A readable plain-text table of ``run_bench`` results."""

    def cell(stats):
        if stats is None:
            return "-"
        return f"{stats['median']:,.0f} ({stats['min']:,.0f}-{stats['max']:,.0f})"

    header = (
        "workload",
        "batch",
        "visualnn samples/s (min-max)",
        "torch samples/s (min-max)",
        "ratio",
        "best/best",
    )
    rows = [header]
    for res in results:
        ratio = f"{res['ratio']:.2f}x" if res["ratio"] is not None else res["torch_note"]
        best = f"{res['best_ratio']:.2f}x" if res.get("best_ratio") is not None else "-"
        cells = [res["workload"], str(res["batch"]), cell(res["numpy"]), cell(res["torch"])]
        rows.append((*cells, ratio, best))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(text.ljust(w) for text, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    if results:
        first = results[0]
        lines.append(
            f"median of {first['rounds']} rounds, {first['threads']} threads, each side in its "
            "own process; ratio = visualnn / torch medians (above 1: visualnn is faster), "
            "best/best = fastest run against fastest run"
        )
        if first["torch_note"]:
            lines.append(first["torch_note"])
        loads = [v for res in results for v in res.get("load", ()) if v is not None]
        if loads and max(loads) > 0.5 * (first.get("cpus") or 1):
            lines.append(
                f"note: the machine was busy (load average up to {max(loads):.1f} on "
                f"{first.get('cpus')} CPUs), so these numbers are noisy"
            )
    for res in results:
        lines.append(f"{res['workload']}: {res['title']}")
    return "\n".join(lines)


# --- command line -----------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``visualnn bench``."""
    parser.add_argument(
        "--workload",
        choices=[*WORKLOADS, "all"],
        default="all",
        help="which workload to run (default: all)",
    )
    parser.add_argument("--rounds", type=int, default=5, help="measurements per side")
    parser.add_argument("--seconds", type=float, default=2.0, help="timed seconds per run")
    parser.add_argument("--warmup", type=int, default=10, help="untimed steps per run")
    parser.add_argument("--threads", type=int, default=2, help="BLAS/torch threads")
    parser.add_argument("--no-torch", action="store_true", help="measure visualnn only")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--worker", choices=["numpy", "torch"], help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    """Entry point of ``visualnn bench``; returns the process exit code."""
    if getattr(args, "worker", None):
        print(
            json.dumps(measure(args.worker, args.workload, args.seconds, args.warmup, args.threads))
        )
        return 0
    if args.rounds < 1 or args.seconds <= 0 or args.warmup < 0 or args.threads < 1:
        print("bench: rounds and threads must be at least 1, seconds above 0", file=sys.stderr)
        return 2
    names = tuple(WORKLOADS) if args.workload == "all" else (args.workload,)

    def progress(line: str) -> None:
        if not args.json:
            print(line, file=sys.stderr, flush=True)

    try:
        results = run_bench(
            names, args.rounds, args.seconds, not args.no_torch, args.warmup, args.threads, progress
        )
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        print(f"bench failed: {e}", file=sys.stderr)
        return 1
    print(json.dumps(results, indent=2) if args.json else format_table(results))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="visualnn bench", description=__doc__.split("\n")[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
