"""OpenStreetMap in: ``network import``, ``--network EXTRACT.osm.pbf`` (cached) and ``layers from-osm``.

Runs on the real extracts shipped inside pyrosm (``test.osm.pbf``: a rural area of Finland;
``Helsinki.osm.pbf``: central Helsinki); nothing is downloaded. Route lengths on the imported
network are checked against networkx on pyrosm's own node-by-node segment graph of the same
ways (OSM node ids, pyrosm's haversine lengths, one-way rules applied from the raw tags).
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

pyrosm = pytest.importorskip("pyrosm")

import ino_geo  # noqa: E402
from ino_geo.cli import cli  # noqa: E402
from ino_geo.data.osm import import_osm_network, network_from_path, split_at_junctions  # noqa: E402
from ino_geo.data.osm_profiles import load_profile, parse_maxspeed, select_ways  # noqa: E402

EXTRACTS = ["test_pbf", "helsinki_pbf"]


@pytest.fixture(scope="module")
def paths():
    real = socket.socket

    class NoNetwork(socket.socket):
        def connect(self, *a, **k):  # pragma: no cover - failing is the point
            raise AssertionError("pyrosm.get_data tried to use the network")

    socket.socket = NoNetwork
    try:
        return {ds: pyrosm.get_data(ds) for ds in EXTRACTS}
    finally:
        socket.socket = real


@pytest.fixture(scope="module")
def nets(paths):
    return {(ds, prof): import_osm_network(paths[ds], prof) for ds in EXTRACTS for prof in ("drive", "walk", "bike")}


@pytest.fixture(scope="module")
def segments(paths):
    """pyrosm's own network, one row per pair of consecutive OSM nodes, and its nodes."""
    out = {}
    for ds in EXTRACTS:
        for prof in ("drive", "walk"):
            nodes, edges = pyrosm.OSM(paths[ds]).get_network(
                network_type=load_profile(prof).pyrosm_network, nodes=True,
                extra_attributes=["junction", "motorroad"])
            out[ds, prof] = nodes, edges
    return out


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


# ---- the tables --------------------------------------------------------------------------

def test_shipped_extracts_resolve_without_network(paths):
    for p in paths.values():
        assert Path(p).is_file() and p.endswith(".osm.pbf")


def test_maxspeed_values():
    s = pd.Series(["50", "30 mph", "RU:urban", "ru:rural", "60;40", "none", "walk", "signals", "0", None, "15 knots"])
    got = parse_maxspeed(s).tolist()
    assert got[:7] == [50.0, 48.28, 60.0, 90.0, 40.0, 130.0, 7.0]
    assert np.isnan(got[7]) and np.isnan(got[8]) and np.isnan(got[9])
    assert got[10] == pytest.approx(27.78)


def test_profiles_select_by_highway_and_tags():
    ways = pd.DataFrame({"highway": ["footway", "residential", "motorway", "trunk", "steps", "cycleway", "footway"],
                         "motorroad": [None, None, None, "yes", None, None, None],
                         "bicycle": [None, None, None, None, None, None, "designated"]})
    assert select_ways(ways, load_profile("drive")).tolist() == [False, True, True, True, False, False, False]
    assert select_ways(ways, load_profile("walk")).tolist() == [True, True, False, False, True, False, True]
    assert select_ways(ways, load_profile("bike")).tolist() == [False, True, False, False, False, True, True]


def test_split_at_junctions_by_hand():
    # a T junction at (1, 0), a way passing through it, and a closed loop touching the first way's end
    lines = np.array([shapely.LineString([(0, 0), (1, 0), (2, 0)]),
                      shapely.LineString([(1, 1), (1, 0)]),
                      shapely.LineString([(2, 0), (3, 0), (3, 1), (2, 0)])])
    edges, line = split_at_junctions(lines)
    assert [list(e.coords) for e in edges] == [[(0, 0), (1, 0)], [(1, 0), (2, 0)], [(1, 1), (1, 0)],
                                               [(2, 0), (3, 0), (3, 1), (2, 0)]]
    assert line.tolist() == [0, 0, 1, 2]


