"""Directed routing (one-way lines) and the choice of the quickest or the shortest route.

Small networks with hand-derived answers (EPSG:32645, metres; 60 km/h = 1 km per minute),
an independent check against networkx ``DiGraph`` shortest paths on a random directed
network, and the CLI options ``--direction`` / ``--cost``.
"""

from __future__ import annotations

import math

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from click.testing import CliRunner
from shapely import LineString, Point

import ino_geo
from ino_geo.network.graph import build_network, oneway_values
from ino_geo.network.isochrones import isochrone
from ino_geo.network.routing import nearest_costs, node_costs, od_costs
from ino_geo.network.snapping import snap

CRS = "EPSG:32645"
A, B = (0.0, 0.0), (1000.0, 0.0)
LOOP_BACK = [B, (1000.0, 1000.0), (0.0, 1000.0), A]  # B -> A the long way: 3 km


def lines(geoms, oneway=None, speed=60.0, **cols):
    data = {"speed_kmh": [speed] * len(geoms) if np.isscalar(speed) else list(speed), **cols}
    if oneway is not None:
        data["oneway"] = oneway
    return gpd.GeoDataFrame(data, geometry=[LineString(g) for g in geoms], crs=CRS)


def pts(*xy):
    return np.array([Point(p) for p in xy], dtype=object)


def od(net, o, d, **kw):
    so, sd = snap(net, pts(*o), max_snap=100.0), snap(net, pts(*d), max_snap=100.0)
    return od_costs(net, so, sd, with_length=True, **kw)


# --------------------------------------------------------------------- the one-way loop


@pytest.mark.parametrize("first, second", [
    ([A, B], LOOP_BACK),  # both digitised in the allowed direction, oneway = yes
    ([B, A], LOOP_BACK[::-1]),  # both digitised against it, oneway = -1
])
def test_one_way_loop_to_and_from(first, second):
    ow = ["yes", "yes"] if first[0] == A else [-1, "reverse"]
    net = build_network(lines([first, second], oneway=ow))
    assert net.directed
    # A -> B runs the 1 km edge, B -> A the 3 km way round
    for unit, ab, ba in (("min", 1.0, 3.0), ("m", 1000.0, 3000.0)):
        cost, m = od(net, [A], [B], unit=unit, direction="to")
        assert cost[0, 0] == pytest.approx(ab) and m[0, 0] == pytest.approx(1000.0)
        cost, m = od(net, [A], [B], unit=unit, direction="from")
        assert cost[0, 0] == pytest.approx(ba) and m[0, 0] == pytest.approx(3000.0)
    # the minutes of the chosen route as the second measure
    cost, minutes = od(net, [B], [A], unit="m", measure="min")
    assert cost[0, 0] == pytest.approx(3000.0) and minutes[0, 0] == pytest.approx(3.0)


def test_two_way_lines_unchanged():
    """Without a oneway column, or with every line two-way, costs are symmetric and as before."""
    for ow in (None, [0, "no"], [False, None]):
        net = build_network(lines([[A, B], LOOP_BACK], oneway=ow))
        assert not net.directed
        for direction in ("to", "from"):
            cost, m = od(net, [A], [B], unit="m", direction=direction)
            assert cost[0, 0] == pytest.approx(1000.0) and m[0, 0] == pytest.approx(1000.0)
    ref = build_network(lines([[A, B], LOOP_BACK]))
    assert (ref.csgraph("min") != ref.csgraph("min").T).nnz == 0


def test_never_driven_against_the_digitised_direction():
    """Every arc of a one-way line runs the way its digitised order (or -1: the reverse) says."""
    rng = np.random.default_rng(3)
    geoms = [[(float(x), float(y)), (float(x) + 100.0, float(y) + rng.uniform(-40, 40))]
             for x, y in rng.uniform(0, 5000, (60, 2))]
    ow = rng.choice(np.array([1, -1, 0, "yes", "-1", None], dtype=object), 60)
    layer = lines(geoms, oneway=list(ow))
    net = build_network(layer)
    way = oneway_values(ow)
    a, b, e = net.arcs()
    line = net.edge_line[e]
    step = net.nodes[b] - net.nodes[a]
    digitised = np.array([np.subtract(g[1], g[0]) for g in geoms])[line]
    along = np.sign(np.einsum("ij,ij->i", step, digitised))
    assert np.all(along[way[line] == 1] > 0)
    assert np.all(along[way[line] == -1] < 0)
    assert np.all(np.bincount(line, minlength=60)[way == 0] == 2)  # two-way: both arcs
    assert np.all(np.bincount(line, minlength=60)[way != 0] == 1)


