"""``visualnn bench-gui``: does the window stay live while it trains at full speed?

The window trains a preset (with an epoch budget it cannot finish) for ``--warmup`` then
``--seconds`` seconds, every default view open, and reports for the measured part:

* the trainer's throughput (samples/s, from its own epoch reports) against the headless
  trainer on the same preset in a fresh process (``visualnn train``'s way); with
  ``--repeat N`` the two alternate N times and the median share is reported with its range,
  because one run of either side can be off by a fifth on a shared machine;
* redraws per second of every view on the frame clock, and the clock's frames per second;
* the event loop's lateness, from a 10 ms probe timer: p99 and worst;
* memory (resident set of the window and of the trainer process) growth after warm-up.

``--film`` also runs the real window on a private Xvfb screen and films it with ffmpeg: the
visible updates per second are the honest measure of "live" (see :mod:`visualnn.bench.film`).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from visualnn.bench.process import cpu_seconds

PROBE_MS = 10
LONG_RUN_EPOCHS = 1_000_000  # an epoch budget no benchmark finishes
FILM_STARTUP_S = 3.0  # Python, Qt and the window starting under Xvfb (about 2 s) before it trains


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--preset", default="spiral", help="preset to train (default spiral)")
    parser.add_argument("--size", default="1280x720", help="window size (default 1280x720)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before measuring")
    parser.add_argument("--repeat", type=int, default=1,
                        help="headless and window runs, alternating (default 1)")  # fmt: skip
    parser.add_argument("--film", action="store_true", help="also film a real window (Xvfb)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")


def rss_mb(pid: int | None = None) -> float:
    """Resident memory of a process in MB (Linux; 0 where /proc is missing)."""
    try:
        text = Path(f"/proc/{pid or os.getpid()}/status").read_text()
    except OSError:
        return 0.0
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return 0.0


def headless(preset: str, seconds: float) -> tuple[float, float]:
    """Samples per second and per CPU second of the bare trainer in a fresh interpreter (as
    ``visualnn train``)."""
    code = (
        "import sys, json, time\n"
        "from visualnn.engine import Trainer, EpochReport\n"
        "from visualnn.presets import build_preset\n"
        f"model, ds, cfg = build_preset({preset!r}); cfg.epochs = {LONG_RUN_EPOCHS}\n"
        "tr = Trainer(model, (ds.x_train, ds.y_train), (ds.x_test, ds.y_test), cfg)\n"
        f"t0 = time.perf_counter(); warm = t0 + {seconds / 4!r}; n0 = None\n"
        "for r in tr.steps():\n"
        "    if isinstance(r, EpochReport):\n"
        "        now = time.perf_counter()\n"
        "        if n0 is None and now > warm:\n"
        "            n0, t1, c1 = r.samples_seen, now, time.process_time()\n"
        f"        if now - t0 > {seconds!r}: break\n"
        "n = r.samples_seen - n0\n"
        "print(json.dumps([n / (now - t1), n / (time.process_time() - c1)]))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=seconds * 4 + 60, check=True)  # fmt: skip
    per_second, per_cpu_second = json.loads(out.stdout.strip().splitlines()[-1])
    return float(per_second), float(per_cpu_second)


class Probe:
    """A 10 ms timer whose lateness is the event loop's: it cannot tick while a frame runs."""

    def __init__(self) -> None:
        from PySide6 import QtCore

        self.lags: list[float] = []
        self._last = time.perf_counter()
        self.timer = QtCore.QTimer()
        self.timer.setTimerType(QtCore.Qt.PreciseTimer)
        self.timer.setInterval(PROBE_MS)
        self.timer.timeout.connect(self._on_timeout)

    def _on_timeout(self) -> None:
        now = time.perf_counter()
        self.lags.append(max(0.0, now - self._last - PROBE_MS / 1000))
        self._last = now

    def summary(self) -> dict:
        lags = sorted(self.lags[1:]) or [0.0]
        return {"p99_lateness_ms": 1000 * lags[int(0.99 * (len(lags) - 1))],
                "worst_lateness_ms": 1000 * lags[-1]}  # fmt: skip


def _view_redraws() -> dict[str, int]:
    """Redraws so far of every view on the frame clock, by the view's class name."""
    from visualnn.ui.pacing import frame_clock

    counts: dict[str, int] = {}
    for ref in list(frame_clock()._views.values()):
        view = ref()
        widget = view.parent() if view is not None else None
        if widget is not None:
            name = type(widget).__name__
            counts[name] = counts.get(name, 0) + view.count
    return counts


def _wait(app, seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.001)


