"""Population cells split between boundaries, for per-boundary summaries.

A cell lying in one boundary counts wholly there; a cell straddling two is split between them
by area (as ``ino_geo.coverage`` does). The first zone is always the whole study area
(``boundary_id == "all"``): every cell at full weight. :func:`zone_hits` finds the cells of a
zone: only those crossing its boundary get a GEOS predicate, the others one point test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ino_geo._errors import UsageError

__all__ = ["Zones", "zones_for", "zone_hits", "collect_fragments", "weighted_gini"]


@dataclass
class Zones:
    """``ids``/``names`` per zone; ``zone, cell, weight`` one entry per (zone, cell) part."""

    ids: list
    names: list
    zone: np.ndarray
    cell: np.ndarray
    weight: np.ndarray

    def sums(self, values: np.ndarray) -> np.ndarray:
        """Per zone, the sum of the cells' `values` times their share in the zone."""
        return np.bincount(self.zone, weights=values[self.cell] * self.weight, minlength=len(self.ids))


def zones_for(cells: np.ndarray, boundaries: Any, by: str | None, crs: str) -> Zones:
    """The study area and, with `by`, each boundary of level `by`, with the cells' area shares."""
    import shapely

    from ino_geo.analysis._inputs import boundary_rows, metric_geoms
    from ino_geo.analysis.shares import probe_points

    n = len(cells)
    ids, names = ["all"], ["study area"]
    zone, cell, weight = [np.zeros(n, np.int64)], [np.arange(n)], [np.ones(n)]
    if by is None:
        return Zones(ids, names, zone[0], cell[0], weight[0])
    if boundaries is None or not len(boundaries):
        raise UsageError(f"--by {by}: needs a boundaries layer")
    sel = boundary_rows(boundaries, by)
    bgeoms = metric_geoms(boundaries, crs, "boundaries", "boundary_id")
    bid = (boundaries["boundary_id"].astype(str).to_numpy() if "boundary_id" in boundaries.columns
           else boundaries.index.astype(str).to_numpy())
    bname = boundaries["name"].astype(str).to_numpy() if "name" in boundaries.columns else bid
    tree = shapely.STRtree(cells)
    probe = probe_points(cells)
    area = shapely.area(cells)
    for k, i in enumerate(sel, start=1):
        zg = bgeoms[i]
        ci, full = zone_hits(zg, cells, tree, probe)
        w = np.ones(len(ci))
        part = np.flatnonzero(~full)
        if len(part):
            a = area[ci[part]]
            inter = shapely.area(shapely.intersection(cells[ci[part]], zg))
            w[part] = np.where(a > 0, inter / np.where(a > 0, a, 1.0), 0.0)
        keep = w > 0
        ids.append(bid[i])
        names.append(bname[i])
        zone.append(np.full(int(keep.sum()), k))
        cell.append(ci[keep])
        weight.append(np.clip(w[keep], 0.0, 1.0))
    return Zones(ids, names, np.concatenate(zone), np.concatenate(cell), np.concatenate(weight))


def zone_hits(zone: Any, geoms: np.ndarray, tree: Any, probe: tuple,
              kinds: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The polygons meeting `zone` and which of them lie in its interior: the same as
    ``ci = tree.query(zone, predicate="intersects")`` (same order) and
    ``shapely.contains_properly(zone, geoms[ci])``, with GEOS predicates only for the polygons
    crossing the zone's boundary (one STRtree query of its segments) and for multipolygons;
    any other polygon lies wholly inside or outside the zone, decided by one of its vertices.

    `tree`: STRtree over `geoms`; `probe`: :func:`~ino_geo.analysis.shares.probe_points` of them;
    `kinds`: their ``shapely.get_type_id`` if known.

    Examples
    --------
    >>> import shapely
    >>> from shapely import box
    >>> from ino_geo.analysis.shares import probe_points
    >>> cells = np.array([box(0.5, 0.5, 1, 1), box(5, 5, 6, 6), box(1, 0, 3, 1), box(9, 0, 10, 1)])
    >>> ci, full = zone_hits(box(0, 0, 2, 2), cells, shapely.STRtree(cells), probe_points(cells))
    >>> sorted(zip(ci.tolist(), full.tolist()))
    [(0, True), (2, False)]
    """
    import shapely

    from ino_geo.analysis.shares import boundary_segments

    shapely.prepare(zone)
    ci = tree.query(zone)  # bounding boxes: the candidates, in the order of the predicate query
    cut = np.zeros(len(geoms), dtype=bool)
    segs = boundary_segments(zone)
    if len(segs):
        cut[tree.query(segs, predicate="intersects")[1]] = True
    simple = ~cut[ci] & ((shapely.get_type_id(geoms[ci]) if kinds is None else kinds[ci]) == 3)
    keep = np.zeros(len(ci), dtype=bool)
    s = np.flatnonzero(simple)
    keep[s] = shapely.contains_xy(zone, probe[0][ci[s]], probe[1][ci[s]])
    o = np.flatnonzero(~simple)
    o = o[shapely.intersects(zone, geoms[ci[o]])]
    keep[o] = True
    full = keep.copy()
    full[o] = shapely.contains_properly(zone, geoms[ci[o]])
    return ci[keep], full[keep]


def weighted_gini(values: np.ndarray, weights: np.ndarray) -> float:
    """Gini coefficient of `values` among people (`weights`): 0 all equal, towards 1 all in few hands.

    Examples
    --------
    >>> weighted_gini(np.array([1.0, 1.0]), np.array([5.0, 7.0]))
    0.0
    >>> weighted_gini(np.array([0.0, 3.0]), np.array([10.0, 10.0]))
    0.5
    """
    keep = weights > 0
    v, w = values[keep], weights[keep]
    if not len(v) or w.sum() <= 0 or (v * w).sum() <= 0:
        return float("nan")
    order = np.argsort(v, kind="stable")
    v, w = v[order], w[order]
    p = np.concatenate([[0.0], np.cumsum(w) / w.sum()])
    L = np.concatenate([[0.0], np.cumsum(v * w) / (v * w).sum()])
    return float(1.0 - np.sum((p[1:] - p[:-1]) * (L[1:] + L[:-1])))


def collect_fragments(out: tuple, zi: int, zone: Any, ci: np.ndarray, full: np.ndarray, geo: np.ndarray,
                      ppolys: np.ndarray, parea: np.ndarray) -> None:
    """Append zone `zi`'s fragments to the lists `out` ``(zone, cell, weight, geometry, is_part)``.

    `ci` are the cells the zone meets, `full` those inside it, `geo` their fragments' geometries
    (the whole cells' already set); the other cells' polygons `ppolys` (areas `parea`) are cut
    by `zone`, weighted by the part's share of the cell's area. Fragments of weight 0 are left out."""
    import shapely

    w = np.ones(len(ci))
    part = np.flatnonzero(~full)
    if len(part):
        inter = shapely.intersection(ppolys, zone)
        geo[part] = inter
        w[part] = np.where(parea > 0, shapely.area(inter) / np.where(parea > 0, parea, 1), 0.0)
    keep = w > 0
    for acc, v in zip(out, (np.full(keep.sum(), zi), ci[keep], np.clip(w[keep], 0, 1), geo[keep], ~full[keep])):
        acc.append(v)
