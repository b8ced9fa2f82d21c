"""Where the app keeps its settings and recovery files.

Always an INI file under the user scope so tests can redirect everything with
``QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, tmp)`` before the first use.
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore

ORGANIZATION = "visualnn"
APPLICATION = "visualnn"


def settings() -> QtCore.QSettings:
    """The app's persistent settings (layout, recent files, clean-exit time)."""
    return QtCore.QSettings(
        QtCore.QSettings.IniFormat, QtCore.QSettings.UserScope, ORGANIZATION, APPLICATION
    )


def data_dir() -> Path:
    """A writable folder next to the settings file (recovery files live here)."""
    path = Path(settings().fileName()).parent / "data"
    path.mkdir(parents=True, exist_ok=True)
    return path
