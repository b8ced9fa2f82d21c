"""Weight initialisers, with PyTorch's default as the default.

torch initialises ``nn.Linear`` and ``nn.Conv*d`` weights with
``kaiming_uniform_(a=sqrt(5))``, whose bound works out to ``1/sqrt(fan_in)``, and biases with
``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``; ``"default"`` reproduces that distribution.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .errors import SpecError

Shape = tuple[int, ...]


def fans(weight_shape: Shape) -> tuple[int, int]:
    """Fan-in and fan-out of a weight, as ``torch.nn.init._calculate_fan_in_and_fan_out``.

    Parameters
    ----------
    weight_shape : tuple of int
        ``(out, in)`` for Dense, ``(out_ch, in_ch, *kernel)`` for convolutions.

    Returns
    -------
    fan_in, fan_out : int
        ``in * prod(kernel)`` and ``out * prod(kernel)``.
    """
    if len(weight_shape) < 2:
        size = int(weight_shape[0]) if weight_shape else 1
        return size, size
    receptive = int(np.prod(weight_shape[2:], dtype=np.int64)) if len(weight_shape) > 2 else 1
    return int(weight_shape[1]) * receptive, int(weight_shape[0]) * receptive


def _uniform(rng: np.random.Generator, shape: Shape, bound: float) -> np.ndarray:
    return rng.uniform(-bound, bound, size=shape)


def _default(shape, fan_in, fan_out, rng):
    return _uniform(rng, shape, 1.0 / math.sqrt(max(fan_in, 1)))


def _uniform01(shape, fan_in, fan_out, rng):
    return rng.random(size=shape)


def _xavier_uniform(shape, fan_in, fan_out, rng):
    return _uniform(rng, shape, math.sqrt(6.0 / max(fan_in + fan_out, 1)))


def _xavier_normal(shape, fan_in, fan_out, rng):
    return rng.normal(0.0, math.sqrt(2.0 / max(fan_in + fan_out, 1)), size=shape)


def _kaiming_uniform(shape, fan_in, fan_out, rng):
    # torch's kaiming_uniform_ defaults: a=0, mode="fan_in", gain sqrt(2) (relu).
    return _uniform(rng, shape, math.sqrt(6.0 / max(fan_in, 1)))


def _kaiming_normal(shape, fan_in, fan_out, rng):
    return rng.normal(0.0, math.sqrt(2.0 / max(fan_in, 1)), size=shape)


def _zeros(shape, fan_in, fan_out, rng):
    return np.zeros(shape)


InitFn = Callable[[Shape, int, int, np.random.Generator], np.ndarray]

INITIALIZERS: dict[str, InitFn] = {
    "default": _default,
    "uniform01": _uniform01,
    "xavier_uniform": _xavier_uniform,
    "xavier_normal": _xavier_normal,
    "kaiming_uniform": _kaiming_uniform,
    "kaiming_normal": _kaiming_normal,
    "zeros": _zeros,
}

# How each initialiser fills the bias: torch's default bound, the tutorials' U[0, 1), or zeros.
_BIAS_INIT: dict[str, str] = {
    "default": "default",
    "uniform01": "uniform01",
    "xavier_uniform": "zeros",
    "xavier_normal": "zeros",
    "kaiming_uniform": "zeros",
    "kaiming_normal": "zeros",
    "zeros": "zeros",
}


def bias_init_name(name: str) -> str:
    """The initialiser a layer initialised with ``name`` uses for its biases."""
    return _BIAS_INIT[check_init_name(name)]


def check_init_name(name: str) -> str:
    """Return ``name`` if it is a known initialiser, else raise ``SpecError`` listing them."""
    if not isinstance(name, str) or name not in INITIALIZERS:
        valid = ", ".join(INITIALIZERS)
        raise SpecError(f"unknown initialiser {name!r}; choose one of: {valid}", key="init")
    return name


def initialize(
    name: str,
    shape: Shape,
    fan_in: int,
    fan_out: int,
    rng: np.random.Generator,
    dtype: np.dtype | type = np.float32,
) -> np.ndarray:
    """Draw an array of ``shape`` from the initialiser ``name``.

    Parameters
    ----------
    name : str
        A key of ``INITIALIZERS``.
    shape : tuple of int
        Shape of the array to create.
    fan_in, fan_out : int
        Inputs feeding one output unit and outputs fed by one input unit (see ``fans``).
    rng : numpy.random.Generator
        Source of randomness; the same seed gives the same array.
    dtype : numpy dtype
        Result dtype (values are drawn in float64, then cast).

    Returns
    -------
    numpy.ndarray
        Array of ``shape`` and ``dtype``.
    """
    fn = INITIALIZERS[check_init_name(name)]
    return np.asarray(fn(tuple(shape), int(fan_in), int(fan_out), rng), dtype=dtype)


def init_weight_and_bias(
    name: str,
    weight_shape: Shape,
    fan_in: int | None,
    fan_out: int | None,
    rng: np.random.Generator,
    dtype: np.dtype | type = np.float32,
) -> tuple[np.ndarray, np.ndarray]:
    """Create a weight and its bias the way a torch layer would, for Dense and Conv layers.

    Parameters
    ----------
    name : str
        Initialiser name; the bias follows the rule of ``_BIAS_INIT`` (torch's bound for
        ``"default"``, U[0, 1) for ``"uniform01"``, zeros otherwise).
    weight_shape : tuple of int
        ``(out, in)`` or ``(out_ch, in_ch, *kernel)``; the bias has shape ``(out,)``.
    fan_in, fan_out : int or None
        None computes them from ``weight_shape`` with ``fans``.
    rng : numpy.random.Generator
        Weight drawn first, then bias, so one seed fixes both.
    dtype : numpy dtype
        Dtype of both arrays.

    Returns
    -------
    weight : numpy.ndarray, shape ``weight_shape``
    bias : numpy.ndarray, shape ``(weight_shape[0],)``
    """
    check_init_name(name)
    auto_in, auto_out = fans(tuple(weight_shape))
    fan_in = auto_in if fan_in is None else fan_in
    fan_out = auto_out if fan_out is None else fan_out
    weight = initialize(name, weight_shape, fan_in, fan_out, rng, dtype)
    bias = initialize(_BIAS_INIT[name], (int(weight_shape[0]),), fan_in, fan_out, rng, dtype)
    return weight, bias
