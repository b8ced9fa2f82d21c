"""Augmentation of spectrogram-like inputs: every batch sees its clips a little moved.

A network that hears a few hundred clips learns them by heart; one that hears each clip said
a little earlier or later, a little higher or lower, with a stretch of time or a few bands
missing (SpecAugment, Park et al. 2019), has to learn the word instead. On the spoken-words
set of ``visualnn bench-words`` this gave the 1-D networks (Conv1D, CRNN) 3-4 points on
speakers never heard; the 2-D CNN, which pools over bands and time anyway, stayed within
the noise of one run.

The inputs are ``(N, ..., bands, time)``: the last axis is time (frames), the one before it
bands (mel bands, MFCCs, channels). They are normalised per band to mean 0, so 0 is "an
average level": what comes in at an edge after a shift, and what a mask leaves.

Settings (``TrainConfig.augment``), each a largest amount drawn anew per clip and batch:
``time_shift`` frames (either way), ``band_shift`` bands (either way; the edge band is
repeated), ``time_mask`` frames and ``band_mask`` bands set to 0, and ``gain_db``: the clip
that much louder or quieter. A louder sound adds the same dB to every cell of a log-mel
image, which after the per-band normalisation is ``gain_units`` (normalised units per dB,
one per band, from the sound data set) times the dB: the network hears each word said
nearer or further from the microphone. On the words set it gave the levels-as-recorded
CNN about a point on top of a learning rate of 0.04 (mean of two seeds: 91.65 % at lr 0.02,
92.95 % at 0.04, 94.15 % at 0.04 with 6 dB). Data sets without a
loudness (digits, a level-normalised sound set) have no ``gain_units``; the setting does
nothing there.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import SpecError

#: Setting -> largest value allowed.
LIMITS = {"time_shift": 100, "band_shift": 16, "time_mask": 100, "band_mask": 32,
          "gain_db": 30}  # fmt: skip
#: What the sound presets use (and the Training dock's Augment switch turns on): each clip up
#: to 100 ms earlier or later, two mel bands higher or lower, up to 100 ms and five bands
#: masked, and up to 6 dB louder or quieter.
SOUND_DEFAULT = {"time_shift": 10, "band_shift": 2, "time_mask": 10, "band_mask": 5,
                 "gain_db": 6}  # fmt: skip


def check_augment(augment: Any) -> None:
    """Raise ``SpecError`` unless ``augment`` is None or a dict of ``LIMITS``' keys."""
    if augment is None:
        return
    if not isinstance(augment, dict):
        raise SpecError(f"augment must be an object such as {{'time_shift': 10}}, got {augment!r}",
                        key="augment")  # fmt: skip
    for key, value in augment.items():
        if key not in LIMITS:
            raise SpecError(f"unknown augment setting {key!r}; known: {', '.join(LIMITS)}",
                            key="augment")  # fmt: skip
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= LIMITS[key]:
            raise SpecError(f"augment {key} must be a whole number from 0 to {LIMITS[key]}, "
                            f"got {value!r}", key="augment")  # fmt: skip


def augment_batch(
    x: np.ndarray,
    rng: np.random.Generator,
    time_shift: int = 0,
    band_shift: int = 0,
    time_mask: int = 0,
    band_mask: int = 0,
    gain_db: int = 0,
    gain_units: np.ndarray | None = None,
) -> np.ndarray:
    """A moved copy of a batch.

    Parameters
    ----------
    x : (N, ..., F, T) float
        The batch: F bands by T frames per clip (any axes between are kept).
    rng : numpy.random.Generator
        Draws each clip's shifts and masks.
    time_shift, band_shift, time_mask, band_mask : int
        Largest shift either way and largest mask width (see the module docstring).
    gain_db : int
        Largest change of loudness either way, in dB.
    gain_units : (F,) float array or None
        Normalised units one dB adds to each band; None: no gain change.

    Returns
    -------
    (N, ..., F, T) array of ``x``'s dtype; ``x`` itself is not changed.
    """
    if x.ndim < 3:
        raise SpecError(f"augmentation needs inputs with a band and a time axis, not {x.shape[1:]}")
    n, (bands, frames) = len(x), x.shape[-2:]
    v = x.reshape(n, -1, bands, frames)  # (N, C, F, T)
    t, f = np.arange(frames), np.arange(bands)
    if time_shift:
        # clip i's frame k comes from frame k - s_i; from outside the clip: 0
        src = t[None, :] - rng.integers(-time_shift, time_shift + 1, n)[:, None]  # (N, T)
        inside = (src >= 0) & (src < frames)
        v = v[np.arange(n)[:, None], :, :, np.clip(src, 0, frames - 1)]  # (N, T, C, F)
        v = np.moveaxis(v, 1, -1) * inside[:, None, None, :]
    if band_shift:
        src = np.clip(f[None, :] - rng.integers(-band_shift, band_shift + 1, n)[:, None], 0,
                      bands - 1)  # (N, F)  # fmt: skip
        v = np.moveaxis(v[np.arange(n)[:, None], :, src, :], 1, 2)  # (N, C, F, T)
    if not (time_shift or band_shift):
        v = v.copy()  # the masks below write in place; x stays as it was
    if time_mask:
        v *= ~_stretch(rng, n, frames, time_mask)[:, None, None, :]
    if band_mask:
        v *= ~_stretch(rng, n, bands, band_mask)[:, None, :, None]
    if gain_db and gain_units is not None:
        gain = rng.uniform(-gain_db, gain_db, n).astype(np.float32)  # (N,) dB
        v = v + gain[:, None, None, None] * np.asarray(gain_units, np.float32)[:, None]
    return v.reshape(x.shape).astype(x.dtype, copy=False)


def _stretch(rng: np.random.Generator, n: int, size: int, width: int) -> np.ndarray:
    """``(n, size)`` bool: per clip, a run of 0 to ``width`` positions anywhere in ``size``."""
    w = rng.integers(0, min(width, size) + 1, n)[:, None]
    start = rng.integers(0, size - w[:, 0] + 1)[:, None]
    k = np.arange(size)[None, :]
    return (k >= start) & (k < start + w)
