"""The benchmark harness alternates contenders, needs >= 3 rounds, and the report is generated
from its output (benchmarks/harness.py, benchmarks/report.py)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def test_alternated_rounds_medians_and_generated_report(tmp_path, monkeypatch):
    harness = _load("harness")
    report = _load("report")
    monkeypatch.setattr(harness, "RESULTS_DIR", tmp_path)
    monkeypatch.setattr(report, "RESULTS_DIR", tmp_path)
    calls = []
    suite = harness.Suite("demo")
    row = suite.compare("case", {"a": lambda: calls.append("a") or 1, "b": lambda: calls.append("b") or 1,
                                 "c": lambda: calls.append("c") or 1},
                        baseline="c", rounds=3, check=lambda first: {"same": len(set(first.values())) == 1},
                        params={"n": 10})
    assert calls == ["a", "b", "c", "b", "c", "a", "c", "a", "b"]  # the order rotates each round
    assert row["agreement"] == {"same": True} and set(row["ratios"]) == {"a", "b"}
    for s in row["results"].values():
        assert s["rounds"] == 3 and s["min_s"] <= s["median_s"] <= s["max_s"]
    with pytest.raises(ValueError):
        suite.compare("too few", {"a": lambda: 1}, rounds=2)
    text = report.render(report._rows())
    assert "## demo" in text and "| case | a |" in text and "baseline" in text
    assert json.loads((tmp_path / "demo.jsonl").read_text().splitlines()[0])["case"] == "case"
