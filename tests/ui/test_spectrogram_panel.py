"""The microphone panel on synthetic and scripted sources (offscreen, no real audio needed)."""

from __future__ import annotations

import types

import numpy as np
import pytest
from fakes import FakeSoundDevice
from PySide6 import QtCore, QtWidgets

from visualnn.audio.mic import MicSource
from visualnn.audio.sources import SynthSource
from visualnn.ui.panels import source_picker
from visualnn.ui.panels.microphone import MicrophonePanel

SR = 48000


@pytest.fixture
def panel(qtbot):
    p = MicrophonePanel(source="tone")
    qtbot.addWidget(p)
    p.resize(1000, 560)
    p.show()
    yield p
    p.stop()


def run_ticks(panel, source, ticks):
    """Drive the pump by hand (no timer): deterministic, and fast."""
    panel.set_source(source)
    source.start()
    for _ in range(ticks):
        panel.pump.tick()


def tone(freq, block=1024):
    return SynthSource("tone", frequency=freq, samplerate=SR, realtime=False, block=block)


def test_image_moves_and_peak_row_matches_tone_on_linear_scale(panel):
    panel.settings.set_values(scale="linear", fmin=0, fmax=8000, n_fft=1024, hop=256)
    run_ticks(panel, tone(1000.0), 30)
    first = panel.view.image_data()
    panel.pump.tick()
    second = panel.view.image_data()
    assert first.dtype == np.float32 and first.shape == second.shape
    assert not np.array_equal(first, second), "the image must roll when columns arrive"
    peak_row = int(np.argmax(second[:, -1]))
    bin_hz = SR / 1024
    assert abs(panel.view.row_frequencies()[peak_row] - 1000.0) <= bin_hz
    # A half-scale sine peaks at -6 dBFS in the display's full-scale dB.
    assert second[peak_row, -1] == pytest.approx(-6.0, abs=1.5)


@pytest.mark.parametrize("scale", ["log", "mel"])
def test_peak_row_maps_on_warped_scales(panel, scale):
    panel.settings.set_values(scale=scale, fmin=40, fmax=16000, n_fft=2048, hop=256)
    for freq in (250.0, 3000.0):
        panel.view.configure(SR, 2048, 256, 10.0, scale, 40, 16000)
        run_ticks(panel, tone(freq), 12)
        column = panel.view.image_data()[:, -1]
        row_map = panel.view.row_map
        peak, expected = int(np.argmax(column)), row_map.row_of(freq)
        # Within one row where rows are wider than a bin, else within one STFT bin (the
        # resolution limit: low rows of a log scale are finer than the FFT).
        hz = row_map.row_hz
        assert abs(peak - expected) <= 1 or abs(hz[peak] - freq) <= SR / 2048, (scale, freq)
        assert 0.5 * freq < hz[peak] < 2 * freq


def test_real_time_settings_changes_keep_running(panel, qtbot):
    panel.set_source("tone", frequency=880)
    emitted = []
    panel.columns_added.connect(emitted.append)
    panel.start()
    assert panel.running
    qtbot.wait(250)
    before = panel.view.image_data()
    qtbot.wait(150)
    assert not np.array_equal(before, panel.view.image_data())
    assert emitted and emitted[-1].shape[0] == 2048 // 2 + 1
    panel.settings.set_values(n_fft=4096, hop=512, span=3, scale="mel")
    qtbot.wait(300)
    assert panel.running
    img = panel.view.image_data()
    assert img.shape == (384, round(3 * SR / 512))
    feats = panel.latest_features(0.2)
    assert feats.shape[0] == 4096 // 2 + 1 and 1 <= feats.shape[1] <= round(0.2 * SR / 512)
    panel.settings.set_values(scale="linear", fmin=0, fmax=4000, n_fft=256)
    qtbot.wait(200)
    assert panel.view.image_data().shape[0] == 4000 // (SR // 256) + 1
    panel.stop()
    assert not panel.running and not panel.pump.timer.isActive()


def test_missing_backend_says_what_and_how_and_tone_still_works(qtbot, monkeypatch):
    msg = "PortAudio is not installed: run `sudo apt-get install libportaudio2`"
    monkeypatch.setattr(source_picker, "backend_status", lambda: (False, msg))
    monkeypatch.setattr(source_picker, "list_input_devices", lambda: [])
    p = MicrophonePanel()
    qtbot.addWidget(p)
    assert p.picker.kind() == "tone"  # falls back without a microphone
    assert p.mic_note.isVisibleTo(p)
    assert "sudo apt-get install libportaudio2" in p.mic_note.text()
    p.set_source("mic")
    p.start()
    assert not p.running
    assert p.status_label.text().startswith("No microphone:")
    assert "sudo apt-get install libportaudio2" in p.status_label.text()
    p.set_source("tone")
    p.start()
    assert p.running
    p.stop()


LECTURE_MIC = {
    "name": "Lecture Mic",
    "max_input_channels": 1,
    "default_samplerate": 48000.0,
    "hostapi": 0,
}


