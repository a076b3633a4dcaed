"""ino_geo.accessibility: hand-derived 2SFCA answers, the decay weights, agreement with PySAL
``access`` on the same costs, network costs, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import box

import ino_geo
from _fixtures_analysis import gdf, strip_boundaries, strip_population  # noqa: F401  (fixtures)
from ino_geo.analysis.accessibility import catchment_weights, fca_scores


@pytest.fixture
def two_parks():
    """A (1 ha, capacity 1) over cell c0; B (1 ha, capacity 3) over cell c3."""
    return gdf([{"park_id": "A", "name": "A", "park_type": "medical", "capacity": 1.0},
                {"park_id": "B", "name": "B", "park_type": "medical", "capacity": 3.0},
                {"park_id": "S", "name": "S", "park_type": "sport", "capacity": 99.0}],
               [box(0, 0, 100, 100), box(300, 0, 400, 100), box(100, 0, 300, 100)])


def test_2sfca_by_hand(two_parks, strip_population, strip_boundaries):
    # centroids x = 50, 150, 250, 350; within 100 m: A reaches c0 (0, inside) and c1 (50 m),
    # B reaches c2 (50 m) and c3 (0); each shares its supply among 200 people
    acc = ino_geo.accessibility(two_parks, strip_population, park_type="medical", distance=100, supply="capacity",
                                boundaries=strip_boundaries, by="district")
    assert acc.cells["score"].tolist() == pytest.approx([5.0, 5.0, 15.0, 15.0])
    assert acc.cells["n_parks"].tolist() == [1, 1, 1, 1]
    assert acc.cells["cost_nearest"].tolist() == pytest.approx([0.0, 50.0, 50.0, 0.0])
    assert acc.parks["supply_per_1000"].tolist() == pytest.approx([5.0, 15.0])
    assert acc.parks["demand"].tolist() == pytest.approx([200.0, 200.0])
    t = acc.table.set_index("boundary_id")
    assert t.loc[["all", "W", "E"], "mean_score"].tolist() == pytest.approx([10.0, 5.0, 15.0])
    assert t.loc["all", "people_below"] == 0.0  # default threshold: half the mean (5); 5 is not below 5
    # Lorenz curve of scores 5, 5, 15, 15 among equal populations: Gini 0.25
    assert t.loc["all", "gini"] == pytest.approx(0.25)
    assert t.loc["W", "gini"] == pytest.approx(0.0)
    assert acc.table.attrs["unit"] == "m" and acc.cells.crs.to_epsg() == 4326


def test_area_supply_in_hectares_and_threshold(two_parks, strip_population):
    acc = ino_geo.accessibility(two_parks, strip_population, park_type="medical", distance=100, below=6.0)
    assert acc.parks["supply"].tolist() == pytest.approx([1.0, 1.0])  # 100 m x 100 m = 1 ha
    assert acc.cells["score"].tolist() == pytest.approx([5.0] * 4)
    t = acc.table.set_index("boundary_id")
    assert t.loc["all", "people_below"] == pytest.approx(400.0)
    assert t.loc["all", "people_no_access"] == 0.0


def test_competition_and_no_access(two_parks, strip_population):
    # 60 m: A reaches c0 and c1 (50 m), B reaches c2 and c3; 40 m: c1, c2 reach nothing
    acc = ino_geo.accessibility(two_parks, strip_population, park_type="medical", distance=40, supply="capacity")
    assert acc.cells["score"].tolist() == pytest.approx([10.0, 0.0, 0.0, 30.0])
    assert np.isnan(acc.cells["cost_nearest"].iloc[1])
    t = acc.table.set_index("boundary_id")
    assert t.loc["all", "people_no_access"] == pytest.approx(200.0)


def test_weights():
    c = np.array([0.0, 10.0, 10.5, 20.0, 29.9, 30.0, 30.1])
    assert catchment_weights(c, 30, "2sfca").tolist() == [1, 1, 1, 1, 1, 1, 0]
    assert catchment_weights(c, 30, "e2sfca").tolist() == [1, 1, 0.68, 0.68, 0.22, 0.22, 0]
    assert catchment_weights(c, 30, "e2sfca", weights=[1, 0.5]).tolist() == [1, 1, 1, 0.5, 0.5, 0.5, 0]
    p = catchment_weights(np.array([0.0, 1.5, 3.0, 6.0]), 30, "gravity", beta=2.0)  # d0 = 1.5
    assert p.tolist() == pytest.approx([1.0, 1.0, 0.25, 1 / 16])
    e = catchment_weights(np.array([0.0, 15.0, 30.0]), 30, "gravity", decay="exponential")
    assert e.tolist() == pytest.approx([1.0, np.exp(-1.5), np.exp(-3.0)])
    with pytest.raises(ino_geo.UsageError):
        catchment_weights(c, 30, "hansen")
    with pytest.raises(ino_geo.UsageError):
        catchment_weights(c, 30, "gravity", decay="linear")


def _random_instance(seed=3, n=150, m=12):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 5000, (n, 2))
    cells = gdf([{"cell_id": f"c{i}", "population": float(p)} for i, p in enumerate(rng.integers(1, 500, n))],
                [box(x - 50, y - 50, x + 50, y + 50) for x, y in xy])
    pxy = rng.uniform(0, 5000, (m, 2))
    sizes = rng.uniform(20, 200, m)
    parks = gdf([{"park_id": f"p{j}", "name": f"p{j}", "park_type": "medical", "beds": float(rng.integers(5, 300))}
                 for j in range(m)], [box(x, y, x + s, y + s) for (x, y), s in zip(pxy, sizes)])
    # the cost matrix, computed independently: every cell centroid x every park, dense
    cost = shapely.distance(shapely.points(xy)[:, None], np.asarray(parks.geometry.values)[None, :])
    return cells, parks, cost


@pytest.mark.parametrize("method,kw", [("2sfca", {}), ("e2sfca", {}), ("gravity", {"beta": 1.5}),
                                       ("gravity", {"decay": "exponential", "beta": 2.0})])
def test_equals_pysal_access(method, kw):
    access = pytest.importorskip("access")
    from access import weights as aw

    cells, parks, cost = _random_instance()
    T = 1500.0
    acc = ino_geo.accessibility(parks, cells, method=method, distance=T, supply="beds", **kw)
    n, m = cost.shape
    cost_df = pd.DataFrame({"origin": np.repeat(cells["cell_id"].to_numpy(), m),
                            "dest": np.tile(parks["park_id"].to_numpy(), n), "cost": cost.ravel()})
    A = access.Access(demand_df=cells[["cell_id", "population"]].copy(), demand_index="cell_id", demand_value="population",
                      supply_df=parks[["park_id", "beds"]].copy(), supply_index="park_id", supply_value="beds",
                      cost_df=cost_df, cost_origin="origin", cost_dest="dest", cost_name="cost")
    if method == "2sfca":
        fn = None
        ref = A.two_stage_fca(name="x", max_cost=T)["x_beds"]
    elif method == "e2sfca":
        fn = aw.step_fn({T / 3: 1.0, 2 * T / 3: 0.68, T: 0.22})
        ref = A.enhanced_two_stage_fca(name="x", max_cost=T, weight_fn=fn)["x_beds"]
    elif kw.get("decay") == "exponential":
        fn = lambda x: np.exp(-kw["beta"] * x / T)  # noqa: E731
        ref = A.two_stage_fca(name="x", max_cost=T, weight_fn=fn)["x_beds"]
    else:
        fn = aw.gravity(scale=T / 20, alpha=-kw["beta"], min_dist=T / 20)
        ref = A.two_stage_fca(name="x", max_cost=T, weight_fn=fn)["x_beds"]
    ref = ref.reindex(cells["cell_id"]).fillna(0.0).to_numpy()
    ours = acc.cells["score"].to_numpy() / 1000.0  # ino_geo scores per 1,000 people
    assert (ours > 0).sum() > 20 and (ours == 0).sum() > 0
    np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=0)
    reach = A.weighted_catchment(name="w", max_cost=T, weight_fn=fn)["w_beds"]
    reach = reach.reindex(cells["cell_id"]).fillna(0.0).to_numpy()
    np.testing.assert_allclose(acc.cells["supply_reachable"].to_numpy(), reach, rtol=1e-9, atol=0)


def test_fca_scores_conserve_supply():
    # every park with people in reach hands out all of its supply: sum_i P_i A_i = sum_j S_j
    rng = np.random.default_rng(0)
    row, col = rng.integers(0, 50, 400), rng.integers(0, 7, 400)
    key = np.unique(row * 7 + col)
    row, col = key // 7, key % 7
    pop, sup = rng.uniform(1, 100, 50), rng.uniform(1, 10, 7)
    s, r, d, _ = fca_scores(pop, sup, row, col, np.ones(len(row)))
    assert (pop * s).sum() == pytest.approx(sup[np.unique(col)].sum())


@pytest.fixture
def triangle_layers():
    """A 3 km road along x at 30 km/h; a clinic at x = 0 touching the road; cells at x = 500 .. 2500
    50 m north of it."""
    from shapely import LineString

    net = gdf([{"corridor_id": "r", "name": "R", "mode": "road", "status": "existing", "speed_kmh": 30.0}],
              [LineString([(0, 0), (3000, 0)])])
    parks = gdf([{"park_id": "M", "name": "M", "park_type": "medical"}], [box(-100, -50, 0, 50)])
    pop = gdf([{"cell_id": f"c{i}", "population": 100.0} for i in range(5)],
              [box(500 * (i + 1) - 25, 25, 500 * (i + 1) + 25, 75) for i in range(5)])
    return {"network": net, "parks": parks, "population": pop}


def test_network_costs_by_hand(triangle_layers):
    lay = triangle_layers
    acc = ino_geo.accessibility(lay["parks"], lay["population"], park_type="medical", minutes=4, mode="network",
                                network=lay["network"], river=False)
    # a cell at x: walk 50 m (0.6667 min at 4.5 km/h) + x m at 30 km/h (x / 500 min)
    walk = 50 / (4.5 * 1000 / 60)
    expect = [walk + x / 500 for x in (500, 1000, 1500)]
    got = acc.cells["cost_nearest"].to_numpy()
    np.testing.assert_allclose(got[:3], expect, rtol=1e-9)
    assert np.isnan(got[3:]).all()  # 2000 m: 4.67 min > 4
    assert acc.cells["score"].iloc[:3].tolist() == pytest.approx([1000 * 1.0 / 300] * 3)  # 1 ha among 300 people


def test_bad_input(two_parks, strip_population):
    with pytest.raises(ino_geo.UsageError, match="exactly one"):
        ino_geo.accessibility(two_parks, strip_population, park_type="medical")
    with pytest.raises(ino_geo.UsageError, match="exactly one"):
        ino_geo.accessibility(two_parks, strip_population, park_type="medical", distance=1, minutes=1)
    with pytest.raises(ino_geo.UsageError, match="method"):
        ino_geo.accessibility(two_parks, strip_population, park_type="medical", distance=100, method="3sfca")
    with pytest.raises(ino_geo.DataError, match="no park of type 'innovation'"):
        ino_geo.accessibility(two_parks, strip_population, park_type="innovation", distance=100)
    with pytest.raises(ino_geo.UsageError, match="--supply beds"):
        ino_geo.accessibility(two_parks, strip_population, park_type="medical", distance=100, supply="beds")
    bad = two_parks.copy()
    bad["capacity"] = bad["capacity"].astype(object)
    bad.loc[1, "capacity"] = "many"
    with pytest.raises(ino_geo.DataError, match=r"record 1 \(park_id=B\) field capacity"):
        ino_geo.accessibility(bad, strip_population, park_type="medical", distance=100, supply="capacity")
    empty = strip_population.assign(population=0.0)
    with pytest.raises(ino_geo.DataError, match="no people"):
        ino_geo.accessibility(two_parks, empty, park_type="medical", distance=100)
    neg = strip_population.copy()
    neg.loc[2, "population"] = -1.0
    with pytest.raises(ino_geo.DataError, match="record 2 field population"):
        ino_geo.accessibility(two_parks, neg, park_type="medical", distance=100)


def test_shipped_layers_medical():
    lay = ino_geo.load_layers()
    acc = ino_geo.accessibility(lay.parks, lay.population, park_type="medical", distance=2000,
                                boundaries=lay.boundaries, by="district")
    n_med = int((lay.parks["park_type"] == "medical").sum())
    assert len(acc.parks) == n_med and len(acc.cells) == len(lay.population)
    t = acc.table.set_index("boundary_id")
    # all supply handed out (every medical park has people within 2 km): mean score = total ha per 1,000
    total_ha = acc.parks["supply"].sum()
    assert t.loc["all", "mean_score"] == pytest.approx(1000 * total_ha / lay.population["population"].sum())
    assert t.loc["all", "population"] == pytest.approx(lay.population["population"].sum())
    assert len(t) == 1 + int((lay.boundaries["level"] == "district").sum())
    assert ((t["gini"] >= 0) & (t["gini"] <= 1)).all()


def test_compare_scenarios_by_hand(triangle_layers):
    from shapely import LineString

    from ino_geo.analysis.accessibility import compare_accessibility

    lay = triangle_layers
    roads = gdf([{"corridor_id": "r1", "name": "R1", "mode": "road", "status": "existing", "speed_kmh": 30.0},
                 {"corridor_id": "r2", "name": "R2", "mode": "road", "status": "planned", "speed_kmh": 30.0}],
                [LineString([(0, 0), (1200, 0)]), LineString([(1200, 0), (3000, 0)])])
    kw = dict(park_type="medical", minutes=6, mode="network", network=roads, river=False)
    before = ino_geo.accessibility(lay["parks"], lay["population"], scenario="existing", **kw)
    after = ino_geo.accessibility(lay["parks"], lay["population"], scenario="planned", **kw)
    # existing: cells at 500 and 1000 m reach the clinic (the one at 1500 m walks 304 m to the road's
    # end: 4.05 + 2.4 min > 6); planned: all five (50 m walk + at most 2500 m at 30 km/h = 5.67 min)
    assert before.cells["n_parks"].tolist() == [1, 1, 0, 0, 0]
    assert after.cells["n_parks"].tolist() == [1] * 5
    t = compare_accessibility(before, after).set_index("boundary_id")
    assert t.loc["all", "people_gaining_access"] == pytest.approx(300.0)
    assert t.loc["all", "mean_score_existing"] == pytest.approx(2.0)  # 1 ha per 200 people, for 200 of 500
    assert t.loc["all", "mean_score_planned"] == pytest.approx(2.0)   # 1 ha per 500 people, for everyone


def test_minutes_in_straight_line_mode_are_a_walk(two_parks, strip_population):
    # 1 minute at 4.5 km/h = 75 m: A reaches c0 (inside) and c1 (50 m), as with 75 m
    a = ino_geo.accessibility(two_parks, strip_population, park_type="medical", minutes=1, supply="capacity")
    b = ino_geo.accessibility(two_parks, strip_population, park_type="medical", distance=75, supply="capacity")
    assert a.cells["score"].tolist() == pytest.approx(b.cells["score"].tolist())
    assert a.cells["cost_nearest"].tolist() == pytest.approx([0.0, 50 / 75, 50 / 75, 0.0])
