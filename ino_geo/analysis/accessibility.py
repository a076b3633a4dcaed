"""Accessibility scores: who is under-served by a park type, given how many others compete for it.

Floating-catchment methods (Luo & Wang 2003; Luo & Qi 2009), on the population cells (demand,
at each cell's centroid) and the parks of one type (supply: area in hectares, or a column):

* ``2sfca``: each park's supply is shared among the people within the catchment
  (``R_j = S_j / sum_i P_i``), and each cell's score is the sum of the shares of the parks
  within its catchment (``A_i = sum_j R_j``);
* ``e2sfca``: the same, both steps weighted by distance zones: the catchment is cut into
  equal rings weighted :data:`E2SFCA_WEIGHTS` = 1.0 / 0.68 / 0.22 by default (Luo & Qi's
  Gaussian-derived weights of the 0-10, 10-20, 20-30 minute zones);
* ``gravity``: both steps weighted by a continuous decay within the catchment: ``power``
  ``w = (max(d, d0) / d0) ** -beta`` (d0 = ``min_cost``, default 1/20 of the catchment; beta
  default 1) or ``exponential`` ``w = exp(-beta d / T)`` (T the catchment; beta default 3, i.e.
  a weight of 5 % at the catchment edge) — the gravity model with competition (Joseph &
  Bantock 1982), i.e. 2SFCA with a gravity weight.

These are exactly PySAL ``access``'s ``two_stage_fca`` (no weight), ``enhanced_two_stage_fca``
(step weight) and ``two_stage_fca`` with a gravity ``weight_fn``, given the same costs and
``max_cost``; ``score`` is their value **times 1,000** (supply per 1,000 people, e.g. hectares of
medical park per 1,000 residents). ``supply_reachable`` is ``access``'s ``weighted_catchment``
(the weighted supply within reach, no competition). A park with nobody within reach shares
nothing (``R_j = 0``).

A cell's cost to a park is from the cell's centroid to the nearest point of the park polygon
(0 inside), straight or along the network (``mode="network"``); costs are built sparse, only
for the pairs within the catchment.

Examples
--------
>>> import geopandas as gpd
>>> from shapely import box
>>> parks = gpd.GeoDataFrame({"park_id": ["a"], "park_type": ["sport"]},
...                          geometry=[box(0, 0, 100, 100)], crs="EPSG:32645")   # 1 ha
>>> cells = gpd.GeoDataFrame({"cell_id": ["c1", "c2"], "population": [600.0, 400.0]},
...                          geometry=[box(100, 0, 200, 100), box(900, 0, 1000, 100)], crs="EPSG:32645")
>>> acc = accessibility(parks, cells, distance=1000)
>>> acc.cells["score"].round(6).tolist()   # 1 ha shared by 1,000 people: 1 ha per 1,000
[1.0, 1.0]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from ino_geo import defaults
from ino_geo._errors import DataError, UsageError
from ino_geo.analysis import _costs, _zones

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

__all__ = ["Accessibility", "accessibility", "compare_accessibility", "AccessInputs", "access_inputs", "access_result", "fca_scores", "catchment_weights", "METHODS",
           "E2SFCA_WEIGHTS"]

METHODS = ("2sfca", "e2sfca", "gravity")
DECAYS = ("power", "exponential")
#: Weights of the equal distance rings of the enhanced 2SFCA (Luo & Qi 2009).
E2SFCA_WEIGHTS = (1.0, 0.68, 0.22)
_BETA = {"power": 1.0, "exponential": 3.0}
PER_PEOPLE = 1000.0


@dataclass
class Accessibility:
    """The result of :func:`accessibility`.

    Attributes
    ----------
    cells : GeoDataFrame
        One row per population cell, EPSG:4326: ``cell_id, population, score`` (supply per
        1,000 people), ``supply_reachable`` (weighted supply within reach), ``n_parks`` (within
        the catchment), ``cost_nearest`` (to the nearest park, in the catchment's unit; NaN
        beyond it). Ready for a map shaded by score.
    parks : GeoDataFrame
        The parks used, EPSG:4326: ``park_id, name, supply, demand`` (weighted people within
        reach), ``supply_per_1000`` (the park's ratio times 1,000). Ready for a map sized by supply.
    table : DataFrame
        One row for the study area and one per boundary of the level `by`:
        ``boundary_id, boundary_name, population, mean_score`` (population-weighted),
        ``people_below, pct_below`` (score below ``attrs["below"]``), ``people_no_access,
        pct_no_access`` (no park within the catchment), ``gini`` (of the score among people).
    costs : DataFrame
        The sparse cost pairs ``cell, park, cost`` (row positions) within the catchment.
    """

    cells: "gpd.GeoDataFrame"
    parks: "gpd.GeoDataFrame"
    table: "pd.DataFrame"
    costs: "pd.DataFrame"


def catchment_weights(cost: np.ndarray, limit: float, method: str = "2sfca", *, weights: Sequence[float] | None = None,
                      decay: str = "power", beta: float | None = None, min_cost: float | None = None) -> np.ndarray:
    """The weight of each cost (0 beyond `limit`) for `method`.

    Examples
    --------
    >>> catchment_weights(np.array([0.0, 10.0, 11.0, 25.0, 30.0, 31.0]), 30, "e2sfca").tolist()
    [1.0, 1.0, 0.68, 0.22, 0.22, 0.0]
    >>> catchment_weights(np.array([0.0, 100.0, 200.0]), 2000, "gravity").tolist()
    [1.0, 1.0, 0.5]
    """
    cost = np.asarray(cost, dtype=float)
    inside = cost <= limit
    if method == "2sfca":
        w = np.ones(len(cost))
    elif method == "e2sfca":
        ws = np.asarray(weights if weights is not None else E2SFCA_WEIGHTS, dtype=float)
        if not len(ws) or not np.isfinite(ws).all() or (ws < 0).any():
            raise UsageError(f"e2sfca weights {list(ws)}: give one or more finite weights >= 0")
        # ring k holds costs in (k T/n, (k+1) T/n]; a cost on a bound falls in the inner ring
        k = np.ceil(cost / limit * len(ws)).astype(np.int64) - 1
        w = ws[np.clip(k, 0, len(ws) - 1)]
    elif method == "gravity":
        if decay not in DECAYS:
            raise UsageError(f"unknown decay {decay!r}; use one of {', '.join(DECAYS)}")
        b = _BETA[decay] if beta is None else float(beta)
        if not (math.isfinite(b) and b > 0):
            raise UsageError(f"beta {beta}: must be a finite number > 0")
        if decay == "power":
            d0 = limit / 20.0 if min_cost is None else float(min_cost)
            if not (math.isfinite(d0) and d0 > 0):
                raise UsageError(f"min_cost {min_cost}: must be a finite number > 0")
            w = (np.maximum(cost, d0) / d0) ** -b
        else:
            w = np.exp(-b * cost / limit)
    else:
        raise UsageError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    return np.where(inside, w, 0.0)


def fca_scores(population: np.ndarray, supply: np.ndarray, row: np.ndarray, col: np.ndarray,
               weight: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Two-step floating catchment on sparse pairs (cell `row`, park `col`, `weight`).

    Returns
    -------
    score : ndarray (cells,)
        ``A_i = sum_j w_ij R_j`` (supply per person; multiply by 1,000 for per 1,000 people).
    ratio : ndarray (parks,)
        ``R_j = S_j / sum_i w_ij P_i`` (0 where nobody is within reach).
    demand : ndarray (parks,)
        ``sum_i w_ij P_i``.
    reachable : ndarray (cells,)
        ``sum_j w_ij S_j`` (``access``'s weighted catchment).

    Examples
    --------
    >>> s, r, d, a = fca_scores(np.array([100.0, 300.0]), np.array([2.0]), np.array([0, 1]), np.array([0, 0]),
    ...                         np.array([1.0, 1.0]))
    >>> s.tolist(), r.tolist()
    ([0.005, 0.005], [0.005])
    """
    n, m = len(population), len(supply)
    supply = np.asarray(supply, dtype=float)
    demand = np.bincount(col, weights=weight * population[row], minlength=m).astype(float)
    ratio = np.divide(supply, demand, out=np.zeros(m), where=demand > 0)
    score = np.bincount(row, weights=weight * ratio[col], minlength=n).astype(float)
    reachable = np.bincount(row, weights=weight * supply[col], minlength=n).astype(float)
    return score, ratio, demand, reachable


def accessibility(
    parks: "gpd.GeoDataFrame",
    population: "gpd.GeoDataFrame",
    *,
    park_type: str | None = None,
    method: str = "2sfca",
    distance: float | None = None,
    minutes: float | None = None,
    mode: str = "euclidean",
    network: Any = None,
    scenario: str = "existing",
    supply: str | None = None,
    weights: Sequence[float] | None = None,
    decay: str = "power",
    beta: float | None = None,
    min_cost: float | None = None,
    boundaries: "gpd.GeoDataFrame | None" = None,
    by: str | None = None,
    below: float | None = None,
    walk_speed_kmh: float = defaults.WALK_SPEED_KMH,
    max_snap: float = defaults.MAX_SNAP_M,
    river: Any = None,
    crs: Any = None,
    progress: Callable[[str], None] | None = None,
) -> Accessibility:
    """Accessibility score of every population cell to the parks of one type.

    Parameters
    ----------
    parks : GeoDataFrame
        Park polygons (``park_type`` selects; ``park_id``/``name`` shown when present).
    population : GeoDataFrame
        Polygon cells with ``population`` (``cell_id`` when present).
    park_type : str, optional
        The type to score (default: every park given).
    method : ``"2sfca"``, ``"e2sfca"`` or ``"gravity"``
    distance, minutes : float
        The catchment: metres (straight line or along the network) or minutes (along the
        network; in straight-line mode a walk at `walk_speed_kmh`). Exactly one.
    mode : ``"euclidean"`` or ``"network"``
    network, scenario, river, max_snap, walk_speed_kmh
        As in :func:`ino_geo.coverage`.
    supply : str, optional
        Column of the parks holding the supply (numbers >= 0); default: the park's area in
        hectares, measured in the metric CRS.
    weights : sequence of float, optional
        ``e2sfca``: weights of equal rings of the catchment (default 1.0, 0.68, 0.22).
    decay, beta, min_cost
        ``gravity``: ``"power"`` (default; beta 1, min_cost T/20) or ``"exponential"`` (beta 3).
    boundaries, by
        Per-boundary rows for the boundaries of level `by` (``"municipality"``, ``"district"``).
    below : float, optional
        Score (per 1,000 people) under which people count as under-served (default: half the
        study area's population-weighted mean score).
    crs : optional
        Metric CRS (default: estimated from the parks; EPSG:32645 for Tomsk).

    Returns
    -------
    Accessibility
    """
    say = progress or (lambda msg: None)
    inp = access_inputs(parks, population, park_type=park_type, method=method, distance=distance, minutes=minutes,
                        supply=supply, crs=crs)
    say(f"costs from {len(inp.cells)} cells to {len(inp.pgeoms)} parks within {inp.limit:g} {inp.unit} ({mode})")
    pairs = cell_park_costs(inp.cells, inp.pgeoms, inp.limit, inp.unit, mode=mode, network=network, scenario=scenario,
                            river=river, walk_speed_kmh=walk_speed_kmh, max_snap=max_snap, crs=inp.crs, progress=say)
    return access_result(inp, pairs, population, method=method, weights=weights, decay=decay, beta=beta,
                         min_cost=min_cost, boundaries=boundaries, by=by, below=below, mode=mode, scenario=scenario,
                         supply=supply)


@dataclass
class AccessInputs:
    """The checked inputs of :func:`accessibility`, in the metric CRS: the catchment
    (`limit`, `unit`), the parks chosen with their geometries and supply, the cells with their
    people and ids."""

    crs: str
    limit: float
    unit: str
    parks: Any
    pgeoms: np.ndarray
    supply: np.ndarray
    cells: np.ndarray
    pop: np.ndarray
    cell_ids: np.ndarray


def access_inputs(parks, population, *, park_type: str | None, method: str, distance: float | None,
                  minutes: float | None, supply: str | None, crs: Any) -> AccessInputs:
    """The first step of :func:`accessibility`: check and project its inputs."""
    if method not in METHODS:
        raise UsageError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    limit, unit = _costs.check_limit(distance, minutes)
    crs = _metric_crs(parks, crs)
    chosen = _select_parks(parks, park_type)
    pgeoms = _costs.metric_geoms(chosen, crs, "parks", "park_id")
    sup = _supply(chosen, pgeoms, supply)
    cells, pop, cell_ids = read_cells(population, crs)
    return AccessInputs(crs, limit, unit, chosen, pgeoms, sup, cells, pop, cell_ids)


def access_result(inp: AccessInputs, pairs, population, *, method: str, weights, decay: str, beta, min_cost,
                  boundaries, by, below, mode: str, scenario: str, supply: str | None) -> Accessibility:
    """The last step of :func:`accessibility`: the two floating-catchment steps on the cost
    `pairs` (every cell to every park within the catchment) and the result tables."""
    from ino_geo.crs import STORAGE_CRS

    limit, unit, crs, pop = inp.limit, inp.unit, inp.crs, inp.pop
    w = catchment_weights(pairs.cost, limit, method, weights=weights, decay=decay, beta=beta, min_cost=min_cost)
    score, ratio, demand, reach = fca_scores(pop, inp.supply, pairs.row, pairs.col, w)
    score *= PER_PEOPLE
    zones = _zones.zones_for(inp.cells, boundaries, by, crs)
    mean_all = float((score * pop).sum() / pop.sum())
    below = 0.5 * mean_all if below is None else float(below)
    table = boundary_table(zones, score, pop, below)
    meta = {"crs": STORAGE_CRS, "metric_crs": crs, "method": method, "threshold": limit, "unit": unit, "mode": mode,
            "scenario": scenario if mode == "network" else None, "supply": supply or "area_ha", "below": below,
            "units": {"score": f"{supply or 'ha'} per 1,000 people", "population": "people", "cost_nearest": unit}}
    if method == "e2sfca":
        meta["weights"] = list(weights if weights is not None else E2SFCA_WEIGHTS)
    if method == "gravity":
        meta.update(decay=decay, beta=_BETA.get(decay) if beta is None else beta,
                    min_cost=(limit / 20.0 if min_cost is None else min_cost) if decay == "power" else None)
    table.attrs = meta
    cells_gdf = _cell_frame(inp.cells, inp.cell_ids, pop, score, reach, pairs, crs, meta, population)
    parks_gdf = _park_frame(inp.parks, inp.pgeoms, inp.supply, demand, ratio, crs, meta)
    import pandas as pd

    costs = pd.DataFrame({"cell": pairs.row, "park": pairs.col, "cost": pairs.cost})
    costs.attrs = {"unit": unit}
    return Accessibility(cells=cells_gdf, parks=parks_gdf, table=table, costs=costs)


def compare_accessibility(before: Accessibility, after: Accessibility, names=("existing", "planned")) -> "pd.DataFrame":
    """Per boundary, two results side by side (e.g. the network scenarios) and what changes.

    Columns: ``boundary_id, boundary_name, population``, then ``mean_score_<name>``,
    ``people_no_access_<name>``, ``people_below_<name>`` for both, ``mean_score_change`` and
    ``people_gaining_access`` (fewer people with no park within reach).
    """
    a, b = before.table, after.table
    out = a[["boundary_id", "boundary_name", "population"]].copy()
    for name, t in zip(names, (a, b)):
        for col in ("mean_score", "people_no_access", "people_below"):
            out[f"{col}_{name}"] = t[col].to_numpy()
    out["mean_score_change"] = b["mean_score"].to_numpy() - a["mean_score"].to_numpy()
    out["people_gaining_access"] = a["people_no_access"].to_numpy() - b["people_no_access"].to_numpy()
    out.attrs = dict(a.attrs, scenario=None, compared=list(names))
    return out


def _metric_crs(gdf, crs) -> str:
    from ino_geo.crs import is_projected, metric_crs_for

    if gdf is None:
        raise UsageError("parks: no layer given")
    if gdf.crs is None:
        raise DataError(f"{_costs.label(gdf, 'parks')}: the layer has no CRS")
    if crs is None:
        return str(metric_crs_for(gdf))
    if not is_projected(crs):
        raise UsageError(f"crs {crs}: not a projected metric CRS")
    return str(crs)


def _select_parks(parks, park_type):
    if park_type is None:
        chosen = parks
    else:
        if "park_type" not in parks.columns:
            raise DataError(f"{_costs.label(parks, 'parks')}: no park_type column to select {park_type!r}")
        chosen = parks[parks["park_type"].astype(object) == park_type]
    if not len(chosen):
        what = f"of type {park_type!r}" if park_type else "at all"
        raise DataError(f"{_costs.label(parks, 'parks')}: no park {what}")
    return chosen


def _supply(parks, geoms, column: str | None) -> np.ndarray:
    """Supply per park: its area in hectares (metric CRS), or the numbers of `column`."""
    import pandas as pd
    import shapely

    if column is None:
        return shapely.area(geoms) / 1e4
    name = _costs.label(parks, "parks")
    if column not in parks.columns:
        raise UsageError(f"--supply {column}: {name} has no column {column!r} (columns: {', '.join(map(str, parks.columns))})")
    v = pd.to_numeric(parks[column], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(v) | (v < 0))
    if len(bad):
        i = bad[0]
        pid = f" (park_id={parks['park_id'].iloc[i]})" if "park_id" in parks.columns else ""
        raise DataError(f"{name}: record {i}{pid} field {column}: {parks[column].iloc[i]!r} is not a number >= 0")
    return v


def read_cells(population, crs: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Checked population cells in `crs`: ``(geometries, population, cell_id)``; DataError on
    a missing column, a bad value or no people at all."""
    import pandas as pd
    import shapely

    if population is None:
        raise UsageError("population: no layer given (the population layer or --population PATH)")
    name = _costs.label(population, "population")
    if "population" not in population.columns:
        raise DataError(f"{name}: column 'population' is missing")
    if not len(population):
        raise DataError(f"{name}: the layer has no cells")
    geoms = _costs.metric_geoms(population, crs, "population", "cell_id")
    kinds = shapely.get_type_id(geoms)
    notpoly = np.flatnonzero(~np.isin(kinds, [3, 6]))
    if len(notpoly):
        raise DataError(f"{name}: record {notpoly[0]} field geometry: population cells must be polygons")
    pop = pd.to_numeric(population["population"], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(pop) | (pop < 0))
    if len(bad):
        i = bad[0]
        raise DataError(f"{name}: record {i} field population: {population['population'].iloc[i]!r} is not a number >= 0")
    if pop.sum() <= 0:
        raise DataError(f"{name}: the cells hold no people (population sums to 0)")
    ids = (population["cell_id"].astype(str).to_numpy() if "cell_id" in population.columns
           else np.arange(len(population)).astype(str))
    return geoms, pop, ids


def cell_park_costs(cells, places, limit: float, unit: str, *, mode: str = "euclidean", network: Any = None,
                    scenario: str = "existing", river: Any = None, walk_speed_kmh: float = defaults.WALK_SPEED_KMH,
                    max_snap: float = defaults.MAX_SNAP_M, crs: str, progress=None, router=None):
    """Sparse costs from each cell's demand point (centroid) to each place within `limit`."""
    c = _costs
    points = c.demand_points(cells)
    if mode not in defaults.MODES:
        raise UsageError(f"unknown mode {mode!r}; use one of {', '.join(defaults.MODES)}")
    if mode == "euclidean":
        per = 1.0 if unit == "m" else defaults.walk_m_per_min(walk_speed_kmh)
        return c.euclidean_pairs(points, places, limit * per, per_m=per, unit=unit)
    if router is None:
        router = c.Router(network, scenario, crs=crs, river=None if river is False else river, unit=unit,
                          walk_speed_kmh=walk_speed_kmh, max_snap=max_snap, progress=progress)
    return router.pairs(places, points, limit)


def boundary_table(zones, score: np.ndarray, pop: np.ndarray, below: float) -> "pd.DataFrame":
    """Per zone: people, population-weighted mean score, people below `below`, with no access, Gini."""
    import pandas as pd

    rows = []
    for z, (bid, bname) in enumerate(zip(zones.ids, zones.names)):
        sel = zones.zone == z
        ci, w = zones.cell[sel], zones.weight[sel] * pop[zones.cell[sel]]
        s = score[ci]
        tot = float(w.sum())
        under = float(w[s < below].sum())
        none = float(w[s <= 0].sum())
        rows.append({"boundary_id": bid, "boundary_name": bname, "population": tot,
                     "mean_score": float((s * w).sum() / tot) if tot > 0 else np.nan,
                     "people_below": under, "pct_below": 100.0 * under / tot if tot > 0 else np.nan,
                     "people_no_access": none, "pct_no_access": 100.0 * none / tot if tot > 0 else np.nan,
                     "gini": _zones.weighted_gini(s, w)})
    return pd.DataFrame(rows)


def _cell_frame(cells, ids, pop, score, reach, pairs, crs, meta, source=None):
    """Per-cell results in EPSG:4326 (the input geometries as they are when already in it)."""
    import geopandas as gpd
    import pandas as pd

    near = pairs.min_per_row()
    n_parks = np.bincount(pairs.row, minlength=len(cells))
    df = pd.DataFrame({"cell_id": ids, "population": pop, "score": score, "supply_reachable": reach,
                       "n_parks": n_parks, "cost_nearest": np.where(np.isfinite(near), near, np.nan)})
    if source is not None and source.crs is not None and source.crs.to_epsg() == 4326:
        out = gpd.GeoDataFrame(df, geometry=np.asarray(source.geometry.values, dtype=object), crs=meta["crs"])
    else:
        out = gpd.GeoDataFrame(df, geometry=np.asarray(cells, dtype=object), crs=crs).to_crs(meta["crs"])
    out.attrs = dict(meta)
    return out


def _park_frame(parks, geoms, sup, demand, ratio, crs, meta):
    import geopandas as gpd
    import pandas as pd

    ids = parks["park_id"].astype(str).to_numpy() if "park_id" in parks.columns else parks.index.astype(str).to_numpy()
    names = parks["name"].astype(str).to_numpy() if "name" in parks.columns else ids
    df = pd.DataFrame({"park_id": ids, "name": names, "supply": sup, "demand": demand,
                       "supply_per_1000": ratio * PER_PEOPLE})
    out = gpd.GeoDataFrame(df, geometry=np.asarray(geoms, dtype=object), crs=crs).to_crs(meta["crs"])
    out.attrs = dict(meta, units={"supply": meta["units"]["score"].split(" per")[0], "demand": "people"})
    return out
