"""What the microphone panel remembers between runs: source, device (by name), settings.

A presenter sets the panel up once (the USB microphone, FFT size, mel scale, dB range) and
finds it so at the next start. Devices are kept by *name*: indices change on replugging.
"""

from __future__ import annotations

import json

from visualnn.ui.panels.source_picker import SOURCE_KINDS
from visualnn.ui.settings import settings

PREFIX = "microphone/"


def restore(panel) -> str | None:
    """Put the remembered settings and device on ``panel``; returns the remembered kind."""
    store = settings()
    try:
        values = json.loads(store.value(PREFIX + "settings") or "{}")
        known = panel.settings.values()
        panel.settings.set_values(**{k: v for k, v in values.items() if k in known})
    except (ValueError, TypeError):  # a hand-edited or older settings file: keep defaults
        pass
    kind = store.value(PREFIX + "source")
    if kind not in SOURCE_KINDS:
        return None
    device = store.value(PREFIX + "device") or None
    path = store.value(PREFIX + "file") or None
    panel.picker.set_controls(kind, device=device, path=path)
    return kind


def remember(panel) -> None:
    """Store the panel's current source, device, file and spectrogram settings."""
    store = settings()
    store.setValue(PREFIX + "settings", json.dumps(panel.settings.values()))
    store.setValue(PREFIX + "source", panel.picker.kind())
    store.setValue(PREFIX + "device", panel.picker.device_box.currentData() or "")
    store.setValue(PREFIX + "file", panel.picker.file_edit.text().strip())
