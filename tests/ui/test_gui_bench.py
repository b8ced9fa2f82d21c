"""The GUI benchmark measures what it says: the same work with and without the window."""

from visualnn.bench import gui as gui_bench
from visualnn.presets import build_preset


def test_window_run_trains_every_epoch_and_probes_only_when_asked(qapp):
    epochs = 3
    _, ds, _ = build_preset("xor")
    samples = epochs * len(ds.x_train)

    quiet = gui_bench.with_gui("xor", epochs, (1280, 720), probe_lag=False)
    probed = gui_bench.with_gui("xor", epochs, (1280, 720))

    for run in (quiet, probed):
        assert run["epochs"] == epochs
        assert run["samples"] == samples
        assert run["samples_per_second"] > 0
    assert quiet["max_lag_ms"] is None
    assert probed["max_lag_ms"] is not None and probed["max_lag_ms"] >= 0