def test_oneway_values_of_every_dtype():
    import pandas as pd

    assert oneway_values(pd.array([True, None, False], dtype="boolean")).tolist() == [1, 0, 0]
    assert oneway_values(pd.array([1, -1, None, 0], dtype="Int8")).tolist() == [1, -1, 0, 0]
    assert oneway_values(np.array([1.0, -1.0, np.nan, 0.0])).tolist() == [1, -1, 0, 0]
    assert oneway_values([" Yes", "TRUE", "Reverse", "No", ""]).tolist() == [1, 1, -1, 0, 0]


def test_bad_oneway_value_names_record_and_field():
    with pytest.raises(ino_geo.DataError, match=r"record 1 .*field oneway: 'sometimes'"):
        build_network(lines([[A, B], LOOP_BACK], oneway=["yes", "sometimes"]))


# ------------------------------------------------------------ a place on a one-way edge


@pytest.fixture
def mid_edge_net():
    """A -> B one-way (1 km), B -> (1000, 1000) -> (0, 1000) -> A two-way (3 km)."""
    return build_network(lines([[A, B], LOOP_BACK], oneway=[1, 0]))


def test_place_mid_way_on_a_one_way_edge(mid_edge_net):
    net = mid_edge_net
    p = (250.0, 30.0)  # 30 m walk onto the one-way edge at 250 m
    # to A: cannot go back 250 m against the edge: 750 on to B, 3000 round to A
    cost, m = od(net, [p], [A], unit="m", direction="to")
    assert cost[0, 0] == pytest.approx(30 + 750 + 3000) and m[0, 0] == pytest.approx(3780.0)
    cost, _ = od(net, [p], [A], unit="m", direction="from")  # A -> p: 250 along the edge
    assert cost[0, 0] == pytest.approx(30 + 250)
    cost, _ = od(net, [p], [B], unit="min", direction="to")
    assert cost[0, 0] == pytest.approx(30 / 75 + 0.75)
    cost, _ = od(net, [p], [B], unit="min", direction="from")  # B -> A round, then 250 m
    assert cost[0, 0] == pytest.approx(3.0 + 0.25 + 30 / 75)


def test_same_edge_places_follow_the_one_way(mid_edge_net):
    net = mid_edge_net
    o, d = (200.0, 0.0), (700.0, 0.0)
    assert od(net, [o], [d], unit="m")[0][0, 0] == pytest.approx(500.0)
    # d -> o on the same edge runs against it: on to B, round to A, then 200 m
    assert od(net, [o], [d], unit="m", direction="from")[0][0, 0] == pytest.approx(300 + 3000 + 200)
    assert od(net, [d], [o], unit="m")[0][0, 0] == pytest.approx(3500.0)


def test_node_and_nearest_costs_by_direction(mid_edge_net):
    net = mid_edge_net
    park = snap(net, pts((500.0, 0.0)), max_snap=10.0)
    to = node_costs(net, park, unit="m", direction="to")
    fr = node_costs(net, park, unit="m", direction="from")
    ia = int(np.flatnonzero((net.nodes == A).all(axis=1))[0])
    ib = int(np.flatnonzero((net.nodes == B).all(axis=1))[0])
    assert to[ia] == pytest.approx(500.0) and to[ib] == pytest.approx(3500.0)
    assert fr[ib] == pytest.approx(500.0) and fr[ia] == pytest.approx(3500.0)
    people = snap(net, pts((300.0, 0.0), (800.0, 0.0)), max_snap=10.0, entries=False)
    assert nearest_costs(net, park, people, unit="m").tolist() == pytest.approx([200.0, 3700.0])
    assert nearest_costs(net, park, people, unit="m", direction="from").tolist() == pytest.approx([3800.0, 300.0])


