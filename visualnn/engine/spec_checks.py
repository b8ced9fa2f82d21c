"""Size limits of a spec: the input and each layer must fit in memory, checked on integers.

Every size has an upper bound (``settings`` holds those of single settings), and
``check_layer_size`` bounds what a layer would hold per sample, so a typo such as dilation
10^9 is explained on the layer instead of surfacing as an exabyte-sized ``MemoryError`` in
the first forward pass.
"""

from __future__ import annotations

from typing import Any

from .errors import SpecError
from .geometry import as_pair, padding_amounts, shape_text

#: Most values one sample may occupy at any point of a layer (its padded input, its output,
#: or a convolution's unfolded patches): 64 MB of float32 per sample.
MAX_VALUES = 2**24


def _product(values) -> int:
    out = 1
    for v in values:
        out *= int(v)
    return out


def check_input_size(shape: tuple) -> None:
    """Refuse an input sample of more than ``MAX_VALUES`` values."""
    size = _product(shape)
    if size > MAX_VALUES:
        raise SpecError(
            f"the input shape {shape_text(shape)} holds {size:,} values per sample, more than "
            f"visualnn handles (up to {MAX_VALUES:,})",
            key="input_shape",
        )


def check_layer_size(
    i: int, label: str, t: str, d: dict[str, Any], in_shape: tuple, out_shape: tuple
) -> None:
    """Refuse a layer whose padded input, output or unfolded patches exceed ``MAX_VALUES``.

    Pure integer arithmetic on the shapes: nothing is allocated, however large the numbers.
    """
    sizes = [("output", _product(out_shape))]
    if t in ("conv1d", "conv2d", "maxpool2d", "avgpool2d"):
        n = len(in_shape) - 1  # spatial axes: the last n of every pair
        k = as_pair(d.get("kernel_size", 1))
        dil = as_pair(d.get("dilation", 1))
        pads = padding_amounts(d.get("padding", 0), k, dil)[-n:]
        grow = [before + after for before, after in pads]
        padded = in_shape[0] * _product(s + g for s, g in zip(in_shape[1:], grow, strict=True))
        sizes.append(("padded input", padded))
        sizes.append(("unfolded patches", in_shape[0] * _product(k[-n:]) * _product(out_shape[1:])))
    for what, size in sizes:
        if size > MAX_VALUES:
            raise SpecError(
                f"layer {i + 1}, {label}: its {what} would hold {size:,} values per sample, "
                f"more than visualnn handles (up to {MAX_VALUES:,}); use smaller sizes",
                layer=i,
            )
