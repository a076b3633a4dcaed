"""Proximity: exact distances on squares, ties, empty sets, network mode, sjoin_nearest cross-check."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import LineString, Point, box

from _fixtures_analysis import (  # noqa: F401  (fixtures)
    CRS,
    UTM,
    diamond,
    gdf,
    known_points,
    river_strip,
    square_parks,
    straight_road,
)
from ino_geo import DataError, UsageError, proximity
from ino_geo.analysis.nearest import nearest_polygons
from ino_geo.analysis.proximity import COLUMNS

D_FAR_B = math.hypot(250, 300)


def test_nearest_per_type_exact(square_parks, known_points):
    r = proximity(known_points, square_parks)
    assert list(r.columns) == COLUMNS
    assert r.crs.to_epsg() == 4326
    got = {(o, t): (p, d) for o, t, p, d in r[["origin_id", "park_type", "park_id", "distance_m"]].values}
    assert got[("in", "sport")] == ("A", 0.0)
    assert got[("mid", "sport")] == ("A", 100.0)  # tie with B: first in layer order
    assert got[("far", "sport")] == ("A", 300.0)
    assert got[("in", "medical")] == ("M", 950.0)
    assert got[("far", "medical")] == ("M", 600.0)
    assert got[("mid", "medical")][1] == pytest.approx(math.hypot(100, 950))
    assert r.set_index(["origin_id", "park_type"]).loc[("mid", "sport"), "tied"]
    assert not r.set_index(["origin_id", "park_type"]).loc[("far", "sport"), "tied"]
    assert (r["status"] == "ok").all() and (r["rank"] == 1).all()
    assert r.attrs["units"]["distance_m"] == "m" and r.attrs["metric_crs"] == CRS


def test_link_geometry_goes_to_the_nearest_point(square_parks, known_points):
    r = proximity(known_points, square_parks, park_types=["sport"], links=True).to_crs(CRS)
    line = r.set_index("origin_id").loc["far", "geometry"]
    (x0, y0), (x1, y1) = np.round(np.asarray(line.coords), 3)
    assert (x0, y0, x1, y1) == (50.0, 400.0, 50.0, 100.0)
    assert r.set_index("origin_id").loc["in", "geometry"].length == pytest.approx(0.0, abs=1e-6)


def test_k_nearest_and_matrix(square_parks, known_points):
    r = proximity(known_points, square_parks, park_types=["sport"], k=2)
    rows = r[["origin_id", "rank", "park_id", "distance_m", "tied"]].values.tolist()
    assert rows[:2] == [["in", 1, "A", 0.0, False], ["in", 2, "B", 250.0, False]]
    assert rows[2][:4] == ["mid", 1, "A", 100.0] and rows[3][:4] == ["mid", 2, "B", 100.0]
    assert rows[2][4] and rows[3][4]
    assert rows[5][2] == "B" and rows[5][3] == pytest.approx(D_FAR_B)
    # k larger than the number of parks: as many rows as parks
    r5 = proximity(known_points, square_parks, park_types=["medical"], k=5)
    assert len(r5) == 3
    m = proximity(known_points, square_parks, matrix=True)
    assert len(m) == 3 * 3
    assert r.attrs["k"] == 2 and m.attrs["matrix"]


def test_types_order_and_empty_destinations(square_parks, known_points):
    r = proximity(known_points, square_parks, park_types=["medical", "innovation", "sport"])
    first = r[r["origin_id"] == "in"]
    assert first["park_type"].tolist() == ["medical", "innovation", "sport"]
    empty = r[r["park_type"] == "innovation"]
    assert (empty["status"] == "no_destination").all() and len(empty) == 3
    assert empty["park_id"].isna().all() and empty["distance_m"].isna().all() and empty["rank"].isna().all()


def test_no_origins_and_no_destinations(square_parks, known_points):
    r = proximity(known_points.iloc[:0], square_parks)
    assert len(r) == 0 and list(r.columns) == COLUMNS
    with pytest.raises(DataError, match="destinations: the layer is empty"):
        proximity(known_points, square_parks.iloc[:0])
    r = proximity(known_points, square_parks.iloc[:0], park_types=["sport"])
    assert (r["status"] == "no_destination").all() and len(r) == 3


def test_polygon_origins_and_overlap(square_parks):
    origins = gdf([{"site_id": "poly"}], [box(90, 90, 150, 150)])
    r = proximity(origins, square_parks, park_types=["sport"], k=2)
    assert r["distance_m"].tolist() == [0.0, 150.0]


def test_degree_inputs_are_measured_in_metres(square_parks, known_points):
    r1 = proximity(known_points, square_parks, park_types=["sport"])
    r2 = proximity(known_points.to_crs(4326), square_parks.to_crs(4326), park_types=["sport"], crs=CRS)
    np.testing.assert_allclose(r1["distance_m"], r2["distance_m"], atol=1e-3)


def test_bad_arguments(square_parks, known_points):
    with pytest.raises(UsageError, match="-k"):
        proximity(known_points, square_parks, k=0)
    with pytest.raises(UsageError, match="mode"):
        proximity(known_points, square_parks, mode="bus")
    with pytest.raises(UsageError, match="network"):
        proximity(known_points, square_parks, mode="network")
    with pytest.raises(UsageError, match="park_type"):
        proximity(known_points, square_parks.drop(columns="park_type"), park_types=["sport"])
    nocrs = known_points.copy()
    nocrs = nocrs.set_crs(None, allow_override=True)
    with pytest.raises(DataError, match="origins: the layer has no CRS"):
        proximity(nocrs, square_parks)
    bad = known_points.copy()
    bad.loc[1, "geometry"] = Point()
    with pytest.raises(DataError, match=r"origins: record 1 \(site_id=mid\) field geometry"):
        proximity(bad, square_parks)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_nearest_equals_sjoin_nearest(seed):
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 5000, (40, 2))
    sizes = rng.uniform(20, 300, (40, 2))
    parks = gdf([{"park_id": f"p{i}", "park_type": "sport"} for i in range(40)],
                [box(x, y, x + w, y + h) for (x, y), (w, h) in zip(centres, sizes)])
    pts = gdf([{"site_id": f"s{i}"} for i in range(500)], list(shapely.points(rng.uniform(0, 5300, (500, 2)))))
    r = proximity(pts, parks)
    ref = gpd.sjoin_nearest(pts, parks, distance_col="d")
    ref_d = ref.groupby(level=0)["d"].min().sort_index()
    np.testing.assert_allclose(r["distance_m"].to_numpy(), ref_d.to_numpy(), atol=1e-9)
    # the park chosen is one of sjoin_nearest's (equidistant) matches
    ok = ref.groupby("site_id")["park_id"].agg(set)
    assert all(p in ok[o] for o, p in r[["origin_id", "park_id"]].values)
    oi, dj, d = nearest_polygons(pts.geometry.values, parks.geometry.values)
    assert len(np.unique(oi)) == 500 and (d >= 0).all()


# ---------------------------------------------------------------------------- network mode


@pytest.fixture
def road_park():
    return gdf([{"park_id": "P", "name": "Park", "park_type": "sport"}, {"park_id": "Q", "name": "Far", "park_type": "medical"}],
               [box(3000, -100, 3100, 100), box(20000, 20000, 20100, 20100)])


def test_network_minutes_route_and_status(straight_road, road_park):
    origins = gdf([{"site_id": "road"}, {"site_id": "near"}, {"site_id": "lost"}, {"site_id": "inside"}],
                  [Point(500, 50), Point(3050, 150), Point(500, 5000), Point(3050, 0)])
    r = proximity(origins, road_park, mode="network", network=straight_road, max_snap=200)
    s = r[r["park_type"] == "sport"].set_index("origin_id")
    # walk 50 m (0.667 min) to the road, 2500 m at 1 km/min to the vertex on the park's edge
    assert s.loc["road", "minutes"] == pytest.approx(50 / 75 + 2.5)
    assert s.loc["road", "distance_m"] == pytest.approx(2550.0)
    assert s.loc["road", "route"] == "network" and s.loc["road", "origin_snap_m"] == pytest.approx(50.0)
    # a direct 50 m walk beats 150 m to the road
    assert s.loc["near", "route"] == "walk" and s.loc["near", "distance_m"] == pytest.approx(50.0)
    assert s.loc["near", "minutes"] == pytest.approx(50 / 75)
    assert s.loc["inside", "distance_m"] == 0.0 and s.loc["inside", "minutes"] == 0.0
    assert s.loc["lost", "status"] == "unsnapped" and s.loc["lost", "snap_status"] == "too_far"
    assert np.isnan(s.loc["lost", "distance_m"])
    m = r[r["park_type"] == "medical"].set_index("origin_id")
    assert m.loc["road", "status"] == "unreachable"
    assert r.attrs["units"]["minutes"] == "min" and r.attrs["scenario"] == "existing"


def test_network_snapping_never_crosses_the_river(river_strip):
    lines = gdf([{"speed_kmh": 60.0}], [LineString([(0, -3000), (0, 3000)])])
    parks = gdf([{"park_id": "P", "park_type": "sport"}], [box(-100, 2000, 0, 2100)])
    origins = gdf([{"site_id": "east"}, {"site_id": "west"}], [Point(700, 0), Point(300, 0)])
    r = proximity(origins, parks, mode="network", network=lines, river=river_strip, max_snap=1000).set_index("origin_id")
    assert r.loc["east", "status"] == "unsnapped" and r.loc["east", "snap_status"] == "river"
    assert r.loc["west", "status"] == "ok" and r.loc["west", "distance_m"] == pytest.approx(300 + 2000)
    r2 = proximity(origins, parks, mode="network", network=lines, max_snap=1000).set_index("origin_id")
    assert r2.loc["east", "status"] == "ok"  # without the river layer the walk would cross


def test_network_matrix_ranks_by_minutes(straight_road):
    parks = gdf([{"park_id": "near_slow", "park_type": "sport"}, {"park_id": "far_fast", "park_type": "sport"}],
                [diamond(0, 150, 50), diamond(2000, 10, 10)])
    origins = gdf([{"site_id": "o"}], [Point(0, 0)])
    r = proximity(origins, parks, mode="network", network=straight_road, max_snap=200, matrix=True)
    # near_slow: 100 m walk = 1.333 min; far_fast: 2 km at 1 km/min + 0 m walk = 2 min
    assert r["park_id"].tolist() == ["near_slow", "far_fast"]
    assert r["minutes"].tolist() == pytest.approx([100 / 75, 2.0])


# ---------------------------------------------------------------------------- properties

coords = st.floats(-1000, 1000, allow_nan=False, allow_infinity=False)


@st.composite
def geoms(draw):
    kind = draw(st.sampled_from(["point", "box", "line_box", "tiny"]))
    x, y = draw(coords), draw(coords)
    if kind == "point":
        return Point(x, y)
    if kind == "tiny":
        return box(x, y, x + 1e-6, y + 1e-6)
    w, h = draw(st.floats(0.001, 500)), draw(st.floats(0.001, 500))
    if kind == "line_box":
        h = 1e-3
    return box(x, y, x + w, y + h)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(geoms(), min_size=0, max_size=8), st.lists(geoms(), min_size=0, max_size=6), st.integers(1, 4))
def test_property_distances_non_negative(origins, dests, k):
    o = gpd.GeoDataFrame({"site_id": [str(i) for i in range(len(origins))]}, geometry=origins, crs=CRS)
    d = gpd.GeoDataFrame({"park_id": [str(i) for i in range(len(dests))], "park_type": ["sport"] * len(dests)},
                         geometry=dests, crs=CRS)
    try:
        r = proximity(o, d, k=k, park_types=["sport"])
    except DataError as exc:  # a degenerate polygon is reported, never repaired silently
        assert "field geometry: invalid geometry" in str(exc)
        return
    ok = r[r["status"] == "ok"]
    assert (ok["distance_m"] >= 0).all()
    assert len(r) == len(o) * (min(k, len(d)) if len(d) else 1)
    for oid, g in ok.groupby("origin_id"):
        assert list(g["distance_m"]) == sorted(g["distance_m"])


# ---------------------------------------------------------------------------- shipped layers


def test_shipped_sites_to_parks_equal_sjoin_nearest():
    from ino_geo import load_layers

    lay = load_layers()
    r = proximity(lay.sites, lay.parks)
    types = lay.parks["park_type"].unique()
    assert len(r) == len(lay.sites) * len(types) and (r["status"] == "ok").all()
    sites = lay.sites.to_crs(UTM)
    parks = lay.parks.to_crs(UTM)
    for t in types:
        ref = gpd.sjoin_nearest(sites, parks[parks["park_type"] == t], distance_col="d")
        ref_d = ref.groupby("site_id")["d"].min()
        got = r[r["park_type"] == t].set_index("origin_id")["distance_m"]
        np.testing.assert_allclose(got.loc[ref_d.index].to_numpy(), ref_d.to_numpy(), atol=1e-6)
    inside = gpd.sjoin(sites, parks, predicate="within")
    for sid, t in inside[["site_id", "park_type"]].values:
        assert r[(r["origin_id"] == sid) & (r["park_type"] == t)]["distance_m"].iloc[0] == 0.0


def test_nearest_polygons_equals_strtree_for_polygons_lines_and_points():
    rng = np.random.default_rng(11)
    polys = shapely.buffer(shapely.points(rng.uniform(0, 10000, (60, 2))), rng.uniform(50, 800, 60), quad_segs=3)
    dest = np.concatenate([polys[:20], shapely.boundary(polys[20:40]), shapely.centroid(polys[40:])])
    pts = shapely.points(rng.uniform(-500, 10500, (20000, 2)))
    oi, dj, d = nearest_polygons(pts, dest)
    (ri, rj), rd = shapely.STRtree(dest).query_nearest(pts, return_distance=True, all_matches=True)
    o = np.lexsort((rj, ri))
    assert np.array_equal(oi, ri[o]) and np.array_equal(dj, rj[o]) and np.array_equal(d, rd[o])


def test_links_are_drawn_only_when_asked_for(square_parks, known_points):
    """``links=False`` (the default) leaves ``geometry`` empty and says so in ``attrs``;
    ``links=True`` draws every row's line; the distances are the same."""
    plain = proximity(known_points, square_parks)
    drawn = proximity(known_points, square_parks, links=True)
    assert plain.geometry.isna().all() and plain.attrs["links"] is False
    assert drawn.geometry.notna().all() and drawn.attrs["links"] is True
    assert plain["distance_m"].tolist() == drawn["distance_m"].tolist()
