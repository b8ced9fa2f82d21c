"""Ten minutes of training with the views drawing: memory stays flat after warm-up.

Slow (``-m slow`` runs it; the default run leaves it out): the benchmark
``visualnn bench-gui --seconds 600`` prints the same numbers for the README.
"""

from __future__ import annotations

import os

import pytest

from visualnn.bench import gui as gui_bench

pytestmark = pytest.mark.slow

SOAK_SECONDS = float(os.environ.get("VISUALNN_SOAK_SECONDS", "600"))


def test_ten_minutes_of_training_do_not_grow_memory(qapp):
    result = gui_bench.with_gui("xor", (1280, 720), warmup=60.0, seconds=SOAK_SECONDS)
    print(result)
    assert result["epochs"] > 1000
    assert result["window_rss_growth_mb"] <= 20.0
    assert result["trainer_rss_growth_mb"] <= 20.0
