"""ReconnectPolicy with a scripted clock and the fake sounddevice: when it tries, when it stops."""

import numpy as np
import pytest
from fakes import FakeClock, FakeSoundDevice, feed

from visualnn.audio.mic import MicSource
from visualnn.audio.reconnect import ReconnectPolicy

USB = {
    "name": "USB Mic",
    "max_input_channels": 1,
    "default_samplerate": 48000.0,
    "hostapi": 0,
}


def setup(**policy):
    sd, clock = FakeSoundDevice(devices=[dict(USB)], default=0), FakeClock()
    src = MicSource("USB Mic", samplerate=48000, backend=sd, clock=clock)
    src.start()
    return sd, clock, src, ReconnectPolicy(clock=clock, **policy)


def tick(policy, src, clock, seconds=1.0):
    clock.t += seconds
    return policy.step(src)


def test_a_healthy_source_is_left_alone():
    sd, clock, src, policy = setup()
    for _ in range(20):
        feed(src, np.full((512, 1), 0.1))
        assert tick(policy, src, clock) == ""
    assert len(sd.streams) == 1 and policy.tries == 0
    src.stop()


def test_a_replugged_microphone_comes_back_by_itself():
    sd, clock, src, policy = setup(interval=3.0)
    devices = sd.devices
    sd.devices = []  # unplugged: no callbacks, and reopening fails
    messages = [tick(policy, src, clock) for _ in range(6)]  # stalled after 2 s
    assert messages[-1] == "reconnecting: try 1 of 5" and policy.tries == 1
    assert src.status().state == "error" and "no input device" in src.status().message
    sd.devices = devices  # plugged back in
    for _ in range(3):
        tick(policy, src, clock)
    assert policy.tries == 2 and src.status().state == "running"
    feed(src, np.full((512, 1), 0.1))
    assert tick(policy, src, clock) == ""  # all well: no message
    assert sd.streams[-1].active and not sd.streams[0].active
    src.stop()


def test_it_gives_up_after_max_tries_and_says_so():
    sd, clock, src, policy = setup(interval=2.0, max_tries=5)
    sd.devices = []
    times = []
    for _ in range(60):
        before = policy.tries
        tick(policy, src, clock, 0.5)
        if policy.tries > before:
            times.append(clock.t)
    assert len(times) == 5 and np.allclose(np.diff(times), 2.0)  # every interval, 5 times
    assert policy.gave_up
    assert policy.message == "gave up reconnecting after 5 tries; press Reconnect"
    policy.reset()  # the user pressed Reconnect
    assert policy.message == "" and policy.tries == 0


def test_a_device_that_opens_but_never_delivers_is_still_given_up_on():
    sd, clock, src, policy = setup(interval=1.0, max_tries=3, settle=10.0)
    for _ in range(40):  # open succeeds every time, then stalls after 2 s: never settles
        tick(policy, src, clock, 0.5)
    assert policy.gave_up and policy.tries == 3 and len(sd.streams) == 4


def test_stopping_or_silence_is_not_trouble():
    sd, clock, src, policy = setup(interval=1.0)
    src.stop()
    for _ in range(10):
        assert tick(policy, src, clock) == ""
    assert policy.tries == 0 and len(sd.streams) == 1
    assert policy.due("silent") is False


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        ReconnectPolicy(interval=0)
    with pytest.raises(ValueError):
        ReconnectPolicy(max_tries=0)
