"""Coverage: the area and the population within a distance or travel time of each park type.

For each park type and each threshold (metres, or minutes) the covered area is

* ``mode="euclidean"``: the parks buffered by the distance (straight line); a threshold in
  minutes is a straight-line walk at `walk_speed_kmh` (``minutes * walk metres per minute``);
* ``mode="network"``: the isochrone along the network (:func:`ino_geo.network.isochrone`):
  the park is reached from the network where it snaps (and at nodes inside it), travel is
  along corridors at their scenario speed (minutes) or length (metres), and the rest of the
  budget is walked, at most ``max_snap`` metres, never across the river.

The table reports, for the study area (the union of the boundaries; without boundaries the
union of the population cells) and per boundary of the level `by`, the covered area (km2, %)
and the covered population (people, %). Population is counted by the covered *share of each
cell's area* (a cell half covered counts half its people), never by its centroid; a cell that
straddles two boundaries is split between them by area first.

Examples
--------
>>> import geopandas as gpd
>>> from shapely import box
>>> parks = gpd.GeoDataFrame({"park_id": ["p"], "name": ["P"], "park_type": ["sport"]},
...                          geometry=[box(0, 0, 100, 100)], crs="EPSG:32645")
>>> cells = gpd.GeoDataFrame({"population": [100.0, 100.0]},
...                          geometry=[box(0, 0, 200, 100), box(200, 0, 400, 100)], crs="EPSG:32645")
>>> cov = coverage(parks, distances=[100], population=cells)
>>> cov.table[["park_type", "threshold", "population", "population_total"]].values.tolist()
[['sport', 100.0, 100.0, 200.0]]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from ino_geo._errors import DataError, UsageError
from ino_geo.network.graph import DEFAULT_DENSIFY_M, DEFAULT_MAX_SNAP_M, DEFAULT_WALK_SPEED_KMH

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

__all__ = ["Coverage", "coverage", "covered_shares", "PARK_TYPES", "MAX_DISTANCE_M", "MAX_MINUTES"]

PARK_TYPES = ("industrial", "innovation", "research_education", "historical_cultural", "medical", "sport")
MAX_DISTANCE_M = 500_000.0
_MIN_RADIUS_M = 1e-6  # smaller buffer radii are taken as 0 (see coverage)
MAX_MINUTES = 24 * 60.0
MODES = ("euclidean", "network")


@dataclass
class Coverage:
    """The result of :func:`coverage`.

    Attributes
    ----------
    table : DataFrame
        One row per park type, threshold and boundary (first the whole study area,
        ``boundary_id == "all"``): ``park_type, threshold, unit ('m'|'min'), boundary_id,
        boundary_name, n_parks, area_km2, area_total_km2, area_pct, population,
        population_total, population_pct``. ``.attrs`` holds ``crs``, ``metric_crs``,
        ``units``, ``mode``, ``scenario``.
    areas : GeoDataFrame
        The covered polygon per park type and threshold (clipped to the study area if there
        is one), EPSG:4326.
    gaps : GeoDataFrame
        The uncovered polygons of the study area per park type and threshold, EPSG:4326
        (empty without a study area).
    cells : GeoDataFrame or None
        The population cells once per park type and threshold: ``cell_id, park_type,
        threshold, unit, population, share, population_covered``, EPSG:4326.
    cell_minutes : DataFrame or None
        Network mode with population: minutes from each population fragment (cell part in
        a boundary, from its representative point) to the nearest park of each type; used by
        :func:`ino_geo.compare_scenarios`.
    """

    table: "pd.DataFrame"
    areas: "gpd.GeoDataFrame"
    gaps: "gpd.GeoDataFrame"
    cells: "gpd.GeoDataFrame | None" = None
    cell_minutes: "pd.DataFrame | None" = field(default=None, repr=False)


def check_thresholds(distances: Sequence[float], minutes: Sequence[float]) -> list[tuple[float, str]]:
    """Validate thresholds; return ``[(value, unit), ...]`` (UsageError on a bad one)."""
    out: list[tuple[float, str]] = []
    for values, unit, top, opt in ((distances, "m", MAX_DISTANCE_M, "distance"), (minutes, "min", MAX_MINUTES, "minutes")):
        for v in values or ():
            try:
                f = float(v)
            except (TypeError, ValueError):
                raise UsageError(f"--{opt} {v!r}: not a number") from None
            if not math.isfinite(f) or f < 0:
                raise UsageError(f"--{opt} {v}: must be a finite number >= 0")
            if f > top:
                raise UsageError(f"--{opt} {v}: larger than the allowed {top:g} {unit}")
            if (f, unit) not in out:
                out.append((f, unit))
    if not out:
        raise UsageError("give at least one threshold: --distance METRES or --minutes MIN")
    return out


def _check_mode(mode: str, river: Any = "unused") -> None:
    if mode not in MODES:
        raise UsageError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
    if mode == "network" and river is None:
        import warnings

        warnings.warn(
            "network mode without river=: walking legs to and from the network may cross a river "
            "(for the Tomsk layers pass river=layers.river; pass river=False where there is none)",
            UserWarning,
            stacklevel=3,
        )


def park_groups(parks: "gpd.GeoDataFrame", park_types: Sequence[str] | None, what: str = "parks") -> list[tuple[str, np.ndarray]]:
    """``[(park_type, row positions), ...]`` in the order asked (default: every type present)."""
    if "park_type" not in parks.columns:
        if park_types:
            raise UsageError(f"{what}: has no park_type column; --park-type cannot select")
        return [("all", np.arange(len(parks)))]
    pt = parks["park_type"].astype(object).to_numpy()
    if park_types:
        for t in park_types:
            if not isinstance(t, str):
                raise UsageError(f"park type {t!r} is not a string")
        types = list(dict.fromkeys(park_types))
    else:
        present = set(x for x in pt if isinstance(x, str))
        types = [t for t in PARK_TYPES if t in present] + sorted(present - set(PARK_TYPES))
    return [(t, np.flatnonzero(pt == t)) for t in types]


def barrier_geometry(river: Any, crs: Any):
    """The river as one shapely geometry in `crs` (None if not given)."""
    import geopandas as gpd
    import shapely

    if river is None:
        return None
    if isinstance(river, (gpd.GeoDataFrame, gpd.GeoSeries)):
        if river.crs is None:
            raise DataError("river: the layer has no CRS")
        g = river.to_crs(crs)
        geoms = np.asarray(g.geometry.values if isinstance(g, gpd.GeoDataFrame) else g.values)
        geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
        if not len(geoms):
            return None
        return shapely.make_valid(shapely.union_all(shapely.make_valid(geoms)))
    return river  # a shapely geometry, assumed in crs


_TYPE_NAMES = {0: "Point", 1: "LineString", 2: "LinearRing", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString",
               6: "MultiPolygon", 7: "GeometryCollection", -1: "missing geometry"}


def label(gdf: Any, what: str) -> str:
    """`what`, with the file it was read from when known (``gdf.attrs["source_file"]``)."""
    src = getattr(gdf, "attrs", {}).get("source_file") if gdf is not None else None
    return f"{what} {src}" if src else what


def _rid(gdf, i: int, id_col: str | None) -> str:
    return f" ({id_col}={gdf[id_col].iloc[i]})" if id_col and id_col in gdf.columns else ""


def check_geometries(gdf: "gpd.GeoDataFrame", what: str, id_col: str | None = None) -> None:
    """DataError naming the first record whose geometry is missing, empty or not finite."""
    import shapely

    name = label(gdf, what)
    if gdf.crs is None:
        raise DataError(f"{name}: the layer has no CRS")
    g = np.asarray(gdf.geometry.values, dtype=object)
    bad = np.flatnonzero(shapely.is_missing(g) | shapely.is_empty(g))
    if len(bad):
        i = bad[0]
        raise DataError(f"{name}: record {i}{_rid(gdf, i, id_col)} field geometry: missing or empty geometry")
    coords, idx = shapely.get_coordinates(g, return_index=True)
    nf = ~np.isfinite(coords).all(axis=1)
    if nf.any():
        i = int(idx[np.flatnonzero(nf)[0]])
        raise DataError(f"{name}: record {i}{_rid(gdf, i, id_col)} field geometry: non-finite (NaN/inf) coordinates")


def _metric_geoms(gdf: "gpd.GeoDataFrame", crs: Any, what: str, id_col: str | None = None) -> np.ndarray:
    import shapely

    check_geometries(gdf, what, id_col)
    name = label(gdf, what)
    g = np.asarray(gdf.to_crs(crs).geometry.values, dtype=object)
    if not np.isfinite(shapely.get_coordinates(g)).all():
        raise DataError(f"{name}: coordinates cannot be projected to {crs} (outside its area of use?)")
    invalid = np.flatnonzero(~shapely.is_valid(g))
    if len(invalid):
        i = invalid[0]
        rid = _rid(gdf, i, id_col)
        more = f" (and {len(invalid) - 1} more)" if len(invalid) > 1 else ""
        raise DataError(
            f"{name}: record {i}{rid} field geometry: invalid geometry ({shapely.is_valid_reason(g[i])}){more}; "
            "repair it explicitly (ino-geo layers validate --fix, or shapely.make_valid)"
        )
    return g


# --------------------------------------------------------------------------------------------
# the share of each geometry covered


def _split(geom, max_vertices: int = 256, max_depth: int = 20) -> list:
    """Cut a polygon into pieces of at most `max_vertices` vertices (quadtree halving)."""
    import shapely

    out = []
    stack = [(geom, 0)]
    while stack:
        g, depth = stack.pop()
        if g.is_empty:
            continue
        if shapely.get_num_coordinates(g) <= max_vertices or depth >= max_depth:
            out.append(g)
            continue
        x0, y0, x1, y1 = g.bounds
        if x1 - x0 >= y1 - y0:
            xm = (x0 + x1) / 2
            boxes = [shapely.box(x0, y0, xm, y1), shapely.box(xm, y0, x1, y1)]
        else:
            ym = (y0 + y1) / 2
            boxes = [shapely.box(x0, y0, x1, ym), shapely.box(x0, ym, x1, y1)]
        for b in boxes:
            part = shapely.intersection(g, b)
            part = shapely.get_parts(part)
            part = part[shapely.get_type_id(part) == 3]
            if len(part):
                stack.append((shapely.multipolygons(part) if len(part) > 1 else part[0], depth + 1))
    return out


def _probe_xy(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One vertex of each geometry (a point of it, for the inside/outside test)."""
    import shapely

    coords, idx = shapely.get_coordinates(geoms, return_index=True)
    x = np.full(len(geoms), np.nan)
    y = np.full(len(geoms), np.nan)
    if len(idx):
        first = np.ones(len(idx), dtype=bool)
        first[1:] = idx[1:] != idx[:-1]
        x[idx[first]] = coords[first, 0]
        y[idx[first]] = coords[first, 1]
    return x, y


