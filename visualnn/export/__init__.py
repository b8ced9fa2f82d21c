"""Models leave the app: a visualnn project as an ONNX model or a PyTorch module file.

``visualnn export M.vnn OUT.onnx`` and ``visualnn export M.vnn OUT.py`` (see ``cli``).
The ONNX writer needs the optional ``onnx`` package (``pip install visualnn[export]``) and
is imported only when used; the PyTorch writer needs only NumPy. Nothing here imports Qt
or torch. ``docs/EXPORT.md`` shows what to do with the files.

Both exporters read an ``ExportNet``: per layer its spec dict and its weights with torch's
names. When the project trains with cross-entropy and the network ends in a softmax, that
softmax is left out, so both files output the logits the loss was computed from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .common import ExportError, ExportNet, from_project, make_export_net, write_atomic

#: Extensions the exporter writes, and what each gives.
FORMATS = {".onnx": "ONNX model", ".py": "PyTorch module (weights in a .npz beside it)"}


def export_files(net: ExportNet, out: str | Path) -> dict[Path, bytes]:
    """The files ``out`` stands for, as bytes: ``{OUT.onnx: ...}`` or ``{OUT.npz, OUT.py}``.

    Raises
    ------
    ExportError
        For an extension other than .onnx / .py, or a network that cannot be exported.
    ImportError
        For .onnx when the ``onnx`` package is missing.
    """
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix == ".onnx":
        from .onnx_export import onnx_bytes

        return {out: onnx_bytes(net)}
    if suffix == ".py":
        from .torch_export import torch_files

        return torch_files(net, out)
    raise ExportError(f"cannot tell the format from '{out.name}': give OUT.onnx or OUT.py")


def export_project(project: Any, out: str | Path) -> list[Path]:
    """Write ``project`` (a loaded ``Project``) to ``out``; returns the files written."""
    files = export_files(from_project(project), out)
    write_atomic(files)
    return list(files)


__all__ = [
    "FORMATS",
    "ExportError",
    "ExportNet",
    "export_files",
    "export_project",
    "from_project",
    "make_export_net",
    "write_atomic",
]
