"""How a second of sound becomes a network's input: the representations the seeds compare.

Every clip is first brought to one rate (16 kHz) and one length (1 s); then one of

* ``logmel``: log-mel spectrogram in dB, ``n_mels`` bands x frames (the default);
* ``linear``: log-magnitude spectrogram in dB, ``n_fft // 2 + 1`` bins x frames;
* ``mfcc``: ``n_mfcc`` cepstral coefficients x frames (the DCT of the log-mel);
* ``waveform``: the samples themselves (the seeds' "Sample CNN": Conv1D on raw audio).

laid out for the first layer: ``image`` ``(1, bands, frames)`` for Conv2D, ``sequence``
``(bands, frames)`` for Conv1D and recurrent layers (bands become channels, time stays time);
the waveform is always ``(1, samples)``. With ``normalise_level`` the spectral
representations are computed from the clip's dB less its mean over all bands and frames:
every clip at the same loudness, so the network hears the word rather than how near the
microphone was (for MFCC: the log-mel's level, before the DCT).
Per-band normalisation statistics, taken from the training clips, travel with the model
(:class:`SoundTransform`) so a microphone is scaled exactly as training was.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from typing import Any

import numpy as np

from visualnn.audio.features import get_window, mel_filterbank
from visualnn.audio.mel import dct_matrix
from visualnn.engine.errors import SpecError

#: Representation key -> what a person reads.
REPRESENTATIONS = {
    "logmel": "Log-mel spectrogram",
    "linear": "Linear spectrogram",
    "mfcc": "MFCC",
    "waveform": "Raw waveform",
}
#: Layout key -> what a person reads.
LAYOUTS = {
    "image": "Image for Conv2D (1 x bands x frames)",
    "sequence": "Sequence (bands x frames)",
}
AMIN_DB = -100.0  # power floor in dB (1e-10): silence is a finite, shared value
CHUNK = 128  # clips per batched STFT: bounds the (clips x frames x n_fft) temporary


@lru_cache(maxsize=8)
def _mel(sr: int, n_fft: int, n_mels: int, fmin: float) -> np.ndarray:
    """Mel filters ``(n_mels, n_fft // 2 + 1)`` float32, built once per geometry."""
    return mel_filterbank(sr, n_fft, n_mels=n_mels, fmin=fmin, fmax=sr / 2).astype(np.float32)


@lru_cache(maxsize=8)
def _window(n_fft: int) -> np.ndarray:
    return get_window("hann", n_fft).astype(np.float32)


@dataclass(frozen=True)
class SoundFeatures:
    """The feature settings of a sound data set (JSON-able through :meth:`to_dict`).

    Defaults: 1 s at 16 kHz, 32 ms windows every 10 ms (101 centred frames), 40 mel bands
    from 50 Hz, 13 MFCCs, the level as recorded.
    """

    representation: str = "logmel"
    layout: str = "image"
    samplerate: int = 16000
    seconds: float = 1.0
    n_fft: int = 512
    hop: int = 160
    n_mels: int = 40
    n_mfcc: int = 13
    fmin: float = 50.0
    normalise_level: bool = False

    def __post_init__(self) -> None:
        if self.representation not in REPRESENTATIONS:
            known = ", ".join(REPRESENTATIONS)
            raise SpecError(f"unknown sound representation {self.representation!r}; known: {known}")
        if self.layout not in LAYOUTS:
            raise SpecError(f"unknown layout {self.layout!r}; known: {', '.join(LAYOUTS)}")
        checks = (
            ("samplerate", 4000, 96000),
            ("seconds", 0.1, 10.0),
            ("n_fft", 16, 8192),
            ("hop", 1, 8192),
            ("n_mels", 2, 256),
            ("n_mfcc", 1, 128),
            ("fmin", 0.0, 20000.0),
        )
        for key, lo, hi in checks:
            value = getattr(self, key)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not lo <= value <= hi
            ):
                raise SpecError(f"sound feature {key} must be between {lo} and {hi}, got {value!r}")
        if not isinstance(self.normalise_level, bool):
            raise SpecError(f"normalise_level must be true or false, got {self.normalise_level!r}")
        if self.n_mfcc > self.n_mels:
            raise SpecError(f"n_mfcc ({self.n_mfcc}) cannot exceed n_mels ({self.n_mels})")

    # --- geometry -------------------------------------------------------------------------
    @property
    def samples(self) -> int:
        """Samples per clip, ``seconds * samplerate``."""
        return int(round(self.seconds * self.samplerate))

    @property
    def frames(self) -> int:
        """Centred STFT frames per clip, ``1 + samples // hop``."""
        return 1 + self.samples // self.hop

    @property
    def bands(self) -> int:
        """Rows of the feature image: mel bands, frequency bins, coefficients, or 1."""
        return {
            "logmel": self.n_mels,
            "linear": self.n_fft // 2 + 1,
            "mfcc": self.n_mfcc,
            "waveform": 1,
        }[self.representation]

    @property
    def input_shape(self) -> tuple[int, ...]:
        """Shape of one network input: ``(1, bands, frames)``, ``(bands, frames)`` or
        ``(1, samples)`` for the waveform."""
        if self.representation == "waveform":
            return (1, self.samples)
        if self.layout == "image":
            return (1, self.bands, self.frames)
        return (self.bands, self.frames)

    # --- computing ------------------------------------------------------------------------
    def compute(self, audio: np.ndarray) -> np.ndarray:
        """Un-normalised features of clips at ``samplerate``.

        Parameters
        ----------
        audio : ndarray, shape (N, samples)
            Mono float audio, exactly ``samples`` long (see :func:`fit_length`).

        Returns
        -------
        ndarray, float32, shape (N, bands, frames) in dB (cepstra for MFCC; with
        ``normalise_level``, less the clip's mean level), or (N, 1, samples) for the
        waveform.
        """
        audio = np.asarray(audio, dtype=np.float32)
        if audio.ndim != 2 or audio.shape[1] != self.samples:
            raise SpecError(
                f"sound features need clips of {self.samples} samples, got {audio.shape}"
            )
        if self.representation == "waveform":
            return audio[:, None, :].copy()
        parts = [self._spectral(audio[i : i + CHUNK]) for i in range(0, len(audio), CHUNK)]
        if not parts:
            return np.zeros((0, self.bands, self.frames), np.float32)
        return np.concatenate(parts)

    def _spectral(self, audio: np.ndarray) -> np.ndarray:
        """(n, samples) -> (n, bands, frames): one batched STFT for all clips."""
        pad = self.n_fft // 2
        padded = np.pad(audio, ((0, 0), (pad, pad)))  # zeros, as librosa >= 0.10 centres
        frames = np.lib.stride_tricks.sliding_window_view(padded, self.n_fft, axis=1)
        frames = frames[:, :: self.hop][:, : self.frames]  # (n, frames, n_fft), a view
        spec = np.fft.rfft(frames * _window(self.n_fft), axis=-1)  # (n, frames, n_freq)
        power = (spec.real**2 + spec.imag**2).astype(np.float32)
        if self.representation == "linear":
            banded = power
        else:
            mel = _mel(self.samplerate, self.n_fft, self.n_mels, float(self.fmin))
            banded = power @ mel.T  # (n, frames, n_mels)
        db = 10.0 * np.log10(np.maximum(banded, 10 ** (AMIN_DB / 10)))
        if self.normalise_level:  # a louder clip adds the same dB to every cell
            db -= db.mean(axis=(1, 2), keepdims=True)
        if self.representation == "mfcc":
            db = db @ dct_matrix(self.n_mfcc, self.n_mels).T.astype(np.float32)
        return np.ascontiguousarray(db.transpose(0, 2, 1), dtype=np.float32)

    # --- files ----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SoundFeatures:
        """Build from :meth:`to_dict` output; unknown keys are refused in words."""
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - names)
        if unknown:
            raise SpecError(f"unknown sound feature setting(s): {', '.join(unknown)}")
        return cls(**d)


