"""Sound through the network: the live input, Sound classes training the graph's network,
the Data dock's sound sources, and one sound and one training pipeline per window."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

from visualnn.audio.sources import SynthSource
from visualnn.audio.wavio import write_wav
from visualnn.data.sound import synthetic_clip
from visualnn.presets import PRESETS
from visualnn.ui.model.forward import recorded_forward, to_probabilities

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR_ENV = "VISUALNN_SCREENSHOTS"


def _tone(frequency=2000.0, kind="tone"):
    # Non-realtime: every read returns 0.1 s, so a test does not wait for the clock.
    return SynthSource(kind, frequency=frequency, samplerate=48000, realtime=False,
                       block=4800, amplitude=0.3)  # fmt: skip


def _feed(window, seconds: float) -> None:
    """Let the window's sound run for ``seconds`` of (non-realtime) audio."""
    for _ in range(int(round(seconds * 10))):
        window.live_audio.tick()


def test_live_input_feeds_every_view_with_the_data_sets_features(make_window, qtbot):
    window = make_window("sounds-cnn")
    s = window.session
    window.live_audio.set_source(_tone(2000.0))
    window.actions["live"].trigger()  # the L key
    assert window.live_input.on and s.inspect.source == "live" and window.live_audio.running
    _feed(window, 1.2)
    window.live_input.refresh()
    x, y = s.inspect.sample()
    assert y is None and x.shape == (1, 1, 40, 101)
    expected = s.project.dataset.transform(window.live_audio.buffer.latest(1.0)[None])
    assert np.allclose(x, expected, atol=1e-5)
    # A 2 kHz tone lights up its mel band in the input the graph and the views see.
    from visualnn.audio.mel import mel_frequencies

    centres = mel_frequencies(42, 50.0, 8000.0)[1:-1]
    band = int(recorded_forward(s).x[0, 0].mean(axis=1).argmax())
    assert abs(centres[band] - 2000.0) < 250
    # A selected unit stays selected while the live numbers change.
    s.inspect.select(0, (3, 10, 50))
    before = recorded_forward(s).records[0].out[0, 3, 10, 50]
    window.live_audio.set_source(_tone(300.0))
    window.live_audio.start()
    _feed(window, 1.2)
    window.live_input.refresh()
    after = recorded_forward(s).records[0].out[0, 3, 10, 50]
    assert s.inspect.selection.unit == (3, 10, 50) and before != after
    window.actions["live"].trigger()
    assert not window.live_input.on and s.inspect.source == "dataset"


def test_live_makes_a_frame_for_each_refresh_with_new_sound_and_freezes_without(make_window):
    from visualnn.ui.live_input import REFRESH_MS

    assert REFRESH_MS <= 100  # at least ten new inputs a second while sound flows
    window = make_window("sounds-conv1d")
    window.live_audio.set_source(_tone(1000.0))
    frames = []
    window.live_input.frame.connect(frames.append)
    assert window.live_input.set_live(True)
    assert len(frames) == 1  # the first at once
    for _ in range(5):  # five refresh periods, each with new sound
        window.live_audio.tick()
        window.live_input._on_timer_timeout()
    assert len(frames) == 6 and frames == sorted(frames)
    window.live_audio.stop()  # a stopped source freezes the last frame
    for _ in range(3):
        window.live_audio.tick()
        window.live_input._on_timer_timeout()
    assert len(frames) == 6 and window.session.inspect.source == "live"


def test_live_needs_a_sound_data_set(make_window):
    window = make_window("xor")
    window.actions["live"].trigger()
    assert not window.live_input.on and not window.actions["live"].isChecked()
    assert "sound data set" in window.banner.label.text()


def test_one_live_audio_feeds_the_microphone_dock_and_sound_classes(make_window):
    window = make_window("sounds-cnn")
    mic = window.docks["microphone"].widget().widget()
    sounds = window.docks["sounds"].widget().widget()
    assert mic.pump is window.live_audio and sounds.audio is window.live_audio
    window.live_audio.set_source(_tone(1000.0))
    mic.start()
    _feed(window, 1.0)
    spectrum = np.abs(np.fft.rfft(window.live_audio.buffer.latest(1.0)))
    assert abs(np.argmax(spectrum) - 1000.0) <= 1.0  # 1 s at 16 kHz: 1 Hz per bin
    assert "Stop" in mic.start_button.text()


