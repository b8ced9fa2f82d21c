"""A walk over every visible widget of a window: text cut off, hidden or too small.

What a class sees is what is on screen, so the walk measures what Qt laid out, not what the
code meant: a label narrower than its text, a button squeezed under its text, a combo box
showing its current item elided, a tab or dock title elided, a panel scrolling sideways, a
widget running past the edge of its parent. ``text_sizes`` collects the pixel height of all
text on screen, painted text included (graph cards at the view's zoom, plot axes, legends,
the confusion matrix, which report what they painted in ``painted_text_px``).
"""

from __future__ import annotations

import gc
import math
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

SLACK = 1  # px: layouts round sizes; one pixel short of a hint is not a cut letter


@dataclass(frozen=True)
class Problem:
    """One thing a class cannot read: ``kind`` names the check, ``where`` the widget."""

    kind: str
    where: str
    text: str
    need: int
    room: int

    def __str__(self) -> str:
        return f"{self.kind}: {self.where} {self.text!r} needs {self.need} px, has {self.room}"


def name_of(widget: QtWidgets.QWidget) -> str:
    """``Dock Training > QPushButton 'Reset'``: enough to find the widget."""
    parts, w = [], widget
    while w is not None:
        if isinstance(w, QtWidgets.QDockWidget):
            parts.append(f"dock {w.windowTitle()!r}")
            break
        if w.objectName():
            parts.append(w.objectName())
        w = w.parentWidget()
    parts.reverse()
    return " > ".join(parts + [type(widget).__name__])


def shown(widget: QtWidgets.QWidget) -> bool:
    """Visible and not inside a collapsed (zero-size) parent."""
    if not widget.isVisible() or widget.width() <= 0 or widget.height() <= 0:
        return False
    w = widget.parentWidget()
    while w is not None and not w.isWindow():
        if w.width() <= 0 or w.height() <= 0:
            return False
        w = w.parentWidget()
    return True


def _plain(text: str) -> str:
    return text.replace("&&", "\x00").replace("&", "").replace("\x00", "&")


def _rich(text: str) -> bool:
    return QtGui.Qt.mightBeRichText(text)


# --- widths -------------------------------------------------------------------------------
def _label(w: QtWidgets.QLabel) -> list[Problem]:
    text = w.text()
    if not text or w.pixmap() is not None and not w.pixmap().isNull():
        return []
    if w.wordWrap():
        need = w.heightForWidth(w.width())
        if need > w.height() + SLACK:
            return [Problem("label cut (height)", name_of(w), text[:60], need, w.height())]
        return []
    need = w.sizeHint().width()
    if need > w.width() + SLACK:
        return [Problem("label cut", name_of(w), text[:60], need, w.width())]
    return []


def _button(w: QtWidgets.QAbstractButton) -> list[Problem]:
    text = w.text()
    if not text:
        return []
    if isinstance(w, QtWidgets.QToolButton) and w.toolButtonStyle() == QtCore.Qt.ToolButtonIconOnly:
        return []
    need = w.sizeHint().width()
    if need > w.width() + SLACK:
        return [Problem("button cut", name_of(w), _plain(text), need, w.width())]
    return []


def _combo(w: QtWidgets.QComboBox) -> list[Problem]:
    text = w.currentText()
    if not text:
        return []
    opt = QtWidgets.QStyleOptionComboBox()
    w.initStyleOption(opt)
    field = w.style().subControlRect(
        QtWidgets.QStyle.CC_ComboBox, opt, QtWidgets.QStyle.SC_ComboBoxEditField, w
    )
    need = w.fontMetrics().horizontalAdvance(text) + (
        w.iconSize().width() + 4 if opt.currentIcon and not opt.currentIcon.isNull() else 0
    )
    if need > field.width() + SLACK:
        return [Problem("combo box cut", name_of(w), text, need, field.width())]
    return []


def _tabs(bar: QtWidgets.QTabBar) -> list[Problem]:
    out = []
    space = bar.style().pixelMetric(QtWidgets.QStyle.PM_TabBarTabHSpace, None, bar)
    for i in range(bar.count()):
        if not bar.isTabVisible(i):
            continue
        rect, text = bar.tabRect(i), _plain(bar.tabText(i))
        need = bar.fontMetrics().horizontalAdvance(text) + space // 2
        if not bar.tabIcon(i).isNull():
            need += bar.iconSize().width()
        if need > rect.width() + SLACK:
            out.append(Problem("tab elided", name_of(bar), text, need, rect.width()))
        if rect.right() > bar.width() + SLACK or rect.left() < -SLACK:
            out.append(Problem("tab hidden", name_of(bar), text, rect.right(), bar.width()))
    return out


