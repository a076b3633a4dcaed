"""Property-based tests (hypothesis): random and degenerate geometries fed to the coverage and
proximity API, in euclidean and network mode.

test_coverage.py / test_proximity.py already feed random valid rectangles and points in
euclidean mode. Here the inputs are also degenerate: missing, empty, zero-area, bow-tie,
NaN/inf, wrong geometry types, duplicated, far apart, in geographic or no CRS; and networks
that are disconnected, tiny, or made of zero-length lines. Whatever the input:

* only ino_geo's own errors (InoGeoError subclasses) may be raised, with a one-line message;
* distances and minutes are >= 0 (or missing for a row that is not ``ok``);
* coverage shares lie in [0, 1], area % in [0, 100], and covered population <= total.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box

import ino_geo
from ino_geo import InoGeoError

METRIC = "EPSG:32645"
X0, Y0 = 380_000.0, 6_260_000.0  # central Tomsk in UTM 45N
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def api(name: str):
    """The flat public function: ``ino_geo.coverage`` / ``ino_geo.proximity``."""
    return getattr(ino_geo, name)


# ------------------------------------------------------------------------ strategies

offsets = st.floats(-3000, 3000, allow_nan=False, allow_infinity=False)
sizes = st.floats(0, 1500, allow_nan=False, allow_infinity=False)


@st.composite
def degenerate_polygon(draw):
    """A polygon-ish geometry: mostly valid, often degenerate."""
    x, y = X0 + draw(offsets), Y0 + draw(offsets)
    w, h = draw(sizes), draw(sizes)
    kind = draw(st.sampled_from(["box"] * 24 + ["tiny", "zero_area", "bowtie", "empty", "none", "nan", "inf",
                                               "point", "line", "multi", "huge", "spike"]))
    if kind == "box":
        return box(x, y, x + w + 1e-3, y + h + 1e-3)
    if kind == "tiny":
        return box(x, y, x + 1e-7, y + 1e-7)
    if kind == "zero_area":
        return Polygon([(x, y), (x + w + 1, y), (x + 2 * w + 2, y)])
    if kind == "bowtie":
        return Polygon([(x, y), (x + w + 1, y + h + 1), (x + w + 1, y), (x, y + h + 1)])
    if kind == "empty":
        return Polygon()
    if kind == "none":
        return None
    if kind == "nan":
        return Polygon([(x, y), (math.nan, y), (x + 1, y + 1)])
    if kind == "inf":
        return Polygon([(x, y), (math.inf, y), (x + 1, y + 1)])
    if kind == "point":
        return Point(x, y)
    if kind == "line":
        return LineString([(x, y), (x + w + 1, y + h)])
    if kind == "multi":
        return MultiPolygon([box(x, y, x + 10, y + 10), box(x + 5, y + 5, x + 20, y + 20)])  # overlapping parts
    if kind == "huge":
        return box(x - 1e5, y - 1e5, x + 1e5, y + 1e5)
    return Polygon([(x, y), (x + 10, y), (x + 10, y + 10), (x + 5, y + 10), (x + 5, y + 1e3), (x + 5, y + 10),
                    (x, y + 10)])  # a spike: invalid


@st.composite
def point_like(draw):
    x, y = X0 + draw(offsets), Y0 + draw(offsets)
    kind = draw(st.sampled_from(["point"] * 20 + ["none", "empty", "nan", "polygon", "line"]))
    if kind == "point":
        return Point(x, y)
    if kind == "none":
        return None
    if kind == "empty":
        return Point()
    if kind == "nan":
        return Point(math.nan, y)
    if kind == "polygon":
        return box(x, y, x + 50, y + 50)
    return LineString([(x, y), (x + 100, y)])


@st.composite
def lines(draw):
    x, y = X0 + draw(offsets), Y0 + draw(offsets)
    kind = draw(st.sampled_from(["line"] * 12 + ["zero_length", "empty", "none", "point", "far"]))
    if kind == "line":
        n = draw(st.integers(2, 4))
        pts = [(x + draw(offsets) / 3, y + draw(offsets) / 3) for _ in range(n)]
        return LineString(pts)
    if kind == "zero_length":
        return LineString([(x, y), (x, y)])
    if kind == "empty":
        return LineString()
    if kind == "none":
        return None
    if kind == "point":
        return Point(x, y)
    return LineString([(x + 5e4, y + 5e4), (x + 5.1e4, y + 5e4)])  # a part far from everything


@st.composite
def valid_box(draw):
    x, y = X0 + draw(offsets), Y0 + draw(offsets)
    return box(x, y, x + draw(sizes) + 1e-3, y + draw(sizes) + 1e-3)


@st.composite
def valid_point(draw):
    return Point(X0 + draw(offsets), Y0 + draw(offsets))


def polygons(min_size: int, max_size: int):
    """Half the time only valid boxes (so that results are checked often), else any mix."""
    return st.one_of(st.lists(valid_box(), min_size=min_size, max_size=max_size),
                     st.lists(degenerate_polygon(), min_size=min_size, max_size=max_size))


def points(min_size: int, max_size: int):
    return st.one_of(st.lists(valid_point(), min_size=min_size, max_size=max_size),
                     st.lists(point_like(), min_size=min_size, max_size=max_size))


crs_choice = st.sampled_from([METRIC, METRIC, METRIC, "EPSG:4326", None])


def frame(geoms, crs, **cols):
    gdf = gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries(list(geoms), crs=METRIC if crs else None))
    if crs == "EPSG:4326":
        ok = [g is not None and not g.is_empty and np.isfinite(np.asarray(g.bounds)).all() for g in gdf.geometry]
        if all(ok):
            gdf = gdf.to_crs("EPSG:4326")
        # else: keep the metric CRS (reprojecting NaN is not what is tested here)
    return gdf


def parks_frame(geoms, types, crs):
    return frame(geoms, crs, park_id=[f"P{i}" for i in range(len(geoms))], park_type=types[: len(geoms)])


def one_line_error(exc: InoGeoError) -> None:
    assert str(exc) and "\n" not in str(exc)
    event(f"raised {type(exc).__name__}")


def check_area(t) -> None:
    """Covered area >= 0 and within the study area; % in [0, 100], undefined (NaN) only
    where there is no study area to divide by."""
    assert (t["area_km2"] >= 0).all()
    has_total = t["area_total_km2"] > 0
    assert (t.loc[has_total, "area_km2"] <= t.loc[has_total, "area_total_km2"] * (1 + 1e-9) + 1e-9).all()
    pct = t.loc[has_total, "area_pct"]
    assert ((pct >= 0) & (pct <= 100 + 1e-6)).all()
    assert t.loc[~has_total, "area_pct"].isna().all()


types_st = st.lists(st.sampled_from(["sport", "medical", "innovation"]), min_size=8, max_size=8)


# ------------------------------------------------------------------------ coverage


@settings(max_examples=120, **SETTINGS)
@given(parks=polygons(0, 5), types=types_st,
       cells=polygons(0, 6),
       pops=st.lists(st.floats(0, 1e7), min_size=6, max_size=6),
       dists=st.lists(st.floats(0, 20_000), min_size=1, max_size=3), crs=crs_choice)
def test_coverage_any_geometries(parks, types, cells, pops, dists, crs):
    coverage = api("coverage")
    p = parks_frame(parks, types, crs)
    c = frame(cells, crs, population=pops[: len(cells)]) if cells else None
    try:
        res = coverage(p, distances=dists, population=c)
    except InoGeoError as exc:
        one_line_error(exc)
        return
    event("result")
    t = res.table
    assert len(t) > 0
    check_area(t)
    if c is not None:
        assert (t["population"] >= 0).all()
        assert (t["population"] <= t["population_total"] * (1 + 1e-9) + 1e-6).all()
        pct = t["population_pct"].dropna()
        assert ((pct >= 0) & (pct <= 100 + 1e-6)).all()
    if res.cells is not None and "share" in res.cells:
        s = res.cells["share"].to_numpy(dtype=float)
        assert ((s >= 0) & (s <= 1)).all()
    # a larger distance never covers less (up to 1 m2: GEOS buffers of ~1e-200 m are not exact)
    for (pt, unit), g in t[t["boundary_id"] == "all"].groupby(["park_type", "unit"]):
        g = g.sort_values("threshold")
        assert (np.diff(g["area_km2"].to_numpy()) >= -1e-6).all()


@settings(max_examples=80, **SETTINGS)
@given(parks=polygons(1, 4), types=types_st,
       net=st.lists(lines(), min_size=1, max_size=5),
       cells=polygons(1, 4),
       pops=st.lists(st.floats(0, 1e5), min_size=4, max_size=4),
       minutes=st.lists(st.floats(0, 30), min_size=1, max_size=2),
       max_snap=st.floats(0, 2000), crs=crs_choice)
def test_network_coverage_any_geometries(parks, types, net, cells, pops, minutes, max_snap, crs):
    coverage = api("coverage")
    p = parks_frame(parks, types, crs)
    n = frame(net, crs, speed_kmh=[30.0] * len(net), mode=["road"] * len(net), status=["existing"] * len(net))
    c = frame(cells, crs, population=pops[: len(cells)])
    try:
        res = coverage(p, minutes=minutes, mode="network", network=n, population=c, max_snap=max_snap)
    except InoGeoError as exc:
        one_line_error(exc)
        return
    event("result")
    t = res.table
    check_area(t)
    assert (t["population"] >= 0).all()
    assert (t["population"] <= t["population_total"] * (1 + 1e-9) + 1e-6).all()
    if res.cells is not None and "share" in res.cells:
        s = res.cells["share"].to_numpy(dtype=float)
        assert ((s >= 0) & (s <= 1)).all()


@settings(max_examples=40, **SETTINGS)
@given(d=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**12, 10**12), st.text(max_size=3)),
       minutes=st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)))
def test_coverage_any_threshold(d, minutes):
    coverage = api("coverage")
    p = parks_frame([box(X0, Y0, X0 + 100, Y0 + 100)], ["sport"], METRIC)
    try:
        res = coverage(p, distances=[d], minutes=[] if minutes is None else [minutes])
    except InoGeoError as exc:
        one_line_error(exc)
        return
    t = res.table
    check_area(t)
    assert (t["threshold"] >= 0).all()


# ------------------------------------------------------------------------ proximity


@settings(max_examples=120, **SETTINGS)
@given(origins=points(0, 6), dests=polygons(0, 6),
       types=types_st, k=st.integers(-1, 5), matrix=st.booleans(), crs=crs_choice)
def test_proximity_any_geometries(origins, dests, types, k, matrix, crs):
    proximity = api("proximity")
    o = frame(origins, crs, site_id=[f"S{i}" for i in range(len(origins))])
    d = parks_frame(dests, types, crs)
    try:
        r = proximity(o, d, k=k, matrix=matrix)
    except InoGeoError as exc:
        one_line_error(exc)
        return
    event("result")
    assert k >= 1 or matrix
    ok = r[r["status"] == "ok"]
    assert (ok["distance_m"] >= 0).all() and np.isfinite(ok["distance_m"]).all()
    assert r.loc[r["status"] != "ok", "distance_m"].isna().all()
    if not matrix:
        for _, g in ok.groupby(["origin_id", "park_type"]):
            assert list(g["distance_m"]) == sorted(g["distance_m"]) and len(g) <= k


@settings(max_examples=80, **SETTINGS)
@given(origins=points(1, 5), dests=polygons(1, 4),
       types=types_st, net=st.lists(lines(), min_size=1, max_size=5), k=st.integers(1, 3),
       max_snap=st.floats(0, 3000), walk=st.floats(0.5, 10), crs=crs_choice)
def test_network_proximity_any_geometries(origins, dests, types, net, k, max_snap, walk, crs):
    proximity = api("proximity")
    o = frame(origins, crs, site_id=[f"S{i}" for i in range(len(origins))])
    d = parks_frame(dests, types, crs)
    n = frame(net, crs, speed_kmh=[40.0] * len(net), mode=["road"] * len(net), status=["existing"] * len(net))
    try:
        r = proximity(o, d, k=k, mode="network", network=n, max_snap=max_snap, walk_speed_kmh=walk)
    except InoGeoError as exc:
        one_line_error(exc)
        return
    event("result" if len(ok := r[r["status"] == "ok"]) else "result without ok rows")
    assert (ok["distance_m"] >= 0).all() and (ok["minutes"] >= 0).all()
    assert np.isfinite(ok["minutes"]).all()
    assert r.loc[r["status"] != "ok", "minutes"].isna().all()
    assert set(r["status"]) <= {"ok", "unsnapped", "unreachable", "no_destination"}
    # walking legs never exceed --max-snap
    for col in ("origin_snap_m", "park_snap_m"):
        if col in ok:
            legs = ok[col].dropna()
            assert (legs >= 0).all() and (legs <= max_snap + 1e-6).all()


@pytest.mark.parametrize("bad", [0, -1, 2.5, "3", None])
def test_proximity_bad_k_is_a_usage_error(bad):
    proximity = api("proximity")
    o = frame([Point(X0, Y0)], METRIC, site_id=["S"])
    d = parks_frame([box(X0 + 10, Y0, X0 + 20, Y0 + 10)], ["sport"], METRIC)
    with pytest.raises(InoGeoError):
        proximity(o, d, k=bad)
