"""Isochrones: the area within a cost of the nearest place, travelling along a network.

Every point of an edge has the cost of the nearest place along the network
(:func:`ino_geo.network.routing.node_costs`); from there a planner walks the rest of the budget
(at most ``max_snap`` metres), never across the river. With one-way lines the isochrone
depends on the direction: ``direction="to"`` (the default) is the area from which the nearest
place is reached within the budget (``node_cost`` from :func:`node_costs` with
``direction="to"``, a multi-source search on the reversed graph); ``"from"`` the area reached
from the places.

Examples
--------
>>> LOCAL = "+proj=tmerc +lon_0=87 +datum=WGS84 +units=m"  # planar at (0, 0): scale 1
>>> import geopandas as gpd
>>> from shapely import LineString, Point
>>> from ino_geo.network.graph import build_network
>>> from ino_geo.network.routing import node_costs
>>> from ino_geo.network.snapping import snap
>>> net = build_network(gpd.GeoDataFrame({"speed_kmh": [60.0]}, geometry=[LineString([(0, 0), (1000, 0)])],
...                                      crs=LOCAL))
>>> park = snap(net, [Point(0, 0)])
>>> area = isochrone(net, node_costs(net, park, unit="m"), 500.0, unit="m", max_snap=0.0, places=park)
>>> area.is_empty
True
>>> area = isochrone(net, node_costs(net, park, unit="m"), 500.0, unit="m", max_snap=10.0, places=park)
>>> 0 < area.area < 1000 * 20
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ino_geo import defaults
from ino_geo.network.graph import Network, check_direction, walk_m_per_unit
from ino_geo.network.routing import edge_point_costs
from ino_geo.network.snapping import Snap

__all__ = ["isochrone"]


def isochrone(
    net: Network,
    node_cost: np.ndarray,
    threshold: float,
    *,
    unit: str = "min",
    walk_speed_kmh: float = defaults.WALK_SPEED_KMH,
    max_snap: float = defaults.MAX_SNAP_M,
    places: Snap | None = None,
    place_geoms: np.ndarray | None = None,
    barrier: Any = None,
    step: float = defaults.DENSIFY_M,
    quantum: float | None = None,
    direction: str = "to",
):
    """The area within `threshold` of the nearest place, travelling along the network.

    Every point of an edge has the cost of the nearest place along the network; from there a
    planner walks the rest of the budget (at most `max_snap` metres). The edges are cut into
    pieces of at most `step` metres; each reached piece is buffered by the walking distance
    left at its worse end, rounded down to `quantum` metres (default 5 m). The places themselves
    (`place_geoms`) are buffered by the walk the whole budget allows. The river is removed
    and parts across it that are not connected to a reached piece or a place are dropped.
    The polygon is therefore a lower bound, exact to within `step` + `quantum` metres.
    `direction` (``"to"``: travel to the places, ``"from"``: from them) must be the one
    `node_cost` was computed in; a one-way edge is only travelled its way.

    Returns
    -------
    shapely Polygon/MultiPolygon (possibly empty), in ``net.crs``.
    """
    import shapely

    mpu = walk_m_per_unit(unit, walk_speed_kmh)
    q = quantum if quantum is not None else min(5.0, step)
    check_direction(direction)
    geoms, rad = _reached_pieces(net, node_cost, threshold, unit, walk_speed_kmh, max_snap, places, step, direction)
    parts = _buffer_by_level(geoms, rad, q)
    anchors = [geoms] if len(geoms) else []
    if place_geoms is not None and len(place_geoms):
        pr = min(max_snap, threshold * mpu)
        pg = np.asarray(place_geoms, dtype=object)
        pg = pg[~(shapely.is_missing(pg) | shapely.is_empty(pg))]
        if len(pg):
            parts.append(shapely.buffer(shapely.union_all(pg), pr) if pr > 0 else shapely.union_all(pg))
            anchors.append(pg)
    if not parts:
        return shapely.Polygon()
    area = shapely.union_all(np.asarray(parts, dtype=object))
    if barrier is not None and not shapely.is_empty(barrier) and shapely.intersects(area, barrier):
        area = _without_river(area, barrier, np.concatenate(anchors))
    return area


def _reached_pieces(net: Network, node_cost: np.ndarray, threshold: float, unit: str, walk_speed_kmh: float,
                    max_snap: float, places: Snap | None, step: float, direction: str = "to"
                    ) -> tuple[np.ndarray, np.ndarray]:
    """The reached pieces of the edges (segments of at most `step` metres, or the reached end
    of a piece reached at one end only) and the walk left at each (metres, <= `max_snap`).

    An edge cut into k pieces has k + 1 piece ends (fractions ``j / k``); the cost and the
    position of each end are computed once and shared by the two pieces that meet there."""
    import shapely

    mpu = walk_m_per_unit(unit, walk_speed_kmh)
    cu, cv = node_cost[net.edge_u], node_cost[net.edge_v]
    e = np.flatnonzero((np.minimum(cu, cv) <= threshold) | _places_on_edge_mask(net, places))
    if not len(e):
        return np.zeros(0, object), np.zeros(0)
    k = np.maximum(1, np.ceil(net.edge_length_m[e] / step).astype(np.int64))
    ends, lo, hi = _piece_ends(e, k)  # every end once; piece i of an edge runs from ends[lo[i]] to ends[hi[i]]
    rep, f = ends
    c = edge_point_costs(net, node_cost, rep, f, f, unit, direction)
    if places is not None:
        c = _place_edge_costs(net, places, rep, f, c, unit, walk_speed_kmh, direction)
    p = net.nodes[net.edge_u[rep]] * (1 - f[:, None]) + net.nodes[net.edge_v[rep]] * f[:, None]
    c0, c1, p0, p1 = c[lo], c[hi], p[lo], p[hi]
    r = np.minimum(max_snap, (threshold - np.maximum(c0, c1)) * mpu)
    ok = r >= 0
    # pieces reached at one end only: a disk at that end
    r0 = np.minimum(max_snap, (threshold - c0) * mpu)
    r1 = np.minimum(max_snap, (threshold - c1) * mpu)
    half0 = ~ok & (r0 >= 0)
    half1 = ~ok & (r1 >= 0)
    pieces = [
        shapely.linestrings(np.stack([p0[ok], p1[ok]], axis=1)) if ok.any() else np.zeros(0, object),
        shapely.points(p0[half0]) if half0.any() else np.zeros(0, object),
        shapely.points(p1[half1]) if half1.any() else np.zeros(0, object),
    ]
    return np.concatenate(pieces), np.concatenate([r[ok], r0[half0], r1[half1]])


def _piece_ends(e: np.ndarray, k: np.ndarray) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray, np.ndarray]:
    """Edges `e` cut into `k` equal pieces each: the piece ends ``(edge, fraction j / k)``,
    j = 0..k per edge in edge order, and the index of each piece's first and last end.

    >>> (edge, f), lo, hi = _piece_ends(np.array([3, 5]), np.array([2, 1]))
    >>> edge.tolist(), f.tolist(), lo.tolist(), hi.tolist()
    ([3, 3, 3, 5, 5], [0.0, 0.5, 1.0, 0.0, 1.0], [0, 1, 3], [1, 2, 4])
    """
    n = k + 1
    start = np.cumsum(n) - n
    j = np.arange(n.sum()) - np.repeat(start, n)
    f = j / np.repeat(k, n)
    lo = np.repeat(start, k) + (np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k))
    return (np.repeat(e, n), f), lo, lo + 1


def _buffer_by_level(geoms: np.ndarray, rad: np.ndarray, q: float) -> list:
    """The pieces buffered by their radius rounded down to `q` metres, one buffer per level:
    for each level (ascending) the merged lines, then the points (one shapely call each for
    all the levels' collections, line merges and buffers)."""
    import shapely

    if not len(geoms):
        return []
    level = np.floor(rad / q) * q
    kinds = shapely.get_type_id(geoms)
    sel = np.flatnonzero((level > 0) & ((kinds == 0) | (kinds == 1)))
    if not len(sel):
        return []
    sel = sel[np.lexsort((sel, -kinds[sel], level[sel]))]  # by level, lines before points, then in order
    lv, kd = level[sel], kinds[sel]
    new = np.ones(len(sel), dtype=bool)
    new[1:] = (lv[1:] != lv[:-1]) | (kd[1:] != kd[:-1])
    first = np.flatnonzero(new)
    line_group = kd[first] == 1
    parts = np.empty(len(first), dtype=object)
    if line_group.any():
        segs = kd == 1  # contiguous pieces merged into long lines buffer much faster
        multi = shapely.multilinestrings(geoms[sel[segs]], indices=np.cumsum(new & segs)[segs] - 1)
        parts[line_group] = shapely.buffer(shapely.line_merge(multi), lv[first[line_group]])
    if (~line_group).any():
        pts = kd == 0
        multi = shapely.multipoints(geoms[sel[pts]], indices=np.cumsum(new & pts)[pts] - 1)
        parts[~line_group] = shapely.buffer(multi, lv[first[~line_group]])
    return list(parts)


def _without_river(area: Any, barrier: Any, anchor: np.ndarray) -> Any:
    """`area` minus the river, keeping only the parts that touch a reached piece or a place
    (`anchor`) outside the river.

    Vectorised from the parts' side: only the anchors that touch the river are cut by it,
    and one STRtree query over the anchors tests each part (prepared once) against the
    anchors in its box (the other way round, every anchor was a query of its own)."""
    import shapely

    area = shapely.difference(area, barrier)
    comps = shapely.get_parts(area)
    comps = comps[shapely.get_type_id(comps) == 3]
    if not len(comps) or not len(anchor):
        return shapely.Polygon()
    shapely.prepare(barrier)
    anchor = np.asarray(anchor, dtype=object).copy()
    wet = np.flatnonzero(shapely.intersects(barrier, anchor))
    if len(wet):
        anchor[wet] = shapely.difference(anchor[wet], barrier)
    anchor = anchor[~shapely.is_empty(anchor)]
    if not len(anchor):
        return shapely.Polygon()
    ci = shapely.STRtree(anchor).query(comps, predicate="intersects")[0]
    keep = np.unique(ci)
    return shapely.union_all(comps[keep]) if len(keep) else shapely.Polygon()


def _places_on_edge_mask(net: Network, places: Snap | None) -> np.ndarray:
    m = np.zeros(net.n_edges, dtype=bool)
    if places is not None:
        m[places.edge[places.edge >= 0]] = True
        m[places.entry_edge] = True
    return m


def _place_edge_costs(net, places: Snap, rep, f, c, unit, walk_speed_kmh, direction: str = "to"):
    """Lower `c` (cost at fraction f of edge rep; `rep` sorted) where a place snaps onto that
    same edge and the edge may be travelled between them in `direction`."""
    s = np.flatnonzero(places.edge >= 0)
    mpu = walk_m_per_unit(unit, walk_speed_kmh)
    w = net.edge_weight(unit)
    # snap points (walk + along the edge) and entries into polygon places (0 inside the part)
    pe = np.concatenate([places.edge[s], places.entry_edge]).astype(np.int64)
    t0 = np.concatenate([places.frac[s], places.entry_f0])
    t1 = np.concatenate([places.frac[s], places.entry_f1])
    a = np.concatenate([places.walk_m[s] / mpu, np.zeros(len(places.entry_edge))])
    # every (point, place) pair on the same edge: the points of an edge are a run of the sorted `rep`
    lo, hi = np.searchsorted(rep, pe, "left"), np.searchsorted(rep, pe, "right")
    n = hi - lo
    if not n.sum():
        return c
    j = np.repeat(np.arange(len(pe)), n)
    i = np.repeat(lo, n) + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    ahead, behind = t0[j] - f[i], f[i] - t1[j]  # place ahead of / behind the point
    off = np.maximum(0.0, np.maximum(ahead, behind))
    e = pe[j]
    # "to": the point travels to the place, against a one-way edge if the place is behind it;
    # "from": the place travels to the point, against it if the place is ahead
    against = (behind > 0) if direction == "to" else (ahead > 0)
    direct = np.where(against & net.oneway[e], np.inf, a[j] + off * w[e])
    c = c.copy()
    np.minimum.at(c, i, direct)
    return c
