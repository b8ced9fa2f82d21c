"""Render the README's screenshots (offscreen) into docs/screenshots/.

Run: ``.venv/bin/python docs/make_screenshots.py``. Each picture is the real window after real
training, at a wall screen's 1920x1080 and a projector's 1280x720.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "screenshots"
SIZES = {"1920": "1920x1080", "1280": "1280x720"}

#: name -> window arguments; the CLI's own --screenshot path makes them.
SHOTS = {
    "main": ["--preset", "xor", "--train-seconds", "4"],
    "digits-cnn": ["--preset", "digits-cnn", "--train-seconds", "3"],
    "neuron": ["--preset", "xor", "--train-seconds", "3", "--select", "1:3"],
    "conv-neuron": ["--preset", "digits-cnn", "--train-seconds", "3", "--select", "1:2,3,4"],
}

DIVERGE = """
import sys
from PySide6 import QtCore, QtWidgets
from visualnn.ui import theme
from visualnn.ui.main_window import MainWindow
from visualnn.ui.export import export_png

app = QtWidgets.QApplication(sys.argv[:1])
theme.apply(app)
w, h = (int(v) for v in sys.argv[2].split("x"))
window = MainWindow(restore=False)
window.force_close = True
window.session.load_preset("sum")
window.resize(w, h)
window.show()
app.processEvents()
window.reset_layout()
window.resize(w, h)
# A linear output with squared error and a huge learning rate: what a student might try.
window.session.document.set_option(1, "activation", None)
window.training_panel.lr.setValue(1e6)
window.session.training_state_changed.connect(
    lambda s: QtCore.QTimer.singleShot(800, lambda: (export_png(window, sys.argv[1]), app.quit()))
    if s == "diverged" else None
)
QtCore.QTimer.singleShot(200, window.actions["play"].trigger)
QtCore.QTimer.singleShot(20000, app.quit)
app.exec()
"""


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for suffix, size in SIZES.items():
        for name, args in SHOTS.items():
            path = OUT / f"{name}-{suffix}.png"
            cmd = [sys.executable, "-m", "visualnn", *args, "--size", size]
            subprocess.run([*cmd, "--screenshot", str(path), "--quit"], env=env, check=True)
        path = OUT / f"divergence-{suffix}.png"
        subprocess.run([sys.executable, "-c", DIVERGE, str(path), size], env=env, check=True)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
