"""coverage() with each step done once, against the slow obvious computation.

The shares are computed once per cell and reused for the fragments, the zone sums and the
cell rows; the cells are projected once; the zones split by their boundary segments; the
output cells carry the layer's own EPSG:4326 geometries. Every number is checked here against
shapely per cell: the intersection area of each cell (and of each cell's part in a zone) with
the union of the park buffers.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely import MultiPolygon, Polygon, box

from _fixtures_analysis import CRS, gdf
from ino_geo import DataError, coverage, covered_shares, defaults

TYPES = ["sport", "medical"]
DISTANCES = [0.0, 40.0, 125.0]
MINUTES = [1.5]


def _cells() -> list:
    """A 12 x 8 grid of 50 m cells turned 7 degrees (so covers and zones cut them at angles),
    and odd cells: a multipolygon with one part under a park and one far from any, a cell
    with a hole around a park, a cell straddling both districts, a thin sliver."""
    grid = [shapely.affinity.rotate(box(50 * i, 50 * j, 50 * (i + 1), 50 * (j + 1)), 7, origin=(0, 0))
            for i in range(12) for j in range(8)]
    odd = [
        MultiPolygon([box(60, 460, 90, 490), box(700, 700, 730, 730)]),
        box(400, 440, 560, 600).difference(box(450, 490, 510, 550)),
        box(270, 620, 330, 660),
        Polygon([(0, 700), (600, 700), (600, 700.5), (0, 700.5)]),
    ]
    return grid + odd


@pytest.fixture
def scene():
    parks = gdf([{"park_id": f"p{i}", "name": f"P{i}", "park_type": t}
                 for i, t in enumerate(["sport", "sport", "medical", "sport"])],
                [box(60, 60, 130, 110), box(350, 250, 420, 330), box(455, 495, 505, 545), box(50, 450, 100, 500)])
    cells = _cells()
    rng = np.random.default_rng(7)
    people = rng.integers(0, 60, len(cells)).astype(float)
    people[3] = 0.0
    pop = gdf([{"cell_id": f"c{k}", "population": p} for k, p in enumerate(people)], cells)
    bounds = gdf([{"boundary_id": "T", "name": "Town", "level": "municipality"},
                  {"boundary_id": "W", "name": "West", "level": "district"},
                  {"boundary_id": "E", "name": "East", "level": "district"}],
                 [box(-100, -20, 800, 760), box(-100, -20, 301.5, 760), box(301.5, -20, 800, 760)])
    return parks, pop, bounds


def _cover(parks: gpd.GeoDataFrame, ptype: str, radius: float):
    g = parks.geometry.values[(parks["park_type"] == ptype).to_numpy()]
    if radius <= defaults.MIN_RADIUS_M:
        return shapely.union_all(g)
    return shapely.union_all([shapely.buffer(p, radius, quad_segs=16) for p in g])


def _obvious(parks, pop, bounds, by):
    """Per park type and threshold: the people covered per boundary and the share of each
    cell, shapely cell by cell."""
    cells = list(pop.to_crs(CRS).geometry) if pop.crs != CRS else list(pop.geometry)
    people = pop["population"].to_numpy()
    zones = [("all", shapely.union_all(list(bounds.geometry)))]
    zones += [(b, g) for b, g, lv in zip(bounds["boundary_id"], bounds.geometry, bounds["level"]) if lv == by]
    out = {}
    walk = defaults.walk_m_per_min(defaults.WALK_SPEED_KMH)
    for ptype in TYPES:
        for value, radius in [(d, d) for d in DISTANCES] + [(m, m * walk) for m in MINUTES]:
            cover = _cover(parks, ptype, radius)
            share = [c.intersection(cover).area / c.area for c in cells]
            per_zone = {}
            for bid, zg in zones:
                total = 0.0
                for c, p in zip(cells, people):
                    part = c.intersection(zg)
                    if part.area > 0:
                        total += p * (part.area / c.area) * (part.intersection(cover).area / part.area)
                per_zone[bid] = total
            out[(ptype, value)] = (np.array(share), per_zone)
    return out


def _assert_obvious(t, cells, ptype, value, share, per_zone):
    """The table's people per zone and the cells' shares of one park type and threshold equal
    the obvious computation's; returns those cell rows."""
    rows = t[(t.park_type == ptype) & (t.threshold == value)].set_index("boundary_id")
    for bid, people in per_zone.items():
        assert rows.loc[bid, "population"] == pytest.approx(people, rel=1e-9, abs=1e-9), (ptype, value, bid)
    got = cells[(cells.park_type == ptype) & (cells.threshold == value)]
    np.testing.assert_allclose(got["share"].to_numpy(), share, rtol=0, atol=1e-9)
    return got


