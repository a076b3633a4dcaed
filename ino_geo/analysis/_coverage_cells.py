"""The population cells of :func:`ino_geo.coverage`, each step done once.

* the cells are read, checked and projected to the metric CRS once (:func:`population_cells`,
  :func:`~ino_geo.analysis._inputs.metric_geoms`), with one STRtree, one probe vertex and one
  area per cell, shared by every step below;
* they are split by the zones (:func:`zone_fragments`): a cell inside a zone is its own
  fragment there (the same geometry), only the cells cut by a zone's boundary get a part;
* per cover, the covered share of each cell is computed once (:func:`cover_shares`); a
  fragment that is a whole cell takes its cell's share, only the parts are measured again;
  the per-zone population sums and the cell rows both come from these shares;
* the cell rows of the result carry the layer's own EPSG:4326 geometries (no projection back
  and forth; a layer stored in another CRS is projected from the metric cells, as before);
* grid cells (euclidean :func:`~ino_geo.coverage`) stay metric coordinates
  (:mod:`._quad_grid`): polygons are built only for the cells a zone's or a cover's boundary
  may cross, the others are decided by one vertex, as the general path decides them.

The numbers are those of computing every fragment's share on its own
(:func:`~ino_geo.analysis.shares.covered_shares` is exact per polygon: a polygon's share does
not depend on the others measured with it).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ino_geo._errors import DataError
from ino_geo.analysis._inputs import check_frame, metric_coordinates
from ino_geo.analysis._quad_grid import QuadGrid, grid_fragments, grid_rings, grid_shares
from ino_geo.analysis._zones import collect_fragments, zone_hits
from ino_geo.analysis.shares import boundary_segments, cover_pieces, probe_points, shares_against
from ino_geo.crs import STORAGE_CRS
from ino_geo.network._naming import geometry_type_name, label, record_ref

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

__all__ = ["Population", "population_cells", "zone_fragments", "covered_population", "cover_shares", "cell_rows",
           "cells_frame"]


@dataclass
class Population:
    """The population cells (metric CRS) and their fragments: the part of each cell in each
    zone, weighted by its share of the cell's area."""

    geoms: Any = None  # cell polygons (None without a population layer)
    people: Any = None  # people per cell
    ids: Any = None
    study: Any = None  # union of the cells: the study area without boundaries
    frag_zone: Any = field(default_factory=lambda: np.zeros(0, np.int64))
    frag_cell: Any = field(default_factory=lambda: np.zeros(0, np.int64))
    frag_w: Any = field(default_factory=lambda: np.zeros(0))
    frag_geom: Any = field(default_factory=lambda: np.zeros(0, object))
    frag_people: Any = field(default_factory=lambda: np.zeros(0))
    frag_part: Any = field(default_factory=lambda: np.zeros(0, np.int64))  # fragments that are a cell's part
    part_tree: Any = None
    part_probe: Any = None
    cell_tree: Any = None
    cell_probe: Any = None
    cell_area: Any = None
    layer_geoms: Any = None  # the layer's own geometries (a GeometryArray in its CRS)
    keep_cells: bool = False  # build the cell rows of the result
    grid: Any = None  # grid cells (:class:`QuadGrid`): the metric polygons built only where needed