def covered_shares(geoms: np.ndarray, covered: Any, *, tree: Any = None, probe: tuple | None = None) -> np.ndarray:
    """The share (0..1) of each polygon's area inside `covered`.

    Cells that do not touch the boundary of `covered` are entirely in or out: one
    point-in-polygon test each (``shapely.contains_xy`` on the prepared cover). Only cells
    crossing the boundary (found with one STRtree query of the boundary segments) get an
    exact intersection area, against small pieces of the cover.

    Parameters
    ----------
    geoms : array of Polygon/MultiPolygon
    covered : Polygon/MultiPolygon
    tree : STRtree over `geoms`, optional (reuse it across calls)
    probe : (x, y) arrays, optional
        One vertex of each geometry (reuse across calls).

    Examples
    --------
    >>> import numpy as np
    >>> from shapely import box
    >>> covered_shares(np.array([box(0, 0, 2, 2), box(5, 5, 6, 6), box(1, 0, 3, 1)]), box(0, 0, 2, 2)).tolist()
    [1.0, 0.0, 0.5]
    """
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    shares = np.zeros(n)
    if n == 0 or covered is None or shapely.is_empty(covered):
        return shares
    if tree is None:
        tree = shapely.STRtree(geoms)
    x, y = probe if probe is not None else _probe_xy(geoms)
    shapely.prepare(covered)
    bparts = shapely.get_parts(shapely.boundary(covered))
    coords, idx = shapely.get_coordinates(bparts, return_index=True)
    same = idx[1:] == idx[:-1]
    segs = shapely.linestrings(np.stack([coords[:-1][same], coords[1:][same]], axis=1)) if same.any() else np.zeros(0, object)
    partial = np.zeros(n, dtype=bool)
    if len(segs):
        partial[np.unique(tree.query(segs, predicate="intersects")[1])] = True
    area = shapely.area(geoms)
    partial &= area > 0
    rest = np.flatnonzero(~partial)
    if len(rest):
        shares[rest] = shapely.contains_xy(covered, x[rest], y[rest]).astype(float)
        # a probe vertex exactly on the cover's boundary: the cell touches it at that point only
    pidx = np.flatnonzero(partial)
    if len(pidx):
        pieces = np.asarray(_split(covered), dtype=object)
        ptree = shapely.STRtree(pieces)
        gi, pj = ptree.query(geoms[pidx], predicate="intersects")
        inter = shapely.area(shapely.intersection(geoms[pidx][gi], pieces[pj]))
        acc = np.bincount(gi, weights=inter, minlength=len(pidx))
        shares[pidx] = np.clip(acc / area[pidx], 0.0, 1.0)
    return shares