@pytest.mark.parametrize("stored", ["local", "4326"])
def test_coverage_equals_the_obvious_cell_by_cell_intersections(scene, stored):
    parks, pop, bounds = scene
    layer = pop if stored == "local" else pop.to_crs("EPSG:4326")
    cov = coverage(parks, park_types=TYPES, distances=DISTANCES, minutes=MINUTES, population=layer,
                   boundaries=bounds, by="district")
    want = _obvious(parks, layer, bounds, "district")
    t, cells = cov.table, cov.cells
    assert len(t) == len(want) * 3 and len(cells) == len(want) * len(layer)
    for (ptype, value), (share, per_zone) in want.items():
        got = _assert_obvious(t, cells, ptype, value, share, per_zone)
        np.testing.assert_array_equal(got["population_covered"].to_numpy(), got["population"].to_numpy() * got["share"].to_numpy())
        np.testing.assert_array_equal(got["cell_id"].to_numpy(), layer["cell_id"].to_numpy())
    # the cases the fixture is for: cells fully in, fully out and partly in, and the odd ones
    share = want[("sport", 125.0)][0]
    assert (share == 1).any() and (share == 0).any() and ((share > 0) & (share < 1)).sum() > 10
    assert 0.4 < want[("sport", 0.0)][0][96] < 0.6  # the multipolygon: one part under a park


def test_output_cells_keep_the_layers_own_geometries(scene):
    parks, pop, bounds = scene
    stored = pop.to_crs("EPSG:4326")
    cov = coverage(parks, distances=[40, 125], population=stored, boundaries=bounds)
    n = len(stored)
    assert cov.cells.crs.to_epsg() == 4326 and list(cov.cells.index) == list(range(2 * len(parks.park_type.unique()) * n))
    # the same geometries, not projected back and forth
    own = np.asarray(stored.geometry.values, dtype=object)
    assert all(a is b for a, b in zip(cov.cells.geometry.values[:n], own))
    assert shapely.equals_exact(np.asarray(cov.cells.geometry.values[-n:]), own, 0).all()
    # a layer in a metric CRS: its cells in EPSG:4326, as GeoSeries.to_crs gives them
    local = coverage(parks, distances=[40], population=pop, boundaries=bounds)
    want = pop.to_crs("EPSG:4326").geometry.values
    assert shapely.equals_exact(np.asarray(local.cells.geometry.values[:n]), np.asarray(want), 1e-12).all()
    assert list(local.cells.columns) == ["cell_id", "park_type", "threshold", "unit", "population", "share",
                                         "population_covered", "geometry"]
    assert local.cells.attrs["units"]["share"] == "0..1" and local.cells.attrs["crs"] == "EPSG:4326"


def test_shares_are_computed_once_per_cell_and_cells_projected_once(scene, monkeypatch):
    import geopandas.array as garr

    import ino_geo.analysis._coverage_cells as cells_mod

    parks, pop, bounds = scene
    stored = pop.to_crs("EPSG:4326")
    measured, projected = [], []
    real_shares, real_to_crs = cells_mod.shares_against, garr.GeometryArray.to_crs

    def counting_shares(geoms, *a, **kw):
        measured.append(len(geoms))
        return real_shares(geoms, *a, **kw)

    def counting_to_crs(self, *a, **kw):
        projected.append(len(self))
        return real_to_crs(self, *a, **kw)

    monkeypatch.setattr(cells_mod, "shares_against", counting_shares)
    monkeypatch.setattr(garr.GeometryArray, "to_crs", counting_to_crs)
    cov = coverage(parks, park_types=["sport"], distances=[125], population=stored, boundaries=bounds, by="district")
    n = len(stored)
    # one pass over the cells, one over the few parts of cells cut by a district boundary
    assert measured[0] == n and len(measured) == 2 and 0 < measured[1] < n // 4
    assert n not in projected  # the cells are never reprojected through geopandas (nor back)
    plain = coverage(parks, park_types=["sport"], distances=[125], population=stored, boundaries=bounds,
                     by="district", cells=False)
    assert plain.cells is None
    assert plain.table.equals(cov.table)


