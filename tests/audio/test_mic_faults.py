"""Microphone faults the user must see in words: a refused rate, dropouts, our own bug."""

import numpy as np
import pytest
from fakes import FakeClock, FakeSoundDevice, FakeStatus, feed

from visualnn.audio.base import AudioError
from visualnn.audio.mic import MicSource


def test_a_rate_refused_by_the_open_itself_falls_back_to_the_device_rate():
    # The pre-check accepts 48 kHz, the stream open says -9997 "Invalid sample rate".
    sd = FakeSoundDevice(rates=(44100, 48000), open_rates=(44100,))
    src = MicSource("USB Mic", samplerate=48000, backend=sd, clock=FakeClock())
    src.start()
    assert sd.streams[-1].kw["samplerate"] == 44100 and src.stream_samplerate == 44100
    st = src.status()
    assert st.state == "running" and "refused 48000 Hz: recording at 44100 Hz" in st.message
    assert "-9997" not in st.message
    t = np.arange(4410) / 44100
    feed(src, np.sin(2 * np.pi * 1000 * t).astype(np.float32)[:, None])
    assert abs(len(src.read()) - 4800) < 40  # resampled to what was asked for
    src.stop()


def test_a_rate_refused_at_the_device_rate_too_is_reported_plainly():
    sd = FakeSoundDevice(rates=(44100,), open_rates=())
    src = MicSource("USB Mic", samplerate=48000, backend=sd)
    with pytest.raises(AudioError) as info:
        src.start()
    assert str(info.value) == (
        "cannot open USB Mic: Audio (hw:1,0): it refuses 48000 Hz and its own 44100 Hz; "
        "choose another device"
    )
    assert src.status().state == "error" and sd.streams == []


def test_input_overflows_and_lost_blocks_are_shown_as_dropouts():
    sd, clock = FakeSoundDevice(), FakeClock()
    src = MicSource("Laptop", samplerate=48000, blocksize=4, backend=sd, clock=clock)
    src.start()
    feed(src, np.full((4, 2), 0.1))
    assert src.status().message == ""  # nothing lost: nothing said
    for _ in range(3):
        src._callback(np.full((4, 2), 0.1, np.float32), 4, None, FakeStatus(True))
    st = src.status()
    assert st.state == "running" and st.message == "dropouts: 3"
    src.stop()
    slow = MicSource("USB", samplerate=44100, buffer_seconds=0.01, backend=sd, clock=clock)
    slow.start()
    for _ in range(3):
        feed(slow, np.full((300, 1), 0.1))  # 900 frames into a 441-frame ring
    assert "dropouts: " in slow.status().message
    slow.stop()


def test_dropouts_are_added_to_other_messages():
    sd, clock = FakeSoundDevice(rates=(44100,)), FakeClock()
    src = MicSource("USB", samplerate=48000, backend=sd, clock=clock)
    src.start()
    src._callback(np.full((8, 1), 0.1, np.float32), 8, None, FakeStatus(True))
    assert src.status().message.endswith("and resampling; dropouts: 1")
    src.stop()


@pytest.mark.parametrize("with_abort", [True, False])
def test_a_failing_callback_is_our_bug_not_a_device_problem(with_abort):
    sd, clock = FakeSoundDevice(), FakeClock()
    if not with_abort:
        del FakeSoundDevice.CallbackAbort  # an older stand-in: the error is still reported
    try:
        src = MicSource("USB", samplerate=44100, blocksize=4, backend=sd, clock=clock)
        src.start()
        src.ring = None  # a bug of ours: the callback now fails on every block
        block = np.full((4, 1), 0.1, np.float32)
        if with_abort:
            with pytest.raises(FakeSoundDevice.CallbackAbort):
                src._callback(block, 4, None, FakeStatus(False))
        else:
            src._callback(block, 4, None, FakeStatus(False))
        sd.streams[-1].active = False  # PortAudio ends the aborted stream
        clock.t += 5
        st = src.status()
        assert st.state == "error"
        assert st.message.startswith("the sound processing failed: AttributeError")
        assert "unplugged" not in st.message and "device" not in st.message
        src.reconnect()  # a fresh stream starts clean
        assert src.status().state == "running"
        src.stop()
    finally:
        FakeSoundDevice.CallbackAbort = type("CallbackAbort", (Exception,), {})
