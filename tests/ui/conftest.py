"""UI test set-up: settings redirected to a temp folder, and no training thread may outlive
its test (on top of the suite-wide Python-thread check in ``tests/conftest.py``)."""

from __future__ import annotations

import pytest
from PySide6 import QtCore


@pytest.fixture(autouse=True)
def temp_settings(tmp_path, qapp):
    """Point QSettings (layout, recent files, recovery folder) at ``tmp_path``."""
    from visualnn.ui import settings

    QtCore.QSettings.setPath(
        QtCore.QSettings.IniFormat, QtCore.QSettings.UserScope, str(tmp_path / "settings")
    )
    settings.settings().clear()
    yield tmp_path / "settings"


@pytest.fixture(autouse=True)
def no_leaked_workers(qapp):
    """Fail a test that leaves a ``TrainingWorker`` QThread running."""
    from visualnn.ui.workers.training import live_workers

    yield
    leaked = live_workers()
    for worker in leaked:
        worker.stop(timeout=2.0)
    assert not leaked, f"training threads left running after the test: {leaked}"


@pytest.fixture
def make_window(qtbot):
    """Factory for a ``MainWindow`` on a preset; windows are closed (force) at teardown."""
    from visualnn.ui.main_window import MainWindow

    windows = []

    def make(preset: str = "xor", answer: str = "discard"):
        window = MainWindow(confirm=lambda parent: answer, restore=False)
        window.session.load_preset(preset)
        qtbot.addWidget(window)
        window.resize(1280, 720)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.force_close = True
        window.close()
