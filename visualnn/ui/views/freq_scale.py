"""Frequency scales for the spectrogram: STFT bins remapped to display rows, and a Hz axis.

The spectrogram image always spans display positions 0..1 on its y axis. A
:class:`FrequencyScale` maps Hz to that position (linearly, logarithmically or on the mel
scale), a :class:`RowMap` turns STFT columns into display rows with a precomputed index, and
:class:`FrequencyAxis` labels the position axis in Hz, so one image item serves every scale.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

from visualnn.audio.mel import FREQUENCY_SCALES, hz_to_mel, mel_to_hz

#: Lowest frequency a log scale shows: log(0) is undefined and below ~20 Hz is rumble anyway.
LOG_FLOOR_HZ = 20.0


class FrequencyScale:
    """Map between Hz and a display position in [0, 1] (0 = ``fmin``, 1 = ``fmax``)."""

    def __init__(self, kind: str, fmin: float, fmax: float):
        if kind not in FREQUENCY_SCALES:
            raise ValueError(f"frequency scale must be one of {FREQUENCY_SCALES}, not {kind!r}")
        if kind == "log":
            fmin = max(fmin, LOG_FLOOR_HZ)
        fmax = max(fmax, fmin + 1.0)
        self.kind, self.fmin, self.fmax = kind, float(fmin), float(fmax)
        self._warp, self._unwarp = {
            "linear": (lambda f: np.asarray(f, dtype=np.float64), lambda u: u),
            "log": (lambda f: np.log(np.maximum(f, 1e-3)), np.exp),
            # HTK's mel: the display only needs a smooth, monotonic map
            "mel": (lambda f: hz_to_mel(f, htk=True), lambda m: mel_to_hz(m, htk=True)),
        }[kind]
        self._lo = float(self._warp(self.fmin))
        self._hi = float(self._warp(self.fmax))

    def to_pos(self, hz):
        """Display position (0..1) of ``hz`` (scalar or array)."""
        return (self._warp(hz) - self._lo) / (self._hi - self._lo)

    def from_pos(self, pos):
        """Frequency in Hz at display position ``pos`` (scalar or array)."""
        return self._unwarp(self._lo + np.asarray(pos, dtype=np.float64) * (self._hi - self._lo))


class RowMap:
    """Precomputed remap of STFT bins ``(n_freq, n)`` to display rows ``(n_rows, n)``.

    Rows narrower than two bins interpolate linearly between the two nearest bins (low
    frequencies on log/mel scales); wider rows take the maximum over their bins, so a pure tone
    never fades out between rows. On a linear scale with few enough bins each row *is* a bin.

    Parameters
    ----------
    samplerate, n_fft : STFT geometry; bin ``k`` is at ``k * samplerate / n_fft`` Hz.
    kind, fmin, fmax : frequency scale and range shown.
    max_rows : upper bound on rows (keeps drawing cheap whatever the FFT size).
    warped_rows : rows used for log and mel scales.
    """

    def __init__(
        self,
        samplerate: float,
        n_fft: int,
        kind: str = "linear",
        fmin: float = 0.0,
        fmax: float | None = None,
        max_rows: int = 512,
        warped_rows: int = 384,
    ):
        nyquist = samplerate / 2.0
        fmax = nyquist if fmax is None else min(float(fmax), nyquist)
        fmin = min(max(0.0, float(fmin)), fmax - 1.0)
        self.n_freq = n_fft // 2 + 1
        df = samplerate / n_fft
        self._identity = None
        k0, k1 = int(math.ceil(fmin / df)), int(math.floor(fmax / df))
        if kind == "linear" and k1 - k0 + 1 <= max_rows:
            # One row per bin: edges half a bin outside the outer bin centres.
            self.scale = FrequencyScale("linear", (k0 - 0.5) * df, (k1 + 0.5) * df)
            self._identity = slice(k0, k1 + 1)
            self.n_rows = k1 - k0 + 1
            self.row_hz = np.arange(k0, k1 + 1) * df
            return
        self.scale = FrequencyScale(kind, fmin, fmax)
        n_rows = max_rows if kind == "linear" else warped_rows
        self.n_rows = n_rows
        edges = self.scale.from_pos(np.arange(n_rows + 1) / n_rows)
        self.row_hz = self.scale.from_pos((np.arange(n_rows) + 0.5) / n_rows)
        lo = np.clip(np.ceil(edges[:-1] / df - 1e-9), 0, self.n_freq).astype(np.intp)
        hi = np.clip(np.ceil(edges[1:] / df - 1e-9), 0, self.n_freq).astype(np.intp)
        self._wide = (hi - lo) >= 2
        x = np.clip(self.row_hz / df, 0, self.n_freq - 1)
        self._i0 = np.minimum(np.floor(x).astype(np.intp), self.n_freq - 2)
        self._w = (x - self._i0).astype(np.float32)[:, None]
        # reduceat over interleaved [lo, hi) pairs; the even results are the row maxima.
        self._pairs = np.stack([lo[self._wide], hi[self._wide]], axis=1).ravel()

    def apply(self, columns: np.ndarray) -> np.ndarray:
        """Rows for ``columns`` ``(n_freq, n)`` dB values -> ``(n_rows, n)`` float32."""
        columns = np.asarray(columns, dtype=np.float32)
        if self._identity is not None:
            return np.ascontiguousarray(columns[self._identity])
        a, b = columns[self._i0], columns[self._i0 + 1]
        out = a + (b - a) * self._w
        if self._pairs.size:
            padded = np.concatenate([columns, columns[-1:]], axis=0)  # index n_freq is valid
            out[self._wide] = np.maximum.reduceat(padded, self._pairs, axis=0)[::2]
        return out

    def row_of(self, hz: float) -> int:
        """The display row whose band contains ``hz`` (clipped to the image)."""
        pos = float(self.scale.to_pos(hz))
        return int(np.clip(math.floor(pos * self.n_rows), 0, self.n_rows - 1))


def format_hz(hz: float) -> str:
    """Short tick text: ``"500"``, ``"1k"``, ``"2.5k"``."""
    hz = float(f"{hz:.4g}")  # 999.9999 from a round trip through the scale reads "1k"
    if hz >= 1000:
        k = hz / 1000.0
        return f"{k:.0f}k" if abs(k - round(k)) < 1e-6 else f"{k:.1f}k"
    return f"{hz:.0f}"


#: Tick candidates for log/mel axes in order of preference: powers of ten first, then 2x, 5x.
_NICE_HZ = [v * m for v in (1, 2, 5) for m in (10, 100, 1000, 10000)]
_NICE_STEPS = sorted(v * m for v in (1, 2, 5) for m in (1, 10, 100, 1000, 10000))
_MINOR_HZ = [v * m for m in (10, 100, 1000, 10000) for v in (3, 4, 6, 7, 8, 9)]


class FrequencyAxis(pg.AxisItem):
    """Axis over display positions 0..1 that shows ticks in Hz for any scale.

    ``orientation`` "left" for the spectrogram's frequency axis, "bottom" for a spectrum plot.
    """

    def __init__(self, orientation: str = "left", **kwargs):
        super().__init__(orientation, **kwargs)
        self._scale = FrequencyScale("linear", 0.0, 1.0)
        # Keeps large projector fonts from overlapping (labels are wider than tall).
        self.min_tick_px = 34 if orientation in ("left", "right") else 56
        self._major_spacing = 1.0
        self._room = 1.6 if orientation in ("left", "right") else 1.0  # labels per step

    def set_scale(self, scale: FrequencyScale) -> None:
        """Use ``scale`` for the tick positions and labels."""
        self._scale = scale
        self.picture = None  # pyqtgraph caches the drawn axis; force a redraw
        self.update()

    def tickValues(self, minVal, maxVal, size):  # noqa: N802 (pyqtgraph override)
        s = self._scale
        lo = float(s.from_pos(max(minVal, 0.0)))
        hi = float(s.from_pos(min(maxVal, 1.0)))
        if s.kind == "linear":
            # pyqtgraph's own spacing suits small fonts; from the back of a room fewer,
            # rounder labels read better: the smallest 1-2-5 step leaving room for a label.
            want = (hi - lo) * self._room * self.min_tick_px / max(size, 1.0)
            step = next((v for v in _NICE_STEPS if v >= want), _NICE_STEPS[-1])
            major = np.arange(math.ceil(lo / step), math.floor(hi / step) + 1) * step
            minor = np.arange(math.ceil(lo / (step / 5)), math.floor(hi / (step / 5)) + 1)
            span = s.fmax - s.fmin
            self._major_spacing = step / span
            return [
                (step / span, [float(v) for v in s.to_pos(major)]),
                (step / 5 / span, [float(v) for v in s.to_pos(minor * step / 5)]),
            ]
        major = self._spaced([f for f in _NICE_HZ if lo <= f <= hi], size)
        minor = [float(s.to_pos(f)) for f in _MINOR_HZ if lo <= f <= hi]
        self._major_spacing = 1.0
        return [(1.0, major), (0.5, minor if size > 400 else [])]

    def _spaced(self, freqs, size):
        """Positions of ``freqs`` (in preference order) at least ``min_tick_px`` apart."""
        out: list[float] = []
        for f in freqs:
            p = float(self._scale.to_pos(f))
            if all(abs(p - q) * size >= self.min_tick_px for q in out):
                out.append(p)
        return sorted(out)

    def tickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph override)
        if spacing < 0.999 * self._major_spacing:
            return ["" for _ in values]  # minor ticks: marks only, labels would crowd
        return [format_hz(max(0.0, float(self._scale.from_pos(v)))) for v in values]
