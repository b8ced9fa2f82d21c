"""The File > Export actions of the window: ask where, write (``ui/export``), say how it went.

A failed write is a sentence on the window's banner, never a traceback; a cancelled dialog
does nothing.
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtWidgets

from visualnn.ui import export
from visualnn.ui.docks import content


class ExportActions:
    """Export the ``window`` (a ``MainWindow``: its session, files, docks and banner)."""

    def __init__(self, window) -> None:
        self.window = window

    def _folder(self) -> Path:
        files = self.window.files
        return files.path.parent if files.path else Path.home()

    def _ask_path(self, title: str, name: str, filt: str) -> str:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self.window, title, str(self._folder() / name), filt
        )
        return path

    def png(self, widget: QtWidgets.QWidget, name: str) -> None:
        """``widget`` as a PNG file the user names (suggested: ``name``)."""
        path = self._ask_path("Export PNG", name, "PNG images (*.png)")
        if path:
            try:
                export.export_png(widget, path)
            except OSError as exc:
                self.window.banner.show_message(str(exc), "error")

    def window_png(self) -> None:
        self.png(self.window, "visualnn.png")

    def dock_png(self, key: str) -> None:
        self.png(content(self.window.docks[key]), f"{key}.png")

    def history_csv(self) -> None:
        path = self._ask_path("Export history", "history.csv", "CSV files (*.csv)")
        if path:
            try:
                export.export_history_csv(self.window.session.project.history.to_list(), path)
            except OSError as exc:
                self.window.banner.show_message(f"Could not write {path}: {exc}", "error")

    def model(self) -> None:
        path = self._ask_path(
            "Export model", "model.onnx", "ONNX model (*.onnx);;PyTorch module (*.py)"
        )
        if path:
            said, kind = export.export_model(self.window.session.to_project(), path)
            self.window.banner.show_message(said, kind)

    def sounds(self) -> None:
        path = QtWidgets.QFileDialog.getExistingDirectory(
            self.window, "Export sounds to a new folder", str(self._folder())
        )
        if path:
            said, kind = export.export_sounds(self.window.session.project, path)
            self.window.banner.show_message(said, kind)
