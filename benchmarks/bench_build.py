"""``ino-geo build`` on the shipped layers: this tree against an earlier commit, A/B alternated.

    python benchmarks/bench_build.py --against b70a9aa            # 3 rounds, straight-line build
    python benchmarks/bench_build.py --against b70a9aa --rounds 5 -- --mode network
    python benchmarks/bench_build.py --against b70a9aa --results /tmp/bench   # not benchmarks/results

The earlier commit is exported with ``git archive`` into a temporary folder (no worktree, no
checkout); each contender runs ``python -m ino_geo.cli -q build`` in its own tree in a
subprocess (wall time through ``harness.Suite.compare``: >= 3 rounds, alternated, median and
min–max; the CPU time of the subprocesses recorded beside it). The two packs must be the same
files with the same bytes, except folium's random element ids in the HTML maps and the PDF's
creation date: the check fails otherwise.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import harness  # noqa: E402

_FOLIUM_ID = re.compile(rb"[0-9a-f]{32}")
_PDF_DATE = re.compile(rb"/CreationDate \(D:\d+Z\)")


def _normalised(name: str, data: bytes) -> bytes:
    """`data` with what differs between two runs of the same build replaced by placeholders."""
    if name.endswith(".html"):
        ids: dict[bytes, bytes] = {}
        return _FOLIUM_ID.sub(lambda m: ids.setdefault(m.group(0), b"ID%d" % len(ids)), data)
    if name.endswith(".pdf"):
        return _PDF_DATE.sub(b"/CreationDate ()", data)
    return data


def same_pack(a: Path, b: Path) -> dict:
    """The agreement facts of two packs; AssertionError naming the first file that differs."""
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir()), "the packs hold different files"
    byte_identical = 0
    for n in names:
        x, y = (a / n).read_bytes(), (b / n).read_bytes()
        byte_identical += x == y
        assert x == y or _normalised(n, x) == _normalised(n, y), f"{n} differs"
    return {"files": len(names), "byte_identical": byte_identical, "identical_but_ids_and_dates": len(names)}


def export(ref: str, dest: Path) -> Path:
    """The tree of commit `ref` of this repository, written into `dest`."""
    archive = subprocess.run(["git", "-C", str(HERE.parent), "archive", ref], check=True, capture_output=True).stdout
    dest.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--against", required=True, help="the earlier commit (or branch) to compare with")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--results", help="folder of the results .jsonl (default benchmarks/results)")
    ap.add_argument("build_args", nargs="*", help="more arguments of ino-geo build (after --)")
    args = ap.parse_args(argv)
    if args.results:
        harness.RESULTS_DIR = Path(args.results)
    work = Path(tempfile.mkdtemp(prefix="ino-geo-bench-build-"))
    try:
        trees = {f"before ({args.against})": export(args.against, work / "before"), "this tree": HERE.parent}
        cpu = {name: [] for name in trees}
        outs = {name: work / f"out-{i}" for i, name in enumerate(trees)}

        def contender(name: str):
            def run() -> Path:
                t0 = os.times()
                r = subprocess.run([sys.executable, "-m", "ino_geo.cli", "-q", "build", "-o", str(outs[name]),
                                    "--overwrite", *args.build_args], cwd=trees[name], capture_output=True, text=True)
                t1 = os.times()
                if r.returncode != 0:
                    raise RuntimeError(f"{name}: {r.stderr[-500:]}")
                cpu[name].append(t1.children_user - t0.children_user + t1.children_system - t0.children_system)
                return outs[name]
            return run

        suite = harness.Suite("build")
        first = next(iter(trees))
        case = f"ino-geo build {' '.join(args.build_args)} (shipped layers)".replace("  ", " ")
        suite.compare(case, {name: contender(name) for name in trees}, baseline=first, rounds=args.rounds,
                      check=lambda got: same_pack(*got.values()), goal="no step repeated; the same pack")
        suite.record(f"{case}: CPU seconds per run (subprocess user + system)",
                     {name: {"median_s": round(statistics.median(v), 3), "min_s": round(min(v), 3),
                             "max_s": round(max(v), 3)} for name, v in cpu.items()}
                     | {"load_avg_1m": round(os.getloadavg()[0], 2)})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