def test_sound_classes_record_then_train_the_graphs_network(make_window, qtbot, tmp_path):
    window = make_window("xor")  # not a sound network: Train must bring one
    sounds = window.docks["sounds"].widget().widget()
    window.live_audio.set_source(_tone(2000.0))
    sounds.add_class("whistle")
    sounds.start_recording("whistle")
    _feed(window, 2.5)
    sounds.stop_recording()
    assert sounds.clip_counts() == {"whistle": 2}
    # 20 a class: 16 test clips, where one clip is 6 points (with 9 it was 11)
    sounds.load_demo(n_per_class=20)
    assert sounds.clip_counts()["whistle"] == 22 and sounds.clip_counts()["hum"] == 20
    s = window.session
    assert sounds.train()
    ds = s.project.dataset
    assert ds.name == "sounds" and ds.title == "recorded sounds"
    assert s.inspect.model.output_shape == (4,) and s.inspect.model.input_shape == (1, 40, 101)
    # and it trains as the sound preset does, not with xor's learning rate
    assert s.project.config.to_dict() == PRESETS["sounds-cnn"].config.to_dict()
    assert window.controller.running  # the window's own pipeline trains it
    qtbot.waitUntil(lambda: s.inspect.training_state == "finished", timeout=60000)
    assert s.project.history.last()["val_acc"] >= 0.8
    assert "right on clips it has not trained on" in sounds.status.text()
    # Listen: a whistle-like tone is a whistle, in the panel's bars and in the graph's model.
    window.live_audio.set_source(_tone(2000.0))
    sounds.listen_button.click()
    _feed(window, 1.2)
    window.live_input.refresh()
    probs = to_probabilities(recorded_forward(s).output)[0]
    assert ds.class_names[int(probs.argmax())] == "whistle"
    assert sounds.answer.text() == "whistle" and sounds.bars.top == "whistle"
    sounds.listen_button.click()  # stop: no answer is left standing
    assert not window.live_input.on and sounds.answer.text() == ""
    sounds.listen_button.click()
    _feed(window, 1.2)
    window.live_input.refresh()
    assert sounds.answer.text() == "whistle"
    shots = os.environ.get(SCREENSHOT_DIR_ENV) or str(tmp_path)
    window.docks["sounds"].raise_()
    qtbot.wait(100)
    assert window.docks["sounds"].grab().save(os.path.join(shots, "sound-classes.png"))


def test_train_needs_two_classes(make_window):
    window = make_window("sounds-cnn")
    sounds = window.docks["sounds"].widget().widget()
    sounds.add_clip("only", np.zeros(16000, np.float32), 16000)
    assert not sounds.train()
    assert "two classes" in sounds.status.text() and not window.controller.running


def test_data_dock_imports_a_folder_and_lists_bad_files(make_window, qtbot, tmp_path):
    root = tmp_path / "words"
    rng = np.random.default_rng(0)
    for label in ("whistle", "hum", "clap"):
        (root / label).mkdir(parents=True)
        for i in range(6):
            write_wav(root / label / f"s{i % 3}_nohash_{i}.wav", synthetic_clip(label, rng), 16000)
    (root / "hum" / "broken.wav").write_bytes(b"not a wav")
    window = make_window("sounds-conv1d")
    window.views.set_shown("data")  # the Data panel on screen (not shown at first)
    box = window.docks["data"].widget().widget().sound_box
    box._folder_path = str(root)
    box.source.setCurrentIndex(box.source.findData("folder"))
    box.apply()
    qtbot.waitUntil(lambda: box.job is None, timeout=30000)
    s = window.session
    assert s.project.dataset.title == "words" and list(s.project.dataset.class_names) == [
        "clap", "hum", "whistle"]  # fmt: skip
    assert s.inspect.model.output_shape == (3,)  # fitted: one output per class
    assert box.skipped.isVisible() and "hum/broken.wav: not a WAV file" in box.skipped.toPlainText()
    assert "speakers kept apart" in box.summary.text()
    # The representation is a setting of the data set: MFCC as a sequence (13 x 101).
    box.representation.setCurrentIndex(box.representation.findData("mfcc"))
    box.apply()
    qtbot.waitUntil(lambda: box.job is None, timeout=30000)
    assert s.project.dataset.input_shape == (13, 101)
    assert s.project.document.input_shape == (13, 101) and s.inspect.model is not None
    assert box.level.isChecked() and s.project.dataset.transform.features.normalise_level
    box.level.setChecked(False)  # the preset's one loudness for every clip, off: re-imported
    qtbot.waitUntil(lambda: box.job is None, timeout=30000)
    assert s.project.dataset.params["normalise_level"] is False
    assert not s.project.dataset.transform.features.normalise_level
    window.actions["undo"].trigger()  # fitting the network was an undoable edit
    assert s.project.document.input_shape != (13, 101) or s.inspect.spec_error is not None


def test_a_sound_project_reopens_with_its_clips(make_window, qtbot, tmp_path):
    window = make_window("sounds-cnn")
    window.actions["step_epoch"].trigger()
    qtbot.waitUntil(lambda: len(window.session.project.history) == 1, timeout=30000)
    path = tmp_path / "sounds.vnn"
    assert window.files.save_as(path)
    other = make_window("xor")
    assert other.files.open(path, ask=False)
    ds = other.session.project.dataset
    assert ds.title == "demo sounds" and ds.transform is not None
    assert np.array_equal(ds.x_test, window.session.project.dataset.x_test)