# ---- the network import ------------------------------------------------------------------

@pytest.mark.parametrize("ds", EXTRACTS)
@pytest.mark.parametrize("prof", ["drive", "walk", "bike"])
def test_import_columns_and_lengths(nets, ds, prof):
    g = nets[ds, prof]
    assert list(g.columns) == ["osm_id", "name", "highway", "oneway", "speed_kmh", "length_m", "bridge", "tunnel",
                               "geometry"]
    assert g.crs.to_epsg() == 4326 and len(g) > 100
    assert set(g.geom_type) == {"LineString"}
    assert set(g["highway"]) <= set(load_profile(prof).highway)
    assert (g["speed_kmh"] > 0).all() and (g["length_m"] > 0).all()
    # geodesic lengths against the lengths in the data's UTM zone (scale error < 0.1 %)
    utm = g.to_crs(ino_geo.metric_crs_for(g)).length
    assert float(g["length_m"].sum()) == pytest.approx(float(utm.sum()), rel=1e-3)
    if prof == "walk":
        assert (g["oneway"] == 0).all() and (g["speed_kmh"] == ino_geo.defaults.WALK_SPEED_KMH).all()
    if prof == "drive":
        assert not g["highway"].isin(["footway", "path", "steps", "cycleway", "pedestrian"]).any()


def test_walk_has_footways_and_no_motorways(nets):
    g = nets["helsinki_pbf", "walk"]
    assert g["highway"].isin(["footway", "path", "pedestrian", "steps"]).sum() > 100
    assert not g["highway"].isin(["motorway", "motorway_link"]).any()


@pytest.mark.parametrize("ds", EXTRACTS)
def test_drive_direction_never_contradicts_the_tags(nets, paths, ds):
    """Every drive edge's allowed direction, from the raw tags of its way, and its geometry
    runs in the way's digitised direction (so oneway=1 means along the OSM node order)."""
    g = nets[ds, "drive"]
    raw = pyrosm.OSM(paths[ds]).get_network("driving", extra_attributes=["junction"]).drop_duplicates("id")
    raw = raw.set_index("id").loc[g["osm_id"]]
    tag = raw["oneway"].astype("string").str.lower().fillna("").to_numpy()
    junction = raw["junction"].astype("string").fillna("").to_numpy() if "junction" in raw else np.full(len(g), "")
    want = np.where(np.isin(tag, ["yes", "1", "true"]), 1, np.where(np.isin(tag, ["-1", "reverse"]), -1, 0))
    implied = (tag == "") & (np.isin(junction, ["roundabout", "circular"])
                             | np.isin(raw["highway"].to_numpy(), ["motorway", "motorway_link"]))
    want = np.where(implied, 1, want)
    assert (g["oneway"].to_numpy() == want).all()
    assert (g["oneway"] != 0).sum() > 20
    way = np.asarray(raw.geometry.values)
    a = shapely.line_locate_point(way, shapely.get_point(g.geometry.values, 0))
    b = shapely.line_locate_point(way, shapely.get_point(g.geometry.values, -1))
    closed = shapely.is_closed(way)
    assert (a[~closed] < b[~closed]).all()


def _our_graph(g, directed: bool):
    """networkx graph of the imported edges: nodes are end coordinates, weight length_m."""
    G = nx.DiGraph() if directed else nx.Graph()
    xy0 = shapely.get_coordinates(shapely.get_point(g.geometry.values, 0))
    xy1 = shapely.get_coordinates(shapely.get_point(g.geometry.values, -1))
    for (x0, y0), (x1, y1), ow, w in zip(map(tuple, xy0), map(tuple, xy1), g["oneway"], g["length_m"]):
        for u, v in (((x0, y0), (x1, y1)), ((x1, y1), (x0, y0))):
            if directed and ((ow == 1 and u == (x1, y1)) or (ow == -1 and u == (x0, y0))):
                continue
            if not G.has_edge(u, v) or G[u][v]["w"] > w:
                G.add_edge(u, v, w=w)
            if not directed:
                break
    return G


