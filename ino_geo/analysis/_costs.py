"""Sparse costs between places and points, within a limit: the shared part of accessibility
and site selection.

Costs are only ever built as triples ``(row, col, cost)`` of the pairs within the limit —
one STRtree ``dwithin`` query in straight-line mode, one batch of limited Dijkstra runs (one
per source, all in one ``scipy.sparse.csgraph`` call per batch) in network mode — never as a
dense rows x columns matrix.

Network costs follow :mod:`ino_geo.network.graph`: a place joins the graph where it snaps
(walking leg counted) and, for polygons, wherever an edge runs into it; a point and a place on
the same segment are also joined directly; a straight walk of at most ``max_snap`` metres that
does not cross the river also counts (as in ``ino_geo.coverage``).

The geometry checks come from :mod:`ino_geo.analysis._inputs`, the scenario set-up, the river
test and the walking unit from :mod:`ino_geo.network`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ino_geo._errors import UsageError
from ino_geo.analysis._inputs import metric_geoms
from ino_geo.network._naming import label
from ino_geo.network.graph import walk_m_per_unit
from ino_geo.network.scenarios import prepare_network
from ino_geo.network.snapping import crosses_barrier

__all__ = ["Pairs", "Router", "metric_geoms", "check_limit", "label", "euclidean_pairs", "demand_points"]


def check_limit(distance: float | None, minutes: float | None) -> tuple[float, str]:
    """Exactly one of `distance` (metres) / `minutes`: ``(value, unit)``; UsageError otherwise."""
    from ino_geo import defaults

    if (distance is None) == (minutes is None):
        raise UsageError("give exactly one standard: --distance METRES or --minutes MIN")
    value, unit, top, opt = ((distance, "m", defaults.MAX_DISTANCE_M, "distance") if distance is not None
                             else (minutes, "min", defaults.MAX_MINUTES, "minutes"))
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise UsageError(f"--{opt} {value!r}: not a number") from None
    if not math.isfinite(v) or v <= 0:
        raise UsageError(f"--{opt} {value}: must be a finite number > 0")
    if v > top:
        raise UsageError(f"--{opt} {value}: larger than the allowed {top:g} {unit}")
    return v, unit


@dataclass
class Pairs:
    """Costs of the (row, col) pairs within a limit; every other pair is beyond it.

    Attributes
    ----------
    row, col : ndarray of int
    cost : ndarray of float
        In ``unit`` (``"m"`` or ``"min"``), each pair once with its least cost.
    n_rows, n_cols : int
    unit : str
    """

    row: np.ndarray
    col: np.ndarray
    cost: np.ndarray
    n_rows: int
    n_cols: int
    unit: str

    def __len__(self) -> int:
        return len(self.row)

    def min_per_row(self) -> np.ndarray:
        """The least cost of each row (``inf`` where no pair)."""
        out = np.full(self.n_rows, np.inf)
        np.minimum.at(out, self.row, self.cost)
        return out


def _least(row, col, cost, n_rows, n_cols, unit, limit) -> Pairs:
    """Each (row, col) once with its least cost, pairs above `limit` dropped."""
    keep = cost <= limit * (1 + 1e-12)
    row, col, cost = row[keep].astype(np.int64), col[keep].astype(np.int64), cost[keep]
    cost = np.where(cost < 1e-9, 0.0, cost)
    order = np.lexsort((cost, col, row))
    row, col, cost = row[order], col[order], cost[order]
    first = np.ones(len(row), dtype=bool)
    first[1:] = (row[1:] != row[:-1]) | (col[1:] != col[:-1])
    return Pairs(row[first], col[first], cost[first], n_rows, n_cols, unit)


def euclidean_pairs(points: np.ndarray, places: np.ndarray, limit_m: float, *, per_m: float = 1.0,
                    unit: str = "m") -> Pairs:
    """Straight-line pairs (point, place) with distance <= `limit_m` metres: one STRtree query.

    The distance is from the point to the nearest point of the place (0 inside a polygon);
    the cost is ``distance / per_m`` (``per_m`` = metres per minute for a walk in minutes).

    Examples
    --------
    >>> import numpy as np, shapely
    >>> p = euclidean_pairs(shapely.points([[0, 0], [500, 0]]), np.array([shapely.box(100, -1, 200, 1)]), 200)
    >>> p.row.tolist(), p.cost.tolist()
    ([0], [100.0])
    """
    import shapely

    points = np.asarray(points, dtype=object)
    places = np.asarray(places, dtype=object)
    if not len(points) or not len(places):
        z = np.zeros(0, np.int64)
        return Pairs(z, z, np.zeros(0), len(points), len(places), unit)
    tree = shapely.STRtree(places)
    # envelopes grown by the limit find every candidate pair (a superset of dwithin, without
    # its distance computations); the exact distance is then computed once per candidate
    b = shapely.bounds(points)
    pi, gj = tree.query(shapely.box(b[:, 0] - limit_m, b[:, 1] - limit_m, b[:, 2] + limit_m, b[:, 3] + limit_m))
    d = shapely.distance(points[pi], places[gj])
    keep = d <= limit_m * (1 + 1e-12)  # the tree query gives each pair once: no de-duplication
    return Pairs(pi[keep].astype(np.int64), gj[keep].astype(np.int64), d[keep] / per_m, len(points), len(places), unit)


def demand_points(cells: np.ndarray) -> np.ndarray:
    """The demand point of each population cell: its centroid (the point on its surface if the
    centroid falls outside, e.g. a cell clipped to a crescent)."""
    import shapely

    c = shapely.centroid(cells)
    out = ~shapely.contains_xy(cells, shapely.get_x(c), shapely.get_y(c))
    if out.any():
        c[out] = shapely.point_on_surface(cells[out])
    return c


class Router:
    """Network set-up done once (scenario network, river barrier), then sparse pair costs.

    Parameters
    ----------
    network : GeoDataFrame or Network
        Line layer (corridors) or a built network.
    scenario : str
    crs : str
        Metric CRS of every geometry passed in.
    river : GeoDataFrame, geometry or None
    unit : ``"m"`` or ``"min"``
    walk_speed_kmh, max_snap : float
    """

    def __init__(self, network: Any, scenario: str, *, crs: str, river: Any, unit: str, walk_speed_kmh: float,
                 max_snap: float, progress: Callable[[str], None] | None = None):
        self._crosses, prepare = crosses_barrier, prepare_network
        self.net, self.barrier = prepare(network, scenario, crs=crs, river=river, progress=progress)
        self.unit = unit
        self.walk_speed_kmh = walk_speed_kmh
        self.max_snap = max_snap
        self.per_unit = walk_m_per_unit(unit, walk_speed_kmh)

    def snap(self, geoms: np.ndarray, entries: bool = True):
        """Where `geoms` join the network (``ino_geo.snap``)."""
        import ino_geo

        return ino_geo.snap(self.net, geoms, max_snap=self.max_snap, barrier=self.barrier, entries=entries)

    def pairs(self, sources: np.ndarray, targets: np.ndarray, limit: float, *, src_snap=None, dst_snap=None,
              batch: int | None = None) -> Pairs:
        """Costs source -> target within `limit` (in ``self.unit``), rows = targets, cols = sources.

        One Dijkstra per source, limited to `limit`, in batches over an augmented graph (a
        virtual node per source joined to its access nodes); then each target's cost is the
        least over its access entries; plus same-segment pairs and direct walks.
        """
        unit = self.unit
        src_snap = src_snap if src_snap is not None else self.snap(sources)
        dst_snap = dst_snap if dst_snap is not None else self.snap(targets, entries=False)
        parts = [self._graph_pairs(src_snap, dst_snap, limit, batch), self._same_edge(src_snap, dst_snap),
                 self._walks(sources, targets, limit)]
        row = np.concatenate([p[0] for p in parts])
        col = np.concatenate([p[1] for p in parts])
        cost = np.concatenate([p[2] for p in parts])
        return _least(row, col, cost, len(targets), len(sources), unit, limit)

    def _graph_pairs(self, src, dst, limit, batch):
        from scipy.sparse.csgraph import dijkstra

        net = self.net
        n = net.n_nodes
        sp, sn, sc = src.access(net, self.unit, self.walk_speed_kmh)
        dp, dn, dc = dst.access(net, self.unit, self.walk_speed_kmh)
        empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
        if not len(sp) or not len(dp):
            return empty
        w = net.edge_weight(self.unit)
        u = np.concatenate([net.edge_u, net.edge_v, n + sp])
        v = np.concatenate([net.edge_v, net.edge_u, sn])
        c = np.maximum(np.concatenate([w, w, sc]), 1e-12)  # csgraph drops explicit zeros
        total = n + len(src.edge)
        G = _min_duplicates(u, v, c, total)
        todo = np.unique(sp)
        if batch is None:
            batch = max(1, int(5e6 // (total + len(dn))))  # two float arrays of ~40 MB each at most
        rows, cols, costs = [], [], []
        for k in range(0, len(todo), batch):
            b = todo[k:k + batch]
            dist = dijkstra(G, directed=True, indices=n + b, limit=limit)
            M = dist[:, dn] + dc
            r, e = np.nonzero(M <= limit)
            rows.append(dp[e])
            cols.append(b[r])
            costs.append(M[r, e])
        return tuple(np.concatenate(x) for x in (rows, cols, costs))

    def _same_edge(self, src, dst):
        """A source and a target snapped to the same segment: joined along it."""
        s = np.flatnonzero(src.edge >= 0)
        d = np.flatnonzero(dst.edge >= 0)
        empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
        if not len(s) or not len(d):
            return empty
        order = np.argsort(src.edge[s], kind="stable")
        s = s[order]
        se = src.edge[s]
        lo = np.searchsorted(se, dst.edge[d], side="left")
        hi = np.searchsorted(se, dst.edge[d], side="right")
        cnt = hi - lo
        if not cnt.sum():
            return empty
        di = np.repeat(d, cnt)
        si = s[np.concatenate([np.arange(a, b) for a, b in zip(lo, hi) if b > a])]
        w = self.net.edge_weight(self.unit)[dst.edge[di]]
        cost = (src.walk_m[si] + dst.walk_m[di]) / self.per_unit + np.abs(src.frac[si] - dst.frac[di]) * w
        return di, si, cost

    def _walks(self, sources, targets, limit):
        """Straight walks of at most max_snap metres (and within the limit), not across the river."""
        import shapely

        reach = min(self.max_snap, limit * self.per_unit)
        p = euclidean_pairs(targets, sources, reach)
        if not len(p):
            return p.row, p.col, p.cost
        ok = p.cost == 0
        far = np.flatnonzero(~ok)
        if len(far):
            lines = shapely.shortest_line(np.asarray(targets, dtype=object)[p.row[far]],
                                          np.asarray(sources, dtype=object)[p.col[far]])
            ok[far] = ~self._crosses(lines, self.barrier)
        return p.row[ok], p.col[ok], p.cost[ok] / self.per_unit


def _min_duplicates(u, v, c, n):
    """CSR n x n of the edges u -> v with the least cost of parallel entries."""
    from scipy.sparse import csr_matrix

    order = np.lexsort((c, v, u))
    u, v, c = u[order], v[order], c[order]
    keep = np.ones(len(u), dtype=bool)
    keep[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    return csr_matrix((c[keep], (u[keep], v[keep])), shape=(n, n))
