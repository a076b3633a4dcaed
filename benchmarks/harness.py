"""The benchmark harness: A/B alternated rounds, medians with min–max, JSON lines out.

Every comparison runs its contenders in alternating order (A B C, then B C A, ...) for at
least three rounds, so that a change in the machine's load hits every contender alike; it
reports the median and the min–max of each, and the ratio of medians against the named
baseline. Results are appended as JSON lines to ``benchmarks/results/<suite>.jsonl``;
``python benchmarks/report.py`` turns those files into ``benchmarks/RESULTS.md`` (never typed
by hand).

Example
-------
>>> from harness import Suite                                       # doctest: +SKIP
>>> suite = Suite("proximity")                                      # doctest: +SKIP
>>> suite.compare("1M points x 1,000 parks", {"ino_geo": f, "sjoin_nearest": g},
...               baseline="sjoin_nearest", rounds=3, check=same)   # doctest: +SKIP
"""

from __future__ import annotations

import gc
import json
import os
import platform
import resource
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    import numpy

    info = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "numpy": numpy.__version__,
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }
    for mod in ("shapely", "geopandas", "scipy", "igraph", "networkx", "access", "spopt", "pyrosm", "dask"):
        m = sys.modules.get(mod)
        if m is not None:
            info[mod] = getattr(m, "__version__", "?")
    return info


def _stats(times: list[float]) -> dict[str, float]:
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times), "rounds": len(times)}


class Suite:
    """A named group of comparisons written to ``results/<name>.jsonl``.

    Parameters
    ----------
    name : str
        The suite (one results file).
    fresh : bool
        Start the results file anew (the default); False appends.
    """

    def __init__(self, name: str, fresh: bool = True):
        self.name = name
        RESULTS_DIR.mkdir(exist_ok=True)
        self.path = RESULTS_DIR / f"{name}.jsonl"
        if fresh and self.path.exists():
            self.path.unlink()

    def compare(
        self,
        case: str,
        contenders: dict[str, Callable[[], Any]],
        *,
        baseline: str | None = None,
        rounds: int = 3,
        check: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
        goal: str = "",
        params: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Time each contender `rounds` times, alternating their order; record and return.

        Parameters
        ----------
        case : str
            What is measured (a row of the report).
        contenders : dict name -> callable
            Each called with no argument; its return value of the first round goes to `check`.
        baseline : str, optional
            The contender that ratios are computed against (``baseline median / contender
            median``: > 1 means faster than the baseline).
        check : callable, optional
            Gets ``{name: first result}``; returns a dict of agreement facts (e.g.
            ``{"max_abs_diff_m": 0.0}``) recorded with the timings. It should raise when the
            answers disagree.
        goal : str
            The target, in words (``">= 4x sjoin_nearest"``).
        params : dict, optional
            Sizes and settings, recorded for the scaling tables.
        """
        if rounds < 3:
            raise ValueError("at least 3 rounds")
        names = list(contenders)
        times: dict[str, list[float]] = {n: [] for n in names}
        first: dict[str, Any] = {}
        for r in range(rounds):
            order = names[r % len(names):] + names[: r % len(names)]
            for n in order:
                gc.collect()
                t0 = time.perf_counter()
                out = contenders[n]()
                times[n].append(time.perf_counter() - t0)
                if r == 0 or n not in first:
                    first[n] = out
                del out
        agreement = check(first) if check else {}
        first.clear()
        row = {
            "suite": self.name,
            "case": case,
            "params": params or {},
            "goal": goal,
            "baseline": baseline,
            "results": {n: _stats(t) for n, t in times.items()},
            "times": times,
            "agreement": agreement,
            "peak_rss_mib": round(peak_rss_mib(), 1),
            "machine": machine(),
            "when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        }
        if baseline:
            base = row["results"][baseline]["median_s"]
            row["ratios"] = {n: base / s["median_s"] for n, s in row["results"].items() if n != baseline and s["median_s"] > 0}
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(row) + "\n")
        print(_line(row), file=sys.stderr, flush=True)
        return row

    def record(self, case: str, values: dict[str, Any], *, goal: str = "", params: dict[str, Any] | None = None) -> dict:
        """Record a measurement that is not a timing comparison (memory, pairs per second)."""
        row = {"suite": self.name, "case": case, "params": params or {}, "goal": goal, "values": values,
               "peak_rss_mib": round(peak_rss_mib(), 1), "machine": machine(),
               "when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(row) + "\n")
        print(f"{self.name}: {case}: {values}", file=sys.stderr, flush=True)
        return row


def _line(row: dict[str, Any]) -> str:
    parts = [f"{n} {s['median_s']:.3f}s [{s['min_s']:.3f}-{s['max_s']:.3f}]" for n, s in row["results"].items()]
    ratios = ", ".join(f"{n} {r:.2f}x" for n, r in row.get("ratios", {}).items())
    return f"{row['suite']}: {row['case']}: " + "; ".join(parts) + (f" | vs {row['baseline']}: {ratios}" if ratios else "")
