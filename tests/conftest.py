"""Suite-wide set-up: offscreen Qt and guards against leaked threads and processes."""

import importlib.util
import multiprocessing
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


@pytest.fixture(autouse=True)
def no_leaked_processes():
    """Fail any test that leaves a child process (a trainer process, say) running."""
    before = set(multiprocessing.active_children())
    yield
    leaked = [p for p in multiprocessing.active_children() if p not in before]
    for p in leaked:  # end them anyway, so one leak does not fail the tests after it
        p.kill()
        p.join(timeout=2.0)
    assert not leaked, f"processes left running after the test: {[p.name for p in leaked]}"


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
