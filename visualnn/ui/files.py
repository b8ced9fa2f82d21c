"""Project files for the window: New / Open / Save / Save As, recent files, autosave and
crash recovery.

Loading is all-or-nothing: ``visualnn.project.load_project`` and ``project_state.prepare_project``
check everything before the session changes, so a failed open leaves the current work as it
was and only shows the message. Autosave writes a recovery file (atomically, through
``save_project``) every ``AUTOSAVE_MS`` while there are unsaved changes; a clean exit
records its time and deletes the file, so a recovery file newer than the last clean exit
means the app did not get to close properly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from visualnn.engine import SpecError
from visualnn.project import ProjectError, load_project, save_project
from visualnn.ui.model.project_state import prepare_project
from visualnn.ui.model.session import Session
from visualnn.ui.settings import data_dir, settings
from visualnn.ui.training_control import TrainingController

AUTOSAVE_MS = 30_000
MAX_RECENT = 8
FILE_FILTER = "visualnn projects (*.vnn);;All files (*)"


def ask_unsaved(parent: QtWidgets.QWidget | None) -> str:
    """Ask what to do with unsaved changes: ``"save"``, ``"discard"`` or ``"cancel"``."""
    box = QtWidgets.QMessageBox(parent)
    box.setIcon(QtWidgets.QMessageBox.Warning)
    box.setWindowTitle("Unsaved changes")
    box.setText("This project has changes that are not saved.")
    box.setInformativeText("Save them before going on?")
    box.setStandardButtons(
        QtWidgets.QMessageBox.Save | QtWidgets.QMessageBox.Discard | QtWidgets.QMessageBox.Cancel
    )
    box.setDefaultButton(QtWidgets.QMessageBox.Save)
    answer = box.exec()
    return {QtWidgets.QMessageBox.Save: "save", QtWidgets.QMessageBox.Discard: "discard"}.get(
        answer, "cancel"
    )


class ProjectFiles(QtCore.QObject):
    """File handling for one window.

    Parameters
    ----------
    confirm : callable, optional
        ``confirm(parent) -> "save" | "discard" | "cancel"`` for unsaved changes; tests pass
        their own instead of the modal message box.

    Signals
    -------
    path_changed(str)
        The file the session is saved in ("" for an untitled project).
    message(str, str)
        Text and kind ("error", "warning", "info") for the window's banner.
    recent_changed()
    """

    path_changed = QtCore.Signal(str)
    message = QtCore.Signal(str, str)
    recent_changed = QtCore.Signal()

    def __init__(
        self,
        session: Session,
        controller: TrainingController,
        parent_widget: QtWidgets.QWidget | None = None,
        confirm: Callable[[QtWidgets.QWidget | None], str] | None = None,
    ) -> None:
        super().__init__(parent_widget)
        self.session, self.controller = session, controller
        self.parent_widget = parent_widget
        self.confirm = confirm or ask_unsaved
        self.path: Path | None = None
        self.recovery_path = data_dir() / "recovery.vnn"
        self._autosave = QtCore.QTimer(self)
        self._autosave.setInterval(AUTOSAVE_MS)
        self._autosave.timeout.connect(self._on_autosave_timeout)
        self._autosave.start()

    # --- recent files ---------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        value = settings().value("files/recent", [])
        items = [value] if isinstance(value, str) else list(value or [])
        return [p for p in items if p and Path(p).exists()]

    def _add_recent(self, path: Path) -> None:
        items = [str(path)] + [p for p in self.recent_files() if p != str(path)]
        settings().setValue("files/recent", items[:MAX_RECENT])
        self.recent_changed.emit()

    def _set_path(self, path: Path | None) -> None:
        self.path = path
        self.path_changed.emit(str(path) if path else "")

    # --- user actions ---------------------------------------------------------------------
    def maybe_discard(self) -> bool:
        """True if the current work may be replaced (saved, discarded, or unchanged)."""
        if not self.session.project.modified:
            return True
        answer = self.confirm(self.parent_widget)
        if answer == "save":
            return self.save()
        return answer == "discard"

    def new_from_preset(self, name: str) -> bool:
        if not self.maybe_discard():
            return False
        self.controller.stop()
        try:
            self.session.load_preset(name)
        except (SpecError, ValueError, KeyError) as exc:
            self.message.emit(f"Could not load the preset {name}: {exc}", "error")
            return False
        self._set_path(None)
        return True

    def open(self, path: str | Path | None = None, ask: bool = True, remember: bool = True) -> bool:
        """Open ``path`` (or ask for one); on failure the session is left untouched."""
        if ask and not self.maybe_discard():
            return False
        if path is None:
            path, _ = QtWidgets.QFileDialog.getOpenFileName(
                self.parent_widget, "Open project", self._folder(), FILE_FILTER
            )
            if not path:
                return False
        path = Path(path)
        try:
            # Everything is read, built and checked before the open work is touched.
            prepared = prepare_project(load_project(path))
        except ProjectError as exc:
            self.message.emit(f"Could not open {path.name}: {exc}", "error")
            return False
        except OSError as exc:
            self.message.emit(f"Could not open {path.name}: {exc.strerror or exc}", "error")
            return False
        self.controller.stop()
        self.session.apply(prepared)
        self._set_path(path)
        if remember:
            self._add_recent(path)
        for warning in prepared.warnings:
            self.message.emit(warning, "warning")
        return True

    def save(self) -> bool:
        if self.path is None:
            return self.save_as()
        return self._write(self.path)

    def save_as(self, path: str | Path | None = None) -> bool:
        if path is None:
            path, _ = QtWidgets.QFileDialog.getSaveFileName(
                self.parent_widget, "Save project", self._folder("untitled.vnn"), FILE_FILTER
            )
            if not path:
                return False
        path = Path(path)
        if path.suffix == "":
            path = path.with_suffix(".vnn")
        if not self._write(path):
            return False
        self._set_path(path)
        return True

    def _write(self, path: Path) -> bool:
        try:
            save_project(path, self.session.to_project())
        except (ProjectError, OSError, ValueError) as exc:
            self.message.emit(f"Could not save {path.name}: {exc}", "error")
            return False
        self.session.project.set_modified(False)
        self.session.project.document.undo_stack.setClean()
        self._add_recent(path)
        self.recovery_path.unlink(missing_ok=True)
        return True

    def _folder(self, name: str = "") -> str:
        base = self.path.parent if self.path else Path.home()
        return str(base / name) if name else str(base)

    # --- autosave and recovery ------------------------------------------------------------
    def _on_autosave_timeout(self) -> None:
        self.autosave()

    def autosave(self) -> bool:
        """Write the recovery file if there are unsaved changes; True if written."""
        if not self.session.project.modified:
            return False
        try:
            save_project(self.recovery_path, self.session.to_project())
        except (ProjectError, OSError, ValueError):
            return False  # autosave must never interrupt the lesson
        return True

    def pending_recovery(self) -> Path | None:
        """The recovery file if it is newer than the last clean exit, else None."""
        if not self.recovery_path.exists():
            return None
        clean = float(settings().value("files/clean_exit", 0.0) or 0.0)
        return self.recovery_path if self.recovery_path.stat().st_mtime > clean else None

    def recover(self) -> bool:
        """Load the recovery file as unsaved, untitled work."""
        path = self.pending_recovery() or self.recovery_path
        if not self.open(path, ask=False, remember=False):
            return False
        self._set_path(None)
        self.session.project.set_modified(True)
        return True

    def discard_recovery(self) -> None:
        self.recovery_path.unlink(missing_ok=True)

    def mark_clean_exit(self) -> None:
        self._autosave.stop()
        self.recovery_path.unlink(missing_ok=True)
        s = settings()
        s.setValue("files/clean_exit", time.time())
        s.sync()