def fake_sounddevice() -> FakeSoundDevice:
    """One mono microphone at 48 kHz; ``.streams`` lists every stream opened on it."""
    return FakeSoundDevice(devices=[dict(LECTURE_MIC)], default=0)


def test_closing_the_window_stops_timer_and_stream(qtbot):
    window = QtWidgets.QMainWindow()
    qtbot.addWidget(window)
    panel = MicrophonePanel(source="tone")
    window.setCentralWidget(panel)
    window.show()
    sd = fake_sounddevice()
    mic = MicSource(backend=sd, samplerate=SR)
    panel.set_source(mic)
    panel.start()
    assert panel.running and sd.streams[0].active
    block = (0.3 * np.sin(2 * np.pi * 440 * np.arange(512) / SR)).astype(np.float32)
    for _ in range(8):
        mic._callback(block[:, None], 512, None, 0)
    panel.pump.tick()
    assert panel.latest_features(1.0).shape[1] > 0
    window.close()
    assert not panel.pump.timer.isActive()
    assert sd.streams[0].closed and mic.stream is None


def test_stalled_microphone_offers_reconnect(panel):
    clock = types.SimpleNamespace(t=10.0)
    sd = fake_sounddevice()
    mic = MicSource(backend=sd, samplerate=SR, clock=lambda: clock.t)
    panel.set_source(mic)
    panel.start()
    panel.pump.timer.stop()  # tick by hand with a scripted clock
    clock.t += 3.0  # no callbacks for 3 s
    panel.pump.tick()
    assert "stopped delivering sound" in panel.status_label.text()
    assert panel.reconnect_button.isVisibleTo(panel)
    panel.reconnect_button.click()
    assert len(sd.streams) == 2 and sd.streams[0].closed and sd.streams[1].active
    assert not panel.reconnect_button.isVisibleTo(panel)


def test_space_toggles_and_freeze_holds_the_picture(panel, qtbot):
    panel.setFocus()
    qtbot.keyClick(panel, QtCore.Qt.Key_Space)
    assert panel.running
    panel.pump.timer.stop()
    source = tone(500.0)
    run_ticks(panel, source, 10)
    panel.freeze_button.click()
    held = panel.view.image_data()
    frames = panel.latest_features(10.0).shape[1]
    for _ in range(5):
        panel.pump.tick()
    assert np.array_equal(held, panel.view.image_data())  # picture frozen...
    assert panel.latest_features(10.0).shape[1] > frames  # ...features keep coming
    panel.freeze_button.click()
    panel.pump.tick()
    assert not np.array_equal(held, panel.view.image_data())
    panel.pump.timer.start()
    qtbot.keyClick(panel, QtCore.Qt.Key_Space)
    assert not panel.running


def test_wav_file_plays_and_bad_files_are_explained(panel, tmp_path):
    from visualnn.audio.wavio import write_wav

    path = tmp_path / "a440.wav"
    t = np.arange(SR // 2) / SR
    write_wav(path, (0.4 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), SR)
    panel.set_source("file", path=str(path))
    panel.start()
    assert panel.running and "a440.wav" in panel.status_label.text()
    panel.stop()
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF....WAVEnot really")
    panel.set_source("file", path=str(broken))
    assert not panel.running
    assert "broken.wav" in panel.status_label.text()
    panel.set_source("file", path=str(tmp_path / "missing.wav"))
    panel.start()
    assert not panel.running and "missing.wav" in panel.status_label.text()


def test_digital_silence_is_explained(panel):
    mic = MicSource(backend=fake_sounddevice(), samplerate=SR)
    panel.set_source(mic)
    panel.start()
    panel.pump.timer.stop()
    zeros = np.zeros((512, 1), np.float32)
    for _ in range(100):  # > 1 s of exact zeros
        mic._callback(zeros, 512, None, 0)
    panel.pump.tick()
    text = panel.status_label.text()
    assert text.startswith("The microphone delivers pure digital silence") and "Linux" in text


def test_a_failing_source_stops_with_a_message(panel):
    class Broken(SynthSource):
        def read(self):
            if self.running:
                raise RuntimeError("device exploded")
            return super().read()

    panel.set_source(Broken(samplerate=SR))
    panel.start()
    panel.pump._on_timer_timeout()
    assert not panel.running and not panel.pump.timer.isActive()
    assert "device exploded" in panel.status_label.text()


def test_settings_and_source_are_remembered_for_the_next_start(qtbot, panel):
    panel.settings.set_values(scale="mel", n_fft=4096, hop=512, db_low=-70)
    panel.picker.set_controls("tone", frequency=880)
    panel.picker.source_requested.emit("tone")
    again = MicrophonePanel()  # no source given: the remembered one, not the default
    qtbot.addWidget(again)
    values = again.settings.values()
    assert (values["scale"], values["n_fft"], values["hop"], values["db_low"]) == (
        "mel",
        4096,
        512,
        -70.0,
    )
    assert again.picker.kind() == "tone"
    again.stop()