def test_only_one_training_pipeline_exists():
    """Nothing in the window builds a Trainer or a training thread but the controller."""
    hits = []
    for path in (ROOT / "visualnn" / "ui").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"(?<!class )\b(Trainer|TrainingWorker|TrainerProcess)\(", text):
            hits.append(path.relative_to(ROOT).as_posix())
    allowed = {"visualnn/ui/training_control.py", "visualnn/ui/training/run.py",
               "visualnn/ui/training/runner.py"}  # fmt: skip
    assert hits and set(hits) <= allowed, hits


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720)])
def test_screenshot_of_the_live_view(make_window, qtbot, tmp_path, size):
    window = make_window("sounds-cnn")
    window.resize(*size)
    window.live_audio.set_source(_tone(2000.0, kind="chirp"))
    window.live_input.set_live(True)
    _feed(window, 1.5)
    window.live_input.refresh()
    qtbot.wait(300)
    shots = os.environ.get(SCREENSHOT_DIR_ENV) or str(tmp_path)
    path = os.path.join(shots, f"live-{size[0]}.png")
    assert window.grab().save(path)


class _DeadMic(SynthSource):
    """A microphone that stalls until it is reopened twice (a replugged USB device)."""

    def __init__(self):
        super().__init__("tone", frequency=500.0, samplerate=48000, realtime=False, block=4800)
        self.reconnects = 0

    def status(self):
        from visualnn.audio.base import SourceStatus

        if self.reconnects < 2:
            return SourceStatus("stalled", "no sound from the microphone for 2 s")
        return super().status()

    def read(self):
        return super().read() if self.reconnects >= 2 else np.zeros(0, np.float32)

    def reconnect(self):
        self.reconnects += 1


def test_a_stalled_microphone_is_reopened_by_itself(make_window):
    from visualnn.audio.reconnect import ReconnectPolicy

    window = make_window("sounds-cnn")
    now = [0.0]
    window.live_audio.reconnect_policy = ReconnectPolicy(interval=1.0, clock=lambda: now[0])
    mic = _DeadMic()
    window.live_audio.set_source(mic)
    window.live_audio.start()
    statuses = []
    window.live_audio.status_changed.connect(statuses.append)
    for _ in range(6):
        now[0] += 0.6
        window.live_audio.tick()
    assert mic.reconnects == 2
    assert any("reconnecting: try 1 of 5" in s.message for s in statuses)
    before = window.live_audio.buffer.total
    window.live_audio.tick()
    assert window.live_audio.buffer.total > before  # sound flows again


def test_a_damaged_clip_store_is_repaired_and_said(make_window, tmp_path):
    from visualnn.audio.clips import ClipStore

    store = ClipStore(tmp_path / "sounds")
    store.add(np.zeros(16000, np.float32), 16000, "quiet")
    (tmp_path / "sounds" / "index.json").write_text('{"version": 1, "clips": [')  # truncated
    window = make_window("sounds-cnn")  # the window still opens
    sounds = window.docks["sounds"].widget().widget()
    assert sounds.clip_counts() == {"quiet": 1}
    assert "rebuilt" in sounds.status.text().lower() or "repair" in sounds.status.text().lower()


def test_augment_switch_shows_for_sound_and_turns_the_setting_off_and_on(make_window):
    from visualnn.engine.augment import SOUND_DEFAULT

    window = make_window("sounds-cnn")
    panel, project = window.training_panel, window.session.project
    assert panel.form.isRowVisible(panel.augment) and panel.augment.isChecked()
    panel.augment.setChecked(False)  # a teacher shows what learning by heart looks like
    assert project.config.augment is None
    panel.augment.setChecked(True)
    assert project.config.augment == SOUND_DEFAULT
    window.session.load_preset("digits-cnn")  # 8x8 digits: a shift would wreck them
    assert not panel.form.isRowVisible(panel.augment) and project.config.augment is None


def test_opening_sound_data_over_xor_brings_the_sound_views(make_window):
    window = make_window("xor")
    assert window.views.shown("boundary")
    window.session.load_preset("sounds-cnn")  # as File > Open of a sound project does
    assert window.views.shown("sounds") and not window.views.shown("boundary")
    # Sound classes says what the network already knows, rather than ask for recordings
    status = window.docks["sounds"].widget().widget().status.text()
    assert "knows 4 sounds from demo sounds: whistle, hum, clap, silence" in status
    window.session.load_preset("circle")  # and back: 2-D points get their boundary again
    assert window.views.shown("boundary")


def test_confidence_bars_show_the_likeliest_first_when_not_all_fit(qtbot):
    from visualnn.ui.panels.sound_class_widgets import ROW, ConfidenceBars

    bars = ConfidenceBars()
    qtbot.addWidget(bars)
    words = ["down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes", "background"]
    bars.set_classes(words)
    probs = np.full(11, 0.01)
    probs[6], probs[9] = 0.85, 0.06
    bars.set_probabilities(probs)
    bars.resize(400, 4 * ROW + 4)  # a 1280x720 panel: four rows
    assert [words[i] for i in bars.shown_rows()[:2]] == ["right", "yes"]
    assert len(bars.shown_rows()) == 4
    bars.resize(400, 11 * ROW + 4)  # room for all: the class order, which does not jump
    assert bars.shown_rows() == list(range(11))
    bars.grab()  # and it paints
