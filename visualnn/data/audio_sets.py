"""Sound-class data sets: recorded clips (a ``ClipStore``) or built-in synthetic sounds.

Every clip becomes one fixed-length log-mel patch, shape ``(1, n_mels, frames)`` (NCHW with
one channel, so the 2-D convolutions see time x frequency as an image). The normalisation
statistics (per mel band, from the training clips only) travel with the data set in
``Dataset.params`` so live inference scales the microphone exactly as training did.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from visualnn.audio.features import mel_filterbank, power, power_to_db, stft
from visualnn.data.dataset import Dataset
from visualnn.engine.errors import SpecError

#: Names of the built-in demo classes, in label order.
DEMO_CLASSES = ("whistle", "hum", "clap", "silence")


@lru_cache(maxsize=8)
def _filterbank(sr: int, n_fft: int, n_mels: int, fmin: float, fmax: float) -> np.ndarray:
    """Mel filters ``(n_mels, n_fft // 2 + 1)`` float32, built once per geometry."""
    return mel_filterbank(sr, n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax).astype(np.float32)


@dataclass(frozen=True)
class SoundFeatures:
    """How a clip becomes a patch: 1 s at 16 kHz, 32 ms windows every 10 ms, 40 mel bands.

    The patch shape is ``(1, n_mels, frames)`` with ``frames = 1 + samples // hop``
    (centred frames), 101 for the defaults.
    """

    samplerate: int = 16000
    seconds: float = 1.0
    n_fft: int = 512
    hop: int = 160
    n_mels: int = 40
    fmin: float = 50.0

    @property
    def samples(self) -> int:
        return int(round(self.seconds * self.samplerate))

    @property
    def frames(self) -> int:
        return 1 + self.samples // self.hop

    @property
    def shape(self) -> tuple[int, int, int]:
        return (1, self.n_mels, self.frames)

    def geometry(self, sr: int) -> tuple[int, int, int]:
        """``(samples, n_fft, hop)`` at rate ``sr``: the same durations in seconds.

        Clips are analysed at their own rate with a window of the same length in seconds and
        the mel bands stop at ``samplerate / 2``, which equals resampling to ``samplerate``
        first, without its cost (a sinc resampler takes ~0.3 s per second of 48 kHz audio,
        too slow for 10 predictions a second).
        """
        scale = int(sr) / self.samplerate
        return (int(round(self.seconds * sr)), int(round(self.n_fft * scale)),
                max(1, int(round(self.hop * scale))))  # fmt: skip

    def fit_length(self, x: np.ndarray, sr: int) -> np.ndarray:
        """The last ``seconds`` of ``x`` (zero-padded in front), float32 ``(seconds * sr,)``."""
        x = np.asarray(x, dtype=np.float32).reshape(-1)
        n = self.geometry(sr)[0]
        if x.shape[0] >= n:
            return np.ascontiguousarray(x[-n:])
        return np.concatenate([np.zeros(n - x.shape[0], np.float32), x])

    def patch(self, x: np.ndarray, sr: int) -> np.ndarray:
        """Log-mel patch in dB (not normalised), float32 ``(1, n_mels, frames)``.

        Parameters
        ----------
        x : ndarray, shape (n,)
            Mono audio at rate ``sr``; the last ``seconds`` are used.
        sr : int
            Any rate of at least ``samplerate``.
        """
        sr = int(sr)
        if sr < self.samplerate:
            raise SpecError(f"audio at {sr} Hz is below the {self.samplerate} Hz the sound "
                            "classifier needs")  # fmt: skip
        _, n_fft, hop = self.geometry(sr)
        S = power(stft(self.fit_length(x, sr), n_fft=n_fft, hop=hop))
        fb = _filterbank(sr, n_fft, self.n_mels, self.fmin, self.samplerate / 2)
        # A longer window at a higher rate sums more samples: a sine's peak and a noise band's
        # power both grow with (n_fft ratio)^2, so divide it out to match 16 kHz levels.
        gain = (self.n_fft / n_fft) ** 2
        # einsum, not @: a BLAS call this small waits tens of ms for BLAS's sleeping threads
        # on a busy two-core machine; numpy's own loop takes a quarter of a millisecond.
        m = power_to_db(gain * np.einsum("mf,ft->mt", fb, S), amin=1e-10, top_db=None)
        frames = self.frames
        if m.shape[1] != frames:  # odd rates round the hop: crop or repeat the oldest frame
            m = m[:, -frames:] if m.shape[1] > frames else np.pad(
                m, ((0, 0), (frames - m.shape[1], 0)), mode="edge")  # fmt: skip
        return m[None].astype(np.float32)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def normalisation(x: np.ndarray) -> dict[str, list[float]]:
    """Per-mel-band mean and std of patches ``(N, 1, n_mels, frames)``, JSON-able."""
    mean = x.mean(axis=(0, 1, 3))
    std = np.maximum(x.std(axis=(0, 1, 3)), 1.0)  # >= 1 dB: a flat band must not blow up
    return {"mean": mean.tolist(), "std": std.tolist()}


def normalise(x: np.ndarray, stats: dict[str, list[float]]) -> np.ndarray:
    """Apply :func:`normalisation` stats to patches ``(N, 1, n_mels, frames)`` (or one)."""
    mean = np.asarray(stats["mean"], np.float32)[:, None]
    std = np.asarray(stats["std"], np.float32)[:, None]
    return ((x - mean) / std).astype(np.float32)


def _stratified_split(y: np.ndarray, train_ratio: float, rng: np.random.Generator):
    """Indices (train, test): each class split separately so both sides see every class."""
    tr, te = [], []
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        k = len(idx) if len(idx) < 2 else min(max(int(round(len(idx) * train_ratio)), 1),
                                               len(idx) - 1)  # fmt: skip
        tr.append(idx[:k])
        te.append(idx[k:])
    return rng.permutation(np.concatenate(tr)), np.concatenate(te)


def sound_dataset(
    clips: list[tuple[np.ndarray, int]],
    labels: list[str],
    class_names: list[str] | None = None,
    train_ratio: float = 0.8,
    seed: int = 0,
    features: SoundFeatures | None = None,
    name: str = "sounds",
) -> Dataset:
    """Turn labelled clips into a normalised, split ``Dataset``.

    Parameters
    ----------
    clips : list of (ndarray (n,), samplerate)
        Mono float audio of any length and rate.
    labels : list of str
        One class name per clip.
    class_names : list of str, optional
        Label order; default: first-seen order of ``labels``.
    train_ratio : float
        Share of each class used for training (the rest tests).
    seed : int
        Seeds the split.

    Returns
    -------
    Dataset
        ``x`` float32 ``(N, 1, n_mels, frames)``, ``y`` int64 ``(N,)``; ``params`` holds
        ``features`` (a ``SoundFeatures`` dict) and ``norm`` (per-band mean/std).
    """
    features = features or SoundFeatures()
    if len(clips) != len(labels):
        raise SpecError(f"{len(clips)} clips but {len(labels)} labels")
    names = list(class_names) if class_names else list(dict.fromkeys(labels))
    x = np.stack([features.patch(a, sr) for a, sr in clips]).astype(np.float32)
    return patches_dataset(x, labels, names, train_ratio, seed, features, name)


def patches_dataset(x, labels, class_names, train_ratio=0.8, seed=0, features=None,
                    name="sounds") -> Dataset:  # fmt: skip
    """Like :func:`sound_dataset` from ready dB patches ``(N, 1, n_mels, frames)``."""
    features = features or SoundFeatures()
    names = list(class_names)
    if len(names) < 2:
        raise SpecError("record at least two sound classes to train a classifier")
    counts = {n: list(labels).count(n) for n in names}
    few = [n for n, k in counts.items() if k < 2]
    if few:
        raise SpecError(f"record at least 2 clips of every class (too few: {', '.join(few)})")
    x = np.asarray(x, dtype=np.float32)
    y = np.array([names.index(label) for label in labels], dtype=np.int64)
    tr, te = _stratified_split(y, train_ratio, np.random.default_rng(seed))
    stats = normalisation(x[tr])
    x = normalise(x, stats)
    params = {"seed": seed, "train_ratio": train_ratio, "features": features.to_dict(),
              "norm": stats}  # fmt: skip
    return Dataset(name, x[tr], y[tr], x[te], y[te], "classification", features.shape,
                   len(names), tuple(names), params)  # fmt: skip


def dataset_from_clip_store(store, **kw) -> Dataset:
    """A ``Dataset`` from every clip of a :class:`visualnn.audio.clips.ClipStore`.

    ``kw`` as in :func:`sound_dataset` (class order defaults to ``store.labels``).
    """
    kw.setdefault("class_names", store.labels)
    clips = [store.load(c) for c in store.clips]
    return sound_dataset(clips, [c.label for c in store.clips], name="recorded sounds", **kw)


# -- built-in synthetic sounds -------------------------------------------------------------
def synthetic_clip(kind: str, rng: np.random.Generator, sr: int = 16000, seconds=1.0):
    """One randomised demo sound, float32 ``(sr * seconds,)``.

    whistle: a 1.5-2.5 kHz tone with vibrato; hum: 100-200 Hz with harmonics; clap: a few
    decaying noise bursts; silence: faint noise. All over a little background noise, with
    random onset, length and loudness so the network must learn the sound, not the timing.
    """
    n = int(sr * seconds)
    t = np.arange(n) / sr
    noise_db = rng.uniform(-70, -55)
    y = rng.normal(0.0, 10 ** (noise_db / 20), n)
    gain = 10 ** (rng.uniform(-20, -4) / 20)
    start = rng.uniform(0.0, 0.4)
    length = rng.uniform(0.4, 1.0 - start)
    env = ((t >= start) & (t < start + length)).astype(np.float64)
    # 10 ms fades: a hard-edged tone would splash energy into every band at its edges.
    ramp = np.clip(np.minimum(t - start, start + length - t) / 0.01, 0, 1)
    env *= ramp
    if kind == "whistle":
        f0, vib = rng.uniform(1500, 2500), rng.uniform(0, 60)
        ph = 2 * np.pi * np.cumsum(f0 + vib * np.sin(2 * np.pi * rng.uniform(3, 7) * t)) / sr
        y += gain * env * np.sin(ph)
    elif kind == "hum":
        f0 = rng.uniform(100, 200)
        amps = rng.uniform(0.2, 0.7, 4)
        tone = np.sin(2 * np.pi * f0 * t) + sum(
            a * np.sin(2 * np.pi * f0 * (k + 2) * t + rng.uniform(0, 6.3))
            for k, a in enumerate(amps)
        )
        y += gain * env * tone / 2.0
    elif kind == "clap":
        for onset in rng.uniform(0.0, 0.9, rng.integers(1, 4)):
            k = t - onset
            burst = np.where(k >= 0, np.exp(-np.maximum(k, 0) / rng.uniform(0.01, 0.04)), 0)
            y += gain * 2.0 * burst * rng.normal(0, 1, n)
    elif kind != "silence":
        raise SpecError(f"unknown demo sound {kind!r}; known: {', '.join(DEMO_CLASSES)}")
    return np.clip(y, -1, 1).astype(np.float32)


def synthetic_clips(seed: int = 0, n_per_class: int = 32, samplerate: int = 16000):
    """Demo clips: ``(clips, labels)`` with ``n_per_class`` clips of each of DEMO_CLASSES.

    Returns
    -------
    clips : list of (ndarray float32 (samplerate,), samplerate)
    labels : list of str
    """
    rng = np.random.default_rng(seed)
    clips, labels = [], []
    for _ in range(n_per_class):
        for kind in DEMO_CLASSES:
            clips.append((synthetic_clip(kind, rng, samplerate), samplerate))
            labels.append(kind)
    return clips, labels


def synthetic_sound_classes(seed: int = 0, n_per_class: int = 32, train_ratio: float = 0.75):
    """The built-in demo set (whistle, hum, clap, silence) as a ready ``Dataset``."""
    clips, labels = synthetic_clips(seed, n_per_class)
    return sound_dataset(clips, labels, list(DEMO_CLASSES), train_ratio, seed,
                         name="demo sounds")  # fmt: skip


# -- the network ---------------------------------------------------------------------------
#: A small CNN over ``(1, 40, 101)`` log-mel patches (mel bands x 10 ms frames). Pooling
#: shrinks time faster than frequency (4 then 5 frames): a sound's pitch matters more than
#: exactly when in the second it happened, and the small dense layer (800 inputs) keeps a
#: few dozen clips per class from being memorised. The last layer is sized per task.
SOUND_CNN_SPEC: list[dict[str, Any]] = [
    {"type": "conv2d", "out_channels": 8, "kernel_size": 3, "padding": "same",
     "activation": "relu"},
    {"type": "maxpool2d", "kernel_size": [2, 4]},
    {"type": "conv2d", "out_channels": 16, "kernel_size": 3, "padding": "same",
     "activation": "relu"},
    {"type": "maxpool2d", "kernel_size": [2, 5]},
    {"type": "flatten"},
    {"type": "dense", "units": len(DEMO_CLASSES)},
]  # fmt: skip


def sound_cnn_spec(input_shape=(1, 40, 101), n_classes: int = len(DEMO_CLASSES)) -> list[dict]:
    """``SOUND_CNN_SPEC`` with ``n_classes`` outputs (logits for cross-entropy).

    Parameters
    ----------
    input_shape : (1, n_mels, frames)
        Pool sizes shrink to fit shorter or narrower patches (each axis must stay >= 1).
    n_classes : int
    """
    if int(n_classes) < 2:
        raise SpecError(f"a sound classifier needs at least 2 classes, got {n_classes}")
    spec = [dict(layer) for layer in SOUND_CNN_SPEC]
    h, w = int(input_shape[-2]), int(input_shape[-1])
    for i in (1, 3):
        kh, kw = spec[i]["kernel_size"]
        kh, kw = min(kh, h), min(kw, w)
        spec[i]["kernel_size"] = [kh, kw]
        h, w = h // kh, w // kw
    spec[-1]["units"] = int(n_classes)
    return spec


#: Training settings that reach >= 90 % on the demo set in a few seconds on two cores.
SOUND_TRAIN_CONFIG = {"optimizer": "adam", "lr": 0.003, "batch_size": 16, "epochs": 5,
                      "loss": "cross_entropy", "seed": 0}  # fmt: skip
