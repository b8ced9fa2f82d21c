"""Icons drawn from the SVG files in ``visualnn/assets/icons``, tinted with the theme.

Font glyphs (the play triangle, the pause bars) are not in every font: the Pause button
showed an empty box. The bundled SVGs draw in ``currentColor``, which is replaced by the
theme's text colour (or a given colour) before rendering, so one file serves every theme;
``set_icon`` remembers the name on the widget or action so a theme change re-tints it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6 import QtCore, QtGui, QtSvg, QtWidgets

from visualnn.ui import theme

ICON_DIR = Path(__file__).resolve().parent.parent / "assets" / "icons"
_PROP = "vnn_icon"  # [name, role] on a widget or action: re-tinted by restyle.refresh
SIZES = (16, 24, 32, 48, 64)


def names() -> list[str]:
    """Every bundled icon, by name (the file name without ``.svg``)."""
    return sorted(p.stem for p in ICON_DIR.glob("*.svg"))


@cache
def _svg(name: str) -> str:
    path = ICON_DIR / f"{name}.svg"
    if not path.is_file():
        raise KeyError(f"no icon {name!r} in {ICON_DIR}")
    return path.read_text(encoding="utf-8")


@cache
def _icon(name: str, colour: str) -> QtGui.QIcon:
    renderer = QtSvg.QSvgRenderer(QtCore.QByteArray(_svg(name).replace("currentColor", colour)
                                                    .encode()))  # fmt: skip
    icon = QtGui.QIcon()
    for size in SIZES:
        image = QtGui.QImage(size, size, QtGui.QImage.Format_ARGB32_Premultiplied)
        image.fill(QtCore.Qt.transparent)
        painter = QtGui.QPainter(image)
        renderer.render(painter)
        painter.end()
        icon.addPixmap(QtGui.QPixmap.fromImage(image))
    return icon


def icon(name: str, role: str = "FOREGROUND") -> QtGui.QIcon:
    """Icon ``name`` in the current theme's colour ``role`` (or a ``#rrggbb`` colour)."""
    colour = role if role.startswith("#") else theme.colours().get(role, theme.FOREGROUND)
    return _icon(name, colour)


def set_icon(target, name: str | None, role: str = "FOREGROUND") -> None:
    """Give a button, label or action icon ``name``, re-tinted after every theme change
    (None removes it)."""
    target.setProperty(_PROP, [name, role] if name else None)
    _apply(target, name, role)


def _apply(target, name: str | None, role: str) -> None:
    if isinstance(target, QtWidgets.QLabel):
        size = target.property("vnn_icon_px") or round(target.fontMetrics().height() * 1.4)
        target.setPixmap(icon(name, role).pixmap(int(size)) if name else QtGui.QPixmap())
    else:
        target.setIcon(icon(name, role) if name else QtGui.QIcon())


def refresh(target) -> None:
    """Re-tint ``target``'s icon if it was given one with :func:`set_icon`."""
    spec = target.property(_PROP)
    if spec:
        _apply(target, spec[0], spec[1])
