"""The sound-classes panel: record from a tone, train on demo sounds, predict live."""

from __future__ import annotations

import os

import numpy as np
import pytest

from visualnn.audio.clips import ClipStore
from visualnn.audio.sources import SynthSource
from visualnn.ui.panels.sound_classes import SoundClassesPanel
from visualnn.ui.workers.live_inference import _RawHistory

#: Set to docs/screenshots to refresh the README's pictures; otherwise they go to tmp_path,
#: so a test run leaves the checkout as it was.
SCREENSHOT_DIR_ENV = "VISUALNN_SCREENSHOTS"


def _source(kind="tone", frequency=2000.0, **kw):
    # Non-realtime: every read returns 0.1 s, so the test does not wait for the clock.
    return SynthSource(kind, frequency=frequency, samplerate=48000, realtime=False,
                       block=4800, amplitude=0.3, **kw)  # fmt: skip


@pytest.fixture
def make_panel(qtbot, tmp_path):
    panels = []

    def make(feed=None):
        panel = SoundClassesPanel(None, feed, store_dir=tmp_path / "sounds")
        qtbot.addWidget(panel)
        panels.append(panel)
        return panel

    yield make
    for panel in panels:
        panel.shutdown()


def test_raw_history_keeps_absolute_positions():
    h = _RawHistory(10, seconds=1.0)
    h.push(np.arange(7))
    h.push(np.arange(7, 15))
    assert h.total == 15
    assert h.between(5, 15).tolist() == list(range(5, 15))
    assert h.between(0, 8).tolist() == [5, 6, 7]  # older samples are gone


def test_record_clips_from_tone(make_panel, qtbot, tmp_path):
    panel = make_panel(_source())
    name = panel.add_class()
    assert name == "Class 1" and panel.clip_counts() == {"Class 1": 0}
    # A click: press and release at once still records one full second.
    panel._rows[name].record_button.pressed.emit()
    panel._rows[name].record_button.released.emit()
    qtbot.waitUntil(lambda: panel.clip_counts()[name] == 1, timeout=5000)
    assert panel._rec is None
    # Holding for about 2.5 s of audio records two clips.
    panel.start_recording(name)
    for _ in range(25):
        panel.tap.tick()
    panel.stop_recording()
    assert panel.clip_counts()[name] == 3
    store = ClipStore(tmp_path / "sounds")  # written to disk, readable by a new store
    x, sr = store.load(store.clips[-1])
    assert sr == 48000 and x.shape == (48000,) and abs(np.abs(x).max() - 0.3) < 0.01
    # Rename and delete keep the store in step.
    panel.rename_class(name, "beep")
    assert ClipStore(tmp_path / "sounds").labels == ["beep"]
    panel.delete_class("beep")
    assert len(ClipStore(tmp_path / "sounds")) == 0 and panel.class_names == []


def test_train_on_demo_and_predict_whistle(make_panel, qtbot, qapp, tmp_path):
    from visualnn.ui import theme

    theme.apply(qapp)  # the app's look, for the screenshots
    panel = make_panel(_source("tone", 2000.0))
    panel.resize(900, 800)
    panel.show()
    panel.load_demo()
    assert panel.clip_counts() == {"whistle": 16, "hum": 16, "clap": 16, "silence": 16}
    with qtbot.waitSignal(panel.training_finished, timeout=30000) as sig:
        panel.train()
    assert "accuracy" in sig.args[0], sig.args[0]
    assert sig.args[0]["accuracy"] >= 0.8
    # A 2 kHz tone is a whistle (deterministic: non-realtime source).
    panel.tap.start()
    for _ in range(12):
        panel.tap.tick()
    probs = panel.predict_now()
    assert panel.trained_classes[int(np.argmax(probs))] == "whistle"
    assert panel.bars.top == "whistle" and panel.answer.text() == "whistle"
    # Silence (the source stopped, zeros in the history) is not a whistle.
    panel.tap.stop()
    panel.tap.history.push(np.zeros(48000, np.float32))
    assert panel.trained_classes[int(np.argmax(panel.predict_now()))] == "silence"
    # Screenshots at dock-like sizes for the docs (looked at by hand).
    shots = os.environ.get(SCREENSHOT_DIR_ENV) or str(tmp_path)
    os.makedirs(shots, exist_ok=True)
    panel.tap.source = _source("tone", 2000.0)
    panel.tap.start()
    for _ in range(12):
        panel.tap.tick()
    panel.predict_now()
    panel.tap.stop()
    qtbot.wait(150)  # one live-timer tick: the button says Listen again
    assert panel.grab().save(os.path.join(shots, "sound-classes.png"))
    panel.resize(600, 700)
    qtbot.wait(50)
    assert panel.grab().save(os.path.join(shots, "sound-classes-narrow.png"))


def test_train_needs_two_classes(make_panel):
    panel = make_panel(_source())
    panel.add_clip("only", np.zeros(16000, np.float32), 16000)
    panel.train()
    assert panel.worker is None and "two" in panel.status.text()


def test_close_during_training_joins_thread(make_panel, qtbot):
    panel = make_panel(_source())
    panel.load_demo(n_per_class=4)
    panel.train()
    assert panel.worker is not None
    panel.close()
    assert panel.worker is None or not panel.worker.isRunning()


def test_mic_panel_tap_copies_what_the_pump_reads(qtbot):
    """The tap sees exactly the raw samples the microphone panel's pump drained."""
    from visualnn.ui.panels.microphone import MicrophonePanel
    from visualnn.ui.workers.live_inference import MicPanelTap

    mic = MicrophonePanel()
    qtbot.addWidget(mic)
    tap = MicPanelTap(mic)
    source = _source(frequency=1000.0)
    mic.set_source(source)
    source.start()
    for _ in range(12):  # 12 x 0.1 s
        mic.pump.tick()
    mic.stop()
    assert tap.samplerate == 48000 and tap.total == 12 * 4800
    audio = tap.latest_audio(1.0)
    assert audio.shape == (48000,)
    spectrum = np.abs(np.fft.rfft(audio))
    assert abs(np.argmax(spectrum) * 48000 / audio.shape[0] - 1000.0) <= 1.0
