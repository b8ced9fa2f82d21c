"""The main window driven as a user would: train, step, tune live, diverge, save, reopen,
recover, close while training, and the headless screenshot command."""

from __future__ import annotations

import argparse
import time

import numpy as np
import pytest
from PySide6 import QtCore

from visualnn.presets import PRESETS
from visualnn.ui import app as gui_app


def trainer_gone(window) -> bool:
    """No run is going on and (after close) no trainer process is left."""
    return window.controller.run_id is None


def weights_of(window) -> list[dict]:
    return window.session.inspect.model.get_weights()


def same_weights(a: list[dict], b: list[dict]) -> bool:
    return len(a) == len(b) and all(
        x.keys() == y.keys() and all(np.array_equal(x[k], y[k]) for k in x)
        for x, y in zip(a, b, strict=True)
    )


def train_to_end(qtbot, window, epochs: int = 5, timeout: int = 20_000) -> None:
    window.training_panel.epochs.setValue(epochs)
    window.actions["play"].trigger()
    qtbot.waitUntil(lambda: window.session.inspect.training_state == "finished", timeout=timeout)


def test_opens_on_a_preset_ready_to_train(make_window):
    window = make_window("xor")
    s = window.session
    assert s.inspect.model is not None and s.project.dataset is not None
    assert s.project.document.layers == PRESETS["xor"].spec
    assert s.inspect.training_state == "idle"
    assert "Epoch 0 /" in window.training_panel.progress.text()
    assert window.actions["play"].text().endswith("Play")
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["&File", "&Edit", "&View", "&Training"]


def test_play_trains_to_completion_and_the_views_hear_of_it(qtbot, make_window):
    window = make_window("xor")
    s = window.session
    counts = {"weights": 0, "history": 0}
    s.inspect.weights_updated.connect(lambda: counts.__setitem__("weights", counts["weights"] + 1))
    s.project.history_changed.connect(lambda: counts.__setitem__("history", counts["history"] + 1))
    before = weights_of(window)
    train_to_end(qtbot, window, epochs=8)
    assert len(s.project.history) == 8
    assert s.project.history.epochs[-1]["train_loss"] < s.project.history.epochs[0]["train_loss"]
    assert counts["weights"] > 0 and counts["history"] > 0
    assert len(s.project.history.trace[0]) and not same_weights(before, weights_of(window))
    assert trainer_gone(window)
    plots = window.docks["plots"].widget()

    def plotted() -> int:
        x = plots.train_loss.getData()[0]
        return 0 if x is None else len(x)

    qtbot.waitUntil(lambda: plotted() == 8, timeout=3000)
    assert "Epoch 8 / 8" in window.training_panel.progress.text()


