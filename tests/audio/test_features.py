"""Features against reference computations written here from the textbook definitions."""

import numpy as np
import pytest

from visualnn.audio import features as F
from visualnn.audio.streaming import StreamingSTFT


def naive_stft(x, n_fft, hop, window, center, pad_mode="constant"):
    """Per-frame loop: pad, cut, window, rfft."""
    x = np.asarray(x, dtype=np.float64)
    if center:
        x = np.pad(x, n_fft // 2, mode=pad_mode)
    cols = []
    t = 0
    while t + n_fft <= len(x):
        cols.append(np.fft.rfft(x[t : t + n_fft] * window))
        t += hop
    return np.array(cols).T.reshape(n_fft // 2 + 1, -1)


def test_frame_is_a_view_with_the_right_frames():
    x = np.arange(10.0)
    fr = F.frame(x, 4, 3)
    assert fr.shape == (3, 4)
    np.testing.assert_array_equal(fr[1], [3, 4, 5, 6])
    assert np.shares_memory(fr, x)
    assert F.frame(x, 11, 1).shape == (0, 11)


@pytest.mark.parametrize("n", [1, 8, 9, 512])
def test_windows_match_the_cosine_formulas(n):
    k = np.arange(n)
    M = n  # periodic = symmetric of length n + 1 truncated, i.e. period n
    ref = {
        "hann": 0.5 - 0.5 * np.cos(2 * np.pi * k / M),
        "hamming": 0.54 - 0.46 * np.cos(2 * np.pi * k / M),
        "blackman": 0.42 - 0.5 * np.cos(2 * np.pi * k / M) + 0.08 * np.cos(4 * np.pi * k / M),
        "rectangular": np.ones(n),
    }
    for name, w in ref.items():
        expect = np.ones(1) if n == 1 else w
        np.testing.assert_allclose(F.get_window(name, n), expect, atol=1e-12)
    if n > 1:
        sym = F.get_window("hann", n, periodic=False)
        np.testing.assert_allclose(sym, 0.5 - 0.5 * np.cos(2 * np.pi * k / (n - 1)), atol=1e-12)
    with pytest.raises(ValueError, match="unknown window"):
        F.get_window("kaiser-ish", n)


def test_windows_match_scipy():
    signal = pytest.importorskip("scipy.signal")
    for name in ("hann", "hamming", "blackman", "boxcar"):
        for periodic in (True, False):
            np.testing.assert_allclose(
                F.get_window(name, 100, periodic),
                signal.get_window(name, 100, fftbins=periodic),
                atol=1e-12,
            )


@pytest.mark.parametrize(
    "n_fft,hop,center,pad_mode,window",
    [
        (256, 64, True, "constant", "hann"),
        (256, 100, True, "reflect", "hamming"),
        (512, 128, False, "constant", "blackman"),
        (64, 64, True, "constant", "rectangular"),
    ],
)
def test_stft_matches_a_naive_per_frame_reference(n_fft, hop, center, pad_mode, window):
    x = np.random.default_rng(1).standard_normal(3001).astype(np.float32)
    S = F.stft(x, n_fft=n_fft, hop=hop, window=window, center=center, pad_mode=pad_mode)
    ref = naive_stft(x, n_fft, hop, F.get_window(window, n_fft), center, pad_mode)
    assert S.dtype == np.complex64
    assert S.shape == ref.shape
    assert S.shape[1] == (1 + len(x) // hop if center else 1 + (len(x) - n_fft) // hop)
    np.testing.assert_allclose(S, ref, atol=2e-4 * np.abs(ref).max())


def test_stft_default_hop_is_a_quarter_of_n_fft():
    x = np.zeros(4096, np.float32)
    assert F.stft(x, n_fft=1024).shape == (513, 1 + 4096 // 256)


@pytest.mark.parametrize("freq_bin", [10, 57, 200])
def test_a_tone_puts_the_spectrogram_peak_in_its_bin(freq_bin):
    sr, n_fft = 48000, 2048
    f = freq_bin * sr / n_fft
    t = np.arange(sr) / sr
    x = (0.5 * np.sin(2 * np.pi * f * t)).astype(np.float32)
    mag = F.magnitude(F.stft(x, n_fft=n_fft, hop=256))
    peaks = mag[:, 4:-4].argmax(axis=0)
    assert np.all(peaks == freq_bin)
    assert F.fft_frequencies(sr, n_fft)[freq_bin] == pytest.approx(f)
    # Hann, amplitude 0.5: the peak of |X| is A * sum(w) / 2 = 0.5 * n_fft / 4.
    assert mag[freq_bin, 10] == pytest.approx(0.5 * n_fft / 4, rel=1e-3)


def test_power_magnitude_phase():
    S = np.array([[3 + 4j, -1j]], dtype=np.complex64)
    np.testing.assert_allclose(F.magnitude(S), [[5, 1]])
    np.testing.assert_allclose(F.power(S), [[25, 1]])
    np.testing.assert_allclose(F.phase(S), [[np.arctan2(4, 3), -np.pi / 2]], rtol=1e-6)


def test_power_to_db_is_librosas_definition():
    S = np.array([1e-12, 1e-6, 0.5, 1.0, 4.0])
    # 10 log10(max(amin, S)) - 10 log10(max(amin, ref)), then clip at max - top_db.
    raw = 10 * np.log10(np.maximum(1e-10, S)) - 10 * np.log10(2.0)
    np.testing.assert_allclose(F.power_to_db(S, ref=2.0, top_db=None), raw)
    np.testing.assert_allclose(F.power_to_db(S, ref=2.0), np.maximum(raw, raw.max() - 80))
    np.testing.assert_allclose(
        F.power_to_db(S, ref=np.max, top_db=20), np.maximum(raw + 10 * np.log10(2 / 4), -20)
    )
    with pytest.raises(ValueError):
        F.power_to_db(S, amin=0)
    with pytest.raises(ValueError):
        F.power_to_db(S, top_db=-1)


def test_amplitude_to_db_is_twenty_log10_with_floor():
    A = np.array([1e-7, 1e-3, 0.1, 1.0, 10.0])
    raw = 20 * np.log10(np.maximum(1e-5, A))
    np.testing.assert_allclose(F.amplitude_to_db(A, top_db=None), raw, atol=1e-9)
    np.testing.assert_allclose(F.amplitude_to_db(A), np.maximum(raw, 20 - 80), atol=1e-9)
    np.testing.assert_allclose(F.amplitude_to_db(A * 1j, ref=10.0, top_db=None), raw - 20)


def slaney_hz_to_mel(f):
    return f / (200 / 3) if f < 1000 else 15 + np.log(f / 1000) / (np.log(6.4) / 27)


def test_mel_scales_round_trip_and_match_the_formulas():
    f = np.array([0.0, 100.0, 999.0, 1000.0, 4000.0, 16000.0])
    np.testing.assert_allclose(F.hz_to_mel(f), [slaney_hz_to_mel(v) for v in f])
    np.testing.assert_allclose(F.hz_to_mel(f, htk=True), 2595 * np.log10(1 + f / 700))
    for htk in (False, True):
        np.testing.assert_allclose(F.mel_to_hz(F.hz_to_mel(f, htk=htk), htk=htk), f, atol=1e-9)
    assert F.hz_to_mel(1000.0) == pytest.approx(15.0)
    assert F.hz_to_mel(1000.0, htk=True) == pytest.approx(999.99, abs=0.01)


def reference_filterbank(sr, n_fft, n_mels, fmin, fmax, htk, norm):
    """Triangles built one filter and one bin at a time from the mel formulas."""
    to_mel = (lambda f: 2595 * np.log10(1 + f / 700)) if htk else slaney_hz_to_mel

    def to_hz(m):
        if htk:
            return 700 * (10 ** (m / 2595) - 1)
        return m * 200 / 3 if m < 15 else 1000 * np.exp((m - 15) * np.log(6.4) / 27)

    lo, hi = to_mel(fmin), to_mel(fmax)
    edges = [to_hz(lo + (hi - lo) * i / (n_mels + 1)) for i in range(n_mels + 2)]
    W = np.zeros((n_mels, n_fft // 2 + 1))
    for m in range(n_mels):
        left, mid, right = edges[m : m + 3]
        for k in range(n_fft // 2 + 1):
            f = k * sr / n_fft
            if left < f <= mid:
                W[m, k] = (f - left) / (mid - left)
            elif mid < f < right:
                W[m, k] = (right - f) / (right - mid)
        if norm == "slaney":
            W[m] *= 2 / (right - left)
    return W


@pytest.mark.parametrize(
    "sr,n_fft,n_mels,fmin,fmax,htk,norm",
    [
        (22050, 2048, 128, 0.0, None, False, "slaney"),
        (48000, 1024, 40, 50.0, 8000.0, False, "slaney"),
        (16000, 512, 32, 0.0, None, True, None),
        (16000, 512, 20, 300.0, 7000.0, True, "slaney"),
    ],
)
def test_mel_filterbank_matches_the_slaney_and_htk_formulas(
    sr, n_fft, n_mels, fmin, fmax, htk, norm
):
    fb = F.mel_filterbank(sr, n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm)
    ref = reference_filterbank(sr, n_fft, n_mels, fmin, fmax or sr / 2, htk, norm)
    assert fb.shape == (n_mels, n_fft // 2 + 1) and fb.dtype == np.float32
    np.testing.assert_allclose(fb, ref, rtol=1e-5, atol=1e-7 * ref.max())


def test_mel_filterbank_p_norm():
    fb = F.mel_filterbank(16000, 512, n_mels=20, norm=2)
    np.testing.assert_allclose(np.linalg.norm(fb, axis=1), 1.0, rtol=1e-5)


def test_mel_filterbank_against_librosa_if_installed():
    librosa = pytest.importorskip("librosa")
    for htk in (False, True):
        ref = librosa.filters.mel(sr=22050, n_fft=2048, n_mels=64, htk=htk)
        np.testing.assert_allclose(
            F.mel_filterbank(22050, 2048, n_mels=64, htk=htk), ref, rtol=1e-5, atol=1e-8
        )


def test_log_mel_is_power_to_db_of_the_mel_power():
    sr = 16000
    x = np.random.default_rng(2).standard_normal(sr).astype(np.float32) * 0.1
    LM = F.log_mel(x, sr, n_fft=512, hop=128, n_mels=40)
    S = np.abs(naive_stft(x, 512, 128, F.get_window("hann", 512), True)) ** 2
    ref = 10 * np.log10(
        np.maximum(1e-10, reference_filterbank(sr, 512, 40, 0, sr / 2, False, "slaney") @ S)
    )
    ref = np.maximum(ref, ref.max() - 80)
    assert LM.shape == (40, 1 + sr // 128) and LM.dtype == np.float32
    np.testing.assert_allclose(LM, ref, atol=2e-3)


def naive_dct_ortho(x):
    N = x.shape[0]
    out = np.zeros_like(x, dtype=np.float64)
    for k in range(N):
        s = sum(x[n] * np.cos(np.pi * k * (2 * n + 1) / (2 * N)) for n in range(N))
        out[k] = s * (np.sqrt(1 / N) if k == 0 else np.sqrt(2 / N))
    return out


def test_mfcc_is_the_orthonormal_dct_of_log_mel():
    sr = 16000
    x = np.random.default_rng(3).standard_normal(4000).astype(np.float32)
    S_db = F.log_mel(x, sr, n_fft=512, hop=256, n_mels=26)
    M = F.mfcc(x, sr, n_mfcc=13, n_fft=512, hop=256, n_mels=26)
    assert M.shape == (13, S_db.shape[1])
    ref = naive_dct_ortho(S_db.astype(np.float64))[:13]
    np.testing.assert_allclose(M, ref, rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(F.mfcc(S_db=S_db, n_mfcc=13), M)
    D = F.dct_matrix(26, 26)
    np.testing.assert_allclose(D @ D.T, np.eye(26), atol=1e-12)


def test_mfcc_dct_against_scipy():
    fft = pytest.importorskip("scipy.fft")
    S = np.random.default_rng(4).standard_normal((40, 7))
    np.testing.assert_allclose(
        F.dct_matrix(20, 40) @ S, fft.dct(S, type=2, norm="ortho", axis=0)[:20], atol=1e-10
    )


@pytest.mark.parametrize("n_fft,hop", [(256, 64), (512, 512), (128, 200)])
def test_streaming_equals_offline_for_random_chunks(n_fft, hop):
    rng = np.random.default_rng(n_fft + hop)
    x = rng.standard_normal(20000).astype(np.float32)
    s = StreamingSTFT(n_fft, hop)
    cols, i = [], 0
    while i < len(x):
        n = int(rng.integers(0, 1500))
        cols.append(s.push(x[i : i + n]))
        assert s.buffered < n_fft  # the internal buffer stays bounded
        i += n
    got = np.concatenate(cols, axis=1)
    ref = F.stft(x, n_fft=n_fft, hop=hop, center=False)
    assert got.shape == ref.shape
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-4)
    assert s.frames_emitted == ref.shape[1]
    s.reset()
    assert s.buffered == 0 and s.push(x[:10]).shape == (n_fft // 2 + 1, 0)


def test_features_never_load_sounddevice_or_qt():
    import subprocess
    import sys

    code = (
        "import sys, visualnn.audio.features, visualnn.audio.sources, visualnn.audio.clips;"
        "bad=[m for m in sys.modules if m.split('.')[0] in ('sounddevice','PySide6','pyqtgraph')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
