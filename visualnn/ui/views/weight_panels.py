"""The pieces of the weights view: parameters laid out as one image, and one layer's panel."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from visualnn.ui import theme
from visualnn.ui.views.common import cache_axes
from visualnn.ui.views.nonfinite import finite_peak, mark
from visualnn.ui.views.tiles import to_rgba


def weight_mosaic(w: np.ndarray, b: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Lay parameters out as one 2-D image and remember which index each pixel shows.

    Parameters
    ----------
    w : ndarray
        ``(out, in)`` dense, ``(out, in, kh, kw)`` conv2d or ``(out, in, k)`` conv1d.
    b : ndarray or None
        ``(out,)``; dense layers get it as an extra column after a gap.

    Returns
    -------
    image : ndarray, float ``(rows, cols)``, NaN in the gaps between kernels.
    index : ndarray, int ``(rows, cols, 4)``: ``(out, in, kh, kw)`` index shown by each pixel
        (``in = -1`` marks a bias, ``out = -1`` a gap).
    """
    if w.ndim == 2:
        out, inn = w.shape
        cols = inn + (2 if b is not None else 0)
        img = np.full((out, cols), np.nan)
        index = np.full((out, cols, 4), -1)
        img[:, :inn] = w
        o, i = np.meshgrid(np.arange(out), np.arange(inn), indexing="ij")
        index[:, :inn, 0], index[:, :inn, 1], index[:, :inn, 2:] = o, i, 0
        if b is not None:
            img[:, -1] = b
            index[:, -1, 0], index[:, -1, 2:] = np.arange(out), 0
        return img, index
    if w.ndim == 3:
        w = w[:, :, None, :]
    out, inn, kh, kw = w.shape
    # one input channel: wrap the filters into a near-square grid instead of a thin column;
    # more filters than input channels: filters as columns, so the mosaic is wide like a dock
    transpose = 1 < inn < out
    if inn == 1:
        grid_cols = int(np.ceil(np.sqrt(out)))
        grid_rows = int(np.ceil(out / grid_cols))
    else:
        grid_rows, grid_cols = (inn, out) if transpose else (out, inn)
    img = np.full((grid_rows * (kh + 1) - 1, grid_cols * (kw + 1) - 1), np.nan)
    index = np.full((*img.shape, 4), -1)
    dr, dc = np.meshgrid(np.arange(kh), np.arange(kw), indexing="ij")
    for o in range(out):
        for i in range(inn):
            gr, gc = divmod(o, grid_cols) if inn == 1 else (i, o) if transpose else (o, i)
            r0, c0 = gr * (kh + 1), gc * (kw + 1)
            img[r0 : r0 + kh, c0 : c0 + kw] = w[o, i]
            index[r0 : r0 + kh, c0 : c0 + kw] = np.stack(
                [np.full_like(dr, o), np.full_like(dr, i), dr, dc], axis=-1
            )
    return img, index


class _Title(pg.LabelItem):
    """A label that never asks for width: a long title must not widen the layout column and
    push the colour bar out of the view."""

    def updateMin(self) -> None:  # noqa: N802 (pyqtgraph name)
        super().updateMin()
        self.setMinimumWidth(0)
        for key in (QtCore.Qt.MinimumSize, QtCore.Qt.PreferredSize):
            if key in self._sizeHint:
                self._sizeHint[key] = (0, self._sizeHint[key][1])


class LayerPanel:
    """One layer's title, heatmap and colour bar inside the shared graphics layout."""

    def __init__(self, glw: pg.GraphicsLayoutWidget, row: int, index: int, title: str):
        self.index_layer = index
        self.label = _Title(
            title,
            color=theme.FOREGROUND,
            size=f"{theme.point_size():.1f}pt",
            bold=True,
            justify="left",
        )
        self.label.setSizePolicy(QtWidgets.QSizePolicy.Expanding, QtWidgets.QSizePolicy.Fixed)
        glw.addItem(self.label, row=row, col=0, colspan=2)
        self.view = glw.addViewBox(row=row + 1, col=0)
        self.view.setMouseEnabled(False, False)
        self.view.setMenuEnabled(False)
        self.view.invertY(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.image)
        self.bar = pg.ColorBarItem(
            values=(-1, 1),
            colorMap=theme.colormap(theme.DIVERGING_CMAP),
            interactive=False,
            width=18,
        )
        self.bar.getAxis("right").setStyle(tickFont=theme.font(0.9))
        self.bar.getAxis("right").setTextPen(theme.FOREGROUND)
        glw.addItem(self.bar, row=row + 1, col=1)
        cache_axes(self.bar)
        self.raw = np.zeros((1, 1))
        self.index = np.full((1, 1, 4), -1)
        self.shape: tuple = ()
        self.nonfinite = 0  # weights shown in the "not a number" colour

    def show(
        self, raw: np.ndarray, index: np.ndarray, scale: str, global_max: float, shape: tuple
    ) -> None:
        self.raw, self.index, self.shape = raw, index, shape
        shown = raw
        real = index[..., 0] >= 0  # not a gap between kernels
        if scale == "unit":
            unit = index[..., 0]
            ok = real & np.isfinite(raw)
            peak = np.zeros(shape[0])
            np.maximum.at(peak, unit[ok], np.abs(raw[ok]))
            shown = raw / np.where(real, np.maximum(peak[unit], 1e-12), 1.0)
            m = 1.0
        elif scale == "global":
            m = global_max
        else:
            m = finite_peak(raw)
        m = max(m, 1e-12)
        self.levels = (-m, m)
        rgba = to_rgba(np.clip(shown, -m, m), theme.DIVERGING_CMAP, -m, m)  # inf: the end
        # NaN marks the gaps for to_rgba; a weight that is NaN or infinite gets its colour.
        self.nonfinite = mark(rgba, raw, real)
        self.image.setImage(rgba, autoLevels=False)
        self.bar.setLevels(values=(-m, m))
        # square kernel pixels; dense matrices may stretch to use the space
        self.view.setAspectLocked(len(shape) > 2, ratio=1.0)
        self.view.autoRange(padding=0.02)
