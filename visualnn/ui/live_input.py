"""The live input: the newest second of the window's sound as the network's input.

When live is on, every ``REFRESH_MS`` (while sound arrives) the newest ``seconds`` of
:attr:`LiveAudio.buffer` go through the data set's own :class:`SoundTransform` (the same
features and normalisation the network was trained with) and become the input every view
shows: the input image, each layer's feature maps, the neuron maths, the predictions. A
selected unit stays selected while the numbers change. A source that stops freezes the last
frame; nothing is lost.
"""

from __future__ import annotations

from PySide6 import QtCore

from visualnn.engine import SpecError

#: At least ten new inputs a second; each costs one small STFT and, in the views, one
#: forward pass of a small network.
REFRESH_MS = 80


class LiveInput(QtCore.QObject):
    """Feeds ``session.inspect`` from ``live_audio`` while live is on.

    Signals
    -------
    live_changed(bool)
        Live was switched on or off.
    refused(str)
        Live cannot start; the text says why (no sound data set, no sound source).
    frame(float)
        A new live input was set; the value is the audio time it ends at, in seconds.
    """

    live_changed = QtCore.Signal(bool)
    refused = QtCore.Signal(str)
    frame = QtCore.Signal(float)

    def __init__(self, session, live_audio, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.session, self.audio = session, live_audio
        self.on = False
        self.frames = 0  # live inputs made (the benchmark reads it)
        self._timer = QtCore.QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._fresh = False
        live_audio.audio_added.connect(self._on_audio_added)
        session.project.dataset_changed.connect(self._on_project_dataset_changed)

    def transform(self):
        """The data set's input transform, or None when it is not a sound data set."""
        ds = self.session.project.dataset
        return getattr(ds, "transform", None) if ds is not None else None

    def set_live(self, on: bool) -> bool:
        """Switch live on or off; returns whether it is on. Turning it on starts the sound
        if it is not running yet."""
        if on and self.transform() is None:
            self.refused.emit("Live input needs a sound data set: choose one in the Data dock "
                              "(or open a sound preset such as sounds-cnn).")  # fmt: skip
            on = False
        if on and not self.audio.running:
            problem = self.audio.try_start()
            if problem:
                self.refused.emit(f"Live input needs sound: {problem}")
                on = False
        if on == self.on:
            return on
        self.on = on
        self.session.inspect.set_live(on)
        if on:
            self._fresh = True
            self.refresh()
            self._timer.start()
        else:
            self._timer.stop()
        self.live_changed.emit(on)
        return on

    def toggle(self) -> bool:
        return self.set_live(not self.on)

    def refresh(self) -> None:
        """Make a live input from the newest audio now (also when no new audio came)."""
        transform = self.transform()
        if transform is None:
            self.set_live(False)
            return
        features = transform.features
        clip = self.audio.buffer.latest(features.seconds)
        if self.audio.buffer.samplerate != features.samplerate:
            raise SpecError("the live buffer's rate does not match the sound features")
        x = transform(clip[None])[0]
        self.session.inspect.set_live_sample(x)
        self.frames += 1
        self.frame.emit(self.audio.buffer.total / self.audio.buffer.samplerate)

    # --- slots ----------------------------------------------------------------------------
    def _on_audio_added(self) -> None:
        self._fresh = True

    def _on_timer_timeout(self) -> None:
        if self._fresh:  # only new sound makes a new frame: a stopped source freezes it
            self._fresh = False
            self.refresh()

    def _on_project_dataset_changed(self) -> None:
        if self.on and self.transform() is None:
            self.set_live(False)
        elif self.on:
            self.refresh()
