"""Scenarios: which corridors exist, at which speed, and what the planned ones change.

Scenario semantics (they refine the issue's wording, so that a road that exists today and is
to be reconstructed, such as Kamayevka--Asino, is not missing from ``existing``):

``existing``
    corridors with ``status == "existing"`` at ``speed_kmh``, and corridors with
    ``status == "reconstruction"`` at ``current_speed_kmh`` (the speed today); a
    reconstruction corridor whose ``current_speed_kmh`` is empty (or a layer without that
    column) is impassable today and left out. Planned corridors are left out.
``planned``
    every corridor (existing, reconstruction, planned) at ``speed_kmh`` (the speed once built
    or reconstructed).

A line layer without a ``status`` column (a planner's own street layer) is used whole, at its
``speed_kmh``, in both scenarios.

:func:`compare_scenarios` runs network coverage in both scenarios and reports, per park type,
threshold and boundary, the population newly covered and the minutes saved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from ino_geo._errors import UsageError
from ino_geo.network.graph import DEFAULT_DENSIFY_M, DEFAULT_MAX_SNAP_M, DEFAULT_WALK_SPEED_KMH

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

__all__ = ["SCENARIOS", "select_corridors", "scenario_network", "compare_scenarios"]

SCENARIOS = ("existing", "planned")


def check_scenario(scenario: str) -> str:
    if scenario not in SCENARIOS:
        raise UsageError(f"unknown scenario {scenario!r}; use one of {', '.join(SCENARIOS)}")
    return scenario


def select_corridors(corridors: "gpd.GeoDataFrame", scenario: str = "existing") -> "gpd.GeoDataFrame":
    """The corridors usable in `scenario`, with ``speed_kmh`` set to the speed in that scenario.

    Parameters
    ----------
    corridors : GeoDataFrame
        The corridors layer (or any line layer with ``speed_kmh``).
    scenario : ``"existing"`` or ``"planned"``

    Returns
    -------
    GeoDataFrame
        A copy; the original speed is kept in ``design_speed_kmh``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString
    >>> c = gpd.GeoDataFrame({"corridor_id": ["a", "b", "c"],
    ...     "status": ["existing", "reconstruction", "planned"],
    ...     "speed_kmh": [60.0, 90.0, 90.0], "current_speed_kmh": [None, 40.0, None]},
    ...     geometry=[LineString([(0, 0), (1, 0)])] * 3, crs="EPSG:32645")
    >>> select_corridors(c, "existing")[["corridor_id", "speed_kmh"]].values.tolist()
    [['a', 60.0], ['b', 40.0]]
    >>> select_corridors(c, "planned")["speed_kmh"].tolist()
    [60.0, 90.0, 90.0]
    """
    check_scenario(scenario)
    out = corridors.copy()
    if "speed_kmh" in out.columns:
        out["design_speed_kmh"] = out["speed_kmh"]
    if "status" not in out.columns or scenario == "planned":
        return out
    status = out["status"].astype(str)
    current = out["current_speed_kmh"] if "current_speed_kmh" in out.columns else None
    keep = status == "existing"
    if current is not None:
        recon = (status == "reconstruction") & current.notna()
        out.loc[recon, "speed_kmh"] = current[recon].astype(float)
        keep = keep | recon
    return out[keep.to_numpy()]


def scenario_network(
    lines: Any,
    scenario: str = "existing",
    *,
    crs: Any = None,
    modes: Sequence[str] | None = ("road",),
    name: str = "corridors",
):
    """A :class:`~ino_geo.network.Network` for `scenario` from a line layer (or a Network as is)."""
    from ino_geo.network.graph import Network, build_network

    if isinstance(lines, Network):
        return lines
    return build_network(select_corridors(lines, scenario), crs=crs, modes=modes, name=name)


def prepare_network(network: Any, scenario: str, *, crs: Any, river: Any, progress: Any = None):
    """The scenario's network and the river barrier, both in `crs`: the setup that network-mode
    coverage and proximity share.

    Returns
    -------
    (Network, geometry or None)
    """
    from ino_geo.analysis.coverage import barrier_geometry

    check_scenario(scenario)
    if network is None:
        raise UsageError("network mode needs a network (the corridors layer or --network PATH)")
    if progress is not None:
        progress(f"building the network ({scenario})")
    return scenario_network(network, scenario, crs=crs), barrier_geometry(river, crs)


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
    walk_speed_kmh: float = DEFAULT_WALK_SPEED_KMH,
    max_snap: float = DEFAULT_MAX_SNAP_M,
    crs: Any = None,
    step: float = DEFAULT_DENSIFY_M,
    progress=None,
) -> "pd.DataFrame":
    """What the planned corridors change: network coverage in both scenarios, side by side.

    Parameters are those of :func:`ino_geo.coverage` (network mode); `network` is the
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
    from ino_geo.analysis.coverage import coverage

    common = dict(
        park_types=park_types,
        distances=distances,
        minutes=minutes,
        mode="network",
        boundaries=boundaries,
        by=by,
        population=population,
        river=river,
        walk_speed_kmh=walk_speed_kmh,
        max_snap=max_snap,
        crs=crs,
        step=step,
    )
    results = {}
    for sc in SCENARIOS:
        if progress:
            progress(f"scenario {sc}")
        results[sc] = coverage(parks, network=network, scenario=sc, progress=progress, **common)
    keys = ["park_type", "threshold", "unit", "boundary_id", "boundary_name"]
    a = results["existing"].table
    b = results["planned"].table
    cols = ["population", "area_km2", "population_pct", "area_pct"]
    m = a[keys + ["population_total", "area_total_km2"] + cols].merge(
        b[keys + cols], on=keys, suffixes=("_existing", "_planned")
    )
    m["population_newly_covered"] = _clean(m["population_planned"] - m["population_existing"], m["population_total"])
    m["area_km2_newly_covered"] = _clean(m["area_km2_planned"] - m["area_km2_existing"], m["area_total_km2"])
    times = _travel_times(results, population, boundaries, by)
    if times is not None:
        m = m.merge(times, on=["park_type", "boundary_id"], how="left")
    else:
        for c in ("mean_minutes_existing", "mean_minutes_planned", "minutes_saved", "population_time_saved", "population_newly_reachable"):
            m[c] = np.nan
    m.attrs = dict(results["existing"].table.attrs)
    m.attrs["scenarios"] = list(SCENARIOS)
    units = dict(m.attrs.get("units", {}))
    units.update({"population_newly_covered": "people", "area_km2_newly_covered": "km2",
                  "mean_minutes_existing": "min", "mean_minutes_planned": "min", "minutes_saved": "min",
                  "population_time_saved": "people", "population_newly_reachable": "people"})
    m.attrs["units"] = units
    return m


def _clean(diff, total):
    """Differences within the isochrones' polygon-approximation noise (1e-6 of the total) are 0.

    Planned corridors only add or speed up links, so coverage cannot shrink; differences of
    a millionth of the total come from approximating circles by polygons differently."""
    return diff.where(diff.abs() > 1e-6 * total.abs().fillna(0) + 1e-9, 0.0)


def _travel_times(results, population, boundaries, by):
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
