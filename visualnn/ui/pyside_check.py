"""Detect a PySide6 build that loses references to ``None`` and ``True``.

PySide6 6.12.0 on CPython 3.11 does: many void methods (``QPainter.save``, ...) and Python
overrides (``paintEvent``, ...) steal a reference to ``None``, and ``Signal.emit`` one to
``True``. Such a build aborts the interpreter ("Fatal Python error: none_dealloc") after a few
thousand paints, i.e. within seconds to minutes of a live view. It cannot be patched from
Python; the fix is a different PySide6 (6.11.3 is known good). :func:`broken_pyside` lets the
app say so in words at start-up instead of crashing mysteriously later."""

from __future__ import annotations

import sys

from PySide6 import QtCore, QtGui


def broken_pyside(calls: int = 64) -> str | None:
    """A one-sentence problem and fix if this PySide6 steals references, else None."""
    image = QtGui.QImage(4, 4, QtGui.QImage.Format.Format_RGB32)
    painter = QtGui.QPainter(image)
    before = sys.getrefcount(None)
    for _ in range(calls):
        painter.save()  # void calls: a broken build drops a reference to None on each
        painter.restore()
    lost = before - sys.getrefcount(None)
    painter.end()
    if lost < calls:
        return None
    return (
        f"PySide6 {QtCore.__version__} loses Python references and will crash visualnn: "
        "run `pip install 'PySide6-Essentials==6.11.3'`"
    )
