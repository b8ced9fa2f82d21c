"""Export what is on screen: a PNG of the window or of any dock, a CSV of the history."""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

from PySide6 import QtWidgets

#: Column order of the history CSV; keys a report adds later go after these.
HISTORY_COLUMNS = (
    "epoch",
    "train_loss",
    "train_acc",
    "val_loss",
    "val_acc",
    "samples_seen",
    "seconds",
    "samples_per_second",
)


def export_png(widget: QtWidgets.QWidget, path: str | os.PathLike) -> Path:
    """Render ``widget`` (with its children, as on screen) to a PNG file.

    Works offscreen: ``QWidget.grab`` paints into a pixmap without a visible window.

    Raises
    ------
    OSError
        If the image cannot be written.
    """
    path = Path(path)
    if path.suffix.lower() != ".png":
        path = path.with_suffix(".png")
    pixmap = widget.grab()
    path.parent.mkdir(parents=True, exist_ok=True)
    if pixmap.isNull() or not pixmap.save(str(path), "PNG"):
        raise OSError(f"could not write the image {path}")
    return path


def export_history_csv(history: list[dict], path: str | os.PathLike) -> Path:
    """Write one row per epoch; written to a temp file and renamed so a crash leaves no stub."""
    path = Path(path)
    extra = sorted({k for row in history for k in row} - set(HISTORY_COLUMNS))
    columns = [c for c in HISTORY_COLUMNS] + extra
    fd, tmp = tempfile.mkstemp(prefix=".history-", suffix=".csv", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            for row in history:
                writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in columns})
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
