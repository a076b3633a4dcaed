"""ino_geo.site_selection: hand-derived answers, the same objective as spopt (MCLP, LSCP,
p-median) on small instances, the greedy and its bounds, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely import Point, box

import ino_geo
from _fixtures_analysis import gdf
from ino_geo.analysis import _optimize


def _cells(xy, pops):
    """10 m square cells centred on `xy` (the centroid is the demand point)."""
    return gdf([{"cell_id": f"c{i}", "population": float(p)} for i, p in enumerate(pops)],
               [box(x - 5, y - 5, x + 5, y + 5) for x, y in xy])


def _points(xy, prefix="s"):
    return gdf([{"site_id": f"{prefix}{j}", "name": f"Site {j}"} for j in range(len(xy))], [Point(x, y) for x, y in xy])


@pytest.fixture
def line_town():
    """Demand on a line at x = 0, 100, ..., 900 (people 10, 20, ..., 100); an existing medical
    park covering x <= 100 within 150 m; a sport park (other type) elsewhere."""
    xy = [(100.0 * i, 0.0) for i in range(10)]
    cells = _cells(xy, [10 * (i + 1) for i in range(10)])
    parks = gdf([{"park_id": "M", "name": "M", "park_type": "medical"}, {"park_id": "S", "name": "S", "park_type": "sport"}],
                [box(-60, -10, -50, 10), box(880, -10, 900, 10)])
    return cells, parks


def test_max_coverage_by_hand(line_town):
    cells, parks = line_town
    # existing M (x -60..-50) reaches x = 0 and 100 within 150 m: 30 people. Candidates are the
    # cell centroids; one new site within 150 m covers at most 3 cells: at x = 800 it covers
    # 700, 800, 900 (80 + 90 + 100 = 270 people)
    res = ino_geo.site_selection(parks, cells, park_type="medical", new=1, distance=150, area_coverage=False)
    assert res.sites["site_id"].tolist() == ["c8"]
    assert res.summary["value"] == pytest.approx(270.0)
    assert res.summary["how"] == "exact" and res.summary["gap"] == 0.0
    t = res.table.set_index("boundary_id")
    assert t.loc["all", "covered_before"] == pytest.approx(30.0)
    assert t.loc["all", "covered_after"] == pytest.approx(300.0)
    assert res.sites.crs.to_epsg() == 4326
    # two sites: 800 (270) and 500 (50 + 60 + 70 = 180)
    two = ino_geo.site_selection(parks, cells, park_type="medical", new=2, distance=150, area_coverage=False)
    assert sorted(two.sites["site_id"]) == ["c5", "c8"] and two.summary["value"] == pytest.approx(450.0)


def test_min_sites_by_hand(line_town):
    cells, parks = line_town
    # 8 uncovered cells at 200..900; a site covers 3 consecutive ones: 3 sites (e.g. 300, 600, 800)
    res = ino_geo.site_selection(parks, cells, park_type="medical", objective="min-sites", distance=150,
                                 area_coverage=False)
    assert res.summary["value"] == 3 and len(res.sites) == 3
    assert res.table.set_index("boundary_id").loc["all", "covered_after"] == pytest.approx(550.0)
    # 60 % of 550 people = 330: 30 covered + 270 at x = 800 is 300 < 330: 2 sites
    part = ino_geo.site_selection(parks, cells, park_type="medical", objective="min-sites", target=0.6, distance=150,
                                  area_coverage=False)
    assert part.summary["value"] == 2
    assert part.table.set_index("boundary_id").loc["all", "covered_after"] >= 0.6 * 550
    none = ino_geo.site_selection(parks, cells, park_type="medical", objective="min-sites", target=0.05, distance=150,
                                  area_coverage=False)
    assert len(none.sites) == 0


def test_p_median_by_hand():
    # two clusters: 100 people at x = 0, 100 at x = 1000, 1 at x = 500; candidates at 0, 500, 1000
    cells = _cells([(0, 0), (1000, 0), (500, 0)], [100, 100, 1])
    cands = _points([(0, 0), (500, 0), (1000, 0)])
    parks = gdf([{"park_id": "S", "name": "S", "park_type": "sport"}], [box(5000, 0, 5010, 10)])
    res = ino_geo.site_selection(parks, cells, park_type="medical", new=2, objective="p-median", distance=5000,
                                 candidates=cands, area_coverage=False)
    assert sorted(res.sites["site_id"]) == ["s0", "s2"]
    assert res.summary["cost_after"] == pytest.approx(500.0)  # only the one person at x = 500 walks 500 m
    one = ino_geo.site_selection(parks, cells, park_type="medical", new=1, objective="p-median", distance=5000,
                                 candidates=cands, area_coverage=False)
    assert one.sites["site_id"].tolist() == ["s1"]  # 100 x 500 + 100 x 500 < 100 x 1000 + 1 x 500
    assert one.summary["cost_after"] == pytest.approx(100_000.0)


def _instance(seed, n=60, m=30):
    rng = np.random.default_rng(seed)
    dxy = rng.uniform(0, 3000, (n, 2))
    cxy = rng.uniform(0, 3000, (m, 2))
    pops = rng.integers(1, 400, n)
    cells = _cells(dxy, pops)
    cands = _points(cxy)
    parks = gdf([{"park_id": "S", "name": "S", "park_type": "sport"}], [box(0, 0, 10, 10)])
    cost = shapely.distance(shapely.points(dxy)[:, None], shapely.points(cxy)[None, :])
    return cells, cands, parks, pops.astype(float), cost


@pytest.mark.parametrize("seed", [0, 1])
def test_same_objective_as_spopt(seed):
    pytest.importorskip("spopt")
    import pulp
    from spopt.locate import LSCP, MCLP, PMedian

    cells, cands, parks, pops, cost = _instance(seed)
    R, p = 600.0, 4
    kw = dict(park_type="medical", candidates=cands, distance=R, area_coverage=False)
    ours = ino_geo.site_selection(parks, cells, new=p, **kw)
    ref = MCLP.from_cost_matrix(cost, pops, service_radius=R, p_facilities=p).solve(pulp.PULP_CBC_CMD(msg=False))
    assert ours.summary["value"] == pytest.approx(pulp.value(ref.problem.objective), rel=1e-9)

    # LSCP needs every demand point within R of some candidate: a radius that reaches all
    R2 = float(np.ceil(cost.min(axis=1).max())) + 1.0
    ours = ino_geo.site_selection(parks, cells, objective="min-sites", **dict(kw, distance=R2))
    ref = LSCP.from_cost_matrix(cost, service_radius=R2).solve(pulp.PULP_CBC_CMD(msg=False))
    assert ours.summary["value"] == pulp.value(ref.problem.objective)

    # p-median with a standard above every distance is the classic p-median
    big = float(cost.max()) + 1.0
    ours = ino_geo.site_selection(parks, cells, new=p, objective="p-median", **dict(kw, distance=big))
    ref = PMedian.from_cost_matrix(cost, pops, p_facilities=p).solve(pulp.PULP_CBC_CMD(msg=False))
    assert ours.summary["cost_after"] == pytest.approx(pulp.value(ref.problem.objective), rel=1e-9)


def test_greedy_and_bounds():
    cells, cands, parks, pops, cost = _instance(5, n=80, m=40)
    kw = dict(park_type="medical", candidates=cands, distance=700, area_coverage=False, new=5)
    exact = ino_geo.site_selection(parks, cells, **kw)
    greedy = ino_geo.site_selection(parks, cells, solver="greedy", **kw)
    assert greedy.summary["how"] == "greedy" and "1 - 1/e" in greedy.summary["note"]
    assert (1 - 1 / np.e) * exact.summary["value"] <= greedy.summary["value"] <= exact.summary["value"] + 1e-9
    assert greedy.summary["bound"] >= exact.summary["value"] - 1e-9  # the data-dependent bound holds


def test_prune_is_exact():
    # the single-site bound keeps every column that could be in a better set
    rng = np.random.default_rng(2)
    from scipy.sparse import csr_matrix

    V = csr_matrix((rng.uniform(0, 1, (30, 12)) > 0.7) * rng.uniform(1, 10, (30, 1)))
    for p in (1, 2, 3):
        best = max(V[:, list(s)].max(axis=1).sum() for s in __import__("itertools").combinations(range(12), p))
        sol = _optimize.solve_max(V, p, time_limit=10, covering=True)
        assert sol.value == pytest.approx(best)


def test_time_limit_reports_the_gap():
    cells, cands, parks, pops, cost = _instance(7, n=400, m=300)
    res = ino_geo.site_selection(parks, cells, park_type="medical", candidates=cands, distance=400, new=25,
                                 objective="p-median", time_limit=0.001, solver="exact", area_coverage=False)
    assert res.summary["how"] == "time-limit"
    assert res.summary["gap"] > 0 and "time limit" in res.summary["note"]
    assert len(res.sites) == 25


def test_bad_input(line_town):
    cells, parks = line_town
    kw = dict(park_type="medical", distance=150, area_coverage=False)
    with pytest.raises(ino_geo.UsageError, match="more sites than the 10 candidates"):
        ino_geo.site_selection(parks, cells, new=11, **kw)
    with pytest.raises(ino_geo.UsageError, match="--new N is needed"):
        ino_geo.site_selection(parks, cells, **kw)
    with pytest.raises(ino_geo.UsageError, match="--target"):
        ino_geo.site_selection(parks, cells, new=1, target=0.5, **kw)
    with pytest.raises(ino_geo.UsageError, match="objective"):
        ino_geo.site_selection(parks, cells, new=1, objective="p-centre", **kw)
    far = _points([(10_000.0, 10_000.0)])
    with pytest.raises(ino_geo.DataError, match="no candidate lies within the standard"):
        ino_geo.site_selection(parks, cells, new=1, candidates=far, **kw)
    with pytest.raises(ino_geo.DataError, match="no people"):
        ino_geo.site_selection(parks, cells.assign(population=0.0), new=1, **kw)
    some = _points([(500.0, 0.0)])
    with pytest.raises(ino_geo.DataError, match="min-sites infeasible"):
        ino_geo.site_selection(parks, cells, objective="min-sites", candidates=some, **kw)
    with pytest.raises(ino_geo.DataError, match="min-sites infeasible: --target 0.9"):
        ino_geo.site_selection(parks, cells, objective="min-sites", candidates=some, target=0.9, **kw)
    with pytest.raises(ino_geo.DataError, match="needs 3 new sites, more than --new 2"):
        ino_geo.site_selection(parks, cells, objective="min-sites", new=2, **kw)
    with pytest.raises(ino_geo.DataError, match="already within"):
        ino_geo.site_selection(parks, cells, new=1, **dict(kw, distance=5000))


def test_area_weighted_and_newly_covered(line_town):
    cells, parks = line_town
    res = ino_geo.site_selection(parks, cells, park_type="medical", new=1, distance=150)
    t = res.table.set_index("boundary_id")
    # by area: the cell at x = 100 (95..105) is 145..155 m from M, so half of its 20 people count
    # (at its centroid, 150 m, it counts whole); the new site's cells 700..900 lie wholly inside
    assert t.loc["all", "area_covered_before"] == pytest.approx(20.0, abs=0.05)
    assert t.loc["all", "area_covered_after"] == pytest.approx(290.0, abs=0.05)
    assert res.newly_covered.crs.to_epsg() == 4326
    area = res.newly_covered.to_crs("EPSG:32645").geometry.area.sum()
    # clipped to the study area (here the union of the cells): the three 10 m cells 700..900
    assert area == pytest.approx(300.0, rel=1e-6)


def test_network_mode(line_town):
    from shapely import LineString

    cells, parks = line_town
    road = gdf([{"corridor_id": "r", "name": "R", "mode": "road", "status": "existing", "speed_kmh": 30.0}],
               [LineString([(-100, 0), (1000, 0)])])
    res = ino_geo.site_selection(parks, cells, park_type="medical", new=1, minutes=0.3, mode="network",
                                 network=road, river=False, area_coverage=False)
    # 0.3 min at 30 km/h = 150 m along the road (the cells sit on it): as the straight-line answer
    assert res.sites["site_id"].tolist() == ["c8"] and res.summary["value"] == pytest.approx(270.0)


def test_shipped_layers_medical():
    lay = ino_geo.load_layers()
    res = ino_geo.site_selection(lay.parks, lay.population, park_type="medical", new=3, distance=2000,
                                 boundaries=lay.boundaries, by="municipality", area_coverage=False)
    t = res.table.set_index("boundary_id")
    assert len(res.sites) == 3 and res.summary["how"] in ("exact", "time-limit")
    assert t.loc["all", "covered_after"] - t.loc["all", "covered_before"] == pytest.approx(res.summary["value"])
    assert res.summary["value"] > 0


def test_auto_uses_the_greedy_above_the_size_threshold(line_town, monkeypatch):
    from ino_geo import defaults

    cells, parks = line_town
    kw = dict(park_type="medical", new=1, distance=150, area_coverage=False)
    assert ino_geo.site_selection(parks, cells, **kw).summary["how"] == "exact"
    monkeypatch.setattr(defaults, "SITE_EXACT_MAX_PAIRS", 5)
    res = ino_geo.site_selection(parks, cells, **kw)
    assert res.summary["how"] == "greedy" and res.summary["value"] == pytest.approx(270.0)
