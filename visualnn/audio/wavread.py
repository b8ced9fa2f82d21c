"""Reading WAV files in chunks: the header once, then frames straight from disk.

What classrooms actually have is read: 8/16/24/32-bit PCM, 32/64-bit IEEE float, plain and
WAVE_FORMAT_EXTENSIBLE headers, any channel count and rate. :class:`WavReader` keeps only
the header in memory, so a 900 MB recording opens as fast as a short clip and playing it
needs one chunk at a time. Every failure is an :class:`AudioError` with a plain message.
"""

from __future__ import annotations

import json
import os
import stat
import struct
from pathlib import Path

import numpy as np

from visualnn.audio.base import AudioError

WAVE_FORMAT_PCM = 0x0001
WAVE_FORMAT_IEEE_FLOAT = 0x0003
WAVE_FORMAT_EXTENSIBLE = 0xFFFE
#: The tail shared by the KSDATAFORMAT_SUBTYPE GUIDs; the first two bytes hold the format code.
GUID_TAIL = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
#: Our own chunk: JSON about the clip (its label), so a store can recover it without an index.
INFO_CHUNK = b"vnnm"
MAX_INFO_BYTES = 1 << 16
#: Chunks looked at before giving up on finding 'fmt ' and 'data' (a crafted file may hold
#: millions of empty ones).
MAX_CHUNKS = 4096


def decode(raw: bytes, fmt: int, bits: int, channels: int, name: str) -> np.ndarray:
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


def parse_fmt(body: bytes, name: str) -> tuple[int, int, int, int]:
    """The 'fmt ' chunk -> ``(format code, channels, rate, bits)``, refusing what we cannot play."""
    if len(body) < 16:
        raise AudioError(f"{name} is corrupt: its 'fmt ' chunk is {len(body)} bytes long")
    fmt, channels, rate, _byterate, align, bits = struct.unpack_from("<HHIIHH", body)
    if fmt == WAVE_FORMAT_EXTENSIBLE:
        if len(body) < 40:
            raise AudioError(f"{name} is corrupt: its extensible 'fmt ' chunk is too short")
        guid = body[24:40]
        if guid[2:] != GUID_TAIL:
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


def _open(path: Path):
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError
        if not stat.S_ISREG(mode):  # a pipe or /dev/zero would never end
            raise AudioError(f"{path} is not a regular file (a pipe or a device?)")
        fh = open(path, "rb")
        return fh, os.fstat(fh.fileno()).st_size
    except FileNotFoundError:
        raise AudioError(f"{path} does not exist") from None
    except IsADirectoryError:
        raise AudioError(f"{path} is a folder, not a WAV file") from None
    except OSError as exc:
        raise AudioError(f"cannot read {path}: {exc.strerror or exc}") from None


class WavReader:
    """A WAV file open for reading frames in chunks.

    Parameters
    ----------
    path : path-like

    Attributes
    ----------
    samplerate, channels, bits, format : int
    frames : int
        Whole frames present (a truncated data chunk counts as far as it goes).
    info : dict or None
        The clip information written by ``write_wav(..., info=...)``, if any.
    bytes_read : int
        Bytes read from the file so far (header included): memory and I/O stay bounded.

    Raises
    ------
    AudioError
        Missing, unreadable, corrupt or unsupported file, with a sentence saying which.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.name = self.path.name
        self.bytes_read = 0
        self.info: dict | None = None
        self._fh, self.file_size = _open(self.path)
        try:
            self._parse_header()
        except BaseException:
            self._fh.close()
            raise
        self._frame = 0

    def _read(self, n: int) -> bytes:
        data = self._fh.read(n)
        self.bytes_read += len(data)
        return data

    def _parse_header(self) -> None:
        head = self._read(12)
        if len(head) < 12 or head[:4] not in (b"RIFF", b"RIFX") or head[8:12] != b"WAVE":
            raise AudioError(f"{self.name} is not a WAV file (no RIFF/WAVE header)")
        if head[:4] == b"RIFX":
            raise AudioError(f"{self.name} is a big-endian (RIFX) WAV file, which is not supported")
        fmt_info, data, pos = None, None, 12
        for _ in range(MAX_CHUNKS):
            if pos + 8 > self.file_size:
                break
            self._fh.seek(pos)
            cid, csize = struct.unpack("<4sI", self._read(8))
            body = pos + 8
            if cid == b"fmt ":
                fmt_info = parse_fmt(self._read(min(csize, 64)), self.name)
            elif cid == INFO_CHUNK and csize <= MAX_INFO_BYTES:
                self.info = _json_or_none(self._read(csize))
            elif cid == b"data":
                # A truncated last chunk (or a streaming writer's 0xFFFFFFFF) is read as far
                # as it goes.
                data = (body, max(0, min(csize, self.file_size - body)))
                if fmt_info is not None:
                    break
            pos = body + csize + (csize & 1)  # chunks are padded to an even length
        if fmt_info is None:
            raise AudioError(f"{self.name} is corrupt: it has no 'fmt ' chunk")
        if data is None:
            raise AudioError(f"{self.name} is corrupt: it has no 'data' chunk")
        self.format, self.channels, self.samplerate, self.bits = fmt_info
        self.frame_bytes = self.channels * self.bits // 8
        self.data_offset, self.data_bytes = data
        self.frames = self.data_bytes // self.frame_bytes
        if self.format == WAVE_FORMAT_IEEE_FLOAT and self.bits not in (32, 64):
            raise AudioError(f"{self.name}: {self.bits}-bit float WAV is not supported")

    @property
    def position(self) -> int:
        """Index of the next frame :meth:`read` returns."""
        return self._frame

    def seek(self, frame: int) -> None:
        """Continue reading at ``frame`` (0 = the start; clamped to the file)."""
        self._frame = max(0, min(int(frame), self.frames))

    def read(self, n: int) -> np.ndarray:
        """Up to ``n`` next frames, float32 ``(m, channels)``; ``m == 0`` at the end."""
        n = max(0, min(int(n), self.frames - self._frame))
        self._fh.seek(self.data_offset + self._frame * self.frame_bytes)
        raw = self._read(n * self.frame_bytes)
        out = decode(raw, self.format, self.bits, self.channels, self.name)
        self._frame += out.shape[0]
        return out

    def read_mono(self, n: int) -> np.ndarray:
        """Up to ``n`` next frames mixed to mono, float32 ``(m,)``."""
        x = self.read(n)
        return x[:, 0].copy() if self.channels == 1 else x.mean(axis=1, dtype=np.float32)

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> WavReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _json_or_none(blob: bytes) -> dict | None:
    try:
        value = json.loads(blob.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None
