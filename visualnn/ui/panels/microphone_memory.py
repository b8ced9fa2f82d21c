"""What the microphone panel remembers between runs: source, device (by name), settings.

A presenter sets the panel up once (the USB microphone, FFT size, mel scale, dB range) and
finds it so at the next start. Devices are kept by *name*: indices change on replugging.
"""

from __future__ import annotations

import json

from PySide6 import QtCore

from visualnn.ui.panels.source_picker import SOURCE_KINDS
from visualnn.ui.settings import settings

PREFIX = "microphone/"


def restore(panel) -> str | None:
    """Put the remembered settings and device on ``panel``; returns the remembered kind.

    Everything is read before anything is set: setting the spectrogram values used to emit
    ``changed``, whose handler *remembers* the panel's still-default device and source over
    the stored ones, so the chosen microphone was forgotten at every start.
    """
    store = settings()
    raw = store.value(PREFIX + "settings")
    kind = store.value(PREFIX + "source")
    device = store.value(PREFIX + "device") or None
    path = store.value(PREFIX + "file") or None
    try:
        values = json.loads(raw or "{}")
        known = panel.settings.values()
        # Quietly: the panel applies everything once after restoring (and remembers nothing).
        with QtCore.QSignalBlocker(panel.settings):
            panel.settings.set_values(**{k: v for k, v in values.items() if k in known})
    except (ValueError, TypeError, AttributeError):  # a hand-edited or older settings file
        pass
    if kind not in SOURCE_KINDS:
        return None
    panel.picker.set_controls(kind, device=device, path=path)
    return kind


def remember(panel) -> None:
    """Store the panel's current source, device, file and spectrogram settings."""
    store = settings()
    store.setValue(PREFIX + "settings", json.dumps(panel.settings.values()))
    store.setValue(PREFIX + "source", panel.picker.kind())
    store.setValue(PREFIX + "device", panel.picker.device_box.currentData() or "")
    store.setValue(PREFIX + "file", panel.picker.file_edit.text().strip())
