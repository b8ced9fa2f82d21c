"""The layering rules of DESIGN.md: engine, audio and data never touch Qt or sound devices."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "visualnn"
FORBIDDEN = ("PySide6", "pyqtgraph", "sounddevice", "shiboken6")


def test_headless_packages_load_no_gui_or_audio_modules():
    mods = [
        "visualnn.engine",
        "visualnn.data",
        "visualnn.project",
        "visualnn.presets",
        "visualnn.export",
    ]
    if (ROOT / "audio" / "features.py").exists():
        mods.append("visualnn.audio.features")
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in mods)
        + f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
        "print('BAD', bad)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("BAD []"), proc.stdout


IMPORT = re.compile(r"^\s*(?:import|from)\s+([\w.]+)", re.MULTILINE)


def imports_of(path: Path) -> set[str]:
    return {m.group(1) for m in IMPORT.finditer(path.read_text(encoding="utf-8"))}


@pytest.mark.parametrize(
    "package, banned",
    [
        ("engine", ("PySide6", "pyqtgraph", "sounddevice", "visualnn.ui", "visualnn.audio")),
        ("audio", ("PySide6", "pyqtgraph", "visualnn.ui")),
        ("data", ("PySide6", "pyqtgraph", "visualnn.ui")),
    ],
)
def test_source_never_imports_banned_modules(package, banned):
    files = sorted((ROOT / package).rglob("*.py"))
    assert files or package == "audio"
    bad = [
        f"{f.relative_to(ROOT.parent)} imports {name}"
        for f in files
        for name in imports_of(f)
        if name.startswith(banned)
    ]
    assert not bad, bad


def test_project_module_never_imports_qt():
    names = imports_of(ROOT / "project.py") | imports_of(ROOT / "presets.py")
    assert not [n for n in names if n.startswith(("PySide6", "pyqtgraph", "visualnn.ui"))]


def test_sounddevice_only_inside_the_audio_sources():
    users = [
        f.relative_to(ROOT).as_posix() for f in ROOT.rglob("*.py") if "sounddevice" in imports_of(f)
    ]
    assert all(u.startswith("audio/") for u in users), users


def test_no_import_cycle_inside_visualnn():
    """Modules form layers: no module reaches itself through its imports, counting the
    imports inside functions and under TYPE_CHECKING too (a cycle there is still a
    knot a reader has to untie, and an import-order trap)."""
    from import_graph import cycles, graph, modules

    assert len(modules()) > 100  # the walk found the package
    found = cycles(graph())
    assert not found, "import cycles: " + "; ".join(" <-> ".join(c) for c in found)


def test_the_import_graph_sees_every_kind_of_import():
    from import_graph import edges

    seen = {(e.source, e.target) for e in edges()}
    # a relative import, a function-level import, and a name that is a submodule
    assert ("visualnn.engine.spec", "visualnn.engine.errors") in seen
    assert ("visualnn.ui.model.project_state", "visualnn.presets") in seen
    assert ("visualnn.ui.export_actions", "visualnn.ui.export") in seen  # from ui import export