def _their_graph(nodes, edges, directed: bool):
    """networkx graph of pyrosm's segments (OSM node ids), one-way rules from the raw tags."""
    xy = dict(zip(nodes["id"], zip(nodes["lon"], nodes["lat"])))
    G = nx.DiGraph() if directed else nx.Graph()
    tag = edges["oneway"].astype("string").str.lower().fillna("")
    junction = edges["junction"].astype("string").fillna("") if "junction" in edges else pd.Series("", index=edges.index)
    for u, v, w, t, j, hw in zip(edges["u"], edges["v"], edges["length"], tag, junction, edges["highway"]):
        a, b = xy[u], xy[v]
        fwd, back = True, True
        if directed:
            one = t in ("yes", "1", "true") or (t == "" and (j in ("roundabout", "circular")
                                                           or hw in ("motorway", "motorway_link")))
            fwd, back = (t not in ("-1", "reverse")), (not one)
        if fwd:
            G.add_edge(a, b, w=min(w, G[a][b]["w"]) if G.has_edge(a, b) else w)
        if back and directed:
            G.add_edge(b, a, w=min(w, G[b][a]["w"]) if G.has_edge(b, a) else w)
    return G


@pytest.mark.parametrize("ds", EXTRACTS)
@pytest.mark.parametrize("prof", ["drive", "walk"])
def test_route_lengths_agree_with_networkx_on_pyrosm_segments(nets, segments, ds, prof):
    g = nets[ds, prof]
    nodes, edges = segments[ds, prof]
    edges = edges[edges["id"].isin(set(g["osm_id"]))]  # the same ways (our profile filter on top of pyrosm's)
    directed = prof == "drive"
    ours, theirs = _our_graph(g, directed), _their_graph(nodes, edges, directed)
    rng = np.random.default_rng(11)
    junctions = sorted(ours.nodes)
    sources = [junctions[i] for i in rng.choice(len(junctions), 12, replace=False)]
    compared = 0
    for s in sources:
        a = nx.single_source_dijkstra_path_length(ours, s, weight="w")
        b = nx.single_source_dijkstra_path_length(theirs, s, weight="w")
        assert set(a) == set(b) & set(ours.nodes)  # the same junctions are reachable, in the same directions
        for t, d in a.items():
            if d > 50:
                assert d == pytest.approx(b[t], rel=0.01)
                compared += 1
    assert compared > 200


@pytest.mark.parametrize("ds", EXTRACTS)
def test_ino_geo_graph_is_as_connected_as_the_osm_nodes(nets, segments, ds):
    """build_network joins the imported edges at shared vertices: its components are exactly
    those of the graph of OSM node ids (same number of distinct node positions per component:
    two OSM nodes mapped at the very same position are one junction)."""
    import scipy.sparse.csgraph as csgraph

    g = nets[ds, "walk"]
    nodes, edges = segments[ds, "walk"]
    edges = edges[edges["id"].isin(set(g["osm_id"]))]
    net = ino_geo.build_network(g)
    _, lab = csgraph.connected_components(net.csgraph("m"), directed=False)
    ours = sorted(np.bincount(lab).tolist())
    G = nx.Graph()
    G.add_edges_from(zip(edges["u"], edges["v"]))
    xy = dict(zip(nodes["id"], zip(nodes["lon"], nodes["lat"])))
    theirs = sorted(len({xy[n] for n in c}) for c in nx.connected_components(G))
    assert ours == theirs
    assert ours[-1] > 0.75 * sum(ours)  # one main component holds most of the street network


def test_clip_to_a_box_keeps_direction_and_stays_inside(nets, paths):
    full = nets["helsinki_pbf", "drive"]
    x0, y0, x1, y1 = full.total_bounds
    box = (x0, y0, (x0 + x1) / 2, (y0 + y1) / 2)
    g = import_osm_network(paths["helsinki_pbf"], "drive", clip=",".join(map(str, box)))
    assert 0 < len(g) < len(full)
    assert shapely.box(*box).buffer(1e-9).contains(g.geometry.values).all()
    assert set(g["osm_id"]) <= set(full["osm_id"])


