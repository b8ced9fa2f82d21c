"""ONNX export: ONNX Runtime's output, softmaxed where it is logits, equals visualnn's."""

from __future__ import annotations

import json

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="onnx is not installed (pip install visualnn[test])")
ort = pytest.importorskip(
    "onnxruntime", reason="onnxruntime is not installed (pip install visualnn[test])"
)

from export_helpers import (  # noqa: E402
    MODELS,
    as_probabilities,
    build,
    compare,
    export_net,
    random_inputs,
)

from visualnn.export.onnx_export import METADATA_KEYS, OPSET, onnx_bytes, to_onnx  # noqa: E402

MAX_DIFF: dict[str, float] = {}


def run_onnx(data: bytes, x: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    (out,) = session.run(None, {"input": x})
    return out


def check(model, x: np.ndarray, name: str) -> None:
    net = export_net(model)
    data = onnx_bytes(net)
    onnx.checker.check_model(onnx.load_from_string(data), full_check=True)
    got = as_probabilities(run_onnx(data, x), net.output)
    MAX_DIFF[name] = max(MAX_DIFF.get(name, 0.0), compare(got, model, x))


@pytest.mark.parametrize("name", ["xor", "digits-cnn"])
def test_presets_on_real_and_random_inputs(trained, name):
    model, x_real = trained[name]
    check(model, x_real, f"{name} real")
    check(model, random_inputs(model.input_shape), f"{name} random")
    # The brief trained models are right most of the time: the comparison is not trivial.
    assert len(np.unique(model.predict(x_real).argmax(axis=1))) > 1


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("seed", [0, 1])
def test_every_layer_setting_matches(name, seed):
    model = build(name, seed)
    check(model, random_inputs(model.input_shape, seed=seed + 5), f"{name} seed {seed}")


def test_softmax_left_out_only_with_cross_entropy():
    ce = to_onnx(export_net(build("conv2d-zoo")))
    assert ce.graph.output[0].name == "logits"
    assert ce.graph.node[-1].op_type == "Gemm"  # the softmax layer after it is gone
    shorthand = to_onnx(export_net(build("sound-conv1d")))
    assert [n.op_type for n in shorthand.graph.node][-2:] == ["Flatten", "Gemm"]
    mse = to_onnx(export_net(build("activations-mse")))
    assert mse.graph.output[0].name == "output"
    assert mse.graph.node[-1].op_type == "Softmax"


def test_input_output_shapes_and_dynamic_batch():
    model = build("sound-conv1d")
    model_proto = to_onnx(export_net(model))
    assert model_proto.opset_import[0].version == OPSET >= 17
    dims = [
        d.dim_param or d.dim_value for d in model_proto.graph.input[0].type.tensor_type.shape.dim
    ]
    assert dims == ["batch", 40, 101]
    out_dims = model_proto.graph.output[0].type.tensor_type.shape.dim
    assert [d.dim_param or d.dim_value for d in out_dims] == ["batch", 5]
    data = model_proto.SerializeToString()
    for n in (1, 7):
        assert run_onnx(data, random_inputs((40, 101), n=n)).shape == (n, 5)


def test_metadata_props_hold_class_names_and_sound_settings():
    transform = {
        "representation": "log_mel",
        "samplerate": 16000,
        "n_fft": 512,
        "hop": 160,
        "n_mels": 40,
        "norm": {"mean": [0.5] * 40, "std": [2.0] * 40},
    }
    names = ["yes", "no", "up", "down", "silence"]
    model = build("sound-conv1d")
    proto = to_onnx(export_net(model, class_names=names, input_transform=transform))
    props = {p.key: json.loads(p.value) for p in proto.metadata_props}
    assert set(props) == set(METADATA_KEYS)
    assert props["visualnn.class_names"] == names
    assert props["visualnn.input_transform"] == transform
    assert props["visualnn.input_shape"] == [40, 101]
    assert props["visualnn.output"] == "logits" and props["visualnn.softmax_removed"] is True
    assert props["visualnn.spec"] == model.to_spec()


def test_a_network_that_is_only_a_softmax_still_has_an_output():
    from visualnn.engine import Sequential

    model = Sequential.from_spec([{"type": "softmax"}], (3,))
    model.loss = "cross_entropy"
    x = random_inputs((3,))
    data = onnx_bytes(export_net(model))
    np.testing.assert_array_equal(run_onnx(data, x), x)  # logits are the input itself


def test_report_max_differences():
    """Not a check: prints what the comparisons above measured (``pytest -s``)."""
    for name, diff in sorted(MAX_DIFF.items()):
        print(f"onnx {name}: max |p_onnx - p_visualnn| = {diff:.2e}")


def test_an_invalid_graph_is_an_export_error_not_a_traceback(monkeypatch):
    """Should a converter ever emit a bad node, the checker's complaint becomes one sentence."""
    from visualnn.export import ExportError, onnx_export

    bad = dict(onnx_export.CONVERTERS, flatten=lambda g, x, layer, params: g.op("NoSuchOp", [x]))
    monkeypatch.setattr(onnx_export, "CONVERTERS", bad)
    with pytest.raises(ExportError, match="failed its own check .*please report it"):
        onnx_bytes(export_net(build("sound-conv1d")))
