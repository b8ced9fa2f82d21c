"""Recurrent layers against torch.nn.RNN / GRU / LSTM directly: same weights, same numbers.

The exporters read a plain (spec dict, params dict) description, so these run before
visualnn's own recurrent layers exist; the end-to-end test joins in once they do.
Collected only where torch is installed (see conftest.py).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from export_helpers import (
    NEEDS_RECURRENT,
    RECURRENT_CASES,
    TOL,
    as_probabilities,
    case_id,
    export_net,
    load_module,
    random_inputs,
    recurrent_layer,
)

from visualnn.engine import LAYER_TYPES, Sequential
from visualnn.export import ExportNet, export_files, write_atomic

pytestmark = pytest.mark.torch
ort = pytest.importorskip("onnxruntime", reason="onnxruntime is not installed")
TORCH_CLASS = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}
MAX_DIFF: dict[str, float] = {}


def torch_rnn(kind: str, n_in: int, hidden: int, bi: bool, nl: str, seed: int):
    """A torch recurrent layer with random weights, twice torch's default range."""
    torch.manual_seed(seed)
    kw = {"nonlinearity": nl} if kind == "rnn" else {}
    rnn = TORCH_CLASS[kind](n_in, hidden, batch_first=True, bidirectional=bi, **kw)
    with torch.no_grad():
        for p in rnn.parameters():
            p.mul_(2.0)
    return rnn.eval()


def visualnn_contract(rnn, x: torch.Tensor, seq: bool) -> torch.Tensor:
    """(N, F, T) -> (N, H*D, T) or the final hidden state (N, H*D), forward direction first."""
    y, h = rnn(x.transpose(1, 2))
    h = h[0] if isinstance(h, tuple) else h
    return y.transpose(1, 2) if seq else h.transpose(0, 1).reshape(x.shape[0], -1)


def run_onnx(net: ExportNet, x: np.ndarray) -> np.ndarray:
    from visualnn.export.onnx_export import onnx_bytes

    session = ort.InferenceSession(onnx_bytes(net), providers=["CPUExecutionProvider"])
    return session.run(None, {"input": x})[0]


def run_py(net: ExportNet, x: np.ndarray, folder) -> np.ndarray:
    path = folder / "recurrent_net.py"
    write_atomic(export_files(net, path))
    with torch.no_grad():
        return load_module(path).load()(torch.from_numpy(x)).numpy()


def params_of(module) -> dict[str, np.ndarray]:
    return {k: v.detach().numpy().copy() for k, v in module.state_dict().items()}


def assert_close(got, want, label):
    assert got.shape == want.shape
    diff = float(np.abs(got - want).max())
    MAX_DIFF[label] = max(MAX_DIFF.get(label, 0.0), diff)
    assert diff < TOL, (label, diff)


@pytest.mark.parametrize("case", RECURRENT_CASES, ids=case_id)
def test_onnx_and_py_equal_torch(tmp_path, case):
    kind, bi, seq, nl = case
    rnn = torch_rnn(kind, 6, 5, bi, nl, seed=len(MAX_DIFF))
    x = random_inputs((6, 9), n=4)
    with torch.no_grad():
        want = visualnn_contract(rnn, torch.from_numpy(x), seq).numpy()
    net = ExportNet([(recurrent_layer(kind, 5, bi, seq, nl), params_of(rnn))], (6, 9))
    assert_close(run_onnx(net, x), want, f"onnx {case_id(case)}")
    assert_close(run_py(net, x, tmp_path), want, f"py {case_id(case)}")


def test_a_stack_of_conv_and_recurrent_layers(tmp_path):
    """conv1d -> rnn (relu, both ways, sequences) -> gru (sequences) -> lstm (both) -> dense."""
    torch.manual_seed(3)
    conv, dense = torch.nn.Conv1d(4, 6, 3), torch.nn.Linear(8, 3)
    rnn = torch_rnn("rnn", 6, 5, True, "relu", 4)
    gru = torch_rnn("gru", 10, 7, False, "tanh", 5)
    lstm = torch_rnn("lstm", 7, 4, True, "tanh", 6)
    x = random_inputs((4, 12), n=5)
    with torch.no_grad():
        h = torch.relu(conv(torch.from_numpy(x)))
        h = visualnn_contract(gru, visualnn_contract(rnn, h, True), True)
        want = dense(visualnn_contract(lstm, h, False)).numpy()
    layers = [
        ({"type": "conv1d", "out_channels": 6, "kernel_size": 3, "activation": "relu"},
         params_of(conv)),
        (recurrent_layer("rnn", 5, True, True, "relu"), params_of(rnn)),
        (recurrent_layer("gru", 7, False, True, "tanh"), params_of(gru)),
        (recurrent_layer("lstm", 4, True, False, "tanh"), params_of(lstm)),
        ({"type": "dense", "units": 3}, params_of(dense)),
    ]  # fmt: skip
    net = ExportNet(layers, (4, 12))
    assert_close(run_onnx(net, x), want, "onnx stack")
    assert_close(run_py(net, x, tmp_path), want, "py stack")


@pytest.mark.skipif("gru" not in LAYER_TYPES, reason=NEEDS_RECURRENT)
@pytest.mark.parametrize("case", RECURRENT_CASES, ids=case_id)
def test_visualnn_recurrent_model_equals_its_py_export(tmp_path, case):
    kind, bi, seq, nl = case
    spec = [recurrent_layer(kind, 5, bi, seq, nl)]
    spec += [{"type": "flatten"}] * seq + [{"type": "dense", "units": 3, "activation": "softmax"}]
    model = Sequential.from_spec(spec, (6, 9), seed=2)
    model.loss = "cross_entropy"
    x = random_inputs((6, 9), n=8)
    net = export_net(model)
    got = as_probabilities(run_py(net, x, tmp_path), net.output)
    assert_close(got, model.predict(x), f"visualnn py {case_id(case)}")


def test_report_max_differences():
    """Not a check: prints what the comparisons above measured (``pytest -s``)."""
    for name, diff in sorted(MAX_DIFF.items()):
        print(f"recurrent {name}: max |exported - torch| = {diff:.2e}")
