"""MicSource with a fake sounddevice: scripted callbacks, watchdog, silence, device by name."""

import sys

import numpy as np
import pytest
from fakes import FakeClock, FakeSoundDevice, FakeStatus, feed

from visualnn.audio import devices as micmod
from visualnn.audio.base import AudioError
from visualnn.audio.mic import MicSource, backend_status, list_input_devices


def test_lists_only_input_devices_and_marks_the_default():
    sd = FakeSoundDevice()
    devs = list_input_devices(sd)
    assert [d.name for d in devs] == ["USB Mic: Audio (hw:1,0)", "Laptop Array"]
    assert [d.is_default for d in devs] == [True, False]
    assert devs[0].index == 1 and devs[0].hostapi == "ALSA"
    assert backend_status(sd) == (True, "PortAudio V19.7.0-devel: 2 input device(s)")
    ok, msg = backend_status(FakeSoundDevice(devices=[]))
    assert not ok and msg.startswith("no input device found")


def test_backend_status_names_the_fix(monkeypatch):
    def fail(exc):
        def importer():
            raise micmod.AudioError(
                micmod.PORTAUDIO_MISSING if exc is OSError else micmod.SOUNDDEVICE_MISSING
            )

        return importer

    monkeypatch.setattr(micmod, "import_sounddevice", fail(OSError))
    ok, msg = backend_status()
    assert not ok and "sudo apt-get install libportaudio2" in msg
    monkeypatch.setattr(micmod, "import_sounddevice", fail(ImportError))
    assert "pip install sounddevice" in backend_status()[1]
    assert list_input_devices() == []


def test_import_sounddevice_maps_oserror_and_importerror(monkeypatch):
    import builtins

    real_import = builtins.__import__
    for exc, text in ((OSError, "libportaudio2"), (ImportError, "pip install sounddevice")):

        def fake_import(name, *a, _exc=exc, **k):
            if name == "sounddevice":
                raise _exc("nope")
            return real_import(name, *a, **k)

        monkeypatch.setattr(builtins, "__import__", fake_import)
        monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
        with pytest.raises(AudioError, match=text):
            micmod.import_sounddevice()
        monkeypatch.setattr(builtins, "__import__", real_import)


def test_callback_blocks_arrive_in_order_and_flags_are_counted():
    sd, clock = FakeSoundDevice(), FakeClock()
    src = MicSource("Laptop Array", samplerate=48000, blocksize=4, backend=sd, clock=clock)
    src.start()
    stream = sd.streams[-1]
    assert stream.kw["device"] == 2 and stream.kw["channels"] == 2
    assert stream.kw["samplerate"] == 48000 and stream.callback == src._callback
    feed(src, [[1, 3], [2, 4], [0.5, 0.5], [0, 1]])
    src._callback(np.ones((4, 2), np.float32), 4, None, FakeStatus(True))
    out = src.read()
    np.testing.assert_allclose(out, [2, 3, 0.5, 0.5, 1, 1, 1, 1])  # mono = channel mean
    st = src.status()
    assert st.state == "running" and st.status_flags == 1 and src.input_overflows == 1
    assert src.callbacks == 2
    src.stop()
    assert stream.closed and src.status().state == "stopped"


def test_overflow_of_the_ring_buffer_is_counted_as_dropped_blocks():
    sd = FakeSoundDevice()
    src = MicSource("USB Mic", samplerate=44100, buffer_seconds=0.01, backend=sd)
    src.start()
    for _ in range(3):
        feed(src, np.full((300, 1), 0.1))  # 900 frames into a 441-frame buffer
    assert src.status().dropped_blocks >= 1
    assert src.read().shape == (441,)
    src.stop()


