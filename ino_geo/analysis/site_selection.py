"""Site selection: where the next parks of one type should go.

The existing parks of the type are kept; ``new`` sites are chosen among candidates (default:
the centroids of the population cells; or points / polygons such as vacant plots) under a
standard: a distance in metres (straight line or along the network) or minutes (along the
network; straight-line mode walks at the walking speed).

Objectives (the standard discrete models, people counted at each cell's centroid, as spopt):

* ``max-coverage`` (MCLP, Church & ReVelle 1974): the most people newly within the standard;
* ``min-sites`` (LSCP, Toregas et al. 1971): the fewest new sites bringing everyone within the
  standard, or with ``target`` a share (e.g. 0.9) of all people;
* ``p-median`` (Hakimi 1964): the least population-weighted cost to the nearest park (existing
  or new). Costs are capped at the standard: a person farther than the standard from every
  park counts at the standard, so only pairs within it are built (with a standard larger than
  every distance this is the classic p-median).

Solving: exact MILP with HiGHS under ``time_limit`` (the gap is reported when it hits), for
models up to :data:`ino_geo.defaults.SITE_EXACT_MAX_PAIRS` nonzeros after reduction
(demand cells already covered are dropped, cells reached by the same candidates merged,
candidates reaching the same cells merged); beyond, the lazy greedy with its (1 - 1/e) bound.
The answer also reports the area-weighted coverage (``ino_geo.coverage``, people counted by the
covered share of each cell) of the existing parks and of the existing plus the new sites.

Examples
--------
>>> import geopandas as gpd
>>> from shapely import box
>>> cells = gpd.GeoDataFrame({"population": [10.0, 20.0, 30.0]}, crs="EPSG:32645",
...                          geometry=[box(0, 0, 10, 10), box(100, 0, 110, 10), box(200, 0, 210, 10)])
>>> parks = gpd.GeoDataFrame({"park_type": ["sport"]}, geometry=[box(-90, 0, -80, 10)], crs="EPSG:32645")
>>> res = site_selection(parks, cells, park_type="medical", new=1, distance=100, area_coverage=False)
>>> res.sites["site_id"].tolist(), res.summary["value"], res.summary["how"]   # the middle cell reaches all
(['1'], 60.0, 'exact')
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from ino_geo import defaults
from ino_geo._errors import DataError, UsageError
from ino_geo.analysis import _costs, _optimize, _zones
from ino_geo.analysis.accessibility import _metric_crs, cell_park_costs, read_cells

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

__all__ = ["SiteSelection", "site_selection", "OBJECTIVES"]

OBJECTIVES = ("max-coverage", "min-sites", "p-median")
SOLVERS = ("auto", "exact", "greedy")


@dataclass
class SiteSelection:
    """The result of :func:`site_selection`.

    Attributes
    ----------
    sites : GeoDataFrame
        The chosen sites, EPSG:4326: ``site_id, name, rank, people_within`` (people not
        covered before within the standard of the site), ``geometry`` (the candidate's point
        or polygon).
    table : DataFrame
        Study area and each boundary of level `by`: ``population, covered_before,
        covered_after, pct_before, pct_after, newly_covered`` (people at cell centroids) and
        ``area_covered_before, area_covered_after`` (people by covered share of cell area, as
        ``ino_geo.coverage``); p-median adds ``mean_cost_before, mean_cost_after``.
    summary : dict
        ``objective, how`` (exact / time-limit / greedy), ``gap, value, bound, note, seconds,
        n_sites, n_candidates, n_demand, pairs``, the standard and its unit.
    newly_covered : GeoDataFrame
        The area within the standard of the new sites and of no existing park, clipped to the
        study area (the union of the boundaries, else of the cells) as ``ino_geo.coverage``
        clips, EPSG:4326 (None with ``area_coverage=False``).
    """

    sites: "gpd.GeoDataFrame"
    table: "pd.DataFrame"
    summary: dict
    newly_covered: "gpd.GeoDataFrame | None" = field(default=None)


def site_selection(
    parks: "gpd.GeoDataFrame",
    population: "gpd.GeoDataFrame",
    *,
    park_type: str,
    new: int | None = None,
    objective: str = "max-coverage",
    distance: float | None = None,
    minutes: float | None = None,
    mode: str = "euclidean",
    network: Any = None,
    scenario: str = "existing",
    candidates: "gpd.GeoDataFrame | None" = None,
    target: float | None = None,
    time_limit: float = defaults.SITE_TIME_LIMIT_S,
    solver: str = "auto",
    boundaries: "gpd.GeoDataFrame | None" = None,
    by: str | None = None,
    area_coverage: bool = True,
    walk_speed_kmh: float = defaults.WALK_SPEED_KMH,
    max_snap: float = defaults.MAX_SNAP_M,
    river: Any = None,
    crs: Any = None,
    progress: Callable[[str], None] | None = None,
) -> SiteSelection:
    """Choose new sites for parks of `park_type`.

    Parameters
    ----------
    parks : GeoDataFrame
        The parks; those of `park_type` are kept as existing.
    population : GeoDataFrame
        Population cells (``population``); demand at each cell's centroid.
    park_type : str
    new : int
        Sites to choose (max-coverage, p-median); for min-sites an optional upper limit.
    objective : ``"max-coverage"``, ``"min-sites"`` or ``"p-median"``
    distance, minutes : float
        The standard (exactly one).
    candidates : GeoDataFrame, optional
        Candidate points or polygons (``site_id``/``candidate_id``/``id`` and ``name`` shown
        when present); default: the population cell centroids.
    target : float, optional
        min-sites: the share of all people (0..1] to bring within the standard (default 1).
    time_limit : float
        Seconds for the exact solve; when hit, the best solution with its gap.
    solver : ``"auto"``, ``"exact"`` or ``"greedy"``
        ``auto``: exact up to ``defaults.SITE_EXACT_MAX_PAIRS`` nonzeros, else greedy.
    boundaries, by
        Per-boundary rows.
    area_coverage : bool
        Also run ``ino_geo.coverage`` before/after (area-weighted people, newly covered area).

    Returns
    -------
    SiteSelection
    """
    import time

    t0 = time.perf_counter()
    say = progress or (lambda msg: None)
    new = _check_args(objective, new, target, time_limit, solver)
    limit, unit = _costs.check_limit(distance, minutes)
    crs = _metric_crs(parks, crs)
    existing = _existing(parks, park_type)
    egeoms = _costs.metric_geoms(existing, crs, "parks", "park_id") if len(existing) else np.zeros(0, object)
    cells, pop, cell_ids = read_cells(population, crs)
    cand, cgeoms = _candidates(candidates, cells, cell_ids, crs)
    if new is not None and new > len(cgeoms):
        raise UsageError(f"--new {new}: more sites than the {len(cgeoms)} candidates")
    router = None
    if mode == "network":
        router = _costs.Router(network, scenario, crs=crs, river=None if river is False else river, unit=unit,
                               walk_speed_kmh=walk_speed_kmh, max_snap=max_snap, progress=say)
    cost_kw = dict(mode=mode, walk_speed_kmh=walk_speed_kmh, crs=crs, router=router)
    say(f"costs: {len(cells)} demand cells x {len(cgeoms)} candidates within {limit:g} {unit} ({mode})")
    pairs = cell_park_costs(cells, cgeoms, limit, unit, **cost_kw)
    base = (cell_park_costs(cells, egeoms, limit, unit, **cost_kw).min_per_row() if len(egeoms)
            else np.full(len(cells), np.inf))
    say(f"{objective}: {len(pairs)} pairs within the standard")
    sol, cover_new, meta = _solve(objective, pop, pairs, base, limit, unit, new, target, time_limit, solver)
    chosen = sol.chosen
    covered_before = np.isfinite(base)
    covered_after = covered_before.copy()
    covered_after[cover_new] = True
    zones = _zones.zones_for(cells, boundaries, by, crs)
    table = _table(zones, pop, covered_before, covered_after, objective, pairs, base, chosen, limit)
    summary = dict(objective=objective, how=sol.how, gap=sol.gap, value=sol.value, bound=sol.bound, note=sol.note,
                   solve_seconds=sol.seconds, n_sites=int(len(chosen)), n_existing=int(len(egeoms)),
                   n_candidates=int(len(cgeoms)), n_demand=int((pop > 0).sum()), pairs=int(len(pairs)),
                   threshold=limit, unit=unit, mode=mode, park_type=park_type, **meta)
    sites = _site_frame(cand, cgeoms, chosen, pairs, pop, covered_before, crs)
    newly = None
    if area_coverage:
        say("area-weighted coverage before and after (ino_geo.coverage)")
        newly = _area_coverage(table, existing, sites, park_type, population, boundaries, by, limit, unit, mode,
                               network, scenario, river, walk_speed_kmh, max_snap, crs)
    summary["seconds"] = time.perf_counter() - t0
    from ino_geo.crs import STORAGE_CRS

    table.attrs = {"crs": STORAGE_CRS, "metric_crs": crs, "units": {"population": "people", "threshold": unit},
                   **{k: v for k, v in summary.items() if k != "note"}, "note": sol.note}
    sites.attrs = dict(table.attrs)
    return SiteSelection(sites=sites, table=table, summary=summary, newly_covered=newly)


def _check_args(objective, new, target, time_limit, solver) -> int | None:
    if objective not in OBJECTIVES:
        raise UsageError(f"unknown objective {objective!r}; use one of {', '.join(OBJECTIVES)}")
    if solver not in SOLVERS:
        raise UsageError(f"unknown solver {solver!r}; use one of {', '.join(SOLVERS)}")
    if new is not None:
        if isinstance(new, bool) or not isinstance(new, (int, np.integer)) or new < 1:
            raise UsageError(f"--new {new!r}: must be a whole number >= 1")
        new = int(new)
    elif objective != "min-sites":
        raise UsageError(f"--new N is needed for {objective}")
    if target is not None:
        if objective != "min-sites":
            raise UsageError("--target only applies to --objective min-sites")
        if not (isinstance(target, (int, float)) and 0 < target <= 1):
            raise UsageError(f"--target {target!r}: must be a share in (0, 1]")
    if not (isinstance(time_limit, (int, float)) and math.isfinite(time_limit) and time_limit > 0):
        raise UsageError(f"--time-limit {time_limit!r}: must be a positive number of seconds")
    return new


def _existing(parks, park_type):
    if not isinstance(park_type, str):
        raise UsageError("give the park type to place (--park-type T)")
    if "park_type" not in parks.columns:
        raise DataError(f"{_costs.label(parks, 'parks')}: no park_type column")
    return parks[parks["park_type"].astype(object) == park_type]


def _candidates(candidates, cells, cell_ids, crs):
    """Candidate frame (ids, names) and metric geometries; default: the cell centroids."""
    import pandas as pd
    import shapely

    if candidates is None:
        pts = _costs.demand_points(cells)
        return pd.DataFrame({"site_id": cell_ids, "name": [f"cell {c}" for c in cell_ids]}), pts
    name = _costs.label(candidates, "candidates")
    if not len(candidates):
        raise DataError(f"{name}: the layer has no candidates")
    geoms = _costs.metric_geoms(candidates, crs, "candidates")
    kinds = shapely.get_type_id(geoms)
    bad = np.flatnonzero(~np.isin(kinds, [0, 3, 4, 6]))
    if len(bad):
        raise DataError(f"{name}: record {bad[0]} field geometry: candidates must be points or polygons")
    col = next((c for c in ("site_id", "candidate_id", "id") if c in candidates.columns), None)
    ids = candidates[col].astype(str).to_numpy() if col else np.arange(len(candidates)).astype(str)
    names = candidates["name"].astype(str).to_numpy() if "name" in candidates.columns else ids
    return pd.DataFrame({"site_id": ids, "name": names}), geoms


def _solve(objective, pop, pairs, base, limit, unit, new, target, time_limit, solver):
    """Reduce, solve, and return (solution over candidate columns, demand rows newly covered, meta)."""
    from scipy.sparse import csr_matrix

    n, m = pairs.n_rows, pairs.n_cols
    uncovered = ~np.isfinite(base) & (pop > 0)
    meta: dict = {}
    if objective == "p-median":
        b = np.minimum(base, limit)
        keep = (pairs.cost < b[pairs.row]) & (pop[pairs.row] > 0)
        v = pop[pairs.row[keep]] * (b[pairs.row[keep]] - pairs.cost[keep])
        if not len(v):
            raise DataError("no candidate is closer than the existing parks to anyone within the standard: "
                            "nothing to improve")
        V = csr_matrix((v, (pairs.row[keep], pairs.col[keep])), shape=(n, m))
        sol = _max(V, new, time_limit, solver, covering=False)
        meta["baseline_cost"] = float((pop * b).sum())
        meta["cost_after"] = meta["baseline_cost"] - sol.value
    else:
        if not uncovered.any():
            raise DataError(f"everyone is already within {limit:g} {unit} of an existing park: nothing to cover")
        keep = uncovered[pairs.row]
        if not keep.any() and objective == "max-coverage":
            raise DataError(f"no candidate lies within the standard ({limit:g} {unit}) of anyone not yet covered")
        rows, cols = pairs.row[keep], pairs.col[keep]
        B = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, m))
        if objective == "max-coverage":
            V = B.multiply(pop[:, None]).tocsr()
            sol = _max(V, new, time_limit, solver, covering=True)
        else:
            sol, meta = _cover(B, pop, uncovered, base, target, new, time_limit, solver)
    chosen = sol.chosen
    newly = np.zeros(n, dtype=bool)
    sel = np.isin(pairs.col, chosen)
    newly[pairs.row[sel]] = True
    return sol, newly, meta


def _reduce(V, covering: bool):
    """Rows with the same (columns, values) pattern merged; empty rows and columns and duplicate
    columns dropped. Returns (reduced matrix, column map to the original columns)."""
    import pandas as pd
    from scipy.sparse import csr_matrix

    V = V.tocsr()
    V.eliminate_zeros()
    cols_used = np.flatnonzero(np.diff(V.tocsc().indptr) > 0)
    V = V[:, cols_used].tocsc()
    # duplicate columns (same rows and values): keep the first
    keys = [V.indices[V.indptr[j]:V.indptr[j + 1]].tobytes() + V.data[V.indptr[j]:V.indptr[j + 1]].tobytes()
            for j in range(V.shape[1])]
    first = ~pd.Series(keys).duplicated().to_numpy()
    V = V[:, np.flatnonzero(first)].tocsr()
    colmap = cols_used[first]
    if covering:  # rows with the same column set: one row with the summed weight
        w = V.max(axis=1).toarray().ravel()
        live = np.flatnonzero(np.diff(V.indptr) > 0)
        rkeys = pd.Series([V.indices[V.indptr[i]:V.indptr[i + 1]].tobytes() for i in live])
        codes, uniq = pd.factorize(rkeys)
        wsum = np.bincount(codes, weights=w[live])
        firsts = live[np.unique(codes, return_index=True)[1]]
        R = V[firsts]
        R = csr_matrix((np.ones(R.nnz), R.indices, R.indptr), shape=R.shape).multiply(wsum[:, None]).tocsr()
        return R, colmap
    return V[np.flatnonzero(np.diff(V.indptr) > 0)], colmap


def _max(V, new, time_limit, solver, covering):
    R, colmap = _reduce(V, covering)
    p = min(new, R.shape[1])
    if solver == "greedy" or (solver == "auto" and R.nnz > defaults.SITE_EXACT_MAX_PAIRS):
        sol = _optimize.greedy_max(R, p)
    else:
        sol = _optimize.solve_max(R, p, time_limit=time_limit, covering=covering)
    sol.chosen = colmap[sol.chosen]
    if p < new:
        sol.note += f"; only {p} distinct candidates improve anything, so {p} sites are chosen, not {new}"
    return sol


def _cover(B, pop, uncovered, base, target, new, time_limit, solver):
    total = float(pop.sum())
    before = float(pop[np.isfinite(base)].sum())
    share = 1.0 if target is None else float(target)
    need = share * total - before
    reach = np.zeros(len(pop), dtype=bool)
    reach[B.tocoo().row] = True
    reachable = before + float(pop[reach].sum())
    meta = {"target": share}
    if need <= 1e-9:
        sol = _optimize.Solution(np.zeros(0, np.int64), 0.0, 0.0, 0.0, "exact",
                                 f"the existing parks already reach {100 * before / total:.1f} % of the people")
        return sol, meta
    if share >= 1.0 and not reach[uncovered].all():
        left = uncovered & ~reach
        raise DataError(f"min-sites infeasible: {pop[left].sum():.0f} people in {int(left.sum())} cells have no "
                        f"candidate within the standard; at most {100 * reachable / total:.2f} % can be reached "
                        "(give --target SHARE)")
    if need > reachable - before + 1e-6:
        raise DataError(f"min-sites infeasible: --target {share:g} needs {100 * share:.2f} % of the people, at most "
                        f"{100 * reachable / total:.2f} % can be reached within the standard")
    rows = np.flatnonzero(reach)
    A = B[rows]
    w = pop[rows] if share < 1.0 else np.ones(len(rows))
    need_r = need if share < 1.0 else float(len(rows))
    if solver == "greedy" or (solver == "auto" and A.nnz > defaults.SITE_EXACT_MAX_PAIRS):
        sol = _optimize.greedy_cover(A, w, need_r)
    else:
        sol = _optimize.solve_cover(A, w, need_r, time_limit=time_limit)
    if new is not None and len(sol.chosen) > new:
        raise DataError(f"min-sites: reaching {100 * share:g} % of the people needs {len(sol.chosen)} new sites, "
                        f"more than --new {new}")
    return sol, meta


def _table(zones, pop, before, after, objective, pairs, base, chosen, limit):
    import pandas as pd

    tot = zones.sums(pop)
    cb = zones.sums(pop * before)
    ca = zones.sums(pop * after)
    df = pd.DataFrame({"boundary_id": zones.ids, "boundary_name": zones.names, "population": tot,
                       "covered_before": cb, "covered_after": ca,
                       "pct_before": np.where(tot > 0, 100 * cb / np.where(tot > 0, tot, 1), np.nan),
                       "pct_after": np.where(tot > 0, 100 * ca / np.where(tot > 0, tot, 1), np.nan),
                       "newly_covered": ca - cb})
    if objective == "p-median":
        b = np.minimum(base, limit)
        sel = np.isin(pairs.col, chosen)
        a = b.copy()
        np.minimum.at(a, pairs.row[sel], pairs.cost[sel])
        df["mean_cost_before"] = zones.sums(pop * b) / np.where(tot > 0, tot, np.nan)
        df["mean_cost_after"] = zones.sums(pop * a) / np.where(tot > 0, tot, np.nan)
    return df


def _site_frame(cand, cgeoms, chosen, pairs, pop, before, crs):
    import geopandas as gpd

    from ino_geo.crs import STORAGE_CRS

    within = np.bincount(pairs.col, weights=pop[pairs.row] * ~before[pairs.row], minlength=pairs.n_cols)
    df = cand.iloc[chosen].reset_index(drop=True)
    df["rank"] = np.arange(1, len(chosen) + 1)
    df["people_within"] = within[chosen]
    return gpd.GeoDataFrame(df, geometry=np.asarray(cgeoms, dtype=object)[chosen], crs=crs).to_crs(STORAGE_CRS)


def _area_coverage(table, existing, sites, park_type, population, boundaries, by, limit, unit, mode, network, scenario,
                   river, walk_speed_kmh, max_snap, crs):
    """Area-weighted people covered (ino_geo.coverage) before and after; the newly covered area."""
    import geopandas as gpd
    import pandas as pd
    import shapely

    from ino_geo.analysis.coverage import coverage

    def as_parks(gdf, id_col):
        ids = gdf[id_col].astype(str).to_numpy() if id_col in gdf.columns else gdf.index.astype(str).to_numpy()
        names = gdf["name"].astype(str).to_numpy() if "name" in gdf.columns else ids
        return gpd.GeoDataFrame({"park_id": ids, "name": names, "park_type": park_type},
                                geometry=gdf.to_crs(sites.crs).geometry.values, crs=sites.crs)

    after_parks = gpd.GeoDataFrame(pd.concat([as_parks(existing, "park_id"), as_parks(sites, "site_id")],
                                             ignore_index=True), geometry="geometry", crs=sites.crs)
    kw = dict(park_types=[park_type], boundaries=boundaries, by=by, population=population, mode=mode,
              walk_speed_kmh=walk_speed_kmh, max_snap=max_snap, crs=crs, cells=False)
    kw["distances" if unit == "m" else "minutes"] = [limit]
    if mode == "network":
        kw.update(network=network, scenario=scenario, river=river if river is not None else False)
    res = [coverage(p, **kw) for p in (existing, after_parks)]
    for col, r in (("area_covered_before", res[0]), ("area_covered_after", res[1])):
        t = r.table.set_index("boundary_id")["population"]
        table[col] = table["boundary_id"].map(t).to_numpy(dtype=float)
    a0 = res[0].areas.to_crs(crs).geometry
    a1 = res[1].areas.to_crs(crs).geometry
    g0 = shapely.union_all(a0.values) if len(a0) else shapely.Polygon()
    g1 = shapely.union_all(a1.values) if len(a1) else shapely.Polygon()
    diff = shapely.difference(g1, g0)
    out = gpd.GeoDataFrame({"park_type": [park_type], "threshold": [limit], "unit": [unit],
                            "area_km2": [shapely.area(diff) / 1e6]}, geometry=[diff], crs=crs).to_crs("EPSG:4326")
    return out
