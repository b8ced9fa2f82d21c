"""Labels whose changing text does not re-lay out the window.

``QLabel.setText`` calls ``updateGeometry()``, and Qt then re-lays out the label's parent,
that widget's parent and so on up to the dock and the main window, each level asking every
word-wrapped or rich-text label for its size again. For a readout that changes every frame
(epoch counter, samples per second, the neuron inspector's numbers) that is milliseconds of
GUI-thread time per frame, all of it taken from the training thread (the GIL).

``SteadyLabel`` is a ``QLabel`` that sits in a small container (``.fence``) without a
layout: the label's geometry requests end at the container, which forwards them to the real
layout only when the new text no longer fits: wider than any text shown since the last
``settle()`` (single line), or a different height at the current width (word wrap). Put
``label.fence`` in layouts; everything else is the ``QLabel`` API. ``SteadyRichText`` does
the same for HTML tables, which a ``QLabel`` is slow to measure.
"""

from __future__ import annotations

import math
import weakref

from PySide6 import QtCore, QtGui, QtWidgets


class _Fence(QtWidgets.QWidget):
    """Hosts one label, reports a reserved size for it, and stops its layout requests."""

    def __init__(self, label: SteadyLabel) -> None:
        super().__init__()
        # weakly: the label holds its fence, and a reference cycle between widgets lets
        # Python's cyclic GC delete them at any moment (even inside a paint event)
        self._label = weakref.ref(label)
        self._hint = QtCore.QSize()
        self._min_hint = QtCore.QSize()

    @property
    def label(self) -> SteadyLabel:
        return self._label()

    # --- what the parent layout sees ------------------------------------------------------
    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        if not self._hint.isValid():
            self._hint, self._min_hint = self.label.sizeHint(), self.label.minimumSizeHint()
        return self._hint

    def minimumSizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        self.sizeHint()
        return self._min_hint

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return self.label.wordWrap()

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return self.label.heightForWidth(width) if self.label.wordWrap() else -1

    # --- keeping the reservation ----------------------------------------------------------
    def settle(self) -> None:
        """Reserve exactly what the current text needs and re-lay out the parents."""
        self._hint = self.label.sizeHint()
        self._min_hint = self.label.minimumSizeHint()
        policy = self.label.sizePolicy()
        policy.setHeightForWidth(self.label.wordWrap())
        self.setSizePolicy(policy)
        self.updateGeometry()

    def fits(self) -> bool:
        """Whether the label's current text fits what the parents have laid out for it."""
        label = self.label
        if label.wordWrap():
            return label.heightForWidth(self.width()) == self.height()
        hint, reserved = label.sizeHint(), self._hint
        return (
            reserved.isValid()
            and hint.width() <= reserved.width()
            and hint.height() == reserved.height()
        )

    def check(self) -> None:
        """Forward the label's size change to the parents' layout if it does not fit."""
        if self.fits():
            return
        label = self.label
        if not label.wordWrap():  # wider: grow, never shrink (no jitter as digits change)
            hint, low = label.sizeHint(), label.minimumSizeHint()
            self._hint = QtCore.QSize(max(hint.width(), self._hint.width()), hint.height())
            self._min_hint = QtCore.QSize(max(low.width(), self._min_hint.width()), low.height())
        self.updateGeometry()  # wrapped labels are re-measured through heightForWidth

    # --- events ---------------------------------------------------------------------------
    def event(self, event: QtCore.QEvent) -> bool:
        # The label posts this to us (its parent, without a layout) whenever its size hint
        # may have changed: text, font, word wrap. Only a real change goes further up.
        if event.type() == QtCore.QEvent.LayoutRequest:
            self.check()
            return True
        return super().event(event)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.label.setGeometry(self.rect())
        super().resizeEvent(event)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        # a hidden label's changes post no layout request: look now
        super().showEvent(event)
        self.check()


class SteadyLabel(QtWidgets.QLabel):
    """A ``QLabel`` to be added to layouts as ``label.fence`` (see the module docstring).

    ``setText`` with the text already shown does nothing at all; ``show``/``hide`` act on
    the fence too, so a hidden label leaves no gap.
    """

    def __init__(self, text: str = "", parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(text)
        self.fence = _Fence(self)
        self.setParent(self.fence)
        if parent is not None:
            self.fence.setParent(parent)
        # No measuring here: a label polished (style sheet applied) before its fence moves
        # into a layout loses a font set in between. The fence reserves on first layout.

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        if text != self.text():
            super().setText(text)

    def setVisible(self, visible: bool) -> None:  # noqa: N802 - Qt's name
        self.fence.setVisible(visible)
        super().setVisible(visible)

    def settle(self) -> None:
        """Shrink the reservation to the current text (after a change of what is shown,
        e.g. another unit selected; readouts of the same thing only ever grow)."""
        self.fence.settle()


class SteadyRichText(QtWidgets.QWidget):
    """Rich text (HTML tables of numbers) that changes every frame, drawn like a ``QLabel``.

    A rich-text ``QLabel`` parses and lays out its HTML several times per change while
    measuring itself (~7 ms for the neuron inspector's 14-row table); this widget keeps one
    ``QTextDocument``, lays it out once per change (~1.5 ms) and, as ``SteadyLabel``, asks
    the parents for a new layout only when the text outgrows what it has. Not wrapped.
    """

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._doc = QtGui.QTextDocument(self)
        self._doc.setDocumentMargin(0)  # as QLabel: the table starts at the widget's corner
        self._doc.setUndoRedoEnabled(False)
        self._doc.setDefaultFont(self.font())
        self._html = ""
        self._hint = QtCore.QSize(0, 0)

    def text(self) -> str:
        return self._html

    def setText(self, html: str) -> None:  # noqa: N802 - QLabel's name
        if html == self._html:
            return
        self._html = html
        self._doc.setHtml(html)
        size = self._measure()
        if size.width() > self._hint.width() or size.height() != self._hint.height():
            self._hint = QtCore.QSize(max(size.width(), self._hint.width()), size.height())
            self.updateGeometry()
        self.update()

    def settle(self) -> None:
        """Shrink the reserved size to the current text (another table is shown)."""
        size = self._measure()
        if size != self._hint:
            self._hint = size
            self.updateGeometry()

    def _measure(self) -> QtCore.QSize:
        self._doc.setTextWidth(-1)  # natural width: tables are never wrapped
        size = self._doc.size()
        return QtCore.QSize(math.ceil(size.width()), math.ceil(size.height()))

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        m = self.contentsMargins()
        return self._hint.grownBy(m)

    def minimumSizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        return self.sizeHint()

    def changeEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QtCore.QEvent.FontChange:
            self._doc.setDefaultFont(self.font())
            self.settle()
        super().changeEvent(event)

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        painter = QtGui.QPainter(self)
        painter.translate(self.contentsRect().topLeft())
        ctx = QtGui.QAbstractTextDocumentLayout.PaintContext()
        ctx.palette = self.palette()
        # QLabel's default text colour; cells with their own colour keep it
        ctx.palette.setColor(QtGui.QPalette.Text, self.palette().color(QtGui.QPalette.WindowText))
        ctx.clip = QtCore.QRectF(self.contentsRect().translated(-self.contentsRect().topLeft()))
        self._doc.documentLayout().draw(painter, ctx)
        painter.end()
