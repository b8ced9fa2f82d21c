"""Film the real window and count how often it visibly changes: the honest "is it live?".

A private Xvfb screen, the window opened there on a project that cannot finish training,
ffmpeg's x11grab at 30 frames a second, and two counts per second of film: the frames that
differ from the one before at all (the window repainted something: a curve grew, a link
changed colour, a number ticked), and the frames that differ in at least 0.3 % of their
pixels (2,800 at 1280x720: the decision boundary or the feature maps moved; a few changing
digits in a status line do not count). What moves depends on the network: once it has
learned, its boundary and activations hardly change and only the curves and numbers do.
Needs Xvfb and ffmpeg (Debian: xvfb, ffmpeg).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

FPS = 30
MIN_CHANGED = 0.003
LONG_RUN_EPOCHS = 1_000_000


def long_project(preset: str, folder: Path) -> Path:
    """A project of ``preset`` with an epoch budget no film outlasts."""
    from visualnn.presets import build_preset
    from visualnn.project import Project, dataset_fields, save_project

    model, ds, config = build_preset(preset)
    config.epochs = LONG_RUN_EPOCHS
    path = folder / f"{preset}-long.vnn"
    meta = {"preset": preset}
    save_project(path, Project.from_model(model, config=config.to_dict(), meta=meta,
                                          **dataset_fields(ds)))  # fmt: skip
    return path


def count_updates(frames, size: tuple[int, int]) -> list[float]:
    """Changed fraction of each frame against the one before (raw RGB24 byte frames)."""
    w, h = size
    fractions, prev = [], None
    for buf in frames:
        cur = np.frombuffer(buf, np.uint8).reshape(h, w, 3)
        if prev is not None:
            fractions.append(float(np.count_nonzero((cur != prev).any(axis=2))) / (w * h))
        prev = cur
    return fractions


def _frames(proc, size):
    n = size[0] * size[1] * 3
    while True:
        buf = proc.stdout.read(n)
        if len(buf) < n:
            return
        yield buf


def film_window(preset: str, size_text: str, start: float, seconds: float,
                extra: list[str] | None = None) -> dict[str, float]:  # fmt: skip
    """Film the window training ``preset`` from ``start`` seconds after it is launched.

    Returns
    -------
    dict
        ``changed_per_second`` (frames that differ at all) and ``visible_updates_per_second``
        (frames that differ in at least ``MIN_CHANGED`` of their pixels), each at most
        ``FPS``.
    """
    for tool in ("Xvfb", "ffmpeg"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} is missing: sudo apt-get install -y xvfb ffmpeg")
    w, h = (int(v) for v in size_text.split("x"))
    display = f":{60 + os.getpid() % 30}"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", f"{w}x{h}x24", "-nolisten", "tcp"],
                            stderr=subprocess.DEVNULL)  # fmt: skip
    app = None
    with tempfile.TemporaryDirectory() as tmp:
        try:
            time.sleep(1.0)
            project = long_project(preset, Path(tmp))
            env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb")
            train = str(start + seconds + 5)
            cmd = [sys.executable, "-m", "visualnn", "--open", str(project),
                   "--train-seconds", train, "--size", size_text, "--quit",
                   *(extra or [])]  # fmt: skip
            app = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)  # fmt: skip
            time.sleep(start)
            # Every other pixel of every other row (nearest neighbour, exact values): a
            # quarter of the bytes to compare. Counting full 1920x1080 frames took half a core
            # and fell behind; ffmpeg then repeated frames to keep its rate, and repeats look
            # like a frozen window.
            ff = subprocess.Popen(
                ["ffmpeg", "-loglevel", "error", "-f", "x11grab", "-framerate", str(FPS),
                 "-video_size", size_text, "-i", display, "-t", str(seconds),
                 "-vf", "scale=iw/2:ih/2:flags=neighbor", "-f", "rawvideo",
                 "-pix_fmt", "rgb24", "-"], stdout=subprocess.PIPE)  # fmt: skip
            fractions = count_updates(_frames(ff, (w // 2, h // 2)), (w // 2, h // 2))
            ff.wait()
        finally:
            if app is not None and app.poll() is None:
                app.terminate()
                try:
                    app.wait(10)
                except subprocess.TimeoutExpired:
                    app.kill()
            xvfb.terminate()
            xvfb.wait(5)
    return {
        "changed_per_second": sum(f > 0 for f in fractions) / seconds,
        "visible_updates_per_second": sum(f >= MIN_CHANGED for f in fractions) / seconds,
    }
