"""The one-pass BLAS vector updates and their NumPy fallback."""

import numpy as np
import pytest

from visualnn.engine import blas


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_axpy_and_axpby_match_the_numpy_formulas(dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((300, 70)).astype(dtype)  # long enough for the BLAS path
    y0 = rng.standard_normal((300, 70)).astype(dtype)
    assert x.size >= blas.MIN_BLAS_SIZE
    y = y0.copy()
    blas.axpy(-0.25, x, y)
    np.testing.assert_allclose(y, y0 - 0.25 * x, rtol=1e-6, atol=1e-6)
    y = y0.copy()
    blas.axpby(0.3, x, 0.9, y)
    np.testing.assert_allclose(y, 0.3 * x + 0.9 * y0, rtol=1e-6, atol=1e-6)
    assert y.dtype == dtype


def test_numpy_wheels_openblas_is_found():
    # The project's NumPy comes from PyPI wheels, which bundle OpenBLAS: the fast path
    # must be live there, or the optimizer quietly falls back to two passes.
    assert blas._loaded_openblas_paths()
    assert blas.has_fast_path()


def test_strided_and_mixed_arrays_take_the_numpy_path():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((200, 100))
    y = rng.standard_normal((200, 200))[:, ::2]  # not contiguous
    want = y + 2.0 * x
    blas.axpy(2.0, x, y)
    np.testing.assert_allclose(y, want)
    y32 = np.ones(5, np.float32)
    blas.axpby(1.0, np.arange(5.0), 2.0, y32)  # float64 into float32: NumPy casts
    np.testing.assert_allclose(y32, np.arange(5.0) + 2.0)
    b = np.ones(3)
    blas.axpy(1.0, np.float64(2.0), b)  # a scalar broadcasts
    np.testing.assert_allclose(b, 3.0)


def test_zero_factors_still_propagate_nan_like_numpy():
    # BLAS may skip the work when alpha or beta is 0, so those run in NumPy: 0 * nan = nan.
    n = blas.MIN_BLAS_SIZE
    x = np.ones(n, np.float32)
    x[0] = np.nan
    y = np.zeros(n, np.float32)
    blas.axpy(0.0, x, y)
    assert np.isnan(y[0]) and not y[1:].any()
    y = x.copy()
    blas.axpby(1.0, np.ones(n, np.float32), 0.0, y)
    assert np.isnan(y[0]) and (y[1:] == 1).all()


def test_short_vectors_give_the_same_numbers():
    x, y = np.arange(10, dtype=np.float32), np.ones(10, np.float32)
    blas.axpby(0.5, x, 2.0, y)
    np.testing.assert_allclose(y, 0.5 * np.arange(10) + 2.0)