def test_isochrone_respects_direction():
    """Park at B on a dead-end one-way A -> B: 500 m reach the park from x >= 500 only."""
    net = build_network(lines([[A, B]], oneway=["yes"]))
    park = snap(net, pts(B), max_snap=10.0)
    areas = {}
    for direction in ("to", "from"):
        nc = node_costs(net, park, unit="m", direction=direction)
        areas[direction] = isochrone(net, nc, 500.0, unit="m", max_snap=5.0, places=park, place_geoms=pts(B),
                                     step=25.0, direction=direction)
    assert areas["to"].contains(Point(600, 0)) and not areas["to"].contains(Point(400, 0))
    assert not areas["from"].contains(Point(600, 0)) and areas["from"].contains(Point(998, 0))
    both = build_network(lines([[A, B]]))
    pb = snap(both, pts(B), max_snap=10.0)
    for direction in ("to", "from"):
        nc = node_costs(both, pb, unit="m", direction=direction)
        area = isochrone(both, nc, 500.0, unit="m", max_snap=5.0, places=pb, step=25.0, direction=direction)
        assert area.contains(Point(600, 0)) and not area.contains(Point(400, 0))


# -------------------------------------------------------------- quickest or shortest


def test_quickest_or_shortest_in_proximity():
    """S -> T: a direct 2 km road at 30 km/h (4 min) or a 3 km by-pass at 90 km/h (2 min)."""
    s, t = (0.0, 0.0), (2000.0, 0.0)
    net_lines = lines([[s, t], [s, (1000.0, 1118.034), t]], speed=[30.0, 90.0])
    origin = gpd.GeoDataFrame({"site_id": ["o"]}, geometry=[Point(-20, 0)], crs=CRS)
    park = gpd.GeoDataFrame({"park_id": ["p"], "park_type": ["medical"]},
                            geometry=[Point(2020, 0).buffer(5)], crs=CRS)
    kw = dict(mode="network", network=net_lines, river=False, max_snap=50.0)
    quick = ino_geo.proximity(origin, park, **kw)
    short = ino_geo.proximity(origin, park, cost="distance", **kw)
    walk = 20 + 15  # to the network, and from it to the park's edge
    assert quick["minutes"].iloc[0] == pytest.approx(2.0 + walk / 75, rel=1e-6)
    assert quick["distance_m"].iloc[0] == pytest.approx(3000.0 + walk, rel=1e-6)
    assert short["distance_m"].iloc[0] == pytest.approx(2000.0 + walk)
    assert short["minutes"].iloc[0] == pytest.approx(4.0 + walk / 75)
    assert short.attrs["cost"] == "distance" and quick.attrs["direction"] == "to"
    with pytest.raises(ino_geo.UsageError, match="unknown cost"):
        ino_geo.proximity(origin, park, cost="fuel", **kw)
    with pytest.raises(ino_geo.UsageError, match="unknown direction"):
        ino_geo.proximity(origin, park, direction="sideways", **kw)


def test_proximity_direction_on_one_way_loop():
    origin = gpd.GeoDataFrame({"site_id": ["a"]}, geometry=[Point(0, -20)], crs=CRS)
    park = gpd.GeoDataFrame({"park_id": ["b"], "park_type": ["sport"]}, geometry=[Point(1000, -20)], crs=CRS)
    kw = dict(mode="network", network=lines([[A, B], LOOP_BACK], oneway=[1, 1]), river=False, max_snap=30.0)
    to = ino_geo.proximity(origin, park, **kw)
    fr = ino_geo.proximity(origin, park, direction="from", cost="distance", **kw)
    assert to["distance_m"].iloc[0] == pytest.approx(1040.0) and to["minutes"].iloc[0] == pytest.approx(1 + 40 / 75)
    assert fr["distance_m"].iloc[0] == pytest.approx(3040.0) and fr["minutes"].iloc[0] == pytest.approx(3 + 40 / 75)


