"""Where places join a network: :class:`Snap`, :func:`snap`, and the river they never cross.

A place (a point, or a polygon such as a park) joins the graph at the nearest point of the
nearest edge within ``max_snap`` metres (:func:`snap`; nearest-edge search with a KD-tree of
edge vertices for points, ``STRtree.query_nearest`` otherwise). The walking leg from the place
to that point is counted at the walking speed. A walking leg never crosses the river: a snap
line that enters the river polygon (the ``barrier``, :func:`barrier_geometry`;
:func:`crosses_barrier`) is rejected and the next nearest edge within ``max_snap`` is tried;
a place with none is reported, never routed. A polygon also joins the graph, at no walking
cost, wherever an edge runs into it: each edge that intersects it is entered at the first
and left at the last point of its part inside the polygon (a park is entered wherever a road
reaches it, including at nodes inside it).

Examples
--------
>>> import geopandas as gpd
>>> from shapely import LineString, Point, box
>>> from ino_geo.network.graph import build_network
>>> net = build_network(gpd.GeoDataFrame({"speed_kmh": [60.0]}, geometry=[LineString([(0, 0), (1000, 0)])],
...                                      crs="EPSG:32645"))
>>> s = snap(net, [Point(250, 30), Point(500, 2000)], max_snap=100)
>>> s.edge.tolist(), s.walk_m.tolist()[0], s.status.tolist()
([0, -1], 30.0, ['ok', 'too_far'])
>>> s = snap(net, [Point(250, 30)], max_snap=100, barrier=box(0, 10, 1000, 20))
>>> s.status.tolist()
['river']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ino_geo import defaults
from ino_geo._errors import DataError
from ino_geo.network.graph import Network, walk_m_per_unit

__all__ = ["Snap", "snap", "crosses_barrier", "barrier_geometry"]

_KD_STEP = 50.0  # spacing of the edge vertices in the nearest-edge KD-tree, metres
_KD_K = 8  # nearest vertices looked at per point


@dataclass
class Snap:
    """Where places join a network.

    Attributes
    ----------
    edge : ndarray of int
        The edge each place snaps to, -1 if it cannot snap.
    frac : ndarray of float
        Position of the snap point along the edge from ``edge_u`` (0..1).
    walk_m : ndarray of float
        Walking distance from the place to the snap point (NaN if not snapped).
    point : ndarray of shapely Point
        The snap point (None if not snapped).
    status : ndarray of str
        ``"ok"``, ``"too_far"`` (no edge within max_snap) or ``"river"`` (every edge within
        max_snap lies across the river).
    entry_place, entry_edge : ndarray of int
        Polygon places: every edge that intersects the place (no walk needed).
    entry_f0, entry_f1 : ndarray of float
        The first and last fraction of that edge inside the place.
    """

    edge: np.ndarray
    frac: np.ndarray
    walk_m: np.ndarray
    point: np.ndarray
    status: np.ndarray
    entry_place: np.ndarray
    entry_edge: np.ndarray
    entry_f0: np.ndarray
    entry_f1: np.ndarray

    @property
    def ok(self) -> np.ndarray:
        """True where the place joins the graph (snapped, or an edge runs into it)."""
        ok = self.edge >= 0
        ok[np.unique(self.entry_place)] = True
        return ok

    def access(self, net: Network, unit: str, walk_speed_kmh: float, lengths: bool = False, way: str = "out",
               measure: str = "m"):
        """Access entries ``(place, node, cost)``: both ends of the snapped edge, and both ends of
        every edge running into a polygon place, that can be travelled to (`way` ``"out"``:
        leaving the place) or from (``"in"``: arriving at it); on a one-way edge ``u -> v`` a
        place leaves only towards ``v`` and is reached only from ``u``. With `lengths`, also the
        same legs in `measure` (``"m"``: metres, ``"min"``: minutes)."""
        s = np.flatnonzero(self.edge >= 0)
        e, ee = self.edge[s], self.entry_edge
        one, one_e = net.oneway[e], net.oneway[ee]
        t = self.frac[s]
        yes, yes_e = np.ones(len(s), bool), np.ones(len(ee), bool)
        # leaving: to u runs v -> u (two-way edges only, or no way at all from u itself), to v
        # runs u -> v; arriving: from u runs u -> v, from v runs v -> u (likewise)
        ok = (np.concatenate([~one | (t == 0), yes, ~one_e | (self.entry_f0 == 0), yes_e]) if way == "out"
              else np.concatenate([yes, ~one | (t == 1), yes_e, ~one_e | (self.entry_f1 == 1)]))
        place = np.concatenate([s, s, self.entry_place, self.entry_place])[ok]
        node = np.concatenate([net.edge_u[e], net.edge_v[e], net.edge_u[ee], net.edge_v[ee]])[ok]
        out = (place.astype(np.int64), node.astype(np.int64), self._legs(net, unit, walk_speed_kmh, s)[ok])
        if lengths:
            out = out + (self._legs(net, measure, walk_speed_kmh, s)[ok],)
        return out

    def _legs(self, net: Network, unit: str, walk_speed_kmh: float, s: np.ndarray) -> np.ndarray:
        """Costs in `unit` of the four kinds of access legs (see :meth:`access`), unfiltered."""
        w = net.edge_weight(unit)
        e, ee = self.edge[s], self.entry_edge
        walk = self.walk_m[s] / walk_m_per_unit(unit, walk_speed_kmh)
        return np.concatenate([walk + self.frac[s] * w[e], walk + (1.0 - self.frac[s]) * w[e],
                               self.entry_f0 * w[ee], (1.0 - self.entry_f1) * w[ee]])

def crosses_barrier(lines: np.ndarray, barrier: Any) -> np.ndarray:
    """True for each line whose interior enters the interior of `barrier` (the river).

    Touching the river's edge is allowed; a place inside the river cannot leave it.
    """
    import shapely

    lines = np.asarray(lines)
    if barrier is None or shapely.is_empty(barrier):
        return np.zeros(len(lines), dtype=bool)
    shapely.prepare(barrier)
    hit = shapely.intersects(lines, barrier)
    if hit.any():
        idx = np.flatnonzero(hit)
        hit[idx] = ~shapely.touches(lines[idx], barrier)
    return hit


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


def snap(
    net: Network,
    geoms: np.ndarray,
    *,
    max_snap: float = defaults.MAX_SNAP_M,
    barrier: Any = None,
    entries: bool = True,
) -> Snap:
    """Snap places to the nearest edge within `max_snap` metres without crossing `barrier`.

    Parameters
    ----------
    net : Network
    geoms : array of shapely geometries
        Places in ``net.crs`` (points or polygons).
    max_snap : float
        Maximum walking distance to the graph, metres.
    barrier : shapely geometry, optional
        The river (in ``net.crs``): snap lines entering it are rejected.
    entries : bool
        Also join polygon places wherever an edge runs into them (no walk).

    Returns
    -------
    Snap
    """
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    edge = np.full(n, -1, dtype=np.int64)
    dist = np.full(n, np.nan)
    point = np.full(n, None, dtype=object)
    status = np.full(n, "too_far", dtype=object)
    valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms)) if n else np.zeros(0, bool)
    if n and valid.any() and net.n_edges:
        _snap_to_nearest(net, geoms, np.flatnonzero(valid), max_snap, barrier, (edge, dist, point, status))
    s = np.flatnonzero(edge >= 0)
    frac = np.full(n, np.nan)
    if len(s):
        frac[s] = np.clip(shapely.line_locate_point(net.segments[edge[s]], point[s], normalized=True), 0.0, 1.0)
    ep = ee = np.zeros(0, dtype=np.int64)
    f0 = f1 = np.zeros(0)
    if entries and n and net.n_edges:
        ep, ee, f0, f1 = _polygon_entries(net, geoms, valid)
        status[np.unique(ep)] = "ok"
    return Snap(edge=edge, frac=frac, walk_m=dist, point=point, status=status, entry_place=ep.astype(np.int64),
                entry_edge=ee.astype(np.int64), entry_f0=f0, entry_f1=f1)


def _snap_to_nearest(net: Network, geoms: np.ndarray, vi: np.ndarray, max_snap: float, barrier: Any, out) -> None:
    """Fill `out` (edge, walk, point, status) for the places `vi`: the nearest edge within
    `max_snap`, or where that walk crosses the river, the nearest edge whose walk does not."""
    import shapely

    segs = net.segments
    gi, ei = _nearest_edges(net, geoms[vi], max_snap)
    gi = vi[gi]
    lines = shapely.shortest_line(geoms[gi], segs[ei])
    cross = crosses_barrier(lines, barrier)
    _set(*out, gi[~cross], ei[~cross], lines[~cross])
    if not cross.any():
        return
    # try every other edge within max_snap, nearest first
    bad = gi[cross]
    out[3][bad] = "river"
    qi, qe = net.tree.query(geoms[bad], predicate="dwithin", distance=max_snap)
    if len(qi):
        qg = bad[qi]
        ql = shapely.shortest_line(geoms[qg], segs[qe])
        qd = shapely.length(ql)
        okq = ~crosses_barrier(ql, barrier)
        qg, qe, ql, qd = qg[okq], qe[okq], ql[okq], qd[okq]
        order = np.lexsort((qe, qd, qg))
        qg, qe, ql = qg[order], qe[order], ql[order]
        first = np.ones(len(qg), dtype=bool)
        first[1:] = qg[1:] != qg[:-1]
        _set(*out, qg[first], qe[first], ql[first])


def _polygon_entries(net: Network, geoms: np.ndarray, valid: np.ndarray):
    """Every edge running into a polygon place: ``(place, edge, first fraction, last fraction)``
    of the edge's part inside the place."""
    import shapely

    ep = ee = np.zeros(0, dtype=np.int64)
    f0 = f1 = np.zeros(0)
    poly = np.flatnonzero(valid & np.isin(shapely.get_type_id(geoms), [3, 6]))
    if not len(poly):
        return ep, ee, f0, f1
    pi, ee = net.tree.query(geoms[poly], predicate="intersects")
    if not len(pi):
        return ep, ee, f0, f1
    segs = net.segments[ee]
    inside = shapely.intersection(segs, geoms[poly][pi])
    coords, ci = shapely.get_coordinates(inside, return_index=True)
    fr = shapely.line_locate_point(segs[ci], shapely.points(coords), normalized=True)
    f0 = np.full(len(pi), np.inf)
    f1 = np.full(len(pi), -np.inf)
    np.minimum.at(f0, ci, fr)
    np.maximum.at(f1, ci, fr)
    keep = np.isfinite(f0)
    return poly[pi][keep], ee[keep], np.clip(f0[keep], 0, 1), np.clip(f1[keep], 0, 1)



