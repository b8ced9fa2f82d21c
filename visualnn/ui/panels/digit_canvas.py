"""Draw a digit with the mouse and turn it into an 8x8 sample like the training digits."""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from visualnn.ui import theme

SIZE = 256  # internal resolution: 32 x 32 pixels per output cell
PEN = 26


def to_8x8(ink: np.ndarray, out: int = 8, margin: int = 8) -> np.ndarray:
    """Down-sample a drawing the way the UCI/sklearn digits were made.

    Those digits are 32x32 bitmaps, size-normalised to fill the box, whose 4x4 blocks were
    counted into 0..16. Here: crop to the ink, scale it to fill the box (keeping its aspect
    ratio, centred), then average blocks, which also anti-aliases.

    Parameters
    ----------
    ink : ndarray, ``(S, S)`` floats in [0, 1], S a multiple of ``out``.

    Returns
    -------
    ndarray, ``(out, out)`` float32 in [0, 1].
    """
    s = ink.shape[0]
    rows, cols = np.nonzero(ink > 0.05)
    if rows.size == 0:
        return np.zeros((out, out), dtype=np.float32)
    crop = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    box = s - 2 * margin
    scale = box / max(crop.shape)
    h, w = max(1, round(crop.shape[0] * scale)), max(1, round(crop.shape[1] * scale))
    # nearest-neighbour resize by index maps (the block average below smooths it)
    ri = np.minimum((np.arange(h) / scale).astype(int), crop.shape[0] - 1)
    ci = np.minimum((np.arange(w) / scale).astype(int), crop.shape[1] - 1)
    canvas = np.zeros((s, s), dtype=np.float64)
    top, left = (s - h) // 2, (s - w) // 2
    canvas[top : top + h, left : left + w] = crop[ri][:, ci]
    block = s // out
    small = canvas.reshape(out, block, out, block).mean(axis=(1, 3))
    # strokes are thinner than the original pens after down-scaling: a gentle gain, clipped
    return np.clip(small * 1.6, 0.0, 1.0).astype(np.float32)


class DigitCanvas(QtWidgets.QWidget):
    """A square drawing surface; emits ``drawn(ndarray (8, 8))`` while and after drawing."""

    drawn = QtCore.Signal(object)
    cleared = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = QtGui.QImage(SIZE, SIZE, QtGui.QImage.Format_Grayscale8)
        self.image.fill(0)
        self._last: QtCore.QPointF | None = None
        self.setMinimumSize(120, 120)
        self.setSizePolicy(QtWidgets.QSizePolicy.Expanding, QtWidgets.QSizePolicy.Expanding)
        self.setCursor(QtCore.Qt.CrossCursor)
        self.setToolTip("Draw a digit with the mouse; the network sees it as 8x8 pixels")
        self._emit_timer = QtCore.QTimer(self)
        self._emit_timer.setSingleShot(True)
        self._emit_timer.setInterval(80)  # update the views while drawing, not per mouse event
        self._emit_timer.timeout.connect(self._on_emit_timer_timeout)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt name)
        return True

    def heightForWidth(self, w: int) -> int:  # noqa: N802 (Qt name)
        return w

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 (Qt name)
        return QtCore.QSize(240, 240)

    # --- data -------------------------------------------------------------------------
    def ink(self) -> np.ndarray:
        """The drawing as ``(SIZE, SIZE)`` floats in [0, 1]."""
        bits = np.frombuffer(self.image.constBits(), dtype=np.uint8)
        arr = bits.reshape(SIZE, self.image.bytesPerLine())[:, :SIZE]
        return arr.astype(np.float32) / 255.0

    def sample(self) -> np.ndarray:
        """``(8, 8)`` float32 in [0, 1]."""
        return to_8x8(self.ink())

    def is_empty(self) -> bool:
        return not (self.ink() > 0.05).any()

    def clear(self) -> None:
        self.image.fill(0)
        self.update()
        self.cleared.emit()

    def _line(self, a: QtCore.QPointF, b: QtCore.QPointF) -> None:
        p = QtGui.QPainter(self.image)
        p.setRenderHint(QtGui.QPainter.Antialiasing)
        p.setPen(
            QtGui.QPen(
                QtGui.QColor(255, 255, 255),
                PEN,
                QtCore.Qt.SolidLine,
                QtCore.Qt.RoundCap,
                QtCore.Qt.RoundJoin,
            )
        )
        p.drawLine(a, b)
        p.end()
        self.update()

    # --- events -----------------------------------------------------------------------
    def _to_image(self, pos: QtCore.QPointF) -> QtCore.QPointF:
        side = self._side()
        return QtCore.QPointF(
            (pos.x() - side.left()) * SIZE / side.width(),
            (pos.y() - side.top()) * SIZE / side.height(),
        )

    def _side(self) -> QtCore.QRectF:
        s = min(self.width(), self.height())
        return QtCore.QRectF((self.width() - s) / 2, (self.height() - s) / 2, s, s)

    def mousePressEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802 (Qt name)
        if event.button() == QtCore.Qt.LeftButton:
            self._last = self._to_image(event.position())
            self._line(self._last, self._last)
            self._emit_timer.start()
        elif event.button() == QtCore.Qt.RightButton:
            self.clear()

    def mouseMoveEvent(self, event: QtGui.QMouseEvent) -> None:  # noqa: N802 (Qt name)
        if self._last is None:
            return
        pos = self._to_image(event.position())
        self._line(self._last, pos)
        self._last = pos
        if not self._emit_timer.isActive():
            self._emit_timer.start()

    def mouseReleaseEvent(self, _event: QtGui.QMouseEvent) -> None:  # noqa: N802 (Qt name)
        if self._last is not None:
            self._last = None
            self._emit_timer.stop()
            self.drawn.emit(self.sample())

    def _on_emit_timer_timeout(self) -> None:
        self.drawn.emit(self.sample())

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt name)
        p = QtGui.QPainter(self)
        side = self._side()
        p.fillRect(self.rect(), QtGui.QColor(theme.BACKGROUND))
        p.setRenderHint(QtGui.QPainter.SmoothPixmapTransform)
        p.drawImage(side, self.image)
        # the 8x8 grid the network will see, faint, so students understand the down-sampling
        p.setPen(QtGui.QPen(QtGui.QColor(255, 255, 255, 40), 1))
        for k in range(1, 8):
            x = side.left() + k * side.width() / 8
            y = side.top() + k * side.height() / 8
            p.drawLine(QtCore.QPointF(x, side.top()), QtCore.QPointF(x, side.bottom()))
            p.drawLine(QtCore.QPointF(side.left(), y), QtCore.QPointF(side.right(), y))
        p.setPen(QtGui.QPen(QtGui.QColor(theme.MUTED), 2))
        p.drawRect(side.adjusted(1, 1, -1, -1))
        if self.is_empty():
            p.setPen(QtGui.QColor(theme.MUTED))
            p.setFont(theme.font(1.0))
            p.drawText(side, QtCore.Qt.AlignCenter | QtCore.Qt.TextWordWrap, "draw a\ndigit here")
        p.end()