def _dock(dock: QtWidgets.QDockWidget) -> list[Problem]:
    if dock.isFloating() or not dock.windowTitle():
        return []
    bar = dock.titleBarWidget()
    if bar is not None:
        return []  # a title bar of ours: its labels are walked like any other
    font = QtGui.QFont(dock.font())
    font.setBold(True)  # the style sheet draws dock titles bold
    need = QtGui.QFontMetrics(font).horizontalAdvance(dock.windowTitle())
    opt = QtWidgets.QStyleOptionDockWidget()
    dock.initStyleOption(opt) if hasattr(dock, "initStyleOption") else None
    buttons = sum(
        1
        for f in (
            QtWidgets.QDockWidget.DockWidgetClosable,
            QtWidgets.QDockWidget.DockWidgetFloatable,
        )
        if dock.features() & f
    )
    icon = dock.style().pixelMetric(QtWidgets.QStyle.PM_SmallIconSize, None, dock)
    room = dock.width() - buttons * (icon + 8) - 2 * 8
    if need > room + SLACK:
        return [Problem("dock title elided", name_of(dock), dock.windowTitle(), need, room)]
    return []


def _scroll(area: QtWidgets.QAbstractScrollArea) -> list[Problem]:
    bar = area.horizontalScrollBar()
    if bar.isVisible() and bar.maximum() > 0:
        return [
            Problem(
                "scrolls sideways",
                name_of(area),
                "",
                bar.maximum() + area.viewport().width(),
                area.viewport().width(),
            )
        ]
    if isinstance(area, QtWidgets.QScrollArea) and area.widget() is not None:
        inner = area.widget()
        if inner.width() > area.viewport().width() + SLACK:
            return [
                Problem(
                    "panel wider than its dock",
                    name_of(area),
                    "",
                    inner.width(),
                    area.viewport().width(),
                )
            ]
    return []


def _toolbar(bar: QtWidgets.QToolBar) -> list[Problem]:
    """Buttons Qt moved into the toolbar's overflow menu are out of sight."""
    ext = bar.findChild(QtWidgets.QToolButton, "qt_toolbar_ext_button")
    if ext is not None and ext.isVisible():
        return [Problem("toolbar overflows", name_of(bar), "", bar.sizeHint().width(), bar.width())]
    out = []
    for action in bar.actions():
        widget = bar.widgetForAction(action)
        if widget is not None and widget.isVisible() and widget.geometry().right() > bar.width():
            out.append(
                Problem(
                    "toolbar button cut",
                    name_of(bar),
                    _plain(action.text()),
                    widget.geometry().right(),
                    bar.width(),
                )
            )
    return out


def _plot_labels(view: pg.GraphicsView) -> list[Problem]:
    """Plot titles and legends (pyqtgraph labels) narrower than their text."""
    out = []
    for item in view.scene().items() if view.scene() is not None else []:
        if isinstance(item, pg.LabelItem) and item.isVisible() and item.text:
            need, room = item.item.boundingRect().width(), item.boundingRect().width()
            if need > room + SLACK:
                out.append(Problem("plot text cut", name_of(view), item.item.toPlainText(),
                                   round(need), round(room)))  # fmt: skip
    return out


def _clipped(w: QtWidgets.QWidget) -> list[Problem]:
    """A widget running out of its parent sideways (or down, outside a scroll area)."""
    parent = w.parentWidget()
    if parent is None or w.isWindow():
        return []
    g = w.geometry()
    scrolled = isinstance(parent.parentWidget(), QtWidgets.QAbstractScrollArea)
    out = []
    if g.left() < -SLACK or g.right() > parent.width() + SLACK:
        if not scrolled:
            out.append(
                Problem("sticks out sideways", name_of(w), _text(w), g.right(), parent.width())
            )
    elif not scrolled and (g.top() < -SLACK or g.bottom() > parent.height() + SLACK):
        out.append(Problem("sticks out below", name_of(w), _text(w), g.bottom(), parent.height()))
    return out


def _text(w: QtWidgets.QWidget) -> str:
    for attr in ("text", "currentText", "windowTitle"):
        if hasattr(w, attr):
            try:
                return str(getattr(w, attr)())[:40]
            except TypeError:
                continue
    return ""


CHECKS = (
    (QtWidgets.QLabel, _label),
    (QtWidgets.QAbstractButton, _button),
    (QtWidgets.QComboBox, _combo),
    (QtWidgets.QTabBar, _tabs),
    (QtWidgets.QDockWidget, _dock),
    (QtWidgets.QAbstractScrollArea, _scroll),
    (QtWidgets.QToolBar, _toolbar),
    (pg.GraphicsView, _plot_labels),
)