def _edge_kd(net: Network):
    """KD-tree of the edges' vertices, the edges cut into pieces of at most 50 m (cached)."""
    kd = getattr(net, "_kd", None)
    if kd is None:
        from scipy.spatial import cKDTree

        k = np.maximum(1, np.ceil(net.edge_length_m / _KD_STEP).astype(np.int64)) + 1  # points per edge
        owner = np.repeat(np.arange(net.n_edges), k)
        j = np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k)
        f = (j / np.repeat(k - 1, k))[:, None]
        verts = net.nodes[net.edge_u[owner]] * (1 - f) + net.nodes[net.edge_v[owner]] * f
        kd = (cKDTree(verts), owner)
        net._kd = kd
    return kd


def _nearest_edges(net: Network, geoms: np.ndarray, max_snap: float) -> tuple[np.ndarray, np.ndarray]:
    """For each geometry, the nearest edge within `max_snap` (ties: the lowest edge number).

    Points use a KD-tree of edge vertices spaced at most 50 m apart: an edge at distance d has
    a vertex within d + 25 m, so the edges owning the nearest vertices are all the
    candidates whenever the last one found lies beyond (nearest vertex + 25 m); their exact
    distances decide. Other points, and polygons, use ``STRtree.query_nearest``.
    """
    import shapely

    is_pt = shapely.get_type_id(geoms) == 0
    gi_out, ei_out = [], []
    slow = np.flatnonzero(~is_pt)
    pts = np.flatnonzero(is_pt)
    if len(pts):
        kd, owner = _edge_kd(net)
        k = min(_KD_K, kd.n)
        xy = shapely.get_coordinates(geoms[pts])
        dv, iv = kd.query(xy, k=k, distance_upper_bound=max_snap + _KD_STEP / 2.0, workers=-1)
        if k == 1:
            dv, iv = dv[:, None], iv[:, None]
        found = np.isfinite(dv[:, 0])
        complete = ~np.isfinite(dv[:, -1]) | (dv[:, -1] > dv[:, 0] + _KD_STEP / 2.0) | (k == kd.n)
        rows = np.flatnonzero(found & complete)
        slow = np.concatenate([slow, pts[found & ~complete]])
        if len(rows):
            ivr = iv[rows]
            ok = np.isfinite(dv[rows])
            cand = np.where(ok, owner[np.minimum(ivr, kd.n - 1)], np.iinfo(np.int64).max)
            cand.sort(axis=1)
            keep = ok.copy()
            keep[:, 1:] &= cand[:, 1:] != cand[:, :-1]
            keep &= cand != np.iinfo(np.int64).max
            counts = keep.sum(axis=1)
            r = np.repeat(rows, counts)
            c = cand[keep]
            d = shapely.distance(geoms[pts[r]], net.segments[c])
            starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
            best = np.repeat(np.minimum.reduceat(d, starts), counts)
            hit = (d == best) & (d <= max_snap)
            first = np.ones(hit.sum(), dtype=bool)
            rh, ch = r[hit], c[hit]
            first[1:] = rh[1:] != rh[:-1]  # c is sorted within each row: the lowest edge wins
            gi_out.append(pts[rh[first]])
            ei_out.append(ch[first])
    if len(slow):
        # query_nearest needs max_distance > 0; max_snap 0 means "on the network"
        (g, e), d = net.tree.query_nearest(geoms[slow], max_distance=max(max_snap, 1e-9), all_matches=False,
                                           return_distance=True)
        keep = d <= max_snap
        gi_out.append(slow[g[keep]])
        ei_out.append(e[keep])
    if not gi_out:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    gi, ei = np.concatenate(gi_out), np.concatenate(ei_out)
    order = np.argsort(gi, kind="stable")
    return gi[order], ei[order]


def _set(edge, dist, point, status, g, e, lines) -> None:
    import shapely

    if not len(g):
        return
    edge[g] = e
    dist[g] = shapely.length(lines)
    point[g] = shapely.get_point(lines, 1)
    status[g] = "ok"
