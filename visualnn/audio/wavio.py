"""Read and write WAV files with a small RIFF chunk parser.

The stdlib ``wave`` module only reads integer PCM, so this reads what classrooms actually
have: 8/16/24/32-bit PCM, 32/64-bit IEEE float, plain and WAVE_FORMAT_EXTENSIBLE headers,
any channel count and rate. Every failure is an :class:`AudioError` with a plain message.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import numpy as np

from visualnn.audio.base import AudioError

WAVE_FORMAT_PCM = 0x0001
WAVE_FORMAT_IEEE_FLOAT = 0x0003
WAVE_FORMAT_EXTENSIBLE = 0xFFFE
#: The tail shared by the KSDATAFORMAT_SUBTYPE GUIDs; the first two bytes hold the format code.
_GUID_TAIL = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
#: Refuse files bigger than this rather than exhaust memory (about 90 min of 48 kHz stereo).
MAX_BYTES = 1 << 30

SUBTYPES = {  # name -> (format code, bits)
    "PCM_U8": (WAVE_FORMAT_PCM, 8),
    "PCM_16": (WAVE_FORMAT_PCM, 16),
    "PCM_24": (WAVE_FORMAT_PCM, 24),
    "PCM_32": (WAVE_FORMAT_PCM, 32),
    "FLOAT": (WAVE_FORMAT_IEEE_FLOAT, 32),
    "DOUBLE": (WAVE_FORMAT_IEEE_FLOAT, 64),
}


def _decode(raw: bytes, fmt: int, bits: int, channels: int, name: str) -> np.ndarray:
    """Raw little-endian sample bytes -> float32 (frames, channels) in [-1, 1]."""
    width = bits // 8
    usable = len(raw) - len(raw) % (width * channels)
    buf = np.frombuffer(raw, dtype=np.uint8, count=usable)
    if fmt == WAVE_FORMAT_IEEE_FLOAT:
        if bits not in (32, 64):
            raise AudioError(f"{name}: {bits}-bit float WAV is not supported (only 32 and 64)")
        data = buf.view("<f4" if bits == 32 else "<f8").astype(np.float32)
    elif bits == 8:
        data = (buf.astype(np.float32) - 128.0) / 128.0  # 8-bit WAV is unsigned
    elif bits == 16:
        data = buf.view("<i2").astype(np.float32) / 32768.0
    elif bits == 24:
        # Place the three bytes in the top of an int32 so the sign extends for free.
        wide = np.zeros((usable // 3, 4), dtype=np.uint8)
        wide[:, 1:] = buf.reshape(-1, 3)
        data = (wide.view("<i4")[:, 0].astype(np.float64) / 2147483648.0).astype(np.float32)
    elif bits == 32:
        data = (buf.view("<i4").astype(np.float64) / 2147483648.0).astype(np.float32)
    else:
        raise AudioError(f"{name}: {bits}-bit PCM WAV is not supported (8, 16, 24 or 32)")
    return data.reshape(-1, channels)


def read_wav(path: str | os.PathLike) -> tuple[np.ndarray, int]:
    """Read a WAV file.

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
        Missing, unreadable, corrupt or unsupported file, with a sentence saying which.
    """
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise AudioError(f"{name} is {size / 2**20:.0f} MB; the limit is 1024 MB")
        blob = path.read_bytes()
    except FileNotFoundError:
        raise AudioError(f"{path} does not exist") from None
    except IsADirectoryError:
        raise AudioError(f"{path} is a folder, not a WAV file") from None
    except OSError as exc:
        raise AudioError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(blob) < 12 or blob[:4] not in (b"RIFF", b"RIFX") or blob[8:12] != b"WAVE":
        raise AudioError(f"{name} is not a WAV file (no RIFF/WAVE header)")
    if blob[:4] == b"RIFX":
        raise AudioError(f"{name} is a big-endian (RIFX) WAV file, which is not supported")
    fmt_info = None
    raw = None
    pos = 12
    while pos + 8 <= len(blob):
        cid, csize = blob[pos : pos + 4], struct.unpack_from("<I", blob, pos + 4)[0]
        body = blob[pos + 8 : pos + 8 + csize]  # a truncated last chunk is read as far as it goes
        if cid == b"fmt ":
            fmt_info = _parse_fmt(body, name)
        elif cid == b"data":
            raw = body
            if fmt_info is not None:
                break
        pos += 8 + csize + (csize & 1)  # chunks are padded to an even length
    if fmt_info is None:
        raise AudioError(f"{name} is corrupt: it has no 'fmt ' chunk")
    if raw is None:
        raise AudioError(f"{name} is corrupt: it has no 'data' chunk")
    fmt, channels, rate, bits = fmt_info
    return _decode(raw, fmt, bits, channels, name), rate


def _parse_fmt(body: bytes, name: str) -> tuple[int, int, int, int]:
    if len(body) < 16:
        raise AudioError(f"{name} is corrupt: its 'fmt ' chunk is {len(body)} bytes long")
    fmt, channels, rate, _byterate, align, bits = struct.unpack_from("<HHIIHH", body)
    if fmt == WAVE_FORMAT_EXTENSIBLE:
        if len(body) < 40:
            raise AudioError(f"{name} is corrupt: its extensible 'fmt ' chunk is too short")
        guid = body[24:40]
        if guid[2:] != _GUID_TAIL:
            raise AudioError(f"{name} uses an unknown WAVE_FORMAT_EXTENSIBLE sub-format")
        fmt = struct.unpack_from("<H", guid)[0]
    if fmt not in (WAVE_FORMAT_PCM, WAVE_FORMAT_IEEE_FLOAT):
        raise AudioError(
            f"{name} is compressed (WAV format code 0x{fmt:04x}); "
            "only PCM and float WAV files can be read: convert it, e.g. with sox or Audacity"
        )
    if channels < 1 or rate < 1:
        raise AudioError(f"{name} is corrupt: {channels} channels at {rate} Hz")
    if bits % 8 or bits == 0 or align != channels * bits // 8:
        raise AudioError(
            f"{name} is not supported: {bits} bits per sample in {align}-byte frames "
            f"for {channels} channels"
        )
    return fmt, channels, rate, bits


def write_wav(
    path: str | os.PathLike,
    data: np.ndarray,
    samplerate: int,
    subtype: str = "PCM_16",
    extensible: bool = False,
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
    """
    if subtype not in SUBTYPES:
        raise AudioError(f"unknown WAV subtype {subtype!r}; choose one of {', '.join(SUBTYPES)}")
    fmt, bits = SUBTYPES[subtype]
    x = np.asarray(data, dtype=np.float64)
    x = x.reshape(-1, 1) if x.ndim == 1 else x
    channels = x.shape[1]
    if fmt == WAVE_FORMAT_IEEE_FLOAT:
        payload = x.astype("<f4" if bits == 32 else "<f8").tobytes()
    else:
        scale = float(2 ** (bits - 1))
        ints = np.clip(np.round(x * scale), -scale, scale - 1).astype(np.int64)
        if bits == 8:
            payload = (ints + 128).astype(np.uint8).tobytes()
        elif bits == 24:
            payload = ints.astype("<i4").view(np.uint8).reshape(-1, 4)[:, :3].tobytes()
        else:
            payload = ints.astype("<i2" if bits == 16 else "<i4").tobytes()
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
        head += struct.pack("<HHI", 22, bits, mask) + struct.pack("<H", fmt) + _GUID_TAIL
    elif fmt == WAVE_FORMAT_IEEE_FLOAT:
        head += struct.pack("<H", 0)  # non-PCM formats carry a cbSize field
    pad = b"\x00" if len(payload) & 1 else b""
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(head)) + head
    body += b"data" + struct.pack("<I", len(payload)) + payload + pad
    with open(path, "wb") as fh:
        fh.write(b"RIFF" + struct.pack("<I", len(body)) + body)


def to_mono(data: np.ndarray) -> np.ndarray:
    """Average the channels: (frames, channels) -> float32 (frames,)."""
    data = np.asarray(data, dtype=np.float32)
    if data.ndim == 1:
        return data
    return data[:, 0].copy() if data.shape[1] == 1 else data.mean(axis=1, dtype=np.float32)
