"""What the planned corridors change: network coverage in both scenarios, side by side.

:func:`compare_scenarios` runs :func:`ino_geo.coverage` (network mode) in the ``existing`` and
``planned`` scenarios (:mod:`ino_geo.network.scenarios`) and reports, per park type, threshold
and boundary, the population newly covered and the minutes saved.

What does not depend on the scenario is done once and shared by both runs: the checks, the
parks in the metric CRS, the study zones, the population cells split by them and the river
barrier. Each scenario then builds its network and counts its reach areas as
:func:`~ino_geo.analysis.coverage.coverage` does (same steps, same numbers), without the
per-cell output, which the comparison does not report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from ino_geo import defaults
from ino_geo.analysis._inputs import as_progress, check_mode, check_routing_options, check_step, check_thresholds
from ino_geo.analysis.coverage import (Coverage, _population, _projected_parks, _Reach, _reach_steps, _run_attrs,
                                       _Tally, study_zones)

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

__all__ = ["compare_scenarios"]

_MINUTE_COLUMNS = ("mean_minutes_existing", "mean_minutes_planned", "minutes_saved", "population_time_saved",
                   "population_newly_reachable")
_UNITS = {"population_newly_covered": "people", "area_km2_newly_covered": "km2",
          "mean_minutes_existing": "min", "mean_minutes_planned": "min", "minutes_saved": "min",
          "population_time_saved": "people", "population_newly_reachable": "people"}


def compare_scenarios(
    parks: "gpd.GeoDataFrame",
    network: "gpd.GeoDataFrame",
    *,
    park_types: Sequence[str] | None = None,
    distances: Sequence[float] = (),
    minutes: Sequence[float] = (),
    boundaries: "gpd.GeoDataFrame | None" = None,
    by: str | None = None,
    population: "gpd.GeoDataFrame | None" = None,
    river: Any = None,
    walk_speed_kmh: float = defaults.WALK_SPEED_KMH,
    max_snap: float = defaults.MAX_SNAP_M,
    crs: Any = None,
    step: float = defaults.DENSIFY_M,
    progress=None,
    direction: str = "to",
    cost: str | None = None,
) -> "pd.DataFrame":
    """What the planned corridors change: network coverage in both scenarios, side by side.

    Parameters are those of :func:`ino_geo.coverage` (network mode, `direction` and `cost` included); `network` is the
    corridors layer (both scenarios are selected from it).

    Returns
    -------
    DataFrame
        One row per park type, threshold and boundary, with ``population_existing``,
        ``population_planned``, ``population_newly_covered`` (people; planned minus existing:
        coverage only grows when corridors are added or sped up),
        ``area_km2_existing``, ``area_km2_planned``, ``area_km2_newly_covered``, and the travel
        time from the population to the nearest park of the type:
        ``mean_minutes_existing``, ``mean_minutes_planned`` (population-weighted over cells
        that reach a park in both scenarios, each cell from its representative point),
        ``minutes_saved`` (their difference), ``population_time_saved`` (people whose time
        falls by at least 0.5 min) and ``population_newly_reachable`` (people who reach a park
        only in the planned scenario). Minute columns are NaN without a population layer.
    """
    river = check_mode("network", river)
    thresholds = check_thresholds(distances, minutes)
    check_routing_options(walk_speed_kmh, max_snap, direction, cost, "network", thresholds)
    crs, groups, pgeoms = _projected_parks(parks, park_types, crs)
    check_step(step)
    say = as_progress(progress)
    zones, study = study_zones(boundaries, by, crs)
    pop = _population(population, crs, zones, False, say)  # once: the cells do not depend on the scenario
    settings = dict(walk_speed_kmh=walk_speed_kmh, max_snap=max_snap, step=step, direction=direction, cost=cost)

    def run(sc: str, shared: tuple, barrier: Any, tell) -> tuple[Coverage, Any]:
        zones_, study_, pop_, pgeoms_ = shared
        tell(f"scenario {sc}")
        reach = _Reach("network", thresholds, walk_speed_kmh, max_snap, step, direction)
        reach.prepare(network, sc, crs, barrier, pop_, tell)
        return _count(reach, groups, pgeoms_, zones_, study_, pop_, crs, sc, settings, tell), reach.barrier

    shared = (zones, study, pop, pgeoms)
    if _in_two_threads(network):
        results = _both_at_once(run, shared, river, crs, say)
    else:  # one after the other: the first scenario makes the river one geometry in `crs`, the second reuses it
        results, barrier = {}, river
        for sc in defaults.SCENARIOS:
            results[sc], barrier = run(sc, shared, barrier, say)
    return _assembled(results)


def _assembled(results: dict) -> "pd.DataFrame":
    """The comparison table from each scenario's :class:`Coverage`: the tables side by side,
    the travel times (NaN without population), the run's ``.attrs`` with both scenarios."""
    m = _side_by_side(results["existing"].table, results["planned"].table)
    times = _travel_times(results)
    if times is not None:
        m = m.merge(times, on=["park_type", "boundary_id"], how="left")
    else:
        for c in _MINUTE_COLUMNS:
            m[c] = np.nan
    m.attrs = dict(results["existing"].table.attrs)
    m.attrs["scenarios"] = list(defaults.SCENARIOS)
    m.attrs["units"] = {**m.attrs.get("units", {}), **_UNITS}
    return m


def _in_two_threads(network: Any) -> bool:
    """Whether the scenarios run side by side: with two cores or more, and a line layer (a
    :class:`~ino_geo.network.graph.Network` given as is is the same object in both scenarios,
    with caches of its own filled on first use)."""
    import geopandas as gpd

    from ino_geo.analysis.nearest import _threads

    return isinstance(network, gpd.GeoDataFrame) and _threads() > 1


