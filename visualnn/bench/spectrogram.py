"""Benchmark of the live spectrogram: CPU, frame rate and latency at 48 kHz, n_fft 2048, hop 256.

Runs the real panel (chirp source paced by the clock, as a microphone would be) in a window of
the given size and reports what the pump measured plus the whole process's CPU time, so the
number includes everything the GUI thread did to keep the picture moving.
"""

from __future__ import annotations

import time

from PySide6 import QtCore, QtWidgets


def measure_pump(seconds: float = 5.0, size: tuple[int, int] = (1920, 1080)) -> dict:
    """Run the panel for ``seconds`` and return its costs.

    Returns
    -------
    dict
        ``cpu_fraction_process``: process CPU seconds per wall second (1.0 = one core), over
        everything: features, colouring, painting all plots, Qt.
        ``cpu_fraction``: the pump's ticks plus the spectrogram's paints.
        ``pump_cpu_fraction``: the ticks alone (features, image, scope and meter data).
        ``features_cpu_fraction``: reading the source, STFT and dB.
        ``spectrogram_cpu_fraction``: features plus the spectrogram image (rows, colours,
        paint): the "features plus drawing" budget, without the scope plots.
        ``frames_per_second``: spectrogram paints per second.
        ``latency_ms`` / ``latency_worst_ms``: estimated time from a sample arriving to its
        column on screen (half / one timer period of waiting, plus read-to-paint).
        ``realtime_factor``: seconds of audio analysed per wall second.
    """
    # Held here for the whole run: an application made here ends with its last reference.
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    window = _open_window(app, size)
    panel = window.panel
    frames = []
    panel.columns_added.connect(lambda cols: frames.append(cols.shape[1]))
    _wait(1.0)  # warm-up: allocations, first full recolour, font caches
    frames.clear()
    panel.pump._reset_stats()
    samples, wall, cpu = _sample_stats(panel.pump, seconds)
    panel.stop()
    window.close()

    def mean(key):
        vals = [s[key] for s in samples if key in s]
        return sum(vals) / len(vals) if vals else float("nan")

    return {
        "seconds": wall,
        "cpu_fraction_process": cpu / wall,
        "cpu_fraction": mean("cpu_fraction"),
        "pump_cpu_fraction": mean("pump_cpu_fraction"),
        "features_cpu_fraction": mean("features_cpu_fraction"),
        "spectrogram_cpu_fraction": mean("spectrogram_cpu_fraction"),
        "frames_per_second": mean("frames_per_second"),
        "latency_ms": mean("latency_ms"),
        "latency_worst_ms": max((s.get("latency_worst_ms", 0.0) for s in samples), default=0.0),
        "realtime_factor": sum(frames) * 256 / 48000 / wall,
        "window": f"{size[0]}x{size[1]}",
    }


def _open_window(app: QtWidgets.QApplication, size: tuple[int, int]):
    """The spectrogram window at ``size``, running on a 48 kHz chirp paced by the clock."""
    from visualnn.audio.sources import SynthSource
    from visualnn.ui import restyle
    from visualnn.ui.spectrogram_app import SpectrogramWindow

    restyle.apply(app)
    window = SpectrogramWindow("tone")
    panel = window.panel
    panel.settings.set_values(samplerate=48000, n_fft=2048, hop=256, span=10, scale="log")
    panel.set_source(SynthSource("chirp", frequency=100.0, samplerate=48000))
    window.resize(*size)
    window.show()
    panel.start()
    return window


def _wait(duration: float) -> None:
    # A real event loop, not a polling one: polling would add its own CPU to the numbers.
    loop = QtCore.QEventLoop()
    QtCore.QTimer.singleShot(int(duration * 1000), loop.quit)
    loop.exec()


def _sample_stats(pump, seconds: float) -> tuple[list[dict], float, float]:
    """The pump's statistics about once a second for ``seconds``: ``(samples, wall, cpu)``,
    with the wall-clock and process CPU seconds that passed."""
    cpu0, wall0 = time.process_time(), time.perf_counter()
    samples = []
    end = wall0 + seconds
    while time.perf_counter() < end:
        _wait(min(1.05, end - time.perf_counter()))
        if pump.stats:
            samples.append(dict(pump.stats))
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    return samples, wall, cpu


def add_arguments(parser) -> None:
    """Options of ``visualnn bench-spectrogram``."""
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds (8)")
    parser.add_argument("--size", default="1920x1080", help="window size (1920x1080)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")


def run(args) -> int:
    """Measure the live spectrogram at 48 kHz, n_fft 2048, hop 256 and print the costs."""
    import json
    import os

    from visualnn.ui.app import parse_size

    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    r = measure_pump(args.seconds, parse_size(args.size, (1920, 1080)))
    if args.json:
        print(json.dumps(r, indent=2))
        return 0
    pct = {k: 100 * r[k] for k in r if k.endswith("cpu_fraction") or k == "cpu_fraction_process"}
    print(f"live spectrogram, 48 kHz mono chirp, n_fft 2048, hop 256, window {r['window']}:")
    print(f"  features (read, STFT, dB)        {pct['features_cpu_fraction']:5.1f} % of one core")
    print(f"  features + spectrogram drawing   {pct['spectrogram_cpu_fraction']:5.1f} %")
    print(f"  + scope and meter                {pct['cpu_fraction']:5.1f} %")
    print(f"  whole process                    {pct['cpu_fraction_process']:5.1f} %")
    print(f"  frames drawn per second          {r['frames_per_second']:5.1f}")
    print(
        f"  sound-to-screen latency (est.)   {r['latency_ms']:5.1f} ms mean, "
        f"{r['latency_worst_ms']:.1f} ms worst (+ the stream's block)"
    )
    print(f"  keeps up with real time          {r['realtime_factor']:5.2f} x")
    return 0


if __name__ == "__main__":
    import json
    import sys

    secs = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    print(json.dumps(measure_pump(secs), indent=2))
