"""The file-system side of projects: atomic replacement and opening only regular files.

``atomic_write`` writes to a temporary sibling, fsyncs, and ``os.replace``s it over the
target, keeping what a user expects of "save": the file's permission mode stays (a new file
gets the umask's default, not ``mkstemp``'s private 0600), saving through a symbolic link
replaces the link's target (the link stays a link), and no temporary file survives a failure
(one left by a killed process is removed by the next save of the same file).
``open_regular`` refuses folders, pipes and devices at once: ``/dev/zero`` must not hang.
"""

from __future__ import annotations

import os
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

#: A temporary sibling older than this is the leftover of a killed save, never a live one.
STALE_TMP_SECONDS = 60.0


def default_mode() -> int:
    """Permission bits a new file gets from this process's umask (0o644 for umask 022)."""
    try:  # Linux >= 4.7 shows the umask without changing it (no race with other threads)
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def remove_stale_temps(target: Path, now: float | None = None) -> list[Path]:
    """Delete ``.<name>.*.tmp`` siblings of ``target`` older than ``STALE_TMP_SECONDS``."""
    now = time.time() if now is None else now
    gone = []
    for p in target.parent.glob(f".{target.name}.*.tmp"):
        try:
            if p.is_file() and now - p.stat().st_mtime > STALE_TMP_SECONDS:
                p.unlink()
                gone.append(p)
        except OSError:
            pass  # another process may be cleaning up too; best effort
    return gone


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], None]) -> Path:
    """Call ``write(file)`` on a temporary sibling, then move it over ``path`` in one step.

    Returns the path written (the link's target when ``path`` is a symbolic link). Raises
    ``OSError`` (from the file system) or whatever ``write`` raises; the old file is intact.
    """
    target = Path(os.path.realpath(path))  # a symlink's target, so the link stays a link
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = default_mode()
    remove_stale_temps(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            if hasattr(os, "fchmod"):
                os.fchmod(f.fileno(), mode)
            else:  # pragma: no cover - Windows
                os.chmod(tmp, mode)
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        # Also on KeyboardInterrupt: the temporary file must not outlive a failed save.
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_dir(target.parent)
    return target


def fsync_dir(folder: Path) -> None:
    """Make the rename durable; not possible on every platform, so best effort."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class NotRegularFile(OSError):
    """The path is a folder, pipe, socket or device; ``kind`` says which, in words."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def open_regular(path: str | os.PathLike) -> tuple[BinaryIO, int]:
    """Open ``path`` for reading only if it is a regular file; returns ``(file, size)``.

    Opened without blocking (a FIFO with no writer would wait forever) and checked on the
    open descriptor, so the file cannot be swapped for a device between check and read.

    Raises
    ------
    NotRegularFile
        For folders, pipes, sockets and devices.
    OSError
        From the file system (missing file, permission denied...).
    """
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise NotRegularFile(_kind(mode))
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(_kind(info.st_mode))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb"), info.st_size
    except BaseException:
        os.close(fd)
        raise
