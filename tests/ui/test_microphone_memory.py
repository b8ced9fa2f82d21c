"""The microphone chosen last time is the one chosen at the next start (issue #18)."""

from __future__ import annotations

from visualnn.audio.devices import DeviceInfo
from visualnn.ui.panels import source_picker
from visualnn.ui.panels.microphone import MicrophonePanel
from visualnn.ui.settings import settings

DEVICES = [
    DeviceInfo("Laptop Array", 2, 48000.0, 2, is_default=True),
    DeviceInfo("USB Mic: Audio (hw:1,0)", 1, 44100.0, 1),
]


def fake_backend(monkeypatch):
    monkeypatch.setattr(source_picker, "backend_status", lambda: (True, "fake: 2 devices"))
    monkeypatch.setattr(source_picker, "list_input_devices", lambda: list(DEVICES))


def panel(qtbot):
    p = MicrophonePanel()
    qtbot.addWidget(p)
    return p


def test_the_chosen_microphone_survives_restarts(qtbot, monkeypatch):
    fake_backend(monkeypatch)
    first = panel(qtbot)
    first.settings.set_values(n_fft=4096)
    usb = first.picker.device_box.findData("USB Mic: Audio (hw:1,0)")
    first.picker.device_box.setCurrentIndex(usb)
    first.picker.device_box.activated.emit(usb)  # what a click does
    assert settings().value("microphone/device") == "USB Mic: Audio (hw:1,0)"
    first.stop()
    for _ in range(3):  # each start must leave the choice as it found it
        again = panel(qtbot)
        assert again.picker.kind() == "mic"
        assert again.picker.device_box.currentData() == "USB Mic: Audio (hw:1,0)"
        assert again.pump.source.device == "USB Mic: Audio (hw:1,0)"
        assert again.settings.values()["n_fft"] == 4096
        assert settings().value("microphone/device") == "USB Mic: Audio (hw:1,0)"
        again.stop()


def test_a_remembered_microphone_that_is_unplugged_keeps_its_name(qtbot, monkeypatch):
    fake_backend(monkeypatch)
    store = settings()
    store.setValue("microphone/source", "mic")
    store.setValue("microphone/device", "Blue Yeti")
    p = panel(qtbot)
    assert p.picker.device_box.currentData() == "Blue Yeti"  # starting will say it is gone
    assert settings().value("microphone/device") == "Blue Yeti"
    p.stop()
