"""The window's one sound: its source, the spectrogram's STFT, the level and the newest
seconds at 16 kHz for the network, the recorder and the live predictions.

One ``LiveAudio`` per window, one stream open. No thread of its own: the microphone callback
(PortAudio's thread) only fills a ring buffer; this QTimer, on the GUI thread, reads it ~33
times a second, so all maths and all widget updates happen in one place and never race.
Every consumer reads from here: the Microphone dock draws the STFT columns, Sound classes
records from :attr:`buffer`, the live input turns :attr:`buffer` into the network's input.
It also measures what it costs, for the benchmark: CPU time of its ticks plus the
spectrogram's paints, frames drawn, and the delay from reading samples to their column
reaching the screen.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
from PySide6 import QtCore

from visualnn.audio.base import AudioError, AudioSource, SourceStatus
from visualnn.audio.features import get_window
from visualnn.audio.live import LiveBuffer
from visualnn.audio.reconnect import ReconnectPolicy
from visualnn.audio.streaming import StreamingSTFT

#: Timer period. 30 ms = 33 draws a second: just above the 30 fps target (each frame costs
#: ~3 ms of CPU, so faster would eat the budget), and the wait before a sound is picked up
#: stays well under the 50 ms latency budget.
INTERVAL_MS = 30

#: Most memory the raw dB history for :meth:`LiveAudio.latest_features` may take.
HISTORY_BYTES = 64 * 2**20


class LiveAudio(QtCore.QObject):
    """Moves sound from an :class:`AudioSource` to a spectrogram view, scope and meter.

    Attributes ``view`` (``SpectrogramView``), ``scope`` (``ScopeView``) and ``meter``
    (``LevelMeter``) may each be None; the pump then only computes features and emits.
    """

    columns_added = QtCore.Signal(object)  # dB columns (n_freq, n_new) float32
    level_changed = QtCore.Signal(float)  # RMS level of the newest samples in dBFS
    status_changed = QtCore.Signal(object)  # SourceStatus, emitted when state/message change
    samples_read = QtCore.Signal(object, int)  # raw mono samples (n,) float32, sample rate
    audio_added = QtCore.Signal()  # new samples are in ``buffer``
    running_changed = QtCore.Signal(bool)

    def __init__(self, parent=None, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        self.timer = QtCore.QTimer(self)
        self.timer.setTimerType(QtCore.Qt.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._on_timer_timeout)
        self.source: AudioSource | None = None
        self.view = self.scope = self.meter = None
        self.frozen = False
        self.n_fft, self.hop = 2048, 256
        self.history_seconds = 10.0
        self._last_status: SourceStatus | None = None
        self.stats: dict[str, float] = {}
        #: The newest seconds at the sound models' rate (16 kHz), for recording and the
        #: network's live input.
        self.buffer = LiveBuffer(16000, seconds=6.0)
        #: Builds the source to use when ``start`` is called without one (the Microphone
        #: dock sets it from its source picker); ``() -> AudioSource``.
        self.source_factory = None
        self.reconnect_policy = ReconnectPolicy()
        self._configure_stft()
        self._reset_stats()

    # -- configuration ---------------------------------------------------------------------
    @property
    def samplerate(self) -> int:
        return self.source.samplerate if self.source is not None else 48000

    @property
    def running(self) -> bool:
        return self.timer.isActive()

    def set_source(self, source: AudioSource | None) -> None:
        """Use ``source`` from now on; the old one is stopped. A running pump keeps running
        on the new source (a source that cannot start stops it, with the reason shown)."""
        if self.source is not None and self.source is not source:
            self.source.close()  # a file source holds its file open until then
        running = self.timer.isActive()
        self.reconnect_policy.reset()
        self.source = source
        self._last_status = None
        self.buffer.clear()
        self._configure_stft()
        if running and source is not None:
            self.try_start()
        elif running:
            self.stop()

    def configure(self, n_fft: int, hop: int, history_seconds: float | None = None) -> None:
        """New STFT geometry; restarts the feature stream (old columns no longer fit)."""
        self.n_fft, self.hop = int(n_fft), int(min(hop, n_fft))
        if history_seconds is not None:
            self.history_seconds = float(history_seconds)
        self._configure_stft()

    def _configure_stft(self) -> None:
        self.stft = StreamingSTFT(self.n_fft, self.hop, "hann")
        # |X| * db_scale = amplitude of a sine in full-scale units, so 0 dB = full scale.
        self.db_scale = np.float32(2.0 / float(np.sum(get_window("hann", self.n_fft))))
        n_freq = self.n_fft // 2 + 1
        frames = int(self.history_seconds * self.samplerate / self.hop) + 1
        frames = max(16, min(frames, HISTORY_BYTES // (4 * n_freq)))
        self._history = np.zeros((n_freq, frames), dtype=np.float32)
        self._hist_cursor = 0
        self._hist_count = 0
        self._recent = np.zeros(max(8192, 2 * self.n_fft), dtype=np.float32)

    # -- control ---------------------------------------------------------------------------
    def start(self) -> None:
        """Start the source and the timer; raises ``AudioError`` if the source cannot start.

        Without a source, one is made by ``source_factory`` (the dock's choice).
        """
        if self.source is None and self.source_factory is not None:
            self.set_source(self.source_factory())
        if self.source is None:
            raise AudioError("no sound source chosen")
        self.source.read()  # discard anything left over from an earlier run
        self.stft.reset()
        self.source.start()
        self._reset_stats()
        was = self.timer.isActive()
        self.timer.start()
        self._check_status()
        if not was:
            self.running_changed.emit(True)

    def try_start(self) -> str | None:
        """Start; on failure stop again and return the reason in words (else None)."""
        try:
            self.start()
        except AudioError as exc:
            self.stop()
            status = SourceStatus("error", str(exc))
            self._last_status = status
            self.status_changed.emit(status)
            return str(exc)
        return None

    def stop(self) -> None:
        """Stop the timer and the source (and with it any PortAudio stream)."""
        was = self.timer.isActive()
        self.timer.stop()
        if self.source is not None:
            self.source.stop()
        self._check_status()
        if was:
            self.running_changed.emit(False)

    # -- the tick --------------------------------------------------------------------------
    def _on_timer_timeout(self) -> None:
        try:
            self.tick()
        except Exception as exc:  # a failing tick must not fail again 33 times a second
            self.stop()
            self._last_status = SourceStatus("error", f"the sound processing failed: {exc}")
            self.status_changed.emit(self._last_status)

    def tick(self) -> int:
        """Drain the source once and draw what is new; returns the number of new columns."""
        t_cpu = time.thread_time()
        t_read = time.perf_counter()
        samples = self.source.read() if self.source is not None else np.zeros(0, np.float32)
        new_cols = 0
        if samples.shape[0]:
            self.buffer.push(samples, self.samplerate)
            self.samples_read.emit(samples, self.samplerate)
            self.audio_added.emit()
            self._recent = np.concatenate([self._recent, samples])[-self._recent.shape[0] :]
            self._update_level(samples)
            spec = self.stft.push(samples)
            new_cols = spec.shape[1]
            if new_cols:
                db = np.abs(spec)
                db *= self.db_scale
                np.maximum(db, 1e-10, out=db)
                db = (20.0 * np.log10(db)).astype(np.float32, copy=False)
                self._remember(db)
                self._features_cpu += time.thread_time() - t_cpu
                if not self.frozen:
                    self._draw(spec, db, t_read)
                self.columns_added.emit(db)
        self._check_status()
        self._account(time.thread_time() - t_cpu)
        return new_cols

    def _update_level(self, samples: np.ndarray) -> None:
        rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
        peak = float(np.max(np.abs(samples)))
        rms_db = 20.0 * np.log10(max(rms, 1e-10))
        if self.meter is not None:
            self.meter.set_level(rms_db, 20.0 * np.log10(max(peak, 1e-10)))
        self.level_changed.emit(rms_db)

    def _draw(self, spec: np.ndarray, db: np.ndarray, t_read: float) -> None:
        if self.view is not None:
            self.view.push_db(db)
            if self._drawn_read_time is None:
                self._drawn_read_time = t_read
        if self.scope is not None:
            t0 = time.thread_time()
            self.scope.set_waveform(self._recent, self.samplerate)
            self.scope.set_frame(spec[:, -1], self.samplerate, self.n_fft, float(self.db_scale))
            self._scope_cpu += time.thread_time() - t0

    def _remember(self, db: np.ndarray) -> None:
        cap = self._history.shape[1]
        if db.shape[1] > cap:
            db = db[:, -cap:]
        idx = (self._hist_cursor + np.arange(db.shape[1])) % cap
        self._history[:, idx] = db
        self._hist_cursor = (self._hist_cursor + db.shape[1]) % cap
        self._hist_count = min(cap, self._hist_count + db.shape[1])

    def latest_features(self, seconds: float) -> np.ndarray:
        """The last ``seconds`` of the dB spectrogram, ``(n_freq, frames)`` float32, oldest first.

        Fewer frames when less has been heard (or the history is shorter).
        """
        cap = self._history.shape[1]
        n = min(self._hist_count, max(0, int(round(seconds * self.samplerate / self.hop))))
        idx = (self._hist_cursor - n + np.arange(n)) % cap
        return self._history[:, idx]

    def _check_status(self) -> None:
        if self.source is None:
            return
        status = self.source.status()
        if hasattr(self.source, "reconnect"):
            # A microphone that stalls or fails (unplugged, sound server gone) is reopened
            # by itself every few seconds, a bounded number of times; the status says so.
            said = self.reconnect_policy.step(self.source)
            if said:
                status = dataclasses.replace(status, message=f"{status.message}; {said}")
        last = self._last_status
        if last is None or (status.state, status.message) != (last.state, last.message):
            self._last_status = status
            self.status_changed.emit(status)

    # -- self-measurement ------------------------------------------------------------------
    def _reset_stats(self) -> None:
        self._cpu = self._features_cpu = self._scope_cpu = 0.0
        self._window_start = time.perf_counter()
        self._paint_base = self._paint_state()
        self._latencies: list[float] = []
        self._drawn_read_time: float | None = None

    def _paint_state(self) -> tuple[int, float, float]:
        item = getattr(self.view, "image", None)
        if item is None:
            return 0, 0.0, 0.0
        return item.paint_count, item.paint_seconds, item.last_paint_end

    def _account(self, cpu: float) -> None:
        self._cpu += cpu
        count, seconds, last_end = self._paint_state()
        if self._drawn_read_time is not None and last_end > self._drawn_read_time:
            self._latencies.append(last_end - self._drawn_read_time)
            self._drawn_read_time = None
        wall = time.perf_counter() - self._window_start
        if wall < 1.0:
            return
        base_count, base_seconds, _ = self._paint_base
        lat = self._latencies or [0.0]
        interval = self.timer.interval() / 1000.0
        self.stats = {
            "cpu_fraction": (self._cpu + seconds - base_seconds) / wall,
            "pump_cpu_fraction": self._cpu / wall,
            "features_cpu_fraction": self._features_cpu / wall,
            # Features plus the spectrogram image (data and paint), without the scope plots.
            "spectrogram_cpu_fraction": (self._cpu - self._scope_cpu + seconds - base_seconds)
            / wall,
            "frames_per_second": (count - base_count) / wall,
            # A sample waits up to one timer period to be read, then until the next paint.
            "latency_ms": 1000.0 * (interval / 2 + float(np.mean(lat))),
            "latency_worst_ms": 1000.0 * (interval + float(np.max(lat))),
        }
        self._cpu = self._features_cpu = self._scope_cpu = 0.0
        self._window_start = time.perf_counter()
        self._paint_base = (count, seconds, last_end)
        self._latencies = []
