"""Colours of the decision boundary: class colours, probabilities, the ramp, the 0.5 line."""

from __future__ import annotations

import functools

import numpy as np
from PySide6 import QtGui

from visualnn.ui import theme
from visualnn.ui.model.forward import to_probabilities  # noqa: F401 - re-exported
from visualnn.ui.theme import class_colours
from visualnn.ui.views.nonfinite import NAN_RGBA


def boundary_rgba(probs: np.ndarray, shape: tuple[int, int], names=()) -> np.ndarray:
    """Colour a grid of class probabilities ``(H*W, k)`` as ``(H, W, 4)`` bytes.

    Two classes: a continuous cool-to-warm ramp of P(class 1) with a dark band at 0.5, so the
    boundary itself is visible. More classes: the winning class colour, faded by confidence.
    Points whose probabilities are not numbers get the reserved "not a number" colour.
    """
    k = probs.shape[1]
    bad = ~np.isfinite(probs).all(axis=1)
    if bad.any():
        probs = np.where(bad[:, None], 1.0 / k, probs)
    if k == 2:  # a table of the ramp and one lookup: a few float passes fewer per frame
        table = _ramp_lut(tuple(names or ()))
        idx = np.clip(np.rint(probs[:, 1] * (RAMP_STEPS - 1)), 0, RAMP_STEPS - 1).astype(np.intp)
        rgba = np.take(table, idx, axis=0)
    else:
        rgba = _mix_rgba(probs, names)
    rgba[bad] = NAN_RGBA
    return rgba.reshape(*shape, 4)


#: Entries of the two-class colour table (P(class 1) resolved to 1 / (RAMP_STEPS - 1)).
RAMP_STEPS = 2048


@functools.lru_cache(maxsize=8)
def _ramp_lut(names: tuple) -> np.ndarray:
    p = np.linspace(0.0, 1.0, RAMP_STEPS)
    return _mix_rgba(np.stack([1 - p, p], axis=1), names)


def _mix_rgba(probs: np.ndarray, names=()) -> np.ndarray:
    """``(N, k)`` probabilities -> ``(N, 4)`` bytes (see ``boundary_rgba``)."""
    k = probs.shape[1]
    cols = np.array([c.getRgb()[:3] for c in class_colours(k, names)], dtype=np.float64)
    bg = np.array(QtGui.QColor(theme.BACKGROUND).getRgb()[:3], dtype=np.float64)
    if k == 2:
        p = probs[:, 1:2]
        confidence = np.abs(p - 0.5) * 2  # 0 on the boundary, 1 far from it
        colour = np.where(p >= 0.5, cols[1], cols[0])
    else:
        win = probs.argmax(axis=1)
        colour = cols[win]
        confidence = ((probs.max(axis=1) - 1 / k) / (1 - 1 / k))[:, None]
    # keep the background muted so the data points stay the brightest thing on screen
    mix = 0.22 + 0.58 * np.clip(confidence, 0, 1) ** 0.7
    rgb = bg + (colour - bg) * mix
    rgba = np.concatenate([rgb, np.full((len(rgb), 1), 255.0)], axis=1)
    return rgba.round().astype(np.uint8)


#: Opacity of the weakest signed colour (a neuron's fill, a neuron map's faintest cell).
SIGNED_ALPHA_FLOOR = 25


def signed_rgb(values: np.ndarray, over: str, peak: float | None = None) -> np.ndarray:
    """Values of any shape as a neuron's colours ``(*shape, 3)`` bytes over colour ``over``.

    Positive in ``theme.POSITIVE``, negative in ``theme.NEGATIVE``, more opaque the larger
    ``|value|`` against ``peak`` (default: the largest finite one, one scale for all of
    ``values``: pass a whole layer to compare its units); values that are not numbers get
    ``over`` itself.
    """
    v = np.asarray(values, dtype=np.float32)
    finite = np.isfinite(v)
    if peak is None:
        peak = float(np.abs(v[finite]).max()) if finite.any() else 0.0
    scale = (SIGNED_STEPS - 1) / (peak if peak > 1e-9 else 1.0)
    with np.errstate(invalid="ignore"):  # NaN: sent to the last entry below
        idx = np.minimum(np.abs(v) * scale + 0.5, SIGNED_STEPS - 1).astype(np.intp)
    idx += np.where(v < 0, SIGNED_STEPS, 0)
    idx[~finite] = 2 * SIGNED_STEPS
    # a table and one lookup: a few hundred neuron-map cells a frame, not float passes each
    return np.take(_signed_lut(over, theme.POSITIVE, theme.NEGATIVE), idx, axis=0)


#: Strengths per sign in ``signed_rgb``'s table (|value| resolved to 1/255 of the largest).
SIGNED_STEPS = 256


