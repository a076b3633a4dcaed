"""The architecture of ino_geo, checked from the source with ``ast``.

* No import cycle between modules, counting every import: at the top, inside functions,
  relative and absolute, and names reached through the flat namespace (``import ino_geo;
  ino_geo.coverage(...)`` or ``from ino_geo import coverage`` is an import of the module
  ``ino_geo/__init__.py`` maps the name to). Imports under ``if TYPE_CHECKING:`` never run
  and are not counted.
* Layers point one way: core (``_errors, _json, _version, crs, defaults``) <- ``data`` <-
  ``network`` <- ``analysis`` <- ``engine`` <- ``webmap`` <- ``pack`` <- ``cli`` (``engine``: where an
  analysis runs; ``ino_geo.coverage`` is its engine-aware entry point); ``webmap`` imports neither
  ``analysis`` nor ``network`` (maps take results, they do not compute them).
* No function over 80 lines (its docstring not counted), no module over 600 lines.
* One place per value: the park types live in ``layers/catalogue.toml`` (no Python file of
  ``cli/`` names one; each name is a string constant of at most one Python file), the default
  walking speed in ``ino_geo/defaults.py`` (the only Python file with the number).

``pack`` and ``mapdata`` form the workflow layer above analysis and webmap.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import ino_geo
from ino_geo import defaults

PKG = Path(ino_geo.__file__).resolve().parent
ROOT = "ino_geo"
LAYERS = ["core", "data", "network", "analysis", "engine", "webmap", "pack", "cli"]
CORE = {"_errors", "_json", "_version", "crs", "defaults"}
#: Modules above analysis and webmap that run analyses for maps and packs.
WORKFLOWS = {"pack", "mapdata"}
MAX_FUNCTION_LINES = 80
MAX_MODULE_LINES = 600


# ------------------------------------------------------------------------- the graph


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PKG.rglob("*.py"))}


MODULES = all_modules()


def lazy_names() -> dict[str, str]:
    """``ino_geo/__init__.py``'s flat namespace: public name -> defining module."""
    tree = ast.parse((PKG / "__init__.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "_LAZY":
            table = ast.literal_eval(node.value)
            return {name: f"{ROOT}.{mod}" for name, mod in table.items()}
    raise AssertionError("ino_geo/__init__.py has no _LAZY table")


LAZY = lazy_names()


def _runtime_nodes(tree: ast.AST):
    """Every node, except what sits under ``if TYPE_CHECKING:``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def _resolve(name: str) -> str | None:
    """The ino_geo module `name` denotes (a module, or the package of a dotted name)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _target(importer: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = importer if MODULES[importer].name == "__init__.py" else importer.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def imports_of(name: str, text: str | None = None) -> set[str]:
    """The ino_geo modules that module `name` (or the source `text` placed there) imports,
    the flat namespace resolved."""
    tree = ast.parse(text if text is not None else MODULES[name].read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in _runtime_nodes(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _target(name, node)
            for a in node.names:
                full = f"{base}.{a.name}"
                if full in MODULES:
                    targets.append(full)
                elif base == ROOT and a.name in LAZY:
                    targets.append(LAZY[a.name])
                else:
                    targets.append(base)
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == ROOT
              and node.attr in LAZY):
            targets = [LAZY[node.attr]]
        for t in targets:
            if t == ROOT or t.startswith(ROOT + "."):
                resolved = _resolve(t)
                if resolved and resolved != name and resolved != ROOT:
                    out.add(resolved)
    return out


GRAPH = {name: imports_of(name) for name in MODULES if name != ROOT}


def layer_of(name: str) -> str:
    parts = name.split(".")
    if len(parts) == 1:
        return "facade"
    if parts[1] in CORE:
        return "core"
    if parts[1] in WORKFLOWS:
        return "pack"
    return parts[1]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _mine(name: str) -> bool:
    """Modules already restructured: core, data, cli (and the facade)."""
    return layer_of(name) in ("core", "data", "cli", "facade")


# ------------------------------------------------------------------------- self-tests


def test_the_graph_sees_every_kind_of_import():
    """The graph builder finds imports inside functions, relative ones and flat names."""
    assert "ino_geo.data.catalogue" in GRAPH["ino_geo.data.validate"]  # absolute, top level
    assert "ino_geo.cli.options" in GRAPH["ino_geo.cli.cmd_coverage"]  # relative
    assert "ino_geo.data.layers" in GRAPH["ino_geo.cli.state"]  # inside a function
    assert "ino_geo.defaults" in GRAPH["ino_geo.cli.options"]  # from ino_geo import defaults
    source = ("import ino_geo\n"
              "from typing import TYPE_CHECKING\n"
              "if TYPE_CHECKING:\n    import ino_geo.webmap\n"
              "def f():\n    from ..data import layers\n    from ino_geo import load_catalogue\n"
              "    return ino_geo.coverage, layers, load_catalogue\n")
    assert imports_of("ino_geo.cli.cmd_build", source) == {
        "ino_geo.data.layers", LAZY["coverage"], LAZY["load_catalogue"]}
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


# ------------------------------------------------------------------------- cycles


def test_no_import_cycle_in_core_data_cli():
    mine = {m: {t for t in ts if _mine(t)} for m, ts in GRAPH.items() if _mine(m)}
    assert cycles(mine) == []


def test_no_import_cycle():
    assert cycles(GRAPH) == []


# ------------------------------------------------------------------------- layers


def _layer_violations(modules) -> list[str]:
    rank = {layer: i for i, layer in enumerate(LAYERS)}
    bad = []
    for m in modules:
        lm = layer_of(m)
        if lm == "facade":
            continue
        for t in sorted(GRAPH[m]):
            lt = layer_of(t)
            if lt == "facade":
                continue
            if rank[lt] > rank[lm]:
                bad.append(f"{m} ({lm}) imports {t} ({lt})")
            elif lm == "webmap" and lt in ("analysis", "network"):
                bad.append(f"{m} (webmap) imports {t} ({lt}): maps take results, they do not compute them")
    return bad


def test_layers_point_one_way_in_core_data_cli():
    assert _layer_violations([m for m in GRAPH if _mine(m)]) == []


def test_layers_point_one_way():
    assert _layer_violations(GRAPH) == []


def test_every_module_is_in_a_layer():
    assert {layer_of(m) for m in GRAPH} <= set(LAYERS)


# ------------------------------------------------------------------------- sizes


@dataclass
class Sizes:
    long_functions: list[str] = field(default_factory=list)
    long_modules: list[str] = field(default_factory=list)


def sizes(modules) -> Sizes:
    out = Sizes()
    for name in modules:
        path = MODULES[name]
        text = path.read_text(encoding="utf-8")
        n = len(text.splitlines())
        if n > MAX_MODULE_LINES:
            out.long_modules.append(f"{path.relative_to(PKG.parent)}: {n} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                doc = node.body[0] if node.body else None
                if isinstance(doc, ast.Expr) and isinstance(getattr(doc, "value", None), ast.Constant) \
                        and isinstance(doc.value.value, str):
                    length -= doc.end_lineno - doc.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    out.long_functions.append(f"{path.relative_to(PKG.parent)}:{node.lineno} {node.name}: {length} lines")
    return out


def test_sizes_in_core_data_cli():
    s = sizes([m for m in MODULES if _mine(m)])
    assert s.long_functions == [] and s.long_modules == []


def test_no_function_over_80_lines():
    assert sizes(MODULES).long_functions == []


def test_no_module_over_600_lines():
    assert sizes(MODULES).long_modules == []


# ------------------------------------------------------------------------- one place per value


def _park_types() -> tuple[str, ...]:
    return ino_geo.load_catalogue()["parks"].columns["park_type"].allowed


def _files_with_constant(value) -> set[str]:
    """The Python files of ino_geo with `value` as a constant (docstrings not counted)."""
    found = set()
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = {id(n.body[0].value) for n in ast.walk(tree)
                if isinstance(n, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and id(node) not in docs and type(node.value) is type(value) \
                    and node.value == value:
                found.add(str(path.relative_to(PKG.parent)))
    return found


def test_no_park_type_named_in_the_cli():
    names = _park_types()
    assert len(names) == 6
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b")
    hits = [f"{p.relative_to(PKG.parent)}: {m.group(0)}" for p in sorted((PKG / "cli").rglob("*.py"))
            for m in pattern.finditer(p.read_text(encoding="utf-8"))]
    assert hits == []


def test_each_park_type_in_at_most_one_python_file():
    many = {t: sorted(fs) for t in _park_types() if len(fs := _files_with_constant(t)) > 1}
    assert many == {}


def test_walking_speed_not_copied_in_core_data_cli():
    files = _files_with_constant(defaults.WALK_SPEED_KMH)
    mine = {f for f in files if _mine(module_name(PKG.parent / f))}
    assert mine == {"ino_geo/defaults.py"}


def test_walking_speed_in_one_python_file():
    assert _files_with_constant(defaults.WALK_SPEED_KMH) == {"ino_geo/defaults.py"}
