"""WAV reading of every format (own writer and stdlib wave), and plain errors for bad files."""

import struct
import wave

import numpy as np
import pytest

from visualnn.audio.base import AudioError
from visualnn.audio.wavio import SUBTYPES, read_wav, to_mono, write_wav

# Quantisation step of each format, for the round-trip tolerance.
STEP = {
    "PCM_U8": 1 / 128,
    "PCM_16": 1 / 32768,
    "PCM_24": 2**-23,
    "PCM_32": 2**-31,
    "FLOAT": 1e-7,
    "DOUBLE": 1e-7,
}


def signal(frames=1001, channels=2):
    t = np.arange(frames) / 8000
    x = np.stack([0.8 * np.sin(2 * np.pi * (200 + 300 * c) * t) for c in range(channels)], 1)
    return x


@pytest.mark.parametrize("subtype", sorted(SUBTYPES))
@pytest.mark.parametrize("extensible", [False, True])
@pytest.mark.parametrize("channels", [1, 2])
def test_round_trip_every_format(tmp_path, subtype, extensible, channels):
    x = signal(channels=channels)
    path = tmp_path / "x.wav"
    write_wav(path, x, 8000, subtype, extensible=extensible)
    y, sr = read_wav(path)
    assert sr == 8000 and y.shape == x.shape and y.dtype == np.float32
    np.testing.assert_allclose(y, x, atol=STEP[subtype] * 0.51 + 1e-7)


@pytest.mark.parametrize("width", [1, 2, 3, 4])
def test_reads_files_written_by_stdlib_wave(tmp_path, width):
    rng = np.random.default_rng(width)
    bits = 8 * width
    if width == 1:
        ints = rng.integers(0, 256, size=(500, 2))
        raw = ints.astype(np.uint8).tobytes()
        expect = (ints - 128) / 128
    else:
        ints = rng.integers(-(2 ** (bits - 1)), 2 ** (bits - 1), size=(500, 2))
        b = ints.astype("<i4").view(np.uint8).reshape(-1, 4)[:, :width]
        raw = b.tobytes()
        expect = ints / 2 ** (bits - 1)
    path = tmp_path / "w.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(width)
        w.setframerate(44100)
        w.writeframes(raw)
    y, sr = read_wav(path)
    assert sr == 44100
    np.testing.assert_allclose(y, expect, rtol=1e-6, atol=1e-9)


def test_our_16_bit_files_are_readable_by_stdlib_wave(tmp_path):
    x = signal(channels=1)[:, 0]
    write_wav(tmp_path / "a.wav", x, 16000)
    with wave.open(str(tmp_path / "a.wav")) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 16000)
        ints = np.frombuffer(w.readframes(w.getnframes()), "<i2")
    np.testing.assert_allclose(ints / 32768, x, atol=1 / 32768)


def test_skips_unknown_chunks_and_odd_padding(tmp_path):
    path = tmp_path / "c.wav"
    write_wav(path, np.array([0.5, -0.5, 0.25]), 8000, "PCM_16")
    blob = path.read_bytes()
    junk = b"LIST" + struct.pack("<I", 3) + b"abc" + b"\x00"  # odd size, padded
    blob = blob[:12] + junk + blob[12:]
    path.write_bytes(blob[:4] + struct.pack("<I", len(blob) - 8) + blob[8:])
    y, _ = read_wav(path)
    np.testing.assert_allclose(y[:, 0], [0.5, -0.5, 0.25])


def test_to_mono_averages_channels():
    np.testing.assert_allclose(to_mono(np.array([[1.0, 0.0], [0.5, 0.5]])), [0.5, 0.5])


def corrupt(tmp_path, blob, name="bad.wav"):
    p = tmp_path / name
    p.write_bytes(blob)
    return p


def test_clear_errors_for_bad_files(tmp_path):
    with pytest.raises(AudioError, match="does not exist"):
        read_wav(tmp_path / "missing.wav")
    with pytest.raises(AudioError, match="not a WAV file"):
        read_wav(corrupt(tmp_path, b"ID3\x03 this is an mp3"))
    with pytest.raises(AudioError, match="no 'fmt ' chunk"):
        read_wav(corrupt(tmp_path, b"RIFF" + struct.pack("<I", 4) + b"WAVE"))
    good = tmp_path / "g.wav"
    write_wav(good, np.zeros(10), 8000)
    blob = good.read_bytes()
    with pytest.raises(AudioError, match="no 'data' chunk"):
        read_wav(corrupt(tmp_path, blob[:36]))
    adpcm = blob[:20] + struct.pack("<H", 2) + blob[22:]
    with pytest.raises(AudioError, match="compressed.*0x0002"):
        read_wav(corrupt(tmp_path, adpcm))
    odd_bits = blob[:34] + struct.pack("<H", 12) + blob[36:]
    with pytest.raises(AudioError, match="not supported"):
        read_wav(corrupt(tmp_path, odd_bits))
    with pytest.raises(AudioError, match="folder"):
        read_wav(tmp_path)


def test_truncated_data_chunk_reads_what_is_there(tmp_path):
    p = tmp_path / "t.wav"
    write_wav(p, np.full(100, 0.5), 8000)
    y, _ = read_wav(corrupt(tmp_path, p.read_bytes()[:-51]))  # cut mid-sample
    assert y.shape == (74, 1)