@functools.lru_cache(maxsize=8)
def _signed_lut(over: str, positive: str, negative: str) -> np.ndarray:
    """``(2 * SIGNED_STEPS + 1, 3)`` bytes: positive strengths, negative ones, then ``over``."""
    t = np.linspace(0.0, 1.0, SIGNED_STEPS)[:, None]
    alpha = (SIGNED_ALPHA_FLOOR + (255 - SIGNED_ALPHA_FLOOR) * t) / 255.0
    under, pos, neg = (np.array(QtGui.QColor(c).getRgb()[:3], np.float64)
                       for c in (over, positive, negative))  # fmt: skip
    table = np.concatenate([under + (pos - under) * alpha, under + (neg - under) * alpha, [under]])
    return np.rint(table).astype(np.uint8)


def class_rgb(probs: np.ndarray, over: str, names=()) -> np.ndarray:
    """Class probabilities ``(..., k)`` as ``(..., k, 3)`` bytes over colour ``over``: unit
    ``j`` in class ``j``'s colour (the boundary's), as opaque as its probability (0 to 1 on
    one absolute scale, with ``signed_rgb``'s floor); values that are not numbers get
    ``over``. An output neuron so lights up in its class's colour where it says "mine".
    """
    p = np.asarray(probs, dtype=np.float32)
    k = p.shape[-1]
    finite = np.isfinite(p)
    with np.errstate(invalid="ignore"):
        idx = np.clip(np.rint(np.where(finite, p, 0) * (SIGNED_STEPS - 1)), 0, SIGNED_STEPS - 1)
    idx = idx.astype(np.intp) + np.arange(k) * SIGNED_STEPS  # each class its own table rows
    idx[~finite] = k * SIGNED_STEPS
    return np.take(_class_lut(over, k, tuple(names or ())), idx, axis=0)


@functools.lru_cache(maxsize=8)
def _class_lut(over: str, k: int, names: tuple) -> np.ndarray:
    """``(k * SIGNED_STEPS + 1, 3)`` bytes: each class's strengths in turn, then ``over``."""
    t = np.linspace(0.0, 1.0, SIGNED_STEPS)[:, None]
    alpha = (SIGNED_ALPHA_FLOOR + (255 - SIGNED_ALPHA_FLOOR) * t) / 255.0
    under = np.array(QtGui.QColor(over).getRgb()[:3], np.float64)
    rows = [under + (np.array(c.getRgb()[:3], np.float64) - under) * alpha
            for c in class_colours(k, names)]  # fmt: skip
    return np.rint(np.concatenate([*rows, [under]])).astype(np.uint8)


def iso_segments(values: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Marching squares, vectorised: the ``level`` contour of ``values`` ``(H, W)``.

    Returns ``(cols, rows)``, each ``(2 * n_segments,)``: consecutive pairs are the ends of
    one segment, in (fractional) grid coordinates, ready for ``connect="pairs"``.
    pyqtgraph's ``IsocurveItem`` does the same in a Python loop, ~10 ms a frame of GIL time
    taken from the training thread; this is well under a millisecond.
    """
    v = np.asarray(values, dtype=np.float64)
    h, w = v.shape
    if h < 2 or w < 2:
        return np.zeros(0), np.zeros(0)
    above = v >= level
    # only cells whose corners disagree hold a piece of the contour (a few hundred)
    mixed = above[:-1, :-1] != above[:-1, 1:]
    mixed |= above[:-1, 1:] != above[1:, 1:]
    mixed |= above[1:, 1:] != above[1:, :-1]
    rr, cc = np.nonzero(mixed)
    a, b, c, d = v[rr, cc], v[rr, cc + 1], v[rr + 1, cc + 1], v[rr + 1, cc]  # clockwise
    rr, cc = rr.astype(np.float64), cc.astype(np.float64)
    edges = (
        (a, b, cc, rr, cc + 1, rr),
        (b, c, cc + 1, rr, cc + 1, rr + 1),
        (d, c, cc, rr + 1, cc + 1, rr + 1),
        (a, d, cc, rr, cc, rr + 1),
    )
    masks, xs, ys = [], [], []
    for v1, v2, x1, y1, x2, y2 in edges:
        m = (v1 >= level) != (v2 >= level)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(m, (level - v1) / np.where(m, v2 - v1, 1.0), 0.0)
        masks.append(m)
        xs.append(x1 + t * (x2 - x1))
        ys.append(y1 + t * (y2 - y1))
    m, px, py = np.stack(masks, -1), np.stack(xs, -1), np.stack(ys, -1)
    count = m.sum(axis=-1)
    two, four = count == 2, count == 4
    # the two crossed edges of an ordinary cell; a saddle (four crossings) gives two segments
    first = np.argsort(~m[two], axis=1, kind="stable")[:, :2]
    cols = np.concatenate([np.take_along_axis(px[two], first, 1).ravel(), px[four].ravel()])
    rows = np.concatenate([np.take_along_axis(py[two], first, 1).ravel(), py[four].ravel()])
    return cols, rows
