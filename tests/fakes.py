"""A sounddevice stand-in for microphone tests: scripted devices, streams and callbacks.

``MicSource(..., backend=FakeSoundDevice(), clock=FakeClock())`` opens a ``FakeStream``
whose callback the test calls itself (``feed``), so every timing is scripted. It lives at the
top of ``tests/`` so the audio tests and the UI tests (the microphone panel) share one fake.
"""

import types

import numpy as np


class FakeClock:
    def __init__(self):
        self.t = 50.0

    def __call__(self):
        return self.t


class FakeStatus:
    def __init__(self, input_overflow=False):
        self.input_overflow = input_overflow

    def __bool__(self):
        return self.input_overflow


class FakeStream:
    def __init__(self, sd, **kw):
        self.kw = kw
        self.callback = kw["callback"]
        self.active = False
        self.closed = False
        sd.streams.append(self)

    def start(self):
        self.active = True

    def stop(self):
        self.active = False

    def close(self):
        self.closed = True


class PortAudioError(Exception):
    """sounddevice's error: ``args`` are (message, PortAudio error code)."""

    def __str__(self):
        return f"{self.args[0]} [PaErrorCode {self.args[1]}]"


class FakeSoundDevice:
    """Just the parts of sounddevice that MicSource uses.

    ``rates`` pass ``check_input_settings``; ``open_rates`` (None: any) are what opening a
    stream really accepts, as with ALSA plug-ins whose pre-check says yes and open says no.
    """

    class CallbackAbort(Exception):  # noqa: N818 (sounddevice's name)
        pass

    def __init__(self, devices=None, rates=(44100, 48000), default=1, open_rates=None):
        self.devices = (
            devices
            if devices is not None
            else [
                {
                    "name": "HDMI out",
                    "max_input_channels": 0,
                    "default_samplerate": 48000.0,
                    "hostapi": 0,
                },
                {
                    "name": "USB Mic: Audio (hw:1,0)",
                    "max_input_channels": 1,
                    "default_samplerate": 44100.0,
                    "hostapi": 0,
                },
                {
                    "name": "Laptop Array",
                    "max_input_channels": 2,
                    "default_samplerate": 48000.0,
                    "hostapi": 0,
                },
            ]
        )
        self.rates = rates
        self.open_rates = open_rates
        self.default = types.SimpleNamespace(device=[default, 0])
        self.streams = []

    def query_devices(self):
        return self.devices

    def query_hostapis(self):
        return [{"name": "ALSA"}]

    def check_input_settings(self, device, channels, samplerate, dtype):
        if samplerate not in self.rates:
            raise ValueError("Invalid sample rate")

    def InputStream(self, **kw):  # noqa: N802 (sounddevice's name)
        if self.open_rates is not None and kw["samplerate"] not in self.open_rates:
            raise PortAudioError("Error opening InputStream: Invalid sample rate", -9997)
        return FakeStream(self, **kw)

    def get_portaudio_version(self):
        return (1246720, "PortAudio V19.7.0-devel")


def feed(src, block):
    src._callback(np.asarray(block, np.float32), len(block), None, FakeStatus(False))
