"""``python3 layers/src/rebuild.py``: the one rebuild command of the shipped layers.

Rebuilding into a temporary folder reproduces the committed GeoJSON files, compared as parsed
JSON. Exactly one thing is not reproduced bit for bit: the modelled ``population`` value of
some grid cells (189 of 7682 with numpy 2.4 on x86-64) differs in the last one or two binary
digits (relative difference below 1e-15) — floating-point sums whose order depends on the
numpy build and CPU. Those values are compared with a relative tolerance of 1e-12; every other
value, every geometry and every other file is compared exactly.
"""

from __future__ import annotations

import ast
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from ino_geo.data.shipped import default_layers_dir

LAYERS = default_layers_dir()
SRC = LAYERS / "src"
FILES = ["river", "waterfront", "corridors", "boundaries", "places", "population", "sites", "parks"]
NOT_BIT_EXACT = {("population", "population")}  # (layer, property) compared with rel. tol. 1e-12


def _differences(layer: str, built: dict, committed: dict) -> tuple[list[str], int]:
    """What differs between two parsed FeatureCollections; and how many float values were
    only equal within the tolerance allowed for `layer`."""
    head = {k: v for k, v in built.items() if k != "features"}
    want = {k: v for k, v in committed.items() if k != "features"}
    out = [] if head == want else [f"{layer}: collection members differ: {head} != {want}"]
    if len(built["features"]) != len(committed["features"]):
        return out + [f"{layer}: {len(built['features'])} features, committed {len(committed['features'])}"], 0
    close = 0
    for i, (a, b) in enumerate(zip(built["features"], committed["features"])):
        if a == b:
            continue
        if a["geometry"] != b["geometry"] or a.keys() != b.keys() or a["properties"].keys() != b["properties"].keys():
            out.append(f"{layer}[{i}]: geometry or keys differ")
            continue
        for k, v in a["properties"].items():
            w = b["properties"][k]
            if v == w:
                continue
            if (layer, k) in NOT_BIT_EXACT and isinstance(v, float) and math.isclose(v, w, rel_tol=1e-12):
                close += 1
            else:
                out.append(f"{layer}[{i}].{k}: {v!r} != {w!r}")
    return out, close


@pytest.mark.slow
def test_rebuild_reproduces_the_committed_layers(tmp_path):
    out = tmp_path / "layers"
    r = subprocess.run([sys.executable, str(SRC / "rebuild.py"), "--out", str(out)], capture_output=True,
                       text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "population: 7682 records, 0 problem(s)" in r.stdout  # validated by ino_geo.validate_path
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{n}.geojson" for n in FILES] + ["catalogue.toml"])
    assert not list(LAYERS.glob(".rebuild-*")) and not list(out.glob(".rebuild-*"))  # staging removed
    problems, close = [], 0
    for name in FILES:
        built = json.loads((out / f"{name}.geojson").read_text(encoding="utf-8"))
        committed = json.loads((LAYERS / f"{name}.geojson").read_text(encoding="utf-8"))
        diff, n = _differences(name, built, committed)
        problems += diff
        close += n
    assert problems == []
    assert close < 500  # the few cells summed in another order, not the whole grid


def test_the_steps_have_one_way_to_run():
    """The step modules have no entry point of their own: rebuild.py runs them, in order."""
    steps = ["river", "corridors", "build_areas", "places", "build_population", "build_points", "check_layers"]
    for step in steps:
        tree = ast.parse((SRC / f"{step}.py").read_text(encoding="utf-8"))
        mains = [n for n in tree.body if isinstance(n, ast.If) and "__main__" in ast.unparse(n.test)]
        assert mains == [], f"{step}.py has its own __main__"
    text = (SRC / "rebuild.py").read_text(encoding="utf-8")
    order = [text.index(f"{s}.main") for s in ("river", "corridors", "build_areas", "places", "build_population",
                                                "build_points", "check_layers")]
    assert order == sorted(order)
    assert "validate_path" in text
    assert "python3 layers/src/rebuild.py" in (LAYERS / "README.md").read_text(encoding="utf-8")


def test_no_second_copy_of_the_catalogue_rules():
    """The build steps read no catalogue.toml: its rules are applied once, by ino_geo's validator."""
    for path in SRC.glob("*.py"):
        if path.name != "rebuild.py":
            assert "tomllib" not in path.read_text(encoding="utf-8"), path
