"""``ExportNet`` -> ONNX model (opset 17) built with ``onnx.helper``; no torch involved.

The graph input is ``"input"``, float32 ``(batch, *input_shape)`` with a dynamic batch
axis; the output is ``"logits"`` (cross-entropy projects: apply a softmax over axis 1) or
``"output"``. Project facts travel in ``metadata_props`` as JSON strings (``METADATA_KEYS``).
Each layer type has a converter ``(graph, x, layer, params) -> y`` in ``CONVERTERS``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np

from visualnn import __version__

from .common import ExportError, ExportNet, setting
from .onnx_graph import OPSET, Graph
from .onnx_recurrent import convert_recurrent

INPUT_NAME = "input"

#: metadata_props keys; every value is a JSON document (``json.loads`` it).
METADATA_KEYS = {
    "visualnn.class_names": "list of str, one per output unit ([] if unnamed)",
    "visualnn.input_transform": "object or null: sound feature settings and norm statistics",
    "visualnn.input_shape": "list of int, one sample without the batch axis",
    "visualnn.output": '"logits" (apply softmax over axis 1) or "output" (use as it is)',
    "visualnn.softmax_removed": "bool, whether a final softmax was left out of the graph",
    "visualnn.task": '"classification" or "regression"',
    "visualnn.loss": "str or null, the training loss",
    "visualnn.spec": "list of layer dicts, the network as visualnn describes it",
}

Converter = Callable[[Graph, str, dict[str, Any], dict[str, np.ndarray]], str]


def _ints(value: Any, n: int) -> list[int]:
    """An int or a list of ``n`` ints as a list of ``n`` ints."""
    items = list(value) if isinstance(value, list | tuple) else [value] * n
    if len(items) != n:
        raise ExportError(f"expected {n} numbers, got {value!r}")
    return [int(v) for v in items]


def conv_pads(layer: dict[str, Any], n: int) -> list[int]:
    """ONNX ``pads`` (all begins, then all ends) of a conv layer with ``n`` spatial axes.

    ``"same"`` pads ``total // 2`` before and the rest after, as torch does: with an even
    kernel the extra row/column goes to the bottom/right.
    """
    padding = setting(layer, "padding", 0)
    if padding == "valid":
        return [0] * (2 * n)
    if padding == "same":
        k = _ints(setting(layer, "kernel_size"), n)
        d = _ints(setting(layer, "dilation", 1), n)
        totals = [di * (ki - 1) for ki, di in zip(k, d, strict=True)]
        return [t // 2 for t in totals] + [t - t // 2 for t in totals]
    p = _ints(padding, n)
    return p + p


def _dense(g: Graph, x: str, layer: dict, params: dict) -> str:
    # y = x @ W.T + b  (W is (out, in), as in torch)
    w, b = g.weight("weight", params["weight"]), g.weight("bias", params["bias"])
    return g.op("Gemm", [x, w, b], transB=1)


def _conv(g: Graph, x: str, layer: dict, params: dict) -> str:
    n = 1 if layer["type"] == "conv1d" else 2
    w, b = g.weight("weight", params["weight"]), g.weight("bias", params["bias"])
    return g.op(
        "Conv",
        [x, w, b],
        kernel_shape=list(params["weight"].shape[2:]),
        strides=_ints(setting(layer, "stride", 1), n),
        dilations=_ints(setting(layer, "dilation", 1), n),
        pads=conv_pads(layer, n),
    )


def _pool(g: Graph, x: str, layer: dict, params: dict) -> str:
    k = _ints(setting(layer, "kernel_size"), 2)
    stride = setting(layer, "stride")
    p = _ints(setting(layer, "padding", 0), 2)
    attrs: dict[str, Any] = {
        "kernel_shape": k,
        "strides": k if stride is None else _ints(stride, 2),
        "pads": p + p,
    }
    if layer["type"] == "avgpool2d":
        # torch's default: padded zeros count in the mean
        return g.op("AveragePool", [x], count_include_pad=1, **attrs)
    return g.op("MaxPool", [x], **attrs)


def activation(g: Graph, x: str, name: str | None, slope: float = 0.01) -> str:
    """Apply a visualnn activation by name (None, "linear" and "identity" do nothing)."""
    if name in (None, "linear", "identity"):
        return x
    if name == "leaky_relu":
        return g.op("LeakyRelu", [x], alpha=float(slope))
    if name == "softmax":
        return g.op("Softmax", [x], axis=1)  # over features/channels, as torch's dim=1
    ops = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh"}
    if name not in ops:
        raise ExportError(f"unknown activation {name!r}")
    return g.op(ops[name], [x])


def _flatten(g: Graph, x: str, layer: dict, params: dict) -> str:
    """torch's ``Flatten(start_dim, end_dim)``: ONNX's Flatten when everything after the
    batch is merged, else a Reshape to the input's own dimensions with the merged ones
    multiplied (read from the input at run time, so the batch stays free)."""
    start, end = int(setting(layer, "start_dim", 1)), int(setting(layer, "end_dim", -1))
    if end == -1:
        return g.op("Flatten", [x], axis=start)
    last = np.iinfo(np.int64).max
    dims = g.op("Shape", [x])

    def part(lo: int, hi: int) -> str:
        ends = g.weight("ends", [hi], np.int64)
        return g.op("Slice", [dims, g.weight("starts", [lo], np.int64), ends])

    merged = g.op("ReduceProd", [part(start, end + 1)], keepdims=1)
    shape = g.op("Concat", [part(0, start), merged, part(end + 1, last)], axis=0)
    return g.op("Reshape", [x, shape])


def _activation_layer(g: Graph, x: str, layer: dict, params: dict) -> str:
    slope = setting(layer, "negative_slope", 0.01)
    return activation(g, x, layer["type"], slope)


CONVERTERS: dict[str, Converter] = {
    "dense": _dense,
    **dict.fromkeys(("conv1d", "conv2d"), _conv),
    **dict.fromkeys(("maxpool2d", "avgpool2d"), _pool),
    "flatten": _flatten,
    "dropout": lambda g, x, layer, params: x,  # identity at inference time
    "rnn": convert_recurrent,
    "gru": convert_recurrent,
    "lstm": convert_recurrent,
    **{
        name: _activation_layer
        for name in ("relu", "leaky_relu", "sigmoid", "tanh", "softmax", "identity")
    },
}


def metadata(net: ExportNet) -> dict[str, str]:
    """The ``metadata_props`` of ``net``: every key of ``METADATA_KEYS``, JSON-encoded."""
    values = {
        "visualnn.class_names": list(net.class_names),
        "visualnn.input_transform": net.input_transform,
        "visualnn.input_shape": list(net.input_shape),
        "visualnn.output": net.output,
        "visualnn.softmax_removed": net.dropped_softmax,
        "visualnn.task": net.task,
        "visualnn.loss": net.loss,
        "visualnn.spec": net.spec,
    }
    return {k: json.dumps(v) for k, v in values.items()}


def to_onnx(net: ExportNet):
    """Build the ONNX ``ModelProto`` of ``net``.

    Returns
    -------
    onnx.ModelProto
        Input ``"input"`` float32 ``(batch, *net.input_shape)``, output ``net.output``
        float32 ``(batch, ...)``; the batch axis is the symbolic dimension ``"batch"``.

    Raises
    ------
    ExportError
        For a layer type or setting with no ONNX counterpart here, naming the layer.
    """
    g = Graph(INPUT_NAME)
    x = INPUT_NAME
    for i, (layer, params) in enumerate(net.layers):
        kind = layer.get("type")
        convert = CONVERTERS.get(kind)
        if convert is None:
            raise ExportError(f"layer {i + 1} ({kind}): this layer type cannot be exported yet")
        g.prefix = f"layer{i + 1}_{kind}"
        try:
            x = convert(g, x, layer, params)
            x = activation(g, x, layer.get("activation"))
        except (KeyError, ValueError, TypeError, ExportError) as e:
            raise ExportError(f"layer {i + 1} ({kind}): cannot export it ({e})") from None
    g.rename_output(x, net.output)
    doc = f"{net.title}, exported from visualnn {__version__}. " + (
        "Output: logits; softmax over axis 1 gives the class probabilities."
        if net.output == "logits"
        else "Output: what the network computes."
    )
    return g.model(net.output, net.input_shape, doc, metadata(net), ("visualnn", __version__))


def onnx_bytes(net: ExportNet) -> bytes:
    """The serialised, checked model (``onnx.checker.check_model(full_check=True)``)."""
    import onnx

    try:
        model = to_onnx(net)
        onnx.checker.check_model(model, full_check=True)
    except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError) as e:
        # A bug of this exporter, not of the user's network: say so instead of a traceback.
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ExportError(f"the ONNX model failed its own check ({first}); please report it") from e
    return model.SerializeToString()


__all__ = [
    "CONVERTERS",
    "INPUT_NAME",
    "METADATA_KEYS",
    "OPSET",
    "metadata",
    "onnx_bytes",
    "to_onnx",
]
