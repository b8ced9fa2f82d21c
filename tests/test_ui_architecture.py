"""The layers inside ``visualnn.ui`` (DESIGN.md, "Rules the tree shows"), read from the source.

- ``ui/model`` holds state and undo commands: no widget, no pyqtgraph, and nothing of the
  UI outside ``ui/model``.
- Views draw from the model: never a panel, the graph editor or the main window.
- Panels edit through the model. They may hold a whole view widget (the Microphone panel
  shows the spectrogram view) but never use a view's or the graph's helpers, and never reach
  into another panel: a panel's parts belong to that panel alone (``fields`` is shared).
- Graph items draw and take gestures: never a panel or the main window.
- The training process and the live sound hand over snapshots: no view, panel, graph or
  widget.
- Benchmarks live in ``visualnn/bench`` and nothing else imports them.

Every import counts, also those inside functions.
"""

from __future__ import annotations

import importlib

import pytest
from import_graph import ROOT, Edge, imports_of, modules

UI = "visualnn.ui"
#: Panels of the window (the docks' forms); every other module in ui/panels is a part.
PANELS = ("training", "data", "inspector", "microphone", "sound_classes")
#: Parts every panel may use.
SHARED_PARTS = ("fields",)
#: Non-widget classes of QtGui the model may use (undo).
MODEL_QTGUI = {"QUndoStack", "QUndoCommand"}


def _in(package: str) -> list[str]:
    return [m for m in modules() if m == package or m.startswith(package + ".")]


def _imports(package: str) -> list[Edge]:
    return [e for m in _in(package) for e in imports_of(m)]


def _under(name: str, *packages: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def _show(bad: list[Edge]) -> list[str]:
    return [f"{e.source}:{e.line} imports {e.target} {list(e.names) or ''}" for e in bad]


def test_the_packages_named_here_exist():
    for package in ("model", "views", "panels", "graph", "training"):
        assert _in(f"{UI}.{package}"), package
    for panel in PANELS + SHARED_PARTS:
        assert f"{UI}.panels.{panel}" in modules(), panel
    assert (ROOT / "ui" / "main_window.py").exists()


def test_model_imports_no_widget_no_plot_and_no_other_ui_layer():
    bad = [
        e
        for e in _imports(f"{UI}.model")
        if _under(e.target, "pyqtgraph", "PySide6.QtWidgets")
        or (_under(e.target, "PySide6.QtGui") and not set(e.names) <= MODEL_QTGUI)
        or (e.target == "PySide6" and set(e.names) - {"QtCore"})
        or (_under(e.target, UI) and not _under(e.target, f"{UI}.model"))
    ]
    assert not bad, _show(bad)


@pytest.mark.parametrize(
    "package, banned",
    [
        ("views", ("panels", "graph", "main_window")),
        ("graph", ("panels", "main_window")),
        ("panels", ("main_window",)),
        ("training", ("views", "panels", "graph", "main_window", "model")),
        ("live_audio", ("views", "panels", "graph", "main_window")),
        ("live_input", ("views", "panels", "graph", "main_window")),
    ],
)
def test_lower_layers_never_import_higher_ones(package, banned):
    bad = [
        e for e in _imports(f"{UI}.{package}") if _under(e.target, *(f"{UI}.{b}" for b in banned))
    ]
    assert not bad, _show(bad)


@pytest.mark.parametrize("package", ["training", "live_audio", "live_input"])
def test_training_and_live_sound_use_no_widgets(package):
    bad = [
        e
        for e in _imports(f"{UI}.{package}")
        if _under(e.target, "pyqtgraph", "PySide6.QtWidgets", "PySide6.QtGui")
        or (e.target == "PySide6" and set(e.names) - {"QtCore"})
    ]
    assert not bad, _show(bad)


def test_the_training_process_imports_no_qt_at_all():
    bad = [e for e in _imports(f"{UI}.training") if _under(e.target, "PySide6", "shiboken6")]
    assert not bad, _show(bad)


def test_panels_take_only_whole_widgets_from_views_and_graph():
    from PySide6 import QtWidgets

    bad = []
    for e in _imports(f"{UI}.panels"):
        if not _under(e.target, f"{UI}.views", f"{UI}.graph"):
            continue
        if not e.names:  # "import visualnn.ui.views.x" or a whole module: its helpers too
            bad.append(e)
            continue
        module = importlib.import_module(e.target)
        for name in e.names:
            obj = getattr(module, name)
            if not (isinstance(obj, type) and issubclass(obj, QtWidgets.QWidget)):
                bad.append(Edge(e.source, e.target, (name,), e.line))
    assert not bad, _show(bad)


def _panel_internal_graph() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for m in _in(f"{UI}.panels"):
        short = m.rpartition(".")[2]
        out[short] = {
            e.target.rpartition(".")[2]
            for e in imports_of(m)
            if _under(e.target, f"{UI}.panels") and e.target != f"{UI}.panels"
        }
    return out


def test_no_panel_imports_another_panel():
    g = _panel_internal_graph()
    bad = [
        f"{src} imports the {dst} panel" for src, dsts in g.items() for dst in dsts if dst in PANELS
    ]
    assert not bad, bad


def test_each_part_belongs_to_one_panel():
    g = _panel_internal_graph()
    owners: dict[str, set[str]] = {}
    for panel in PANELS:
        seen, todo = set(), [panel]
        while todo:
            for dst in g[todo.pop()] - seen:
                seen.add(dst)
                todo.append(dst)
        for part in seen:
            owners.setdefault(part, set()).add(panel)
    shared = {p: sorted(o) for p, o in owners.items() if len(o) > 1 and p not in SHARED_PARTS}
    assert not shared, f"parts used by more than one panel (move them to ui/widgets.py): {shared}"


def test_benchmarks_live_in_bench_and_nothing_imports_them():
    stray = [m for m in modules() if "bench" in m.rpartition(".")[2] and ".bench" not in m]
    assert not stray, stray
    bad = [
        e
        for m in modules()
        if not _under(m, "visualnn.bench")
        for e in imports_of(m)
        if _under(e.target, "visualnn.bench")
    ]
    assert not bad, _show(bad)
