"""SynthSource and FileSource with a scripted clock; the resampler."""

import numpy as np
import pytest
from fakes import FakeClock

from visualnn.audio import features as F
from visualnn.audio.base import AudioError
from visualnn.audio.resample import Resampler, resample
from visualnn.audio.sources import FileSource, SynthSource
from visualnn.audio.wavio import write_wav


def peak_hz(x, sr, n_fft=4096):
    mag = F.magnitude(F.stft(x, n_fft=n_fft, hop=n_fft // 2, center=False)).mean(axis=1)
    return F.fft_frequencies(sr, n_fft)[mag.argmax()]


def test_synth_is_paced_by_the_clock():
    clock = FakeClock()
    s = SynthSource("tone", 1000.0, samplerate=48000, clock=clock)
    assert s.read().shape == (0,) and s.status().state == "stopped"
    s.start()
    assert s.read().shape == (0,)
    clock.t += 0.25
    assert s.read().shape == (12000,)
    clock.t += 0.01
    assert s.read().shape == (480,)
    assert s.status().state == "running"
    clock.t += 10.0  # a stalled consumer gets at most the backlog, and it is counted
    assert s.read().shape == (24000,)
    assert s.status().dropped_blocks == 1
    s.stop()
    clock.t += 1.0
    s.start()
    clock.t += 0.1
    assert s.read().shape == (4800,)  # no burst for the time it was stopped


def test_synth_output_does_not_depend_on_read_sizes():
    for kind in SynthSource.KINDS:
        whole = SynthSource(kind, 440, realtime=False, block=5000)
        parts = SynthSource(kind, 440, realtime=False, block=333)
        whole.start(), parts.start()
        a = whole.read()
        b = np.concatenate([parts.read() for _ in range(16)])[:5000]
        np.testing.assert_allclose(a, b, atol=1e-6, err_msg=kind)
        assert np.abs(a).max() <= 0.5 + 1e-6
        assert np.abs(a).max() > 0.1


def test_synth_tone_and_chord_frequencies():
    s = SynthSource("tone", 1500.0, samplerate=16000, realtime=False, block=16000)
    s.start()
    assert abs(peak_hz(s.read(), 16000) - 1500) < 16000 / 4096
    with pytest.raises(AudioError, match="unknown synthetic"):
        SynthSource("whale")


def test_file_source_plays_loops_and_resamples(tmp_path):
    sr = 22050
    t = np.arange(sr // 2) / sr
    write_wav(
        tmp_path / "a.wav", np.stack([np.sin(2 * np.pi * 700 * t)] * 2, 1) * 0.5, sr, "PCM_24"
    )
    src = FileSource(tmp_path / "a.wav", loop=True, realtime=False, block=4000)
    assert src.samplerate == sr and src.file_channels == 2
    src.start()
    x = np.concatenate([src.read() for _ in range(5)])  # 20000 samples > 11025: loops
    np.testing.assert_allclose(x[11025 : 11025 + 100], x[:100], atol=1e-6)
    assert abs(peak_hz(x, sr) - 700) < sr / 4096

    up = FileSource(tmp_path / "a.wav", samplerate=48000, realtime=False, block=24000)
    up.start()
    y = up.read()
    assert up.samplerate == 48000 and up.total_samples == 24000 and y.shape == (24000,)
    assert abs(peak_hz(y, 48000) - 700) < 48000 / 4096
    once = FileSource(tmp_path / "a.wav", loop=False, samplerate=48000, realtime=False, block=7)
    once.start()
    z = np.concatenate([once.read() for _ in range(24000 // 7 + 2)])
    np.testing.assert_allclose(z, resample(x[:11025], sr, 48000), atol=1e-5)  # as offline


def test_file_source_without_loop_ends_with_a_status(tmp_path):
    write_wav(tmp_path / "b.wav", np.full(1000, 0.25), 8000)
    clock = FakeClock()
    src = FileSource(tmp_path / "b.wav", loop=False, clock=clock)
    src.start()
    clock.t += 0.1
    assert src.read().shape == (800,)
    clock.t += 0.1
    assert src.read().shape == (200,)
    assert src.status().state == "stopped" and "end of file" in src.status().message
    src.start()  # starting again replays from the beginning
    clock.t += 0.05
    assert src.read().shape == (400,)


def test_file_source_errors_are_plain(tmp_path):
    with pytest.raises(AudioError, match="does not exist"):
        FileSource(tmp_path / "nope.wav")
    write_wav(tmp_path / "empty.wav", np.zeros(0), 8000)
    with pytest.raises(AudioError, match="no samples"):
        FileSource(tmp_path / "empty.wav")


@pytest.mark.parametrize("sr_in,sr_out", [(44100, 48000), (48000, 16000), (32000, 48000)])
def test_resampler_keeps_a_tone_and_streams_like_offline(sr_in, sr_out):
    n = sr_in // 2
    x = np.sin(2 * np.pi * 1000 * np.arange(n) / sr_in).astype(np.float32)
    y = resample(x, sr_in, sr_out)
    assert y.shape == (-(-n * sr_out // sr_in),)
    ref = np.sin(2 * np.pi * 1000 * np.arange(len(y)) / sr_out)
    assert np.abs(y - ref)[64:-64].max() < 1e-3
    r = Resampler(sr_in, sr_out)
    rng = np.random.default_rng(0)
    parts, i = [], 0
    while i < n:
        k = int(rng.integers(1, 3000))
        parts.append(r.process(x[i : i + k]))
        i += k
    z = np.concatenate(parts + [r.flush()])[: len(y)]
    np.testing.assert_allclose(z, y, atol=1e-6)


def test_resampler_removes_what_would_alias():
    x = np.sin(2 * np.pi * 10000 * np.arange(48000) / 48000)  # above 8 kHz, the new Nyquist
    y = resample(x, 48000, 16000)
    assert np.sqrt(np.mean(y[100:-100] ** 2)) < 0.003  # < -47 dB of the 0.707 rms input
