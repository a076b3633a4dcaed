"""Coverage on the Dask engine over a synthetic population grid that never exists whole.

    python benchmarks/bench_dask.py            # 5M and 20M cells on 2 workers, then 1M cells 1 vs 2 workers x 3
    python benchmarks/bench_dask.py --quick    # small grids, a smoke run
    python benchmarks/bench_dask.py --memory-cells 20000000 --memory-workers 4 --speedup-cells 5000000

The grid (25 m cells, EPSG:32645, a square around Tomsk of side sqrt(N) * 25 m) is a lazy
dask-geopandas frame of tiles of ``--tile`` cells: each partition builds its own cells from
its bounding box (``dask.delayed``), so no process holds more than a few tiles. ~1,000
synthetic parks (jittered 12-gons of 150-600 m, seeded) (one park type) are covered at 1,000 m
straight-line distance; the study area is one boundary (a municipality) around the grid.

Each run starts a fresh ``LocalCluster`` of N worker processes (one thread each) and reports:
wall time, the peak RSS of each worker process (``resource.getrusage`` in the worker, via
``client.run``) and of the client, the cell count and the covered population.

1. memory: ``--memory-cells`` grids (5M and 20M) once each on ``--memory-workers`` workers:
   the peak RSS per worker should not grow with the grid (it depends on the tile size);
2. speed-up: ``--speedup-cells`` (1M) alternated 1 worker / 2 workers, ``--rounds`` times;
   the speed-up is the ratio of the medians; the covered population must be the same for
   every run (checked).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CRS = "EPSG:32645"
X0, Y0 = 345_000.0, 6_230_000.0
CELL = 25.0


def tile_cells(ix0: int, ix1: int, iy0: int, iy1: int, seed: int):
    """The cells of the grid columns ix0..ix1 and rows iy0..iy1, with seeded populations."""
    import geopandas as gpd
    import shapely

    ix, iy = np.meshgrid(np.arange(ix0, ix1), np.arange(iy0, iy1))
    ix, iy = ix.ravel(), iy.ravel()
    x, y = X0 + ix * CELL, Y0 + iy * CELL
    rng = np.random.default_rng(seed)
    pop = rng.gamma(0.5, 4.0, len(ix)).round(1)
    ids = (iy.astype(np.int64) << 20) + ix
    return gpd.GeoDataFrame({"cell_id": ids.astype(str), "population": pop},
                            geometry=shapely.box(x, y, x + CELL, y + CELL), crs=CRS)


def lazy_grid(n_cells: int, tile: int):
    """A lazy frame of about `n_cells` cells in square-ish tiles of about `tile` cells."""
    import dask
    import dask.dataframe as dd

    side = int(math.ceil(math.sqrt(n_cells)))
    t = max(1, int(math.sqrt(tile)))
    parts = []
    for j, iy0 in enumerate(range(0, side, t)):
        for i, ix0 in enumerate(range(0, side, t)):
            parts.append(dask.delayed(tile_cells)(ix0, min(ix0 + t, side), iy0, min(iy0 + t, side), 1000 * j + i))
    meta = tile_cells(0, 0, 0, 0, 0)
    return dd.from_delayed(parts, meta=meta, verify_meta=False), side


def parks_and_boundaries(side: int, n_parks: int = 1000, seed: int = 7):
    import geopandas as gpd
    import shapely

    size = side * CELL
    rng = np.random.default_rng(seed)
    ang = np.linspace(0, 2 * np.pi, 12, endpoint=False)
    cx, cy = rng.uniform(X0, X0 + size, n_parks), rng.uniform(Y0, Y0 + size, n_parks)
    r = rng.uniform(75, 300, n_parks)
    polys = [shapely.Polygon(np.c_[x + rr * np.cos(ang) * rng.uniform(0.7, 1, 12), y + rr * np.sin(ang) * rng.uniform(0.7, 1, 12)])
             for x, y, rr in zip(cx, cy, r)]
    types = np.full(n_parks, "sport")
    parks = gpd.GeoDataFrame({"park_id": [f"p{i}" for i in range(n_parks)], "name": "synthetic", "park_type": types},
                             geometry=polys, crs=CRS)
    half = X0 + size / 2
    b = gpd.GeoDataFrame(
        {"boundary_id": ["M", "W", "E"], "name": ["Town", "West", "East"], "level": ["municipality", "district", "district"]},
        geometry=[shapely.box(X0, Y0, X0 + size, Y0 + size), shapely.box(X0, Y0, half, Y0 + size),
                  shapely.box(half, Y0, X0 + size, Y0 + size)], crs=CRS)
    return parks, b


def _worker_peak() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run(n_cells: int, workers: int, tile: int) -> dict:
    import logging

    from distributed import Client, LocalCluster

    import ino_geo

    grid, side = lazy_grid(n_cells, tile)
    parks, bounds = parks_and_boundaries(side)
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR, memory_limit=0) as cl, Client(cl) as c:
        t0 = time.perf_counter()
        cov = ino_geo.coverage(parks, distances=[1000], population=grid, boundaries=bounds,
                               cells=False, engine="dask", client=c)
        wall = time.perf_counter() - t0
        peaks = c.run(_worker_peak)
    t = cov.table
    allrows = t[t.boundary_id == "all"]
    return {
        "cells": side * side, "partitions": int(t.attrs["partitions"]), "workers": workers, "wall_s": round(wall, 2),
        "worker_peak_rss_mib": sorted(round(v, 1) for v in peaks.values()),
        "client_peak_rss_mib": round(_worker_peak(), 1),
        "population_total": float(allrows.population_total.iloc[0]),
        "covered": [round(float(v), 3) for v in allrows.population],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--speedup-cells", type=int, default=1_000_000, help="grid for the 1 vs 2 worker rounds")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--memory-cells", type=int, nargs="*", default=[5_000_000, 20_000_000],
                    help="grids run once each with --memory-workers (peak RSS per worker vs grid size)")
    ap.add_argument("--memory-workers", type=int, default=2)
    ap.add_argument("--tile", type=int, default=250_000)
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    if a.quick:
        a.speedup_cells, a.rounds, a.memory_cells, a.tile = 200_000, 1, [400_000], 50_000
    print(json.dumps({"python": platform.python_version(), "cpus": os.cpu_count(), "load_avg": os.getloadavg(),
                      "tile_cells": a.tile}), flush=True)
    for n in a.memory_cells:
        res = dict(run(n, a.memory_workers, a.tile), load_avg=os.getloadavg())
        print(json.dumps({"memory": res}), flush=True)
    runs = {w: [] for w in a.workers}
    for r in range(a.rounds):
        for w in (a.workers if r % 2 == 0 else a.workers[::-1]):  # A/B alternated
            res = dict(run(a.speedup_cells, w, a.tile), round=r + 1, load_avg=os.getloadavg())
            print(json.dumps(res), flush=True)
            runs[w].append(res)
    med = {w: statistics.median(x["wall_s"] for x in v) for w, v in runs.items()}
    covered = {tuple(x["covered"]) for v in runs.values() for x in v}
    print(json.dumps({"speedup_summary": {
        "cells": runs[a.workers[0]][0]["cells"], "median_wall_s": med,
        "min_max_wall_s": {w: [min(x["wall_s"] for x in v), max(x["wall_s"] for x in v)] for w, v in runs.items()},
        "speedup": round(med[a.workers[0]] / med[a.workers[-1]], 2) if len(a.workers) > 1 else None,
        "same_covered_population_all_runs": _close(covered)}}), flush=True)


def _close(covered: set) -> bool:
    arr = np.array(sorted(covered))
    return bool(np.allclose(arr, arr[0], rtol=1e-12, atol=0))


if __name__ == "__main__":
    main()
