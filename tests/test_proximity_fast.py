"""The fast paths of euclidean proximity against the slow obvious computation (not timed).

``nearest_polygons`` (inside query, KD-tree samples with the completeness proof, the rounds that
ask again with more samples, the ``STRtree.query_nearest`` fallback) against ``shapely.distance``
over every pair, ties included; the nearest points it gives for the links against
``shapely.shortest_line``; ``proximity``'s links built from coordinate arrays against
``shortest_line`` reprojected row by row.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import LineString, MultiPolygon, Point, Polygon, box

import ino_geo
from ino_geo.analysis import nearest as nearest_mod
from ino_geo.analysis.nearest import nearest_polygons, nearest_polygons_and_points

from _fixtures_analysis import CRS, gdf


def _brute(points, polygons):
    """Every nearest polygon of each point: ``shapely.distance`` over all pairs, exact ties."""
    d = shapely.distance(np.asarray(points)[:, None], np.asarray(polygons)[None, :])
    best = d.min(axis=1)
    oi, di = np.nonzero(d == best[:, None])
    return oi, di, d[oi, di]


def _assert_same(points, polygons, share_as_geos=0.95, **kw):
    oi, di, d, near = nearest_polygons_and_points(points, polygons, **kw)
    bi, bj, bd = _brute(points, polygons)
    assert np.array_equal(oi, bi) and np.array_equal(di, bj) and np.array_equal(d, bd)
    a, b, c = nearest_polygons(points, polygons, **kw)
    assert np.array_equal(a, oi) and np.array_equal(b, di) and np.array_equal(c, d)
    _assert_nearest_points(points, polygons, oi, di, d, near, share_as_geos)
    return oi, di, d, near


def _assert_nearest_points(points, polygons, oi, di, d, near, share_as_geos):
    """Each nearest point given lies at the row's distance from its point and on its polygon;
    mostly (random data) the end of ``shortest_line``: elsewhere another point of the polygon
    at the same distance."""
    points, polygons = np.asarray(points), np.asarray(polygons)
    known = ~np.isnan(near[:, 0])
    ispt = shapely.get_type_id(points[oi]) == 0
    assert np.array_equal(known[~ispt], np.zeros((~ispt).sum(), bool))  # non-points: shortest_line
    if not known.any():
        return
    q = shapely.points(near[known])
    assert np.allclose(shapely.distance(points[oi[known]], q), d[known], rtol=0, atol=1e-6)
    assert (shapely.distance(q, polygons[di[known]]) <= 1e-6).all()
    ref = shapely.get_coordinates(shapely.shortest_line(points[oi[known]], polygons[di[known]])).reshape(-1, 2, 2)[:, 1]
    same = np.abs(ref - near[known]).max(axis=1) <= 1e-9
    assert same.mean() >= share_as_geos


@pytest.fixture(params=["kd", "grid", "grid, few candidates", "grid, every point",
                        "grid, every point, few candidates"])
def path(request, monkeypatch):
    """The KD-tree path alone (few points), the grid pass first (for the points outside, or
    for every point, inside ones too), or the grid pass leaving most points (more than one
    candidate) to the rest."""
    if request.param != "kd":
        monkeypatch.setattr(nearest_mod, "_GRID_MIN", 1)
        monkeypatch.setattr(nearest_mod, "_GRID_PER_CELL", 4)
    if request.param.endswith("few candidates"):
        monkeypatch.setattr(nearest_mod, "_GRID_MAX_CANDIDATES", 1)
    if "every point" in request.param:
        monkeypatch.setattr(nearest_mod, "_mostly_outside", lambda points, tree: True)
    else:
        monkeypatch.setattr(nearest_mod, "_mostly_outside", lambda points, tree: False)
    return request.param


def _counting_rounds(monkeypatch):
    """Record the number of samples asked for in each round of the proof."""
    seen = []
    real = nearest_mod._kd_round

    def spy(points, polygons, dv, iv, outline, everything):
        seen.append(dv.shape[1])
        return real(points, polygons, dv, iv, outline, everything)

    monkeypatch.setattr(nearest_mod, "_kd_round", spy)
    return seen


# ------------------------------------------------------------------------------------------
# the kernel


def test_far_points_of_a_sparse_layout_are_asked_again_with_more_samples(monkeypatch):
    # small round parks with many vertices: the 6 nearest samples of a far point are all on
    # one park, so the proof needs more samples
    rng = np.random.default_rng(3)
    parks = shapely.buffer(shapely.points(rng.uniform(0, 20000, (30, 2))), rng.uniform(20, 120, 30), quad_segs=16)
    pts = shapely.points(rng.uniform(-3000, 23000, (4000, 2)))
    seen = _counting_rounds(monkeypatch)
    _assert_same(pts, parks)
    assert seen[0] == 6 and max(seen) >= 24


def test_points_left_by_the_rounds_go_to_query_nearest(monkeypatch):
    rng = np.random.default_rng(4)
    parks = shapely.buffer(shapely.points(rng.uniform(0, 5000, (12, 2))), 60, quad_segs=16)
    pts = shapely.points(rng.uniform(-2000, 7000, (1500, 2)))
    monkeypatch.setattr(nearest_mod, "_MAX_K", 6)  # one round only
    calls = []
    real = shapely.STRtree.query_nearest

    def spy(self, geoms, **kw):
        calls.append(len(geoms))
        return real(self, geoms, **kw)

    monkeypatch.setattr(shapely.STRtree, "query_nearest", spy)
    oi, di, d, near = _assert_same(pts, parks)
    assert calls and calls[0] > 0
    left = np.isnan(near[:, 0]) & (d > 0)
    assert left.sum() == calls[0]  # their links come from shortest_line


def test_exact_ties_between_two_parks_are_all_reported(path):
    parks = np.array([box(0, 0, 100, 100), box(300, 0, 400, 100), box(0, 300, 100, 400), box(1000, 1000, 1001, 1001)])
    # x = 200 is equidistant from the first two; (200, 200) from the first three's corners? no:
    # from (100, 100), (300, 100) and (100, 300) alike
    pts = shapely.points([(200, 50), (200, -40), (200, 200), (200, 1e5), (50, 200)])
    oi, di, d, _ = _assert_same(pts, parks)
    rows = {i: sorted(di[oi == i].tolist()) for i in range(len(pts))}
    assert rows[0] == [0, 1] and rows[1] == [0, 1] and rows[2] == [0, 1, 2] and rows[4] == [0, 2]


def test_points_on_boundaries_inside_and_in_holes(path):
    hole = Polygon([(0, 0), (1000, 0), (1000, 1000), (0, 1000)], [[(400, 400), (600, 400), (600, 600), (400, 600)]])
    multi = MultiPolygon([box(2000, 0, 2100, 100), box(2500, 0, 2600, 100)])
    parks = np.array([hole, multi])
    pts = shapely.points([(500, 500), (450, 500), (1000, 500), (0, 0), (2300, 50), (2550, 50), (2100, 100), (500, 1300)])
    oi, di, d, near = _assert_same(pts, parks, share_as_geos=0.5)  # made of ties
    got = dict(zip(oi.tolist(), d.tolist()))
    assert got[0] == 100.0 and got[1] == 50.0  # inside the hole: to the hole's ring
    assert got[2] == 0.0 and got[3] == 0.0 and got[6] == 0.0  # on boundaries
    assert got[4] == 200.0 and got[5] == 0.0  # between and inside the parts of a multipolygon
    if path != "kd":  # the grid gives no nearest points (the links come from shortest_line)
        return
    assert np.allclose(near[oi == 0][0], [500, 400]) or np.allclose(near[oi == 0][0], [500, 600]) \
        or np.allclose(near[oi == 0][0], [400, 500]) or np.allclose(near[oi == 0][0], [600, 500])
    assert np.array_equal(near[oi == 2][0], [1000, 500])  # on the boundary: the point itself


def test_lines_points_and_non_point_origins(path):
    rng = np.random.default_rng(5)
    polys = shapely.buffer(shapely.points(rng.uniform(0, 8000, (30, 2))), rng.uniform(30, 500, 30), quad_segs=3)
    dest = np.concatenate([polys[:10], shapely.boundary(polys[10:20]), shapely.centroid(polys[20:]),
                           [LineString([(0, 9000), (4000, 9000), (4000, 12000)])]])
    pts = shapely.points(rng.uniform(-1000, 13000, (3000, 2)))
    others = np.array([box(-500, -500, -400, -400), LineString([(100, 11000), (300, 11500)]), box(3900, 8900, 4100, 9100)])
    _assert_same(np.concatenate([pts, others]), dest)


def test_the_grid_pass_takes_the_points_of_a_sparse_layout(monkeypatch):
    rng = np.random.default_rng(12)
    c = rng.uniform(0, 20000, (60, 2))
    s = rng.uniform(50, 400, (60, 2))
    parks = np.array([shapely.affinity.rotate(b, a) for b, a in
                      zip(shapely.box(c[:, 0], c[:, 1], c[:, 0] + s[:, 0], c[:, 1] + s[:, 1]), rng.uniform(0, 90, 60))])
    pts = shapely.points(rng.uniform(-2000, 22000, (20000, 2)))
    monkeypatch.setattr(nearest_mod, "_GRID_MIN", 1000)
    taken = []
    real = nearest_mod._nearest_grid

    def spy(*a):
        out = real(*a)
        taken.append((len(a[0]), len(out[3])))
        return out

    monkeypatch.setattr(nearest_mod, "_nearest_grid", spy)
    oi, di, d, near = _assert_same(pts, parks)
    n, left = taken[0]
    assert n > 19000 and left < n / 10  # the grid answers for most points (the KD-tree: the rest)
    links = _links_of(pts, parks, oi, di, d, near)
    assert np.allclose(links, d, rtol=0, atol=1e-6)


def test_the_grid_takes_every_point_when_a_sample_is_mostly_outside():
    rng = np.random.default_rng(9)
    sparse = shapely.buffer(shapely.points(rng.uniform(0, 20000, (40, 2))), 100.0)
    dense = np.array([box(x, y, x + 1000, y + 1000) for x in range(0, 20000, 1000) for y in range(0, 20000, 1000)])
    pts = shapely.points(rng.uniform(0, 20000, (30000, 2)))
    assert nearest_mod._mostly_outside(pts, shapely.STRtree(sparse))
    assert not nearest_mod._mostly_outside(pts, shapely.STRtree(dense))


def test_cell_centres_bound_their_nearest_distance():
    """The grid's bound of each centre's distance is never below the exact nearest distance
    (also with no outline to sample), and equals it for most centres."""
    rng = np.random.default_rng(5)
    parks = shapely.buffer(shapely.points(rng.uniform(0, 5000, (30, 2))), rng.uniform(5, 300, 30))
    cxy = rng.uniform(-1000, 6000, (3000, 2))
    centres = shapely.points(cxy)
    exact = shapely.distance(centres[:, None], parks[None, :]).min(axis=1)
    far = nearest_mod._centre_bounds(centres, cxy, parks, 300.0)
    assert (far >= exact).all() and (far == exact).mean() > 0.9
    empty = np.array([Polygon(), Point(200, 300)], dtype=object)
    far = nearest_mod._centre_bounds(centres, cxy, empty, 300.0)
    assert np.array_equal(far, shapely.distance(centres, empty[1]))
    nothing = np.array([Polygon()], dtype=object)
    assert np.isinf(nearest_mod._centre_bounds(centres[:5], cxy[:5], nothing, 300.0)).all()


def test_sorted_rows_merge_interleaved_parts_and_order_polygons():
    rng = np.random.default_rng(6)
    n = 5000
    which = rng.integers(0, 3, n)
    parts = []
    for w in range(3):
        pts = np.flatnonzero(which == w)
        reps = rng.integers(1, 4, len(pts))  # 1 to 3 polygons per geometry, in any order
        oi = np.repeat(pts, reps)
        di = rng.permutation(len(oi)) % 97
        parts.append((oi, di, rng.random(len(oi)), rng.random((len(oi), 2))))
    parts.append((np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros((0, 2))))
    oi, di, d, near = nearest_mod._sorted_rows(parts, True)
    all_rows = [np.concatenate([p[i] for p in parts]) for i in range(4)]
    order = np.lexsort((all_rows[1], all_rows[0]))
    assert np.array_equal(oi, all_rows[0][order]) and np.array_equal(di, all_rows[1][order])
    assert np.array_equal(d, all_rows[2][order]) and np.array_equal(near, all_rows[3][order])
    empty = nearest_mod._sorted_rows(parts[-1:], False)
    assert len(empty[0]) == 0 and empty[3] is None


def _links_of(pts, parks, oi, di, d, near):
    """The lengths of the link lines (in the plane: a CRS of scale 1 at its origin, reprojected
    back) of the kernel's rows."""
    from ino_geo.analysis.links import link_lines

    lines = link_lines(pts, parks, oi, di, d, CRS, near)
    return gpd.GeoSeries(lines, crs=4326).to_crs(CRS).length.to_numpy()


