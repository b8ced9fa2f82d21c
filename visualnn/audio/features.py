"""Audio features in NumPy: framing, windows, STFT, dB scaling, mel filterbank, log-mel, MFCC.

Definitions follow librosa (0.10) and scipy.signal so that what students see here matches
the standard tools: periodic ("fftbins") windows, librosa's centre padding, Slaney and HTK
mel scales, Slaney area normalisation, ``power_to_db`` with ``amin``/``top_db``, and an
orthonormal DCT-II for MFCCs. Everything is vectorised: no Python loop over frames.
The streaming form lives in :mod:`visualnn.audio.streaming` and is re-exported here.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from visualnn.audio.mel import (
    dct_matrix,
    fft_frequencies,
    hz_to_mel,
    mel_filterbank,
    mel_frequencies,
    mel_to_hz,
)

# Cosine-sum coefficients a_k of w[n] = sum_k (-1)^k a_k cos(2 pi k n / M) (scipy's
# general_cosine); the rectangular window is the degenerate one-term case.
_COSINE_WINDOWS = {
    "hann": (0.5, 0.5),
    "hanning": (0.5, 0.5),
    "hamming": (0.54, 0.46),
    "blackman": (0.42, 0.50, 0.08),
    "rectangular": (1.0,),
    "boxcar": (1.0,),
    "rect": (1.0,),
    "ones": (1.0,),
}
WINDOWS = ("hann", "hamming", "blackman", "rectangular")


def frame(x: np.ndarray, frame_length: int, hop: int) -> np.ndarray:
    """Cut a signal into overlapping frames without copying.

    Parameters
    ----------
    x : ndarray, shape (n,)
    frame_length, hop : int
        Samples per frame and between frame starts.

    Returns
    -------
    ndarray, shape (n_frames, frame_length)
        A read-only strided view; ``n_frames = 1 + (n - frame_length) // hop`` (0 when
        ``n < frame_length``). Note: librosa's ``util.frame`` returns the transpose.
    """
    x = np.asarray(x)
    if x.ndim != 1:
        raise ValueError(f"frame expects a 1-D signal, got shape {x.shape}")
    if frame_length < 1 or hop < 1:
        raise ValueError(f"frame_length and hop must be >= 1, got {frame_length} and {hop}")
    if x.shape[0] < frame_length:
        return np.zeros((0, frame_length), dtype=x.dtype)
    return sliding_window_view(x, frame_length)[::hop]


def get_window(name: str, n: int, periodic: bool = True) -> np.ndarray:
    """A window as ``scipy.signal.get_window(name, n, fftbins=periodic)``.

    Parameters
    ----------
    name : {"hann", "hamming", "blackman", "rectangular"/"boxcar"}
    n : int
        Window length.
    periodic : bool
        True gives the DFT-even window used for spectral analysis (a symmetric window of
        length ``n + 1`` with the last sample dropped), as librosa does.

    Returns
    -------
    ndarray, float64, shape (n,)
    """
    key = str(name).lower()
    if key not in _COSINE_WINDOWS:
        raise ValueError(f"unknown window {name!r}; choose one of {', '.join(WINDOWS)}")
    if n < 1:
        raise ValueError(f"window length must be >= 1, got {n}")
    if n == 1:
        return np.ones(1)
    m = n + 1 if periodic else n
    phase = 2.0 * np.pi * np.arange(m) / (m - 1)
    w = np.zeros(m)
    for k, a in enumerate(_COSINE_WINDOWS[key]):  # at most 3 terms, not a loop over data
        w += (-1) ** k * a * np.cos(k * phase)
    return w[:n] if periodic else w


def window_array(window: str | np.ndarray, n_fft: int) -> np.ndarray:
    if isinstance(window, str):
        return get_window(window, n_fft)
    w = np.asarray(window, dtype=np.float64)
    if w.shape != (n_fft,):
        raise ValueError(f"window array must have shape ({n_fft},), got {w.shape}")
    return w


def stft(
    x: np.ndarray,
    n_fft: int = 2048,
    hop: int | None = None,
    window: str | np.ndarray = "hann",
    center: bool = True,
    pad_mode: str = "constant",
) -> np.ndarray:
    """Short-time Fourier transform, as ``librosa.stft`` (unnormalised, window not scaled).

    Parameters
    ----------
    x : ndarray, shape (n,)
        Real signal.
    n_fft : int
        FFT size = frame length.
    hop : int, optional
        Hop in samples; default ``n_fft // 4``.
    window : str or ndarray, shape (n_fft,)
    center : bool
        Pad ``n_fft // 2`` samples on both sides so frame ``t`` is centred at ``t * hop``.
    pad_mode : {"constant", "reflect"}
        Centre padding: zeros (librosa >= 0.10's default) or mirror.

    Returns
    -------
    ndarray, complex64, shape (n_fft // 2 + 1, n_frames)
    """
    hop = n_fft // 4 if hop is None else int(hop)
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 1:
        raise ValueError(f"stft expects a 1-D signal, got shape {x.shape}")
    if center:
        if pad_mode not in ("constant", "reflect"):
            raise ValueError(f"pad_mode must be 'constant' or 'reflect', got {pad_mode!r}")
        if pad_mode == "reflect" and x.shape[0] <= n_fft // 2:
            raise ValueError(f"reflect padding needs more than {n_fft // 2} samples")
        x = np.pad(x, n_fft // 2, mode=pad_mode)
    w = window_array(window, n_fft).astype(np.float32)
    frames = frame(x, n_fft, hop)
    # One batched rfft over all frames; the (frames, freq) result is transposed to librosa's
    # (freq, frames) layout.
    spec = np.fft.rfft(frames * w, axis=-1).astype(np.complex64, copy=False)
    return np.ascontiguousarray(spec.T)


def magnitude(S: np.ndarray) -> np.ndarray:
    """``|S|``, float32, same shape as ``S``."""
    return np.abs(S).astype(np.float32, copy=False)


def power(S: np.ndarray) -> np.ndarray:
    """``|S|**2``, float32, same shape as ``S``."""
    m = np.abs(S).astype(np.float32, copy=False)
    return m * m


def phase(S: np.ndarray) -> np.ndarray:
    """Phase angle in radians in (-pi, pi], float32, same shape as ``S``."""
    return np.angle(S).astype(np.float32, copy=False)


def _ref_value(S: np.ndarray, ref) -> float:
    return float(ref(S)) if callable(ref) else abs(float(ref))


def power_to_db(S, ref=1.0, amin: float = 1e-10, top_db: float | None = 80.0) -> np.ndarray:
    """``10 log10(S / ref)`` with a floor, exactly as ``librosa.power_to_db``.

    Parameters
    ----------
    S : ndarray, any shape
        Power (complex input is reduced to its magnitude, as librosa does).
    ref : float or callable
        Reference power; a callable (e.g. ``np.max``) is applied to ``|S|``.
    amin : float
        Floor applied to ``S`` and ``ref`` before the log.
    top_db : float or None
        Clip to ``max - top_db``.

    Returns
    -------
    ndarray, same shape as ``S`` (float32 for float32 input)
    """
    if amin <= 0:
        raise ValueError("amin must be strictly positive")
    S = np.asarray(S)
    mag = np.abs(S)
    ref_value = _ref_value(mag, ref)
    log_spec = 10.0 * np.log10(np.maximum(amin, mag))
    log_spec -= 10.0 * np.log10(np.maximum(amin, ref_value))
    if top_db is not None:
        if top_db < 0:
            raise ValueError("top_db must be non-negative")
        if log_spec.size:
            log_spec = np.maximum(log_spec, log_spec.max() - top_db)
    return log_spec


def amplitude_to_db(S, ref=1.0, amin: float = 1e-5, top_db: float | None = 80.0) -> np.ndarray:
    """``20 log10(S / ref)`` with a floor, exactly as ``librosa.amplitude_to_db``.

    Parameters
    ----------
    S : ndarray, any shape
        Amplitude (magnitude); complex input is reduced to ``|S|``.

    Returns
    -------
    ndarray, same shape as ``S``
    """
    mag = np.abs(np.asarray(S))
    ref_value = _ref_value(mag, ref)
    return power_to_db(np.square(mag), ref=ref_value**2, amin=amin**2, top_db=top_db)


def mel_spectrogram(
    x,
    sr,
    n_fft=2048,
    hop=None,
    n_mels=40,
    window="hann",
    center=True,
    pad_mode="constant",
    fmin=0.0,
    fmax=None,
    htk=False,
    norm="slaney",
):
    """Power mel spectrogram ``mel_filterbank @ |stft|**2``, float32 (n_mels, n_frames)."""
    S = power(stft(x, n_fft=n_fft, hop=hop, window=window, center=center, pad_mode=pad_mode))
    fb = mel_filterbank(sr, n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm)
    return fb @ S


def log_mel(x, sr, n_fft=2048, hop=None, n_mels=40, ref=1.0, amin=1e-10, top_db=80.0, **kw):
    """Log-mel spectrogram in dB: ``power_to_db(mel_spectrogram(...))``.

    Parameters
    ----------
    x : ndarray, shape (n,)
    sr : float
    kw : window, center, pad_mode, fmin, fmax, htk, norm as in :func:`mel_spectrogram`.

    Returns
    -------
    ndarray, float32, shape (n_mels, n_frames)
    """
    M = mel_spectrogram(x, sr, n_fft=n_fft, hop=hop, n_mels=n_mels, **kw)
    return power_to_db(M, ref=ref, amin=amin, top_db=top_db).astype(np.float32, copy=False)


def mfcc(x=None, sr=22050, n_mfcc=20, S_db=None, n_mels=40, **kw) -> np.ndarray:
    """Mel-frequency cepstral coefficients, as ``librosa.feature.mfcc`` (DCT-II, ortho).

    Parameters
    ----------
    x : ndarray, shape (n,), optional
        Signal; ignored when ``S_db`` is given.
    sr : float
    n_mfcc : int
    S_db : ndarray, shape (n_mels, n_frames), optional
        A precomputed log-mel spectrogram in dB.
    kw : passed to :func:`log_mel` (n_fft, hop, top_db, ...).

    Returns
    -------
    ndarray, float32, shape (n_mfcc, n_frames)
    """
    if S_db is None:
        if x is None:
            raise ValueError("mfcc needs a signal x or a log-mel spectrogram S_db")
        S_db = log_mel(x, sr, n_mels=n_mels, **kw)
    S_db = np.asarray(S_db, dtype=np.float64)
    D = dct_matrix(n_mfcc, S_db.shape[0])
    return (D @ S_db).astype(np.float32)


__all__ = [
    "amplitude_to_db",
    "dct_matrix",
    "fft_frequencies",
    "frame",
    "get_window",
    "hz_to_mel",
    "log_mel",
    "magnitude",
    "mel_filterbank",
    "mel_frequencies",
    "mel_spectrogram",
    "mel_to_hz",
    "mfcc",
    "phase",
    "power",
    "power_to_db",
    "stft",
]
