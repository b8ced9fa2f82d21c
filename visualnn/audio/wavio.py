"""Read and write WAV files with a small RIFF chunk parser.

The stdlib ``wave`` module only reads integer PCM, so this reads what classrooms actually
have: 8/16/24/32-bit PCM, 32/64-bit IEEE float, plain and WAVE_FORMAT_EXTENSIBLE headers,
any channel count and rate (the parser and the chunked :class:`WavReader` are in
:mod:`visualnn.audio.wavread`). Every failure is an :class:`AudioError` with a plain message.
"""

from __future__ import annotations

import json
import os
import struct

import numpy as np

from visualnn.audio.base import AudioError
from visualnn.audio.wavread import (
    GUID_TAIL,
    INFO_CHUNK,
    MAX_INFO_BYTES,
    WAVE_FORMAT_EXTENSIBLE,
    WAVE_FORMAT_IEEE_FLOAT,
    WAVE_FORMAT_PCM,
    WavReader,
)

__all__ = [
    "MAX_BYTES",
    "SUBTYPES",
    "WAVE_FORMAT_EXTENSIBLE",
    "WAVE_FORMAT_IEEE_FLOAT",
    "WAVE_FORMAT_PCM",
    "WavReader",
    "read_wav",
    "read_wav_info",
    "to_mono",
    "write_wav",
]

#: Refuse files bigger than this rather than exhaust memory (about 90 min of 48 kHz stereo);
#: :class:`~visualnn.audio.wavread.WavReader` streams files of any size.
MAX_BYTES = 1 << 30

SUBTYPES = {  # name -> (format code, bits)
    "PCM_U8": (WAVE_FORMAT_PCM, 8),
    "PCM_16": (WAVE_FORMAT_PCM, 16),
    "PCM_24": (WAVE_FORMAT_PCM, 24),
    "PCM_32": (WAVE_FORMAT_PCM, 32),
    "FLOAT": (WAVE_FORMAT_IEEE_FLOAT, 32),
    "DOUBLE": (WAVE_FORMAT_IEEE_FLOAT, 64),
}


def read_wav(path: str | os.PathLike) -> tuple[np.ndarray, int]:
    """Read a whole WAV file (see :class:`~visualnn.audio.wavread.WavReader` for big ones).

    Parameters
    ----------
    path : path-like

    Returns
    -------
    data : ndarray, float32, shape (frames, channels)
        Samples scaled to [-1, 1].
    samplerate : int

    Raises
    ------
    AudioError
        Missing, unreadable, corrupt, unsupported or too big file, with a sentence saying
        which.
    """
    with WavReader(path) as reader:
        if reader.file_size > MAX_BYTES:
            mb = reader.file_size / 2**20
            raise AudioError(f"{reader.name} is {mb:.0f} MB; the limit is 1024 MB")
        return reader.read(reader.frames), reader.samplerate


def read_wav_info(path: str | os.PathLike) -> dict | None:
    """The clip information ``write_wav(..., info=...)`` stored in the file, or None.

    Reads the header only; raises :class:`AudioError` when the file is not a readable WAV.
    """
    with WavReader(path) as reader:
        return reader.info


def write_wav(
    path: str | os.PathLike,
    data: np.ndarray,
    samplerate: int,
    subtype: str = "PCM_16",
    extensible: bool = False,
    info: dict | None = None,
) -> None:
    """Write a WAV file (not atomic by itself; see :mod:`visualnn.audio.clips`).

    Parameters
    ----------
    path : path-like
    data : ndarray, shape (frames,) or (frames, channels)
        Float samples in [-1, 1] (clipped for integer formats).
    samplerate : int
    subtype : {"PCM_U8", "PCM_16", "PCM_24", "PCM_32", "FLOAT", "DOUBLE"}
    extensible : bool
        Write a WAVE_FORMAT_EXTENSIBLE header (as many recorders do).
    info : dict, optional
        JSON-able facts about the clip (its label), stored in a chunk of our own before the
        samples, where other programs skip it and a cut-off file still has it.
    """
    if subtype not in SUBTYPES:
        raise AudioError(f"unknown WAV subtype {subtype!r}; choose one of {', '.join(SUBTYPES)}")
    fmt, bits = SUBTYPES[subtype]
    x = np.asarray(data, dtype=np.float64)
    x = x.reshape(-1, 1) if x.ndim == 1 else x
    channels = x.shape[1]
    payload = _encode(x, fmt, bits)
    align = channels * bits // 8
    head = struct.pack(
        "<HHIIHH",
        WAVE_FORMAT_EXTENSIBLE if extensible else fmt,
        channels,
        int(samplerate),
        int(samplerate) * align,
        align,
        bits,
    )
    if extensible:
        mask = (1 << channels) - 1 if channels <= 18 else 0
        head += struct.pack("<HHI", 22, bits, mask) + struct.pack("<H", fmt) + GUID_TAIL
    elif fmt == WAVE_FORMAT_IEEE_FLOAT:
        head += struct.pack("<H", 0)  # non-PCM formats carry a cbSize field
    pad = b"\x00" if len(payload) & 1 else b""
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(head)) + head
    if info is not None:
        body += _info_chunk(info)
    body += b"data" + struct.pack("<I", len(payload)) + payload + pad
    with open(path, "wb") as fh:
        fh.write(b"RIFF" + struct.pack("<I", len(body)) + body)


def _encode(x: np.ndarray, fmt: int, bits: int) -> bytes:
    """Float samples ``(frames, channels)`` -> little-endian sample bytes of the format."""
    if fmt == WAVE_FORMAT_IEEE_FLOAT:
        return x.astype("<f4" if bits == 32 else "<f8").tobytes()
    scale = float(2 ** (bits - 1))
    ints = np.clip(np.round(x * scale), -scale, scale - 1).astype(np.int64)
    if bits == 8:
        return (ints + 128).astype(np.uint8).tobytes()
    if bits == 24:
        return ints.astype("<i4").view(np.uint8).reshape(-1, 4)[:, :3].tobytes()
    return ints.astype("<i2" if bits == 16 else "<i4").tobytes()


def _info_chunk(info: dict) -> bytes:
    """Our own chunk holding ``info`` as JSON, padded to an even length as RIFF wants."""
    blob = json.dumps(info, ensure_ascii=False).encode("utf-8")
    if len(blob) > MAX_INFO_BYTES:
        raise AudioError(f"the clip information is {len(blob)} bytes; at most {MAX_INFO_BYTES}")
    return INFO_CHUNK + struct.pack("<I", len(blob)) + blob + b"\x00" * (len(blob) & 1)


def to_mono(data: np.ndarray) -> np.ndarray:
    """Average the channels: (frames, channels) -> float32 (frames,)."""
    data = np.asarray(data, dtype=np.float32)
    if data.ndim == 1:
        return data
    return data[:, 0].copy() if data.shape[1] == 1 else data.mean(axis=1, dtype=np.float32)
