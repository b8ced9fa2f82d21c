"""Suite-wide set-up: offscreen Qt and a guard against leaked threads."""

import importlib.util
import os
import threading

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# One BLAS thread: the suite's matrices are small, and on a 2-core machine a second BLAS
# thread fights the Qt and training threads (measured: digits runs 20x slower under load).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


@pytest.fixture(autouse=True)
def no_leaked_threads():
    """Fail any test that leaves a Python thread or a running QThread behind."""
    before = set(threading.enumerate())
    yield
    leaked = [
        t
        for t in threading.enumerate()
        if t not in before and t.is_alive() and not t.daemon and t.name != "Dummy"
    ]
    for t in leaked:
        t.join(timeout=2.0)
    still = [t.name for t in leaked if t.is_alive()]
    assert not still, f"threads left running after the test: {still}"


# PyTorch is an optional oracle, never a dependency: without it the comparison tests are not
# collected (rather than skipped), and the suite's own references still run.
HAVE_TORCH = importlib.util.find_spec("torch") is not None
collect_ignore = [] if HAVE_TORCH else ["engine/test_against_torch.py"]


def pytest_collection_modifyitems(config, items):
    if HAVE_TORCH:
        return
    dropped = [item for item in items if "torch" in item.keywords]
    if dropped:
        items[:] = [item for item in items if "torch" not in item.keywords]
        config.hook.pytest_deselected(items=dropped)
