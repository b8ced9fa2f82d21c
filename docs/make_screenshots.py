"""Render the README's and the classroom screenshots (offscreen) into docs/screenshots/.

Run: ``.venv/bin/python docs/make_screenshots.py [main|present|docks|sounds ...]``. Each picture is
the real window after real training: the README's at a wall screen's 1920x1080 and a
projector's 1280x720 (``slow-motion-*``: the digits CNN a batch at a time);
``present-<preset>-1280.png`` every preset in presentation mode (F5)
at 1280x720; ``dock-<name>-1280.png`` every panel and view as a 1280x720 window shows it;
``sounds-training-*`` and ``sounds-live-*`` a CNN trained on the spoken-words set (made with
espeak-ng, trained with ``visualnn train``: two minutes) training on, and listening to a
test speaker's word played from a WAV file, as the live input.
PNGs are stored with a 256-colour palette (Qt's own quantisation): a third of the size.
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
    "crnn": ["--preset", "sounds-crnn", "--train-seconds", "4", "--select", "6:3"],
}

COMPACT = """
import sys
import numpy as np
from PySide6 import QtCore, QtGui
# A 256-colour palette of each picture's most used colours (a UI is mostly flat colours),
# every pixel mapped to the nearest: text edges lose a little, the file two thirds.
for path in sys.argv[1:]:
    image = QtGui.QImage(path).convertToFormat(QtGui.QImage.Format_RGB32)
    pixels = np.frombuffer(image.constBits(), np.uint32, image.width() * image.height())
    colours, counts = np.unique(pixels, return_counts=True)
    table = [int(c) for c in colours[np.argsort(-counts)[:256]]]
    flags = QtCore.Qt.ThresholdDither | QtCore.Qt.AvoidDither
    image.convertToFormat(QtGui.QImage.Format_Indexed8, table, flags).save(path, "PNG", 0)
"""

#: The start of a scripted window (argv: PNG, SIZE, ...): a fresh window of that size on the
#: demo, laid out as a first start would be.
WINDOW = """
import sys
from PySide6 import QtCore, QtWidgets
from visualnn.ui import restyle
from visualnn.ui.main_window import MainWindow
from visualnn.ui.export import export_png

app = QtWidgets.QApplication(sys.argv[:1])
restyle.apply(app)
w, h = (int(v) for v in sys.argv[2].split("x"))
window = MainWindow(restore=False)
window.force_close = True
window.resize(w, h)
window.show()
app.processEvents()
window.reset_layout()
window.resize(w, h)
"""

DIVERGE = (
    WINDOW
    + """
window.session.load_preset("sum")
# A linear output with squared error and a huge learning rate: what a student might try.
window.session.project.document.set_option(1, "activation", None)
window.training_panel.lr.setValue(1e6)
window.session.inspect.training_state_changed.connect(
    lambda s: QtCore.QTimer.singleShot(800, lambda: (export_png(window, sys.argv[1]), app.quit()))
    if s == "diverged" else None
)
QtCore.QTimer.singleShot(200, window.actions["play"].trigger)
QtCore.QTimer.singleShot(20000, app.quit)
app.exec()
"""
)

#: Slow motion on the digits CNN: five batches a second, shot six seconds in, while it still
#: names some of each batch wrong (the strip atop the Activations).
SLOW = (
    WINDOW
    + """
window.session.load_preset("digits-cnn")
window.reset_layout()
window.session.project.set_speed("batches-5")
QtCore.QTimer.singleShot(200, window.controller.play)
QtCore.QTimer.singleShot(6200, lambda: (export_png(window, sys.argv[1]), app.quit()))
app.exec()
"""
)

#: The trained words model (argv[3]), given ten more epochs and shot four seconds into them.
SOUND_TRAINING = (
    WINDOW
    + """
assert window.files.open(sys.argv[3], ask=False)
window.controller.update_config(epochs=window.session.project.config.epochs + 10)
QtCore.QTimer.singleShot(200, window.controller.play)
QtCore.QTimer.singleShot(4200, lambda: (export_png(window, sys.argv[1]), app.quit()))
app.exec()
"""
)

#: The trained words model (argv[3]) listening to a WAV (argv[4]): shot while the word in it
#: (argv[5]) leads the bars, or after ten seconds whatever it hears.
SOUND_LIVE = (
    WINDOW
    + """
import time
from visualnn.commands.listen import make_source

assert window.files.open(sys.argv[3], ask=False)
window.docks["microphone"].widget().widget().set_source(make_source("file:" + sys.argv[4]))
window.live_input.set_live(True)
bars, start = window.docks["sounds"].widget().widget().bars, time.monotonic()


def check():
    waited = time.monotonic() - start
    if (bars.top == sys.argv[5] and waited > 1.2) or waited > 10:
        QtCore.QTimer.singleShot(150, lambda: (export_png(window, sys.argv[1]), app.quit()))
    else:
        QtCore.QTimer.singleShot(50, check)