def population_cells(population: "gpd.GeoDataFrame | None", crs: str, zones: list, cells: bool, say,
                     grid: bool = False) -> Population:
    """The checked population cells split by the zones (adds the study-area zone, the union of
    the cells, when there are no boundaries).

    `grid`: grid cells (strictly convex quadrilaterals projected from another CRS, with
    boundaries given) are kept as their metric coordinates (:class:`~ino_geo.analysis._quad_grid.QuadGrid`):
    the metric polygons are built only for the cells near a zone's or a cover's boundary; the
    fragments that are whole cells then have no geometry (None in ``frag_geom``: for counting
    only, not for network mode). The numbers are the same."""
    import shapely

    pop = Population()
    if population is None:
        return pop
    check_frame(population, "population")
    check_cells(population)
    ring = grid_rings(population, crs) if grid and zones else None
    pop.grid = QuadGrid(ring) if ring is not None else None
    if pop.grid is not None and pop.grid.compact:
        kinds, pop.cell_probe = None, pop.grid.probe()
    else:
        pop.grid = None
        pop.geoms, coords, idx, kinds = metric_coordinates(population, crs, "population", "cell_id")
        pop.cell_probe = probe_points(pop.geoms, (coords, idx))
        del coords, idx
    pop.people, pop.ids = people_ids(population)
    pop.layer_geoms, pop.keep_cells = population.geometry.values, cells
    if not zones:
        pop.study = shapely.union_all(pop.geoms)
        zones.append(("all", "study area", pop.study))
    say(f"splitting {len(pop.people)} population cells by {len(zones)} boundaries")
    if pop.grid is not None:
        pop.frag_zone, pop.frag_cell, pop.frag_w, pop.frag_geom, part = grid_fragments(pop.grid, zones, pop.cell_probe)
    else:
        pop.cell_tree = shapely.STRtree(pop.geoms)
        pop.cell_area = shapely.area(pop.geoms)
        pop.frag_zone, pop.frag_cell, pop.frag_w, pop.frag_geom, part = _fragments(
            pop.geoms, zones, pop.cell_tree, pop.cell_probe, pop.cell_area, kinds)
    pop.frag_people = pop.people[pop.frag_cell] * pop.frag_w
    pop.frag_part = np.flatnonzero(part)
    if len(pop.frag_part):
        pop.part_tree = shapely.STRtree(pop.frag_geom[pop.frag_part])
        pop.part_probe = probe_points(pop.frag_geom[pop.frag_part])
    return pop


def check_cells(population: "gpd.GeoDataFrame") -> None:
    """DataError without a population column or for a cell that is not a polygon."""
    import shapely

    pname = label(population, "population")
    if "population" not in population.columns:
        raise DataError(f"{pname}: column 'population' is missing")
    kinds = shapely.get_type_id(np.asarray(population.geometry.values, dtype=object))
    notpoly = np.flatnonzero(~np.isin(kinds, [3, 6]) & (kinds >= 0))
    if len(notpoly):
        i = notpoly[0]
        raise DataError(f"{pname}: record {i}{record_ref(population, i, 'cell_id')} field geometry: "
                        f"a {geometry_type_name(kinds[i])}; population cells must be polygons")


def people_ids(population: "gpd.GeoDataFrame") -> tuple:
    """People per cell (DataError naming a bad one) and the cell ids."""
    import pandas as pd

    pname = label(population, "population")
    people = pd.to_numeric(population["population"], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(people) | (people < 0))
    if len(bad):
        i = bad[0]
        v = population["population"].iloc[i]
        shown = f"{float(v):g}" if isinstance(v, (int, float, np.number)) else repr(v)
        raise DataError(f"{pname}: record {i}{record_ref(population, i, 'cell_id')} field population: "
                        f"{shown} is not a number >= 0")
    has_id = "cell_id" in population.columns
    # the ids as pandas holds them (a string array, not a million Python strings)
    ids = population["cell_id"].astype(str).array if has_id else np.arange(len(population)).astype(str)
    return people, ids


def zone_fragments(geoms: np.ndarray, zones: list) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The part of each cell polygon in each zone: ``(zone, cell, weight, geometry)`` arrays,
    the weight being the part's share of the cell's area (parts of zero weight left out).

    `zones` as :func:`~ino_geo.analysis.coverage.study_zones` gives them; `geoms` in the
    zones' metric CRS. A cell inside a zone is its own fragment (the same geometry object).

    Examples
    --------
    >>> from shapely import box
    >>> z, c, w, g = zone_fragments(np.array([box(0, 0, 2, 1)]), [("a", "A", box(0, 0, 1, 1))])
    >>> z.tolist(), c.tolist(), w.tolist()
    ([0], [0], [0.5])
    """
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    return _fragments(geoms, zones, shapely.STRtree(geoms), probe_points(geoms), shapely.area(geoms))[:4]


def _fragments(geoms: np.ndarray, zones: list, tree: Any, probe: tuple, carea: np.ndarray, kinds: Any = None) -> tuple:
    """:func:`zone_fragments` from the cells' tree, probe vertices and areas, and which
    fragments are a part of their cell (cut by the zone's boundary) rather than the cell."""
    out: tuple = ([], [], [], [], [])
    for zi, (_, _, zg) in enumerate(zones):
        ci, full = zone_hits(zg, geoms, tree, probe, kinds)
        cut = ci[~full]
        collect_fragments(out, zi, zg, ci, full, geoms[ci].copy(), geoms[cut], carea[cut])
    if not zones:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0, object), np.zeros(0, bool)
    return tuple(map(np.concatenate, out))


