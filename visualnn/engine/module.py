"""Base class of every layer: the engine contract of DESIGN.md in code."""

from __future__ import annotations

from typing import Any

import numpy as np


class Module:
    """A layer with optional parameters.

    Shapes exclude the batch dimension everywhere except in ``forward``/``backward`` arrays:
    ``output_shape((1, 28, 28))`` describes one sample, ``forward`` gets ``(N, 1, 28, 28)``.

    Attributes
    ----------
    params : dict[str, np.ndarray]
        ``"weight"`` and ``"bias"`` where the layer has them, torch's shapes.
    grads : dict[str, np.ndarray]
        Same keys and shapes as ``params``; ``backward`` *accumulates* into them.
    need_input_grad : bool
        When False (the first layer of a model), ``backward`` may skip computing the
        gradient with respect to its input and return ``None``.
    record : bool
        When True, ``forward`` keeps ``last_pre`` (pre-activation, for layers with an
        ``activation=`` shorthand; otherwise the same array as the output) and ``last_out``.
    """

    type_name: str = "module"

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.need_input_grad = True
        self.record = False
        self.last_pre: np.ndarray | None = None
        self.last_out: np.ndarray | None = None
        self.input_shape: tuple[int, ...] | None = None

    # --- building -----------------------------------------------------------------------
    def build(self, input_shape: tuple[int, ...], rng: np.random.Generator) -> None:
        """Create parameters for one sample of ``input_shape``; layers without any skip this."""
        self.input_shape = tuple(input_shape)

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        """Shape of one output sample, computed without data; raises ``SpecError``."""
        return tuple(input_shape)

    def config(self) -> dict[str, Any]:
        """JSON-able spec dict of this layer (``{"type": ..., **settings}``)."""
        return {"type": self.type_name}

    # --- running ------------------------------------------------------------------------
    #: Whether the first ``backward`` after ``zero_grad`` writes ``grads`` rather than adds.
    overwrites_grads = False

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad_out: np.ndarray) -> np.ndarray | None:
        raise NotImplementedError

    def zero_grad(self, fill: bool = True) -> None:
        """Start a new gradient: zeros, which ``backward`` then accumulates into.

        Parameters
        ----------
        fill : bool
            False skips writing the zeros in layers whose next ``backward`` overwrites the
            gradients instead (``overwrites_grads``), saving a pass over every weight, as
            torch's ``zero_grad(set_to_none=True)`` does. Their ``grads`` then keep the old
            values until that ``backward``.
        """
        if fill or not self.overwrites_grads:
            for g in self.grads.values():
                g.fill(0)

    def num_params(self) -> int:
        return int(sum(p.size for p in self.params.values()))

    def describe(self) -> str:
        """Short human label for graph nodes and summaries, e.g. ``"Conv2D 8@3x3"``."""
        return type(self).__name__

    def __repr__(self) -> str:
        return self.describe()