def test_a_single_sample_and_empty_inputs():
    _assert_same(shapely.points([(5, 5), (-3, 4), (10, 0)]), np.array([Point(0, 0)]))
    oi, di, d, near = nearest_polygons_and_points(np.array([], dtype=object), np.array([box(0, 0, 1, 1)]))
    assert len(oi) == len(di) == len(d) == 0 and near.shape == (0, 2)
    oi, di, d = nearest_polygons(shapely.points([(0, 0)]), np.array([], dtype=object))
    assert len(oi) == 0


@pytest.mark.parametrize("step,k", [(300.0, 6), (50.0, 1), (5000.0, 2)])
def test_any_step_and_k_give_the_same_answer(step, k, path):
    rng = np.random.default_rng(6)
    c = rng.uniform(0, 6000, (40, 2))
    s = rng.uniform(10, 600, (40, 2))
    parks = np.array([shapely.affinity.rotate(b, a) for b, a in
                      zip(shapely.box(c[:, 0], c[:, 1], c[:, 0] + s[:, 0], c[:, 1] + s[:, 1]), rng.uniform(0, 90, 40))])
    pts = shapely.points(rng.uniform(-500, 6500, (3000, 2)))
    _assert_same(pts, parks, step=step, k=k)


def test_workers_give_the_same_answer():
    rng = np.random.default_rng(7)
    parks = shapely.buffer(shapely.points(rng.uniform(0, 20000, (50, 2))), 80.0, quad_segs=8)
    pts = shapely.points(rng.uniform(0, 20000, (100_000, 2)))
    one = nearest_polygons_and_points(pts, parks)
    two = nearest_polygons_and_points(pts, parks, workers=2)
    assert all(np.array_equal(a, b, equal_nan=True) for a, b in zip(one, two))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(1, 8), st.integers(1, 8)),
                min_size=1, max_size=8),
       st.lists(st.tuples(st.integers(-20, 60), st.integers(-20, 60)), min_size=1, max_size=40),
       st.sampled_from([1.0, 3.0, 300.0]), st.integers(1, 6))
