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


@pytest.fixture
def make_window(qtbot, tmp_path):
    """Factory for a ``MainWindow`` on a preset; windows are closed (force) at teardown."""
    from visualnn.ui.main_window import MainWindow

    windows = []

    def make(preset: str = "xor", answer: str = "discard"):
        window = MainWindow(
            confirm=lambda parent: answer, restore=False, store_dir=tmp_path / "sounds"
        )
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


@pytest.fixture
def xor_session(qtbot):
    """A 2-6-4-2 tanh/relu/softmax MLP on XOR (see ``views_helpers.XOR_SPEC``)."""
    from views_helpers import XOR_SPEC, make_session

    return make_session(qtbot, XOR_SPEC, "xor", (2,))


@pytest.fixture
def cnn_session(qtbot):
    """A small conv/pool/conv/dense network on 8x8 digit images (``views_helpers.CNN_SPEC``)."""
    from views_helpers import CNN_SPEC, make_session

    return make_session(qtbot, CNN_SPEC, "digits_images", (1, 8, 8))


@pytest.fixture
def themed(qapp):
    """The app's own look (the suite runs without it), put back afterwards."""
    from visualnn.ui import restyle, theme

    saved = (theme.NAME, theme.BASE_POINT_SIZE, theme.MIN_POINT_SIZE)
    look = (qapp.font(), qapp.palette(), qapp.styleSheet(), qapp.style().name())
    restyle.apply(qapp, "dark", 12, floor=0.0)
    yield theme
    restyle.apply(qapp, saved[0], saved[1], floor=saved[2])
    qapp.setStyleSheet(look[2])
    qapp.setStyle(look[3])
    qapp.setPalette(look[1])
    qapp.setFont(look[0])


@pytest.fixture
def proc():
    """A ``TrainerProcess`` (its child starts on first use), closed at teardown."""
    from visualnn.ui.training import TrainerProcess

    p = TrainerProcess()
    yield p
    p.close()
