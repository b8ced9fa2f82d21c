"""Pieces the "seeing inside" views share: throttled redraws, number formatting for
projected text, and layer geometry.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6 import QtCore, QtWidgets

MINUS = "\u2212"  # a real minus sign reads better than a hyphen from the back of a room


def fmt(value: float, digits: int = 3) -> str:
    """``-0.1234`` -> ``"−0.123"``; large or tiny magnitudes switch to a compact form."""
    v = float(value)
    if not np.isfinite(v):
        return str(v)
    if v != 0 and (abs(v) >= 1e4 or abs(v) < 10 ** (-digits)):
        text = f"{v:.{max(digits - 1, 1)}e}"
    else:
        text = f"{v:.{digits}f}"
    return text.replace("-", MINUS)


def fmt_paren(value: float, digits: int = 3) -> str:
    """A number ready to follow a ``+``: negatives in parentheses, ``(−0.120)``."""
    return f"({fmt(value, digits)})" if float(value) < 0 else fmt(value, digits)


def cache_axes(plot) -> None:
    """Keep each axis of a ``pg.PlotItem`` (or ``ColorBarItem``) as a cached pixmap.

    pyqtgraph replays an axis's recorded picture (every tick and label) on each repaint of
    its view, ~1 ms per axis per frame of GUI-thread time; with the cache a repaint is one
    blit, and the axis is re-drawn only when its range or size really changes (pyqtgraph
    calls ``update()`` then, which drops the cache).
    """
    for name in ("left", "bottom", "right", "top"):
        axis = plot.getAxis(name) if name in plot.axes else None
        if axis is not None:
            axis.setCacheMode(QtWidgets.QGraphicsItem.DeviceCoordinateCache)


# --- layer geometry ---------------------------------------------------------------------
def pair(v, default: int = 1) -> tuple[int, int]:
    """``3`` -> ``(3, 3)``; ``(3, 2)`` stays; ``None`` -> ``(default, default)``."""
    if v is None:
        return default, default
    if isinstance(v, (list, tuple)):
        return int(v[0]), int(v[-1])
    return int(v), int(v)


@dataclass(frozen=True)
class Window2D:
    """Sliding-window geometry of a conv or pool layer, padding resolved to (top, left)."""

    kernel: tuple[int, int]
    stride: tuple[int, int]
    pad: tuple[int, int]
    dilation: tuple[int, int]


def window_geometry(cfg: dict) -> Window2D:
    """Resolve a conv2d / pool2d spec dict the way torch does (``"same"`` pads left-first)."""
    k = pair(cfg.get("kernel_size"), 1)
    default_stride = k if "pool" in str(cfg.get("type", "")) else (1, 1)
    s = pair(cfg.get("stride"), 1) if cfg.get("stride") is not None else default_stride
    d = pair(cfg.get("dilation"), 1)
    p = cfg.get("padding", 0)
    if p == "valid" or p is None:
        pad = (0, 0)
    elif p == "same":
        # torch puts the smaller half on the top/left when the total is odd
        pad = ((d[0] * (k[0] - 1)) // 2, (d[1] * (k[1] - 1)) // 2)
    else:
        pad = pair(p, 0)
    return Window2D(k, s, pad, d)


def activation_name(layer) -> str:
    """The activation a layer applies: its ``activation=`` shorthand or its own type."""
    cfg = layer.config()
    act = cfg.get("activation")
    if act:
        return str(act)
    t = str(cfg.get("type", ""))
    if t in ("relu", "leaky_relu", "sigmoid", "tanh", "softmax"):
        return t
    return "linear"


def layer_title(index: int, layer) -> str:
    """``"2 · Dense 8 · ReLU"`` (1-based, as the graph and error messages number layers)."""
    from visualnn.ui.model.catalog import human_name

    text = f"{index + 1} \u00b7 {layer.describe()}"
    act = layer.config().get("activation")
    if act and act not in ("linear", "identity"):
        text += f" \u00b7 {human_name(act)}"
    return text


# --- what the views redraw on -----------------------------------------------------------
def model_signals(session) -> tuple:
    """The session's signals after which the network may answer differently on the data
    set: new weights, another network, another data set."""
    inspect = session.inspect
    return inspect.weights_updated, inspect.spec_changed, session.project.dataset_changed


def forward_signals(session) -> tuple:
    """``model_signals`` and another sample: what a view of the shown sample's forward pass
    redraws on."""
    return *model_signals(session), session.inspect.sample_changed


def swatch(colour: str) -> str:
    """A small square of ``colour`` for a rich-text legend (a bundled-font-free bullet)."""
    return f"<span style='background-color:{colour}'>&nbsp;&nbsp;&nbsp;</span>"


def layer_combo() -> QtWidgets.QComboBox:
    """A combo box to pick a layer by name that never widens its dock: six characters wide
    at least, a longer name is cut short rather than pushing the other controls away."""
    from visualnn.ui import theme

    combo = QtWidgets.QComboBox()
    theme.set_font(combo)
    combo.setSizeAdjustPolicy(QtWidgets.QComboBox.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(6)
    return combo


def message_label(text: str = "") -> QtWidgets.QLabel:
    """A centred, wrapped, muted label for "nothing to show here because..." messages."""
    from visualnn.ui import theme

    lab = QtWidgets.QLabel(text)
    lab.setWordWrap(True)
    lab.setAlignment(QtCore.Qt.AlignCenter)
    theme.set_font(lab, 1.1)
    theme.style(lab, "color: {MUTED}; padding: 16px;")
    return lab