def test_step_batch_and_step_epoch(qtbot, make_window):
    window = make_window("xor")
    s = window.session
    window.actions["step_batch"].trigger()
    qtbot.waitUntil(lambda: len(s.project.history.trace[0]) == 1, timeout=5000)
    assert len(s.project.history) == 0
    window.actions["step_epoch"].trigger()
    qtbot.waitUntil(lambda: len(s.project.history) == 1, timeout=5000)
    qtbot.wait(100)
    assert len(s.project.history) == 1 and s.inspect.training_state == "paused"
    ds = s.project.dataset
    per_epoch = -(-len(ds.x_train) // s.project.config.batch_size)
    assert len(s.project.history.trace[0]) == per_epoch
    window.actions["reset"].trigger()
    assert (
        len(s.project.history) == 0 and s.inspect.training_state == "idle" and trainer_gone(window)
    )


def test_learning_rate_changes_live_while_training(qtbot, make_window):
    window = make_window("circle")
    window.training_panel.epochs.setValue(10_000)
    window.actions["play"].trigger()
    qtbot.waitUntil(lambda: len(window.session.project.history.trace[0]) > 5, timeout=5000)
    run = window.controller.run_id
    window.training_panel.lr.setValue(0.002)
    window.training_panel.clip.setValue(5.0)
    schedule = window.training_panel.lr_schedule
    assert schedule.currentData() == "constant"
    schedule.setCurrentIndex(schedule.findData("cosine"))
    seen = len(window.session.project.history)
    qtbot.waitUntil(lambda: len(window.session.project.history) > seen + 2, timeout=5000)
    assert window.controller.run_id == run  # the same run, not a restart
    assert window.session.project.history.epochs[-1]["epoch"] > seen
    assert window.session.project.config.lr == pytest.approx(0.002)
    assert window.session.project.config.lr_schedule == "cosine"
    window.actions["play"].trigger()  # Space again: pause
    qtbot.waitUntil(lambda: window.session.inspect.training_state == "paused", timeout=3000)


def test_exploding_learning_rate_shows_the_banner_and_keeps_weights_finite(qtbot, make_window):
    # Bounded outputs (sigmoid, softmax) saturate instead of overflowing; a linear output
    # with squared error does not, so drop the last activation as a student might.
    window = make_window("sum")
    assert window.session.project.document.set_option(1, "activation", None)
    window.training_panel.lr.setValue(1e6)
    window.actions["play"].trigger()
    qtbot.waitUntil(lambda: window.session.inspect.training_state == "diverged", timeout=10_000)
    banner = window.training_panel.banner
    assert banner.isVisible()
    assert "diverged" in banner.label.text() and "learning rate" in banner.label.text()
    for layer in weights_of(window):
        assert all(np.isfinite(v).all() for v in layer.values())
    banner.dismiss_button.click()
    assert not banner.isVisible()


def test_editing_the_network_while_training_pauses_and_rebuilds(qtbot, make_window):
    window = make_window("circle")
    window.training_panel.epochs.setValue(10_000)
    window.actions["play"].trigger()
    qtbot.waitUntil(lambda: len(window.session.project.history) >= 1, timeout=5000)
    window.session.project.document.add_layer(
        0, {"type": "dense", "units": 4, "activation": "relu"}
    )
    assert trainer_gone(window)
    assert window.session.inspect.training_state == "paused"
    assert window.session.inspect.model.layers[0].params["weight"].shape == (4, 2)
    # The history goes on (the plots continue) and the untouched layers keep their weights.
    assert len(window.session.project.history) >= 1
    window.actions["undo"].trigger()
    assert len(window.session.project.document.layers) == len(PRESETS["circle"].spec)


def test_save_and_reopen_gives_identical_weights(qtbot, make_window, tmp_path):
    window = make_window("xor")
    train_to_end(qtbot, window, epochs=3)
    saved = weights_of(window)
    path = tmp_path / "xor.vnn"
    assert window.files.save_as(path)
    assert not window.session.project.modified and window.windowTitle().startswith("xor.vnn")
    window.actions["reset"].trigger()
    assert not same_weights(saved, weights_of(window))
    assert window.files.open(path)
    assert same_weights(saved, weights_of(window))
    assert len(window.session.project.history) == 3
    assert window.files.recent_files() == [str(path)]
    other = make_window("circle")
    assert other.files.open(path)
    assert same_weights(saved, weights_of(other))


def test_a_corrupt_file_leaves_the_session_untouched(qtbot, make_window, tmp_path):
    window = make_window("xor")
    before, layers = weights_of(window), list(window.session.project.document.layers)
    bad = tmp_path / "broken.vnn"
    bad.write_bytes(b"this is not a zip file at all")
    assert not window.files.open(bad)
    assert window.banner.isVisible() and "broken.vnn" in window.banner.label.text()
    assert same_weights(before, weights_of(window))
    assert window.session.project.document.layers == layers


def test_autosave_then_recovery_offer(qtbot, make_window):
    window = make_window("xor")
    window.session.project.document.add_layer(
        1, {"type": "dense", "units": 3, "activation": "tanh"}
    )
    assert window.session.project.modified and window.files.autosave()
    assert window.files.recovery_path.exists()
    # A crash: no clean exit is recorded, so the next window offers the work back.
    fresh = make_window("circle")
    assert fresh.offer_recovery() and fresh.banner.isVisible()
    recover = next(b for b in fresh.banner._extra if b.text() == "Recover")
    recover.click()
    assert fresh.session.project.document.layers[1]["units"] == 3
    assert fresh.session.project.modified and fresh.files.path is None


def test_export_history_csv_and_dock_png(qtbot, make_window, tmp_path):
    from visualnn.ui.export import export_history_csv, export_png

    window = make_window("xor")
    train_to_end(qtbot, window, epochs=2)
    rows = window.session.project.history.to_list()
    csv = export_history_csv(rows, tmp_path / "h.csv").read_text()
    assert csv.splitlines()[0].startswith("epoch,train_loss") and len(csv.splitlines()) == 3
    png = export_png(window.docks["plots"].widget(), tmp_path / "plots.png")
    assert png.stat().st_size > 1000


def test_layout_is_restored(qtbot, make_window):
    from visualnn.ui.main_window import MainWindow

    window = make_window("xor")
    window.views.set_shown("weights", False)
    window.views.set_shown("plots")
    window.save_layout()
    again = MainWindow(confirm=lambda p: "discard", restore=True)
    qtbot.addWidget(again)
    again.show()
    assert not again.docks["weights"].isVisible()
    assert again.docks["plots"].isVisible()
    again.force_close = True
    again.close()


def test_close_while_training_exits_cleanly_within_two_seconds(qtbot, make_window):
    window = make_window("circle")
    window.training_panel.epochs.setValue(100_000)
    window.actions["play"].trigger()
    qtbot.waitUntil(lambda: len(window.session.project.history.trace[0]) > 10, timeout=5000)
    window.force_close = True
    start = time.perf_counter()
    assert window.close()
    assert time.perf_counter() - start < 2.0
    assert window.controller.process.pid is None


def test_close_asks_about_unsaved_changes(qtbot, make_window):
    window = make_window("xor", answer="cancel")
    window.session.project.document.add_layer(1, {"type": "dense", "units": 3})
    assert not window.close() and window.isVisible()
    window.files.confirm = lambda parent: "discard"
    assert window.close()


def test_headless_screenshot_command(qtbot, tmp_path, themed):
    # ``themed``: the in-process run applies the app's look; put back afterwards, or later
    # tests measure widgets in it (the inspector grew 2 px too wide for its projector test)
    parser = argparse.ArgumentParser()
    gui_app.add_arguments(parser)
    out = tmp_path / "shot.png"
    args = parser.parse_args(
        [
            "--preset",
            "xor",
            "--train-seconds",
            "1",
            "--screenshot",
            str(out),
            "--quit",
            "--size",
            "1280x720",
        ]
    )
    assert gui_app.run(args) == 0
    assert out.exists() and out.stat().st_size > 10_000
    from PySide6 import QtGui

    assert QtGui.QImage(str(out)).size() == QtCore.QSize(1280, 720)


def test_bad_arguments_are_explained(capsys):
    parser = argparse.ArgumentParser()
    gui_app.add_arguments(parser)
    assert gui_app.run(parser.parse_args(["--preset", "nope", "--quit"])) == 2
    assert "unknown preset 'nope'" in capsys.readouterr().err
    assert gui_app.run(parser.parse_args(["--size", "big", "--quit"])) == 2


def test_new_from_preset_menu_lists_every_preset_and_loads_one(qtbot, make_window):
    window = make_window("xor")
    file_menu = window.menuBar().actions()[0].menu()
    new_menu = next(a.menu() for a in file_menu.actions() if a.text() == "&New from preset")
    entries = {a.text(): a for a in new_menu.actions()}
    assert len(entries) == len(PRESETS)
    for preset in PRESETS.values():
        assert preset.title in entries  # the human title, not the command-line key
    entries[PRESETS["digits-cnn"].title].trigger()
    assert window.session.project.document.layers == PRESETS["digits-cnn"].spec
    assert window.session.project.dataset.input_shape == (1, 8, 8)
    assert not window.session.project.modified and window.files.path is None


def test_no_display_is_explained_not_aborted(monkeypatch, capsys):
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(gui_app.sys, "platform", "linux")
    parser = argparse.ArgumentParser()
    gui_app.add_arguments(parser)
    assert gui_app.run(parser.parse_args([])) == 2
    assert "no display found" in capsys.readouterr().err


def test_learning_rate_box_steps_along_one_two_five(qtbot):
    from visualnn.ui.panels.training_controls import LogSpinBox

    box = LogSpinBox(1e-6, 1e6)
    qtbot.addWidget(box)
    box.setValue(0.01)
    seen = []
    for _ in range(4):
        box.stepBy(1)
        seen.append(box.text())
    assert seen == ["0.02", "0.05", "0.1", "0.2"]
    box.stepBy(-2)
    assert box.value() == pytest.approx(0.05)
    box.lineEdit().setText("3e-4")
    box.interpretText()
    assert box.value() == pytest.approx(3e-4)


def test_space_plays_except_inside_the_microphone_panel(qtbot, make_window):
    from PySide6 import QtTest

    from visualnn.ui.docks import content

    window = make_window("xor")
    window.views.set_shown("microphone")
    mic = content(window.docks["microphone"])
    hits = []
    mic.toggle = lambda: hits.append("mic")  # the panel's own Space: start/stop listening
    window.actions["play"].triggered.connect(lambda: hits.append("play"))
    window.activateWindow()
    mic.start_button.setFocus()
    qtbot.waitUntil(lambda: window.actions["play"].shortcut().isEmpty(), timeout=2000)
    QtTest.QTest.keyClick(mic.start_button, QtCore.Qt.Key_Space)
    assert hits == ["mic"]
    window.graph_view.setFocus()
    qtbot.waitUntil(lambda: not window.actions["play"].shortcut().isEmpty(), timeout=2000)
    QtTest.QTest.keyClick(window.graph_view, QtCore.Qt.Key_Space)
    assert hits == ["mic", "play"]
    window.controller.stop()


def test_sound_presets_open_with_a_cosine_schedule_at_one_loudness(make_window):
    window = make_window("sounds-conv1d")
    assert window.training_panel.lr_schedule.currentData() == "cosine"
    box = window.docks["data"].widget().widget().sound_box
    assert box.level.isChecked()
    window.session.load_preset("xor")
    assert window.training_panel.lr_schedule.currentData() == "constant"


def test_neuron_preset_opens_with_its_worked_example_weights(make_window):
    window = make_window("neuron")
    layer = window.session.inspect.model.get_weights()[0]
    np.testing.assert_allclose(layer["weight"].ravel(), [0.4, 0.7, 0.2], rtol=1e-6)


def test_sound_classes_dock_listens_through_the_microphone_dock(make_window):
    from visualnn.audio.sources import SynthSource
    from visualnn.ui.docks import content

    window = make_window("xor")
    mic, sounds = content(window.docks["microphone"]), content(window.docks["sounds"])
    mic.set_source(SynthSource("tone", frequency=1000.0, samplerate=48000, realtime=False,
                               block=4800))  # fmt: skip
    mic.pump.source.start()
    for _ in range(5):
        mic.pump.tick()
    mic.stop()
    # 0.5 s at 16 kHz, less the resampler's few samples of delay
    assert sounds.audio is mic.pump and 7950 <= sounds.audio.buffer.total <= 8000


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_every_preset_fits_a_1280x720_projector(qtbot, make_window, preset):
    """No dock may force the window wider than a projector (a long legend once did)."""
    window = make_window(preset)
    window.reset_layout()
    window.resize(1280, 720)
    qtbot.wait(10)
    assert window.width() == 1280 and window.minimumSizeHint().width() <= 1280