def _both_at_once(run, shared: tuple, river: Any, crs: str, say) -> dict:
    """``{scenario: Coverage}``, the planned scenario on a second thread (GEOS releases the GIL).

    The second thread works on copies of every geometry the scenarios share (:func:`_own_copies`):
    GEOS prepares geometries and builds trees in place, which is not safe across threads. Its
    progress lines are held and told after the first scenario's, in the order of a run one
    after the other; an error is raised as that run would raise it (the existing scenario's
    first). The numbers are the same: each scenario computes from the same inputs."""
    from concurrent.futures import ThreadPoolExecutor

    from ino_geo.network.snapping import barrier_geometry

    barrier = barrier_geometry(river, crs)
    first, second = defaults.SCENARIOS
    held: list = []
    with ThreadPoolExecutor(1) as pool:
        later = pool.submit(run, second, _own_copies(shared), _copy_geometry(barrier), held.append)
        try:
            ran = run(first, shared, barrier, say)
        finally:
            later_error = later.exception()  # waits: the second thread never outlives the call
        for line in held:
            say(line)
        if later_error is not None:
            raise later_error
    return {first: ran[0], second: later.result()[0]}


def _copy_geometry(g: Any) -> Any:
    """A geometry (or array of them, None kept) of its own: the same coordinates (WKB round trip)."""
    import shapely

    if g is None:
        return None
    return shapely.from_wkb(shapely.to_wkb(g))


def _own_copies(shared: tuple) -> tuple:
    """The zones, study area, population and parks with geometries and trees of their own."""
    import dataclasses

    import shapely

    zones, study, pop, pgeoms = shared
    zones = [(bid, name, _copy_geometry(g)) for bid, name, g in zones]
    study = _copy_geometry(study)
    if pop.geoms is not None:
        geoms, frag = _copy_geometry(pop.geoms), _copy_geometry(pop.frag_geom)
        pop = dataclasses.replace(
            pop, geoms=geoms, frag_geom=frag, study=_copy_geometry(pop.study),
            cell_tree=shapely.STRtree(geoms) if pop.cell_tree is not None else None,
            part_tree=shapely.STRtree(frag[pop.frag_part]) if pop.part_tree is not None else None,
        )
    return zones, study, pop, _copy_geometry(pgeoms)


def _count(reach: "_Reach", groups: list, pgeoms: np.ndarray, zones: list, study: Any, pop: Any, crs: str,
           scenario: str, settings: dict, say) -> Coverage:
    """One scenario's :class:`~ino_geo.analysis.coverage.Coverage` (no cells): each reach area
    counted per zone, as :func:`~ino_geo.analysis.coverage.coverage` counts it."""
    tally = _Tally(zones, study if study is not None else pop.study, pop)
    for ptype, n_parks, value, unit, cover in _reach_steps(reach, groups, pgeoms, zones, say):
        tally.add(ptype, n_parks, value, unit, cover)
    s = settings
    run = _run_attrs("network", scenario, s["walk_speed_kmh"], s["max_snap"], s["direction"], s["cost"])
    return tally.result(crs, run, reach.cell_minutes)


def _side_by_side(a: "pd.DataFrame", b: "pd.DataFrame") -> "pd.DataFrame":
    """The coverage tables of both scenarios joined, with the population and area newly covered."""
    keys = ["park_type", "threshold", "unit", "boundary_id", "boundary_name"]
    cols = ["population", "area_km2", "population_pct", "area_pct"]
    m = a[keys + ["population_total", "area_total_km2"] + cols].merge(
        b[keys + cols], on=keys, suffixes=("_existing", "_planned")
    )
    m["population_newly_covered"] = _clean(m["population_planned"] - m["population_existing"], m["population_total"])
    m["area_km2_newly_covered"] = _clean(m["area_km2_planned"] - m["area_km2_existing"], m["area_total_km2"])
    return m


def _clean(diff, total):
    """Differences within the isochrones' polygon-approximation noise (1e-6 of the total) are 0.

    Planned corridors only add or speed up links, so coverage cannot shrink; differences of
    a millionth of the total come from approximating circles by polygons differently."""
    return diff.where(diff.abs() > 1e-6 * total.abs().fillna(0) + 1e-9, 0.0)


def _travel_times(results: dict) -> "pd.DataFrame | None":
    """Population-weighted minutes to the nearest park per park type and boundary, both scenarios."""
    import pandas as pd

    ex, pl = results["existing"], results["planned"]
    if ex.cell_minutes is None or pl.cell_minutes is None:
        return None
    a = ex.cell_minutes
    b = pl.cell_minutes
    m = a.merge(b[["park_type", "fragment", "minutes"]], on=["park_type", "fragment"], suffixes=("_existing", "_planned"))
    rows = []
    for (pt, bid), g in m.groupby(["park_type", "boundary_id"], sort=False):
        both = np.isfinite(g["minutes_existing"]) & np.isfinite(g["minutes_planned"])
        w = g["population"][both]
        wsum = float(w.sum())
        me = float((g["minutes_existing"][both] * w).sum() / wsum) if wsum > 0 else np.nan
        mp = float((g["minutes_planned"][both] * w).sum() / wsum) if wsum > 0 else np.nan
        saved = both & (g["minutes_existing"] - g["minutes_planned"] >= 0.5)
        newly = ~np.isfinite(g["minutes_existing"]) & np.isfinite(g["minutes_planned"])
        rows.append(
            {
                "park_type": pt,
                "boundary_id": bid,
                "mean_minutes_existing": me,
                "mean_minutes_planned": mp,
                "minutes_saved": me - mp,
                "population_time_saved": float(g["population"][saved].sum()),
                "population_newly_reachable": float(g["population"][newly].sum()),
            }
        )
    return pd.DataFrame(rows)
