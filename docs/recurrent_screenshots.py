"""Render the recurrent views' screenshots (offscreen) into docs/screenshots/recurrent-*.png.

Run: ``QT_QPA_PLATFORM=offscreen python docs/recurrent_screenshots.py [outdir]``. The real
window on the parity-rnn preset after real training, a GRU unit selected at a middle step:
once with the state and gate maps, once unrolled in time, at 1920x1080 and 1280x720.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6 import QtWidgets  # noqa: E402

OUT = Path(__file__).resolve().parent / "screenshots"
SIZES = {"1920": (1920, 1080), "1280": (1280, 720)}
TRAIN_SECONDS = 6.0  # parity-rnn has found the flip by then (100 % held out)


def settle(app, frames: int = 30) -> None:
    from visualnn.ui.pacing import frame_clock

    for _ in range(frames):
        app.processEvents()
        frame_clock().tick()


def train_in_window(app, window, seconds: float) -> None:
    """Press Play, let the training process run ``seconds``, then pause (as a teacher)."""
    from PySide6 import QtCore

    loop = QtCore.QEventLoop()
    QtCore.QTimer.singleShot(int(seconds * 1000), loop.quit)
    window.session.inspect.training_state_changed.connect(
        lambda state: loop.quit() if state == "finished" else None
    )
    window.actions["play"].trigger()
    loop.exec()  # the window's own event loop: training and the views run as in class
    window.controller.pause()
    settle(app)


def shoot(app, out: Path, preset: str, unit: tuple, seconds: float) -> None:
    from visualnn.ui.docks import content
    from visualnn.ui.export import export_png
    from visualnn.ui.main_window import MainWindow

    for suffix, (w, h) in SIZES.items():
        window = MainWindow(restore=False)
        window.force_close = True
        window.session.load_preset(preset)
        window.resize(w, h)
        window.show()
        app.processEvents()
        window.reset_layout()
        window.resize(w, h)
        train_in_window(app, window, seconds)
        window.session.inspect.select(0, unit)
        settle(app)
        export_png(window, out / f"recurrent-{preset}-{suffix}.png")
        content(window.docks["recurrent"]).unroll_check.setChecked(True)
        settle(app)
        export_png(window, out / f"recurrent-{preset}-unrolled-{suffix}.png")
        window.close()


def main() -> int:
    from visualnn.ui import restyle

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    restyle.apply(app)
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    out.mkdir(parents=True, exist_ok=True)
    shoot(app, out, "parity-rnn", (3, 2), TRAIN_SECONDS)
    print(f"wrote recurrent-*.png to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