def with_gui(preset: str, size: tuple[int, int], warmup: float, seconds: float) -> dict:
    """Train in the window with its default views; measure the part after ``warmup``."""
    from PySide6 import QtWidgets

    from visualnn.ui import restyle
    from visualnn.ui.main_window import MainWindow
    from visualnn.ui.pacing import frame_clock

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    restyle.apply(app)
    window = MainWindow(restore=False)
    window.force_close = True
    window.session.load_preset(preset)
    window.controller.update_config(epochs=LONG_RUN_EPOCHS)
    window.resize(*size)
    window.show()
    app.processEvents()
    window.reset_layout()
    window.resize(*size)
    probe = Probe()
    window.controller.play()
    _wait(app, warmup)
    history = window.session.project.history
    pid = window.controller.process.pid
    start = (time.perf_counter(), frame_clock().frames, _view_redraws(),
             _samples(history), rss_mb(), rss_mb(pid), cpu_seconds(pid))  # fmt: skip
    probe.timer.start()
    _wait(app, seconds)
    probe.timer.stop()
    wall = time.perf_counter() - start[0]
    redraws = {k: (v - start[2].get(k, 0)) / wall for k, v in _view_redraws().items()}
    samples, cpu = _samples(history) - start[3], cpu_seconds(pid) - start[6]
    result = {
        "trainer_samples_per_second": samples / wall,
        # Did the trainer get its core, and what did a sample cost it there?
        "trainer_cpu_share": cpu / wall,
        "trainer_samples_per_cpu_second": samples / max(cpu, 1e-9),
        "clock_frames_per_second": (frame_clock().frames - start[1]) / wall,
        "redraws_per_second": {k: round(v, 1) for k, v in sorted(redraws.items()) if v > 0},
        "window_rss_growth_mb": rss_mb() - start[4],
        "trainer_rss_growth_mb": rss_mb(pid) - start[5],
        "window_rss_mb": rss_mb(),
        "epochs": len(history),
        **probe.summary(),
    }
    window.close()
    app.processEvents()
    return result


def _samples(history) -> int:
    last = history.last()
    return int(last["samples_seen"]) if last else 0


def run(args: argparse.Namespace) -> int:
    from visualnn.ui.app import parse_size

    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    size = parse_size(args.size, (1280, 720))
    shares, per_cpu = [], []
    for _ in range(max(1, args.repeat)):  # the last window run's numbers are the ones shown
        base, base_cpu = headless(args.preset, args.seconds)
        result = {"preset": args.preset, "size": args.size, "headless_samples_per_second": base}
        result.update(with_gui(args.preset, size, args.warmup, args.seconds))
        shares.append(result["trainer_samples_per_second"] / max(base, 1e-9))
        per_cpu.append(result["trainer_samples_per_cpu_second"] / max(base_cpu, 1e-9))
    result["trainer_vs_headless"] = float(np.median(shares))
    result["trainer_vs_headless_runs"] = [round(v, 3) for v in shares]
    result["trainer_per_cpu_second_vs_headless"] = float(np.median(per_cpu))
    if args.film:
        from visualnn.bench.film import film_window

        # The filmed window starts from nothing and trains at once: filmed from when it is
        # up, the class sees the network learn (later, a learned network hardly moves).
        result.update(film_window(args.preset, args.size, FILM_STARTUP_S, args.seconds))
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{args.preset} at {args.size}: the trainer ran at "
          f"{result['trainer_samples_per_second']:,.0f} samples/s, "
          f"{100 * result['trainer_vs_headless']:.0f}% of headless ({base:,.0f})"
          + (f"; median of {len(shares)} alternating runs, {100 * min(shares):.0f}-"
             f"{100 * max(shares):.0f}%." if len(shares) > 1 else "."))  # fmt: skip
    print(f"the trainer process had {100 * result['trainer_cpu_share']:.0f}% of a core (last "
          f"run); per CPU second it trained "
          f"{100 * result['trainer_per_cpu_second_vs_headless']:.0f}% as many samples as "
          f"headless (median)")  # fmt: skip
    print(
        f"frame clock {result['clock_frames_per_second']:.1f} frames/s; redraws per second: "
        + ", ".join(f"{k} {v}" for k, v in result["redraws_per_second"].items())
    )
    print(f"event loop lateness p99 {result['p99_lateness_ms']:.1f} ms, "
          f"worst {result['worst_lateness_ms']:.1f} ms")  # fmt: skip
    print(
        f"memory growth after warm-up: window {result['window_rss_growth_mb']:+.1f} MB, "
        f"trainer {result['trainer_rss_growth_mb']:+.1f} MB over {args.seconds:g} s"
    )
    if args.film:
        print(f"filmed from {FILM_STARTUP_S:g} s after launch, {args.seconds:g} s at 30 frames/s: "
              f"{result['changed_per_second']:.1f} frames/s changed, "
              f"{result['visible_updates_per_second']:.1f} frames/s with >= 0.3 % of the "
              f"pixels changed")  # fmt: skip
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="visualnn bench-gui", description=__doc__.split("\n")[0])
    add_arguments(parser)
    raise SystemExit(run(parser.parse_args()))
