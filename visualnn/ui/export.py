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


def export_model(project, path: str | os.PathLike) -> tuple[str, str]:
    """Write ``project``'s network as ONNX (``.onnx``) or a PyTorch module (``.py``).

    Returns ``(message, kind)`` for the banner; never raises for a user's mistake.
    """
    from visualnn.export import ExportError, export_files, from_project, write_atomic

    path = Path(path)
    if path.suffix.lower() not in (".onnx", ".py"):
        return f"Cannot tell the format from {path.name}: choose a .onnx or .py name.", "error"
    try:
        files = export_files(from_project(project), path)
        write_atomic(files)
    except ExportError as exc:
        return f"Could not export the model: {exc}", "error"
    except ImportError:
        return ("Exporting to ONNX needs the onnx package: pip install 'visualnn[export]'."
                , "error")  # fmt: skip
    names = " and ".join(p.name for p in files)
    return f"Wrote {names}.", "info"


def export_sounds(project_state, folder: str | os.PathLike) -> tuple[str, str]:
    """Write the project's sound clips as a folder of WAVs (Speech Commands layout)."""
    from visualnn.engine import SpecError
    from visualnn.export.sounds import export_clips

    ds = project_state.dataset
    if ds is None or ds.clips is None:
        return "This project has no sound clips to export (choose a sound data set).", "warning"
    params = project_state.dataset_params
    try:
        n = export_clips(ds.clips, folder, float(params.get("train_ratio", 0.8)),
                         int(params.get("seed", 0)))  # fmt: skip
    except SpecError as exc:
        return str(exc)[:1].upper() + str(exc)[1:], "error"
    return f"Wrote {n} clips to {folder} (one folder per class).", "info"