# ---- the CLI -----------------------------------------------------------------------------

def test_cli_network_import(tmp_path, paths):
    out = tmp_path / "roads.gpkg"
    r = run("network", "import", paths["test_pbf"], "-o", out, "--profile", "walk")
    assert r.exit_code == 0, r.output
    info = json.loads(r.stdout)
    assert info["profile"] == "walk" and info["oneway_edges"] == 0 and info["edges"] > 100
    back = ino_geo.read_layer(out)
    assert len(back) == info["edges"] and back.crs.to_epsg() == 4326
    r = run("network", "import", paths["test_pbf"], "-o", out)
    assert r.exit_code == 2 and "--overwrite" in r.stderr


def _bad_files(tmp_path, paths):
    data = Path(paths["test_pbf"]).read_bytes()
    truncated = tmp_path / "truncated.osm.pbf"
    truncated.write_bytes(data[: len(data) // 3])
    corrupt = tmp_path / "corrupt.osm.pbf"
    corrupt.write_bytes(bytes(np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8)))
    text = tmp_path / "notes.osm.pbf"
    text.write_text("this is not an OpenStreetMap extract\n")
    return [truncated, corrupt, text]


def test_cli_bad_extracts_one_line_exit_1_nothing_written(tmp_path, paths):
    for bad in _bad_files(tmp_path, paths):
        out = tmp_path / f"{bad.stem}.gpkg"
        r = run("network", "import", bad, "-o", out)
        assert r.exit_code == 1, (bad, r.output)
        err = [ln for ln in r.stderr.splitlines() if ln.startswith("ino-geo: error:")]
        assert len(err) == 1 and str(bad) in err[0] and "Traceback" not in r.output
        assert not out.exists()
        r = run("layers", "from-osm", bad, "-o", tmp_path / f"{bad.stem}-layers")
        assert r.exit_code == 1 and str(bad) in r.stderr
        assert not (tmp_path / f"{bad.stem}-layers").exists()
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")]  # no staging or temporary leftovers


def test_cli_no_roads_of_the_profile_and_usage_errors(tmp_path, paths):
    out = tmp_path / "roads.gpkg"
    r = run("network", "import", paths["test_pbf"], "-o", out, "--clip", "0,0,0.1,0.1")
    assert r.exit_code == 1 and "no roads of profile 'drive' inside the clip area" in r.stderr
    assert str(paths["test_pbf"]) in r.stderr and not out.exists()
    for args, words in [(["--clip", "5,5,1,1"], "min < max"), (["--profile", "boat"], "boat"),
                        (["--clip", "nowhere"], "no boundary of that id or name")]:
        r = run("network", "import", paths["test_pbf"], "-o", out, *args)
        assert r.exit_code == 2 and words in r.stderr and len(r.stderr.strip().splitlines()) <= 2
    r = run("network", "import", tmp_path / "missing.osm.pbf", "-o", out)
    assert r.exit_code == 2 and "no such file" in r.stderr
    assert not out.exists()


# ---- --network EXTRACT through the cache --------------------------------------------------

def test_network_from_path_uses_the_content_cache(tmp_path, monkeypatch, paths):
    monkeypatch.setenv("INO_GEO_CACHE", str(tmp_path / "cache"))
    first = network_from_path(paths["test_pbf"], "drive")
    entries = list((tmp_path / "cache" / "networks").glob("*.parquet"))
    assert len(entries) == 1
    import ino_geo.data.osm as osm

    monkeypatch.setattr(osm, "import_osm_network", lambda *a, **k: pytest.fail("re-imported despite the cache"))
    again = network_from_path(paths["test_pbf"], "drive")
    pd.testing.assert_frame_equal(pd.DataFrame(first.drop(columns="geometry")),
                                  pd.DataFrame(again.drop(columns="geometry")))
    assert first.geometry.geom_equals_exact(again.geometry, 0).all()
    monkeypatch.undo()
    monkeypatch.setenv("INO_GEO_CACHE", str(tmp_path / "cache"))
    network_from_path(paths["test_pbf"], "walk")  # another profile: another entry
    copy = tmp_path / "copy.osm.pbf"
    copy.write_bytes(Path(paths["test_pbf"]).read_bytes())
    network_from_path(copy, "walk")  # same content under another name: the same entry
    assert len(list((tmp_path / "cache" / "networks").glob("*.parquet"))) == 2
    network_from_path(paths["helsinki_pbf"], "walk", cache=False)
    assert len(list((tmp_path / "cache" / "networks").glob("*"))) == 2


@pytest.fixture(scope="module")
def osm_layers(tmp_path_factory, paths):
    out = tmp_path_factory.mktemp("osm") / "helsinki"
    r = run("layers", "from-osm", paths["helsinki_pbf"], "-o", out)
    assert r.exit_code == 0, r.output
    return out, r


def test_cli_proximity_on_an_extract(tmp_path, monkeypatch, osm_layers, paths):
    folder, _ = osm_layers
    monkeypatch.setenv("INO_GEO_CACHE", str(tmp_path / "cache"))
    args = ["--layers", folder, "proximity", "--from", "places", "--mode", "network", "--network",
            paths["helsinki_pbf"], "--profile", "walk", "--format", "json"]
    r = run(*args)
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)["records"]
    assert rows and all(row["status"] == "ok" for row in rows)
    assert len(list((tmp_path / "cache" / "networks").glob("*.parquet"))) == 1
    r2 = run(*args[:-2], "--no-cache", "--format", "json")
    assert r2.exit_code == 0 and json.loads(r2.stdout)["records"] == rows
    r3 = run("--layers", folder, "proximity", "--from", "places", "--network", paths["helsinki_pbf"])
    assert r3.exit_code == 2 and "--network needs --mode network" in r3.stderr


