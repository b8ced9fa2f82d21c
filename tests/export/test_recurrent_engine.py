"""visualnn's own recurrent layers through ONNX Runtime (no torch needed).

Skipped, with the reason, until ``"gru"`` is in ``visualnn.engine.LAYER_TYPES``; from then
on it runs by itself. The conversions are checked against torch now, in
``test_recurrent_torch.py``.
"""

from __future__ import annotations

import pytest
from export_helpers import (
    NEEDS_RECURRENT,
    RECURRENT_CASES,
    as_probabilities,
    case_id,
    compare,
    export_net,
    random_inputs,
    recurrent_layer,
)

from visualnn.engine import LAYER_TYPES, Sequential

ort = pytest.importorskip("onnxruntime", reason="onnxruntime is not installed")
pytestmark = pytest.mark.skipif("gru" not in LAYER_TYPES, reason=NEEDS_RECURRENT)


def run_onnx(model, x):
    from visualnn.export.onnx_export import onnx_bytes

    net = export_net(model)
    session = ort.InferenceSession(onnx_bytes(net), providers=["CPUExecutionProvider"])
    return as_probabilities(session.run(None, {"input": x})[0], net.output)


@pytest.mark.parametrize("case", RECURRENT_CASES, ids=case_id)
def test_each_recurrent_layer(case):
    kind, bi, seq, nl = case
    spec = [recurrent_layer(kind, 5, bi, seq, nl)]
    spec += [{"type": "flatten"}] * seq + [{"type": "dense", "units": 3, "activation": "softmax"}]
    model = Sequential.from_spec(spec, (6, 9), seed=1)
    model.loss = "cross_entropy"
    x = random_inputs((6, 9), n=8)
    compare(run_onnx(model, x), model, x)


def test_settings_left_at_their_default():
    """Specs omit default settings; the exporter must take the engine's defaults."""
    spec = [
        {"type": "conv1d", "out_channels": 6, "kernel_size": 3, "activation": "relu"},
        {"type": "gru", "hidden_size": 7, "return_sequences": True},
        {"type": "lstm", "hidden_size": 4},
        {"type": "dense", "units": 3},
    ]
    model = Sequential.from_spec(spec, (4, 12), seed=3)
    model.loss = "cross_entropy"
    bare = Sequential.from_spec(model.to_spec(), (4, 12), seed=3)  # as a project stores it
    bare.loss = "cross_entropy"
    x = random_inputs((4, 12), n=6)
    compare(run_onnx(bare, x), model, x)
