"""Benchmark of the OpenStreetMap network import against the OSM library's own network parse.

    python benchmarks/bench_osm.py             # shipped extracts + a 400 x 400 synthetic grid city
    python benchmarks/bench_osm.py --quick     # small grid, 3 rounds (a smoke run)
    python benchmarks/bench_osm.py --rounds 7 --grid 600

For each extract and profile, A/B alternated for ``--rounds`` rounds (>= 3):

* theirs: ``pyrosm.OSM(path).get_network(network_type=...)``, pyrosm's network parse of the
  profile's ways (what our import starts from);
* ours: :func:`ino_geo.import_osm_network` (the same parse, plus our highway filter, one-way
  and speed tables, the split at shared nodes, and geodesic lengths).

pyrosm keeps a persistent result cache per file and read (``<tmp>/pyrosm/cache``), so both are
timed twice: cold (``OSM.clear_cache(path)`` before the call: the PBF is decoded, as on the
first import of an extract) and warm (pyrosm's cached result is read back).

It reports the median and the min-max of each, the ratio of the medians (goal: ours <= 1.5x
theirs), the ways per second of ours, and the time of a cache hit of
:func:`ino_geo.network_from_path` (the second ``--network city.osm.pbf`` run). Extracts: the two
real ones shipped in pyrosm (``test.osm.pbf``, ``Helsinki.osm.pbf``; small, so fixed costs
dominate) and a synthetic grid city written with pyosmium (``osmium.SimpleWriter``): an N x N
node grid at ~90 m spacing around Tomsk, ways of 5 blocks, every 10th street primary with
``maxspeed=60``, every 3rd residential street one-way, footways between. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def grid_city(path: Path, n: int) -> Path:
    """Write an n x n grid city as an .osm.pbf with pyosmium; return the path."""
    import osmium
    from osmium.osm.mutable import Node, Way

    if path.exists():
        path.unlink()
    w = osmium.SimpleWriter(str(path))
    try:
        for j in range(n):
            for i in range(n):
                w.add_node(Node(id=j * n + i + 1, location=(84.80 + i * 0.0015, 56.40 + j * 0.0008), tags={}))
        wid = 1
        for axis in (0, 1):
            for j in range(n):
                if axis == 0 and j % 2 and j % 10:  # footways between the streets, along x
                    hw = {"highway": "footway"}
                elif j % 10 == 0:
                    hw = {"highway": "primary", "maxspeed": "60", "name": f"Prospekt {j}"}
                else:
                    hw = {"highway": "residential", "name": f"Ulitsa {j}"}
                    if j % 3 == 0:
                        hw["oneway"] = "yes" if axis else "-1"
                for s in range(0, n - 1, 5):
                    ids = [(j * n + i + 1) if axis == 0 else (i * n + j + 1) for i in range(s, min(s + 6, n))]
                    w.add_way(Way(id=wid, nodes=ids, tags=hw))
                    wid += 1
    finally:
        w.close()
    return path


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def bench(path: str, profile: str, rounds: int) -> dict:
    import pyrosm

    from ino_geo.data.osm import import_osm_network, network_from_path
    from ino_geo.data.osm_profiles import load_profile

    net_type = load_profile(profile).pyrosm_network

    def theirs():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pyrosm.OSM(path).get_network(network_type=net_type)

    def ours():
        return import_osm_network(path, profile)

    def cold(fn):  # pyrosm keeps a result cache per file and read: clear it to time the parse
        def run():
            pyrosm.OSM.clear_cache(path)
            return fn()
        return run

    times = {k: [] for k in ("theirs_cold", "ours_cold", "theirs_warm", "ours_warm")}
    theirs(), ours()  # warm-up: imports, OS file cache
    for r in range(rounds):
        pairs = [[("theirs_cold", cold(theirs)), ("ours_cold", cold(ours))],
                 [("theirs_warm", theirs), ("ours_warm", ours)]]
        for pair in pairs:
            if pair[0][0].endswith("warm"):  # both results in pyrosm's cache (a cold run cleared it)
                theirs(), ours()
            for name, fn in (pair if r % 2 == 0 else pair[::-1]):  # A/B, alternated
                dt, out = timed(fn)
                times[name].append(dt)
                if name.startswith("ours"):
                    mine = out
                else:
                    raw = out
    assert set(mine["osm_id"]) <= set(raw["id"]), "ours has ways pyrosm does not"
    with tempfile.TemporaryDirectory() as cache:
        os.environ["INO_GEO_CACHE"] = cache
        network_from_path(path, profile)
        hit = [timed(lambda: network_from_path(path, profile))[0] for _ in range(rounds)]
    ways = int(mine["osm_id"].nunique())
    return dict(extract=Path(path).name, profile=profile, ways=ways, edges=len(mine), raw_ways=len(raw),
                cache=hit, ways_per_s=ways / statistics.median(times["ours_cold"]), **times)


def fmt(ts: list[float]) -> str:
    return f"{statistics.median(ts):.3f} s ({min(ts):.3f}-{max(ts):.3f})"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--grid", type=int, default=400, help="grid city size N (N x N nodes)")
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args(argv)
    rounds = max(3, 3 if a.quick else a.rounds)
    n = 60 if a.quick else a.grid
    import pyrosm

    with tempfile.TemporaryDirectory() as tmp:
        extracts = [pyrosm.get_data("test_pbf"), pyrosm.get_data("helsinki_pbf"),
                    str(grid_city(Path(tmp) / f"grid{n}.osm.pbf", n))]
        rows = [bench(p, prof, rounds) for p in extracts for prof in ("drive", "walk")]
    print(f"\nOSM network import, {rounds} rounds A/B alternated; median (min-max). "
          f"Python {platform.python_version()}, pyrosm {pyrosm.__version__}, {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.1f}\n")
    print("| extract | profile | ways (edges) | parse | theirs: pyrosm get_network | ours: import_osm_network | "
          "ours / theirs | ways/s (ours) |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        for kind, label in (("cold", "cold (PBF decoded)"), ("warm", "warm (pyrosm result cache)")):
            ratio = statistics.median(r[f"ours_{kind}"]) / statistics.median(r[f"theirs_{kind}"])
            wps = f"{r['ways_per_s']:,.0f}" if kind == "cold" else ""
            print(f"| {r['extract']} | {r['profile']} | {r['ways']:,} ({r['edges']:,}) | {label} | "
                  f"{fmt(r[f'theirs_{kind}'])} | {fmt(r[f'ours_{kind}'])} | **{ratio:.2f}x** | {wps} |")
    print("\nSecond run through ino_geo's own cache (network_from_path, a --network EXTRACT run):\n")
    print("| extract | profile | cache hit |\n|---|---|---|")
    for r in rows:
        print(f"| {r['extract']} | {r['profile']} | {fmt(r['cache'])} |")

if __name__ == "__main__":
    main()
