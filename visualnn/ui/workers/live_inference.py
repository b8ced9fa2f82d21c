"""Raw live audio for recording clips and predicting, and the predictor itself.

The spectrogram panel keeps dB columns in its own (user-adjustable) STFT geometry; a sound
classifier needs the raw samples (to store WAV clips and to compute exactly the features it
was trained on). An *audio tap* provides them: ``samplerate``, ``total`` (samples heard so
far), ``latest_audio(seconds)``, ``audio_between(start, stop)``, ``running``, ``start()``,
``stop()`` and an ``audio_added`` signal. Everything here runs on the GUI thread: the maths
per tick is one small STFT and one forward pass of a small CNN (a few ms).
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore

from visualnn.audio.base import AudioSource
from visualnn.data.audio_sets import SoundFeatures, normalise

#: Seconds of raw audio a tap keeps (a clip is 1 s; the slack covers a slow GUI tick).
KEEP_SECONDS = 3.0


class _RawHistory:
    """A float32 ring of the newest samples with an absolute sample counter."""

    def __init__(self, samplerate: int, seconds: float = KEEP_SECONDS) -> None:
        self.samplerate = int(samplerate)
        self.buf = np.zeros(int(seconds * self.samplerate), np.float32)
        self.total = 0

    def push(self, x: np.ndarray) -> None:
        x = np.asarray(x, np.float32).reshape(-1)[-self.buf.shape[0] :]
        idx = (self.total + np.arange(x.shape[0])) % self.buf.shape[0]
        self.buf[idx] = x
        self.total += x.shape[0]

    def between(self, start: int, stop: int) -> np.ndarray:
        """Samples with absolute indices ``start .. stop - 1`` still kept, ``(n,)``."""
        start = max(int(start), self.total - self.buf.shape[0], 0)
        stop = min(int(stop), self.total)
        if stop <= start:
            return np.zeros(0, np.float32)
        return self.buf[np.arange(start, stop) % self.buf.shape[0]]


class SourceTap(QtCore.QObject):
    """Polls an :class:`AudioSource` itself (tests, or a panel without a microphone panel)."""

    audio_added = QtCore.Signal()

    def __init__(self, source: AudioSource, interval_ms: int = 40, parent=None) -> None:
        super().__init__(parent)
        self.source = source
        self.history = _RawHistory(source.samplerate)
        self.timer = QtCore.QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.tick)

    samplerate = property(lambda self: self.history.samplerate)
    total = property(lambda self: self.history.total)
    running = property(lambda self: self.timer.isActive())

    def start(self) -> None:
        self.source.start()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self.source.stop()

    def tick(self) -> None:
        x = self.source.read()
        if x.shape[0]:
            self.history.push(x)
            self.audio_added.emit()

    def latest_audio(self, seconds: float) -> np.ndarray:
        return self.history.between(self.total - int(seconds * self.samplerate), self.total)

    def audio_between(self, start: int, stop: int) -> np.ndarray:
        return self.history.between(start, stop)


class MicPanelTap(QtCore.QObject):
    """Raw audio from a ``MicrophonePanel``: what its pump reads, via ``samples_read``.

    The pump stays the only reader of the source; this only keeps a copy of the samples.
    """

    audio_added = QtCore.Signal()

    def __init__(self, panel, parent=None) -> None:
        super().__init__(parent)
        self.panel = panel
        self.history = _RawHistory(panel.pump.samplerate)
        panel.pump.samples_read.connect(self._on_pump_samples_read)

    samplerate = property(lambda self: self.history.samplerate)
    total = property(lambda self: self.history.total)
    running = property(lambda self: bool(self.panel.running))

    def start(self) -> None:
        self.panel.start()

    def stop(self) -> None:
        self.panel.stop()

    def _on_pump_samples_read(self, samples: np.ndarray, samplerate: int) -> None:
        if samplerate != self.history.samplerate:  # a new source: old samples don't fit
            self.history = _RawHistory(samplerate)
        self.history.push(samples)
        self.audio_added.emit()

    def latest_audio(self, seconds: float) -> np.ndarray:
        return self.history.between(self.total - int(seconds * self.samplerate), self.total)

    def audio_between(self, start: int, stop: int) -> np.ndarray:
        return self.history.between(start, stop)


def make_tap(feed, parent=None):
    """An audio tap for ``feed``: an ``AudioSource``, a ``MicrophonePanel`` or a tap."""
    if isinstance(feed, AudioSource):
        return SourceTap(feed, parent=parent)
    if hasattr(feed, "audio_between"):
        return feed
    return MicPanelTap(feed, parent=parent)


class LivePredictor:
    """Class probabilities for the newest second of audio, exactly as in training.

    Parameters
    ----------
    model : visualnn.engine.Sequential
        Trained on patches ``(1, n_mels, frames)``.
    params : dict
        ``Dataset.params`` of the training set (``features`` and ``norm``).
    """

    def __init__(self, model, params: dict) -> None:
        self.model = model
        self.features = SoundFeatures(**params["features"])
        self.norm = params["norm"]

    def predict(self, audio: np.ndarray, samplerate: int) -> np.ndarray:
        """Probabilities ``(n_classes,)`` for mono ``audio (n,)`` (the last second is used)."""
        x = normalise(self.features.patch(audio, samplerate), self.norm)
        return self.model.predict(x[None])[0]
