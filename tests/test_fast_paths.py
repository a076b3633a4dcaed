"""Every fast path of the public API against the slow obvious computation (not timed).

Ties from sorted neighbours vs comparing every pair; proximity's column-wise output and its
links vs shapely + to_crs row by row; routing with the network's cached arcs vs a graph
built from scratch / networkx; the isochrone's river cut vs one query per anchor; coverage's shared
shares vs exact intersections; ``ino-geo build`` validating the layers once.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely import LineString, Point, box

import ino_geo
from ino_geo.analysis.proximity import _tied_sorted

from _fixtures_analysis import CRS  # a local plane: no scale error near (0, 0)


# ------------------------------------------------------------------------------------------
# ties


def _tied_brute(cost, k):
    """The old way: every reported cost against every column of its row."""
    order = np.argsort(cost, axis=1, kind="stable")[:, :k]
    out = np.zeros(order.shape, bool)
    for i in range(cost.shape[0]):
        for j, c in enumerate(order[i]):
            v = cost[i, c]
            with np.errstate(invalid="ignore"):
                same = np.abs(cost[i] - v) <= 1e-6 * max(1.0, abs(v))
            out[i, j] = same.sum() > 1
    return out


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("k", [1, 2, 5, None])
def test_ties_from_sorted_neighbours_equal_all_pairs(seed, k):
    rng = np.random.default_rng(seed)
    cost = rng.integers(0, 6, (30, 7)).astype(float) * 10.0  # many exact ties
    cost[rng.random(cost.shape) < 0.1] = np.inf
    cost[0, :] = np.inf
    order = np.argsort(cost, axis=1, kind="stable")
    kk = cost.shape[1] if k is None else k
    sv = np.take_along_axis(cost, order, axis=1)
    got = _tied_sorted(sv, k)
    fin = np.isfinite(sv[:, :kk])  # only finite costs are ever reported
    assert np.array_equal(got[fin], _tied_brute(cost, kk)[fin]) and not got[~fin].any()


# ------------------------------------------------------------------------------------------
# proximity output


@pytest.fixture(scope="module")
def scene():
    rng = np.random.default_rng(11)
    parks = [shapely.affinity.rotate(box(x, y, x + w, y + h), a) for x, y, w, h, a in
             zip(rng.uniform(0, 5000, 12), rng.uniform(0, 5000, 12), rng.uniform(50, 400, 12),
                 rng.uniform(50, 400, 12), rng.uniform(0, 90, 12))]
    parks.append(box(1000, 1000, 1200, 1200))
    parks.append(box(1400, 1000, 1600, 1200))  # a point at x=1300 is equidistant from both
    types = (["sport", "medical", "industrial"] * 5)[: len(parks)]
    types[-2:] = ["sport", "sport"]
    pk = gpd.GeoDataFrame({"park_id": [f"p{i}" for i in range(len(parks))], "name": [f"P{i}" for i in range(len(parks))],
                           "park_type": types}, geometry=parks, crs=CRS)
    pts = list(shapely.points(rng.uniform(-500, 5500, 40), rng.uniform(-500, 5500, 40)))
    pts += [Point(1300, 1100), Point(1100, 1100)]  # a tie, and a point inside a park
    st = gpd.GeoDataFrame({"site_id": [f"s{i}" for i in range(len(pts))], "name": [f"S{i}" for i in range(len(pts))]},
                          geometry=pts, crs=CRS)
    return st, pk


def _brute(st, pk, k, types):
    rows = []
    for i, o in enumerate(st.geometry):
        for t in types:
            sel = np.flatnonzero(pk["park_type"].to_numpy() == t)
            d = np.array([shapely.distance(o, pk.geometry.iloc[j]) for j in sel])
            order = np.argsort(d, kind="stable")[: (len(sel) if k is None else k)]
            for r, j in enumerate(order, 1):
                rows.append((st["site_id"].iloc[i], t, r, pk["park_id"].iloc[sel[j]], d[j]))
    return rows


@pytest.mark.parametrize("k,matrix", [(1, False), (2, False), (None, True)])
def test_proximity_rows_equal_the_obvious_loop(scene, k, matrix):
    st, pk = scene
    types = ["sport", "medical", "industrial"]
    r = ino_geo.proximity(st, pk, k=k or 1, matrix=matrix, park_types=types)
    got = list(zip(r["origin_id"], r["park_type"], r["rank"].astype(int), r["park_id"], r["distance_m"]))
    want = _brute(st, pk, k, types)
    assert [g[:4] for g in got] == [w[:4] for w in want]
    assert np.allclose([g[4] for g in got], [w[4] for w in want], rtol=0, atol=1e-9)
    tie = r[(r["origin_id"] == f"s{len(st) - 2}") & (r["park_type"] == "sport") & (r["rank"] == 1)]
    assert tie["tied"].all() and tie["distance_m"].iloc[0] == pytest.approx(100.0)


def test_links_equal_shortest_line_reprojected_row_by_row(scene):
    st, pk = scene
    r = ino_geo.proximity(st, pk, k=2, links=True)
    lazy = ino_geo.proximity(st, pk, k=2, links=False)
    assert lazy.geometry.isna().all() and np.array_equal(lazy["distance_m"], r["distance_m"])
    assert lazy.drop(columns="geometry").equals(r.drop(columns="geometry"))
    sid = dict(zip(st["site_id"], st.geometry))
    pid = dict(zip(pk["park_id"], pk.geometry))
    ref = gpd.GeoSeries([shapely.shortest_line(sid[o], pid[p]) for o, p in zip(r["origin_id"], r["park_id"])],
                        crs=CRS).to_crs(4326)
    assert r.crs.to_epsg() == 4326
    assert all(shapely.equals_exact(a, b, tolerance=1e-9) for a, b in zip(r.geometry, ref))


def test_proximity_columns_and_missing_values_keep_their_meaning(scene):
    st, pk = scene
    r = ino_geo.proximity(st, pk, park_types=["sport", "research_education"], links=True)
    none = r[r["park_type"] == "research_education"]
    assert (none["status"] == "no_destination").all() and none["park_id"].isna().all() and none["rank"].isna().all()
    assert none.geometry.isna().all()
    assert list(r.columns) == ino_geo.analysis.proximity.COLUMNS
    assert str(r["rank"].dtype) == "Int64" and r["tied"].dtype == bool


# ------------------------------------------------------------------------------------------
# routing with the cached arcs (per unit and direction) vs a graph built from scratch


def _grid_network(n=12, seed=3):
    rng = np.random.default_rng(seed)
    xy = np.stack(np.meshgrid(np.arange(n) * 100.0, np.arange(n) * 100.0), -1).reshape(-1, 2)
    xy += rng.uniform(-20, 20, xy.shape)
    a = np.arange(n * n)
    u = np.concatenate([a[(a % n) < n - 1], a[a < n * (n - 1)]])
    v = np.concatenate([a[(a % n) < n - 1] + 1, a[a < n * (n - 1)] + n])
    keep = rng.random(len(u)) > 0.15
    lines = shapely.linestrings(np.stack([xy[u[keep]], xy[v[keep]]], axis=1))
    speed = rng.choice([10.0, 30.0, 60.0], keep.sum())
    lines = np.concatenate([lines, lines[:5]])  # parallel duplicates at other speeds
    speed = np.concatenate([speed, speed[:5] * 2])
    return ino_geo.build_network(gpd.GeoDataFrame({"speed_kmh": speed}, geometry=lines, crs=CRS))


def _reference_graph(net, unit, extra_u, extra_v, extra_c, total):
    """From scratch: every edge both ways plus the virtual rows, one sort (the old way)."""
    from ino_geo.network.graph import edge_matrix

    w = net.edge_weight(unit)
    u = np.concatenate([net.edge_u, net.edge_v, extra_u])
    v = np.concatenate([net.edge_v, net.edge_u, extra_v])
    return edge_matrix(total, u, v, np.concatenate([w, w, extra_c]), both=False)


@pytest.mark.parametrize("unit", ["min", "m"])
def test_node_costs_equal_a_graph_built_from_scratch(unit):
    from scipy.sparse.csgraph import dijkstra

    net = _grid_network()
    rng = np.random.default_rng(1)
    places = ino_geo.snap(net, shapely.points(rng.uniform(0, 1100, (6, 2))), max_snap=200)
    p, node, c = places.access(net, unit, ino_geo.defaults.WALK_SPEED_KMH)
    n = net.n_nodes
    G = _reference_graph(net, unit, np.full(len(node), n), node, c, n + 1)
    want = dijkstra(G, directed=True, indices=n)[:n]
    want[want < 1e-9] = 0.0
    for _ in range(2):  # the second call reuses the cached arcs
        got = ino_geo.node_costs(net, places, unit=unit)
        assert np.allclose(got, want, rtol=1e-12, atol=1e-9) and np.array_equal(np.isinf(got), np.isinf(want))


@pytest.mark.parametrize("unit", ["min", "m"])
def test_cached_arcs_of_a_one_way_network_equal_its_graph_each_way(unit):
    from scipy.sparse.csgraph import dijkstra

    base = _grid_network(seed=5)
    lines = gpd.GeoDataFrame({"speed_kmh": np.full(base.n_edges, 30.0),
                              "oneway": np.random.default_rng(6).random(base.n_edges) < 0.4},
                             geometry=shapely.linestrings(np.stack([base.nodes[base.edge_u], base.nodes[base.edge_v]], 1)),
                             crs=CRS)
    net = ino_geo.build_network(lines)
    assert net.oneway.any()
    places = ino_geo.snap(net, shapely.points(net.nodes[[3, 40, 99]]), max_snap=1)
    n = net.n_nodes
    for _ in range(2):  # "to" and "from" interleaved: each direction has its own cached arcs
        for direction, reverse in (("to", True), ("from", False)):
            p, node, c = places.access(net, unit, ino_geo.defaults.WALK_SPEED_KMH, way="in" if reverse else "out")
            u, v, e = net.arcs(reverse)
            from ino_geo.network.graph import edge_matrix

            G = edge_matrix(n + 1, np.concatenate([u, np.full(len(node), n)]), np.concatenate([v, node]),
                            np.concatenate([net.edge_weight(unit)[e], c]), both=False)
            want = dijkstra(G, directed=True, indices=n)[:n]
            want[want < 1e-9] = 0.0
            got = ino_geo.node_costs(net, places, unit=unit, direction=direction)
            assert np.allclose(got, want, rtol=1e-12, atol=1e-9) and np.array_equal(np.isinf(got), np.isinf(want))
    to, fr = (ino_geo.node_costs(net, places, unit=unit, direction=dr) for dr in ("to", "from"))
    assert not np.array_equal(to, fr)  # the one-way arcs matter


def test_od_costs_and_lengths_equal_networkx():
    import networkx as nx

    net = _grid_network(seed=8)
    rng = np.random.default_rng(2)
    nodes = rng.choice(net.n_nodes, 12, replace=False)
    o = ino_geo.snap(net, shapely.points(net.nodes[nodes[:4]]), max_snap=1)
    d = ino_geo.snap(net, shapely.points(net.nodes[nodes[4:]]), max_snap=1)
    g = net.to_networkx("min")
    for _ in range(2):
        cost, length = ino_geo.od_costs(net, o, d, unit="min", with_length=True)
        for i, s in enumerate(nodes[:4]):
            dist, paths = nx.single_source_dijkstra(g, int(s), weight="weight")
            for j, t in enumerate(nodes[4:]):
                if int(t) not in dist:
                    assert np.isinf(cost[i, j])
                    continue
                assert cost[i, j] == pytest.approx(dist[int(t)], abs=1e-9)
                path = paths[int(t)]
                metres = sum(np.hypot(*(net.nodes[a] - net.nodes[b])) for a, b in zip(path[:-1], path[1:]))
                assert length[i, j] == pytest.approx(metres, rel=1e-9, abs=1e-6)


# ------------------------------------------------------------------------------------------
# isochrone: the river cut


def _without_river_slow(area, barrier, anchor):
    """The old way: each anchor cut by the river, then one query per anchor."""
    area = shapely.difference(area, barrier)
    comps = shapely.get_parts(area)
    comps = comps[shapely.get_type_id(comps) == 3]
    anchor = shapely.difference(anchor, barrier)
    anchor = anchor[~shapely.is_empty(anchor)]
    tree = shapely.STRtree(comps)
    keep = np.unique(tree.query(anchor, predicate="intersects")[1]) if len(anchor) else np.zeros(0, int)
    return shapely.union_all(comps[keep]) if len(keep) else shapely.Polygon()


@pytest.mark.parametrize("seed", range(3))
def test_river_cut_equals_one_query_per_anchor(seed):
    from ino_geo.network.isochrones import _without_river

    rng = np.random.default_rng(seed)
    river = box(-10_000, 480, 10_000, 560)
    pts = rng.uniform(0, 1000, (60, 2))
    segs = shapely.linestrings(np.stack([pts[:30], pts[:30] + rng.uniform(-40, 40, (30, 2))], axis=1))
    anchor = np.concatenate([segs, shapely.points(pts[30:])])
    area = shapely.union_all(shapely.buffer(anchor, rng.uniform(5, 120, len(anchor))))
    area = shapely.union_all([area, box(2000, 400, 2100, 700)])  # a part with no anchor: dropped
    fast, slow = _without_river(area, river, anchor), _without_river_slow(area, river, anchor)
    assert fast.equals(slow) and abs(fast.area - slow.area) < 1e-6


# ------------------------------------------------------------------------------------------
# coverage: shares computed once


def test_coverage_population_equals_exact_intersections():
    rng = np.random.default_rng(4)
    gx, gy = np.meshgrid(np.arange(0, 1000, 50.0), np.arange(0, 1000, 50.0))
    cells = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + 50, gy.ravel() + 50)
    people = rng.integers(0, 100, len(cells)).astype(float)
    pop = gpd.GeoDataFrame({"cell_id": [f"c{i}" for i in range(len(cells))], "population": people},
                           geometry=cells, crs=CRS).to_crs(4326)
    parks = gpd.GeoDataFrame({"park_id": ["a", "b"], "park_type": ["sport", "sport"]},
                             geometry=[box(100, 100, 180, 170), box(600, 640, 700, 700)], crs=CRS)
    bounds = gpd.GeoDataFrame({"boundary_id": ["w", "e"], "name": ["W", "E"], "level": ["district"] * 2},
                              geometry=[box(0, 0, 433, 1000), box(433, 0, 1000, 1000)], crs=CRS)
    cov = ino_geo.coverage(parks, distances=[150], population=pop, boundaries=bounds, by="district")
    mcells = np.asarray(pop.to_crs(CRS).geometry.values)
    cover = shapely.union_all(shapely.buffer(parks.geometry.values, 150, quad_segs=16))
    share = shapely.area(shapely.intersection(mcells, cover)) / shapely.area(mcells)
    t = cov.table.set_index("boundary_id")
    assert t.loc["all", "population"] == pytest.approx((people * share).sum(), rel=1e-9)
    for bid, zone in zip(bounds["boundary_id"], bounds.geometry):
        w = shapely.area(shapely.intersection(mcells, zone)) / shapely.area(mcells)
        frag = shapely.intersection(mcells, zone)
        fs = np.where(w > 0, shapely.area(shapely.intersection(frag, cover)) / np.where(w > 0, shapely.area(frag), 1), 0)
        assert t.loc[bid, "population"] == pytest.approx((people * w * fs).sum(), rel=1e-9)
    assert np.allclose(cov.cells["share"], share, atol=1e-9)
    assert all(shapely.equals_exact(a, b, 1e-12) for a, b in zip(cov.cells.geometry, pop.geometry))


# ------------------------------------------------------------------------------------------
# build: the layers validated once


def test_build_validates_once_and_writes_the_proximity_table(tmp_path, mini_layers, monkeypatch):
    import ino_geo.analysis.proximity as prox_mod
    import ino_geo.data.validate as validate_mod

    calls = {"proximity": 0, "validate": 0}
    real_prox, real_val = prox_mod.proximity, validate_mod.validate_path

    def counting_prox(*a, **kw):
        calls["proximity"] += 1
        return real_prox(*a, **kw)

    def counting_val(*a, **kw):
        calls["validate"] += 1
        return real_val(*a, **kw)

    monkeypatch.setattr(prox_mod, "proximity", counting_prox)
    monkeypatch.setattr(ino_geo, "proximity", counting_prox)
    monkeypatch.setattr(validate_mod, "validate_path", counting_val)
    layers = ino_geo.load_layers(mini_layers)
    from ino_geo.pack import build_pack

    build_pack(layers, tmp_path / "pack")
    # the proximity table is computed with build's park types / mode, apart from the map's
    # analysis (main's _write_pack); the layers are still validated once
    assert calls["validate"] == 1 and calls["proximity"] >= 1
    table = gpd.pd.read_csv(tmp_path / "pack" / "proximity.csv")
    direct = real_prox(layers.sites, layers.parks)
    assert np.allclose(table["distance_m"], direct["distance_m"]) and list(table["park_id"]) == list(direct["park_id"])


# ------------------------------------------------------------------------------------------
# validity: grid cells decided without GEOS


def test_convex_quadrilaterals_are_exactly_valid_ones():
    from ino_geo.analysis._inputs import _convex_quads

    rng = np.random.default_rng(0)
    pts = rng.uniform(0, 10, (5000, 4, 2))
    g = shapely.polygons(np.concatenate([pts, pts[:, :1]], axis=1))  # bow-ties, concave and convex ones
    extra = np.array([box(0, 0, 1, 1), shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)]),
                      shapely.Polygon([(0, 0), (2, 0), (1, 0), (0, 1)]),
                      box(0, 0, 2, 2).difference(box(0.5, 0.5, 1, 1)), box(0, 0, 3, 3).buffer(1)], dtype=object)
    g = np.concatenate([g, extra])
    q = _convex_quads(g)
    assert q.sum() > 500 and not (q & ~shapely.is_valid(g)).any()  # never calls an invalid polygon valid
    assert q[-5] and not q[-4] and not q[-3] and not q[-2] and not q[-1]
