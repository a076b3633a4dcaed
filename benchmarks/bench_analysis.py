"""Benchmarks of the analysis core against the obvious baselines, measured in the same run.

    python benchmarks/bench_analysis.py            # full sizes (about 10 minutes, < 8 GiB)
    python benchmarks/bench_analysis.py --quick    # small sizes, a smoke run
    python benchmarks/bench_analysis.py --only nearest|coverage|network

Each benchmark runs in its own process (so that its peak RSS is its own), builds its inputs
itself (seeded), checks that the answers agree with the baseline, and prints one JSON line
with the timings, the ratio and the peak RSS.

1. nearest: the nearest park of 1,000,000 points among 1,000 polygons covering most of a
   60 x 60 km square (EPSG:32645): :func:`ino_geo.nearest_polygons` (in 1 process, and
   split between 2 forked processes) vs ``geopandas.sjoin_nearest``; distances must be
   identical. Goal: >= 5x.
2. coverage: the covered share of 1,000,000 cells (60 m grid) for 1,000 parks buffered by 5
   distances: :func:`ino_geo.covered_shares` vs the floor, ``shapely.intersects`` of every cell
   against one prepared union (which only says touched / not touched). Both build the same
   union per distance. Goal: within 2x of the floor.
3. network: origin x destination travel times on a road-like graph of >= 100,000 nodes:
   :func:`ino_geo.network.od_costs` (scipy.sparse.csgraph; 1 process and 2 forked processes)
   vs networkx
   ``single_source_dijkstra_path_length`` per origin (timed on a few origins, per origin);
   costs must be equal. Goal: >= 20x, >= 1,000,000 pairs/s.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

CRS = "EPSG:32645"
X0, Y0 = 345_000.0, 6_230_000.0  # a 60 x 60 km square around Tomsk


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def parks_mostly_covering(n_parks: int, size: float, seed: int):
    """n_parks jittered convex 12-gons, one per cell of a grid over the square, covering ~70 %."""
    import shapely

    rng = np.random.default_rng(seed)
    nx_ = int(np.ceil(np.sqrt(n_parks)))
    ny_ = int(np.ceil(n_parks / nx_))
    w, h = size / nx_, size / ny_
    polys = []
    ang = np.linspace(0, 2 * np.pi, 12, endpoint=False)
    for k in range(n_parks):
        i, j = k % nx_, k // nx_
        cx, cy = X0 + (i + 0.5) * w, Y0 + (j + 0.5) * h
        rx, ry = w / 2 * rng.uniform(0.8, 0.98), h / 2 * rng.uniform(0.8, 0.98)
        a = ang + rng.uniform(0, 0.3)
        # a convex polygon between the inscribed ellipse and the cell
        r = rng.uniform(1.0, 1.25, 12)
        x = cx + np.clip(np.cos(a) * r, -1, 1) * rx
        y = cy + np.clip(np.sin(a) * r, -1, 1) * ry
        polys.append(shapely.convex_hull(shapely.multipoints(np.c_[x, y])))
    return np.asarray(polys, dtype=object)


def bench_nearest(quick: bool) -> dict:
    import geopandas as gpd
    import shapely

    from ino_geo.analysis.nearest import nearest_polygons

    n_points = 100_000 if quick else 1_000_000
    n_parks = 1000
    size = 60_000.0
    rng = np.random.default_rng(1)
    parks = parks_mostly_covering(n_parks, size, seed=2)
    pts = shapely.points(rng.uniform(X0, X0 + size, n_points), rng.uniform(Y0, Y0 + size, n_points))
    share_inside = None
    pg = gpd.GeoDataFrame(geometry=pts, crs=CRS)
    kg = gpd.GeoDataFrame(geometry=parks, crs=CRS)
    # warm up both (imports, first allocations) on 1 % of the points, untimed
    nearest_polygons(pts[: n_points // 100], parks)
    gpd.sjoin_nearest(pg.iloc[: n_points // 100], kg, distance_col="d")

    t = time.perf_counter()
    oi, dj, dist = nearest_polygons(pts, parks)
    first = np.ones(len(oi), bool)
    first[1:] = oi[1:] != oi[:-1]
    ours_d = dist[first]
    t_one = time.perf_counter() - t
    t = time.perf_counter()
    oi2, dj2, dist2 = nearest_polygons(pts, parks, workers=2)
    t_two = time.perf_counter() - t
    assert np.array_equal(oi, oi2) and np.array_equal(dj, dj2) and np.array_equal(dist, dist2)
    t_ours = min(t_one, t_two)
    share_inside = float((ours_d == 0).mean())

    t = time.perf_counter()
    ref = gpd.sjoin_nearest(pg, kg, distance_col="d")
    ref_d = ref.groupby(level=0)["d"].min().sort_index().to_numpy()
    t_base = time.perf_counter() - t
    assert len(np.unique(oi)) == n_points
    identical = bool(np.array_equal(ours_d, ref_d))
    return {
        "benchmark": "nearest park",
        "points": n_points,
        "polygons": n_parks,
        "points_inside_a_park": round(share_inside, 3),
        "ours_1_process_s": round(t_one, 3),
        "ours_2_processes_s": round(t_two, 3),
        "ours_s": round(t_ours, 3),
        "sjoin_nearest_s": round(t_base, 3),
        "speedup_1_process": round(t_base / t_one, 2),
        "speedup": round(t_base / t_ours, 2),
        "goal": ">= 5x",
        "identical_distances": identical,
        "max_abs_diff_m": float(np.abs(ours_d - ref_d).max()),
        "peak_rss_mib": round(peak_rss_mib()),
    }


def bench_coverage(quick: bool) -> dict:
    import shapely

    from ino_geo.analysis.shares import covered_shares, probe_points as _probe_xy

    side = 300 if quick else 1000
    size = 60_000.0
    cell = size / side
    n_parks = 1000
    distances = [250.0, 500.0, 1000.0, 1500.0, 2000.0]
    rng = np.random.default_rng(3)
    gx, gy = np.meshgrid(X0 + np.arange(side) * cell, Y0 + np.arange(side) * cell)
    cells = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + cell, gy.ravel() + cell)
    c = np.c_[rng.uniform(X0, X0 + size, n_parks), rng.uniform(Y0, Y0 + size, n_parks)]
    s = rng.uniform(50, 400, (n_parks, 2))
    parks = shapely.box(c[:, 0], c[:, 1], c[:, 0] + s[:, 0], c[:, 1] + s[:, 1])

    def union(d):
        return shapely.union_all(shapely.buffer(parks, d, quad_segs=16))

    # the floor: one prepared union per distance, intersects for every cell
    t_floor = t_floor_union = 0.0
    touched = []
    for d in distances:
        t = time.perf_counter()
        u = union(d)
        t_floor_union += time.perf_counter() - t
        shapely.prepare(u)
        touched.append(shapely.intersects(u, cells))  # the prepared geometry first
        t_floor += time.perf_counter() - t
    # ours: covered share of every cell (tree and probe points built once for all distances)
    t = time.perf_counter()
    tree = shapely.STRtree(cells)
    probe = _probe_xy(cells)
    t_setup = time.perf_counter() - t
    t_ours = t_setup
    t_ours_union = 0.0
    shares = []
    for d in distances:
        t = time.perf_counter()
        u = union(d)
        t_ours_union += time.perf_counter() - t
        shares.append(covered_shares(cells, u, tree=tree, probe=probe))
        t_ours += time.perf_counter() - t
    # checks: share > 0 exactly where intersects says so (up to cells touching at a point),
    # and the exact share on a sample against shapely.intersection
    agree = all(((sh > 0) <= tc).all() for sh, tc in zip(shares, touched))
    sample = rng.choice(len(cells), 20_000, replace=False)
    u = union(distances[2])
    exact = shapely.area(shapely.intersection(cells[sample], u)) / shapely.area(cells[sample])
    max_err = float(np.abs(exact - shares[2][sample]).max())
    return {
        "benchmark": "population coverage shares",
        "cells": len(cells),
        "parks": n_parks,
        "distances": len(distances),
        "ours_s": round(t_ours, 3),
        "ours_union_s": round(t_ours_union, 3),
        "ours_tree_setup_s": round(t_setup, 3),
        "floor_intersects_s": round(t_floor, 3),
        "floor_union_s": round(t_floor_union, 3),
        "ratio_to_floor": round(t_ours / t_floor, 2),
        "ratio_to_floor_without_unions": round((t_ours - t_ours_union) / (t_floor - t_floor_union), 2),
        "goal": "<= 2x",
        "shares_only_where_intersects": bool(agree),
        "max_share_error_on_20000_sample": max_err,
        "partial_cells_at_1000m": int(((shares[2] > 0) & (shares[2] < 1)).sum()),
        "peak_rss_mib": round(peak_rss_mib()),
    }


def road_grid(n_side: int, spacing: float, seed: int):
    """A jittered grid road network (about n_side^2 nodes) with mixed speeds and 10 % missing links."""
    import geopandas as gpd
    import shapely

    rng = np.random.default_rng(seed)
    xy = np.stack(np.meshgrid(np.arange(n_side) * spacing, np.arange(n_side) * spacing), -1).reshape(-1, 2)
    xy = xy + rng.uniform(-0.3, 0.3, xy.shape) * spacing + [X0, Y0]
    a = np.arange(n_side * n_side)
    right = a[(a % n_side) < n_side - 1]
    up = a[a < n_side * (n_side - 1)]
    u = np.concatenate([right, up])
    v = np.concatenate([right + 1, up + n_side])
    keep = rng.random(len(u)) > 0.1
    u, v = u[keep], v[keep]
    lines = shapely.linestrings(np.stack([xy[u], xy[v]], axis=1))
    speed = rng.choice([20.0, 40.0, 60.0, 90.0], len(u), p=[0.4, 0.35, 0.2, 0.05])
    return gpd.GeoDataFrame({"speed_kmh": speed}, geometry=lines, crs=CRS), xy


def bench_network(quick: bool) -> dict:
    import networkx as nx
    import shapely

    from ino_geo.network.graph import build_network
    from ino_geo.network.routing import od_costs
    from ino_geo.network.snapping import snap

    n_side = 120 if quick else 320
    n_orig = 50 if quick else 200
    n_dest = 5_000 if quick else 50_000
    n_nx = 2 if quick else 4
    from scipy.sparse.csgraph import dijkstra  # noqa: F401  (import before timing)
    from scipy.spatial import cKDTree  # noqa: F401

    lines, xy = road_grid(n_side, 100.0, seed=4)
    t = time.perf_counter()
    net = build_network(lines)
    t_build = time.perf_counter() - t
    rng = np.random.default_rng(5)
    onodes = rng.choice(net.n_nodes, n_orig, replace=False)
    dnodes = rng.choice(net.n_nodes, n_dest, replace=False)
    t = time.perf_counter()
    o = snap(net, shapely.points(net.nodes[onodes]), max_snap=1.0)
    d = snap(net, shapely.points(net.nodes[dnodes]), max_snap=1.0)
    t_snap = time.perf_counter() - t
    t = time.perf_counter()
    cost, _ = od_costs(net, o, d, unit="min")
    t_one = time.perf_counter() - t
    t = time.perf_counter()
    cost2, _ = od_costs(net, o, d, unit="min", workers=2)
    t_two = time.perf_counter() - t
    assert np.array_equal(cost, cost2)
    t_ours = t_snap + min(t_one, t_two)
    pairs = n_orig * n_dest

    g = net.to_networkx("min")
    t = time.perf_counter()
    ref = []
    for s in onodes[:n_nx]:
        dist = nx.single_source_dijkstra_path_length(g, int(s), weight="weight")
        ref.append(np.array([dist.get(int(x), np.inf) for x in dnodes]))
    t_nx = (time.perf_counter() - t) / n_nx
    ref = np.array(ref)
    equal = bool(np.allclose(cost[:n_nx], ref, rtol=1e-9, atol=1e-9, equal_nan=False)) and bool(
        (np.isinf(cost[:n_nx]) == np.isinf(ref)).all())
    per_origin_ours = t_ours / n_orig
    return {
        "benchmark": "network origin x destination",
        "nodes": net.n_nodes,
        "edges": net.n_edges,
        "origins": n_orig,
        "destinations": n_dest,
        "graph_build_s": round(t_build, 3),
        "snap_s": round(t_snap, 3),
        "od_1_process_s": round(t_one, 3),
        "od_2_processes_s": round(t_two, 3),
        "ours_s": round(t_ours, 3),
        "speedup_1_process": round(t_nx / ((t_snap + t_one) / n_orig), 1),
        "ours_per_origin_s": round(per_origin_ours, 4),
        "networkx_per_origin_s": round(t_nx, 4),
        "speedup": round(t_nx / per_origin_ours, 1),
        "goal": ">= 20x, >= 1e6 pairs/s",
        "pairs_per_s": round(pairs / t_ours),
        "networkx_pairs_per_s": round(n_dest / t_nx),
        "equal_to_networkx": equal,
        "peak_rss_mib": round(peak_rss_mib()),
    }


BENCHES = {"nearest": bench_nearest, "coverage": bench_coverage, "network": bench_network}


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    import geopandas, scipy, shapely  # noqa: E401

    import os

    return {"cpu": cpu, "cores": os.cpu_count(), "memory": mem, "python": platform.python_version(),
            "shapely": shapely.__version__, "geos": ".".join(map(str, shapely.geos_version)),
            "geopandas": geopandas.__version__, "scipy": scipy.__version__}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    ap.add_argument("--only", choices=sorted(BENCHES), help="run one benchmark in this process")
    args = ap.parse_args(argv)
    if args.only:
        print(json.dumps(BENCHES[args.only](args.quick)), flush=True)
        return 0
    print(json.dumps({"machine": machine(), "quick": args.quick}), flush=True)
    failed = 0
    for name in BENCHES:
        cmd = [sys.executable, __file__, "--only", name] + (["--quick"] if args.quick else [])
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            failed += 1
            print(json.dumps({"benchmark": name, "error": r.stderr.strip().splitlines()[-1:]}), flush=True)
        else:
            print(r.stdout.strip(), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
