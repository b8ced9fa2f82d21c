"""The GUI benchmark measures what it says (numbers are for the README, never asserted)."""

from visualnn.bench import gui as gui_bench
from visualnn.bench.film import count_updates


def test_window_run_reports_trainer_speed_redraws_lateness_and_memory(qapp):
    result = gui_bench.with_gui("xor", (1280, 720), warmup=1.0, seconds=1.5)
    assert result["trainer_samples_per_second"] > 0 and result["epochs"] > 0
    assert result["clock_frames_per_second"] > 0
    # The views on screen redrew while the trainer ran in its own process.
    assert result["redraws_per_second"].get("TrainingPlots", 0) > 0
    assert result["p99_lateness_ms"] >= 0 and result["worst_lateness_ms"] >= 0
    assert result["window_rss_mb"] > 0
    assert 0 < result["trainer_cpu_share"] <= 1.5 and result["trainer_samples_per_cpu_second"] > 0


def test_headless_speed_comes_from_a_fresh_trainer():
    per_second, per_cpu_second = gui_bench.headless("xor", 1.0)
    # One thread trains: a CPU second holds at most about a wall second of samples.
    assert 0 < per_second < 1.5 * per_cpu_second


def test_film_counts_frames_that_visibly_change():
    w, h = 10, 10
    still = bytes(w * h * 3)
    moved = bytearray(still)
    moved[:3] = b"\xff\xff\xff"  # one pixel of a hundred: 1 %
    fractions = count_updates([still, still, bytes(moved), bytes(moved)], (w, h))
    assert fractions == [0.0, 0.01, 0.0]
