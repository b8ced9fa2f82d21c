"""One recording forward pass of the input shown, shared by every view that needs one.

The graph's feature maps, the activations, the neuron maths and the predictions all show
the same pass; it runs once per change of weights, input, network or data set, and never
for a view that is not drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6 import QtCore


@dataclass
class Recorded:
    """One recording forward pass of the input shown.

    ``records[i]`` has ``input``, ``pre`` and ``out`` of layer ``i``, each ``(1, *shape)``;
    ``output`` is the network's output ``(1, *output_shape)``. ``states[i]`` is a recurrent
    layer's per-step arrays (``"h"``, gates...), each ``(1, H*dirs, T)``, else None.
    """

    x: np.ndarray
    y: object
    records: list
    output: np.ndarray
    states: list = field(default_factory=list)


class ForwardCache(QtCore.QObject):
    """The latest :class:`Recorded` of a session, dropped whenever its inputs change."""

    def __init__(self, session) -> None:
        super().__init__(session)
        self.session = session
        self.value: Recorded | None = None
        for signal in (
            session.inspect.weights_updated,
            session.inspect.sample_changed,
            session.inspect.spec_changed,
            session.project.dataset_changed,
        ):
            signal.connect(self._on_session_changed)

    def _on_session_changed(self, *_args) -> None:
        self.value = None

    def get(self) -> Recorded:
        """The pass for the current model and input (computed now if needed).

        Raises ``ValueError`` (``SpecError`` included) with a plain message when there is
        nothing to show or the input does not fit the model.
        """
        if self.value is not None:
            return self.value
        inspect = self.session.inspect
        model = inspect.model
        if model is None:
            err = inspect.spec_error
            raise ValueError(f"No model to run: {err}" if err else "No model to run yet.")
        x, y = inspect.sample()
        if tuple(x.shape[1:]) != tuple(model.input_shape):
            raise ValueError(
                f"The input has shape {tuple(x.shape[1:])} but the network expects "
                f"{tuple(model.input_shape)}."
            )
        out = model.forward(np.asarray(x, dtype=np.float32), record=True)
        # a layer keeps only its latest pass's states: take them now, with this pass
        states = [getattr(layer, "last_states", None) for layer in model.layers]
        self.value = Recorded(x, y, list(model.records), np.asarray(out), states)
        return self.value


def class_indices(y: np.ndarray) -> np.ndarray:
    """Class index per sample of labels ``y`` (integers, or one-hot / probability rows)."""
    y = np.asarray(y)
    y = y.reshape(len(y), -1)
    if y.shape[1] > 1:
        return y.argmax(axis=1)
    return np.rint(y[:, 0]).astype(int)


def are_probabilities(out: np.ndarray) -> bool:
    """Whether ``(..., k)`` outputs are already probabilities (a softmax's): none below 0,
    each row summing to 1. Logits and other outputs are not. Rows holding a value that is
    not a number are left out of the judgement (a diverged grid point says nothing)."""
    out = np.asarray(out)
    rows = out[np.isfinite(out).all(axis=-1)]
    if not rows.size or rows.min() < 0:
        return False
    return bool(np.abs(rows.sum(axis=-1) - 1).max() <= 1e-3)  # (np.allclose: 5x slower)


def output_classes(values: np.ndarray, ds, last: bool) -> tuple | None:
    """The class names when ``values`` ``(..., k)`` are the network's class probabilities
    (the last layer, a softmax over one unit per class of data set ``ds``), else None."""
    k = np.shape(values)[-1]
    if not last or ds is None or ds.task != "classification" or k != (ds.num_classes or 2):
        return None
    if not are_probabilities(values):
        return None
    return tuple(ds.class_names or (str(j) for j in range(k)))


def to_probabilities(out: np.ndarray) -> np.ndarray:
    """``(N, k)`` network output -> class probabilities ``(N, max(k, 2))``."""
    out = np.asarray(out, dtype=np.float64)
    if out.shape[1] == 1:
        p1 = out[:, 0]
        if p1.min() < 0 or p1.max() > 1:  # a linear or tanh output: squash for display
            p1 = 1 / (1 + np.exp(-p1))
        return np.stack([1 - p1, p1], axis=1)
    if not are_probabilities(out):
        out = np.exp(out - out.max(axis=1, keepdims=True))
        out /= out.sum(axis=1, keepdims=True)
    return out


def recorded_forward(session) -> Recorded:
    """``session``'s shared recording pass (see :class:`ForwardCache`)."""
    return session.forward.get()
