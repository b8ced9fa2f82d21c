"""Big WAV files stream from disk: bounded memory and reads, seeking loops, NaN never escapes.

No timed assertions: "opening is independent of the file size" is checked as the number of
bytes read on opening, and "memory stays bounded" with tracemalloc's peak.
"""

import os
import struct
import tracemalloc

import numpy as np
import pytest

from visualnn.audio.base import AudioError
from visualnn.audio.sources import FileSource
from visualnn.audio.wavio import read_wav, read_wav_info, to_mono, write_wav
from visualnn.audio.wavread import WavReader

BIG = 200 * 2**20


def big_wav(path, data_bytes=BIG, rate=48000, channels=2):
    """A 16-bit WAV of ``data_bytes`` whose first second is a tone, the rest sparse zeros."""
    align = 2 * channels
    data_bytes -= data_bytes % align
    head = struct.pack("<HHIIHH", 1, channels, rate, rate * align, align, 16)
    riff = 4 + 8 + len(head) + 8 + data_bytes
    t = np.arange(rate) / rate
    tone = (0.5 * np.sin(2 * np.pi * 1000 * t) * 32767).astype("<i2")
    with open(path, "wb") as fh:
        fh.write(b"RIFF" + struct.pack("<I", riff) + b"WAVE")
        fh.write(b"fmt " + struct.pack("<I", len(head)) + head)
        fh.write(b"data" + struct.pack("<I", data_bytes))
        fh.write(np.repeat(tone, channels).tobytes())
        fh.truncate(44 + data_bytes)  # a sparse file: no 200 MB written to the test disk
    return path


def test_opening_reads_the_header_only_whatever_the_size(tmp_path):
    small = big_wav(tmp_path / "small.wav", data_bytes=4 * 48000)
    big = big_wav(tmp_path / "big.wav")
    assert os.path.getsize(big) > BIG - 100
    opened = []
    for path in (small, big):
        src = FileSource(path, realtime=False)
        opened.append(src.reader.bytes_read)
        src.close()
    assert opened[0] == opened[1] < 100
    with WavReader(big) as r:
        assert r.frames == BIG // 4 and r.channels == 2 and r.samplerate == 48000


def test_playing_a_big_file_keeps_memory_and_reads_bounded(tmp_path):
    path = big_wav(tmp_path / "big.wav")
    tracemalloc.start()
    try:
        src = FileSource(path, samplerate=16000, realtime=False, block=1600)
        src.start()
        out = np.concatenate([src.read() for _ in range(50)])  # 5 s at 16 kHz
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert out.shape == (80000,) and np.isfinite(out).all()
    # The resampler's (outputs x taps) temporaries dominate: a few MB, whatever the file.
    assert peak < 32 * 2**20, f"peak {peak / 2**20:.1f} MB for a 200 MB file"
    consumed = 5 * 48000 * 4  # five seconds of 48 kHz stereo 16-bit
    assert src.reader.bytes_read <= consumed + FileSource.CHUNK_FRAMES * 4 + 100
    spectrum = np.abs(np.fft.rfft(out[:16000]))
    assert abs(np.argmax(spectrum) - 1000) <= 1  # the tone, resampled to 16 kHz
    src.close()


def test_looping_seeks_back_instead_of_holding_the_file(tmp_path):
    write_wav(tmp_path / "a.wav", 0.25 * np.sin(np.arange(1000) / 5.0), 8000)
    src = FileSource(tmp_path / "a.wav", realtime=False, block=2500)
    src.start()
    x = np.concatenate([src.read() for _ in range(8)])  # 20 passes through 1000 frames
    np.testing.assert_allclose(x[:1000], x[9000:10000])
    assert src.reader.bytes_read < 20 * 2000 + 2 * FileSource.CHUNK_FRAMES * 2
    assert not hasattr(src, "samples")  # nothing holds the whole file


@pytest.mark.parametrize("subtype", ["PCM_U8", "PCM_16", "PCM_24", "PCM_32", "FLOAT", "DOUBLE"])
def test_reader_chunks_equal_the_whole_file_for_every_format(tmp_path, subtype):
    rng = np.random.default_rng(0)
    x = rng.uniform(-0.9, 0.9, (5003, 3))
    write_wav(tmp_path / "x.wav", x, 22050, subtype, extensible=True)
    whole, _ = read_wav(tmp_path / "x.wav")
    with WavReader(tmp_path / "x.wav") as r:
        parts = [r.read_mono(777) for _ in range(8)]
        assert r.read(10).shape == (0, 3) and r.position == 5003
        r.seek(5000)
        assert r.read(10).shape == (3, 3)
    np.testing.assert_allclose(np.concatenate(parts), to_mono(whole), atol=1e-6)


def float_wav_with_holes(path):
    x = 0.5 * np.sin(2 * np.pi * 440 * np.arange(8000) / 8000)
    x[[10, 500, 501]] = np.nan
    x[2000], x[3000] = np.inf, -np.inf
    write_wav(path, np.stack([x, x], 1), 8000, "FLOAT")
    return path


@pytest.mark.parametrize("rate", [None, 16000])
def test_nan_and_inf_samples_play_as_silence_and_are_reported(tmp_path, rate):
    path = float_wav_with_holes(tmp_path / "nan.wav")
    src = FileSource(path, samplerate=rate, realtime=False, block=4000)
    src.start()
    out = np.concatenate([src.read() for _ in range(6)])
    assert np.isfinite(out).all()  # a NaN must never reach the spectrogram
    assert src.nonfinite_samples == 5
    st = src.status()
    assert st.state == "running"
    assert "5 samples of nan.wav are not numbers" in st.message and "silence" in st.message


def test_clip_information_survives_in_the_file_and_when_cut(tmp_path):
    info = {"label": "clap \u00e9", "meta": {"device": "USB"}}
    write_wav(tmp_path / "c.wav", np.full(100, 0.5), 8000, info=info)
    assert read_wav_info(tmp_path / "c.wav") == info
    y, _ = read_wav(tmp_path / "c.wav")
    np.testing.assert_allclose(y[:, 0], 0.5, atol=1e-4)
    blob = (tmp_path / "c.wav").read_bytes()
    (tmp_path / "cut.wav").write_bytes(blob[:-60])
    assert read_wav_info(tmp_path / "cut.wav") == info
    write_wav(tmp_path / "plain.wav", np.zeros(4), 8000)
    assert read_wav_info(tmp_path / "plain.wav") is None


def test_pipes_are_refused_without_waiting(tmp_path):
    os.mkfifo(tmp_path / "pipe.wav")
    with pytest.raises(AudioError, match="not a regular file"):
        FileSource(tmp_path / "pipe.wav")
