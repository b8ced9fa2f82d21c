"""Slow motion on pictures: the training samples of the batch just trained, in a strip.

On 2-D points the Decision boundary rings the batch's points; on images and sounds there
are no points, so the Activations view shows the batch itself (as ConvNetJS shows the
examples it trains on): each sample a small picture with its label, framed in the "right"
colour where the network now names it correctly and in the "error" colour where not. It
shows at the batches-a-second speeds (a teacher narrating one batch at a time) and after a
Step, never while training faster, where a new batch every few milliseconds would flicker.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from visualnn.ui import theme
from visualnn.ui.model.forward import class_indices, to_probabilities
from visualnn.ui.model.project_state import shows_batch
from visualnn.ui.views.tiles import colour_scale, to_rgba
from visualnn.ui.widgets import qimage

PICTURE_HEIGHT = 44.0  # px of one sample's picture
#: Rows of pictures: one, so the layers' activations stay in sight on a projector. A larger
#: batch shows the samples the network names wrong first, then the others in batch order.
MAX_ROWS = 1


def sample_pictures(x: np.ndarray, sound: bool) -> np.ndarray | None:
    """``(n, H, W)`` pictures of a batch of samples ``x`` ``(n, *shape)``, or None when the
    samples are not pictures (2-D points, a few features).

    One-channel images and spectrograms ``(1, H, W)`` or ``(H, W)`` are themselves; a flat
    square of 16 or more values (8x8 digits for an MLP) is its square; a sound's rows are
    drawn low pitch at the bottom, as on the Microphone dock.
    """
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 4 and x.shape[1] >= 1:
        pictures = x[:, 0]
    elif x.ndim == 3:
        pictures = x
    elif x.ndim == 2 and x.shape[1] >= 16 and int(np.sqrt(x.shape[1])) ** 2 == x.shape[1]:
        side = int(np.sqrt(x.shape[1]))
        pictures = x.reshape(len(x), side, side)
    else:
        return None
    return pictures[:, ::-1] if sound else pictures


class BatchStrip(QtWidgets.QWidget):
    """The batch just trained, painted: pictures, labels, right/wrong frames.

    Shown by the Activations view (``refresh``) batch by batch or after a Step, on picture
    data; the pictures share one colour scale, as the input tile's.
    """

    def __init__(self, session, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.pictures = np.zeros((0, 1, 1), np.float32)
        self.labels: list[str] = []
        self.right: list[bool | None] = []  # None: no class to be right about (regression)
        self.said: list[str] = []  # the network's answer for each sample
        self.caption = ""
        self.painted_text_px: list[int] = []  # what the last paint wrote (readability checks)
        self._images: list[QtGui.QImage] = []
        self.setSizePolicy(QtWidgets.QSizePolicy.Expanding, QtWidgets.QSizePolicy.Fixed)
        self.hide()

    # --- data ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Show the session's last trained batch, or hide when there is nothing to show
        (full speed, 2-D points or features, no batch yet, no network)."""
        s = self.session
        ds, model, idx = s.project.dataset, s.inspect.model, s.inspect.batch_indices
        readable = shows_batch(s.project.speed, s.inspect.training_state)
        if not readable or ds is None or model is None or not len(idx):
            self.hide()
            return
        if idx.max() >= len(ds.x_train):  # a batch of a data set since replaced
            self.hide()
            return
        x = ds.x_train[idx]
        pictures = sample_pictures(x, sound=getattr(ds, "transform", None) is not None)
        if pictures is None:
            self.hide()
            return
        self._set(pictures, x, ds, model)
        self.show()
        self._relayout()
        self.update()

    def _set(self, pictures: np.ndarray, x: np.ndarray, ds, model) -> None:
        idx = self.session.inspect.batch_indices
        names = list(getattr(ds, "class_names", None) or [])
        self.pictures = pictures
        cmap, lo, hi = colour_scale(pictures)
        self._images = [qimage(to_rgba(p, cmap, lo, hi)) for p in pictures]
        if ds.task == "classification":
            truth = class_indices(ds.y_train[idx])
            try:
                with np.errstate(all="ignore"):
                    probs = to_probabilities(model.predict(x))
            except ValueError:  # the network does not take these samples (an edit)
                probs = np.full((len(truth), 1), np.nan)
            # a sample whose answer is not a number (weights blown up) is neither
            answered = np.isfinite(probs).all(axis=1)
            guess = np.where(answered, np.nan_to_num(probs).argmax(axis=1), -1)
            pairs = list(zip(guess, truth, answered, strict=True))
            self.right = [bool(g == t) if a else None for g, t, a in pairs]
            self.said = [self._name(names, g) if a else "" for g, _t, a in pairs]
            self.labels = [self._name(names, t) for t in truth]
        else:
            self.labels = [f"{float(np.asarray(v).reshape(-1)[0]):.2f}" for v in ds.y_train[idx]]
            self.right, self.said = [None] * len(idx), [""] * len(idx)
        # the samples it gets wrong first: what a teacher points at
        order = sorted(range(len(self.right)), key=lambda k: self.right[k] is not False)
        self._images = [self._images[k] for k in order]
        self.labels = [self.labels[k] for k in order]
        self.said = [self.said[k] for k in order]
        self.right = [self.right[k] for k in order]
        wrong = sum(r is False for r in self.right)
        verdict = f" \u00b7 {wrong} named wrong now" if ds.task == "classification" else ""
        if ds.task == "classification" and None in self.right:
            verdict = " \u00b7 its answers are not numbers"  # blown-up weights: no verdict
        self.caption = f"Training on {len(idx)}{verdict}"

    @staticmethod
    def _name(names: list[str], k: int) -> str:
        return names[k] if 0 <= k < len(names) else str(int(k))

    # --- layout and painting ------------------------------------------------------------
    def _picture_width(self) -> float:
        """On-screen width of one picture: its shape's, at most three times its height."""
        h, w = self.pictures.shape[1:] if self.pictures.size else (1, 1)
        return min(PICTURE_HEIGHT * w / max(h, 1), 3 * PICTURE_HEIGHT)

    def _cell(self) -> tuple[float, float]:
        """Width and height of one sample's cell (picture, label under it)."""
        pic_w = self._picture_width()
        label_h = QtGui.QFontMetricsF(theme.font(0.85)).height()
        width = max(pic_w, QtGui.QFontMetricsF(theme.font(0.85)).horizontalAdvance("said 00"))
        return width + 8, PICTURE_HEIGHT + 2 * label_h + 10  # the class; what it said if wrong

    def _per_row(self) -> int:
        return max(1, int((max(self.width(), 120) - 8) // self._cell()[0]))

    def _caption_h(self) -> float:
        return QtGui.QFontMetricsF(theme.font(0.95, bold=True)).height() + 6

    def _relayout(self) -> None:
        rows = min(MAX_ROWS, -(-len(self._images) // self._per_row())) if self._images else 0
        self.setFixedHeight(int(np.ceil(self._caption_h() + rows * self._cell()[1] + 4)))

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._relayout()

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt name)
        p = QtGui.QPainter(self)
        p.setRenderHint(QtGui.QPainter.Antialiasing)
        caption_font, label_font = theme.font(0.95, bold=True), theme.font(0.85)
        self.painted_text_px = [QtGui.QFontInfo(f).pixelSize() for f in (caption_font, label_font)]
        per_row = self._per_row()
        shown = min(len(self._images), per_row * MAX_ROWS)
        caption = self.caption
        if shown < len(self._images):
            caption += f" \u00b7 {shown} shown"
        p.setFont(caption_font)
        p.setPen(QtGui.QColor(theme.FOREGROUND))
        caption = p.fontMetrics().elidedText(caption, QtCore.Qt.ElideRight, self.width() - 8)
        p.drawText(QtCore.QRectF(4, 0, self.width() - 8, self._caption_h()),
                   QtCore.Qt.AlignLeft | QtCore.Qt.AlignVCenter, caption)  # fmt: skip
        cw, ch = self._cell()
        pic_w = self._picture_width()
        p.setFont(label_font)
        for k, image in enumerate(self._images[:shown]):
            r, c = divmod(k, per_row)
            x0, y0 = 4 + c * cw + (cw - 8 - pic_w) / 2, self._caption_h() + r * ch + 3
            rect = QtCore.QRectF(x0, y0, pic_w, PICTURE_HEIGHT)
            p.drawImage(rect, image)
            if self.right[k] is not None:
                colour = theme.OK if self.right[k] else theme.ERROR
                p.setPen(QtGui.QPen(QtGui.QColor(colour), 3))
                p.setBrush(QtCore.Qt.NoBrush)
                p.drawRect(rect.adjusted(-1.5, -1.5, 1.5, 1.5))
            p.setPen(QtGui.QColor(theme.MUTED))
            label = QtCore.QRectF(4 + c * cw, y0 + PICTURE_HEIGHT + 2, cw - 8, ch - PICTURE_HEIGHT)
            text = p.fontMetrics().elidedText(self.labels[k], QtCore.Qt.ElideRight, int(cw - 8))
            p.drawText(label, QtCore.Qt.AlignHCenter | QtCore.Qt.AlignTop, text)
            if self.right[k] is False:  # what the network says instead, under the class
                p.setPen(QtGui.QColor(theme.ERROR))
                said = p.fontMetrics().elidedText(
                    f"said {self.said[k]}", QtCore.Qt.ElideRight, int(cw - 8)
                )
                line = p.fontMetrics().height()
                p.drawText(label.translated(0, line), QtCore.Qt.AlignHCenter | QtCore.Qt.AlignTop,
                           said)  # fmt: skip
        p.end()