def test_integer_grids_with_many_ties_equal_all_pairs(boxes, pts, step, k):
    # integer coordinates: many exact ties, points on edges and corners; KD-tree and grid
    parks = np.array([box(x, y, x + w, y + h) for x, y, w, h in boxes])
    _assert_same(shapely.points(np.array(pts, dtype=float)), parks, step=step, k=k)
    saved = nearest_mod._GRID_MIN, nearest_mod._GRID_PER_CELL, nearest_mod._mostly_outside
    try:
        nearest_mod._GRID_MIN, nearest_mod._GRID_PER_CELL = 1, 2
        for every_point in (False, True):  # the grid for the points outside, or for every point
            nearest_mod._mostly_outside = lambda points, tree: every_point
            _assert_same(shapely.points(np.array(pts, dtype=float)), parks, step=step, k=k)
    finally:
        nearest_mod._GRID_MIN, nearest_mod._GRID_PER_CELL, nearest_mod._mostly_outside = saved


# ------------------------------------------------------------------------------------------
# the public API: links from coordinate arrays


@pytest.fixture(scope="module")
def mixed():
    rng = np.random.default_rng(8)
    polys = list(shapely.buffer(shapely.points(rng.uniform(0, 6000, (25, 2))), rng.uniform(30, 300, 25), quad_segs=4))
    polys += [Polygon([(7000, 0), (8000, 0), (8000, 1000), (7000, 1000)], [[(7400, 400), (7600, 400), (7600, 600),
                                                                          (7400, 600)]]),
              MultiPolygon([box(0, 7000, 100, 7100), box(500, 7000, 600, 7100)]), box(3000, 7000, 3100, 7100),
              box(3300, 7000, 3400, 7100)]
    pk = gdf([{"park_id": f"p{i}", "name": f"P{i}", "park_type": "sport"} for i in range(len(polys))], polys)
    # in the hole, in a park, on an outline, in a multipolygon's part, tied between two parks
    pts = list(shapely.points(rng.uniform(-500, 8500, (400, 2)))) + [Point(7500, 500), Point(3050, 7050),
                                                                       Point(7000, 500), Point(550, 7050),
                                                                       Point(3200, 7050)]
    pts += [box(-900, -900, -800, -800), LineString([(2000, 7500), (2500, 7600)])]  # non-point origins
    st_ = gdf([{"site_id": f"s{i}", "name": f"S{i}"} for i in range(len(pts))], pts)
    return st_, pk


