"""Export tests: shared models, and torch-needing modules dropped where torch is absent.

ONNX Runtime and onnx come with the ``test`` extra; torch stays optional (it is huge), so
the modules that import it are not collected without it, as ``tests/conftest.py`` does for
the engine's torch comparisons.
"""

from __future__ import annotations

import importlib.util

import pytest

HAVE_TORCH = importlib.util.find_spec("torch") is not None
collect_ignore = [] if HAVE_TORCH else ["test_torch_module.py", "test_recurrent_torch.py"]


@pytest.fixture(scope="session")
def trained():
    """``{name: (model, x_real)}`` for the presets trained briefly (argmax means something)."""
    from export_helpers import train_preset

    return {name: train_preset(name) for name in ("xor", "digits-cnn")}