# ---- layers from-osm ---------------------------------------------------------------------

def test_from_osm_writes_a_valid_catalogue_folder(osm_layers):
    folder, r = osm_layers
    cat = ino_geo.load_catalogue(folder)
    lay = ino_geo.load_layers(folder)
    report = json.loads(r.stdout)
    assert set(lay) == set(report["layers"]) and {"parks", "corridors", "places"} <= set(lay)
    assert set(report["empty"]) == {"boundaries", "river"}  # central Helsinki: no level-6/9 relation, no river polygon
    assert "boundaries: nothing found" in r.stderr and "--population FILE" in r.stderr
    assert cat.metric_crs == "EPSG:32635"  # Helsinki, 24.9 E: UTM zone 35N
    x0, y0, x1, y1 = cat.extent
    for name, gdf in lay.items():
        assert gdf.crs.to_epsg() == 4326
        b = gdf.total_bounds
        assert x0 <= b[0] and y0 <= b[1] and b[2] <= x1 and b[3] <= y1
        assert gdf["source"].str.startswith("OpenStreetMap contributors, ODbL; ").all()
        assert (gdf["accuracy_m"] > 0).all()
    allowed = ino_geo.load_catalogue()["parks"].columns["park_type"].allowed
    assert set(lay.parks["park_type"]) <= set(allowed) and lay.parks["park_type"].nunique() >= 3
    assert (lay.corridors["mode"] == "road").all() and (lay.corridors["status"] == "existing").all()
    assert lay.corridors["corridor_id"].is_unique and set(lay.corridors["oneway"]) == {0, 1}
    helsinki = lay.places.iloc[0]
    assert helsinki["name"] == "Helsinki" and helsinki["name_ru"] == "Хельсинки"
    assert not [p for p in os.listdir(folder.parent) if p.startswith(".")]


def test_from_osm_on_the_test_extract_and_overwrite(tmp_path, paths):
    out = tmp_path / "rural"
    r = run("layers", "from-osm", paths["test_pbf"], "-o", out)
    assert r.exit_code == 0, r.output
    lay = ino_geo.load_layers(out)
    assert set(lay.parks["park_type"]) >= {"industrial", "sport"}  # landuse=industrial, leisure=pitch
    before = (out / "catalogue.toml").read_text()
    r = run("layers", "from-osm", paths["test_pbf"], "-o", out)
    assert r.exit_code == 2 and "--overwrite" in r.stderr and (out / "catalogue.toml").read_text() == before
    r = run("layers", "from-osm", paths["helsinki_pbf"], "-o", out, "--overwrite")
    assert r.exit_code == 0 and "Helsinki" in (out / "catalogue.toml").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rural"]
    r = run("layers", "from-osm", paths["test_pbf"], "-o", tmp_path / "x", "--admin-levels", "county=3")
    assert r.exit_code == 2 and "--admin-levels" in r.stderr


