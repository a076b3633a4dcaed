"""od_costs / node_costs fast paths against slow obvious computations (not timed).

The origin x destination matrix is computed in batches, each with its own virtual origin
nodes, from destination entries grouped by their number; these tests compare it with
networkx on the graph split at every snap point (one-way streets, unreachable places, an
origin that is also a destination, several places on one edge, both units and directions,
every batch size and a forked worker) and, for polygon places (many entries each), with one
scipy Dijkstra over a graph holding every place as a node.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
import shapely
from shapely import LineString, Point

import ino_geo
from ino_geo.network.routing import _base_arcs, _dominated

from _fixtures_analysis import gdf


def _directed_layer(seed: int):
    """A jittered 7 x 7 grid, a third of its streets one-way (either way), and a separate
    two-segment road far off (reachable from nowhere else)."""
    rng = np.random.default_rng(seed)
    n, sp = 7, 100.0
    xy = np.stack(np.meshgrid(np.arange(n) * sp, np.arange(n) * sp), -1).reshape(-1, 2) + rng.uniform(-15, 15, (n * n, 2))
    rows, geoms = [], []
    for a in range(n * n):
        for b in ([a + 1] if a % n + 1 < n else []) + ([a + n] if a + n < n * n else []):
            if rng.random() < 0.1:
                continue
            rows.append({"speed_kmh": float(rng.choice([20.0, 40.0, 60.0])),
                         "oneway": str(rng.choice(["yes", "-1", "no", "no", "no", ""]))})
            geoms.append(LineString([xy[a], xy[b]]))
    rows += [{"speed_kmh": 30.0, "oneway": "no"}, {"speed_kmh": 30.0, "oneway": "yes"}]
    geoms += [LineString([(2000, 2000), (2100, 2000)]), LineString([(2100, 2000), (2200, 2000)])]
    return gdf(rows, geoms)


def _places(net, seed: int):
    """Origins and destinations: mid-edge points (three on one edge), points at nodes, a
    point that is both an origin and a destination, points on the separate road, one too far
    to snap (between other origins, so that batches are not runs of consecutive rows)."""
    rng = np.random.default_rng(seed)
    e = int(np.flatnonzero(net.edge_length_m > 60)[0])
    on_edge = [shapely.line_interpolate_point(net.segments[e], f, normalized=True) for f in (0.2, 0.5, 0.8)]
    free = list(shapely.points(rng.uniform(-20, 620, (9, 2))))
    at_nodes = list(shapely.points(net.nodes[rng.choice(net.n_nodes - 3, 3, replace=False)]))
    both = Point(333, 271)
    o = [on_edge[0], free[0], Point(5000, 5000), free[1], both, at_nodes[0], Point(2050, 2010), free[2], on_edge[2]]
    d = [on_edge[1], free[3], both, at_nodes[1], Point(2150, 1990), free[4], on_edge[0], at_nodes[2], free[5]]
    return np.array(o, dtype=object), np.array(d, dtype=object)


def _split_graph(net, snaps: dict, unit: str, walk_kmh: float):
    """networkx DiGraph: the network's arcs, each edge cut at the snap points on it (in order
    along it), and a node per place joined both ways to its snap point by its walk."""
    g = nx.DiGraph()
    w, m = net.edge_weight(unit), net.edge_length_m
    per_min = walk_kmh * 1000 / 60

    def arc(a, b, c, metres):
        if not g.has_edge(a, b) or g[a][b]["weight"] > c:
            g.add_edge(a, b, weight=c, m=metres)

    cuts: dict = {}
    for name, s in snaps.items():
        for i in np.flatnonzero(s.edge >= 0):
            cuts.setdefault(int(s.edge[i]), []).append((float(s.frac[i]), (name, i)))
            leg = s.walk_m[i] / (1.0 if unit == "m" else per_min)
            arc((name, i), ("at", name, i), leg, s.walk_m[i])
            arc(("at", name, i), (name, i), leg, s.walk_m[i])
    for e in range(net.n_edges):
        stops = [(0.0, int(net.edge_u[e]))] + [(f, ("at",) + k) for f, k in sorted(cuts.get(e, []))]
        stops.append((1.0, int(net.edge_v[e])))
        for (f0, a), (f1, b) in zip(stops[:-1], stops[1:]):
            arc(a, b, (f1 - f0) * w[e], (f1 - f0) * m[e])
            if not net.oneway[e] or f1 == f0:  # two snap points at one spot: one place
                arc(b, a, (f1 - f0) * w[e], (f1 - f0) * m[e])
    return g


@pytest.fixture(scope="module", params=[0, 1])
def scene(request):
    net = ino_geo.build_network(_directed_layer(request.param))
    assert net.directed
    o, d = _places(net, request.param)
    return net, ino_geo.snap(net, o, max_snap=150), ino_geo.snap(net, d, max_snap=150)


@pytest.mark.parametrize("unit", ["min", "m"])
@pytest.mark.parametrize("direction", ["to", "from"])
def test_od_costs_in_every_batching_equal_networkx_on_the_split_graph(scene, unit, direction):
    net, so, sd = scene
    ws = ino_geo.defaults.WALK_SPEED_KMH
    g = _split_graph(net, {"o": so, "d": sd}, unit, ws)
    gg = g if direction == "to" else g.reverse(copy=False)
    want = np.full((len(so.edge), len(sd.edge)), np.inf)
    for i in np.flatnonzero(so.edge >= 0):
        ref = nx.single_source_dijkstra_path_length(gg, ("o", i), weight="weight")
        want[i] = [ref.get(("d", j), np.inf) for j in range(len(sd.edge))]
    want[want < 1e-9] = 0.0
    assert np.isinf(want).any() and (want == 0).any() and np.isfinite(want).sum() > 20  # the cases are there
    back = direction == "from"
    p, node, c = sd.access(net, unit, ws, way="out" if back else "in")
    assert _dominated(p, node, c, _base_arcs(net, unit, back)).any()  # places at nodes: entries dropped
    first = None
    for kw in ({}, {"batch": 1}, {"batch": 2}, {"batch": 4}, {"batch": 3, "workers": 2}):
        cost, length = ino_geo.od_costs(net, so, sd, unit=unit, direction=direction, with_length=True, **kw)
        np.testing.assert_allclose(cost, want, rtol=0, atol=1e-9)
        assert np.array_equal(np.isinf(cost), np.isinf(want)) and np.array_equal(np.isinf(length), np.isinf(cost))
        plain, none = ino_geo.od_costs(net, so, sd, unit=unit, direction=direction, **kw)
        # lengths asked for or not (every entry kept, or dominated ones dropped): the same costs
        assert none is None and np.array_equal(plain, cost)
        if first is None:
            first = (cost, length)
        assert np.array_equal(cost, first[0]) and np.array_equal(length, first[1])  # batching changes nothing


def test_lengths_are_those_of_the_networkx_least_cost_paths(scene):
    net, so, sd = scene
    ws = ino_geo.defaults.WALK_SPEED_KMH
    g = _split_graph(net, {"o": so, "d": sd}, "min", ws)
    cost, length = ino_geo.od_costs(net, so, sd, unit="min", with_length=True, batch=2)
    checked = 0
    for i, j in np.argwhere(np.isfinite(cost)):
        if cost[i, j] == 0:
            continue
        path = nx.dijkstra_path(g, ("o", int(i)), ("d", int(j)), weight="weight")
        assert length[i, j] == pytest.approx(nx.path_weight(g, path, "m"), rel=1e-9, abs=1e-6)
        checked += 1
    assert checked > 20


@pytest.mark.parametrize("direction", ["to", "from"])
def test_node_costs_equal_networkx_multi_source_on_the_split_graph(scene, direction):
    net, _, sd = scene
    g = _split_graph(net, {"d": sd}, "min", ino_geo.defaults.WALK_SPEED_KMH)
    gg = g.reverse(copy=False) if direction == "to" else g
    ref = nx.multi_source_dijkstra_path_length(gg, {("d", int(j)) for j in np.flatnonzero(sd.edge >= 0)})
    want = np.array([ref.get(x, np.inf) for x in range(net.n_nodes)])
    want[want < 1e-9] = 0.0
    got = ino_geo.node_costs(net, sd, unit="min", direction=direction)
    assert np.isinf(got).any()  # the separate road is reached from no place
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)
    assert np.array_equal(np.isinf(got), np.isinf(want))


@pytest.mark.parametrize("unit", ["min", "m"])
def test_polygon_places_equal_one_dijkstra_over_every_place(unit):
    """Parks entered by many roads (more than four entries each) and points, against one
    scipy Dijkstra over the graph plus a node per origin and per destination."""
    from scipy.sparse.csgraph import dijkstra

    from ino_geo.network.graph import edge_matrix

    net = ino_geo.build_network(_directed_layer(3))
    rng = np.random.default_rng(4)
    parks = shapely.buffer(shapely.points(rng.uniform(50, 550, (5, 2))), rng.uniform(60, 220, 5))
    d = np.concatenate([parks, shapely.points(rng.uniform(0, 600, (4, 2)))])
    so = ino_geo.snap(net, shapely.points(rng.uniform(0, 600, (11, 2))), max_snap=150)
    sd = ino_geo.snap(net, d, max_snap=150)
    ws = ino_geo.defaults.WALK_SPEED_KMH
    for direction in ("to", "from"):
        back = direction == "from"
        op, on, oc = so.access(net, unit, ws, way="in" if back else "out")
        dp, dn, dc = sd.access(net, unit, ws, way="out" if back else "in")
        assert np.bincount(dp).max() > 4  # the many-entry path is taken
        n, no = net.n_nodes, len(so.edge)
        u, v, e = net.arcs(back)
        G = edge_matrix(n + no + len(d), np.concatenate([u, n + op, dn]), np.concatenate([v, on, n + no + dp]),
                        np.concatenate([net.edge_weight(unit)[e], oc, dc]), both=False)
        want = dijkstra(G, directed=True, indices=n + np.arange(no))[:, n + no:]
        want[want < 1e-9] = 0.0
        for kw in ({}, {"batch": 3}):
            cost, length = ino_geo.od_costs(net, so, sd, unit=unit, direction=direction, with_length=True, **kw)
            assert np.array_equal(cost, ino_geo.od_costs(net, so, sd, unit=unit, direction=direction, **kw)[0])
            same_edge = cost < want - 1e-9  # a point place on an origin's segment: joined directly
            shared = (so.edge[:, None] == sd.edge[None, :]) & (so.edge[:, None] >= 0)
            assert not (cost > want + 1e-9).any() and not (same_edge & ~shared).any()
            np.testing.assert_allclose(cost[~same_edge], want[~same_edge], rtol=0, atol=1e-9)
            assert np.array_equal(np.isinf(cost), np.isinf(want))
            if unit == "m":  # the shortest route's length is its cost
                np.testing.assert_allclose(length[np.isfinite(cost)], cost[np.isfinite(cost)], rtol=1e-12, atol=1e-9)


def test_empty_and_unsnapped_inputs_give_inf():
    net = ino_geo.build_network(_directed_layer(0))
    far = ino_geo.snap(net, [Point(9000, 9000), None], max_snap=10)
    some = ino_geo.snap(net, shapely.points(net.nodes[:3]), max_snap=1)
    none = ino_geo.snap(net, np.array([], dtype=object), max_snap=1)
    for o, d in ((far, some), (some, far), (none, some), (some, none)):
        cost, length = ino_geo.od_costs(net, o, d, with_length=True)
        assert cost.shape == (len(o.edge), len(d.edge)) and np.isinf(cost).all() and np.isinf(length).all()
    assert np.isinf(ino_geo.node_costs(net, far)).all()
    assert math.isinf(ino_geo.od_costs(net, far, some)[0].min(initial=math.inf))


# ------------------------------------------------------------------------------------------
# the per-places caches: the same numbers as a first call, never a stale graph


def _clear(net):
    for k in [k for k in net._graphs if k[0] in ("node-costs", "od-plan")]:
        del net._graphs[k]


@pytest.mark.parametrize("direction", ["to", "from"])
def test_cached_calls_equal_first_calls(direction):
    net = ino_geo.build_network(_directed_layer(3), crs="EPSG:32645")
    o_geoms, d_geoms = _places(net, 4)
    o, d = ino_geo.snap(net, o_geoms, max_snap=60), ino_geo.snap(net, d_geoms, max_snap=60)
    for unit in ("min", "m"):
        _clear(net)
        first_nodes = ino_geo.node_costs(net, d, unit=unit, direction=direction)
        first_od = ino_geo.od_costs(net, o, d, unit=unit, direction=direction, with_length=True)
        again_nodes = ino_geo.node_costs(net, d, unit=unit, direction=direction)
        again_od = ino_geo.od_costs(net, o, d, unit=unit, direction=direction, with_length=True)
        np.testing.assert_array_equal(first_nodes, again_nodes)
        np.testing.assert_array_equal(first_od[0], again_od[0])
        np.testing.assert_array_equal(first_od[1], again_od[1])
        again_nodes[:] = -1  # the caller's arrays are its own
        again_od[0][:] = -1
        np.testing.assert_array_equal(ino_geo.node_costs(net, d, unit=unit, direction=direction), first_nodes)
        np.testing.assert_array_equal(ino_geo.od_costs(net, o, d, unit=unit, direction=direction)[0], first_od[0])
        # limit is applied per call, not cached
        lim = np.nanmedian(np.where(np.isfinite(first_nodes), first_nodes, np.nan))
        limited = ino_geo.node_costs(net, d, unit=unit, direction=direction, limit=lim)
        assert np.isinf(limited[first_nodes > lim]).all()
        np.testing.assert_array_equal(limited[first_nodes <= lim], first_nodes[first_nodes <= lim])


def test_a_snap_changed_in_place_is_not_served_a_stale_graph():
    net = ino_geo.build_network(_directed_layer(5), crs="EPSG:32645")
    o_geoms, d_geoms = _places(net, 6)
    o, d = ino_geo.snap(net, o_geoms, max_snap=60), ino_geo.snap(net, d_geoms, max_snap=60)
    before_nodes, before_od = ino_geo.node_costs(net, d), ino_geo.od_costs(net, o, d)[0]
    other = ino_geo.snap(net, d_geoms[::-1], max_snap=60)
    for f in ("edge", "frac", "walk_m", "point", "status", "entry_place", "entry_edge", "entry_f0", "entry_f1"):
        getattr(d, f)[...] = getattr(other, f)  # the same object, new content
    _clear_copy = ino_geo.build_network(_directed_layer(5), crs="EPSG:32645")  # no cache at all
    np.testing.assert_array_equal(ino_geo.node_costs(net, d), ino_geo.node_costs(_clear_copy, other))
    np.testing.assert_array_equal(ino_geo.od_costs(net, o, d)[0], ino_geo.od_costs(_clear_copy, o, other)[0])
    assert not np.array_equal(ino_geo.od_costs(net, o, d)[0], before_od)
    assert before_nodes.shape == ino_geo.node_costs(net, d).shape


def test_the_caches_keep_a_few_recent_places():
    from ino_geo.network.routing import _NODE_GRAPHS_KEPT, _OD_PLANS_KEPT

    net = ino_geo.build_network(_directed_layer(7), crs="EPSG:32645")
    o_geoms, d_geoms = _places(net, 8)
    o = ino_geo.snap(net, o_geoms, max_snap=60)
    for i in range(20):
        d = ino_geo.snap(net, d_geoms, max_snap=60 + i)
        d.walk_m = d.walk_m + i * 1e-3  # another snap each time
        ino_geo.node_costs(net, d)
        ino_geo.od_costs(net, o, d)
    assert sum(k[0] == "node-costs" for k in net._graphs) == _NODE_GRAPHS_KEPT
    assert sum(k[0] == "od-plan" for k in net._graphs) == _OD_PLANS_KEPT
