"""A small ONNX graph builder: named nodes, weights as initializers, fresh tensor names.

Kept apart from the layer converters so each converter reads like the layer's maths:
``y = g.op("Gemm", [x, w, b], transB=1)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from onnx import TensorProto, helper, numpy_helper

#: The lowest opset with everything used here (Softmax over one axis is opset >= 13; 17
#: matches the brief and every ONNX Runtime of the last years).
OPSET = 17
#: IR version 8 goes with opset 17: older runtimes refuse newer IR versions for no gain.
IR_VERSION = 8


class Graph:
    """Nodes and initializers of one ONNX graph under construction.

    Parameters
    ----------
    input_name : str
        The graph input, shape ``(batch, *input_shape)``.
    """

    def __init__(self, input_name: str) -> None:
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self.input_name = input_name
        self._count: dict[str, int] = {}
        self.prefix = "model"

    def fresh(self, stem: str) -> str:
        """A tensor or node name not used before, ``"<prefix>.<stem>"`` (numbered if needed)."""
        base = f"{self.prefix}.{stem}"
        n = self._count.get(base, 0)
        self._count[base] = n + 1
        return base if n == 0 else f"{base}_{n}"

    def weight(self, stem: str, array: np.ndarray, dtype: Any = np.float32) -> str:
        """Store ``array`` as an initializer (float32 unless ``dtype``) and return its name."""
        name = self.fresh(stem)
        self.initializers.append(numpy_helper.from_array(np.asarray(array, dtype), name))
        return name

    def op(self, op_type: str, inputs: list[str], outputs: int = 1, **attrs: Any):
        """Add a node; returns its output name (or a list of ``outputs`` names)."""
        names = [self.fresh(op_type.lower()) for _ in range(outputs)]
        node_name = self.fresh(op_type)  # tensors are lower case: no clash
        self.nodes.append(helper.make_node(op_type, inputs, names, name=node_name, **attrs))
        return names[0] if outputs == 1 else names

    def rename_output(self, tensor: str, name: str) -> None:
        """Call the network's final tensor ``name`` (an Identity when it is the input)."""
        for node in self.nodes:
            for i, out in enumerate(node.output):
                if out == tensor:
                    node.output[i] = name
                    return
        self.nodes.append(helper.make_node("Identity", [tensor], [name], name="output_identity"))

    def model(
        self,
        output_name: str,
        input_shape: tuple[int, ...],
        doc: str,
        metadata: dict[str, str],
        producer: tuple[str, str],
    ):
        """The finished ``ModelProto``; the output's shape is filled in by shape inference."""
        from onnx import shape_inference

        batch: list[Any] = ["batch"]
        x = helper.make_tensor_value_info(
            self.input_name, TensorProto.FLOAT, batch + list(input_shape)
        )
        y = helper.make_tensor_value_info(output_name, TensorProto.FLOAT, None)
        graph = helper.make_graph(
            self.nodes, "visualnn", [x], [y], initializer=self.initializers, doc_string=doc
        )
        model = helper.make_model(
            graph,
            opset_imports=[helper.make_opsetid("", OPSET)],
            producer_name=producer[0],
            producer_version=producer[1],
            ir_version=IR_VERSION,
            doc_string=doc,
        )
        helper.set_model_props(model, metadata)
        # Shapes on every edge (Netron shows them) and a concrete output shape.
        model = shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
        inferred = {v.name: v for v in model.graph.value_info}
        if output_name in inferred:
            model.graph.output[0].CopyFrom(inferred[output_name])
            model.graph.value_info.remove(inferred[output_name])
        return model