def test_multipolygon_cell_with_parts_on_both_sides_is_measured():
    cell = MultiPolygon([box(0, 0, 1, 1), box(10, 0, 11, 1)])  # touches neither cover's boundary
    cover = box(-1, -1, 2, 2)
    assert covered_shares(np.array([cell, box(0, 0, 1, 1)], dtype=object), cover).tolist() == [0.5, 1.0]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_zone_hits_equal_the_predicate_query(seed):
    from ino_geo.analysis._zones import zone_hits
    from ino_geo.analysis.shares import probe_points

    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 100, (400, 2))
    size = rng.uniform(1, 8, (400, 2))
    geoms = shapely.box(xy[:, 0], xy[:, 1], xy[:, 0] + size[:, 0], xy[:, 1] + size[:, 1])
    geoms[::7] = shapely.buffer(shapely.points(xy[::7]), 3, quad_segs=3)
    geoms[::11] = [MultiPolygon([box(x, y, x + 2, y + 2), box(x + 30, y, x + 32, y + 2)]) for x, y in xy[::11]]
    geoms[5] = box(20, 20, 40, 40)  # exactly on the zone's edge x = 20..40
    geoms[6] = box(0, 0, 100, 100).difference(box(1, 1, 99, 99))  # a frame around everything
    zone = shapely.union_all([box(20, 10, 70, 60), box(40, 55, 90, 90)]).difference(box(45, 30, 55, 40))
    tree = shapely.STRtree(geoms)
    ci, full = zone_hits(zone, geoms, tree, probe_points(geoms))
    want = tree.query(zone, predicate="intersects")
    np.testing.assert_array_equal(ci, want)
    np.testing.assert_array_equal(full, shapely.contains_properly(zone, geoms[want]))
    assert full.any() and (~full).any()


def test_projection_equals_geoseries_to_crs():
    from ino_geo.analysis._inputs import metric_coordinates

    geoms = [box(84.9, 56.4, 84.91, 56.41), shapely.Point(84.95, 56.5), shapely.LineString([(84.9, 56.4), (85, 56.5)]),
             MultiPolygon([box(84.9, 56.4, 84.91, 56.41), box(84.92, 56.4, 84.93, 56.41)]),
             box(84.8, 56.3, 84.9, 56.4).difference(box(84.82, 56.32, 84.85, 56.35))]
    layer = gpd.GeoDataFrame({"cell_id": list("abcde")}, geometry=geoms, crs="EPSG:4326")
    g, coords, idx, kinds = metric_coordinates(layer, "EPSG:32645", "population")
    want = np.asarray(layer.to_crs("EPSG:32645").geometry.values)
    assert shapely.equals_exact(g, want, 0).all()
    np.testing.assert_array_equal(coords, shapely.get_coordinates(want))
    np.testing.assert_array_equal(kinds, shapely.get_type_id(want))
    assert shapely.equals_exact(np.asarray(layer.geometry.values), np.asarray(geoms), 0).all()  # input untouched
    # grid cells (one ring of 5 points each) are built at once from their coordinates
    x, y = np.meshgrid(np.linspace(84.9, 85.0, 30), np.linspace(56.4, 56.5, 20))
    grid = gpd.GeoDataFrame(geometry=shapely.box(x.ravel(), y.ravel(), x.ravel() + 0.003, y.ravel() + 0.002),
                            crs="EPSG:4326")
    gg, gc, _, _ = metric_coordinates(grid, "EPSG:32645", "population")
    want = np.asarray(grid.to_crs("EPSG:32645").geometry.values)
    assert shapely.equals_exact(gg, want, 0).all() and all(type(a) is type(b) for a, b in zip(gg, want))
    np.testing.assert_array_equal(gc, shapely.get_coordinates(want))
    with_z = gpd.GeoDataFrame(geometry=[shapely.Point(84.95, 56.5, 100.0)], crs="EPSG:4326")
    gz = metric_coordinates(with_z, "EPSG:32645", "points")[0]
    assert shapely.equals_exact(gz, np.asarray(with_z.to_crs("EPSG:32645").geometry.values), 0).all()


@pytest.mark.parametrize("bad, message", [
    (Polygon([(0, 0), (50, 50), (50, 0), (0, 50)]), r"record 5 \(cell_id=c5\) field geometry: invalid geometry"),
    (Polygon(), r"record 5 \(cell_id=c5\) field geometry: missing or empty geometry"),
    (None, r"record 5 \(cell_id=c5\) field geometry: missing or empty geometry"),
])
def test_invalid_or_empty_cells_are_refused_naming_the_record(scene, bad, message):
    parks, pop, bounds = scene
    geoms = list(pop.geometry)
    geoms[5] = bad
    broken = gpd.GeoDataFrame(pop.drop(columns="geometry"), geometry=geoms, crs=CRS).to_crs("EPSG:4326")
    with pytest.raises(DataError, match=message):
        coverage(parks, distances=[40], population=broken, boundaries=bounds)