# ---- the pieces the shipped extracts lack: boundaries by admin_level, river polygons ---------

def _features():
    """Hand-made OSM features as pyrosm returns them: a municipality (admin_level 6) with a
    district (9) inside, a level-8 settlement, a river polygon, a riverbank, a lake, a town node."""
    import geopandas as gpd

    sq = lambda x, y, d: shapely.box(x, y, x + d, y + d)  # noqa: E731
    rows = [
        dict(id=1, osm_type="relation", boundary="administrative", admin_level="6", name="Okrug",
             population="577 253", **{"population:date": "2021-10-01"}, geometry=sq(84.8, 56.4, 0.3)),
        dict(id=2, osm_type="relation", boundary="administrative", admin_level="9", name="Rayon",
             population=None, geometry=sq(84.9, 56.5, 0.05)),
        dict(id=3, osm_type="relation", boundary="administrative", admin_level="8", name="Settlement",
             geometry=sq(85.0, 56.45, 0.05)),
        dict(id=4, osm_type="way", natural="water", water="river", name="Tom", geometry=sq(84.95, 56.42, 0.01)),
        dict(id=5, osm_type="way", waterway="riverbank", geometry=sq(84.96, 56.43, 0.01)),
        dict(id=6, osm_type="way", natural="water", water="lake", name="Lake", geometry=sq(84.97, 56.44, 0.01)),
        dict(id=7, osm_type="node", place="town", name="Seversk", population="114000",
             **{"name:ru": "Северск", "source:population": "census 2021"}, geometry=shapely.Point(84.88, 56.6)),
        dict(id=8, osm_type="node", place="suburb", name="Not a settlement", geometry=shapely.Point(84.9, 56.5)),
    ]
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs="EPSG:4326")


def test_boundaries_river_places_from_tags(tmp_path):
    from ino_geo.data import osm_layers
    from ino_geo.data.osm_catalogue import catalogue_toml

    feat, mapping, notes = _features(), osm_layers.load_mapping(), []
    b = osm_layers._boundaries(feat, mapping, {"municipality": "6", "district": "9"}, notes)
    assert b["boundary_id"].tolist() == ["osm-r1", "osm-r2"] and b["level"].tolist() == ["municipality", "district"]
    assert pd.isna(b["parent"].iloc[0]) and b["parent"].iloc[1] == "osm-r1"
    assert b["population"].tolist()[0] == 577253 and pd.isna(b["population"].iloc[1])
    assert b["population_year"].tolist()[0] == 2021 and pd.isna(b["population_year"].iloc[1])
    assert any("admin_level 8 not mapped" in n for n in notes)
    r = osm_layers._river(feat, mapping, notes)
    assert r["name"].tolist() == ["Tom", "(unnamed river, OSM way 5)"]
    p = osm_layers._places(feat, mapping, notes)
    assert p[["place_id", "name", "name_ru", "population", "population_year"]].astype(object).values.tolist() == [
        ["osm-n7", "Seversk", "Северск", 114000, 2021]]
    assert p["source"].tolist() == ["OpenStreetMap contributors, ODbL; node 7"]
    frames = {"boundaries": b, "river": r, "places": p}
    osm_layers._write_staged(tmp_path / "f", frames, catalogue_toml(ino_geo.load_catalogue(), frames, "t"), False)
    lay = ino_geo.load_layers(tmp_path / "f")
    assert sorted(lay) == ["boundaries", "places", "river"]
    assert ino_geo.load_catalogue(tmp_path / "f").metric_crs == "EPSG:32645"  # Tomsk: UTM 45N