check()
app.exec()
"""
)

#: Which preset each dock is pictured with (the boundary needs 2-D data, the sound panels a
#: sound project) and the unit selected for Neuron math.
DOCK_PRESETS = {
    "xor": ["training", "inspector", "layers", "plots", "boundary", "neuron"],
    "digits-cnn": ["data", "activations", "weights", "predictions"],
    "sounds-cnn": ["microphone", "sounds"],
}

DOCKS = """
import sys
from PySide6 import QtCore, QtWidgets
from visualnn.audio.sources import SynthSource
from visualnn.ui import restyle
from visualnn.ui.main_window import MainWindow
from visualnn.ui.pacing import frame_clock

out, preset, keys = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
app = QtWidgets.QApplication(sys.argv[:1])
restyle.apply(app)
window = MainWindow(restore=False)
window.force_close = True
window.session.load_preset(preset)
window.resize(1280, 720)
window.show()
app.processEvents()
window.reset_layout()
window.resize(1280, 720)
mic = window.docks["microphone"].widget().widget()
mic.set_source(SynthSource("chord", samplerate=16000, realtime=False, block=1600))


def settle(ms=400):
    end = QtCore.QDeadlineTimer(ms)
    while not end.hasExpired():
        app.processEvents()
        frame_clock().tick()


def shoot():
    window.controller.pause()
    for key in keys:
        window.views.set_shown(key)
        if key == "neuron":
            window.session.inspect.select(0, (2,))
        if key == "microphone":
            mic.start()
            for _ in range(20):
                window.live_audio.tick()
        settle()
        path = f"{out}/dock-{key}-1280.png"
        window.docks[key].grab().save(path)
        print(f"wrote {path}")
    app.quit()


QtCore.QTimer.singleShot(0, window.controller.play)
QtCore.QTimer.singleShot(3000, shoot)
app.exec()
mic.stop()
"""


def _run(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, *args], env=env, check=True)


def _word_wav(words: Path, out: Path, label: str = "right") -> None:
    """A test speaker's ``label`` clip three times, 0.6 s into ``out`` and half a second
    apart, with the clip's own quiet background around it: several chances for the shot."""
    import numpy as np

    from visualnn.audio.wavio import read_wav, write_wav

    test = (words / "testing_list.txt").read_text().split()
    x, sr = read_wav(words / next(t for t in test if t.startswith(f"{label}/")))
    x = x.reshape(len(x), -1)[:, 0]
    tenth = x[: len(x) // 10 * 10].reshape(10, -1)
    quiet = tenth[np.argmin(np.mean(tenth**2, axis=1))]  # its quietest 100 ms
    lead, gap = np.resize(quiet, int(0.6 * sr)), np.resize(quiet, sr // 2)
    write_wav(out, np.concatenate([lead, x, gap, x, gap, x, gap]), sr)


def sound_shots(env: dict) -> list[Path]:
    """The sound model training and listening, at both sizes."""
    import tempfile

    written = []
    with tempfile.TemporaryDirectory(prefix="vnn-shots-") as tmp:
        words, model, wav = Path(tmp, "words"), Path(tmp, "words.vnn"), Path(tmp, "right.wav")
        _run(env, "-m", "visualnn", "bench-words", "make", str(words))
        _run(env, "-m", "visualnn", "train", "sounds-cnn", "--data", str(words), "--out",
             str(model), "--quiet")  # fmt: skip
        _word_wav(words, wav)
        for suffix, size in SIZES.items():
            path = OUT / f"sounds-training-{suffix}.png"
            _run(env, "-c", SOUND_TRAINING, str(path), size, str(model))
            path = OUT / f"sounds-live-{suffix}.png"
            _run(env, "-c", SOUND_LIVE, str(path), size, str(model), str(wav), "right")
            written += [OUT / f"sounds-{name}-{suffix}.png" for name in ("training", "live")]
    return written


def main(parts: list[str]) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    written: list[Path] = []
    if "main" in parts:
        for suffix, size in SIZES.items():
            for name, args in SHOTS.items():
                path = OUT / f"{name}-{suffix}.png"
                _run(env, "-m", "visualnn", *args, "--size", size, "--screenshot", str(path),
                     "--quit")  # fmt: skip
                written.append(path)
            path = OUT / f"divergence-{suffix}.png"
            _run(env, "-c", DIVERGE, str(path), size)
            written.append(path)
            path = OUT / f"slow-motion-{suffix}.png"
            _run(env, "-c", SLOW, str(path), size)
            written.append(path)
    if "present" in parts:
        from visualnn.presets import PRESETS

        for preset in PRESETS:
            path = OUT / f"present-{preset}-1280.png"
            _run(env, "-m", "visualnn", "--preset", preset, "--train-seconds", "3", "--size",
                 "1280x720", "--present", "--screenshot", str(path), "--quit")  # fmt: skip
            written.append(path)
    if "docks" in parts:
        for preset, keys in DOCK_PRESETS.items():
            _run(env, "-c", DOCKS, str(OUT), preset, ",".join(keys))
            written += [OUT / f"dock-{key}-1280.png" for key in keys]
    if "sounds" in parts:
        written += sound_shots(env)
    _run(env, "-c", COMPACT, *map(str, written))
    print(f"{len(written)} pictures, {sum(p.stat().st_size for p in written) / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:] or ["main", "present", "docks", "sounds"]))