# --------------------------------------------------------------------------------------------
# grid cells kept as coordinates (analysis/_quad_grid.py): the same numbers as the general path


def _grid_and_general(layer, bounds, by):
    from ino_geo.analysis._coverage_cells import population_cells
    from ino_geo.analysis.coverage import study_zones

    zones = study_zones(bounds, by, CRS)[0]
    fast = population_cells(layer, CRS, list(zones), True, lambda m: None, grid=True)
    slow = population_cells(layer, CRS, list(zones), True, lambda m: None, grid=False)
    return fast, slow


def _edge_covers(slow, parks) -> list:
    """Covers with boundaries along cell edges (a union of cells), touching a cell at one
    corner, holding everything, empty, and the park buffers."""
    cells = slow.geoms
    corner = shapely.get_coordinates(cells[40])[2]
    return [shapely.union_all(cells[[10, 11, 12, 20, 21, 30]]),
            shapely.union_all(cells[[10, 11, 12, 20, 21, 30]]).buffer(0.0),
            shapely.Polygon([corner, corner + (30, 5), corner + (5, 30)]),
            box(-1e4, -1e4, 1e4, 1e4), shapely.Polygon(),
            *[_cover(parks, t, r) for t in TYPES for r in DISTANCES]]


@pytest.mark.parametrize("by", [None, "district"])
def test_grid_cells_give_the_general_paths_numbers(scene, by):
    from ino_geo.analysis._coverage_cells import cover_shares

    parks, pop, bounds = scene
    layer = pop.iloc[:96].to_crs("EPSG:4326")  # the rotated grid only: strictly convex quads
    fast, slow = _grid_and_general(layer, bounds, by)
    assert fast.grid is not None and fast.geoms is None and slow.grid is None
    # the same fragments (here in cell order per zone), the same weights bit for bit
    key = lambda p: np.lexsort((p.frag_cell, p.frag_zone))  # noqa: E731
    kf, ks = key(fast), key(slow)
    for attr in ("frag_zone", "frag_cell", "frag_w", "frag_people"):
        np.testing.assert_array_equal(getattr(fast, attr)[kf], getattr(slow, attr)[ks])
    np.testing.assert_array_equal(np.isin(kf, fast.frag_part), np.isin(ks, slow.frag_part))
    if by:
        assert len(fast.frag_part) > 3  # cells cut by the district boundary
    for cover in _edge_covers(slow, parks):
        cf, ff = cover_shares(fast, cover)
        cs, fs = cover_shares(slow, cover)
        np.testing.assert_array_equal(cf, cs)
        np.testing.assert_array_equal(ff[kf], fs[ks])
        zf = np.bincount(fast.frag_zone, weights=fast.frag_people * ff)
        zs = np.bincount(slow.frag_zone, weights=slow.frag_people * fs)
        np.testing.assert_allclose(zf, zs, rtol=1e-12, atol=0)


def test_coverage_of_grid_cells_equals_the_obvious_and_takes_the_grid_path(scene, monkeypatch):
    import ino_geo.analysis._coverage_cells as cells_mod

    parks, pop, bounds = scene
    layer = pop.iloc[:96].to_crs("EPSG:4326")
    calls = []
    real = cells_mod.grid_shares
    monkeypatch.setattr(cells_mod, "grid_shares", lambda *a, **k: calls.append(1) or real(*a, **k))
    cov = coverage(parks, park_types=TYPES, distances=DISTANCES, minutes=MINUTES, population=layer,
                   boundaries=bounds, by="district")
    assert len(calls) == 8
    want = _obvious(parks, layer, bounds, "district")
    for (ptype, value), (share, per_zone) in want.items():
        _assert_obvious(cov.table, cov.cells, ptype, value, share, per_zone)
    # without boundaries, or with cells that are not convex quads: the general path
    calls.clear()
    coverage(parks, distances=[40], population=layer)
    odd = pop.to_crs("EPSG:4326")
    coverage(parks, distances=[40], population=odd, boundaries=bounds)
    assert not calls


