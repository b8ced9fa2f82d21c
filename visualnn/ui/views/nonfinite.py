"""One reserved colour for values that are not numbers (NaN, ±inf), shared by every view.

A diverged run or a damaged project can put NaN into weights, outputs or sound; a view must
then keep drawing and show *where*, in a colour none of the theme's colormaps uses, with a
legend entry saying "not a number", instead of failing inside its redraw.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtWidgets

from visualnn.ui import theme

#: Pure magenta: in none of the diverging, class or spectrogram colormaps.
NAN_COLOUR = "#ff00ff"
NAN_RGBA = np.array([255, 0, 255, 255], dtype=np.uint8)
NAN_RGB32 = np.uint32(0xFFFF00FF)  # the same colour as an opaque QImage.Format_RGB32 pixel
LEGEND = f"<span style='background-color:{NAN_COLOUR}'>&nbsp;&nbsp;&nbsp;</span> not a number"


def finite_peak(values: np.ndarray, default: float = 1.0) -> float:
    """Largest finite ``|value|`` (``default`` when there is none): a safe colour level."""
    v = np.asarray(values, dtype=np.float64)
    finite = np.abs(v[np.isfinite(v)])
    return float(finite.max()) if finite.size else default


def mark(rgba: np.ndarray, values: np.ndarray, where: np.ndarray | None = None) -> int:
    """Paint the non-finite ``values`` (optionally only ``where`` True) in the reserved colour.

    Parameters
    ----------
    rgba : ndarray, uint8 ``(*shape, 4)``
        Colours to change in place.
    values : ndarray ``shape``
    where : ndarray of bool ``shape``, optional

    Returns
    -------
    int
        How many values were not numbers.
    """
    bad = ~np.isfinite(values)
    if where is not None:
        bad &= where
    rgba[bad] = NAN_RGBA
    return int(np.count_nonzero(bad))


def legend_label() -> QtWidgets.QLabel:
    """A hidden one-line legend; :func:`show_legend` fills and shows it when needed."""
    label = QtWidgets.QLabel()
    theme.set_font(label, 0.95)
    label.setWordWrap(True)
    label.hide()
    return label


def show_legend(label: QtWidgets.QLabel, detail: str) -> None:
    """Show "[magenta] not a number: ``detail``", or hide the legend when ``detail`` is empty."""
    if not detail:
        label.hide()
        return
    label.setText(f"{LEGEND}: {detail}")
    label.show()
