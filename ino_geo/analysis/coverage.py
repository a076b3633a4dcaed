"""Coverage: the area and the population within a distance or travel time of each park type.

For each park type and each threshold (metres, or minutes) the covered area is

* ``mode="euclidean"``: the parks buffered by the distance (straight line); a threshold in
  minutes is a straight-line walk at `walk_speed_kmh` (``minutes * walk metres per minute``);
* ``mode="network"``: the isochrone along the network (:func:`ino_geo.network.isochrones.isochrone`):
  the park is reached from the network where it snaps (and at nodes inside it), travel is
  along corridors at their scenario speed (minutes) or length (metres), and the rest of the
  budget is walked, at most ``max_snap`` metres, never across the river. A threshold in
  minutes follows the quickest routes, one in metres the shortest routes along the network.
  ``direction="to"`` (the default) covers the places from which a park is reached within the
  threshold (the population travels to the park; one-way streets are driven their way),
  ``"from"`` the places reached from a park.

The table reports, for the study area (the union of the boundaries; without boundaries the
union of the population cells) and per boundary of the level `by`, the covered area (km2, %)
and the covered population (people, %). Population is counted by the covered *share of each
cell's area* (a cell half covered counts half its people), never by its centroid; a cell that
straddles two boundaries is split between them by area first (:func:`covered_population`).

:func:`coverage` reads as its steps: check and project the inputs (:mod:`._inputs`), the study
area and its zones (:func:`study_zones`), the cells split by zone (:mod:`._coverage_cells`), the
reach area per park type and threshold (:class:`_Reach`; alone: :func:`reach_areas`), the covered
population and area per zone and the result tables (:class:`_Tally`). The covered share of
each cell is computed once per reach area and serves the cell rows and every zone's sums.

Examples
--------
>>> LOCAL = "+proj=tmerc +lon_0=87 +datum=WGS84 +units=m"  # planar at (0, 0): scale 1
>>> import geopandas as gpd
>>> from shapely import box
>>> parks = gpd.GeoDataFrame({"park_id": ["p"], "name": ["P"], "park_type": ["green"]},
...                          geometry=[box(0, 0, 100, 100)], crs=LOCAL)
>>> cells = gpd.GeoDataFrame({"population": [100.0, 100.0]},
...                          geometry=[box(0, 0, 200, 100), box(200, 0, 400, 100)], crs=LOCAL)
>>> cov = coverage(parks, distances=[100], population=cells)
>>> cov.table[["park_type", "threshold", "population", "population_total"]].values.tolist()
[['green', 100.0, 100.0, 200.0]]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from ino_geo import defaults
from ino_geo._errors import DataError, UsageError
from ino_geo.analysis._coverage_cells import Population as _Population
from ino_geo.analysis._coverage_cells import cell_rows, cells_frame, cover_shares, covered_population, zone_fragments
from ino_geo.analysis._coverage_cells import population_cells as _population
from ino_geo.analysis._inputs import (as_progress, boundary_rows, check_geometries, check_mode, check_routing_options,
                                      check_step, check_thresholds, metric_crs, metric_geoms, park_groups)
from ino_geo.crs import STORAGE_CRS

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

__all__ = ["Coverage", "coverage", "covered_population", "reach_areas", "area_tables", "study_zones", "zone_fragments"]


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
    walk_speed_kmh: float = defaults.WALK_SPEED_KMH,
    max_snap: float = defaults.MAX_SNAP_M,
    crs: Any = None,
    river: Any = None,
    step: float = defaults.DENSIFY_M,
    cells: bool = True,
    progress: Callable[[str], None] | None = None,
    direction: str = "to", cost: str | None = None,
) -> Coverage:
    """Area and population within each distance / travel time of each park type.

    Parameters
    ----------
    parks : GeoDataFrame
        Park polygons with ``park_type`` (any CRS with a definition).
    park_types : sequence of str, optional
        Types to analyse, in this order (default: every type present, in the catalogue order);
        a requested type with no park gives rows with nothing covered (``n_parks == 0``).
    distances, minutes : sequence of float
        Thresholds in metres and in minutes: straight line (minutes walked at `walk_speed_kmh`)
        in euclidean mode, along the network (travel time) in network mode.
    mode : ``"euclidean"`` or ``"network"``
    network : GeoDataFrame or Network, optional
        Network mode: the line layer to route on (corridors, or a planner's street layer);
        `scenario` (``"existing"`` or ``"planned"``) selects its corridors
        (see :mod:`ino_geo.network.scenarios`).
    boundaries : GeoDataFrame, optional
        Boundaries (``boundary_id``, ``name``, ``level``); their union is the study area;
        `by` (a ``level`` value: ``"municipality"``, ``"district"``) adds one row per boundary.
    population : GeoDataFrame, optional
        Polygon cells with a ``population`` column.
    walk_speed_kmh, max_snap : float
        Walking speed for the walking legs (km/h); longest walking leg to or from the network (m).
    crs : optional
        Metric CRS (default: estimated from the parks; EPSG:32645 for Tomsk).
    river : GeoDataFrame or geometry, optional
        Barrier that walking legs never cross (network mode; without it a UserWarning says that
        walking legs may cross a river; pass ``river=False`` for data without one).
    step : float
        Isochrone resolution, metres.
    cells : bool
        Build :attr:`Coverage.cells` (one row per cell, park type and threshold).
    progress : callable, optional
    direction, cost : str, optional
        Network mode: ``"to"`` the park (default) or ``"from"`` it; ``"time"`` / ``"distance"``:
        quickest / shortest routes, thresholds in minutes / metres only (None: either).

    Returns
    -------
    Coverage
    """
    river = check_mode(mode, river)
    thresholds = check_thresholds(distances, minutes)
    check_routing_options(walk_speed_kmh, max_snap, direction, cost, mode, thresholds)
    crs, groups, pgeoms = _projected_parks(parks, park_types, crs)
    check_step(step)
    say = as_progress(progress)
    zones, study = study_zones(boundaries, by, crs)
    pop = _population(population, crs, zones, cells, say, grid=mode == "euclidean")
    reach = _Reach(mode, thresholds, walk_speed_kmh, max_snap, step, direction)
    if mode == "network":
        reach.prepare(network, scenario, crs, river, pop, say)
    tally = _Tally(zones, study if study is not None else pop.study, pop)
    for ptype, n_parks, value, unit, cover in _reach_steps(reach, groups, pgeoms, zones, say):
        tally.add(ptype, n_parks, value, unit, cover)
    return tally.result(crs, _run_attrs(mode, scenario, walk_speed_kmh, max_snap, direction, cost), reach.cell_minutes)


def reach_areas(
    parks: "gpd.GeoDataFrame",
    *,
    park_types: Sequence[str] | None = None,
    distances: Sequence[float] = (),
    minutes: Sequence[float] = (),
    mode: str = "euclidean",
    network: Any = None,
    scenario: str = "existing",
    walk_speed_kmh: float = defaults.WALK_SPEED_KMH,
    max_snap: float = defaults.MAX_SNAP_M,
    crs: Any = None,
    river: Any = None,
    step: float = defaults.DENSIFY_M,
    progress: Callable[[str], None] | None = None,
    direction: str = "to",
    cost: str | None = None,
) -> list[tuple[str, int, float, str, Any]]:
    """The reach area of each park type and threshold, the step of :func:`coverage` that does
    not depend on the population: ``[(park_type, n_parks, threshold, unit, polygon), ...]`` in
    the table's order, polygons valid and in the metric CRS (`crs`, else estimated from the
    parks). :func:`area_tables` counts them as :func:`coverage` does without population.

    The parameters are those of :func:`coverage`; the polygons are the ones it counts (not
    clipped to the study area). Engines that split the population cells into partitions
    (:mod:`ino_geo.engine`) compute them once and count each partition's cells against them.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box
    >>> LOCAL = "+proj=tmerc +lon_0=87 +datum=WGS84 +units=m"  # planar at (0, 0): scale 1
    >>> parks = gpd.GeoDataFrame({"park_type": ["green"]}, geometry=[box(0, 0, 100, 100)], crs=LOCAL)
    >>> [(t, n, v, u, round(a.area)) for t, n, v, u, a in reach_areas(parks, distances=[0])]
    [('green', 1, 0.0, 'm', 10000)]
    """
    river = check_mode(mode, river)
    thresholds = check_thresholds(distances, minutes)
    check_routing_options(walk_speed_kmh, max_snap, direction, cost, mode, thresholds)
    crs, groups, pgeoms = _projected_parks(parks, park_types, crs)
    say = progress or (lambda msg: None)
    reach = _Reach(mode, thresholds, walk_speed_kmh, max_snap, step, direction)
    if mode == "network":
        reach.prepare(network, scenario, crs, river, _Population(), say)
    return list(_reach_steps(reach, groups, pgeoms, [], say))


def area_tables(reach: list, zones: list, study: Any, crs: str, *, mode: str = "euclidean",
                scenario: str = "existing", walk_speed_kmh: float = defaults.WALK_SPEED_KMH,
                max_snap: float = defaults.MAX_SNAP_M, direction: str = "to", cost: str | None = None) -> Coverage:
    """:func:`coverage` without population, from its steps: the reach areas
    (:func:`reach_areas`) counted per zone (:func:`study_zones`): the table (population
    columns NaN), the covered areas and the gaps; no cells."""
    tally = _Tally(zones, study, _Population())
    for ptype, n_parks, value, unit, cover in reach:
        tally.add(ptype, n_parks, value, unit, cover)
    return tally.result(crs, _run_attrs(mode, scenario, walk_speed_kmh, max_snap, direction, cost), None)


def _reach_steps(reach: "_Reach", groups: list, pgeoms: np.ndarray, zones: list, say):
    """``(park_type, n_parks, threshold, unit, reach polygon)`` per park type and threshold."""
    for ptype, idx in groups:
        reach.set_places(ptype, pgeoms[idx], zones)
        for value, unit in reach.thresholds:
            say(f"{ptype}: {value:g} {unit}")
            yield ptype, len(idx), value, unit, reach.area(pgeoms[idx], value, unit)




def _run_attrs(mode: str, scenario: str, walk_speed_kmh: float, max_snap: float, direction: str, cost) -> dict:
    """The settings of the run, for ``.attrs`` (the network ones None in euclidean mode)."""
    net = mode == "network"
    return dict(mode=mode, scenario=scenario if net else None, walk_speed_kmh=walk_speed_kmh,
                max_snap_m=max_snap if net else None, direction=direction if net else None, cost=cost if net else None)


def _projected_parks(parks: "gpd.GeoDataFrame", park_types: Sequence[str] | None, crs: Any):
    """The metric CRS, the park groups and the parks' geometries in it (checked)."""
    if parks is None:
        raise UsageError("parks: no layer given")
    check_geometries(parks, "parks", "park_id")
    crs = metric_crs(crs, parks)
    if len(parks) == 0 and not park_types:
        raise DataError("parks: the layer has no parks (name --park-type to get rows with nothing covered)")
    groups = park_groups(parks, park_types)
    return crs, groups, metric_geoms(parks, crs, "parks", "park_id") if len(parks) else np.zeros(0, object)


