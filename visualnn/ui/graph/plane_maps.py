"""Neuron maps: what each unit computes everywhere on the input plane (2-D point data).

As in TensorFlow Playground, every neuron of a network on 2-D points is drawn as a small
picture of its output over the plane the Decision boundary covers: an input neuron is a
ramp along x1 or x2, a first-layer tanh unit one soft line, and the later units combine
them into the curves of the boundary, while it trains. One recording forward pass of a
coarse ``MAP_GRID x MAP_GRID`` grid per frame (xor's 2-8-2 network: well under a
millisecond), coloured as the neurons always are: warm positive, cool negative, stronger
the larger, with one scale per layer so its units can be compared.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtGui

from visualnn.ui import theme
from visualnn.ui.model.plane import PlaneGrid

#: Grid points per side of a neuron map (drawn smoothly scaled to the neuron's size).
MAP_GRID = 24
#: Opacity of the weakest colour over the card, as the neuron fills (``neuron_fill``).
ALPHA_FLOOR = 25


def plane_outputs(model, grid: PlaneGrid) -> list[np.ndarray]:
    """Every layer's output over ``grid``: ``(n, n, *out_shape)`` each, row 0 at the bottom.

    Raises ``ValueError`` when the model does not take the grid's points.
    """
    n = grid.n
    with np.errstate(all="ignore"):  # NaN weights: drawn in the neutral colour, not fatal
        model.forward(grid.points, record=True)
    return [np.asarray(r.out).reshape(n, n, *np.shape(r.out)[1:]) for r in model.records]


def map_images(values: np.ndarray) -> list[QtGui.QImage]:
    """``(n, n, units)`` values (row 0 at the bottom) as one ``QImage`` per unit.

    Positive values in ``theme.POSITIVE``, negative in ``theme.NEGATIVE``, over the card's
    ``theme.PANEL``, more opaque the larger ``|value|`` against the largest of the layer;
    values that are not numbers in the card colour.
    """
    v = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(v)
    vmax = float(np.abs(v[finite]).max()) if finite.any() else 0.0
    t = np.where(finite, np.abs(np.where(finite, v, 0.0)) / (vmax if vmax > 1e-9 else 1.0), 0.0)
    alpha = (ALPHA_FLOOR + (255 - ALPHA_FLOOR) * np.clip(t, 0, 1)) / 255.0
    alpha = np.where(finite, alpha, 0.0)[..., None]
    pos, neg, panel = (np.array(QtGui.QColor(c).getRgb()[:3], np.float64)
                       for c in (theme.POSITIVE, theme.NEGATIVE, theme.PANEL))  # fmt: skip
    colour = np.where((v >= 0)[..., None], pos, neg)
    rgb = np.rint(panel + (colour - panel) * alpha).astype(np.uint8)  # (n, n, units, 3)
    rgb = rgb[::-1]  # a picture's first row is its top: the plane's highest y
    images = []
    for unit in range(rgb.shape[2]):
        pixels = np.ascontiguousarray(rgb[:, :, unit])
        h, w = pixels.shape[:2]
        image = QtGui.QImage(pixels.data, w, h, 3 * w, QtGui.QImage.Format_RGB888)
        images.append(image.copy())  # own the pixels: ``pixels`` dies with this call
    return images
