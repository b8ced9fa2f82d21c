"""The built-in demo sounds: whistle, hum, clap and silence, made up on the spot.

Randomised onset, length, loudness and pitch, over a little background noise, so a
network must learn the sound and not the timing. Nothing is downloaded or bundled.
"""

from __future__ import annotations

import numpy as np

from visualnn.engine.errors import SpecError

#: Names of the built-in demo classes, in label order.
DEMO_CLASSES = ("whistle", "hum", "clap", "silence")


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