def fit_length(x: np.ndarray, n: int) -> np.ndarray:
    """Exactly ``n`` samples of mono ``x``: the loudest ``n``-window of a longer clip, a
    shorter one centred between zeros. float32 ``(n,)``.

    A recorded word rarely fills its file; the loudest second keeps the word whole.
    """
    x = np.asarray(x, dtype=np.float32).reshape(-1)
    if x.shape[0] == n:
        return x.copy()
    if x.shape[0] < n:
        left = (n - x.shape[0]) // 2
        return np.pad(x, (left, n - x.shape[0] - left))
    energy = np.concatenate([[0.0], np.cumsum(np.square(x, dtype=np.float64))])
    start = int(np.argmax(energy[n:] - energy[:-n]))
    return x[start : start + n].copy()


@dataclass(frozen=True)
class SoundTransform:
    """Features plus the normalisation learnt from the training clips: raw audio in,
    network input out. Part of a trained sound model (``Project.input_transform``).

    ``mean`` and ``std`` have one value per band (one for the waveform).
    """

    features: SoundFeatures
    mean: tuple[float, ...]
    std: tuple[float, ...]

    @classmethod
    def fit(cls, features: SoundFeatures, raw: np.ndarray) -> SoundTransform:
        """Statistics per band of un-normalised training features ``(N, bands, frames)``."""
        axes = (0, 2)
        mean = raw.mean(axis=axes, dtype=np.float64)
        floor = 1.0 if features.representation != "waveform" else 1e-3
        std = np.maximum(raw.std(axis=axes, dtype=np.float64), floor)  # flat band: no blow-up
        return cls(features, tuple(map(float, mean)), tuple(map(float, std)))

    def normalise(self, raw: np.ndarray) -> np.ndarray:
        """``(N, bands, frames)`` features -> network inputs ``(N, *input_shape)`` float32."""
        mean = np.asarray(self.mean, np.float32)[:, None]
        std = np.asarray(self.std, np.float32)[:, None]
        x = (raw - mean) / std
        return x.reshape(len(raw), *self.features.input_shape).astype(np.float32, copy=False)

    def gain_units(self) -> np.ndarray | None:
        """``(bands,)``: what one dB louder adds to each band of the network's input, or None
        when loudness does not add (the waveform scales; one loudness per clip takes it out).

        A louder clip adds the same dB to every spectrogram cell, so ``1 / std`` per band;
        for MFCC that constant passes through the DCT into the coefficients.
        """
        f = self.features
        if f.representation == "waveform" or f.normalise_level:
            return None
        if f.representation == "mfcc":  # the DCT of one dB in every mel band
            per_db = dct_matrix(f.n_mfcc, f.n_mels).sum(axis=1)
        else:
            per_db = np.ones(f.bands)
        return (per_db / np.asarray(self.std)).astype(np.float32)

    def __call__(self, audio: np.ndarray) -> np.ndarray:
        """Clips ``(N, samples)`` at the feature rate -> network inputs ``(N, *input_shape)``."""
        return self.normalise(self.features.compute(audio))

    def to_dict(self) -> dict[str, Any]:
        return {**self.features.to_dict(), "norm": {"mean": list(self.mean), "std": list(self.std)}}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SoundTransform:
        """Inverse of :meth:`to_dict`; ``SpecError`` in words for anything malformed."""
        if not isinstance(d, dict) or not isinstance(d.get("norm"), dict):
            raise SpecError("the sound input settings are missing their normalisation")
        d = dict(d)
        norm = d.pop("norm")
        features = SoundFeatures.from_dict(d)
        mean, std = norm.get("mean"), norm.get("std")
        ok = all(isinstance(v, list) and len(v) == features.bands for v in (mean, std))
        if not ok or not all(np.isfinite(mean)) or not all(np.isfinite(std)) or min(std) <= 0:
            raise SpecError(
                f"the sound normalisation needs {features.bands} finite means and positive "
                "standard deviations"
            )
        return cls(features, tuple(map(float, mean)), tuple(map(float, std)))