def test_coverage_direction():
    """Population along a dead-end one-way street reaches the park at its end, not the reverse."""
    from shapely import box

    park = gpd.GeoDataFrame({"park_id": ["p"], "park_type": ["sport"]}, geometry=[box(1000, -10, 1020, 10)],
                            crs=CRS)
    cells = gpd.GeoDataFrame({"population": [100.0, 100.0]},
                             geometry=[box(500, -5, 980, 5), box(20, -5, 480, 5)], crs=CRS)
    kw = dict(minutes=[0.6], mode="network", network=lines([[A, B]], oneway=["yes"]), river=False,
              population=cells, max_snap=5.0)
    to = ino_geo.coverage(park, **kw).table
    fr = ino_geo.coverage(park, direction="from", **kw).table
    assert to["population"].iloc[0] > 90 and fr["population"].iloc[0] < 1
    # --cost distance: thresholds are metres along the network (the shortest routes)
    kw.pop("minutes")
    by_m = ino_geo.coverage(park, distances=[600.0], cost="distance", **kw).table
    assert by_m["population"].iloc[0] == pytest.approx(ino_geo.coverage(park, distances=[600.0], **kw).table[
        "population"].iloc[0]) and by_m["population"].iloc[0] > 90
    with pytest.raises(ino_geo.UsageError, match="takes thresholds in metres, not minutes"):
        ino_geo.coverage(park, minutes=[5.0], cost="distance", **kw)


# --------------------------------------------- an independent check: networkx DiGraph


def _random_directed_layer(seed: int, n: int = 9):
    rng = np.random.default_rng(seed)
    xy = {(i, j): (i * 200.0 + rng.uniform(-40, 40), j * 200.0 + rng.uniform(-40, 40))
          for i in range(n) for j in range(n)}
    geoms, ow, speed = [], [], []
    for (i, j), p in xy.items():
        for q in ((i + 1, j), (i, j + 1), (i + 1, j + 1)):
            if q in xy and rng.random() < 0.8:
                mid = ((p[0] + xy[q][0]) / 2 + rng.uniform(-30, 30), (p[1] + xy[q][1]) / 2)
                geoms.append([p, mid, xy[q]] if rng.random() < 0.5 else [xy[q], mid, p])
                ow.append(rng.choice(np.array([0, 1, -1, "yes", "no", None], dtype=object)))
                speed.append(float(rng.choice([20, 40, 60, 90])))
    return lines(geoms, oneway=ow, speed=speed), list(xy.values())