# --------------------------------------------------------------------------------------------
# the study area and the population


def study_zones(boundaries: "gpd.GeoDataFrame | None", by: str | None, crs: str) -> tuple[list, Any]:
    """``[(boundary_id, boundary_name, geometry), ...]`` (first the whole study area, then the
    boundaries of level `by`) and the study area (union of the boundaries; None without)."""
    import shapely

    if boundaries is None or not len(boundaries):
        if by is not None:
            raise UsageError(f"--by {by}: needs a boundaries layer")
        return [], None
    bgeoms = metric_geoms(boundaries, crs, "boundaries", "boundary_id")
    study = shapely.union_all(bgeoms)
    zones = [("all", "study area", study)]
    if by is None:
        return zones, study
    sel = boundary_rows(boundaries, by)
    has_id = "boundary_id" in boundaries.columns
    bid = (boundaries["boundary_id"] if has_id else boundaries.index).astype(str).to_numpy()
    bname = boundaries["name"].astype(str).to_numpy() if "name" in boundaries.columns else bid
    zones.extend((bid[i], bname[i], bgeoms[i]) for i in sel)
    return zones, study


# --------------------------------------------------------------------------------------------
# the reach areas


class _Reach:
    """The area within each threshold of the parks of one type: a buffer (euclidean mode) or
    an isochrone along the network; in network mode with population, also the minutes from
    each population fragment to the nearest park of each type (:attr:`cell_minutes`)."""

    def __init__(self, mode: str, thresholds: list, walk_speed_kmh: float, max_snap: float, step: float,
                 direction: str = "to"):
        self.mode, self.thresholds, self.step, self.direction = mode, thresholds, step, direction
        self.walk_speed_kmh, self.max_snap = walk_speed_kmh, max_snap
        self.net = self.barrier = self.psnap = self.pop = self.frag_snap = self.frag_points = None
        self.node_cost: dict = {}
        self.minutes: list = []

    def prepare(self, network: Any, scenario: str, crs: str, river: Any, pop: _Population, say) -> None:
        """Network mode: the scenario's network, the river, and the fragments snapped to it."""
        import shapely

        from ino_geo.network.scenarios import prepare_network
        from ino_geo.network.snapping import snap

        self.net, self.barrier = prepare_network(network, scenario, crs=crs, river=river, progress=say)
        self.pop = pop
        if len(pop.frag_geom):
            self.frag_points = shapely.point_on_surface(pop.frag_geom)
            self.frag_snap = snap(self.net, self.frag_points, max_snap=self.max_snap, barrier=self.barrier,
                                  entries=False)

    def set_places(self, ptype: str, geoms: np.ndarray, zones: list) -> None:
        """Network mode: snap the parks of `ptype`; with population, their minutes from each fragment."""
        import pandas as pd

        from ino_geo.network.routing import nearest_costs, node_costs
        from ino_geo.network.snapping import snap
        from ino_geo.network.walking import nearest_walk_minutes

        self.psnap, self.node_cost = None, {}
        if self.mode != "network" or not len(geoms):
            return
        speed = self.walk_speed_kmh
        self.psnap = snap(self.net, geoms, max_snap=self.max_snap, barrier=self.barrier)
        if self.frag_snap is None:
            return
        way = self.direction
        nc = self.node_cost["min"] = node_costs(self.net, self.psnap, unit="min", walk_speed_kmh=speed, direction=way)
        fm = nearest_costs(self.net, self.psnap, self.frag_snap, unit="min", walk_speed_kmh=speed, node_cost=nc,
                           direction=way)
        fm = np.minimum(fm, nearest_walk_minutes(self.frag_points, geoms, self.max_snap, self.barrier, speed))
        pop = self.pop
        self.minutes.append(pd.DataFrame({
            "park_type": ptype, "fragment": np.arange(len(pop.frag_geom)),
            "boundary_id": [zones[z][0] for z in pop.frag_zone], "population": pop.frag_people, "minutes": fm,
        }))

    def area(self, geoms: np.ndarray, value: float, unit: str) -> Any:
        """The (valid) area within `value` `unit` of the places `geoms` (in the metric CRS)."""
        import shapely

        if not len(geoms):
            cover = shapely.Polygon()
        elif self.mode == "euclidean":
            radius = value if unit == "m" else value * defaults.walk_m_per_min(self.walk_speed_kmh)
            # below a micrometre GEOS loses thin polygons (a 1e-12 m buffer at UTM coordinates
            # comes back empty), so such radii count as 0: the parks themselves
            cover = (shapely.union_all(shapely.buffer(geoms, radius, quad_segs=16)) if radius > defaults.MIN_RADIUS_M
                     else shapely.union_all(geoms))
        else:
            cover = self._isochrone(geoms, value, unit)
        return shapely.make_valid(cover) if not shapely.is_valid(cover) else cover

    def _isochrone(self, geoms: np.ndarray, value: float, unit: str) -> Any:
        from ino_geo.network.isochrones import isochrone
        from ino_geo.network.routing import node_costs

        if unit not in self.node_cost:  # once per unit, up to the largest threshold in it
            top = max(v for v, u in self.thresholds if u == unit)
            self.node_cost[unit] = node_costs(self.net, self.psnap, unit=unit, walk_speed_kmh=self.walk_speed_kmh,
                                              limit=top, direction=self.direction)
        return isochrone(self.net, self.node_cost[unit], value, unit=unit, walk_speed_kmh=self.walk_speed_kmh,
                         max_snap=self.max_snap, places=self.psnap, place_geoms=geoms, barrier=self.barrier,
                         step=self.step, direction=self.direction)

    @property
    def cell_minutes(self) -> "pd.DataFrame | None":
        import pandas as pd

        return pd.concat(self.minutes, ignore_index=True) if self.minutes else None