# --------------------------------------------------------------------------------------------


def coverage(
    parks: "gpd.GeoDataFrame",
    *,
    park_types: Sequence[str] | None = None,
    distances: Sequence[float] = (),
    minutes: Sequence[float] = (),
    mode: str = "euclidean",
    network: Any = None,
    scenario: str = "existing",
    boundaries: "gpd.GeoDataFrame | None" = None,
    by: str | None = None,
    population: "gpd.GeoDataFrame | None" = None,
    walk_speed_kmh: float = DEFAULT_WALK_SPEED_KMH,
    max_snap: float = DEFAULT_MAX_SNAP_M,
    crs: Any = None,
    river: Any = None,
    step: float = DEFAULT_DENSIFY_M,
    cells: bool = True,
    progress: Callable[[str], None] | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    client: Any = None,
) -> Coverage:
    """Area and population within each distance / travel time of each park type.

    Parameters
    ----------
    parks : GeoDataFrame
        Park polygons with ``park_type`` (any CRS with a definition).
    park_types : sequence of str, optional
        Types to analyse, in this order (default: every type present, in the catalogue order).
        A requested type with no park gives rows with nothing covered (``n_parks == 0``).
    distances : sequence of float
        Thresholds in metres (straight line, or along the network in network mode).
    minutes : sequence of float
        Thresholds in minutes (walking straight line in euclidean mode; travel time along the
        network in network mode).
    mode : ``"euclidean"`` or ``"network"``
    network : GeoDataFrame or Network, optional
        Network mode: the line layer to route on (the corridors layer, or a planner's street
        layer); the `scenario` selects its corridors (see :mod:`ino_geo.network.scenarios`).
    scenario : ``"existing"`` or ``"planned"``
    boundaries : GeoDataFrame, optional
        Boundaries (``boundary_id``, ``name``, ``level``); their union is the study area.
    by : str, optional
        A ``level`` value (``"municipality"``, ``"district"``): adds one row per boundary.
    population : GeoDataFrame, optional
        Polygon cells with a ``population`` column.
    walk_speed_kmh : float
        Walking speed for the walking legs (default 4.5 km/h).
    max_snap : float
        Longest walking leg to or from the network, metres.
    crs : optional
        Metric CRS (default: estimated from the parks; EPSG:32645 for Tomsk).
    river : GeoDataFrame or geometry, optional
        Barrier that walking legs never cross (network mode).
        In network mode without it a UserWarning says that walking legs may cross a river;
        pass ``river=False`` for data without one.
    step : float
        Isochrone resolution, metres.
    cells : bool
        Build :attr:`Coverage.cells` (one row per cell, park type and threshold).
    progress : callable, optional
        Called with progress messages.

    Returns
    -------
    Coverage
    """
    if engine != "local":  # the same analysis on a Dask cluster: ino_geo/engine
        from ino_geo.engine import dispatch
        return dispatch("coverage", **locals())
    import geopandas as gpd
    import pandas as pd
    import shapely

    from ino_geo.crs import STORAGE_CRS, is_projected, metric_crs_for

    _check_mode(mode, river)
    if river is False:
        river = None
    thresholds = check_thresholds(distances, minutes)
    if not (isinstance(walk_speed_kmh, (int, float)) and math.isfinite(walk_speed_kmh) and walk_speed_kmh > 0):
        raise UsageError(f"walking speed {walk_speed_kmh!r}: must be a positive number of km/h")
    if not (isinstance(max_snap, (int, float)) and math.isfinite(max_snap) and max_snap >= 0):
        raise UsageError(f"--max-snap {max_snap!r}: must be a finite number of metres >= 0")
    if parks is None:
        raise UsageError("parks: no layer given")
    check_geometries(parks, "parks", "park_id")
    say = progress or (lambda msg: None)
    if crs is None:
        crs = metric_crs_for(parks)
    elif not is_projected(crs):
        raise UsageError(f"crs {crs}: not a projected metric CRS")
    crs = str(crs)
    if len(parks) == 0 and not park_types:
        raise DataError("parks: the layer has no parks (name --park-type to get rows with nothing covered)")
    groups = park_groups(parks, park_types)
    pgeoms = _metric_geoms(parks, crs, "parks", "park_id") if len(parks) else np.zeros(0, object)

    # study area, zones
    zones = []  # (boundary_id, boundary_name, geometry)
    study = None
    if boundaries is not None and len(boundaries):
        bgeoms = _metric_geoms(boundaries, crs, "boundaries", "boundary_id")
        study = shapely.union_all(bgeoms)
        zones.append(("all", "study area", study))
        if by is not None:
            if "level" not in boundaries.columns:
                raise UsageError(f"--by {by}: the boundaries have no 'level' column")
            levels = boundaries["level"].astype(object).to_numpy()
            sel = np.flatnonzero(levels == by)
            if not len(sel):
                have = ", ".join(sorted(set(map(str, levels))))
                raise UsageError(f"--by {by}: no boundary has level {by!r} (levels: {have})")
            bid = boundaries["boundary_id"].astype(str).to_numpy() if "boundary_id" in boundaries.columns else boundaries.index.astype(str).to_numpy()
            bname = boundaries["name"].astype(str).to_numpy() if "name" in boundaries.columns else bid
            for i in sel:
                zones.append((bid[i], bname[i], bgeoms[i]))
    elif by is not None:
        raise UsageError(f"--by {by}: needs a boundaries layer")

    cell_geoms = None
    cell_pop = None
    cell_ids = None
    if population is not None:
        pname = label(population, "population")
        if "population" not in population.columns:
            raise DataError(f"{pname}: column 'population' is missing")
        kinds = shapely.get_type_id(np.asarray(population.geometry.values, dtype=object))
        notpoly = np.flatnonzero(~np.isin(kinds, [3, 6]) & (kinds >= 0))
        if len(notpoly):
            i = notpoly[0]
            raise DataError(f"{pname}: record {i}{_rid(population, i, 'cell_id')} field geometry: a {_TYPE_NAMES.get(int(kinds[i]), kinds[i])}; "
                            "population cells must be polygons")
        cell_geoms = _metric_geoms(population, crs, "population", "cell_id")
        pop = pd.to_numeric(population["population"], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(pop) | (pop < 0))
        if len(bad):
            i = bad[0]
            v = population["population"].iloc[i]
            shown = f"{float(v):g}" if isinstance(v, (int, float, np.number)) else repr(v)
            raise DataError(f"{pname}: record {i}{_rid(population, i, 'cell_id')} field population: "
                            f"{shown} is not a number >= 0")
        cell_pop = pop
        cell_ids = population["cell_id"].astype(str).to_numpy() if "cell_id" in population.columns else np.arange(len(population)).astype(str)
        if study is None:
            study = shapely.union_all(cell_geoms)
            zones.append(("all", "study area", study))

    # population fragments per zone: (zone, cell, weight, geometry)
    frag_zone = np.zeros(0, np.int64)
    frag_cell = np.zeros(0, np.int64)
    frag_w = np.zeros(0)
    frag_geom = np.zeros(0, object)
    if cell_geoms is not None and zones:
        say(f"splitting {len(cell_geoms)} population cells by {len(zones)} boundaries")
        ctree = shapely.STRtree(cell_geoms)
        carea = shapely.area(cell_geoms)
        fz, fc, fw, fg = [], [], [], []
        for zi, (_, _, zg) in enumerate(zones):
            shapely.prepare(zg)
            ci = ctree.query(zg, predicate="intersects")
            full = shapely.contains_properly(zg, cell_geoms[ci])
            geo = cell_geoms[ci].copy()
            w = np.ones(len(ci))
            part = np.flatnonzero(~full)
            if len(part):
                inter = shapely.intersection(cell_geoms[ci[part]], zg)
                geo[part] = inter
                w[part] = np.where(carea[ci[part]] > 0, shapely.area(inter) / np.where(carea[ci[part]] > 0, carea[ci[part]], 1), 0.0)
            keep = w > 0
            fz.append(np.full(keep.sum(), zi))
            fc.append(ci[keep])
            fw.append(np.clip(w[keep], 0, 1))
            fg.append(geo[keep])
        frag_zone, frag_cell, frag_w, frag_geom = map(np.concatenate, (fz, fc, fw, fg))
    frag_pop = cell_pop[frag_cell] * frag_w if cell_pop is not None else np.zeros(0)
    frag_tree = shapely.STRtree(frag_geom) if len(frag_geom) else None
    frag_probe = _probe_xy(frag_geom) if len(frag_geom) else None
    cell_tree = shapely.STRtree(cell_geoms) if (cells and cell_geoms is not None) else None
    cell_probe = _probe_xy(cell_geoms) if cell_tree is not None else None

    # network pieces
    net = barrier = None
    cell_minutes = []
    frag_snap = None
    if mode == "network":
        from ino_geo.network.graph import isochrone, nearest_costs, node_costs, snap
        from ino_geo.network.scenarios import prepare_network

        net, barrier = prepare_network(network, scenario, crs=crs, river=river, progress=say)
        if len(frag_geom):
            frag_snap = snap(net, shapely.point_on_surface(frag_geom), max_snap=max_snap, barrier=barrier, entries=False)

    rows = []
    area_rows = []
    gap_rows = []
    cell_frames = []
    zone_area = [shapely.area(z[2]) / 1e6 for z in zones]
    zone_pop_total = [float(frag_pop[frag_zone == zi].sum()) if cell_pop is not None else np.nan for zi in range(len(zones))]
    mpm = walk_speed_kmh * 1000.0 / 60.0
    for ptype, idx in groups:
        geoms = pgeoms[idx]
        psnap = None
        node_cost = {}
        if mode == "network" and len(geoms):
            psnap = snap(net, geoms, max_snap=max_snap, barrier=barrier)
            if frag_snap is not None:
                nc = node_costs(net, psnap, unit="min", walk_speed_kmh=walk_speed_kmh)
                node_cost["min"] = nc
                fm = nearest_costs(net, psnap, frag_snap, unit="min", walk_speed_kmh=walk_speed_kmh, node_cost=nc)
                fm = np.minimum(fm, _direct_walk_minutes(shapely.point_on_surface(frag_geom), geoms, max_snap, barrier, mpm))
                cell_minutes.append(
                    pd.DataFrame(
                        {
                            "park_type": ptype,
                            "fragment": np.arange(len(frag_geom)),
                            "boundary_id": [zones[z][0] for z in frag_zone],
                            "population": frag_pop,
                            "minutes": fm,
                        }
                    )
                )
        for value, unit in thresholds:
            say(f"{ptype}: {value:g} {unit}")
            if not len(geoms):
                cover = shapely.Polygon()
            elif mode == "euclidean":
                radius = value if unit == "m" else value * mpm
                # below a micrometre GEOS loses thin polygons (a 1e-12 m buffer at UTM coordinates
                # comes back empty), so such radii count as 0: the parks themselves
                cover = (shapely.union_all(shapely.buffer(geoms, radius, quad_segs=16)) if radius > _MIN_RADIUS_M
                         else shapely.union_all(geoms))
            else:
                if unit not in node_cost:  # once per unit, up to the largest threshold in it
                    top = max(v for v, u in thresholds if u == unit)
                    node_cost[unit] = node_costs(net, psnap, unit=unit, walk_speed_kmh=walk_speed_kmh, limit=top)
                cover = isochrone(
                    net, node_cost[unit], value, unit=unit, walk_speed_kmh=walk_speed_kmh, max_snap=max_snap,
                    places=psnap, place_geoms=geoms, barrier=barrier, step=step,
                )
            cover = shapely.make_valid(cover) if not shapely.is_valid(cover) else cover
            inside = shapely.intersection(cover, study) if study is not None else cover
            area_rows.append({"park_type": ptype, "threshold": value, "unit": unit, "area_km2": shapely.area(inside) / 1e6, "geometry": inside})
            if study is not None:
                gap_rows.append({"park_type": ptype, "threshold": value, "unit": unit, "area_km2": None, "geometry": shapely.difference(study, cover)})
            fshare = covered_shares(frag_geom, cover, tree=frag_tree, probe=frag_probe) if len(frag_geom) else np.zeros(0)
            fcov = frag_pop * fshare if cell_pop is not None else np.zeros(0)
            for zi, (bid, bname, zg) in enumerate(zones):
                a = shapely.area(shapely.intersection(cover, zg)) / 1e6 if not shapely.is_empty(cover) else 0.0
                tot = zone_area[zi]
                ptot = zone_pop_total[zi]
                pc = float(fcov[frag_zone == zi].sum()) if cell_pop is not None else np.nan
                rows.append(
                    {
                        "park_type": ptype, "threshold": value, "unit": unit, "boundary_id": bid, "boundary_name": bname,
                        "n_parks": len(idx), "area_km2": a, "area_total_km2": tot,
                        "area_pct": 100.0 * a / tot if tot > 0 else np.nan,
                        "population": pc, "population_total": ptot,
                        "population_pct": 100.0 * pc / ptot if (cell_pop is not None and ptot > 0) else np.nan,
                    }
                )
            if not zones:
                a = shapely.area(cover) / 1e6
                rows.append(
                    {"park_type": ptype, "threshold": value, "unit": unit, "boundary_id": "all", "boundary_name": "all",
                     "n_parks": len(idx), "area_km2": a, "area_total_km2": np.nan, "area_pct": np.nan,
                     "population": np.nan, "population_total": np.nan, "population_pct": np.nan}
                )
            if cell_tree is not None:
                share = covered_shares(cell_geoms, cover, tree=cell_tree, probe=cell_probe)
                cell_frames.append(
                    pd.DataFrame({"cell_id": cell_ids, "park_type": ptype, "threshold": value, "unit": unit,
                                  "population": cell_pop, "share": share, "population_covered": cell_pop * share,
                                  "geometry": cell_geoms})
                )

    units = {"threshold": "m or min (see unit)", "area_km2": "km2", "area_total_km2": "km2", "area_pct": "%",
             "population": "people", "population_total": "people", "population_pct": "%"}
    meta = {"crs": STORAGE_CRS, "metric_crs": crs, "units": units, "mode": mode,
            "scenario": scenario if mode == "network" else None, "walk_speed_kmh": walk_speed_kmh,
            "max_snap_m": max_snap if mode == "network" else None}
    cols = ["park_type", "threshold", "unit", "boundary_id", "boundary_name", "n_parks", "area_km2", "area_total_km2",
            "area_pct", "population", "population_total", "population_pct"]
    table = pd.DataFrame(rows, columns=cols)
    table.attrs = meta
    gcols = ["park_type", "threshold", "unit", "area_km2", "geometry"]
    areas = gpd.GeoDataFrame(pd.DataFrame(area_rows, columns=gcols), geometry="geometry", crs=crs).to_crs(STORAGE_CRS)
    gaps = gpd.GeoDataFrame(pd.DataFrame(gap_rows, columns=gcols), geometry="geometry", crs=crs)
    if len(gaps):
        gaps["area_km2"] = gaps.geometry.area / 1e6
    gaps = gaps.to_crs(STORAGE_CRS)
    for g in (areas, gaps):
        g.attrs = dict(meta, units={"area_km2": "km2"})
    cells_gdf = None
    if cell_tree is not None:
        ccols = ["cell_id", "park_type", "threshold", "unit", "population", "share", "population_covered", "geometry"]
        cdf = pd.concat(cell_frames, ignore_index=True) if cell_frames else pd.DataFrame(columns=ccols)
        cells_gdf = gpd.GeoDataFrame(cdf, geometry="geometry", crs=crs).to_crs(STORAGE_CRS)
        cells_gdf.attrs = dict(meta, units={"population": "people", "share": "0..1", "population_covered": "people"})
    cm = pd.concat(cell_minutes, ignore_index=True) if cell_minutes else None
    return Coverage(table=table, areas=areas, gaps=gaps, cells=cells_gdf, cell_minutes=cm)


def _direct_walk_minutes(points: np.ndarray, parks: np.ndarray, max_snap: float, barrier: Any, m_per_min: float) -> np.ndarray:
    """Minutes of the straight walk from each point to the nearest park within max_snap (not across the river)."""
    import shapely

    from ino_geo.network.graph import crosses_barrier

    out = np.full(len(points), np.inf)
    if not len(points) or not len(parks):
        return out
    tree = shapely.STRtree(parks)
    pi, gi = tree.query(points, predicate="dwithin", distance=max_snap)
    if not len(pi):
        return out
    lines = shapely.shortest_line(points[pi], parks[gi])
    d = shapely.length(lines)
    ok = (d == 0) | ~crosses_barrier(lines, barrier)
    np.minimum.at(out, pi[ok], d[ok] / m_per_min)
    return out
