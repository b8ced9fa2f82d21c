"""In-place vector updates (``y += a x``, ``y = a x + b y``) in one pass through BLAS.

NumPy has no fused multiply-add over arrays: ``p -= lr * g`` writes ``lr * g`` to a temporary
and then reads it back, two passes over every parameter. The BLAS level-1 routines ``axpy``
and ``axpby`` do it in one, multi-threaded for long vectors; an optimizer step on the MLP
benchmark's 235k weights drops from about 180 to about 40 microseconds. NumPy does not expose
them, so they are called through ``ctypes`` in the OpenBLAS library NumPy itself loaded (the
one in NumPy's wheels, or a system OpenBLAS). Where none is found, or an array is not a
contiguous float32/float64 array, the same formula runs in NumPy, so results never depend on
whether the fast path exists beyond the last bit of rounding.
"""

from __future__ import annotations

import ctypes
import glob
import os
from collections.abc import Callable

import numpy as np

# (axpy name, axpby name, integer type): NumPy's wheels bundle a 64-bit-integer OpenBLAS
# with prefixed names; a system OpenBLAS has the plain CBLAS names with C ints.
_SYMBOLS = (
    ("scipy_cblas_saxpy64_", "scipy_cblas_saxpby64_", "scipy_cblas_daxpy64_",
     "scipy_cblas_daxpby64_", ctypes.c_int64),
    ("cblas_saxpy64_", "cblas_saxpby64_", "cblas_daxpy64_", "cblas_daxpby64_", ctypes.c_int64),
    ("cblas_saxpy", "cblas_saxpby", "cblas_daxpy", "cblas_daxpby", ctypes.c_int),
)  # fmt: skip


def _loaded_openblas_paths() -> list[str]:
    """Paths of OpenBLAS libraries this process has loaded (Linux), else NumPy's bundled ones."""
    paths: list[str] = []
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            for line in maps:
                path = line.rsplit(None, 1)[-1]
                if "openblas" in os.path.basename(path).lower() and path not in paths:
                    paths.append(path)
    except OSError:
        pass
    if not paths:
        root = os.path.dirname(os.path.dirname(np.__file__))
        for pattern in ("numpy.libs/*openblas*", "numpy/.dylibs/*openblas*"):
            paths += sorted(glob.glob(os.path.join(root, pattern)))
    return paths


class _Blas:
    """The four routines, bound by dtype; empty dicts when no working BLAS was found."""

    def __init__(self) -> None:
        self.axpy: dict[np.dtype, Callable] = {}
        self.axpby: dict[np.dtype, Callable] = {}
        for path in _loaded_openblas_paths():
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            for s_axpy, s_axpby, d_axpy, d_axpby, int_t in _SYMBOLS:
                if all(hasattr(lib, name) for name in (s_axpy, s_axpby, d_axpy, d_axpby)):
                    self._bind(lib, (s_axpy, s_axpby), np.dtype(np.float32), ctypes.c_float,
                               int_t)  # fmt: skip
                    self._bind(lib, (d_axpy, d_axpby), np.dtype(np.float64), ctypes.c_double,
                               int_t)  # fmt: skip
                    if self._works():
                        return
                    self.axpy, self.axpby = {}, {}

    def _bind(self, lib, names, dtype, real_t, int_t) -> None:
        vec, ptr = [int_t, real_t, ctypes.c_void_p, int_t], ctypes.c_void_p
        axpy, axpby = getattr(lib, names[0]), getattr(lib, names[1])
        axpy.argtypes, axpy.restype = [*vec, ptr, int_t], None
        axpby.argtypes, axpby.restype = [*vec, real_t, ptr, int_t], None
        self.axpy[dtype], self.axpby[dtype] = axpy, axpby

    def _works(self) -> bool:
        """A check on a few numbers, so a wrongly bound library is never used."""
        for dtype in (np.float32, np.float64):
            x, y = np.arange(1, 6, dtype=dtype), np.full(5, 2, dtype=dtype)
            self.axpy[np.dtype(dtype)](5, 3.0, x.ctypes.data, 1, y.ctypes.data, 1)
            z = np.ones(5, dtype=dtype)
            self.axpby[np.dtype(dtype)](5, 2.0, x.ctypes.data, 1, 0.5, z.ctypes.data, 1)
            if not (np.array_equal(y, 3 * x + 2) and np.array_equal(z, 2 * x + 0.5)):
                return False
        return True


_BLAS = _Blas()
# Below this many elements the ctypes call (about 3 us) costs more than NumPy's two passes.
MIN_BLAS_SIZE = 16384


def has_fast_path() -> bool:
    """Whether the BLAS routines were found (the NumPy fallback is used otherwise)."""
    return bool(_BLAS.axpy)


def _fast(x: np.ndarray, y: np.ndarray):
    """The dtype key when BLAS is worth it: long, same shape and dtype, C-contiguous."""
    dtype = y.dtype
    if (
        y.size >= MIN_BLAS_SIZE
        and dtype in _BLAS.axpy
        and x.dtype == dtype
        and x.shape == y.shape
        and x.flags.c_contiguous
        and y.flags.c_contiguous
        and y.flags.writeable
    ):
        return dtype
    return None


def axpy(alpha: float, x: np.ndarray, y: np.ndarray) -> None:
    """``y += alpha * x`` in place.

    Parameters
    ----------
    alpha : float
    x : numpy.ndarray
        Any shape; broadcast against ``y`` on the NumPy path.
    y : numpy.ndarray
        Updated in place.
    """
    # alpha == 0 stays in NumPy: BLAS skips the work then, but 0 * nan must still be nan.
    dtype = _fast(x, y) if alpha != 0 else None
    if dtype is None:
        y += alpha * x
        return
    _BLAS.axpy[dtype](y.size, alpha, x.ctypes.data, 1, y.ctypes.data, 1)


def axpby(alpha: float, x: np.ndarray, beta: float, y: np.ndarray) -> None:
    """``y = alpha * x + beta * y`` in place (shapes as in ``axpy``)."""
    dtype = _fast(x, y) if alpha != 0 and beta != 0 else None
    if dtype is None:
        y *= beta
        y += alpha * x
        return
    _BLAS.axpby[dtype](y.size, alpha, x.ctypes.data, 1, beta, y.ctypes.data, 1)
