"""The layout of ino_geo.network and ino_geo.analysis: imports point one way, no cycles, small
functions and modules, no park-type names written in their Python code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "ino_geo"
PACKAGES = ("network", "analysis")


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for p in sorted((PKG / pkg).glob("*.py")):
            name = f"ino_geo.{pkg}" if p.stem == "__init__" else f"ino_geo.{pkg}.{p.stem}"
            out[name] = p
    return out


def _imports(path: Path) -> set[str]:
    """Every ino_geo module imported anywhere in the file (inside functions too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "ino_geo":
            found.update(f"ino_geo.{a.name}" for a in node.names)  # from ino_geo import defaults
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ino_geo"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("ino_geo"))
    return found


def test_network_imports_nothing_above_it():
    for name, path in _modules().items():
        if name.startswith("ino_geo.network"):
            above = sorted(m for m in _imports(path) if m.split(".")[1] in ("analysis", "webmap", "cli", "pack"))
            assert not above, f"{name} imports {above}"


def test_no_import_cycle_in_network_and_analysis():
    mods = _modules()
    graph = {name: {m for m in _imports(path) if m in mods and m != name} for name, path in mods.items()}
    state: dict[str, int] = {}

    def visit(node, stack):
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                pytest.fail("import cycle: " + " -> ".join(stack[stack.index(nxt):] + [nxt]))
            if nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


def test_functions_and_modules_are_small():
    for name, path in _modules().items():
        src = path.read_text(encoding="utf-8")
        assert len(src.splitlines()) <= 600, f"{name}: {len(src.splitlines())} lines"
        assert ast.get_docstring(ast.parse(src)), f"{name}: no module docstring"
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                assert n <= 80, f"{name}.{node.name}: {n} lines"


def test_park_type_names_come_from_the_catalogue_only():
    from ino_geo.data.catalogue import load_catalogue

    names = load_catalogue()["parks"].columns["park_type"].allowed
    assert names
    for name, path in _modules().items():
        strings = {n.value for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                   if isinstance(n, ast.Constant) and isinstance(n.value, str)}
        written = sorted(t for t in names if any(t in s for s in strings))
        assert not written, f"{name} writes park types {written}"
