"""Mel scale (Slaney and HTK), mel filterbank and the DCT-II used for MFCCs.

Formulas and defaults as ``librosa.hz_to_mel`` / ``librosa.filters.mel`` (librosa 0.10) and
``scipy.fft.dct(type=2, norm="ortho")``. Re-exported by :mod:`visualnn.audio.features`.
"""

from __future__ import annotations

import numpy as np

#: How a spectrogram can spread frequency over its height.
FREQUENCY_SCALES = ("linear", "log", "mel")


def fft_frequencies(sr: float, n_fft: int) -> np.ndarray:
    """Centre frequency of each rfft bin, shape (n_fft // 2 + 1,), in Hz."""
    return np.fft.rfftfreq(n_fft, d=1.0 / sr)


# Slaney's Auditory Toolbox mel scale: linear below 1 kHz, logarithmic above.
_F_SP = 200.0 / 3.0
_MIN_LOG_HZ = 1000.0
_MIN_LOG_MEL = _MIN_LOG_HZ / _F_SP
_LOGSTEP = np.log(6.4) / 27.0


def hz_to_mel(frequencies, htk: bool = False):
    """Hz to mels (Slaney by default, HTK ``2595 log10(1 + f / 700)`` with ``htk=True``).

    Parameters
    ----------
    frequencies : float or ndarray, any shape

    Returns
    -------
    float or ndarray, same shape
    """
    f = np.asanyarray(frequencies, dtype=np.float64)
    if htk:
        return 2595.0 * np.log10(1.0 + f / 700.0)
    mels = f / _F_SP
    log_part = _MIN_LOG_MEL + np.log(np.maximum(f, _MIN_LOG_HZ) / _MIN_LOG_HZ) / _LOGSTEP
    return np.where(f >= _MIN_LOG_HZ, log_part, mels)


def mel_to_hz(mels, htk: bool = False):
    """Inverse of :func:`hz_to_mel`, same shape as ``mels``."""
    m = np.asanyarray(mels, dtype=np.float64)
    if htk:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    freqs = _F_SP * m
    log_part = _MIN_LOG_HZ * np.exp(_LOGSTEP * (np.maximum(m, _MIN_LOG_MEL) - _MIN_LOG_MEL))
    return np.where(m >= _MIN_LOG_MEL, log_part, freqs)


def mel_frequencies(
    n_mels: int = 128, fmin: float = 0.0, fmax: float = 11025.0, htk: bool = False
) -> np.ndarray:
    """``n_mels`` frequencies (Hz) evenly spaced on the mel scale, shape (n_mels,)."""
    mels = np.linspace(hz_to_mel(fmin, htk=htk), hz_to_mel(fmax, htk=htk), n_mels)
    return mel_to_hz(mels, htk=htk)


def mel_filterbank(
    sr: float,
    n_fft: int,
    n_mels: int = 40,
    fmin: float = 0.0,
    fmax: float | None = None,
    htk: bool = False,
    norm: str | float | None = "slaney",
) -> np.ndarray:
    """Triangular mel filters, identical to ``librosa.filters.mel``.

    Parameters
    ----------
    sr : float
        Sample rate in Hz.
    n_fft : int
    n_mels : int
    fmin, fmax : float
        Band edges in Hz; ``fmax`` defaults to ``sr / 2``.
    htk : bool
        HTK mel formula instead of Slaney's.
    norm : {"slaney", None} or number
        "slaney" divides each triangle by its width in Hz (constant area); a number p
        normalises each filter to unit p-norm; None leaves peaks at 1.

    Returns
    -------
    ndarray, float32, shape (n_mels, n_fft // 2 + 1)
    """
    fmax = sr / 2.0 if fmax is None else float(fmax)
    fftfreqs = fft_frequencies(sr, n_fft)
    mel_f = mel_frequencies(n_mels + 2, fmin=fmin, fmax=fmax, htk=htk)  # (n_mels + 2,)
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fftfreqs[None, :]  # (n_mels + 2, n_freq)
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    if norm == "slaney":
        weights *= (2.0 / (mel_f[2 : n_mels + 2] - mel_f[:n_mels]))[:, None]
    elif norm is not None:
        p = float(norm)
        size = np.linalg.norm(weights, ord=p, axis=-1, keepdims=True)
        weights = weights / np.where(size > 0, size, 1.0)
    return weights.astype(np.float32)


def dct_matrix(n_out: int, n_in: int) -> np.ndarray:
    """Orthonormal DCT-II basis, shape (n_out, n_in): ``D @ x == scipy.fft.dct(x, norm="ortho")``.

    ``D[k, n] = sqrt(2 / N) cos(pi k (2n + 1) / (2N))``, with row 0 scaled by ``1/sqrt(2)``.
    """
    k = np.arange(n_out)[:, None]
    n = np.arange(n_in)[None, :]
    D = np.sqrt(2.0 / n_in) * np.cos(np.pi * k * (2 * n + 1) / (2.0 * n_in))
    D[0] /= np.sqrt(2.0)
    return D
