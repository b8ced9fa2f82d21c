"""Smoke test of ``visualnn bench`` with tiny runs (a benchmark, never a timed assertion)."""

from __future__ import annotations

import argparse

import pytest

from visualnn.bench import engine as bench


def test_run_bench_tiny_numpy_only():
    lines = []
    results = bench.run_bench(
        ("mlp", "cnn"), rounds=1, seconds=0.01, torch=False, warmup=1, progress=lines.append
    )
    assert [r["workload"] for r in results] == ["mlp", "cnn"]
    for res in results:
        assert res["numpy"]["median"] > 0 and res["numpy"]["runs"] == [res["numpy"]["median"]]
        assert res["torch"] is None and res["ratio"] is None
        assert res["torch_note"] == "torch skipped"
    assert len(lines) == 2
    table = bench.format_table(results)
    assert "mlp" in table and "cnn" in table and "torch skipped" in table


def test_missing_torch_is_reported(monkeypatch):
    monkeypatch.setattr(bench, "torch_available", lambda: False)
    monkeypatch.setattr(bench, "_run_worker", lambda side, *a: 100.0)
    (res,) = bench.run_bench(("mlp",), rounds=3, seconds=0.01, torch=True)
    assert res["torch_note"] == "torch not installed"
    assert res["numpy"]["runs"] == [100.0] * 3
    assert "torch not installed" in bench.format_table([res])


def test_rounds_alternate_and_ratio(monkeypatch):
    order = []
    monkeypatch.setattr(bench, "torch_available", lambda: True)
    speeds = {"numpy": iter([300.0, 200.0, 100.0]), "torch": iter([100.0, 100.0, 300.0])}

    def fake(side, *args):
        order.append(side)
        return next(speeds[side])

    monkeypatch.setattr(bench, "_run_worker", fake)
    (res,) = bench.run_bench(("cnn",), rounds=3, seconds=0.01)
    assert order == ["numpy", "torch", "torch", "numpy", "numpy", "torch"]
    assert res["numpy"]["median"] == 200.0 and res["numpy"]["min"] == 100.0
    assert res["ratio"] == pytest.approx(2.0)
    assert "2.00x" in bench.format_table([res])


def test_worker_measures_in_process(capsys):
    parser = argparse.ArgumentParser()
    bench.add_arguments(parser)
    args = parser.parse_args(
        ["--worker", "numpy", "--workload", "cnn", "--seconds", "0.01", "--warmup", "1"]
    )
    assert bench.run(args) == 0
    assert '"samples_per_second"' in capsys.readouterr().out


@pytest.mark.parametrize("module", ["audio", "engine", "gui", "process"])
def test_each_benchmark_module_starts_on_its_own(module):
    """``python -m visualnn.bench.X --help`` parses its arguments (bench.audio once declared
    --json twice and died at start-up)."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", f"visualnn.bench.{module}", "--help"],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr[-500:]
    assert "usage" in done.stdout
