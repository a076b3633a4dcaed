"""Coverage on the Dask engine (see :mod:`ino_geo.engine.dask_engine`).

The table is assembled from two parts, as in :func:`ino_geo.coverage`:

* the area part (covered area per park type, threshold and boundary, the covered and gap
  polygons) does not depend on the population cells: it is computed once, on the client, by
  the local engine's steps (:func:`~ino_geo.analysis.coverage.reach_areas` counted by
  :func:`~ino_geo.analysis.coverage.area_tables`; without boundaries the study area, the
  union of the cells, is the one boundary, computed as the union of the partitions' unions);
* the population part is a sum over cells: each partition splits its cells by the zones and
  takes :func:`ino_geo.covered_shares` of every covered polygon (computed once on the client
  by the local engine's own step, :func:`ino_geo.analysis.coverage.reach_areas`, and
  broadcast to the workers); the cells are split by the zones of
  :func:`~ino_geo.analysis.coverage.study_zones` with
  :func:`~ino_geo.analysis.coverage.zone_fragments`; the client adds the sums.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ino_geo._errors import DataError, UsageError
from ino_geo.engine.dask_cluster import _POS, _output_folder, open_client, partitions, run_partitions, write_part

__all__ = ["coverage"]

_CELL_COLUMNS = ["cell_id", "park_type", "threshold", "unit", "population", "share", "population_covered", "geometry"]


def coverage(parks, *, population=None, boundaries=None, by=None, cells: Any = True, crs=None, mode="euclidean",
             network=None, scenario="existing", river=None, park_types=None, distances=(), minutes=(),
             walk_speed_kmh=None, max_snap=None, step=None, progress=None, engine="dask", scheduler=None, client=None,
             **other):
    """:func:`ino_geo.coverage` with the population part computed partition by partition.

    `population` may be a GeoDataFrame (spatially shuffled into partitions) or a lazy
    dask-geopandas frame (e.g. :func:`~ino_geo.engine.dask_engine.read_partitioned`).
    `cells`: False, True (the per-cell rows gathered in memory, in the local engine's order),
    or a folder path: the rows written there as partitioned GeoParquet, and
    ``Coverage.cells`` is then a lazy dask-geopandas frame reading them.
    ``Coverage.cell_minutes`` (used by scenario comparison) is not computed (None). Cells
    without a ``cell_id`` column are named by their input position (a partitioned input:
    partition number * 2**32 + row).
    """
    from ino_geo.analysis.coverage import coverage as local_coverage
    from ino_geo.analysis.coverage import area_tables, reach_areas, study_zones
    from ino_geo.network._naming import label

    overwrite = bool(other.pop("overwrite", False))  # a `cells` folder that exists is replaced
    kw = {k: v for k, v in dict(walk_speed_kmh=walk_speed_kmh, max_snap=max_snap, step=step).items() if v is not None}
    common = dict(park_types=park_types, distances=distances, minutes=minutes, mode=mode, network=network,
                  scenario=scenario, river=river, progress=progress, **kw, **other)
    if population is None:
        return local_coverage(parks, boundaries=boundaries, by=by, population=None, cells=cells, crs=crs, **common)
    say = progress or (lambda msg: None)
    pname = label(population, "population") if hasattr(population, "attrs") else "population"
    if "population" not in population.columns:
        raise DataError(f"{pname}: column 'population' is missing")
    if by is not None and (boundaries is None or not len(boundaries)):
        raise UsageError(f"--by {by}: needs a boundaries layer")
    cells_dir = None if isinstance(cells, bool) else str(cells)
    with open_client(scheduler, client, progress=say) as c:
        parts = partitions(population, c)
        metric = _crs(parks, crs)
        if boundaries is None or not len(boundaries):
            say("dask: study area = union of the population cells")
            boundaries = _study_frame(c, parts, metric, pname)
        zones, study = study_zones(boundaries, by, metric)
        say("dask: covered polygons (once, on the client)")
        covers = reach_areas(parks, crs=metric, **common)
        base = area_tables(covers, zones, study, metric, mode=mode, scenario=scenario,
                           **{k: v for k, v in kw.items() if k != "step"})
        shared = dict(crs=metric, zones=zones, covers=covers, pname=pname, cells=bool(cells), cells_dir=None)
        say(f"dask: population part on {len(parts)} partitions")
        if cells_dir is not None:
            with _output_folder(cells_dir, overwrite) as tmp:
                shared["cells_dir"] = tmp
                results = run_partitions(c, parts, _population_part, shared)
        else:
            results = run_partitions(c, parts, _population_part, shared)
    return _assemble(base, covers, zones, results, cells, cells_dir)


def _crs(parks, crs) -> str:
    """The metric CRS the local engine chooses (`crs`, else from the parks)."""
    from ino_geo.analysis._inputs import metric_crs

    if parks is None:
        raise UsageError("parks: no layer given")
    return metric_crs(crs, parks)


def _study_frame(client, parts, crs: str, pname: str):
    """The union of the cells (the study area without boundaries) as a one-row GeoDataFrame."""
    import geopandas as gpd
    import shapely

    unions = run_partitions(client, parts, _union_part, dict(crs=crs, pname=pname))
    study = shapely.union_all(np.asarray([u for u in unions if u is not None], dtype=object))
    return gpd.GeoDataFrame({"boundary_id": ["all"], "name": ["study area"]}, geometry=[study], crs=crs)


def _union_part(part, shared, i):
    import shapely

    s = shared.value
    geoms = _cell_geoms(part, s["crs"], s["pname"])
    return shapely.union_all(geoms) if len(geoms) else None


# ------------------------------------------------------------------------ on the workers


def _cell_geoms(part, crs: str, pname: str) -> np.ndarray:
    """The partition's cells in the metric CRS, checked as the local engine checks them
    (records named by their input position)."""
    import shapely

    pos = part[_POS].to_numpy()
    rid = (lambda j: f" (cell_id={part['cell_id'].iloc[j]})") if "cell_id" in part.columns else (lambda j: "")
    if part.crs is None:
        raise DataError(f"{pname}: the layer has no CRS")
    g = np.asarray(part.geometry.values, dtype=object)
    bad = np.flatnonzero(shapely.is_missing(g) | shapely.is_empty(g))
    if len(bad):
        raise DataError(f"{pname}: record {pos[bad[0]]}{rid(bad[0])} field geometry: missing or empty geometry")
    kinds = shapely.get_type_id(g)
    notpoly = np.flatnonzero(~np.isin(kinds, [3, 6]))
    if len(notpoly):
        j = notpoly[0]
        raise DataError(f"{pname}: record {pos[j]}{rid(j)} field geometry: a {g[j].geom_type}; "
                        "population cells must be polygons")
    m = np.asarray(part.geometry.to_crs(crs).values, dtype=object)
    coords, idx = shapely.get_coordinates(m, return_index=True)
    nf = ~np.isfinite(coords).all(axis=1)
    if nf.any():
        j = int(idx[np.flatnonzero(nf)[0]])
        raise DataError(f"{pname}: record {pos[j]}{rid(j)} field geometry: non-finite coordinates (in {crs})")
    invalid = np.flatnonzero(~shapely.is_valid(m))
    if len(invalid):
        j = invalid[0]
        raise DataError(f"{pname}: record {pos[j]}{rid(j)} field geometry: invalid geometry "
                        f"({shapely.is_valid_reason(m[j])}); repair it explicitly (ino-geo layers validate --fix)")
    return m


def _population(part, pname: str) -> np.ndarray:
    import pandas as pd

    pop = pd.to_numeric(part["population"], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(pop) | (pop < 0))
    if len(bad):
        j = bad[0]
        rid = f" (cell_id={part['cell_id'].iloc[j]})" if "cell_id" in part.columns else ""
        raise DataError(f"{pname}: record {part[_POS].iloc[j]}{rid} field population: "
                        f"{part['population'].iloc[j]!r} is not a number >= 0")
    return pop


def _population_part(part, shared, i: int) -> dict:
    """Covered population per cover and zone of one partition (and its cell rows)."""
    import resource

    import shapely

    from ino_geo.analysis.coverage import zone_fragments
    from ino_geo.analysis.shares import covered_shares

    s = shared.value
    nz = len(s["zones"])
    out = {"covered": np.zeros((len(s["covers"]), nz)), "total": np.zeros(nz), "n": len(part), "cells": None}
    if len(part):
        geoms = _cell_geoms(part, s["crs"], s["pname"])
        pop = _population(part, s["pname"])
        fzone, fcell, fw, fgeom = zone_fragments(geoms, s["zones"])
        fpop = pop[fcell] * fw
        out["total"] = np.bincount(fzone, weights=fpop, minlength=nz)
        ftree = shapely.STRtree(fgeom) if len(fgeom) else None
        fprobe = _probe(fgeom)
        ctree = shapely.STRtree(geoms) if s["cells"] else None
        cprobe = _probe(geoms) if s["cells"] else None
        frames = []
        for k, (ptype, _, value, unit, cover) in enumerate(s["covers"]):
            if len(fgeom):
                share = covered_shares(fgeom, cover, tree=ftree, probe=fprobe)
                out["covered"][k] = np.bincount(fzone, weights=fpop * share, minlength=nz)
            if s["cells"]:
                frames.append(_cell_rows(part, geoms, pop, covered_shares(geoms, cover, tree=ctree, probe=cprobe),
                                         ptype, value, unit, k, s["crs"]))
        if frames:
            out["cells"] = _concat_cells(frames)
    if s["cells_dir"] and out["cells"] is not None:
        write_part(out["cells"].drop(columns=["_k", _POS]), s["cells_dir"], i)
        out["cells"] = None
    out["maxrss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return out


def _probe(geoms: np.ndarray):
    from ino_geo.analysis.shares import probe_points

    return probe_points(geoms) if len(geoms) else None


def _cell_rows(part, geoms, pop, share, ptype, value, unit, k, crs):
    import geopandas as gpd
    import pandas as pd

    ids = part["cell_id"].astype(str).to_numpy() if "cell_id" in part.columns else part[_POS].astype(str).to_numpy()
    df = pd.DataFrame({"cell_id": ids, "park_type": ptype, "threshold": value, "unit": unit, "population": pop,
                       "share": share, "population_covered": pop * share, "_k": k, _POS: part[_POS].to_numpy()})
    if part.crs is not None and part.crs.equals("EPSG:4326"):  # the layer's own cells, as the local engine gives them
        return gpd.GeoDataFrame(df, geometry=np.asarray(part.geometry.values, dtype=object).copy(), crs="EPSG:4326")
    return gpd.GeoDataFrame(df, geometry=geoms, crs=crs).to_crs("EPSG:4326")


def _concat_cells(frames):
    import geopandas as gpd
    import pandas as pd

    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=frames[0].crs)


# ------------------------------------------------------------------------ on the client


def _assemble(base, covers, zones, results, cells, cells_dir):
    """The local engine's area table with the population columns filled from the partition sums."""
    import geopandas as gpd
    import pandas as pd

    covered = sum(r["covered"] for r in results)
    total = sum(r["total"] for r in results)
    table = base.table.copy()
    key = {(p, float(v), u, z[0]): (k, zi) for k, (p, _, v, u, _) in enumerate(covers) for zi, z in enumerate(zones)}
    pc = np.empty(len(table))
    pt = np.empty(len(table))
    for row, (p, v, u, b) in enumerate(zip(table["park_type"], table["threshold"], table["unit"], table["boundary_id"])):
        k, zi = key[(p, float(v), u, b)]
        pc[row], pt[row] = covered[k, zi], total[zi]
    table["population"] = pc
    table["population_total"] = pt
    table["population_pct"] = np.where(pt > 0, 100.0 * pc / np.where(pt > 0, pt, 1.0), np.nan)
    table.attrs = dict(base.table.attrs)
    cells_gdf = None
    meta = dict(base.table.attrs, units={"population": "people", "share": "0..1", "population_covered": "people"})
    if cells_dir is not None:
        import dask_geopandas

        cells_gdf = dask_geopandas.read_parquet(str(cells_dir).rstrip("/"))
    elif cells:
        frames = [r["cells"] for r in results if r["cells"] is not None]
        if frames:
            cdf = _concat_cells(frames).sort_values(["_k", _POS], kind="stable").drop(columns=["_k", _POS])
            cells_gdf = gpd.GeoDataFrame(cdf.reset_index(drop=True), geometry="geometry", crs="EPSG:4326")
        else:
            cells_gdf = gpd.GeoDataFrame(pd.DataFrame(columns=_CELL_COLUMNS), geometry="geometry", crs="EPSG:4326")
        cells_gdf.attrs = meta
    base.table = table
    base.cells = cells_gdf
    base.cell_minutes = None
    table.attrs["engine"] = "dask"
    table.attrs["partitions"] = len(results)
    table.attrs["worker_peak_rss_mib"] = max((r["maxrss_mib"] for r in results), default=None)
    return base
