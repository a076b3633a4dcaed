"""Network graph, snapping, Dijkstra and isochrones: exact answers and networkx cross-checks."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
import shapely
from shapely import LineString, Point, box

from _fixtures_analysis import (  # noqa: F401  (fixtures)
    CRS,
    diamond,
    gdf,
    random_graph_lines,
    river_strip,
    straight_road,
    triangle_lines,
)
from ino_geo import DataError
from ino_geo.network.graph import build_network
from ino_geo.network.isochrones import isochrone
from ino_geo.network.routing import nearest_costs, node_costs, od_costs
from ino_geo.network.snapping import snap

SQ2 = math.sqrt(2) * 1000


def test_graph_nodes_at_shared_vertices_and_ends(triangle_lines):
    net = build_network(triangle_lines)  # rail excluded by default
    assert net.n_nodes == 3
    assert net.n_edges == 3
    assert sorted(np.round(net.edge_length_m, 3).tolist()) == [1000.0, 1000.0, round(SQ2, 3)]
    times = sorted(np.round(net.edge_time_min, 6).tolist())
    assert times == [2.0, 2.0, round(SQ2 / 250.0, 6)]
    assert net.crs == CRS


def test_rail_only_on_request(triangle_lines):
    net = build_network(triangle_lines, modes=None)
    assert net.n_nodes == 4  # the rail's middle vertex
    assert net.n_edges == 5


def test_crossing_without_shared_vertex_is_not_a_junction():
    lines = gdf([{"speed_kmh": 60.0}, {"speed_kmh": 60.0}],
                [LineString([(0, 0), (1000, 0)]), LineString([(500, -500), (500, 500)])])
    net = build_network(lines)
    assert net.n_nodes == 4
    o = snap(net, np.array([Point(0, 0)]), max_snap=1)
    d = snap(net, np.array([Point(500, 500)]), max_snap=1)
    cost, _ = od_costs(net, o, d, unit="m")
    assert np.isinf(cost[0, 0])


def test_parallel_duplicate_segments_keep_the_faster():
    lines = gdf([{"speed_kmh": 30.0}, {"speed_kmh": 60.0}], [LineString([(0, 0), (1000, 0)]), LineString([(1000, 0), (0, 0)])])
    net = build_network(lines)
    o = snap(net, np.array([Point(0, 0)]), max_snap=1)
    d = snap(net, np.array([Point(1000, 0)]), max_snap=1)
    cost, _ = od_costs(net, o, d, unit="min")
    assert cost[0, 0] == pytest.approx(1.0)


def test_bad_speed_and_missing_column_are_data_errors(triangle_lines):
    bad = triangle_lines.copy()
    bad.loc[1, "speed_kmh"] = 0.0
    with pytest.raises(DataError, match=r"record 1 \(bc\) field speed_kmh"):
        build_network(bad)
    with pytest.raises(DataError, match="speed_kmh"):
        build_network(triangle_lines.drop(columns="speed_kmh"))
    with pytest.raises(DataError, match="no lines"):
        build_network(triangle_lines[triangle_lines["mode"] == "rail"])


def test_fastest_route_and_its_length(triangle_lines):
    net = build_network(triangle_lines)
    o = snap(net, np.array([Point(0, -30)]), max_snap=100)  # walk 30 m to a
    d = snap(net, np.array([Point(1000, 1000)]), max_snap=100)
    assert o.walk_m[0] == pytest.approx(30.0)
    tmin, length = od_costs(net, o, d, unit="min", with_length=True)
    # fastest: a-b-c, 4 min + 30 m walk at 75 m/min; its length 2030 m (not the 1444 m diagonal)
    assert tmin[0, 0] == pytest.approx(4.0 + 0.4)
    assert length[0, 0] == pytest.approx(2030.0)
    dm, _ = od_costs(net, o, d, unit="m")
    assert dm[0, 0] == pytest.approx(30.0 + SQ2)


def test_origin_and_destination_on_the_same_segment(straight_road):
    net = build_network(straight_road)
    o = snap(net, np.array([Point(1000, 10)]), max_snap=50)
    d = snap(net, np.array([Point(1400, -20)]), max_snap=50)
    cost, length = od_costs(net, o, d, unit="m", with_length=True)
    assert cost[0, 0] == pytest.approx(10 + 400 + 20)
    assert length[0, 0] == pytest.approx(430)
    tmin, _ = od_costs(net, o, d, unit="min")
    assert tmin[0, 0] == pytest.approx(30 / 75 + 0.4)


def test_snap_limits_and_never_across_the_river(river_strip):
    lines = gdf([{"speed_kmh": 60.0}, {"speed_kmh": 60.0}],
                [LineString([(0, -500), (300, -500), (300, 500)]), LineString([(1500, -500), (1500, 500)])])
    net = build_network(lines)
    river = river_strip.geometry.iloc[0]
    pts = np.array([Point(700, 0), Point(700, 0), Point(100, 0), Point(500, 0)])
    s = snap(net, pts[:1], max_snap=1000, barrier=river)
    # the west road is 400 m away but across the river: the east road, 800 m, is taken
    assert s.status.tolist() == ["ok"]
    assert s.walk_m[0] == pytest.approx(800.0)
    s = snap(net, pts[1:2], max_snap=500, barrier=river)
    assert s.status.tolist() == ["river"] and s.edge[0] == -1 and np.isnan(s.walk_m[0])
    s = snap(net, pts[2:3], max_snap=100, barrier=river)
    assert s.status.tolist() == ["too_far"]
    s = snap(net, pts[3:4], max_snap=2000, barrier=river)  # in the river: cannot leave it
    assert s.status.tolist() == ["river"]
    s = snap(net, pts[1:2], max_snap=500)  # without the barrier the west road is taken
    assert s.walk_m[0] == pytest.approx(400.0)


def test_polygon_joins_wherever_a_road_runs_into_it(straight_road):
    net = build_network(straight_road)
    s = snap(net, np.array([box(2950, -50, 3050, 50), box(5000, -50, 5100, 50)]), max_snap=10)
    assert s.ok.tolist() == [True, True]
    assert len(s.entry_place) == 3  # two edges meet inside the first park, one runs through the second
    o = snap(net, np.array([Point(0, 0), Point(10000, 0)]), max_snap=1)
    cost, length = od_costs(net, o, s, unit="m", with_length=True)
    np.testing.assert_allclose(cost, [[2950.0, 5000.0], [6950.0, 4900.0]])
    np.testing.assert_allclose(length, cost)


def test_multi_source_node_costs(straight_road):
    net = build_network(straight_road)
    places = snap(net, np.array([Point(0, 0), Point(10000, 0)]), max_snap=1)
    c = node_costs(net, places, unit="m")
    assert sorted(c.tolist()) == [0.0, 0.0, 3000.0]


def _nx_graph(net, unit):
    return net.to_networkx(unit)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("unit", ["m", "min"])
def test_od_costs_equal_networkx_dijkstra(seed, unit):
    net = build_network(random_graph_lines(seed))
    g = _nx_graph(net, unit)
    rng = np.random.default_rng(seed)
    src = rng.choice(net.n_nodes, 6, replace=False)
    dst = rng.choice(net.n_nodes, 15, replace=False)
    o = snap(net, shapely.points(net.nodes[src]), max_snap=0.001)
    d = snap(net, shapely.points(net.nodes[dst]), max_snap=0.001)
    cost, length = od_costs(net, o, d, unit=unit, with_length=True)
    for i, s in enumerate(src):
        ref = nx.single_source_dijkstra_path_length(g, int(s), weight="weight")
        for j, t in enumerate(dst):
            if int(t) in ref:
                assert cost[i, j] == pytest.approx(ref[int(t)], abs=1e-6)
            else:
                assert np.isinf(cost[i, j])
    if unit == "m":
        np.testing.assert_allclose(length[np.isfinite(cost)], cost[np.isfinite(cost)], atol=1e-6)


@pytest.mark.parametrize("seed", [3, 4])
def test_mid_edge_places_equal_networkx_on_the_split_graph(seed):
    net = build_network(random_graph_lines(seed, n=8))
    rng = np.random.default_rng(seed)
    pts = shapely.points(rng.uniform(0, 700, (10, 2)))
    o = snap(net, pts[:4], max_snap=200)
    d = snap(net, pts[4:], max_snap=200)
    cost, _ = od_costs(net, o, d, unit="min")
    # reference: networkx on the graph with the snap points inserted as nodes
    g = net.to_networkx("min")
    mpm = 4.5 * 1000 / 60
    for name, s in (("o", o), ("d", d)):
        for i in range(len(s.edge)):
            if s.edge[i] < 0:
                continue
            e = s.edge[i]
            u, v, w = int(net.edge_u[e]), int(net.edge_v[e]), net.edge_time_min[e]
            node = (name, i)
            mid = ("mid", name, i)
            g.add_edge(mid, u, weight=s.frac[i] * w)
            g.add_edge(mid, v, weight=(1 - s.frac[i]) * w)
            g.add_edge(node, mid, weight=s.walk_m[i] / mpm)
    # same-edge places must also connect along the edge
    for i in range(len(o.edge)):
        for j in range(len(d.edge)):
            if o.edge[i] >= 0 and o.edge[i] == d.edge[j]:
                g.add_edge(("mid", "o", i), ("mid", "d", j), weight=abs(o.frac[i] - d.frac[j]) * net.edge_time_min[o.edge[i]])
    for i in range(len(o.edge)):
        if o.edge[i] < 0:
            assert np.isinf(cost[i]).all()
            continue
        ref = nx.single_source_dijkstra_path_length(g, ("o", i), weight="weight")
        for j in range(len(d.edge)):
            r = ref.get(("d", j), math.inf)
            assert cost[i, j] == pytest.approx(r, abs=1e-9) if math.isfinite(r) else np.isinf(cost[i, j])


def test_multi_source_equals_networkx(seed=5):
    net = build_network(random_graph_lines(seed))
    g = net.to_networkx("min")
    sources = [3, 50, 120]
    places = snap(net, shapely.points(net.nodes[sources]), max_snap=0.001)
    c = node_costs(net, places, unit="min")
    ref = nx.multi_source_dijkstra_path_length(g, sources, weight="weight")
    for n in range(net.n_nodes):
        assert c[n] == pytest.approx(ref.get(n, math.inf), abs=1e-9) if n in ref else np.isinf(c[n])
    pts = snap(net, shapely.points(net.nodes[[0, 7, 99]]), max_snap=0.001)
    near = nearest_costs(net, places, pts, unit="min", node_cost=c)
    assert near.tolist() == pytest.approx([ref[0], ref[7], ref[99]])


def test_isochrone_along_a_straight_road(straight_road):
    net = build_network(straight_road)
    park = box(-100, -100, 0, 100)
    places = snap(net, np.array([park]), max_snap=100)
    cost = node_costs(net, places, unit="min")
    iso = isochrone(net, cost, 2.0, unit="min", max_snap=100, places=places, place_geoms=np.array([park]))
    # 1 km/min along the road; the walk left at x is min(100, (2 - x/1000) * 75) metres
    inside = [Point(500, 90), Point(1500, 0), Point(1500, 25), Point(-150, 0), Point(1900, 0)]
    outside = [Point(500, 110), Point(1500, 45), Point(2100, 0), Point(-210, 0), Point(5000, 0)]
    assert all(iso.contains(p) for p in inside)
    assert not any(iso.contains(p) for p in outside)


def test_isochrone_does_not_cross_the_river(river_strip):
    lines = gdf([{"speed_kmh": 60.0}], [LineString([(0, -3000), (0, 3000)])])
    net = build_network(lines)
    park = box(-50, -50, 0, 50)
    places = snap(net, np.array([park]), max_snap=1000)
    river = river_strip.geometry.iloc[0].buffer(0)  # river x = 400..600
    cost = node_costs(net, places, unit="min")
    iso = isochrone(net, cost, 30.0, unit="min", max_snap=1000, places=places, place_geoms=np.array([park]), barrier=river)
    assert iso.contains(Point(300, 0))
    assert not iso.intersects(Point(500, 0))  # the river
    assert not iso.contains(Point(700, 0))  # across it, though within 1000 m of the road


# ---------------------------------------------------------------------------- shipped layers


@pytest.fixture(scope="module")
def shipped():
    from ino_geo import load_layers

    return load_layers()


def test_shipped_corridors_scenarios(shipped):
    from ino_geo import scenario_network
    from ino_geo.network.snapping import barrier_geometry

    corr = shipped.corridors
    ex = scenario_network(corr, "existing", crs=CRS)
    pl = scenario_network(corr, "planned", crs=CRS)
    used_ex = set(ex.line_ids[np.unique(ex.edge_line)])
    used_pl = set(pl.line_ids[np.unique(pl.edge_line)])
    rail = set(corr.loc[corr["mode"] == "rail", "corridor_id"])
    planned = set(corr.loc[corr["status"] == "planned", "corridor_id"])
    recon = corr[corr["status"] == "reconstruction"]
    assert rail and not (rail & used_pl)  # rail is never routed on
    assert planned and not (planned & used_ex) and planned <= used_pl
    # the reconstruction corridors exist today, at today's speed
    for _, r in recon.iterrows():
        assert r["corridor_id"] in used_ex
        lines = np.flatnonzero(ex.line_ids == r["corridor_id"])
        e = np.isin(ex.edge_line, lines)
        speed = ex.edge_length_m[e].sum() / ex.edge_time_min[e].sum() * 60 / 1000
        assert speed == pytest.approx(r["current_speed_kmh"])
        e = np.isin(pl.edge_line, np.flatnonzero(pl.line_ids == r["corridor_id"]))
        assert pl.edge_length_m[e].sum() / pl.edge_time_min[e].sum() * 60 / 1000 == pytest.approx(r["speed_kmh"])
    # snap lines of the sites never enter the river
    river = barrier_geometry(shipped.river, CRS)
    sites = np.asarray(shipped.sites.to_crs(CRS).geometry.values)
    s = snap(ex, sites, max_snap=1000, barrier=river)
    ok = s.edge >= 0
    lines = shapely.linestrings(np.stack([shapely.get_coordinates(sites[ok]), shapely.get_coordinates(s.point[ok])], 1))
    inner = shapely.intersection(lines, river)
    assert (shapely.length(inner) < 1e-6).all()


def test_shipped_banks_are_connected_by_the_bridges(shipped):
    """The left-bank 69K-4 road reaches Lenin Avenue over the existing bridges."""
    from ino_geo import scenario_network

    corr = shipped.corridors
    ex = scenario_network(corr, "existing", crs=CRS)
    ids = set(corr["corridor_id"])
    if not {"road-69k4-left-bank", "road-lenin-ave"} <= ids:
        pytest.skip("the shipped corridors no longer have these ids")
    a = np.flatnonzero(ex.line_ids == "road-69k4-left-bank")
    b = np.flatnonzero(ex.line_ids == "road-lenin-ave")
    na = ex.edge_u[np.isin(ex.edge_line, a)][:1]
    nb = ex.edge_u[np.isin(ex.edge_line, b)][:1]
    o = snap(ex, shapely.points(ex.nodes[na]), max_snap=1)
    d = snap(ex, shapely.points(ex.nodes[nb]), max_snap=1)
    cost, _ = od_costs(ex, o, d, unit="min")
    assert np.isfinite(cost[0, 0]) and 0 < cost[0, 0] < 120


@pytest.mark.slow
def test_benchmark_quick_mode_agrees_with_the_baselines():
    """Smoke run of benchmarks/bench_analysis.py --quick: not timed, only its correctness facts."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    script = root / "benchmarks" / "bench_analysis.py"
    out = subprocess.run([sys.executable, str(script), "--quick"], capture_output=True, text=True, timeout=1500,
                         env={**__import__("os").environ, "PYTHONPATH": str(root)})
    assert out.returncode == 0, out.stdout + out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    by = {(r["suite"], r["case"].split(",")[0].split(":")[0]): r for r in rows}
    for layout in ("dense", "sparse"):
        prox = next(r for r in rows if r["suite"] == "proximity" and layout in r["case"])
        assert prox["agreement"]["identical_distances"] is True and prox["agreement"]["links_same_distances"] is True
    assert by[("matrix", "matrix mode")]["values"]["sample_max_abs_diff_m"] == 0.0
    assert by[("routing", "node_costs")]["agreement"]["max_abs_diff_min_vs_scipy"] < 1e-6
    assert by[("routing", "od_costs")]["agreement"]["equal_to_networkx"] is True
    assert by[("coverage", "coverage")]["agreement"]["population_equal"] is True


def test_max_snap_zero_means_on_the_network(straight_road):
    net = build_network(straight_road)
    s = snap(net, np.array([Point(500, 0), Point(500, 1), box(100, -5, 200, 5)]), max_snap=0.0)
    assert s.status.tolist() == ["ok", "too_far", "ok"]
    assert s.walk_m[0] == 0.0
