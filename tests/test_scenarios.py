"""Scenarios: corridor selection, speeds, and the comparison of existing and planned."""

from __future__ import annotations

import numpy as np
import pytest
from shapely import Point, box

from _fixtures_analysis import diamond, gdf, scenario_lines  # noqa: F401  (fixtures)
from ino_geo import UsageError, compare_scenarios, proximity, select_corridors


def test_select_corridors(scenario_lines):
    ex = select_corridors(scenario_lines, "existing")
    assert ex["corridor_id"].tolist() == ["E1", "R1"]
    assert ex["speed_kmh"].tolist() == [60.0, 30.0]  # reconstruction at today's speed
    assert ex["design_speed_kmh"].tolist() == [60.0, 60.0]
    pl = select_corridors(scenario_lines, "planned")
    assert pl["corridor_id"].tolist() == ["E1", "R1", "P1", "R2"]
    assert pl["speed_kmh"].tolist() == [60.0] * 4
    with pytest.raises(UsageError, match="unknown scenario"):
        select_corridors(scenario_lines, "future")
    # a street layer without status is used whole in both scenarios
    street = scenario_lines.drop(columns=["status", "current_speed_kmh"])
    assert len(select_corridors(street, "existing")) == 4


def test_scenario_changes_route_times(scenario_lines):
    parks = gdf([{"park_id": "P", "park_type": "sport"}, {"park_id": "Q", "park_type": "medical"}],
                [diamond(2000, 20, 10), diamond(3500, 20, 10)])
    origins = gdf([{"site_id": "o"}], [Point(0, 0)])
    ex = proximity(origins, parks, mode="network", network=scenario_lines, scenario="existing", max_snap=100)
    pl = proximity(origins, parks, mode="network", network=scenario_lines, scenario="planned", max_snap=100)
    e, p = ex.set_index("park_type"), pl.set_index("park_type")
    walk = 10 / 75
    # existing: 1 km at 60 km/h + 1 km at 30 km/h; planned: 2 km at 60
    assert e.loc["sport", "minutes"] == pytest.approx(1 + 2 + walk)
    assert p.loc["sport", "minutes"] == pytest.approx(2 + walk)
    assert e.loc["medical", "status"] == "unreachable"  # beyond the planned link
    assert p.loc["medical", "minutes"] == pytest.approx(3.5 + walk)


def test_compare_scenarios_population_and_minutes(scenario_lines):
    parks = gdf([{"park_id": "P", "park_type": "sport"}], [diamond(2000, 20, 10)])
    cells = gdf([{"cell_id": "near", "population": 100.0}, {"cell_id": "mid", "population": 50.0}],
                [box(0, -10, 20, 10), box(1480, -10, 1520, 10)])
    bounds = gdf([{"boundary_id": "B", "name": "Town", "level": "municipality"}], [box(-100, -500, 4100, 500)])
    t = compare_scenarios(parks, scenario_lines, minutes=[3], population=cells, boundaries=bounds, by="municipality",
                          max_snap=100)
    r = t[(t["boundary_id"] == "B")].iloc[0]
    # 'near' (x 0-20) needs 3.12 min today (> 3) and 2.12 planned; 'mid' is within 3 min both ways
    assert r["population_existing"] == pytest.approx(50.0)
    assert r["population_planned"] == pytest.approx(150.0)
    assert r["population_newly_covered"] == pytest.approx(100.0)
    # minutes from each cell's interior point (10, 0) and (1500, 0): existing 3.1233 and
    # 1.0 + 0.1333 (500 m at 30 km/h); planned 2.1233 and 0.6333
    walk = 10 / 75
    me = (100 * (3 - 0.01 + walk) + 50 * (1 + walk)) / 150
    mp = (100 * (2 - 0.01 + walk) + 50 * (0.5 + walk)) / 150
    assert r["mean_minutes_existing"] == pytest.approx(me)
    assert r["mean_minutes_planned"] == pytest.approx(mp)
    assert r["minutes_saved"] == pytest.approx(me - mp)
    assert r["population_time_saved"] == pytest.approx(150.0)
    assert r["population_newly_reachable"] == 0.0
    assert t.attrs["units"]["minutes_saved"] == "min"
    assert set(t["boundary_id"]) == {"all", "B"}


@pytest.mark.slow
def test_shipped_compare_kamayevka_asino_and_bridge():
    """On the Tomsk layers: planned corridors never reduce coverage, and the reconstructed
    Kamayevka-Asino road (60 -> 90 km/h) saves minutes in the Asino district."""
    from ino_geo import load_layers

    lay = load_layers()
    t = compare_scenarios(lay.parks, lay.corridors, park_types=["medical"], minutes=[30], boundaries=lay.boundaries,
                          by="municipality", population=lay.population, river=lay.river)
    assert (t["population_newly_covered"] >= 0).all()  # noise below 1e-6 of the total is reported as 0
    assert (t["population_planned"] <= t["population_total"] + 1e-6).all()
    asino = t[t["boundary_id"].str.contains("asin")]
    assert len(asino) == 1
    assert asino["minutes_saved"].iloc[0] > 1.0
    assert (t["minutes_saved"].dropna() >= -1e-9).all()