#: Only these (and their text) are checked for sticking out of their parent.
TEXT_WIDGETS = (
    QtWidgets.QLabel,
    QtWidgets.QAbstractButton,
    QtWidgets.QComboBox,
    QtWidgets.QAbstractSpinBox,
    QtWidgets.QLineEdit,
)


def no_gc(fn):
    """Run ``fn`` without the cyclic GC: wrapping every widget allocates, and a collection
    could delete a Python-only widget while Qt's list of children still names it."""

    def wrapped(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return wrapped


@no_gc
def problems(window: QtWidgets.QWidget) -> list[Problem]:
    """Every cut, elided or sideways-scrolling text of the visible widgets of ``window``."""
    out: list[Problem] = []
    for w in [window, *window.findChildren(QtWidgets.QWidget)]:
        if not shown(w) or (w.isWindow() and w is not window):
            continue
        for cls, check in CHECKS:
            if isinstance(w, cls):
                out += check(w)
        if isinstance(w, TEXT_WIDGETS):
            out += _clipped(w)
    return out


# --- heights ------------------------------------------------------------------------------
def font_px(font: QtGui.QFont) -> int:
    """The font's em height in pixels (its pixel size)."""
    return QtGui.QFontInfo(font).pixelSize()


def _document_px(doc: QtGui.QTextDocument, scale: float = 1.0) -> list[float]:
    """Pixel sizes of every run of text in a rich-text document (spans with font-size)."""
    sizes = []
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            if frag.isValid() and frag.text().strip():
                f = QtGui.QFont(doc.defaultFont())
                f = f.resolve(doc.defaultFont())
                fmt_font = frag.charFormat().font()
                size = fmt_font.pointSizeF() if fmt_font.pointSizeF() > 0 else f.pointSizeF()
                px = fmt_font.pixelSize() if fmt_font.pixelSize() > 0 else size * 96 / 72
                sizes.append(px * scale)
            it += 1
        block = block.next()
    return sizes


def _widget_px(w: QtWidgets.QWidget) -> list[float]:
    text = _text(w) if isinstance(w, TEXT_WIDGETS) else ""
    sizes = list(getattr(w, "painted_text_px", ()) or ())
    if isinstance(w, QtWidgets.QLabel) and _rich(w.text()):
        doc = QtGui.QTextDocument()
        doc.setDefaultFont(w.font())
        doc.setHtml(w.text())
        sizes += _document_px(doc)
    elif text.strip():
        sizes.append(font_px(w.font()))
    if isinstance(w, QtWidgets.QTabBar):
        sizes += [font_px(w.font())] if w.count() else []
    if isinstance(w, QtWidgets.QDockWidget) and w.windowTitle() and not w.isFloating():
        sizes.append(font_px(w.font()))
    return sizes


def _scene_px(view: QtWidgets.QGraphicsView) -> list[float]:
    """Text in a graphics view as it lands on screen (the view's zoom included)."""
    sizes = []
    seen = view.mapToScene(view.viewport().rect()).boundingRect()
    for item in view.scene().items(seen):
        if not item.isVisible() or item.opacity() == 0:
            continue
        t = item.deviceTransform(view.viewportTransform())
        scale = math.hypot(t.m21(), t.m22())  # how tall a unit of height lands (rotated too)
        if isinstance(item, QtWidgets.QGraphicsSimpleTextItem) and item.text().strip():
            sizes.append(font_px(item.font()) * scale)
        elif isinstance(item, QtWidgets.QGraphicsTextItem) and item.toPlainText().strip():
            doc = item.document()
            doc.setDefaultFont(item.font())
            sizes += _document_px(doc, scale)
        elif isinstance(item, pg.AxisItem) and item.style.get("showValues", True):
            if item.isVisible() and item.height() > 0 and item.width() > 0:
                tick = item.style.get("tickFont") or item.font()
                sizes.append(font_px(tick) * scale)
        sizes += [p * scale for p in getattr(item, "painted_text_px", ()) or ()]
    return sizes


@no_gc
def text_sizes(window: QtWidgets.QWidget) -> list[tuple[float, str]]:
    """``(pixel size, where)`` of every visible text of ``window``."""
    out = []
    for w in [window, *window.findChildren(QtWidgets.QWidget)]:
        if not shown(w):
            continue
        out += [(px, name_of(w)) for px in _widget_px(w)]
        if isinstance(w, QtWidgets.QGraphicsView) and w.scene() is not None:
            out += [(px, name_of(w) + " (painted)") for px in _scene_px(w)]
    return out
