"""A painted widget showing one layer's values: unit cells with numbers, or feature-map mosaics.

Plain ``QPainter`` rather than pyqtgraph: dozens of small tiles with text, exact hit testing
for clicks and crisp nearest-neighbour pixels are simpler and faster this way.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from visualnn.ui import theme
from visualnn.ui.views.common import fmt
from visualnn.ui.widgets import qimage

_LUTS: dict[str, np.ndarray] = {}

#: Height in pixels of a single image (an input digit or spectrogram) in a tile.
IMAGE_HEIGHT = 76.0


def lut(name: str) -> np.ndarray:
    """256 x 4 uint8 lookup table of a theme colormap (cached)."""
    if name not in _LUTS:
        _LUTS[name] = theme.colormap(name).getLookupTable(0.0, 1.0, 256, alpha=True, mode="byte")
    return _LUTS[name]


def colour_scale(values: np.ndarray) -> tuple[str, float, float]:
    """Colormap and levels: diverging and symmetric when signed, sequential from 0 otherwise."""
    finite = values[np.isfinite(values)]
    lo = float(finite.min()) if finite.size else 0.0
    hi = float(finite.max()) if finite.size else 1.0
    if lo < 0:
        m = max(abs(lo), abs(hi), 1e-6)
        return theme.DIVERGING_CMAP, -m, m
    return theme.SEQUENTIAL_CMAP, 0.0, max(hi, 1e-6)


def to_rgba(values: np.ndarray, cmap: str, lo: float, hi: float) -> np.ndarray:
    """Map ``values`` (any shape) to RGBA bytes ``(*shape, 4)``; NaN becomes transparent."""
    t = (np.nan_to_num(values, nan=lo) - lo) / max(hi - lo, 1e-12)
    idx = np.clip((t * 255).round(), 0, 255).astype(np.intp)
    rgba = lut(cmap)[idx]
    rgba[np.isnan(values)] = 0
    return rgba


class LayerTile(QtWidgets.QWidget):
    """Values of one layer for one sample, laid out to the available width.

    ``values`` is ``(n,)`` (units), ``(C, H, W)`` (feature maps or an image) or ``(C, L)``
    (1-D feature maps, drawn one row per channel). Emits ``unit_clicked(tuple)`` with
    ``(j,)``, ``(c, r, s)`` or ``(c, t)``.
    """

    unit_clicked = QtCore.Signal(tuple)

    MAX_LABELLED = 32

    def __init__(
        self,
        parent: QtWidgets.QWidget | None = None,
        square_grid: bool = False,
        titled: bool = False,
    ):
        super().__init__(parent)
        # The title is painted here rather than kept in a QLabel: a label's new text (the
        # value range changes every frame while training) re-lays out the whole scroll area.
        self.titled = titled
        self._title_h = 0  # set by _layout: one line, or two when name and detail do not fit
        self._title_lines = 1
        self.title: tuple[str, str] = ("", "")
        self.painted_text_px: list[int] = []  # what the last paint wrote (readability checks)
        self.values = np.zeros(0, dtype=np.float32)
        self.square_grid = square_grid  # lay a flat input out as its image (8x8 digits)
        #: Draw row 0 at the bottom (spectrograms: low pitch at the bottom, as on the
        #: Microphone dock); clicks map back to the same rows.
        self.flip_rows = False
        self.selected: tuple | None = None
        self._cells: list[tuple[QtCore.QRectF, tuple, tuple[int, int] | None]] = []
        self._laid_width = -1
        self.setMouseTracking(True)
        self.setSizePolicy(QtWidgets.QSizePolicy.Expanding, QtWidgets.QSizePolicy.Fixed)

    # --- data -------------------------------------------------------------------------
    def set_values(self, values: np.ndarray, selected: tuple | None = None) -> None:
        values = np.asarray(values, dtype=np.float32)
        relayout = values.shape != self.values.shape
        self.values, self.selected = values, selected
        self._cmap, self._lo, self._hi = colour_scale(values) if values.size else ("inferno", 0, 1)
        if relayout:
            self._layout(self.width())
        self.update()

    def set_title(self, name: str, detail: str = "") -> None:
        """Bold ``name`` then muted ``detail`` on the title line (repaint only, no layout,
        unless the two no longer fit one line: then the detail goes on a second line)."""
        if (name, detail) != self.title:
            self.title = (name, detail)
            if self.titled and self._lines_needed(self.width()) != self._title_lines:
                self._layout(self.width())
            self.update(0, 0, self.width(), self._title_h)

    def _lines_needed(self, width: int) -> int:
        """1: name and detail on one line; 2: the detail under the name; 3: its two parts
        (shape, value range) on lines of their own (a narrow dock, large text)."""
        name, detail = self.title
        bold = QtGui.QFontMetricsF(theme.font(1.0, bold=True))
        plain = QtGui.QFontMetricsF(theme.font(1.0))
        # four digits of slack: the value range changes every frame while training
        need = plain.horizontalAdvance(detail + "0000")
        if bold.horizontalAdvance(name + "   ") + need <= width - 8:
            return 1
        return 2 if need <= width - 8 or " \u00b7 " not in detail else 3

    # --- layout -----------------------------------------------------------------------
    def _layout(self, width: int) -> None:
        """Compute one rect per cell/tile for ``width`` and fix the widget height to fit."""
        self._laid_width = width
        if self.titled:
            self._title_lines = self._lines_needed(width) if self.title[1] else 1
            line = QtGui.QFontMetrics(theme.font(1.0, bold=True)).height()
            self._title_h = self._title_lines * (line + 2) + 8
        width = max(width, 120)
        v, cells = self.values, []
        if v.ndim == 1 and v.size:
            n = v.size
            if self.square_grid and int(np.sqrt(n)) ** 2 == n:
                side = int(np.sqrt(n))
                size = min(IMAGE_HEIGHT / side, (width - 8) / side)
                for j in range(n):
                    r, c = divmod(j, side)
                    rect = QtCore.QRectF(4 + c * size, 4 + r * size, size, size)
                    cells.append((rect, (j,), None))
                height = side * size + 8
            else:
                labelled = n <= self.MAX_LABELLED
                cw, ch = (64.0, 40.0) if labelled else (22.0, 22.0)
                cols = max(1, min(n, int((width - 8) // (cw + 4))))
                if labelled:
                    cw = min(96.0, (width - 8) / cols - 4)
                for j in range(n):
                    r, c = divmod(j, cols)
                    rect = QtCore.QRectF(4 + c * (cw + 4), 4 + r * (ch + 4), cw, ch)
                    cells.append((rect, (j,), None))
                height = ((n - 1) // cols + 1) * (ch + 4) + 6
        elif v.ndim == 3:
            c_n, h, w = v.shape
            label_h = 20.0 if c_n > 1 else 0.0
            if c_n == 1:
                # one image (the input): a row of feature maps' height, as wide as its shape
                # asks, so at 1280x720 the first layer's maps fit under it in a short dock
                scale = min((width - 8) / w, IMAGE_HEIGHT / h)
                tile = w * scale
                cols = 1
            else:
                target = float(np.clip((width - 8) / c_n - 8, 56, 128))
                cols = max(1, min(c_n, int((width - 8) // (target + 8))))
                tile = min(target, (width - 8) / cols - 8)
                scale = tile / max(h, w)
            tw, th = w * scale, h * scale
            # rows as tall as the maps (a 40x101 log-mel is wide and low), not square cells
            row_h = th + label_h + 8
            for c in range(c_n):
                r, k = divmod(c, cols)
                rect = QtCore.QRectF(4 + k * (tile + 8), 4 + r * row_h + label_h, tw, th)
                cells.append((rect, (c,), (h, w)))
            height = ((c_n - 1) // cols + 1) * row_h + 6
        elif v.ndim == 2:
            c_n, length = v.shape
            row_h = float(np.clip(160 / c_n, 8, 24))
            rect = QtCore.QRectF(4, 4, width - 8, row_h * c_n)
            cells.append((rect, (), (c_n, length)))
            height = row_h * c_n + 10
        else:
            height = 10
        for rect, _, _ in cells:
            rect.translate(0, self._title_h)
        self._cells = cells
        self.setFixedHeight(int(np.ceil(height + self._title_h)))

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 (Qt name)
        if event.size().width() != self._laid_width:
            self._layout(event.size().width())
        super().resizeEvent(event)

    # --- painting ---------------------------------------------------------------------
    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt name)
        p = QtGui.QPainter(self)
        self.painted_text_px = [QtGui.QFontInfo(theme.font(1.0)).pixelSize()] if self.titled else []
        if self._title_h:
            self._paint_title(p)
        v = self.values
        if v.ndim == 1 and v.size:
            rgba = to_rgba(v, self._cmap, self._lo, self._hi)
            labelled = v.size <= self.MAX_LABELLED and not self.square_grid
            p.setFont(theme.font(0.95, bold=True))
            if labelled:
                self.painted_text_px.append(QtGui.QFontInfo(p.font()).pixelSize())
            for (rect, key, _), colour in zip(self._cells, rgba, strict=True):
                qc = QtGui.QColor(*[int(c) for c in colour[:3]])
                p.fillRect(rect, qc)
                if labelled:
                    # dark text on light cells, light on dark: readable whatever the colormap
                    text_c = "#000000" if qc.lightnessF() > 0.55 else "#ffffff"
                    p.setPen(QtGui.QColor(text_c))
                    p.drawText(rect, QtCore.Qt.AlignCenter, cell_text(v[key[0]]))
                if self.selected == key:
                    p.setPen(QtGui.QPen(QtGui.QColor(theme.FOREGROUND), 3))
                    p.drawRect(rect.adjusted(1, 1, -1, -1))
        elif v.ndim == 3:
            p.setFont(theme.font(0.85))
            if v.shape[0] > 1:
                self.painted_text_px.append(QtGui.QFontInfo(p.font()).pixelSize())
            for rect, (c,), _hw in self._cells:
                img = qimage(to_rgba(self._rows(v[c]), self._cmap, self._lo, self._hi))
                p.drawImage(rect, img)
                if v.shape[0] > 1:
                    p.setPen(QtGui.QColor(theme.MUTED))
                    label = QtCore.QRectF(rect.left(), rect.top() - 20, rect.width(), 20)
                    p.drawText(label, QtCore.Qt.AlignLeft | QtCore.Qt.AlignVCenter, f"ch {c}")
                if self.selected is not None and self.selected[0] == c and len(self.selected) == 3:
                    _, r, s = self.selected
                    h, w = v.shape[1:]
                    r = h - 1 - r if self.flip_rows else r
                    px = QtCore.QRectF(
                        rect.left() + s * rect.width() / w,
                        rect.top() + r * rect.height() / h,
                        rect.width() / w,
                        rect.height() / h,
                    )
                    p.setPen(QtGui.QPen(QtGui.QColor(theme.FOREGROUND), 2))
                    p.drawRect(px)
        elif v.ndim == 2 and self._cells:
            rect = self._cells[0][0]
            p.drawImage(rect, qimage(to_rgba(self._rows(v), self._cmap, self._lo, self._hi)))
        p.end()

    def _rows(self, image: np.ndarray) -> np.ndarray:
        return image[::-1] if self.flip_rows else image

    def _paint_title(self, p: QtGui.QPainter) -> None:
        name, detail = self.title
        line = (self._title_h - 8) / self._title_lines
        box = QtCore.QRectF(4, 6, max(self.width() - 8, 1), line)
        flags = QtCore.Qt.AlignLeft | QtCore.Qt.AlignVCenter
        p.setFont(theme.font(1.0, bold=True))
        p.setPen(QtGui.QColor(theme.FOREGROUND))
        used = p.boundingRect(box, flags, name + "   ").width()
        p.drawText(box, flags, name)
        p.setFont(theme.font(1.0))
        p.setPen(QtGui.QColor(theme.MUTED))
        if self._title_lines == 1:
            p.drawText(box.adjusted(used, 0, 0, 0), flags, detail)
            return
        parts = [detail] if self._title_lines == 2 else detail.split(" \u00b7 ", 1)
        for k, part in enumerate(parts, start=1):
            p.drawText(box.translated(0, k * line), flags, part)

    # --- interaction ------------------------------------------------------------------
    def hit(self, pos: QtCore.QPointF) -> tuple | None:
        """The unit key under ``pos``: ``(j,)``, ``(c, r, s)`` or ``(c, t)``; else None."""
        for rect, key, hw in self._cells:
            if not rect.contains(pos):
                continue
            if hw is None:
                return key
            rows, cols = hw
            r = min(int((pos.y() - rect.top()) / rect.height() * rows), rows - 1)
            r = rows - 1 - r if self.flip_rows else r
            s = min(int((pos.x() - rect.left()) / rect.width() * cols), cols - 1)
            return (*key, r, s) if key else (r, s)
        return None

    def value_at(self, key: tuple) -> float:
        return float(self.values[key])

    def mousePressEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802 (Qt name)
        key = self.hit(event.position())
        if key is not None and event.button() == QtCore.Qt.LeftButton:
            self.unit_clicked.emit(tuple(int(k) for k in key))

    def mouseMoveEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802 (Qt name)
        key = self.hit(event.position())
        if key is None:
            QtWidgets.QToolTip.hideText()
            return
        name = "unit " + str(key[0]) if len(key) == 1 else "position " + str(key)
        QtWidgets.QToolTip.showText(
            event.globalPosition().toPoint(), f"{name}: {fmt(self.value_at(key), 4)}", self
        )


def cell_text(value: float) -> str:
    """A unit's value in its small cell: two decimals, a small value as 0.01 or 0.00 rather
    than ``5.5e-03``, which does not fit (a click on the unit shows it in full)."""
    v = float(value)
    if np.isfinite(v) and abs(v) < 1e4:
        return fmt(round(v, 2) + 0.0, 2) if abs(v) >= 0.005 else "0.00"
    return fmt(v, 2)