def test_watchdog_reports_stalled_after_two_seconds_without_callbacks():
    sd, clock = FakeSoundDevice(), FakeClock()
    src = MicSource(None, samplerate=44100, backend=sd, clock=clock)
    src.start()
    assert src.device_name == "USB Mic: Audio (hw:1,0)"  # the default input
    clock.t += 1.5
    assert src.status().state == "running"
    feed(src, np.full((512, 1), 0.1))
    clock.t += 1.9
    assert src.status().state == "running"
    clock.t += 0.2
    st = src.status()
    assert st.state == "stalled" and "no audio from USB Mic" in st.message
    assert "Reconnect" in st.message
    src.reconnect()  # re-opens by name
    assert len(sd.streams) == 2 and sd.streams[0].closed
    assert src.status().state == "running"
    src.stop()


def test_digital_silence_is_detected_after_one_second():
    sd, clock = FakeSoundDevice(), FakeClock()
    src = MicSource("USB", samplerate=44100, blocksize=441, backend=sd, clock=clock)
    src.start()
    for _ in range(99):
        feed(src, np.zeros((441, 1)))
    assert src.status().state == "running"
    feed(src, np.zeros((441, 1)))
    st = src.status()
    assert st.state == "silent" and "pure digital silence" in st.message
    assert "muted" in st.message
    feed(src, np.full((441, 1), 1e-4))  # any real signal clears it
    assert src.status().state == "running"
    src.stop()


def test_refused_rate_falls_back_to_the_device_rate_and_resamples():
    sd, clock = FakeSoundDevice(rates=(44100,)), FakeClock()
    src = MicSource("USB Mic", samplerate=48000, backend=sd, clock=clock)
    src.start()
    assert sd.streams[-1].kw["samplerate"] == 44100 and src.stream_samplerate == 44100
    assert "refused 48000 Hz" in src.status().message
    t = np.arange(44100) / 44100
    x = np.sin(2 * np.pi * 1000 * t).astype(np.float32)[:, None]
    for i in range(0, 44100, 441):
        feed(src, x[i : i + 441])
    y = src.read()
    assert src.samplerate == 48000
    assert abs(len(y) - 48000) < 40
    ref = np.sin(2 * np.pi * 1000 * np.arange(len(y)) / 48000)
    # Outputs trail the input by the kernel half-width but stay time-aligned with it.
    assert np.abs(y - ref)[100:].max() < 1e-3
    src.stop()


def test_a_device_name_that_is_gone_gives_a_clear_message():
    sd = FakeSoundDevice()
    src = MicSource("Blue Yeti", backend=sd)
    with pytest.raises(AudioError, match="'Blue Yeti' is not available any more"):
        src.start()
    st = src.status()
    assert st.state == "error" and "Laptop Array" in st.message
    src.stop()
    with pytest.raises(AudioError, match="no input device found"):
        MicSource(backend=FakeSoundDevice(devices=[])).start()


def test_a_failing_open_becomes_an_audio_error():
    sd = FakeSoundDevice()

    def broken(**kw):
        raise RuntimeError("Device unavailable [PaErrorCode -9985]")

    sd.InputStream = broken
    src = MicSource("Laptop", backend=sd)
    with pytest.raises(AudioError, match="cannot open Laptop Array: Device unavailable"):
        src.start()
    assert src.status().state == "error"


def test_a_device_delivering_too_few_samples_is_named_in_the_message():
    sd, clock = FakeSoundDevice(), FakeClock()
    src = MicSource("USB", samplerate=44100, blocksize=441, backend=sd, clock=clock)
    src.start()
    clock.t += 0.5  # a slow start does not count against the device
    for _ in range(125):  # 2.5 s at half speed: one 441-frame block every 20 ms
        feed(src, np.full((441, 1), 0.1))
        clock.t += 0.02
        src.status()
    st = src.status()
    assert st.state == "running"
    assert "delivers only" in st.message and "% of 44100 samples" in st.message
    assert src.measured_rate == pytest.approx(22050, rel=0.05)
    src.stop()


def test_a_stream_that_ended_is_reported_as_stalled():
    sd = FakeSoundDevice()
    src = MicSource("USB", samplerate=44100, backend=sd)
    src.start()
    sd.streams[-1].active = False  # PortAudio ends the stream when the device goes away
    st = src.status()
    assert st.state == "stalled" and "ended" in st.message
    src.stop()
