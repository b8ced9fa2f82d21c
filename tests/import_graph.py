"""The import graph of the ``visualnn`` package, read from the source (nothing is imported).

Every ``import`` and ``from ... import`` counts wherever it stands: at the top of a module,
inside a function, or under ``if TYPE_CHECKING:``. A name imported from a package counts as
its submodule when there is one (``from visualnn.ui import theme`` is an edge to
``visualnn.ui.theme``), else as the package itself.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "visualnn"


@dataclass(frozen=True)
class Edge:
    """``source`` imports ``target`` (``names``: what it takes, empty for ``import x``)."""

    source: str
    target: str
    names: tuple[str, ...]
    line: int


def module_name(path: Path) -> str:
    """``.../visualnn/ui/theme.py`` -> ``"visualnn.ui.theme"`` (a package is its folder)."""
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _known(name: str) -> str | None:
    """The deepest module of ``visualnn`` that ``name`` names or lies in, else None."""
    known = modules()
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


@cache
def imports_of(module: str) -> tuple[Edge, ...]:
    """Every import in ``module``, of anything; ``target`` is the dotted name as written
    (made absolute), or the submodule a ``from`` names."""
    path = modules()[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [Edge(module, alias.name, (), node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(up + ([base] if base else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in modules():
                    out.append(Edge(module, sub, (), node.lineno))
                else:
                    out.append(Edge(module, base, (alias.name,), node.lineno))
    return tuple(out)


def _edges_of(module: str) -> list[Edge]:
    out = []
    for e in imports_of(module):
        target = _known(e.target)
        if target is not None and target != module:
            out.append(Edge(module, target, e.names, e.line))
    return out


@cache
def edges() -> tuple[Edge, ...]:
    return tuple(e for m in modules() for e in _edges_of(m))


def graph() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {m: set() for m in modules()}
    for e in edges():
        out[e.source].add(e.target)
    return out


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iterative), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(g):
        if root in index:
            continue
        work = [(root, iter(sorted(g[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(g[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    m = stack.pop()
                    on_stack.discard(m)
                    group.append(m)
                    if m == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return sorted(found)