def test_clip_by_a_boundary_of_the_layers_folder(tmp_path, paths):
    out = tmp_path / "roads.gpkg"
    r = run("network", "import", paths["test_pbf"], "-o", out, "--clip", "tomsk")  # a Tomsk boundary, a Finnish extract
    assert r.exit_code == 1 and "inside the clip area" in r.stderr and not out.exists()
    g = ino_geo.import_osm_network(paths["test_pbf"], "walk", clip=shapely.box(26.9, 60.5, 27.0, 60.6))
    assert len(g) and g.total_bounds[0] >= 26.9


# ---- a hand-made extract (written with pyosmium): tags with known answers ------------------

def _write_pbf(path, ways):
    """An .osm.pbf with nodes 1..9 on a 3 x 3 grid (~110 m apart) near Tomsk and `ways`."""
    osmium = pytest.importorskip("osmium")
    from osmium.osm.mutable import Node, Way

    w = osmium.SimpleWriter(str(path))
    try:
        for j in range(3):
            for i in range(3):
                w.add_node(Node(id=3 * j + i + 1, location=(84.95 + 0.0018 * i, 56.48 + 0.001 * j), tags={}))
        for k, (nodes, tags) in enumerate(ways, start=100):
            w.add_way(Way(id=k, nodes=nodes, tags=tags))
    finally:
        w.close()
    return path


def test_hand_made_extract_tags_to_columns(tmp_path):
    pbf = _write_pbf(tmp_path / "tiny.osm.pbf", [
        ([1, 2, 3], {"highway": "primary", "oneway": "yes", "maxspeed": "RU:urban", "name": "Lenina"}),
        ([3, 6, 9], {"highway": "residential", "oneway": "-1", "maxspeed": "30 mph"}),
        ([9, 8, 7], {"highway": "tertiary", "bridge": "yes"}),
        ([5, 6, 5 + 3, 5], {"highway": "unclassified", "junction": "roundabout"}),
        ([1, 4, 7], {"highway": "footway"}),
        ([2, 5], {"highway": "residential", "oneway": "no", "tunnel": "yes"}),
    ])
    g = import_osm_network(pbf, "drive").set_index("osm_id")
    assert 104 not in g.index  # the footway
    assert g.loc[100, "oneway"].tolist() == [1, 1]  # split at node 2 (the way 105 joins there)
    assert g.loc[100, "speed_kmh"].tolist() == [60.0, 60.0] and set(g.loc[100, "name"]) == {"Lenina"}
    assert g.loc[[101], "oneway"].tolist() == [-1] * len(g.loc[[101]])
    assert set(g.loc[[101], "speed_kmh"]) == {48.28}
    assert set(g.loc[[103], "oneway"]) == {1}  # roundabout implied one-way
    assert g.loc[[102], "bridge"].all() and g.loc[[105], "tunnel"].all() and not g.loc[[100], "bridge"].any()
    assert set(g.loc[[102], "speed_kmh"]) == {50.0} and set(g.loc[[105], "speed_kmh"]) == {30.0}  # defaults
    # 110 m between grid nodes along x at 56.48 N: 0.0018 deg of longitude
    one = float(g.loc[100, "length_m"].iloc[0])
    assert one == pytest.approx(0.0018 * np.pi / 180 * 6_378_137 * np.cos(np.radians(56.48)), rel=0.005)
    walk = import_osm_network(pbf, "walk")
    assert 104 in set(walk["osm_id"]) and (walk["oneway"] == 0).all()


def test_extract_without_roads_of_the_profile(tmp_path):
    pbf = _write_pbf(tmp_path / "paths.osm.pbf", [([1, 2, 3], {"highway": "footway"}), ([2, 5], {"highway": "steps"})])
    out = tmp_path / "roads.gpkg"
    r = run("network", "import", pbf, "-o", out)
    assert r.exit_code == 1 and f"{pbf}: no roads of profile 'drive'" in r.stderr and not out.exists()
    r = run("network", "import", pbf, "-o", out, "--profile", "walk")
    assert r.exit_code == 0 and json.loads(r.stdout)["edges"] == 3  # the footway split where the steps join
