"""Benchmarks of the public API and the CLI against their peers, through ``harness.py``.

    python benchmarks/bench_analysis.py                 # full sizes (shared machine: once or twice)
    python benchmarks/bench_analysis.py --quick         # small sizes, a smoke run (results in a temp folder)
    python benchmarks/bench_analysis.py --only proximity|matrix|routing|coverage|cli|scaling|load
    python benchmarks/report.py                         # then: benchmarks/RESULTS.md from results/*.jsonl

Each suite runs in its own process (its peak RSS is its own), builds its inputs itself
(seeded), and times its contenders A/B alternated over >= 3 rounds (median, min–max) with
``harness.Suite.compare``; the answers of the contenders are checked against each other
(identical distances, equal costs) and the facts recorded with the timings. Every timing
row is also printed on stdout as one JSON line (``tests/test_network.py`` runs ``--quick`` and
reads the agreement facts).

Suites
------
1. proximity: the nearest park of 1,000,000 points among 1,000 parks, dense (parks cover
   ~70 % of a 60 x 60 km square) and sparse (small parks, most points outside):
   ``ino_geo.proximity`` (the default: no link lines; and ``links=True``, the lines drawn) vs
   ``geopandas.sjoin_nearest``; the kernel ``nearest_polygons`` alone for reference. Goal: the
   API >= 4x sjoin_nearest, identical distances.
2. matrix: ``proximity(matrix=True)`` for 1,000 origins x 1,000 parks: time and peak memory
   (goal < 1 GB: linear in the output).
3. routing: a jittered grid road network of ~100,000 nodes: ``node_costs`` from 1,000
   facilities and ``od_costs`` 200 x 50,000 vs raw ``scipy.sparse.csgraph.dijkstra`` on the
   same (prebuilt) graph and igraph. Goal: within 1.2x of raw scipy, faster than igraph.
   The places stand exactly on nodes, so their snap points are those nodes and the baseline
   runs from / reads the same nodes (the baselines' graphs, with a super-source for
   ``node_costs``, are built before timing; ino_geo's calls build theirs inside). Then the
   shipped Tomsk network (``load_layers()`` corridors -> ``build_network``): ``od_costs`` of
   300 population-cell centroids x the parks (polygons, joined at snap points and wherever a
   road runs into them) and ``node_costs`` of the parks, each call repeated, vs scipy on a
   prebuilt graph holding those snap points: the network plus one node per origin (arcs to
   its access nodes) and per park (arcs from its access nodes), at the costs ``Snap.access``
   gives; what is left is ino_geo's per-call overhead.
4. coverage: ``coverage()`` on 1,000,000 population cells (EPSG:4326, like the shipped
   layer) for 1,000 parks at one distance vs ``covered_shares`` alone (the same union).
   Goal: <= 1.5x, peak <= 1.2 GB (in a fresh process, the peak during the call above its inputs).
5. cli: ``ino-geo coverage --mode network --minutes 15 --compare`` on the shipped layers, end
   to end in a subprocess. Goal: <= 3 s.
6. scaling: proximity (both layouts, with and without links) and coverage at 10k and 100k;
   ``report.py`` joins them with the 1M rows of suites 1 and 4 into one table per family
   (10k -> 100k -> 1M) with the growth exponent of each cost.
7. load: ``ino_geo.load_layers()`` (full validation) and ``load_layers(validate=False)`` of
   the shipped layers vs ``geopandas.read_file`` of the same files in a loop, with
   ``pyogrio.read_dataframe`` as the best peer and the record-by-record validator (the
   loader before its fast path) for reference. Goal: <= 1.5x geopandas.read_file.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import harness  # noqa: E402

CRS = "EPSG:32645"
X0, Y0 = 345_000.0, 6_230_000.0  # a 60 x 60 km square around Tomsk
SIZE = 60_000.0
ROUNDS = 3


def emit(row: dict) -> dict:
    """Print a harness row as one JSON line on stdout (for the smoke test) and return it."""
    print(json.dumps({k: row[k] for k in ("suite", "case", "params", "results", "ratios", "agreement", "values",
                                          "peak_rss_mib") if k in row}), flush=True)
    return row


# ------------------------------------------------------------------------------------------
# inputs


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
        r = rng.uniform(1.0, 1.25, 12)
        x = cx + np.clip(np.cos(a) * r, -1, 1) * rx
        y = cy + np.clip(np.sin(a) * r, -1, 1) * ry
        polys.append(shapely.convex_hull(shapely.multipoints(np.c_[x, y])))
    return np.asarray(polys, dtype=object)


def parks_sparse(n_parks: int, size: float, seed: int):
    """n_parks small rotated rectangles (50–400 m) at random positions: most points outside."""
    import shapely

    rng = np.random.default_rng(seed)
    c = rng.uniform([X0, Y0], [X0 + size, Y0 + size], (n_parks, 2))
    s = rng.uniform(50, 400, (n_parks, 2))
    boxes = shapely.box(c[:, 0], c[:, 1], c[:, 0] + s[:, 0], c[:, 1] + s[:, 1])
    return np.array([shapely.affinity.rotate(b, a) for b, a in zip(boxes, rng.uniform(0, 90, n_parks))], dtype=object)


def random_points(n: int, seed: int):
    import shapely

    rng = np.random.default_rng(seed)
    return shapely.points(rng.uniform(X0, X0 + SIZE, n), rng.uniform(Y0, Y0 + SIZE, n))


def frames(points, parks):
    import geopandas as gpd

    pg = gpd.GeoDataFrame({"site_id": np.arange(len(points)).astype(str)}, geometry=points, crs=CRS)
    kg = gpd.GeoDataFrame({"park_id": np.arange(len(parks)).astype(str), "name": [f"park {i}" for i in range(len(parks))],
                           "park_type": "sport"}, geometry=parks, crs=CRS)
    return pg, kg


# ------------------------------------------------------------------------------------------
# 1. proximity


def proximity_case(suite, n: int, layout: str, with_links: bool = True, family: str | None = None):
    import geopandas as gpd

    import ino_geo
    from ino_geo.analysis.nearest import nearest_polygons

    parks = parks_mostly_covering(1000, SIZE, 2) if layout == "dense" else parks_sparse(1000, SIZE, 2)
    pts = random_points(n, 1)
    pg, kg = frames(pts, parks)
    ino_geo.proximity(pg.iloc[:1000], kg)  # warm up imports (untimed)
    gpd.sjoin_nearest(pg.iloc[:1000], kg, distance_col="d")
    contenders = {
        "ino_geo.proximity": lambda: ino_geo.proximity(pg, kg),
        "sjoin_nearest": lambda: gpd.sjoin_nearest(pg, kg, distance_col="d"),
        "kernel nearest_polygons": lambda: nearest_polygons(pts, parks),
    }
    if with_links:
        contenders["ino_geo.proximity(links=True)"] = lambda: ino_geo.proximity(pg, kg, links=True)

    def check(out):
        ref = out["sjoin_nearest"].groupby(level=0)["d"].min().sort_index().to_numpy()
        ours = out["ino_geo.proximity"]["distance_m"].to_numpy()
        facts = {"identical_distances": bool(np.array_equal(ours, ref)),
                 "max_abs_diff_m": float(np.abs(ours - ref).max()),
                 "points_inside_a_park": round(float((ref == 0).mean()), 3)}
        if "ino_geo.proximity(links=True)" in out:
            lk = out["ino_geo.proximity(links=True)"]
            facts["links_same_distances"] = bool(np.array_equal(lk["distance_m"].to_numpy(), ours))
        if not facts["identical_distances"]:
            raise AssertionError(f"distances differ: {facts}")
        return facts

    return emit(suite.compare(f"nearest park, {n:,} points x 1,000 parks ({layout})", contenders,
                              baseline="sjoin_nearest", rounds=ROUNDS, check=check,
                              goal=">= 4x sjoin_nearest, identical distances",
                              params={"n": n, "parks": 1000, "layout": layout,
                                      "family": family or f"proximity ({layout})"}))


def suite_proximity(quick: bool):
    suite = harness.Suite("proximity")
    n = 20_000 if quick else 1_000_000
    for layout in ("dense", "sparse"):
        proximity_case(suite, n, layout)


# ------------------------------------------------------------------------------------------
# 2. matrix


def suite_matrix(quick: bool):
    import ino_geo

    suite = harness.Suite("matrix")
    n = 200 if quick else 1000
    pg, kg = frames(random_points(n, 7), parks_sparse(n, SIZE, 8))
    before = harness.peak_rss_mib()
    t = time.perf_counter()
    r = ino_geo.proximity(pg, kg, matrix=True)
    secs = time.perf_counter() - t
    # a sample of the rows against shapely.distance directly
    import shapely

    rng = np.random.default_rng(0)
    rows = rng.choice(len(r), min(2000, len(r)), replace=False)
    oi = r["origin_id"].to_numpy()[rows].astype(int)
    di = r["park_id"].to_numpy()[rows].astype(int)
    exact = shapely.distance(pg.geometry.values[oi], kg.geometry.values[di])
    ranks_ok = bool((r.groupby("origin_id")["distance_m"].apply(lambda s: s.is_monotonic_increasing)).all())
    vals = {"origins": n, "parks": n, "rows": len(r), "seconds": round(secs, 3),
            "peak_rss_mib": round(harness.peak_rss_mib(), 1), "rss_before_mib": round(before, 1),
            "sample_max_abs_diff_m": float(np.abs(r["distance_m"].to_numpy()[rows] - exact).max()),
            "ranked_by_distance": ranks_ok}
    row = suite.record(f"matrix mode, {n:,} origins x {n:,} parks", vals, goal="< 1 GB peak (1,000 x 1,000)",
                       params={"n": n})
    emit(row)


# ------------------------------------------------------------------------------------------
# 3. routing


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


def _igraph(n: int, G):
    """The same directed graph (CSR `G`, n nodes) in igraph; None when igraph is not installed
    (a peer of the ``bench`` extra: the suites leave it out then)."""
    try:
        import igraph
    except ImportError:
        return None

    coo = G.tocoo()
    g = igraph.Graph(n=n, edges=np.c_[coo.row, coo.col].tolist(), directed=True)
    g.es["weight"] = coo.data.tolist()
    return g


def _peers(contenders: dict, ig, run_igraph) -> dict:
    """`contenders` plus ``igraph distances`` when igraph is installed (`ig` not None)."""
    return {**contenders, "igraph distances": run_igraph} if ig is not None else contenders


def suite_routing(quick: bool):
    """Routing vs raw scipy on the same graph and igraph (the module docstring, suite 3).

    Fair baselines: the grid's places stand on nodes, so ino_geo snaps them to those very
    nodes (no walk) and scipy starts from / reads the same nodes; its graphs (with the
    super-source of ``node_costs``, arcs at the 1e-12 ino_geo stores for a zero cost) are
    built before timing, while each ino_geo call builds its own from the network's cached
    arcs. On the Tomsk network, scipy's graph holds one node per origin and per park joined
    at the costs ``Snap.access`` gives (the same snap points); ino_geo's answer may only be
    lower where an origin and a park share a segment (joined directly; counted). The fast
    ``node_costs`` cases run 9 rounds (a call takes milliseconds), the Tomsk ones repeat
    each call."""
    import shapely
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    import ino_geo
    from ino_geo.network.graph import build_network

    suite = harness.Suite("routing")
    n_side = 120 if quick else 320
    n_fac, n_orig, n_dest = (100, 50, 5_000) if quick else (1_000, 200, 50_000)
    lines, _ = road_grid(n_side, 100.0, seed=4)
    net = build_network(lines)
    n = net.n_nodes
    rng = np.random.default_rng(5)
    fac = rng.choice(n, n_fac, replace=False)
    onodes = rng.choice(n, n_orig, replace=False)
    dnodes = rng.choice(n, n_dest, replace=False)
    fs = ino_geo.snap(net, shapely.points(net.nodes[fac]), max_snap=1.0)
    os_ = ino_geo.snap(net, shapely.points(net.nodes[onodes]), max_snap=1.0)
    ds = ino_geo.snap(net, shapely.points(net.nodes[dnodes]), max_snap=1.0)
    base = net.csgraph("min")
    # the same graph plus a super-source joined to the facilities (cost 0), prebuilt for the peers
    sup = csr_matrix((np.full(n_fac, 1e-12), (np.full(n_fac, n), fac)), shape=(n + 1, n + 1))
    base1 = base.copy()
    base1.resize((n + 1, n + 1))
    Gs = (base1 + sup).tocsr()
    ig_s = _igraph(n + 1, Gs)
    ig = _igraph(n, base)
    ino_geo.node_costs(net, fs, unit="min")  # warm up (and builds the network's cached arcs once)

    def check_nodes(out):
        if not np.array_equal(out["ino_geo.node_costs"], out["ino_geo.node_costs (first call: caches cleared)"]):
            raise AssertionError("a cached node_costs call differs from a first call")
        ours, raw = out["ino_geo.node_costs"], out["scipy dijkstra (prebuilt graph)"][:n]
        d1 = float(np.nanmax(np.abs(np.where(np.isfinite(raw), ours - raw, 0))))
        if d1 > 1e-6 or (np.isinf(ours) != np.isinf(raw)).any():
            raise AssertionError(f"node costs differ from scipy by {d1}")
        facts = {"max_abs_diff_min_vs_scipy": d1}
        if "igraph distances" in out:
            ig_d = np.asarray(out["igraph distances"], dtype=float).ravel()[:n]
            facts["igraph_max_abs_diff_min"] = float(np.nanmax(np.abs(np.where(np.isfinite(raw), ig_d - raw, 0))))
        return facts

    emit(suite.compare(
        f"node_costs: nearest of {n_fac:,} facilities, {n:,} nodes",
        _peers({"ino_geo.node_costs": lambda: ino_geo.node_costs(net, fs, unit="min"),
                "ino_geo.node_costs (first call: caches cleared)":
                    lambda: (_forget_places(net), ino_geo.node_costs(net, fs, unit="min"))[1],
                "scipy dijkstra (prebuilt graph)": lambda: dijkstra(Gs, directed=True, indices=n)},
               ig_s, lambda: ig_s.distances(source=[n], weights="weight")),
        baseline="scipy dijkstra (prebuilt graph)", rounds=9, check=check_nodes,
        goal="<= 1.2x raw scipy (ratio >= 0.83), faster than igraph", params={"nodes": n, "facilities": n_fac}))

    def check_od(out):
        ours = out["ino_geo.od_costs"][0]
        raw = out["scipy dijkstra (prebuilt graph)"]
        d = float(np.nanmax(np.abs(np.where(np.isfinite(raw), ours - raw, 0))))
        if d > 1e-6 or (np.isinf(ours) != np.isinf(raw)).any():
            raise AssertionError(f"od costs differ from scipy by {d}")
        # a few origins against networkx (the independent slow computation)
        import networkx as nx

        g = net.to_networkx("min")
        ref = [nx.single_source_dijkstra_path_length(g, int(s), weight="weight") for s in onodes[:2]]
        ref = np.array([[r.get(int(x), np.inf) for x in dnodes] for r in ref])
        eq = bool(np.allclose(ours[:2], ref, rtol=1e-9, atol=1e-9)) and bool((np.isinf(ours[:2]) == np.isinf(ref)).all())
        return {"max_abs_diff_min_vs_scipy": d, "equal_to_networkx": eq}

    pairs = n_orig * n_dest
    row = emit(suite.compare(
        f"od_costs: {n_orig:,} origins x {n_dest:,} destinations, {n:,} nodes",
        _peers({"ino_geo.od_costs": lambda: ino_geo.od_costs(net, os_, ds, unit="min"),
                "scipy dijkstra (prebuilt graph)": lambda: dijkstra(base, directed=True, indices=onodes)[:, dnodes]},
               ig, lambda: ig.distances(source=onodes.tolist(), target=dnodes.tolist(), weights="weight")),
        baseline="scipy dijkstra (prebuilt graph)", rounds=ROUNDS, check=check_od,
        goal="<= 1.2x raw scipy (ratio >= 0.83), faster than igraph", params={"nodes": n, "pairs": pairs}))
    emit(suite.record("od_costs throughput", {
        name: f"{pairs / s['median_s']:,.0f} pairs/s" for name, s in row["results"].items()}))
    routing_tomsk(suite, 20 if quick else 200)


def _with_places(net, reverse: bool, arcs_from: tuple | None, arcs_to: tuple | None):
    """The network's CSR graph in minutes plus one node per place, numbered on from n: arcs
    out of the places of `arcs_from`, then into those of `arcs_to` (each ``(place, node,
    cost)``, one entry per place and node)."""
    from scipy.sparse import coo_matrix

    base = net.csgraph("min", reverse=reverse).tocoo()
    rows, cols, vals, at = [base.row], [base.col], [base.data], net.n_nodes
    for arcs, out in ((arcs_from, True), (arcs_to, False)):
        if arcs is not None:
            p, node, c = arcs
            rows.append(at + p if out else node)
            cols.append(node if out else at + p)
            vals.append(np.where(c > 0, c, 1e-12))  # a zero cost stored as ino_geo stores it
            at += int(p.max()) + 1
    return coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(at, at)).tocsr()


def _least(p, node, c):
    """One access entry per (place, node): the least cost (parallel arcs are reduced the same way)."""
    order = np.lexsort((c, node, p))
    p, node, c = p[order], node[order], c[order]
    keep = np.ones(len(p), bool)
    keep[1:] = (p[1:] != p[:-1]) | (node[1:] != node[:-1])
    return p[keep], node[keep], c[keep]


def _forget_places(net) -> None:
    """Forget the graphs and plans cached on `net` for places (its own arcs stay)."""
    for k in [k for k in net._graphs if k[0] in ("node-costs", "od-plan")]:
        del net._graphs[k]


def routing_tomsk(suite, repeat: int):
    """od_costs and node_costs on the shipped Tomsk network vs scipy on a prebuilt graph with the
    same snap points; each contender makes `repeat` calls (one call takes milliseconds). Repeated
    calls for the same places reuse the graph and plan cached on the network; the "first call"
    contenders clear that cache before every call."""
    import shapely
    from scipy.sparse.csgraph import dijkstra

    import ino_geo
    from ino_geo.crs import to_metric

    layers = ino_geo.load_layers()
    net = ino_geo.build_network(layers["corridors"])
    cells = np.asarray(to_metric(layers["population"], net.crs).geometry.values)
    parks = np.asarray(to_metric(layers["parks"], net.crs).geometry.values)
    o = ino_geo.snap(net, shapely.centroid(cells))
    pick = np.flatnonzero(o.edge >= 0)[:300]
    o, d = ino_geo.snap(net, shapely.centroid(cells[pick])), ino_geo.snap(net, parks)
    ws, n, no, nd = ino_geo.defaults.WALK_SPEED_KMH, net.n_nodes, len(pick), len(parks)
    oa = _least(*o.access(net, "min", ws, way="out"))
    da = _least(*d.access(net, "min", ws, way="in"))
    G = _with_places(net, False, oa, da)
    onodes, dnodes = n + np.arange(no), n + no + np.arange(nd)
    ig = _igraph(G.shape[0], G)
    Gs = _with_places(net, True, _least(np.zeros(len(da[0]), np.int64), da[1], da[2]), None)  # a super-source

    def cold():
        _forget_places(net)

    def check_od(out):
        if not np.array_equal(out["ino_geo.od_costs"][0], out["ino_geo.od_costs (first call: caches cleared)"][0]):
            raise AssertionError("a cached od_costs call differs from a first call")
        ours, raw = out["ino_geo.od_costs"][0], out["scipy dijkstra (prebuilt graph)"]
        fin = np.isfinite(raw)
        if (ours > raw + 1e-9).any() or (np.isinf(ours) & fin).any():
            raise AssertionError("od costs above scipy's")
        same = ours < raw - 1e-9  # an origin and a park on the same segment: ino_geo joins them directly
        return {"max_abs_diff_min_vs_scipy": float(np.abs(np.where(fin & ~same, ours - raw, 0)).max()),
                "pairs_joined_along_a_shared_segment": int(same.sum()), "reachable_pairs": int(fin.sum()),
                **({"igraph_max_abs_diff_min": float(np.abs(np.where(
                    fin, np.asarray(out["igraph distances"], dtype=float) - raw, 0)).max())}
                   if "igraph distances" in out else {})}

    emit(suite.compare(
        f"Tomsk od_costs: {no} cell centroids x {nd} parks, {n} nodes, {repeat} calls",
        _peers({"ino_geo.od_costs": lambda: [ino_geo.od_costs(net, o, d, unit="min") for _ in range(repeat)][0],
                "ino_geo.od_costs (first call: caches cleared)":
                    lambda: [(cold(), ino_geo.od_costs(net, o, d, unit="min"))[1] for _ in range(repeat)][0],
                "scipy dijkstra (prebuilt graph)": lambda: [dijkstra(G, directed=True, indices=onodes)[:, dnodes]
                                                            for _ in range(repeat)][0]},
               ig, lambda: [ig.distances(source=onodes.tolist(), target=dnodes.tolist(), weights="weight")
                            for _ in range(repeat)][0]),
        baseline="scipy dijkstra (prebuilt graph)", rounds=5, check=check_od,
        goal="no per-call overhead: near raw scipy", params={"nodes": n, "origins": no, "parks": nd}))

    def check_nodes(out):
        if not np.array_equal(out["ino_geo.node_costs"], out["ino_geo.node_costs (first call: caches cleared)"]):
            raise AssertionError("a cached node_costs call differs from a first call")
        ours, raw = out["ino_geo.node_costs"], out["scipy dijkstra (prebuilt graph)"][:n]
        fin = np.isfinite(raw)
        d1 = float(np.abs(np.where(fin, ours - raw, 0)).max())
        if d1 > 1e-6 or (np.isinf(ours) != ~fin).any():
            raise AssertionError(f"node costs differ from scipy by {d1}")
        return {"max_abs_diff_min_vs_scipy": d1}

    emit(suite.compare(
        f"Tomsk node_costs: nearest of {nd} parks, {n} nodes, {repeat} calls",
        {"ino_geo.node_costs": lambda: [ino_geo.node_costs(net, d, unit="min") for _ in range(repeat)][0],
         "ino_geo.node_costs (first call: caches cleared)":
             lambda: [(cold(), ino_geo.node_costs(net, d, unit="min"))[1] for _ in range(repeat)][0],
         "scipy dijkstra (prebuilt graph)": lambda: [dijkstra(Gs, directed=True, indices=n)
                                                     for _ in range(repeat)][0]},
        baseline="scipy dijkstra (prebuilt graph)", rounds=9, check=check_nodes,
        goal="no per-call overhead: near raw scipy", params={"nodes": n, "parks": nd}))


# ------------------------------------------------------------------------------------------
# 4. coverage


def _this_checkout() -> None:
    """Import this checkout's ino_geo (the script's folder, not the repository, is on sys.path)."""
    if str(HERE.parent) not in sys.path:
        sys.path.insert(0, str(HERE.parent))


def coverage_inputs(side: int):
    """Population cells (side x side grid, EPSG:4326 like the shipped layer), 1,000 parks, the study square."""
    import geopandas as gpd
    import shapely

    cell = SIZE / side
    gx, gy = np.meshgrid(X0 + np.arange(side) * cell, Y0 + np.arange(side) * cell)
    cells = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + cell, gy.ravel() + cell)
    rng = np.random.default_rng(3)
    people = rng.integers(0, 50, len(cells)).astype(float)
    pop = gpd.GeoDataFrame({"cell_id": np.arange(len(cells)).astype(str), "population": people},
                           geometry=cells, crs=CRS).to_crs("EPSG:4326")  # stored like the shipped layer
    c = rng.uniform([X0, Y0], [X0 + SIZE, Y0 + SIZE], (1000, 2))
    s = rng.uniform(50, 400, (1000, 2))
    parks = gpd.GeoDataFrame({"park_id": np.arange(1000).astype(str), "park_type": "sport"},
                             geometry=shapely.box(c[:, 0], c[:, 1], c[:, 0] + s[:, 0], c[:, 1] + s[:, 1]), crs=CRS)
    study = gpd.GeoDataFrame({"boundary_id": ["sq"], "name": ["square"], "level": ["municipality"]},
                             geometry=[shapely.box(X0, Y0, X0 + SIZE, Y0 + SIZE)], crs=CRS)
    return cells, people, pop, parks, study


def coverage_memory(side: int) -> dict:
    """In a fresh process: RSS with the inputs built, and the peak during one ``coverage()``
    (the kernel's high-water mark reset after the inputs are built, so that building them does
    not count; where that is not available, the process's peak)."""
    _this_checkout()
    import ino_geo

    cells, people, pop, parks, study = coverage_inputs(side)
    del cells
    import gc

    gc.collect()
    with open("/proc/self/statm") as f:
        rss_inputs = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    reset = _reset_peak_rss()
    ino_geo.coverage(parks, distances=[1000.0], population=pop, boundaries=study)
    peak = _vm_hwm_mib() if reset else harness.peak_rss_mib()
    return {"cells": len(pop), "rss_with_inputs_mib": round(rss_inputs, 1), "peak_rss_mib": round(peak, 1),
            "peak_above_inputs_mib": round(peak - rss_inputs, 1),
            "peak_measured": "during coverage() (VmHWM reset)" if reset else "whole process (ru_maxrss)"}


def _reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark of this process (Linux ``clear_refs``); False if not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return _vm_hwm_mib() > 0
    except OSError:
        return False


def _vm_hwm_mib() -> float:
    """Peak resident memory since the last reset (``VmHWM``), MiB; 0 if unknown."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def coverage_case(suite, side: int, family: str = "coverage"):
    _this_checkout()
    import shapely

    import ino_geo
    from ino_geo.analysis.shares import covered_shares

    cells, people, pop, parks, study = coverage_inputs(side)
    mcells = np.asarray(pop.to_crs(CRS).geometry.values, dtype=object)  # the baseline's input, projected once
    pgeoms = np.asarray(parks.geometry.values, dtype=object)
    d = 1000.0

    def shares_alone():
        u = shapely.union_all(shapely.buffer(pgeoms, d, quad_segs=16))
        return covered_shares(mcells, u)

    def check(out):
        cov = out["ino_geo.coverage (cells)"]
        ref = out["covered_shares alone"]
        got = float(cov.table["population"].iloc[0])
        want = float((people * ref).sum())
        share_diff = float(np.abs(cov.cells["share"].to_numpy() - ref).max())
        if abs(got - want) > 1e-6 * max(1.0, want) or share_diff > 1e-9:
            raise AssertionError(f"coverage {got} != {want} (share diff {share_diff})")
        return {"population_equal": True, "max_share_diff": share_diff}

    return emit(suite.compare(
        f"coverage, {len(cells):,} cells, 1,000 parks, 1 distance",
        {"ino_geo.coverage (cells)": lambda: ino_geo.coverage(parks, distances=[d], population=pop, boundaries=study),
         "ino_geo.coverage (cells=False)": lambda: ino_geo.coverage(parks, distances=[d], population=pop,
                                                                   boundaries=study, cells=False),
         "covered_shares alone": shares_alone},
        baseline="covered_shares alone", rounds=ROUNDS, check=check,
        goal="<= 1.5x covered_shares alone (ratio >= 0.67), <= 1.2 GB peak",
        params={"n": len(cells), "family": family}))


def suite_coverage(quick: bool):
    suite = harness.Suite("coverage")
    side = 300 if quick else 1000
    coverage_case(suite, side)
    r = subprocess.run([sys.executable, __file__, "--coverage-memory", str(side)], capture_output=True, text=True)
    if r.returncode == 0:
        emit(suite.record(f"coverage() memory, {side * side:,} cells (a fresh process)", json.loads(r.stdout),
                          goal="<= 1.2 GB peak", params={"n": side * side}))


# ------------------------------------------------------------------------------------------
# 5. the CLI on the shipped layers


def suite_cli(quick: bool):
    suite = harness.Suite("cli")
    root = HERE.parent
    env = dict(os.environ, PYTHONPATH=str(root))
    cmd = [sys.executable, "-m", "ino_geo.cli", "coverage", "--mode", "network", "--minutes", "15", "--compare"]

    def run():
        r = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(r.stderr[-500:])
        return r.stdout

    t0 = os.times()
    row = suite.compare("ino-geo coverage --mode network --minutes 15 --compare (shipped layers)", {"ino-geo": run},
                        rounds=ROUNDS, goal="<= 3 s end to end",
                        check=lambda out: {"rows": len(out["ino-geo"].splitlines())})
    t1 = os.times()
    cpu = (t1.children_user - t0.children_user + t1.children_system - t0.children_system) / ROUNDS
    emit(row)
    emit(suite.record("ino-geo coverage --compare: CPU time per run (children user + system)",
                      {"cpu_s": round(cpu, 3), "load_avg_1m": round(os.getloadavg()[0], 2)}))
    stages = [json.loads(subprocess.run([sys.executable, "-c", _CLI_STAGES], cwd=root, env=env, capture_output=True,
                                        text=True, check=True).stdout) for _ in range(ROUNDS)]
    emit(suite.record("ino-geo coverage --compare: where the time goes (median of 3 runs, s)",
                      {k: round(float(np.median([s[k] for s in stages])), 3) for k in stages[0]}))


# the stages of one `coverage --mode network --minutes 15 --compare` run, in a fresh interpreter
_CLI_STAGES = """
import json, time
t0 = time.perf_counter()
import geopandas, pyproj, scipy.sparse.csgraph, scipy.spatial, shapely
from ino_geo.cli.main import cli
t1 = time.perf_counter()
from ino_geo import load_layers
from ino_geo.analysis.compare import compare_scenarios
from ino_geo.data.output import format_frame
lay = load_layers()
t2 = time.perf_counter()
table = compare_scenarios(lay.parks, lay.corridors, minutes=[15], boundaries=lay.boundaries,
                          population=lay.population, river=lay.river)
t3 = time.perf_counter()
format_frame(table, "table")
t4 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "load_layers": t2 - t1, "compare_scenarios": t3 - t2, "output": t4 - t3}))
"""


# ------------------------------------------------------------------------------------------
# 6. scaling


def suite_scaling(quick: bool):
    suite = harness.Suite("scaling")
    sizes = (2_000, 10_000) if quick else (10_000, 100_000)
    for layout in ("dense", "sparse"):
        for n in sizes:
            proximity_case(suite, n, layout)
    for side in ((60, 100) if quick else (100, 316)):
        coverage_case(suite, side)


# ------------------------------------------------------------------------------------------
# 7. loading the shipped layers


def suite_load(quick: bool):
    if str(HERE.parent) not in sys.path:
        sys.path.insert(0, str(HERE.parent))  # this checkout's ino_geo, not an installed one
    import geopandas as gpd
    import pyogrio
    from geopandas.testing import assert_geodataframe_equal

    import ino_geo
    from ino_geo.data import validate as validate_mod

    suite = harness.Suite("load")
    cat = ino_geo.load_catalogue()
    files = [cat.folder / s.file for s in cat if (cat.folder / s.file).exists()]

    def record_path():  # the loader before its fast path: every file read record by record
        keep = validate_mod.read_arrays
        validate_mod.read_arrays = lambda *a, **k: None
        try:
            return ino_geo.load_layers()
        finally:
            validate_mod.read_arrays = keep

    def check(out):
        want = out["record-by-record validator"]
        for name in ("load_layers()", "load_layers(validate=False)"):
            for layer in want:
                assert_geodataframe_equal(out[name][layer], want[layer])
        rows = {"geopandas.read_file": [len(g) for g in out["geopandas.read_file"]],
                "pyogrio.read_dataframe": [len(g) for g in out["pyogrio.read_dataframe"]]}
        assert rows["geopandas.read_file"] == rows["pyogrio.read_dataframe"] == [len(g) for g in want.values()]
        return {"frames_identical_to_record_path": True, "rows": sum(rows["geopandas.read_file"])}

    contenders = {
        "load_layers()": lambda: ino_geo.load_layers(),
        "load_layers(validate=False)": lambda: ino_geo.load_layers(validate=False),
        "geopandas.read_file": lambda: [gpd.read_file(f) for f in files],
        "pyogrio.read_dataframe": lambda: [pyogrio.read_dataframe(f) for f in files],
        "record-by-record validator": record_path,
    }
    ino_geo.load_layers()  # warm: imports, the catalogue, the CRS database
    emit(suite.compare(f"load the {len(files)} shipped layer files", contenders, baseline="geopandas.read_file",
                       rounds=3 if quick else 7, check=check,
                       goal="load_layers() <= 1.5x geopandas.read_file (ratio >= 0.67)",
                       params={"files": len(files), "ino_geo": str(Path(ino_geo.__file__).parent)}))


SUITES = {"proximity": suite_proximity, "matrix": suite_matrix, "routing": suite_routing,
          "coverage": suite_coverage, "cli": suite_cli, "scaling": suite_scaling, "load": suite_load}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, results in a temporary folder (a smoke run)")
    ap.add_argument("--only", choices=sorted(SUITES), help="run one suite in this process")
    ap.add_argument("--results", help=argparse.SUPPRESS)
    ap.add_argument("--coverage-memory", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.coverage_memory:
        print(json.dumps(coverage_memory(args.coverage_memory)))
        return 0
    if args.results:
        harness.RESULTS_DIR = Path(args.results)
    elif args.quick:  # a smoke run never replaces the measured results
        harness.RESULTS_DIR = Path(tempfile.mkdtemp(prefix="ino-geo-bench-"))
    if args.only:
        SUITES[args.only](args.quick)
        return 0
    results = tempfile.mkdtemp(prefix="ino-geo-bench-") if args.quick else str(harness.RESULTS_DIR)
    failed = 0
    for name in SUITES:
        if args.quick and name == "cli":
            continue  # the shipped-layers CLI run is not a smoke test's business
        cmd = [sys.executable, __file__, "--only", name, "--results", results] + (["--quick"] if args.quick else [])
        r = subprocess.run(cmd, capture_output=True, text=True)
        sys.stderr.write(r.stderr)
        if r.returncode != 0:
            failed += 1
            print(json.dumps({"suite": name, "error": (r.stderr.strip().splitlines() or ["?"])[-1]}), flush=True)
        else:
            print(r.stdout.strip(), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
