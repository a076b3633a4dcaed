"""Coverage: exact covered shares on a grid, per boundary, gaps, network isochrones, invariants."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import LineString, Point, box

from _fixtures_analysis import (  # noqa: F401  (fixtures)
    CRS,
    gdf,
    square_parks,
    straight_road,
    strip_boundaries,
    strip_population,
)
from ino_geo import DataError, UsageError, coverage, covered_shares


@pytest.fixture
def one_park():
    return gdf([{"park_id": "P", "name": "P", "park_type": "sport"}], [box(0, 0, 100, 100)])


def row(table, **match):
    sel = np.ones(len(table), dtype=bool)
    for k, v in match.items():
        sel &= (table[k] == v).to_numpy()
    assert sel.sum() == 1, (match, table)
    return table[sel].iloc[0]


def test_grid_population_by_covered_share(one_park, strip_population, strip_boundaries):
    # the park buffered by 50 m reaches x = 150: cell 0 whole, cell 1 half, cells 2-3 nothing
    cov = coverage(one_park, distances=[50], population=strip_population, boundaries=strip_boundaries, by="district")
    t = cov.table
    allr = row(t, boundary_id="all")
    assert allr["population"] == pytest.approx(150.0)
    assert allr["population_total"] == pytest.approx(400.0)
    assert allr["population_pct"] == pytest.approx(37.5)
    assert allr["area_km2"] == pytest.approx(0.015)
    assert allr["area_total_km2"] == pytest.approx(0.04)
    assert allr["area_pct"] == pytest.approx(37.5)
    w, e = row(t, boundary_id="W"), row(t, boundary_id="E")
    assert (w["population"], w["population_total"], w["area_pct"]) == pytest.approx((150.0, 200.0, 75.0))
    assert (e["population"], e["population_total"], e["area_km2"]) == pytest.approx((0.0, 200.0, 0.0))
    assert w["boundary_name"] == "West" and t["unit"].unique().tolist() == ["m"]
    shares = cov.cells.sort_values("cell_id")["share"].to_numpy()
    np.testing.assert_allclose(shares, [1.0, 0.5, 0.0, 0.0], atol=1e-12)
    assert cov.cells.crs.to_epsg() == 4326
    gap = cov.gaps.to_crs(CRS).geometry.iloc[0]
    assert gap.area == pytest.approx(250 * 100)
    assert gap.buffer(-1e-6).intersection(box(0, 0, 150, 100)).area == pytest.approx(0.0, abs=1e-3)
    assert cov.areas.geometry.iloc[0].is_valid
    assert t.attrs["units"]["area_km2"] == "km2" and t.attrs["metric_crs"] == CRS


def test_population_not_by_centroids(one_park, strip_population):
    # 40 m reaches x = 140: the centroid (150) of cell 1 is outside, 40 % of its area is inside
    t = coverage(one_park, distances=[40], population=strip_population).table
    assert row(t, boundary_id="all")["population"] == pytest.approx(140.0)


def test_cell_straddling_two_boundaries_is_split_by_area(one_park, strip_boundaries):
    cells = gdf([{"cell_id": "x", "population": 100.0}], [box(150, 0, 250, 100)])
    t = coverage(one_park, distances=[75], population=cells, boundaries=strip_boundaries, by="district").table
    # 75 m reaches x = 175: half of the cell's western half
    assert row(t, boundary_id="W")["population"] == pytest.approx(25.0)
    assert row(t, boundary_id="W")["population_total"] == pytest.approx(50.0)
    assert row(t, boundary_id="E")["population"] == pytest.approx(0.0)
    assert row(t, boundary_id="all")["population"] == pytest.approx(25.0)


def test_thresholds_and_types(square_parks, strip_population):
    cov = coverage(square_parks, distances=[0, 100], minutes=[1], park_types=["sport", "innovation"], population=strip_population)
    t = cov.table
    assert t[["park_type", "threshold", "unit"]].values.tolist() == [
        ["sport", 0.0, "m"], ["sport", 100.0, "m"], ["sport", 1.0, "min"],
        ["innovation", 0.0, "m"], ["innovation", 100.0, "m"], ["innovation", 1.0, "min"],
    ]
    # 0 m: the parks themselves cover cells 0 and 3 (parks A and B)
    assert row(t, park_type="sport", threshold=0.0)["population"] == pytest.approx(200.0)
    # 1 minute straight-line walk = 75 m
    assert row(t, park_type="sport", threshold=1.0)["population"] == pytest.approx(350.0)
    assert row(t, park_type="innovation", threshold=100.0)["population"] == 0.0
    assert row(t, park_type="innovation", threshold=100.0)["n_parks"] == 0
    assert len(cov.areas) == 6 and len(cov.gaps) == 6


def test_no_population_no_boundaries(one_park):
    t = coverage(one_park, distances=[10]).table
    r = row(t, boundary_id="all")
    assert r["area_km2"] == pytest.approx(shapely.area(box(0, 0, 100, 100).buffer(10)) / 1e6)
    assert np.isnan(r["population"]) and np.isnan(r["area_pct"])


def test_bad_arguments(one_park, strip_population, strip_boundaries):
    with pytest.raises(UsageError, match="at least one threshold"):
        coverage(one_park)
    with pytest.raises(UsageError, match="--distance -5"):
        coverage(one_park, distances=[-5])
    with pytest.raises(UsageError, match="larger than"):
        coverage(one_park, distances=[1e9])
    with pytest.raises(UsageError, match="--minutes nan"):
        coverage(one_park, minutes=[float("nan")])
    with pytest.raises(UsageError, match="no boundary has level 'district'"):
        coverage(one_park, distances=[1], boundaries=strip_boundaries[strip_boundaries.level == "municipality"], by="district")
    with pytest.raises(UsageError, match="needs a boundaries layer"):
        coverage(one_park, distances=[1], by="district")
    bad = strip_population.copy()
    bad.loc[2, "population"] = -1.0
    with pytest.raises(DataError, match=r"population: record 2 \(cell_id=c2\) field population"):
        coverage(one_park, distances=[1], population=bad)
    with pytest.raises(DataError, match="parks: the layer has no parks"):
        coverage(one_park.iloc[:0], distances=[1])
    bow = one_park.copy()
    bow.loc[0, "geometry"] = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    with pytest.raises(DataError, match=r"parks: record 0 \(park_id=P\) field geometry: invalid geometry \(Self-intersection"):
        coverage(bow, distances=[1])
    with pytest.raises(DataError, match="column 'population' is missing"):
        coverage(one_park, distances=[1], population=strip_population.drop(columns="population"))


def test_covered_shares_exact():
    cells = np.array([box(0, 0, 10, 10), box(10, 0, 20, 10), box(20, 0, 30, 10), box(5, 5, 6, 6)])
    cover = shapely.union_all([box(0, 0, 15, 10), box(25, 0, 28, 3)])
    np.testing.assert_allclose(covered_shares(cells, cover), [1.0, 0.5, 0.09, 1.0])
    assert covered_shares(cells, shapely.Polygon()).tolist() == [0, 0, 0, 0]


def test_covered_shares_match_intersection_on_random_cover():
    rng = np.random.default_rng(7)
    cells = shapely.box(*np.stack(np.meshgrid(np.arange(0, 2000, 50.0), np.arange(0, 2000, 50.0)), -1).reshape(-1, 2).T,
                        *(np.stack(np.meshgrid(np.arange(0, 2000, 50.0), np.arange(0, 2000, 50.0)), -1).reshape(-1, 2) + 50).T)
    cover = shapely.union_all(shapely.buffer(shapely.points(rng.uniform(0, 2000, (30, 2))), rng.uniform(20, 300, 30)))
    got = covered_shares(cells, cover)
    ref = shapely.area(shapely.intersection(cells, cover)) / shapely.area(cells)
    np.testing.assert_allclose(got, ref, atol=1e-9)


# ---------------------------------------------------------------------------- network mode


def test_network_coverage_along_a_road(straight_road):
    park = gdf([{"park_id": "P", "park_type": "sport"}], [box(-100, -100, 0, 100)])
    cells = gdf([{"cell_id": f"c{i}", "population": 100.0} for i in range(3)],
                [box(400, -20, 600, 20), box(2500, -20, 2700, 20), box(400, 500, 600, 700)])
    cov = coverage(park, minutes=[2], mode="network", network=straight_road, population=cells, max_snap=100)
    shares = dict(zip(cov.cells["cell_id"], cov.cells["share"]))
    # cell 0 (x 400-600) is within 0.6 min by road, walk left >= 100 m * ... covers its +-20 m
    assert shares == pytest.approx({"c0": 1.0, "c1": 0.0, "c2": 0.0})
    assert row(cov.table, boundary_id="all")["population"] == pytest.approx(100.0)
    assert cov.table.attrs["mode"] == "network" and cov.table.attrs["scenario"] == "existing"
    # metres along the network: 450 m reaches only the western half of cell 0... with walks
    cov_m = coverage(park, distances=[500], mode="network", network=straight_road, population=cells, max_snap=100)
    s0 = dict(zip(cov_m.cells["cell_id"], cov_m.cells["share"]))["c0"]
    assert 0.4 < s0 < 0.6


def test_network_needs_a_network(one_park):
    with pytest.raises(UsageError, match="network mode needs a network"):
        coverage(one_park, minutes=[5], mode="network")


# ---------------------------------------------------------------------------- properties

coords = st.floats(-500, 500, allow_nan=False, allow_infinity=False)


@st.composite
def rects(draw, min_size=0.0):
    x, y = draw(coords), draw(coords)
    w = draw(st.floats(min_size, 300))
    h = draw(st.floats(min_size, 300))
    return box(x, y, x + w, y + h)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(rects(), min_size=0, max_size=5), st.lists(rects(1e-3), min_size=1, max_size=8),
       st.lists(st.floats(0, 1e4), min_size=8, max_size=8), st.floats(0, 2000))
def test_property_shares_and_population_bounds(parks, cells, pops, dist):
    p = gpd.GeoDataFrame({"park_type": ["sport"] * len(parks)}, geometry=parks, crs=CRS)
    c = gpd.GeoDataFrame({"population": pops[: len(cells)]}, geometry=cells, crs=CRS)
    try:
        cov = coverage(p, distances=[dist], population=c, park_types=["sport"])
    except DataError as exc:  # a degenerate (zero-area) polygon is reported, never repaired silently
        assert "field geometry: invalid geometry" in str(exc)
        return
    s = cov.cells["share"].to_numpy()
    assert ((s >= 0) & (s <= 1)).all()
    t = cov.table
    assert (t["population"] <= t["population_total"] * (1 + 1e-9) + 1e-6).all()
    assert (t["population"] >= 0).all()
    assert ((t["area_pct"] >= 0) & (t["area_pct"] <= 100 + 1e-9)).all()


def test_network_thresholds_are_independent(straight_road):
    """Each threshold gives the same answer alone as together with smaller ones."""
    park = gdf([{"park_id": "P", "park_type": "sport"}], [box(-100, -100, 0, 100)])
    # 4000 m reaches past the vertex at x = 3000 that 500 m does not
    both = coverage(park, distances=[500, 4000], mode="network", network=straight_road, max_snap=100).table
    alone = coverage(park, distances=[4000], mode="network", network=straight_road, max_snap=100).table
    a = both[both["threshold"] == 4000]["area_km2"].iloc[0]
    assert a == pytest.approx(alone["area_km2"].iloc[0])
    # the road band: 200 m wide to x = 3900 (0.78 km2); beyond, the walk left at x is 4000 - x,
    # and the disks of radius 4000 - x around (x, 0) all lie in the half disk of radius 100 m
    # around (3900, 0): pi 0.01 / 2; the park (100 x 200) walked 100 m around:
    # 0.02 + 0.06 + pi 0.01; minus their overlap (x 0..100, |y| <= 100): 0.02
    exact = 0.78 + np.pi * 0.01 / 2 + (0.02 + 0.06 + np.pi * 0.01) - 0.02
    assert a == pytest.approx(exact, rel=0.005)
    assert a <= exact  # a lower bound