def test_links_equal_shortest_line_and_have_the_row_length(mixed):
    st_, pk = mixed
    r = ino_geo.proximity(st_, pk, links=True)
    lazy = ino_geo.proximity(st_, pk, links=False)
    assert lazy.drop(columns="geometry").equals(r.drop(columns="geometry")) and lazy.geometry.isna().all()
    sid = dict(zip(st_["site_id"], st_.geometry))
    pid = dict(zip(pk["park_id"], pk.geometry))
    metric = [shapely.shortest_line(sid[o], pid[p]) for o, p in zip(r["origin_id"], r["park_id"])]
    ref = gpd.GeoSeries(metric, crs=CRS).to_crs(4326)
    same = np.array([shapely.equals_exact(a, b, tolerance=1e-9) for a, b in zip(r.geometry, ref)])
    # where they differ, the park has two nearest points (inside the hole's square)
    assert same.mean() > 0.98
    back = gpd.GeoSeries(r.geometry.values, crs=4326).to_crs(CRS)
    assert np.allclose(back.length.to_numpy(), r["distance_m"].to_numpy(), rtol=0, atol=1e-6)
    start = shapely.get_coordinates(shapely.get_point(back.values, 0))
    end = shapely.points(shapely.get_coordinates(shapely.get_point(back.values, -1)))
    is_pt = shapely.get_type_id(st_.geometry.values) == 0
    assert np.allclose(start[is_pt], shapely.get_coordinates(st_.geometry.values[is_pt]), rtol=0, atol=1e-6)
    parks = np.array([pid[p] for p in r["park_id"]])
    assert (shapely.distance(end, parks) <= 1e-6).all()
    inside = (r["origin_id"] == "s401").to_numpy()  # in a park: a zero-length link at the point
    assert r.loc[inside, "distance_m"].iloc[0] == 0.0 and back[inside].length.iloc[0] == 0.0
    tie = r[r["origin_id"] == "s404"]
    assert tie["park_id"].tolist() == ["p27"] and tie["tied"].all() and tie["distance_m"].iloc[0] == 100.0


