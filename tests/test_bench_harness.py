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


def _row(suite, case, n=None, family=None, results=None, ratios=None, values=None):
    row = {"suite": suite, "case": case, "params": {}, "goal": "", "machine": {"load_avg_1m": 0.1},
           "when": "2026-12-02 00:00 UTC", "peak_rss_mib": 1.0}
    if n is not None:
        row["params"] = {"n": n, "family": family}
    if results is not None:
        row["results"] = {k: {"median_s": v, "min_s": v, "max_s": v, "rounds": 3} for k, v in results.items()}
        row["baseline"] = "base"
        row["ratios"] = ratios if ratios is not None else {
            k: results["base"] / v for k, v in results.items() if k != "base"}
    if values is not None:
        row["values"] = values
    return row


def test_goals_are_read_from_the_newest_row_and_judged():
    report = _load("report")
    rows = [_row("proximity", "nearest park, 1,000,000 points x 1,000 parks (dense)",
                 results={"base": 8.0, "ino_geo.proximity": 4.0, "ino_geo.proximity(links=True)": 1.0}),
            _row("proximity", "nearest park, 1,000,000 points x 1,000 parks (dense)",  # newer: wins
                 results={"base": 8.0, "ino_geo.proximity": 1.6, "ino_geo.proximity(links=True)": 1.0}),
            _row("cli", "ino-geo coverage --mode network --minutes 15 --compare (shipped layers)",
                 results={"ino-geo": 3.5}, ratios={}),
            _row("matrix", "matrix mode, 1,000 origins x 1,000 parks", values={"peak_rss_mib": 700.0})]
    text = "\n".join(report._goals_table(rows))
    assert "| proximity API (default call), 1M points, dense: >= 4x sjoin_nearest | 5.00× | yes |" in text
    assert "--compare <= 3 s | 3.50 s | **no** |" in text
    assert "peak < 1 GB | 700.00 MiB | yes |" in text
    assert "| proximity API (default call), 1M points, sparse: >= 4x sjoin_nearest | not measured | — |" in text


def test_scaling_joins_sizes_across_suites_with_growth_exponents():
    report = _load("report")
    rows = [_row("scaling", "c 10k", n=10_000, family="fam", results={"base": 1.0, "x": 0.5}),
            _row("scaling", "c 100k", n=100_000, family="fam", results={"base": 10.0, "x": 5.0}),
            _row("proximity", "c 1M", n=1_000_000, family="fam", results={"base": 100.0, "x": 50.0, "y": 7.0}),
            _row("scaling", "lonely", n=10, family="other", results={"base": 1.0})]
    lines = report._scaling_table(rows)
    text = "\n".join(lines)
    assert "**fam**" in text and "**other**" not in text  # one size only: no table
    assert "| 1,000,000 | 100.000 s | 50.000 s | 7.000 s |" in text
    assert "| 10,000 | 1.000 s | 0.500 s | — |" in text
    assert "| growth exponent | 1.00 | 1.00 | — |" in text  # tenfold n, tenfold time: linear
