"""A layout that lines its widgets up left to right and wraps to a new line when full.

A row of buttons (Add class, Add demo sounds, Listen) is as wide as all of them together:
in a 340 px panel, or with large text, it either widened the panel past the screen or was
cut. In a ``FlowLayout`` it takes two lines instead. Qt has none built in; this follows the
Qt "Flow Layout" example.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets


class FlowLayout(QtWidgets.QLayout):
    """Widgets in reading order, wrapped at the layout's width (height for width)."""

    def __init__(self, parent: QtWidgets.QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QtWidgets.QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    # --- QLayout's item list ----------------------------------------------------------------
    def addItem(self, item: QtWidgets.QLayoutItem) -> None:  # noqa: N802 - Qt's name
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):  # noqa: N802 - Qt's name
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):  # noqa: N802 - Qt's name
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    # --- sizes ------------------------------------------------------------------------------
    def expandingDirections(self) -> QtCore.Qt.Orientations:  # noqa: N802 - Qt's name
        return QtCore.Qt.Orientations(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return self._arrange(QtCore.QRect(0, 0, width, 0), move=False)

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        shown = [i for i in self._items if not i.isEmpty()]
        width = sum(i.sizeHint().width() for i in shown) + self._spacing * max(len(shown) - 1, 0)
        height = max((i.sizeHint().height() for i in shown), default=0)
        m = self.contentsMargins()
        return QtCore.QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def minimumSize(self) -> QtCore.QSize:  # noqa: N802 - Qt's name
        size = QtCore.QSize()
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size.grownBy(m)

    def setGeometry(self, rect: QtCore.QRect) -> None:  # noqa: N802 - Qt's name
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def _arrange(self, rect: QtCore.QRect, move: bool) -> int:
        """Place (or only measure) the items in ``rect``; returns the height used."""
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, line = area.x(), area.y(), 0
        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint()
            w = min(hint.width(), area.width())
            if x > area.x() and x + w > area.right() + 1:
                x, y, line = area.x(), y + line + self._spacing, 0
            if move:
                item.setGeometry(QtCore.QRect(QtCore.QPoint(x, y), QtCore.QSize(w, hint.height())))
            x += w + self._spacing
            line = max(line, hint.height())
        return y + line - rect.y() + m.bottom()