@pytest.mark.parametrize("seed", [0, 1])
def test_grid_crossing_equals_the_full_predicate_query(seed):
    from ino_geo.analysis._quad_grid import QuadGrid

    rng = np.random.default_rng(seed)
    x, y = np.meshgrid(np.arange(40) * 10.0, np.arange(30) * 10.0)
    cells = shapely.affinity.rotate(shapely.GeometryCollection(list(shapely.box(x.ravel(), y.ravel(), x.ravel() + 10,
                                                                                    y.ravel() + 10))), 11, origin=(0, 0))
    cells = np.asarray(shapely.get_parts(cells), dtype=object)
    ring = shapely.get_coordinates(cells).reshape(-1, 5, 2)
    grid = QuadGrid(ring.copy())
    assert shapely.equals_exact(grid.polygons(), cells, 0).all()
    a = rng.uniform(-100, 500, (300, 2))
    b = a + rng.normal(0, 30, (300, 2))
    segs = list(shapely.linestrings(np.stack([a, b], axis=1)))
    segs += [shapely.LineString([(-1000, 50), (2000, 60)]), shapely.LineString([(5000, 5000), (5001, 5001)])]
    segs += list(shapely.get_parts(shapely.boundary(cells[[7, 300]])))  # along cell edges, through corners
    corner = ring[500, 2]
    segs.append(shapely.LineString([corner, corner + (0.0, -20.0)]))  # from a corner outwards
    segs = np.asarray(segs, dtype=object)
    want = np.unique(shapely.STRtree(cells).query(segs, predicate="intersects")[1])
    got, polys = grid.crossing(segs)
    np.testing.assert_array_equal(got, want)
    assert shapely.equals_exact(polys, cells[want], 0).all()
    assert set(grid.near(segs)) >= set(want)


def test_grid_cells_that_are_not_convex_quads_take_the_general_path(scene):
    parks, pop, bounds = scene
    geoms = list(pop.geometry)[:96]
    geoms[5] = Polygon([(0, 0), (50, 50), (50, 0), (0, 50)])  # a bow tie: invalid
    bad = gpd.GeoDataFrame(pop.iloc[:96].drop(columns="geometry"), geometry=geoms, crs=CRS).to_crs("EPSG:4326")
    with pytest.raises(DataError, match=r"record 5 \(cell_id=c5\) field geometry: invalid geometry"):
        coverage(parks, distances=[40], population=bad, boundaries=bounds)
    geoms[5] = Polygon([(0, 0), (60, 0), (20, 20), (0, 60)])  # a dart: valid, not convex
    dart = gpd.GeoDataFrame(pop.iloc[:96].drop(columns="geometry"), geometry=geoms, crs=CRS).to_crs("EPSG:4326")
    cov = coverage(parks, distances=DISTANCES, population=dart, boundaries=bounds, by="district")
    fast, slow = _grid_and_general(dart, bounds, "district")
    assert fast.grid is None
    want = _obvious(parks, dart, bounds, "district")
    for (ptype, value), (share, per_zone) in want.items():
        if value not in DISTANCES:
            continue
        got = cov.cells[(cov.cells.park_type == ptype) & (cov.cells.threshold == value)]
        np.testing.assert_allclose(got["share"].to_numpy(), share, rtol=0, atol=1e-9)


def test_threaded_projection_gives_the_same_numbers():
    from pyproj import Transformer

    from ino_geo.analysis._quad_grid import _transform

    rng = np.random.default_rng(5)
    x, y = rng.uniform(84.5, 85.5, 1001), rng.uniform(56, 57, 1001)
    want = Transformer.from_crs("EPSG:4326", "EPSG:32645", always_xy=True).transform(x, y)
    tx, ty = x.copy(), y.copy()
    _transform(Transformer.from_crs("EPSG:4326", "EPSG:32645", always_xy=True), tx, ty, chunk=100)
    np.testing.assert_array_equal(tx, want[0])
    np.testing.assert_array_equal(ty, want[1])


def test_scattered_grid_cells_take_the_general_path_with_the_same_numbers(scene):
    from ino_geo.analysis._coverage_cells import cover_shares

    parks, pop, bounds = scene
    geoms = list(pop.geometry)[:96]
    geoms[-1] = shapely.affinity.translate(geoms[-1], 600_000, 600_000)  # one cell 600 km away: too many buckets
    far = gpd.GeoDataFrame(pop.iloc[:96].drop(columns="geometry"), geometry=geoms, crs=CRS).to_crs("EPSG:4326")
    wide = gpd.GeoDataFrame(geometry=[box(-100, -20, 700_000, 700_000)], crs=CRS).assign(boundary_id="T", name="T",
                                                                                 level="municipality")
    fast, slow = _grid_and_general(far, wide, None)
    assert fast.grid is None and slow.grid is None
    cover = _cover(parks, "sport", 125.0)
    np.testing.assert_array_equal(cover_shares(fast, cover)[0], cover_shares(slow, cover)[0])
