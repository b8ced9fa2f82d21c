"""Neuron maps: what each unit computes everywhere on the input plane (2-D point data).

As in TensorFlow Playground, every neuron of a network on 2-D points is drawn as a small
picture of its output over the plane the Decision boundary covers: an input neuron is a
ramp along x1 or x2, a first-layer tanh unit one soft line, and the later units combine
them into the curves of the boundary, while it trains. One recording forward pass of a
coarse ``MAP_GRID x MAP_GRID`` grid per frame (xor's 2-8-2 network: well under a
millisecond), coloured as the neurons always are: warm positive, cool negative, stronger
the larger, with one scale per layer so its units can be compared. A softmax output's
units are drawn in their classes' colours instead, as strong as their probability: each
output lights up where the network names its class, the boundary taken apart.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtGui

from visualnn.ui import theme
from visualnn.ui.model.plane import PlaneGrid, plane_records
from visualnn.ui.views.boundary_colours import class_rgb, signed_rgb

#: Grid points per side of a neuron map (drawn smoothly scaled to the neuron's size).
MAP_GRID = 24


def plane_outputs(model, grid: PlaneGrid) -> list[np.ndarray]:
    """Every layer's output over ``grid``: ``(n, n, *out_shape)`` each, row 0 at the bottom.

    Raises ``ValueError`` when the model does not take the grid's points.
    """
    n = grid.n
    return [
        np.asarray(r.out).reshape(n, n, *np.shape(r.out)[1:]) for r in plane_records(model, grid)
    ]


def map_images(values: np.ndarray, classes: tuple | None = None) -> list[QtGui.QImage]:
    """``(n, n, units)`` values (row 0 at the bottom) as one ``QImage`` per unit, in the
    neurons' colours over the card (``signed_rgb``), one scale for the whole layer; or, with
    ``classes`` (the class names, possibly empty) for a softmax output, unit j in class j's
    colour as strong as its probability (``class_rgb``), as the boundary paints it."""
    if classes is None:
        rgb = signed_rgb(values, theme.PANEL)
    else:
        rgb = class_rgb(values, theme.PANEL, classes)
    rgb = rgb[::-1]  # a picture's first row is its top
    images = []
    for unit in range(rgb.shape[2]):
        pixels = np.ascontiguousarray(rgb[:, :, unit])
        h, w = pixels.shape[:2]
        image = QtGui.QImage(pixels.data, w, h, 3 * w, QtGui.QImage.Format_RGB888)
        images.append(image.copy())  # own the pixels: ``pixels`` dies with this call
    return images