# --------------------------------------------------------------------------------------------
# counting and the result tables

_COLUMNS = ["park_type", "threshold", "unit", "boundary_id", "boundary_name", "n_parks", "area_km2", "area_total_km2",
            "area_pct", "population", "population_total", "population_pct"]
_AREA_COLUMNS = ["park_type", "threshold", "unit", "area_km2", "geometry"]
_CELL_COLUMNS = ["cell_id", "park_type", "threshold", "unit", "population", "share", "population_covered", "geometry"]
_UNITS = {"threshold": "m or min (see unit)", "area_km2": "km2", "area_total_km2": "km2", "area_pct": "%",
          "population": "people", "population_total": "people", "population_pct": "%"}


class _Tally:
    """The covered area and population per zone of each reach area, and the result tables."""

    def __init__(self, zones: list, study: Any, pop: _Population):
        import shapely

        self.zones, self.study, self.pop = zones, study, pop
        self.zone_area = [shapely.area(z[2]) / 1e6 for z in zones]
        has_people = pop.people is not None
        self.zone_people = [float(pop.frag_people[pop.frag_zone == zi].sum()) if has_people else np.nan
                            for zi in range(len(zones))]
        self.rows: list = []
        self.areas: list = []
        self.gaps: list = []
        self.cells: list = []

    def add(self, ptype: str, n_parks: int, value: float, unit: str, cover: Any) -> None:
        """Count one reach area: its area and population per zone, its gaps, its cells."""
        import shapely

        key = {"park_type": ptype, "threshold": value, "unit": unit}
        inside = shapely.intersection(cover, self.study) if self.study is not None else cover
        self.areas.append({**key, "area_km2": shapely.area(inside) / 1e6, "geometry": inside})
        if self.study is not None:
            self.gaps.append({**key, "area_km2": None, "geometry": shapely.difference(self.study, cover)})
        has_people = self.pop.people is not None
        cell_share, frag_share = cover_shares(self.pop, cover)
        fcov = self.pop.frag_people * frag_share if has_people else np.zeros(0)
        for zi, (bid, bname, zg) in enumerate(self.zones):
            a = shapely.area(shapely.intersection(cover, zg)) / 1e6 if not shapely.is_empty(cover) else 0.0
            tot, ptot = self.zone_area[zi], self.zone_people[zi]
            pc = float(fcov[self.pop.frag_zone == zi].sum()) if has_people else np.nan
            self.rows.append({
                **key, "boundary_id": bid, "boundary_name": bname, "n_parks": n_parks, "area_km2": a,
                "area_total_km2": tot, "area_pct": 100.0 * a / tot if tot > 0 else np.nan,
                "population": pc, "population_total": ptot,
                "population_pct": 100.0 * pc / ptot if (has_people and ptot > 0) else np.nan,
            })
        if not self.zones:
            self.rows.append({
                **key, "boundary_id": "all", "boundary_name": "all", "n_parks": n_parks,
                "area_km2": shapely.area(cover) / 1e6, "area_total_km2": np.nan, "area_pct": np.nan,
                "population": np.nan, "population_total": np.nan, "population_pct": np.nan,
            })
        if self.pop.keep_cells:
            self.cells.append(cell_rows(self.pop, key, cell_share))

    def result(self, crs: str, run: dict, cell_minutes: "pd.DataFrame | None") -> Coverage:
        """The :class:`Coverage` tables, in EPSG:4326, with their CRS and units in ``.attrs``."""
        import geopandas as gpd
        import pandas as pd

        meta = {"crs": STORAGE_CRS, "metric_crs": crs, "units": dict(_UNITS), **run}
        table = pd.DataFrame(self.rows, columns=_COLUMNS)
        table.attrs = meta
        areas = gpd.GeoDataFrame(pd.DataFrame(self.areas, columns=_AREA_COLUMNS), geometry="geometry", crs=crs)
        areas = areas.to_crs(STORAGE_CRS)
        gaps = gpd.GeoDataFrame(pd.DataFrame(self.gaps, columns=_AREA_COLUMNS), geometry="geometry", crs=crs)
        if len(gaps):
            gaps["area_km2"] = gaps.geometry.area / 1e6
        gaps = gaps.to_crs(STORAGE_CRS)
        for g in (areas, gaps):
            g.attrs = dict(meta, units={"area_km2": "km2"})
        cells_gdf = None
        if self.pop.keep_cells:
            cells_gdf = cells_frame(self.pop, self.cells, crs, _CELL_COLUMNS)
            cells_gdf.attrs = dict(meta, units={"population": "people", "share": "0..1", "population_covered": "people"})
        return Coverage(table=table, areas=areas, gaps=gaps, cells=cells_gdf, cell_minutes=cell_minutes)