def test_links_of_ranked_rows_and_several_types_keep_their_order(mixed):
    st_, pk = mixed
    pk = pk.assign(park_type=np.where(np.arange(len(pk)) % 2 == 0, "sport", "medical"))
    r = ino_geo.proximity(st_, pk, park_types=["medical", "sport", "industrial"], links=True)
    sid = dict(zip(st_["site_id"], st_.geometry))
    pid = dict(zip(pk["park_id"], pk.geometry))
    has = r["park_id"].notna().to_numpy()
    assert r.geometry[~has].isna().all()
    back = gpd.GeoSeries(r.geometry.values[has], crs=4326).to_crs(CRS)
    assert np.allclose(back.length.to_numpy(), r["distance_m"].to_numpy()[has], rtol=0, atol=1e-6)
    ends = shapely.points(shapely.get_coordinates(shapely.get_point(back.values, -1)))
    parks = np.array([pid[p] for p in r["park_id"][has]])
    assert (shapely.distance(ends, parks) <= 1e-6).all()
    origins = np.array([sid[o] for o in r["origin_id"][has]])
    assert np.allclose(shapely.distance(origins, parks), r["distance_m"].to_numpy()[has], rtol=0, atol=1e-9)


def test_chunks_shared_among_threads_give_the_same_answer(mixed):
    from ino_geo.analysis.links import link_lines as _links

    rng = np.random.default_rng(9)
    parks = shapely.buffer(shapely.points(rng.uniform(0, 9000, (40, 2))), rng.uniform(20, 300, 40), quad_segs=6)
    pts = shapely.points(rng.uniform(-1000, 10000, (5000, 2)))
    one = nearest_mod._nearest_kd(pts, parks, 300.0, 6, True)
    many = nearest_mod._nearest_kd(pts, parks, 300.0, 6, True, chunk=97)
    order = np.lexsort((one[1], one[0])), np.lexsort((many[1], many[0]))
    # (points inside a park have no nearest point from the samples: NaN in both)
    assert all(np.array_equal(a[order[0]], b[order[1]], equal_nan=True) for a, b in zip(one[:4], many[:4]))
    assert np.array_equal(one[4], many[4])
    oi, di, d, near = nearest_polygons_and_points(pts, parks)
    whole = _links(pts, parks, oi, di, d, CRS, near)
    parts = _links(pts, parks, oi, di, d, CRS, near, chunk=101)
    assert all(shapely.equals_exact(a, b, tolerance=0) for a, b in zip(whole, parts))


@pytest.mark.parametrize("bad", [None, "POINT EMPTY", "POLYGON EMPTY", "GEOMETRYCOLLECTION (POINT EMPTY)",
                                 "LINESTRING EMPTY"])
def test_a_geometry_without_coordinates_is_named_as_missing_or_empty(bad):
    """The check reads the coordinates once and calls a geometry without any missing or empty
    (what shapely.is_missing | shapely.is_empty say); a collection with one empty part is not."""
    import geopandas as gpd

    from ino_geo.analysis._inputs import checked_coordinates

    geoms = [shapely.Point(0, 0), shapely.from_wkt("GEOMETRYCOLLECTION (POINT EMPTY, POINT (1 1))"),
             None if bad is None else shapely.from_wkt(bad), shapely.Point(2, 2)]
    g = gpd.GeoDataFrame({"site_id": ["a", "b", "c", "d"]}, geometry=geoms, crs="EPSG:32645")
    with pytest.raises(ino_geo.DataError, match=r"record 2 \(site_id=c\) field geometry: missing or empty"):
        checked_coordinates(g, "origins", "site_id")
    read = checked_coordinates(g.drop(index=2), "origins", "site_id")
    assert read[2].tolist() == [0, 1, 2]