def _networkx_digraph(layer, unit: str):
    """The layer as a DiGraph built directly from its coordinates (not from the Network)."""
    g = nx.DiGraph()
    for geom, w, s in zip(layer.geometry, layer["oneway"], layer["speed_kmh"]):
        xy = list(geom.coords)
        c = [tuple(np.round(p, 3)) for p in xy]  # node identity to the millimetre
        way = {1: 1, "yes": 1, -1: -1, "-1": -1}.get(w, 0) if w is not None else 0
        for k, (p, q) in enumerate(zip(c[:-1], c[1:])):
            m = math.dist(xy[k], xy[k + 1])
            cost = m if unit == "m" else m / (s * 1000 / 60)
            for a, b in ([(p, q)] if way == 1 else [(q, p)] if way == -1 else [(p, q), (q, p)]):
                if not g.has_edge(a, b) or g[a][b]["weight"] > cost:
                    g.add_edge(a, b, weight=cost)
    return g


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("unit", ["min", "m"])
def test_against_networkx_digraph(seed, unit):
    layer, corners = _random_directed_layer(seed)
    net = build_network(layer)
    assert net.directed
    g = _networkx_digraph(layer, unit)
    rng = np.random.default_rng(seed + 10)
    places = [corners[i] for i in rng.choice(len(corners), 12, replace=False)]
    keys = [tuple(np.round(p, 3)) for p in places]
    o, d = pts(*places[:6]), pts(*places[6:])
    so, sd = snap(net, o, max_snap=1.0), snap(net, d, max_snap=1.0)
    for direction in ("to", "from"):
        cost, _ = od_costs(net, so, sd, unit=unit, direction=direction)
        for i, ki in enumerate(keys[:6]):
            ref = nx.single_source_dijkstra_path_length(g, ki) if direction == "to" else \
                nx.single_source_dijkstra_path_length(g.reverse(copy=False), ki)
            want = [ref.get(kj, np.inf) for kj in keys[6:]]
            np.testing.assert_allclose(cost[i], want, rtol=0, atol=1e-9)
    # the nearest of the places from (to) every node: multi-source search on the reversed graph
    nc = node_costs(net, sd, unit=unit, direction="to")
    ref = nx.multi_source_dijkstra_path_length(g.reverse(copy=False), set(keys[6:]))
    node_keys = [tuple(np.round(p, 3)) for p in net.nodes]
    np.testing.assert_allclose(nc, [ref.get(k, np.inf) for k in node_keys], rtol=0, atol=1e-9)
    # and the length of the quickest route is that of a shortest-time path in networkx
    if unit == "min":
        cost, length = od_costs(net, so, sd, unit="min", with_length=True)
        gm = _networkx_digraph(layer, "m")
        i, j = np.argwhere(np.isfinite(cost))[0]
        path = nx.dijkstra_path(g, keys[i], keys[6 + j])
        assert length[i, j] == pytest.approx(nx.path_weight(gm, path, "weight"), abs=1e-6)


# ------------------------------------------------------------------- OSM-like line layer


def test_osm_importer_layer_routes():
    """A layer with the OSM importer's columns (normalised oneway bool/int) routes one-way."""
    layer = gpd.GeoDataFrame({
        "osm_id": [11, 12], "name": ["A-B", "round"], "highway": ["residential", "primary"],
        "oneway": [True, False], "speed_kmh": [60.0, 60.0], "length_m": [1000.0, 3000.0],
        "bridge": [False, False], "tunnel": [False, False],
    }, geometry=[LineString([A, B]), LineString(LOOP_BACK)], crs=CRS).to_crs("EPSG:4326")
    net = build_network(layer, crs=CRS)
    assert od(net, [A], [B], unit="m")[0][0, 0] == pytest.approx(1000.0, abs=0.01)
    assert od(net, [B], [A], unit="m")[0][0, 0] == pytest.approx(3000.0, abs=0.01)
    assert od(net, [A], [B], unit="m", direction="from")[0][0, 0] == pytest.approx(3000.0, abs=0.01)


# ------------------------------------------------------------------------------- CLI


def test_cli_direction_and_cost_need_network_mode():
    from ino_geo.cli import cli

    r = CliRunner().invoke(cli, ["proximity", "--direction", "from"])
    assert r.exit_code == 2 and r.output.strip().splitlines()[-1] == "ino-geo: error: --direction needs --mode network"
    r = CliRunner().invoke(cli, ["proximity", "--cost", "distance", "--direction", "to"])
    assert r.exit_code == 2 and "--direction and --cost need --mode network" in r.output
    r = CliRunner().invoke(cli, ["coverage", "--minutes", "10", "--direction", "from"])
    assert r.exit_code == 2 and "--direction needs --mode network" in r.output
    r = CliRunner().invoke(cli, ["proximity", "--cost", "fuel"])
    assert r.exit_code == 2
    r = CliRunner().invoke(cli, ["coverage", "--minutes", "10", "--mode", "network", "--cost", "distance"])
    assert r.exit_code == 2 and r.output.strip().splitlines()[-1].startswith("ino-geo: error: cost 'distance'")


