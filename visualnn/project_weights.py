"""The ``weights.npz`` member of a project: written plainly, read with every header checked.

Each array's ``.npy`` header (shape, dtype) is read and compared with the shape the network
needs and with the member's real size *before* its data is read, so a crafted header that
claims a terabyte-sized array is refused in words instead of asking NumPy to allocate it.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

import numpy as np
from numpy.lib import format as npy

from visualnn.engine.geometry import shape_text
from visualnn.project_checks import ProjectError

MAX_MEMBER_BYTES = 200 * 1024 * 1024  # no sane network of this app comes near it
MAX_RATIO = 100  # uncompressed / compressed above this (for members over 1 MB): a zip bomb
_MEMBER = re.compile(r"^L(\d+)\.(\w+)\.npy$")
_READERS = {(1, 0): npy.read_array_header_1_0, (2, 0): npy.read_array_header_2_0}


def weights_bytes(weights: list[dict[str, np.ndarray]]) -> bytes:
    """``weights`` (one dict per layer) as the bytes of an uncompressed ``.npz``."""
    arrays = {f"L{i}.{k}": np.asarray(v) for i, w in enumerate(weights) for k, v in w.items()}
    for name, a in arrays.items():
        if a.dtype.kind not in "fiu":
            raise ProjectError(f"cannot save weight {name}: its type is {a.dtype}, not a number")
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def check_sizes(zf: zipfile.ZipFile, what: str, limit: int | None = None) -> None:
    """Refuse members that would unpack to more than ``limit`` bytes or look like a bomb."""
    limit = MAX_MEMBER_BYTES if limit is None else limit
    for info in zf.infolist():
        if info.file_size > limit:
            mb = info.file_size / 2**20
            raise ProjectError(f"{what}: {info.filename} would unpack to {mb:.0f} MB; refusing")
        if info.file_size > 2**20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ProjectError(f"{what}: {info.filename} is suspiciously compressed; refusing")


def read_weights(
    data: bytes, expected: list[dict[str, tuple[int, ...]]], what: str, limit: int | None = None
) -> list[dict[str, np.ndarray]]:
    """Read ``weights.npz`` for a network whose layer ``i`` needs ``expected[i]`` shapes.

    Parameters
    ----------
    data : bytes
        The member as stored in the project.
    expected : list of dict
        Per layer, parameter name -> shape (``{"weight": (8, 1, 3, 3), "bias": (8,)}``).
    what : str
        Start of every message ("cannot open p.vnn").

    Returns
    -------
    list of dict
        Arrays as stored (dtype and byte order kept), one dict per layer.

    Raises
    ------
    ProjectError
        Damaged, pickled, oversized, missing, unexpected or wrongly shaped arrays.
    """
    try:
        inner = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ProjectError(f"{what}: the weights are damaged (weights.npz is not an npz)") from None
    check_sizes(inner, what, limit)
    weights: list[dict[str, np.ndarray]] = [{} for _ in expected]
    try:
        for info in inner.infolist():
            m = _MEMBER.match(info.filename)
            name = info.filename.removesuffix(".npy")
            if not m or int(m.group(1)) >= len(expected) or m.group(2) not in expected[int(m[1])]:
                raise ProjectError(f"{what}: unexpected array '{name}' in the weights")
            layer, key = int(m.group(1)), m.group(2)
            with inner.open(info) as fp:
                weights[layer][key] = _read_array(fp, info, expected[layer][key], what, name)
    except (OSError, zipfile.BadZipFile, EOFError, zlib.error, ValueError) as e:
        raise ProjectError(f"{what}: the weights are damaged ({e})") from None
    for i, (got, need) in enumerate(zip(weights, expected, strict=True)):
        missing = sorted(set(need) - set(got))
        if missing:
            raise ProjectError(
                f"{what}: the weights of layer {i + 1} ({', '.join(missing)}) are missing"
            )
    return weights


def _read_array(fp, info: zipfile.ZipInfo, shape: tuple, what: str, name: str) -> np.ndarray:
    """One ``.npy`` member: header checked against ``shape`` and the member size first."""
    version = npy.read_magic(fp)
    reader = _READERS.get(version)
    if reader is None:
        raise ProjectError(f"{what}: weight '{name}' is in an unknown format {version}")
    got, fortran, dtype = reader(fp)
    if dtype.hasobject:
        raise ProjectError(
            f"{what}: the weights contain pickled Python objects, which visualnn never "
            "writes and will not load (they could run code)"
        )
    if dtype.kind not in "fiu":
        raise ProjectError(f"{what}: weight '{name}' holds {dtype}, not numbers")
    layer, key = name[1:].split(".", 1)
    if tuple(got) != tuple(shape):
        raise ProjectError(
            f"{what}: the {key} of layer {int(layer) + 1} has shape {shape_text(got)} but the "
            f"network needs {shape_text(shape)} (the file is damaged or mixes two networks)"
        )
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    stored = info.file_size - fp.tell()
    if stored != nbytes:
        raise ProjectError(
            f"{what}: the weights are damaged ('{name}' holds {stored} bytes, its header "
            f"promises {nbytes})"
        )
    raw = fp.read(nbytes)
    if len(raw) != nbytes:
        raise ProjectError(f"{what}: the weights are damaged ('{name}' is cut short)")
    return np.frombuffer(raw, dtype=dtype).reshape(shape, order="F" if fortran else "C").copy()


def non_finite(weights: list[dict[str, np.ndarray]] | None) -> list[str]:
    """One sentence per parameter holding NaN or infinity, e.g. for the window's banner."""
    found = []
    for i, layer in enumerate(weights or []):
        for key, a in layer.items():
            a = np.asarray(a)
            if a.dtype.kind == "f" and not np.isfinite(a).all():
                bad = int(np.count_nonzero(~np.isfinite(a)))
                found.append(
                    f"this project has non-finite weights in layer {i + 1} ({key}): "
                    f"{bad} of {a.size} values are not a number"
                )
    return found