def cover_shares(pop: Population, cover: Any) -> tuple[np.ndarray, np.ndarray]:
    """The covered share of each cell and of each fragment, computed once per cell: a
    fragment that is a whole cell takes its cell's share; only the parts of cells cut by a
    zone are measured on their own. The cover's pieces are cut once for both."""
    if pop.people is None:
        return np.zeros(0), np.zeros(0)
    import shapely

    pieces = functools.cache(lambda: cover_pieces(cover))
    segs = boundary_segments(cover) if cover is not None and not shapely.is_empty(cover) else None
    if pop.grid is not None:
        cell = grid_shares(pop.grid, cover, pop.cell_probe, pieces, segs)
    else:
        cell = shares_against(pop.geoms, cover, tree=pop.cell_tree, probe=pop.cell_probe, pieces=pieces,
                              area=pop.cell_area, segs=segs)
    frag = cell[pop.frag_cell]
    if len(pop.frag_part):
        frag[pop.frag_part] = shares_against(pop.frag_geom[pop.frag_part], cover, tree=pop.part_tree,
                                             probe=pop.part_probe, pieces=pieces, segs=segs)
    return cell, frag


def covered_population(pop: Population, cover: Any) -> np.ndarray:
    """How a coverage number is computed: the people covered in each population fragment.

    A fragment (the part of a cell in a zone) counts its people times the covered share of its
    area (:func:`~ino_geo.analysis.shares.covered_shares`): a cell half covered counts half its
    people, never all or nothing by its centroid. A zone's covered population is the sum over
    its fragments.
    """
    if pop.people is None:
        return np.zeros(0)
    return pop.frag_people * cover_shares(pop, cover)[1]


def cell_rows(pop: Population, key: dict, share: np.ndarray) -> "pd.DataFrame":
    """The cell rows of one cover (without geometry: :func:`cells_frame` adds it once)."""
    import pandas as pd

    return pd.DataFrame({"cell_id": pop.ids, **key, "population": pop.people, "share": share,
                         "population_covered": pop.people * share})


def cells_frame(pop: Population, rows: list, crs: str, columns: list) -> "gpd.GeoDataFrame":
    """The cell rows of all covers with the cells' EPSG:4326 geometries: the layer's own if it
    is stored in EPSG:4326 (shared, not copied), else the metric cells projected once."""
    import geopandas as gpd
    import pandas as pd
    from geopandas.array import GeometryArray
    from pyproj import CRS

    if not rows:
        return gpd.GeoDataFrame(pd.DataFrame(columns=columns), geometry="geometry", crs=crs).to_crs(STORAGE_CRS)
    cdf = pd.concat(rows, ignore_index=True)
    own = pop.layer_geoms
    if own.crs is not None and CRS.from_user_input(own.crs).equals(CRS.from_user_input(STORAGE_CRS)):
        out = np.asarray(own, dtype=object)
    else:
        metric = pop.geoms if pop.geoms is not None else pop.grid.polygons()
        out = np.asarray(GeometryArray(metric, crs=crs).to_crs(STORAGE_CRS), dtype=object)
    geometry = GeometryArray(np.tile(out, len(rows)) if len(rows) > 1 else out.copy(), crs=STORAGE_CRS)
    return gpd.GeoDataFrame(cdf, geometry=geometry)
