"""Population cells split between boundaries, for per-boundary summaries.

A cell lying in one boundary counts wholly there; a cell straddling two is split between them
by area (as ``ino_geo.coverage`` does). The first zone is always the whole study area
(``boundary_id == "all"``): every cell at full weight.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ino_geo._errors import UsageError

__all__ = ["Zones", "zones_for", "weighted_gini"]


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
    area = shapely.area(cells)
    for k, i in enumerate(sel, start=1):
        zg = bgeoms[i]
        shapely.prepare(zg)
        ci = tree.query(zg, predicate="intersects")
        w = np.ones(len(ci))
        part = np.flatnonzero(~shapely.contains_properly(zg, cells[ci]))
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