def test_cli_proximity_cost_distance(tmp_path):
    from ino_geo.cli import cli

    x0, y0 = 370_000.0, 6_260_000.0  # near Tomsk, where EPSG:32645 is the metric CRS chosen
    s, t = (x0, y0), (x0 + 2000.0, y0)
    roads = lines([[s, t], [s, (x0 + 1000.0, y0 + 1118.034), t]], speed=[30.0, 90.0]).to_crs("EPSG:4326")
    roads.to_file(tmp_path / "roads.geojson")
    gpd.GeoDataFrame({"site_id": ["o"]}, geometry=[Point(x0 - 20, y0)], crs=CRS).to_crs("EPSG:4326").to_file(
        tmp_path / "o.geojson")
    gpd.GeoDataFrame({"park_id": ["p"], "park_type": ["medical"]}, geometry=[Point(x0 + 2020, y0).buffer(5)],
                     crs=CRS).to_crs("EPSG:4326").to_file(tmp_path / "p.geojson")
    out = {}
    for cost in ("time", "distance"):
        args = ["proximity", "--from", str(tmp_path / "o.geojson"), "--to", str(tmp_path / "p.geojson"),
                "--mode", "network", "--network", str(tmp_path / "roads.geojson"), "--max-snap", "50",
                "--cost", cost, "--direction", "to", "--format", "csv"]
        r = CliRunner().invoke(cli, args)
        assert r.exit_code == 0, r.output
        out[cost] = r.output
    import io

    import pandas as pd

    q, d = (pd.read_csv(io.StringIO(out[c][out[c].index("origin_id"):])) for c in ("time", "distance"))
    assert q["distance_m"].iloc[0] == pytest.approx(3035.0, abs=5) and q["minutes"].iloc[0] < 3
    assert d["distance_m"].iloc[0] == pytest.approx(2035.0, abs=5) and d["minutes"].iloc[0] > 4


# --------------------------------------------- a real OpenStreetMap extract (pyrosm's)


@pytest.fixture(scope="module")
def osm_driving():
    """pyrosm's shipped test extract, the driving network with its raw ``oneway`` tags."""
    pyrosm = pytest.importorskip("pyrosm")
    roads = pyrosm.OSM(pyrosm.get_data("test_pbf")).get_network("driving")
    roads = roads[["id", "highway", "oneway", "geometry"]].copy()
    roads["speed_kmh"] = 50.0
    roads["oneway"] = roads["oneway"].astype(object).where(roads["oneway"].notna(), None)
    return roads


def test_pyrosm_extract_routes_like_networkx(osm_driving):
    roads = osm_driving
    assert (roads["oneway"] == "yes").sum() > 10
    net = build_network(roads)
    assert net.directed
    metric = roads.to_crs(net.crs)
    g = _networkx_digraph(metric, "m")
    rng = np.random.default_rng(5)
    ends = [tuple(np.round(geom.coords[0], 3)) for geom in metric.geometry]
    pick = [ends[i] for i in rng.choice(len(ends), 20, replace=False)]
    o, d = pts(*pick[:10]), pts(*pick[10:])
    cost, _ = od_costs(net, snap(net, o, max_snap=0.01), snap(net, d, max_snap=0.01), unit="m")
    n_finite = 0
    for i, ki in enumerate(pick[:10]):
        ref = nx.single_source_dijkstra_path_length(g, ki)
        want = np.array([ref.get(kj, np.inf) for kj in pick[10:]])
        assert np.array_equal(np.isfinite(cost[i]), np.isfinite(want))
        fin = np.isfinite(want)
        n_finite += int(fin.sum())
        np.testing.assert_allclose(cost[i][fin], want[fin], rtol=0.01)
    assert n_finite > 20
    # never against a one-way way: each of its arcs runs in the digitised direction
    a, b, e = net.arcs()
    line = net.edge_line[e]
    one = (roads["oneway"] == "yes").to_numpy()
    steps = {(i, tuple(np.round(p, 3)), tuple(np.round(q, 3)))
             for i, geom in enumerate(metric.geometry) if one[i] for p, q in zip(geom.coords[:-1], geom.coords[1:])}
    keys = [tuple(np.round(p, 3)) for p in net.nodes]
    arcs = [(int(li), keys[x], keys[y]) for x, y, li in zip(a, b, line) if one[li]]
    assert len(arcs) > 50 and all(arc in steps for arc in arcs)
