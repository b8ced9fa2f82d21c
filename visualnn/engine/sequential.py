"""A stack of layers built from a spec, seeded, with a recording forward pass for the views."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import SpecError
from .geometry import shape_text
from .module import Module
from .optim import Param
from .spec import check_input_shape, layer_from_config, validate_spec


@dataclass
class LayerRecord:
    """One layer's arrays from a recording forward pass; copies, safe to hand to the GUI.

    Attributes
    ----------
    input : np.ndarray
        ``(N, *in_shape)``, what the layer received.
    pre : np.ndarray
        ``(N, *out_shape)``, before the ``activation=`` shorthand (= ``out`` without one).
    out : np.ndarray
        ``(N, *out_shape)``, what the layer passed on.
    """

    input: np.ndarray
    pre: np.ndarray
    out: np.ndarray


class Sequential:
    """Layers applied in order: the whole network of a visualnn project.

    Parameters
    ----------
    layers : list of Module
        Unbuilt layers; each is built for the shape the previous one gives.
    input_shape : tuple of int
        One sample, e.g. ``(2,)`` or ``(1, 8, 8)``.
    seed : int
        Every layer draws its initial weights (and Dropout its masks) from its own stream
        spawned from this seed: the same seed gives bit-identical weights and runs.
    input_grad : bool
        Whether ``backward`` computes the gradient with respect to the input (saliency views
        want it; training does not, and skipping it saves the first layer's biggest product).
    """

    def __init__(
        self, layers: list[Module], input_shape: Any, seed: int = 0, input_grad: bool = False
    ) -> None:
        if not layers:
            raise SpecError("the network has no layers; add at least one (for example Dense)")
        self.layers = list(layers)
        self.input_shape = check_input_shape(input_shape)
        self.seed = int(seed)
        # Set by the Trainer: with "cross_entropy" on logits, predict() applies a softmax.
        self.loss: str | None = None
        self.records: list[LayerRecord] = []
        self.output_grads: list[np.ndarray | None] = []
        streams = np.random.SeedSequence(self.seed).spawn(len(self.layers))
        shape = self.input_shape
        for layer, stream in zip(self.layers, streams, strict=True):
            layer.build(shape, np.random.default_rng(stream))
            shape = tuple(layer.output_shape(shape))
        self.output_shape = shape
        self.input_grad = input_grad
        # Conv+ReLU -> MaxPool pairs that pool before the ReLU when nothing is recorded
        # (the layers' ``can_defer_relu`` says why that is exact): index of each pool.
        self._relu_pools = [
            i
            for i in range(1, len(self.layers))
            if getattr(self.layers[i - 1], "can_defer_relu", False)
            and hasattr(self.layers[i], "relu_input")
        ]
        self._fused = False

    # --- construction -------------------------------------------------------------------
    @classmethod
    def from_spec(cls, spec: list[dict], input_shape: Any, seed: int = 0) -> Sequential:
        """Build from a list of layer dicts; raises ``SpecError`` naming the bad layer."""
        validate_spec(spec, input_shape)
        layers = [layer_from_config(d, i) for i, d in enumerate(spec)]
        return cls(layers, tuple(input_shape), seed=seed)

    def to_spec(self) -> list[dict[str, Any]]:
        """The JSON-able list of layer dicts this model was built from."""
        return [layer.config() for layer in self.layers]

    def copy(self) -> Sequential:
        """An independent model with the same spec, seed and weights (no shared arrays)."""
        twin = Sequential.from_spec(self.to_spec(), self.input_shape, self.seed)
        twin.set_weights(self.get_weights())
        twin.loss = self.loss
        twin.input_grad = self.input_grad
        return twin

    @property
    def input_grad(self) -> bool:
        return self._input_grad

    @input_grad.setter
    def input_grad(self, value: bool) -> None:
        # Without an input gradient, backward can stop at the first layer with parameters:
        # that layer skips its dX product, and parameter-free layers before it (a Flatten in
        # front of the first Dense) are not visited at all.
        self._input_grad = bool(value)
        first = self._first_trainable()
        for i, layer in enumerate(self.layers):
            layer.need_input_grad = self._input_grad or i != first

    def _first_trainable(self) -> int:
        """Index of the first layer with parameters (``len(layers)`` when there is none)."""
        return next((i for i, l in enumerate(self.layers) if l.params), len(self.layers))

    # --- running ------------------------------------------------------------------------
    def check_input(self, x: Any, what: str = "the input") -> np.ndarray:
        """``x`` as a float array of shape ``(N, *input_shape)``, or a ``SpecError``.

        Integers and booleans become float32; float32/float64 stay as they are; anything
        else (strings, objects) is refused, as are NaN and infinity.
        """
        try:
            x = np.asarray(x)
        except (ValueError, TypeError) as e:
            raise SpecError(f"{what} is not a regular array of numbers ({e})") from None
        if x.dtype.kind in "iub" or x.dtype == np.float16:
            x = x.astype(np.float32)
        elif x.dtype.kind != "f":
            raise SpecError(f"{what} must contain numbers, but its type is {x.dtype}")
        if x.shape[1:] != self.input_shape:
            if x.shape == self.input_shape:
                hint = " (one sample: add a batch axis, x[None])"
            else:
                hint = ""
            raise SpecError(
                f"{what} has shape {shape_text(x.shape)}, but the network takes samples of "
                f"{shape_text(self.input_shape)}, i.e. (N, {', '.join(map(str, self.input_shape))})"
                f"{hint}"
            )
        if len(x) == 0:
            raise SpecError(f"{what} is empty (0 samples)")
        if not np.isfinite(x).all():
            bad = int(np.count_nonzero(~np.isfinite(x)))
            raise SpecError(f"{what} contains {bad} NaN or infinite value(s); fix the data")
        return x

    def forward(
        self, x: np.ndarray, training: bool = False, record: bool = False, check: bool = True
    ) -> np.ndarray:
        """Run all layers: ``(N, *input_shape) -> (N, *output_shape)``.

        Parameters
        ----------
        training : bool
            Dropout active; layers may reuse scratch buffers (copy the result to keep it).
        record : bool
            Keep a ``LayerRecord`` per layer in ``self.records`` (copies).
        check : bool
            Validate shape, dtype and finiteness (the Trainer checks its data once and
            passes False).
        """
        if check:
            x = self.check_input(x)
        records = []
        self._fused = not record
        for i in self._relu_pools:
            self.layers[i - 1].defer_relu = self.layers[i].relu_input = self._fused
        for layer in self.layers:
            layer.record = record
            y = layer.forward(x, training)
            if record:
                pre = layer.last_pre if layer.last_pre is not None else y
                records.append(LayerRecord(np.array(x), np.array(pre), np.array(y)))
            x = y
        if record:
            self.records = records
        return x

    def backward(self, grad: np.ndarray, record: bool = False, start: int | None = None):
        """Back-propagate ``grad`` (``(N, *output_shape)``), accumulating into every ``grads``.

        Parameters
        ----------
        record : bool
            Keep a copy of the gradient with respect to each layer's output in
            ``self.output_grads`` (None where it was not computed). After a forward without
            ``record``, a Conv+ReLU followed by a MaxPool gets the gradient with respect to
            its pre-activation (the pool applied the ReLU).
        start : int, optional
            Index of the layer whose *output* gradient ``grad`` is; default the last. The
            Trainer uses it to skip a final softmax with the fused cross-entropy gradient.

        Returns
        -------
        np.ndarray or None
            Gradient with respect to the input, when ``input_grad`` is True.
        """
        last = len(self.layers) - 1 if start is None else start
        stop = 0 if self._input_grad else self._first_trainable()
        grads: list[np.ndarray | None] = [None] * len(self.layers)
        for i in range(last, stop - 1, -1):
            if record:
                grads[i] = np.array(grad)
            if self._fused and i in self._relu_pools and i - 1 >= stop:
                # the pool writes dL/dz straight into the conv's gradient buffer
                into = self.layers[i - 1].output_grad_buffer()
                grad = self.layers[i].backward(grad, into=into)
            else:
                grad = self.layers[i].backward(grad)
            if grad is None:
                break
        if record:
            self.output_grads = grads
        return grad if self._input_grad else None

    def predict(self, x: np.ndarray, batch_size: int = 4096) -> np.ndarray:
        """Evaluation-mode output for ``(N, *input_shape)``, in chunks to bound memory.

        Probabilities when the network ends in a softmax or was trained with cross-entropy
        on logits; the raw output otherwise.
        """
        x = self.check_input(x)
        parts = [
            np.array(self.forward(x[i : i + batch_size], check=False))
            for i in range(0, len(x), batch_size)
        ]
        out = np.concatenate(parts)
        if self.loss == "cross_entropy" and not self.ends_in_softmax():
            out = np.exp(out - out.max(axis=1, keepdims=True))
            out /= out.sum(axis=1, keepdims=True)
        return out

    def ends_in_softmax(self) -> bool:
        """Whether the last layer is a Softmax or has ``activation="softmax"``."""
        cfg = self.layers[-1].config()
        return cfg.get("type") == "softmax" or cfg.get("activation") == "softmax"

    # --- parameters ---------------------------------------------------------------------
    def parameters(self) -> list[Param]:
        """Every trainable array with its gradient, named ``"L{i}.weight"``/``"L{i}.bias"``."""
        return [
            Param(layer.params[k], layer.grads[k], f"L{i}.{k}")
            for i, layer in enumerate(self.layers)
            for k in layer.params
        ]

    def zero_grad(self, fill: bool = True) -> None:
        """Start a new gradient in every layer (``fill`` as in ``Module.zero_grad``)."""
        for layer in self.layers:
            layer.zero_grad(fill)

    def num_params(self) -> int:
        return sum(layer.num_params() for layer in self.layers)

    def get_weights(self) -> list[dict[str, np.ndarray]]:
        """Copies of all parameters, one dict per layer (empty for parameter-free layers)."""
        return [{k: v.copy() for k, v in layer.params.items()} for layer in self.layers]

    def set_weights(self, weights: list[dict[str, np.ndarray]]) -> None:
        """Copy ``weights`` (as from ``get_weights``) into the model, in place.

        Everything is checked before anything is written, so a mismatch leaves the model as
        it was. Arrays are written in place: optimizers holding ``parameters()`` stay valid.
        """
        if len(weights) != len(self.layers):
            raise SpecError(
                f"the weights are for {len(weights)} layers, but the network has {len(self.layers)}"
            )
        for i, (layer, w) in enumerate(zip(self.layers, weights, strict=True)):
            if set(w) != set(layer.params):
                raise SpecError(
                    f"layer {i + 1}, {layer.describe()}: the weights hold {sorted(w) or 'nothing'}"
                    f", the layer needs {sorted(layer.params) or 'nothing'}",
                    layer=i,
                )
            for k, v in w.items():
                v = np.asarray(v)
                if v.shape != layer.params[k].shape or v.dtype.kind not in "fiu":
                    raise SpecError(
                        f"layer {i + 1}, {layer.describe()}: {k} has shape {shape_text(v.shape)} "
                        f"({v.dtype}), the layer needs {shape_text(layer.params[k].shape)}",
                        layer=i,
                        key=k,
                    )
        for layer, w in zip(self.layers, weights, strict=True):
            for k, v in w.items():
                np.copyto(layer.params[k], v, casting="unsafe")

    # --- text ---------------------------------------------------------------------------
    def summary(self) -> str:
        """A table of layers, output shapes and parameter counts, with the total."""
        rows = [("#", "layer", "output shape", "params")]
        rows.append(("", "Input", shape_text(self.input_shape), ""))
        shape = self.input_shape
        for i, layer in enumerate(self.layers):
            shape = layer.output_shape(shape)
            n = f"{layer.num_params():,}"
            rows.append((str(i + 1), layer.describe(), shape_text(shape), n))
        widths = [max(len(r[c]) for r in rows) for c in range(4)]
        rule = "-" * (sum(widths) + 6)

        def fmt(r):
            return f"{r[0]:>{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  " + (
                f"{r[3]:>{widths[3]}}"
            )

        lines = [fmt(rows[0]).rstrip(), rule, *(fmt(r).rstrip() for r in rows[1:]), rule]
        lines.append(f"total parameters: {self.num_params():,}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        inner = ", ".join(layer.describe() for layer in self.layers)
        return f"Sequential({shape_text(self.input_shape)} -> {inner})"
