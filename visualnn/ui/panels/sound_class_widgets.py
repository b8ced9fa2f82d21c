"""Pieces of the sound-classes panel: confidence bars, spectrogram thumbnails, a class row."""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from visualnn.ui import icons, theme

#: Row height of one confidence bar: readable from the back of a classroom.
BAR_HEIGHT = 46
ROW = BAR_HEIGHT + 8
#: Rows the bars always have room for; more classes than fit show the likeliest first.
MIN_ROWS = 4
#: Largest share of the width the class names take.
NAME_SHARE = 0.45


class ConfidenceBars(QtWidgets.QWidget):
    """Big horizontal bars, one per class: name, bar, percent; the top class highlighted.

    In class order when every class fits; with more classes than rows (eleven words on a
    1280x720 screen), the likeliest ones, most likely first, so the answer is always seen.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.names: list[str] = []
        self.probs = np.zeros(0)
        self.setMinimumHeight(2 * BAR_HEIGHT)

    def set_classes(self, names) -> None:
        self.names = list(names)
        self.probs = np.zeros(len(self.names))
        self.setMinimumHeight(min(max(2, len(self.names)), MIN_ROWS) * ROW)
        self.update()

    def set_probabilities(self, probs: np.ndarray) -> None:
        """``probs`` shape (n_classes,), in class order."""
        self.probs = np.asarray(probs, dtype=float).reshape(-1)
        self.update()

    @property
    def top(self) -> str | None:
        return self.names[int(self.probs.argmax())] if self.probs.size else None

    def _name_font(self) -> QtGui.QFont:
        """Names at 1.6x, smaller (down to the normal size) when the longest would not fit
        its share of a narrow panel ("background" beside the bars at 1280x720)."""
        room = self.width() * NAME_SHARE - 12
        longest = max((QtGui.QFontMetrics(theme.font(1.6, bold=True)).horizontalAdvance(n)
                       for n in self.names), default=1)  # fmt: skip
        return theme.font(max(1.0, min(1.6, 1.6 * room / max(longest, 1))), bold=True)

    def shown_rows(self) -> list[int]:
        """The classes painted, top to bottom (indices into ``names``)."""
        fit = max(1, (self.height() - 4) // ROW)
        if len(self.names) <= fit or self.probs.size != len(self.names):
            return list(range(min(len(self.names), fit)))
        return [int(i) for i in np.argsort(-self.probs, kind="stable")[:fit]]

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 (Qt override)
        # No more than MIN_ROWS asked for: the panel gives the bars any room it has left (a
        # tall screen shows every class), but a long list must not push them off a small one.
        return QtCore.QSize(400, min(max(2, len(self.names)), MIN_ROWS) * ROW)

    def paintEvent(self, event):  # noqa: N802 (Qt override)
        p = QtGui.QPainter(self)
        p.setRenderHint(QtGui.QPainter.Antialiasing)
        name_font, pct_font = self._name_font(), theme.font(1.5, bold=True)
        metrics = QtGui.QFontMetrics(name_font)
        longest = max((metrics.horizontalAdvance(n) for n in self.names), default=0)
        name_w = min(int(self.width() * NAME_SHARE), 40 + max(longest, 60))
        pct_w = QtGui.QFontMetrics(pct_font).horizontalAdvance("100%") + 12
        top = int(self.probs.argmax()) if self.probs.size and self.probs.max() > 0 else -1
        y = 4
        for i in self.shown_rows():
            name = self.names[i]
            prob = float(self.probs[i]) if i < self.probs.size else 0.0
            colour = QtGui.QColor(theme.SERIES[i % len(theme.SERIES)])
            hot = i == top
            p.setFont(name_font)
            p.setPen(QtGui.QColor(theme.FOREGROUND if hot else theme.MUTED))
            text_rect = QtCore.QRect(4, y, name_w - 12, BAR_HEIGHT)
            elided = QtGui.QFontMetrics(name_font).elidedText(
                name, QtCore.Qt.ElideRight, text_rect.width()
            )
            p.drawText(text_rect, QtCore.Qt.AlignVCenter | QtCore.Qt.AlignRight, elided)
            track = QtCore.QRectF(name_w, y + 4, self.width() - name_w - pct_w - 8, BAR_HEIGHT - 8)
            p.setPen(QtCore.Qt.NoPen)
            p.setBrush(QtGui.QColor(theme.PANEL))
            p.drawRoundedRect(track, 6, 6)
            fill = QtCore.QRectF(track)
            fill.setWidth(track.width() * min(max(prob, 0.0), 1.0))
            if not hot:
                colour.setAlpha(120)  # losers fade, so the answer stands out from afar
            p.setBrush(colour)
            p.drawRoundedRect(fill, 6, 6)
            if hot:
                p.setPen(QtGui.QPen(QtGui.QColor(theme.FOREGROUND), 3))
                p.setBrush(QtCore.Qt.NoBrush)
                p.drawRoundedRect(track, 6, 6)
            p.setFont(pct_font)
            p.setPen(QtGui.QColor(theme.FOREGROUND if hot else theme.MUTED))
            pct_rect = QtCore.QRectF(self.width() - pct_w, y, pct_w, BAR_HEIGHT)
            right = QtCore.Qt.AlignVCenter | QtCore.Qt.AlignRight
            p.drawText(pct_rect, right, f"{100 * prob:.0f}%")
            y += ROW
        p.end()


def patch_pixmap(patch: np.ndarray, height: int = 40) -> QtGui.QPixmap:
    """A small spectrogram picture of a dB patch ``(n_mels, frames)`` (low notes at the bottom)."""
    img = np.asarray(patch, dtype=np.float32)[::-1]
    # Absolute levels (dB re full scale), so a quiet clip looks quiet next to a loud one.
    lo, hi = -75.0, -5.0
    lut = theme.colormap(theme.SEQUENTIAL_CMAP).getLookupTable(nPts=256, alpha=False)
    idx = np.clip((img - lo) / max(hi - lo, 1e-6) * 255, 0, 255).astype(np.uint8)
    rgb = np.ascontiguousarray(lut[idx].astype(np.uint8))
    h, w = rgb.shape[:2]
    qimg = QtGui.QImage(rgb.data, w, h, 3 * w, QtGui.QImage.Format_RGB888).copy()
    return QtGui.QPixmap.fromImage(qimg).scaled(
        int(height * w / h * 0.6), height, QtCore.Qt.IgnoreAspectRatio,
        QtCore.Qt.SmoothTransformation)  # fmt: skip


class ClassRow(QtWidgets.QFrame):
    """One sound class: editable name, record button, clip count, thumbnails, delete.

    Signals: ``record_pressed(str)``, ``record_released(str)``, ``rename_requested(str, str)``
    (old, new), ``delete_requested(str)``.
    """

    record_pressed = QtCore.Signal(str)
    record_released = QtCore.Signal(str)
    rename_requested = QtCore.Signal(str, str)
    delete_requested = QtCore.Signal(str)

    THUMBS = 6

    def __init__(self, name: str, colour: str, parent=None) -> None:
        super().__init__(parent)
        self.name = name
        self.setObjectName("classRow")
        theme.style(self, "#classRow { background: {PANEL}; border-left: 6px solid "
                    f"{colour}; border-radius: 4px; }}")  # fmt: skip
        self.name_edit = QtWidgets.QLineEdit(name)
        theme.set_font(self.name_edit, 1.5, bold=True)
        self.name_edit.setToolTip("Click to rename this sound class")
        self.name_edit.editingFinished.connect(self._on_name_edit_finished)
        self.count_label = QtWidgets.QLabel()
        theme.set_font(self.count_label, 1.1)
        self.record_button = QtWidgets.QPushButton("Hold to record")
        icons.set_icon(self.record_button, "record", "ERROR")
        theme.set_font(self.record_button, 1.2, bold=True)
        self.record_button.setMinimumHeight(44)
        self.record_button.setToolTip("Hold: one clip per second. Click: one 1-second clip.")
        self.record_button.pressed.connect(lambda: self.record_pressed.emit(self.name))
        self.record_button.released.connect(lambda: self.record_released.emit(self.name))
        self.delete_button = QtWidgets.QToolButton()
        icons.set_icon(self.delete_button, "delete")
        self.delete_button.setAccessibleName("Delete class")
        self.delete_button.setToolTip("Delete this class and its clips")
        self.delete_button.clicked.connect(lambda: self.delete_requested.emit(self.name))
        # Thumbnails may be cut off in a narrow dock rather than widen the whole panel.
        thumbs_box = QtWidgets.QWidget()
        thumbs_box.setSizePolicy(QtWidgets.QSizePolicy.Ignored, QtWidgets.QSizePolicy.Preferred)
        self.thumbs = QtWidgets.QHBoxLayout(thumbs_box)
        self.thumbs.setContentsMargins(0, 0, 0, 0)
        self.thumbs.setSpacing(3)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.name_edit, 1)
        top.addWidget(self.count_label)
        top.addWidget(self.delete_button)
        bottom = QtWidgets.QHBoxLayout()
        bottom.addWidget(self.record_button)
        bottom.addWidget(thumbs_box, 1)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(12, 6, 6, 6)
        lay.addLayout(top)
        lay.addLayout(bottom)
        self.set_recording(False)
        self.set_clips([])

    def set_clips(self, patches: list[np.ndarray]) -> None:
        """Show the count and the newest few clips, each a dB patch ``(n_mels, frames)``."""
        n = len(patches)
        self.count_label.setText(f"{n} clip{'s' if n != 1 else ''}")
        while self.thumbs.count():
            item = self.thumbs.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        for patch in patches[-self.THUMBS :]:
            label = QtWidgets.QLabel()
            label.setPixmap(patch_pixmap(patch))
            self.thumbs.addWidget(label)
        self.thumbs.addStretch(1)

    def set_recording(self, on: bool) -> None:
        colour = "ERROR" if on else "BUTTON"
        self.record_button.setText("Recording\u2026" if on else "Hold to record")
        icons.set_icon(self.record_button, "record", "FOREGROUND" if on else "ERROR")
        theme.style(
            self.record_button,
            f"QPushButton {{ background: {{{colour}}}; color: {{FOREGROUND}}; "
            "border-radius: 6px; padding: 4px 14px; }",
        )

    def _on_name_edit_finished(self) -> None:
        new = self.name_edit.text().strip()
        if new and new != self.name:
            self.rename_requested.emit(self.name, new)
        else:
            self.name_edit.setText(self.name)
