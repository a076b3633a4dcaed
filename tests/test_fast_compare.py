"""The fast paths of ``coverage --compare`` against the slow obvious computation (not timed).

``compare_scenarios`` shares the study zones, the population split and the river between
the scenarios: its table must equal the one built from :func:`ino_geo.coverage` run in each
scenario separately (the old way), on synthetic layers and on the shipped Tomsk layers (the
CLI's output byte for byte). The isochrone computes each piece end once, the place-on-edge
costs without a merge and the per-level buffers in one call: it must equal the per-piece,
per-level computation on small synthetic networks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import LineString, Point, box

import ino_geo
from ino_geo.analysis.compare import _assembled
from ino_geo.analysis.shares import covered_shares
from ino_geo.network.graph import build_network, walk_m_per_unit
from ino_geo.network.isochrones import isochrone
from ino_geo.network.routing import edge_point_costs, node_costs
from ino_geo.network.snapping import snap

from _fixtures_analysis import diamond, gdf, random_graph_lines, scenario_lines  # noqa: F401  (fixture)
from test_fast_paths import _without_river_slow


# ------------------------------------------------------------------------------------------
# compare_scenarios: both scenarios' coverage, run separately


def _compare_slow(parks, network, **kw):
    """The old way: :func:`ino_geo.coverage` in each scenario, from scratch, then side by side."""
    res = {sc: ino_geo.coverage(parks, mode="network", network=network, scenario=sc, **kw)
           for sc in ino_geo.defaults.SCENARIOS}
    return _assembled(res), res


def _assert_same(fast, slow):
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    assert fast.attrs == slow.attrs


@pytest.fixture
def scenario_inputs(scenario_lines):
    parks = gdf([{"park_id": "P", "park_type": "sport"}, {"park_id": "Q", "park_type": "medical"},
                 {"park_id": "R", "park_type": "sport"}],
                [diamond(2000, 20, 10), diamond(3500, 20, 10), box(-300, 30, -200, 80)])
    cells = gdf([{"cell_id": f"c{i}", "population": float(10 * i + 5)} for i in range(9)],
                [box(500 * i - 200, -60, 500 * i + 150, 40) for i in range(9)])
    bounds = gdf([{"boundary_id": "W", "name": "West", "level": "municipality"},
                  {"boundary_id": "E", "name": "East", "level": "municipality"}],
                 [box(-400, -500, 1700, 500), box(1700, -500, 4500, 500)])
    river = gdf([{"name": "creek"}], [box(2600, -500, 2640, -30)])
    return parks, scenario_lines, cells, bounds, river


@pytest.mark.parametrize("kw", [
    dict(minutes=[1, 3], by="municipality"),
    dict(minutes=[2], distances=[800], direction="from"),
    dict(distances=[600, 1500], cost="distance", by="municipality", max_snap=50),
    dict(minutes=[3], park_types=["medical", "sport", "innovation"]),  # a type with no park: rows of 0
])
def test_compare_equals_each_scenario_run_alone(scenario_inputs, kw):
    parks, lines, cells, bounds, river = scenario_inputs
    kw = dict(dict(population=cells, boundaries=bounds, river=river, max_snap=100), **kw)
    slow, res = _compare_slow(parks, lines, **kw)
    fast = ino_geo.compare_scenarios(parks, lines, **kw)
    _assert_same(fast, slow)
    # the columns are those of each scenario's own coverage table
    for sc in ("existing", "planned"):
        t = res[sc].table
        assert fast[f"population_{sc}"].tolist() == t["population"].tolist()
        assert fast[f"area_km2_{sc}"].tolist() == t["area_km2"].tolist()
    assert (fast["population_newly_covered"] >= 0).all()


@pytest.mark.parametrize("with_bounds", [True, False])
def test_compare_without_population_or_boundaries(scenario_inputs, with_bounds):
    parks, lines, cells, bounds, river = scenario_inputs
    # no boundaries: the study area is the union of the cells, split once for both scenarios
    kw = dict(minutes=[2], river=river, max_snap=100, population=None if with_bounds else cells,
              boundaries=bounds if with_bounds else None)
    slow, _ = _compare_slow(parks, lines, **kw)
    fast = ino_geo.compare_scenarios(parks, lines, **kw)
    _assert_same(fast, slow)
    assert fast["mean_minutes_existing"].isna().all() == with_bounds


def test_compare_progress_splits_the_cells_once(scenario_inputs):
    parks, lines, cells, bounds, river = scenario_inputs
    said = []
    ino_geo.compare_scenarios(parks, lines, minutes=[2], population=cells, boundaries=bounds, river=river,
                              progress=said.append)
    assert sum(m.startswith("splitting") for m in said) == 1
    assert [m for m in said if m.startswith("scenario")] == ["scenario existing", "scenario planned"]
    assert sum(m.startswith("building the network") for m in said) == 2


def test_compare_errors_as_before(scenario_inputs):
    parks, lines, cells, bounds, river = scenario_inputs
    with pytest.raises(ino_geo.UsageError, match="at least one threshold"):
        ino_geo.compare_scenarios(parks, lines, population=cells)
    with pytest.raises(ino_geo.UsageError, match="needs a network"):
        ino_geo.compare_scenarios(parks, None, minutes=[2], river=river)
    bad = cells.copy()
    bad.loc[2, "population"] = -1.0
    with pytest.raises(ino_geo.DataError, match="record 2"):
        ino_geo.compare_scenarios(parks, lines, minutes=[2], population=bad, river=river)


@pytest.mark.slow
def test_shipped_compare_cli_output_equals_the_scenarios_run_alone():
    """``ino-geo coverage --mode network --minutes 15 --compare --by municipality`` on the
    shipped layers prints, byte for byte, the table of the two coverage runs side by side."""
    from click.testing import CliRunner

    from ino_geo.cli import cli
    from ino_geo.data.output import format_frame

    lay = ino_geo.load_layers()
    slow, _ = _compare_slow(lay.parks, lay.corridors, minutes=[15], boundaries=lay.boundaries, by="municipality",
                            population=lay.population, river=lay.river)
    r = CliRunner().invoke(cli, ["coverage", "--mode", "network", "--minutes", "15", "--compare", "--by",
                                 "municipality", "--format", "csv"])
    assert r.exit_code == 0, r.output
    text = format_frame(slow, "csv")
    assert r.stdout == (text if text.endswith("\n") else text + "\n")
    assert r.stderr.count("splitting") == 1


# ------------------------------------------------------------------------------------------
# isochrone: piece ends once, place costs without a merge, buffers in one call


def _isochrone_slow(net, node_cost, threshold, *, unit, walk_speed_kmh=4.5, max_snap, places, place_geoms,
                    barrier, step, direction, quantum=5.0):
    """The old way: each piece's two ends costed on their own (place by place on its edge),
    one buffer per level, union, river cut by one query per anchor."""
    mpu = walk_m_per_unit(unit, walk_speed_kmh)
    w = net.edge_weight(unit)
    on = set(places.edge[places.edge >= 0].tolist()) | set(places.entry_edge.tolist())
    s = np.flatnonzero(places.edge >= 0)
    spots = [(places.edge[i], places.frac[i], places.frac[i], places.walk_m[i] / mpu) for i in s]
    spots += [(e, a, b, 0.0) for e, a, b in zip(places.entry_edge, places.entry_f0, places.entry_f1)]

    def cost(e, f):
        c = edge_point_costs(net, node_cost, np.array([e]), np.array([f]), np.array([f]), unit, direction)[0]
        for pe, t0, t1, a in spots:
            if pe == e:
                ahead, behind = t0 - f, f - t1
                against = behind > 0 if direction == "to" else ahead > 0
                c = min(c, np.inf if against and net.oneway[e] else a + max(0.0, ahead, behind) * w[e])
        return c

    lines, points, rad_l, rad_p = [], [], [], []
    for e in range(net.n_edges):
        if not (min(node_cost[net.edge_u[e]], node_cost[net.edge_v[e]]) <= threshold or e in on):
            continue
        k = max(1, int(np.ceil(net.edge_length_m[e] / step)))
        u, v = net.nodes[net.edge_u[e]], net.nodes[net.edge_v[e]]
        for i in range(k):
            f0, f1 = i / k, (i + 1) / k
            c0, c1 = cost(e, f0), cost(e, f1)
            p0, p1 = u * (1 - f0) + v * f0, u * (1 - f1) + v * f1
            r = min(max_snap, (threshold - max(c0, c1)) * mpu)
            if r >= 0:
                lines.append(LineString([p0, p1]))
                rad_l.append(r)
            elif min(max_snap, (threshold - c0) * mpu) >= 0:
                points.append((Point(p0), min(max_snap, (threshold - c0) * mpu)))
            elif min(max_snap, (threshold - c1) * mpu) >= 0:
                points.append((Point(p1), min(max_snap, (threshold - c1) * mpu)))
    geoms = np.array(lines + [p for p, _ in points], dtype=object)
    rad = np.array(rad_l + [r for _, r in points])
    parts = []
    level = np.floor(rad / quantum) * quantum
    kinds = shapely.get_type_id(geoms) if len(geoms) else np.zeros(0, int)
    for lv in np.unique(level):
        if lv > 0:
            segs, pts = geoms[(level == lv) & (kinds == 1)], geoms[(level == lv) & (kinds == 0)]
            if len(segs):
                parts.append(shapely.buffer(shapely.line_merge(shapely.multilinestrings(segs)), lv))
            if len(pts):
                parts.append(shapely.buffer(shapely.multipoints(pts), lv))
    pr = min(max_snap, threshold * mpu)
    pg = np.asarray(place_geoms, dtype=object)
    parts.append(shapely.buffer(shapely.union_all(pg), pr) if pr > 0 else shapely.union_all(pg))
    area = shapely.union_all(np.asarray(parts, dtype=object))
    if barrier is not None and shapely.intersects(area, barrier):
        area = _without_river_slow(area, barrier, np.concatenate([geoms, pg]))
    return area


@pytest.fixture(scope="module")
def one_way_grid():
    """A jittered 7 x 7 grid of roads, a third of them one-way (either way), a river strip
    across it and places: parks (polygons, some on roads, one across the river) and points."""
    lines = random_graph_lines(seed=3, n=7, spacing=150.0)
    rng = np.random.default_rng(3)
    lines["oneway"] = rng.choice(["no", "yes", "-1"], len(lines), p=[0.6, 0.2, 0.2])
    net = build_network(lines)
    river = box(-1000, 430, 2000, 470)
    places = np.array([box(140, 130, 190, 180), diamond(620, 310, 40), box(300, 440, 360, 520), Point(820, 760),
                       Point(455, 40)], dtype=object)
    return net, river, places


@pytest.mark.parametrize("unit, thresholds", [("min", [0.0, 0.4, 1.5, 4.0]), ("m", [0.0, 120.0, 700.0])])
@pytest.mark.parametrize("direction", ["to", "from"])
@pytest.mark.parametrize("max_snap, step", [(60.0, 25.0), (0.0, 40.0), (200.0, 7.0)])
def test_isochrone_equals_piece_by_piece(one_way_grid, unit, thresholds, direction, max_snap, step):
    net, river, geoms = one_way_grid
    places = snap(net, geoms, max_snap=max(max_snap, 30.0), barrier=river)
    nc = node_costs(net, places, unit=unit, direction=direction)
    gx, gy = np.meshgrid(np.arange(-100, 1100, 40.0), np.arange(-100, 1100, 40.0))
    cells = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + 40, gy.ravel() + 40)
    for thr in thresholds:
        kw = dict(unit=unit, max_snap=max_snap, places=places, place_geoms=geoms, barrier=river, step=step,
                  direction=direction)
        fast, slow = isochrone(net, nc, thr, **kw), _isochrone_slow(net, nc, thr, **kw)
        assert fast.area == pytest.approx(slow.area, rel=1e-6, abs=1e-6)
        sf, ss = covered_shares(cells, fast), covered_shares(cells, slow)
        assert np.array_equal(sf > 0, ss > 0) and np.allclose(sf, ss, atol=1e-9)
        # the same GEOS operations on the same pieces in the same order: the same polygon
        assert shapely.equals_exact(fast, slow, tolerance=0.0) or (fast.is_empty and slow.is_empty)


def test_isochrone_no_piece_reached_and_no_places():
    net = build_network(gdf([{"speed_kmh": 60.0}], [LineString([(0, 0), (1000, 0)])]))
    park = snap(net, np.array([Point(0, 0)], dtype=object), max_snap=10.0)
    nc = node_costs(net, park, unit="m")
    assert isochrone(net, nc, 500.0, unit="m", max_snap=0.0, places=park).is_empty  # radius 0: no buffer
    nowhere = np.full(len(nc), np.inf)
    assert isochrone(net, nowhere, 500.0, unit="m", max_snap=50.0).is_empty
    area = isochrone(net, nc, 500.0, unit="m", max_snap=50.0, places=park, step=1000.0)  # one piece, half reached
    assert area.contains(Point(0, 40)) and not area.contains(Point(600, 0))


# ------------------------------------------------------------------------------------------
# the scenarios side by side on two threads, against one after the other


@pytest.mark.parametrize("kw", [
    dict(minutes=[1, 3], by="municipality"),
    dict(distances=[600, 1500], cost="distance", direction="from"),
    dict(minutes=[2], population=None),
    dict(minutes=[2], boundaries=None),
])
def test_two_threads_give_the_numbers_and_lines_of_one_after_the_other(scenario_inputs, monkeypatch, kw):
    from ino_geo.analysis import compare

    parks, lines, cells, bounds, river = scenario_inputs
    kw = dict(dict(population=cells, boundaries=bounds, river=river, max_snap=100), **kw)
    out = {}
    for threads in (True, False):
        monkeypatch.setattr(compare, "_in_two_threads", lambda network, t=threads: t)
        said: list = []
        out[threads] = (ino_geo.compare_scenarios(parks, lines, progress=said.append, **kw), said)
    _assert_same(out[True][0], out[False][0])
    assert out[True][1] == out[False][1]  # the planned scenario's lines after the existing one's
    assert [m for m in out[True][1] if m.startswith("scenario")] == ["scenario existing", "scenario planned"]


@pytest.mark.parametrize("failing", [("planned",), ("existing",), ("existing", "planned")])
def test_two_threads_raise_the_error_one_after_the_other_raises(scenario_inputs, monkeypatch, failing):
    from ino_geo.analysis import compare

    parks, lines, cells, bounds, river = scenario_inputs
    real = compare._count

    def count(reach, *args):
        scenario = args[6]
        if scenario in failing:
            raise ino_geo.DataError(f"{scenario}: broken")
        return real(reach, *args)

    monkeypatch.setattr(compare, "_count", count)
    for threads in (True, False):
        monkeypatch.setattr(compare, "_in_two_threads", lambda network, t=threads: t)
        with pytest.raises(ino_geo.DataError, match=f"^{failing[0]}: broken$"):
            ino_geo.compare_scenarios(parks, lines, minutes=[2], population=cells, boundaries=bounds, river=river)


def test_the_second_thread_works_on_copies_of_its_own(scenario_inputs):
    """No GEOS object is shared between the threads (prepared geometries and trees are
    filled in place): every geometry is a new object with the same coordinates."""
    from ino_geo.analysis.compare import _copy_geometry, _own_copies
    from ino_geo.analysis.coverage import _projected_parks, study_zones
    from ino_geo.analysis._coverage_cells import population_cells

    parks, lines, cells, bounds, river = scenario_inputs
    crs, groups, pgeoms = _projected_parks(parks, None, None)
    zones, study = study_zones(bounds, "municipality", crs)
    pop = population_cells(cells, crs, zones, False, lambda _m: None)
    shapely.prepare(study)
    z2, s2, p2, g2 = _own_copies((zones, study, pop, pgeoms))

    def same_not_shared(a, b):
        a, b = np.atleast_1d(np.asarray(a, dtype=object)), np.atleast_1d(np.asarray(b, dtype=object))
        assert len(a) == len(b) and all(x is not y for x, y in zip(a, b))
        assert shapely.equals_exact(a, b, tolerance=0).all()

    same_not_shared([z[2] for z in zones], [z[2] for z in z2])
    same_not_shared(study, s2)
    assert not shapely.is_prepared(s2)
    same_not_shared(pop.geoms, p2.geoms)
    same_not_shared(pop.frag_geom, p2.frag_geom)
    same_not_shared(pgeoms, g2)
    assert p2.cell_tree is not pop.cell_tree and p2.cell_tree.geometries[0] is not pop.cell_tree.geometries[0]
    assert (p2.part_tree is None) == (pop.part_tree is None)
    assert _copy_geometry(None) is None
