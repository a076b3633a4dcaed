"""Routable networks from line layers: graph building, snapping, multi-source Dijkstra, isochrones.

The graph
---------
:func:`build_network` turns a line layer (the ``corridors`` layer, or a planner's own street
layer) into an undirected graph in a projected metric CRS. Every vertex of every line is a
node; vertices of different lines that coincide (to the millimetre) are one node, so lines
are connected where they share a vertex or an end, and only there (a road crossing a railway
or another road on a bridge, without a shared vertex, is not a junction). Each edge is one
straight segment with its length in metres and its time in minutes from the line's
``speed_kmh``. Two lines sharing a segment give one edge with the shorter length / time.

Rail lines are not door-to-door routes: by default only lines with ``mode == "road"`` are
used (a layer without a ``mode`` column is used entirely); pass ``modes=None`` to keep all.

Snapping and walking
--------------------
A place (a point, or a polygon such as a park) joins the graph at the nearest point of the
nearest edge within ``max_snap`` metres (:func:`snap`). The walking leg from the place to
that point is counted at the walking speed (default 4.5 km/h). A walking leg never crosses the
river: a snap line that enters the river polygon (the ``barrier``) is rejected and the next
nearest edge within ``max_snap`` is tried; a place with none is reported, never routed.
A polygon also joins the graph, at no walking cost, wherever an edge runs into it: each edge
that intersects it is entered at the first and left at the last point of its part inside the
polygon (a park is entered wherever a road reaches it, including at nodes inside it).

Costs
-----
Costs are in ``"m"`` (route length) or ``"min"`` (travel time). Dijkstra runs in
:mod:`scipy.sparse.csgraph` over an augmented directed graph: the real edges in both
directions, one virtual node per origin with edges to its access nodes, and one virtual node
per destination with edges from its access nodes (plus a direct edge where an origin and a
destination snap to the same segment), so that one call gives a whole origin x destination
matrix, and one call from a single virtual super-source gives the cost of the nearest of many
places at every node (multi-source Dijkstra).

Examples
--------
>>> import geopandas as gpd
>>> from shapely import LineString, Point
>>> lines = gpd.GeoDataFrame({"speed_kmh": [60.0]}, geometry=[LineString([(0, 0), (1000, 0)])],
...                          crs="EPSG:32645")
>>> net = build_network(lines)
>>> net.n_nodes, net.n_edges, float(net.edge_time_min[0])
(2, 1, 1.0)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from ino_geo._errors import DataError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import scipy.sparse

__all__ = [
    "DEFAULT_MAX_SNAP_M",
    "DEFAULT_WALK_SPEED_KMH",
    "DEFAULT_DENSIFY_M",
    "Network",
    "Snap",
    "build_network",
    "snap",
    "od_costs",
    "node_costs",
    "nearest_costs",
    "crosses_barrier",
    "walk_m_per_unit",
    "isochrone",
]

DEFAULT_MAX_SNAP_M = 1000.0
DEFAULT_WALK_SPEED_KMH = 4.5
DEFAULT_DENSIFY_M = 25.0
_ROUND = 3  # node identity: coordinates equal to the millimetre


def walk_m_per_unit(unit: str, walk_speed_kmh: float) -> float:
    """Metres walked per cost unit: 1 for ``"m"``, metres per minute for ``"min"``."""
    _check_unit(unit)
    return 1.0 if unit == "m" else walk_speed_kmh * 1000.0 / 60.0


def _check_unit(unit: str) -> None:
    if unit not in ("m", "min"):
        raise UsageError(f"unknown cost unit {unit!r}; use 'm' or 'min'")


@dataclass(repr=False)
class Network:
    """A routable graph in a projected metric CRS.

    Attributes
    ----------
    crs : str
        The metric CRS of the coordinates.
    nodes : ndarray (n, 2)
        Node coordinates, metres.
    edge_u, edge_v : ndarray of int
        End nodes of each edge (a straight segment).
    edge_length_m, edge_time_min : ndarray of float
        Length (metres) and travel time (minutes) of each edge.
    edge_line : ndarray of int
        Row position in the source line layer of each edge.
    line_ids : ndarray
        Identifier of each source line (its id column, else its index).
    """

    crs: str
    nodes: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length_m: np.ndarray
    edge_time_min: np.ndarray
    edge_line: np.ndarray
    line_ids: np.ndarray
    _segments: Any = field(default=None, repr=False)
    _tree: Any = field(default=None, repr=False)
    _node_tree: Any = field(default=None, repr=False)
    _graphs: dict = field(default_factory=dict, repr=False)
    _kd: Any = field(default=None, repr=False)

    def __repr__(self) -> str:
        km = float(self.edge_length_m.sum()) / 1000.0 if len(self.edge_length_m) else 0.0
        return (f"<Network {self.crs}: {self.n_nodes} nodes, {self.n_edges} edges, {km:.1f} km, "
                f"{len(self.line_ids)} source lines>")

    @property
    def n_nodes(self) -> int:
        return len(self.nodes)

    @property
    def n_edges(self) -> int:
        return len(self.edge_u)

    @property
    def segments(self) -> np.ndarray:
        """One shapely LineString per edge."""
        if self._segments is None:
            import shapely

            coords = np.stack([self.nodes[self.edge_u], self.nodes[self.edge_v]], axis=1)
            self._segments = shapely.linestrings(coords)
        return self._segments

    @property
    def tree(self):
        """STRtree over the edge segments."""
        if self._tree is None:
            import shapely

            self._tree = shapely.STRtree(self.segments)
        return self._tree

    @property
    def node_tree(self):
        """STRtree over the node points."""
        if self._node_tree is None:
            import shapely

            self._node_tree = shapely.STRtree(shapely.points(self.nodes))
        return self._node_tree

    def edge_weight(self, unit: str) -> np.ndarray:
        """Edge costs in `unit` (``"m"`` or ``"min"``)."""
        _check_unit(unit)
        return self.edge_length_m if unit == "m" else self.edge_time_min

    def to_networkx(self, unit: str = "m"):
        """The graph as an undirected ``networkx.Graph`` (weight attribute ``weight``); for checks."""
        import networkx as nx

        g = nx.Graph()
        g.add_nodes_from(range(self.n_nodes))
        w = self.edge_weight(unit)
        for u, v, c in zip(self.edge_u.tolist(), self.edge_v.tolist(), w.tolist()):
            if not g.has_edge(u, v) or g[u][v]["weight"] > c:
                g.add_edge(u, v, weight=c)
        return g

    def csgraph(self, unit: str) -> "scipy.sparse.csr_matrix":
        """The graph as a symmetric CSR matrix of costs in `unit` (parallel edges: the minimum)."""
        if unit not in self._graphs:
            self._graphs[unit] = _csr(self.n_nodes, self.edge_u, self.edge_v, self.edge_weight(unit), both=True)
        return self._graphs[unit]


def _csr(n: int, u: np.ndarray, v: np.ndarray, w: np.ndarray, both: bool):
    """CSR matrix n x n from directed edges (u -> v, cost w), keeping the minimum of duplicates.

    Zero costs are stored as a tiny positive value (csgraph treats explicit zeros as missing
    edges when converting from dense, and explicit zeros can be lost in arithmetic).
    """
    from scipy.sparse import csr_matrix

    if both:
        u, v, w = np.concatenate([u, v]), np.concatenate([v, u]), np.concatenate([w, w])
    order = np.lexsort((w, v, u))
    u, v, w = u[order], v[order], w[order]
    keep = np.ones(len(u), dtype=bool)
    keep[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    u, v, w = u[keep], v[keep], w[keep]
    w = np.where(w > 0, w, _EPS)
    return csr_matrix((w, (u, v)), shape=(n, n))


_EPS = 1e-12


def build_network(
    lines: "gpd.GeoDataFrame",
    *,
    speed_col: str = "speed_kmh",
    modes: Sequence[str] | None = ("road",),
    id_col: str | None = None,
    crs: Any = None,
    name: str = "network",
) -> Network:
    """Build a routable :class:`Network` from a line layer.

    Parameters
    ----------
    lines : GeoDataFrame
        LineString/MultiLineString features with a speed column (km/h), any CRS with a
        definition. For scenarios, pass :func:`ino_geo.select_corridors` output, whose
        ``speed_kmh`` is the speed in that scenario.
    speed_col : str
        Column with the speed in km/h (finite, > 0).
    modes : sequence of str or None
        Keep only lines whose ``mode`` is listed (default roads only: rail is not a
        door-to-door route); None keeps every line. Ignored if there is no ``mode`` column.
    id_col : str, optional
        Identifier column (default: ``corridor_id`` if present, else the index).
    crs : optional
        Metric CRS to work in (default: estimated from the data; EPSG:32645 for Tomsk).
    name : str
        Name of the layer in error messages.

    Returns
    -------
    Network

    Raises
    ------
    DataError
        No CRS, no speed column, a missing/non-positive speed, no lines left, non-line geometry.
    """
    import shapely

    from ino_geo.crs import to_metric

    from ino_geo.analysis.coverage import _TYPE_NAMES, label

    if id_col is None:
        id_col = "corridor_id" if "corridor_id" in lines.columns else None
    name = label(lines, name)
    kinds0 = shapely.get_type_id(np.asarray(lines.geometry.values, dtype=object))
    notline = np.flatnonzero(~np.isin(kinds0, [1, 5]) & (kinds0 >= 0))
    if len(notline):
        i = notline[0]
        rid = f" ({lines[id_col].iloc[i]})" if id_col else ""
        raise DataError(f"{name}: record {i}{rid} field geometry: a {_TYPE_NAMES.get(int(kinds0[i]), kinds0[i])} "
                        "is not a line (LineString/MultiLineString expected)")
    if lines.crs is None:
        raise DataError(f"{name}: the layer has no CRS")
    if speed_col not in lines.columns:
        raise DataError(f"{name}: column {speed_col!r} is missing (travel speed in km/h)")
    if modes is not None and "mode" in lines.columns:
        lines = lines[lines["mode"].isin(list(modes))]
    gdf = to_metric(lines, crs)
    geoms = gdf.geometry.values
    ok = ~(shapely.is_missing(np.asarray(geoms)) | shapely.is_empty(np.asarray(geoms)))
    gdf = gdf[ok]
    if len(gdf) == 0:
        raise DataError(f"{name}: no lines to route on" + (f" (modes {', '.join(modes)})" if modes else ""))
    garr = np.asarray(gdf.geometry.values)
    ids = gdf[id_col].to_numpy() if id_col else gdf.index.to_numpy()
    speed = np.asarray(gdf[speed_col], dtype=float)
    badspeed = np.flatnonzero(~np.isfinite(speed) | (speed <= 0))
    if len(badspeed):
        raise DataError(
            f"{name}: record {_rec(ids, badspeed[0])} field {speed_col}: {speed[badspeed[0]]!r} is not a "
            "positive speed in km/h"
        )
    parts, part_line = shapely.get_parts(garr, return_index=True)
    coords, pidx = shapely.get_coordinates(parts, return_index=True)
    if not np.isfinite(coords).all():
        raise DataError(f"{name}: non-finite coordinates in the line geometries")
    key = np.round(coords, _ROUND)
    uniq, first, inv = np.unique(key, axis=0, return_index=True, return_inverse=True)
    inv = inv.ravel()
    nodes = coords[first]
    # number the nodes tile by tile (about 32 x 32 tiles): neighbours get near numbers, which
    # makes Dijkstra's memory access local (1.5x faster on a 100,000-node grid)
    span = max(float(np.ptp(nodes[:, 0])), float(np.ptp(nodes[:, 1])), 1.0)
    tile = span / 32.0
    perm = np.lexsort((nodes[:, 0], np.floor((nodes[:, 0] - nodes[:, 0].min()) / tile), np.floor((nodes[:, 1] - nodes[:, 1].min()) / tile)))
    rank = np.empty_like(perm)
    rank[perm] = np.arange(len(perm))
    nodes = nodes[perm]
    inv = rank[inv]
    same = pidx[1:] == pidx[:-1]
    a = np.flatnonzero(same)
    u, v = inv[a], inv[a + 1]
    keep = u != v
    a, u, v = a[keep], u[keep], v[keep]
    length = np.hypot(*(nodes[v] - nodes[u]).T)
    line_of_edge = part_line[pidx[a]]
    time = length / (speed[line_of_edge] * 1000.0 / 60.0)
    return Network(
        crs=gdf.crs.to_string(),
        nodes=nodes,
        edge_u=u.astype(np.int64),
        edge_v=v.astype(np.int64),
        edge_length_m=length,
        edge_time_min=time,
        edge_line=line_of_edge.astype(np.int64),
        line_ids=np.asarray(ids),
    )


def _rec(ids: np.ndarray, i: int) -> str:
    return f"{i} ({ids[i]})"


# --------------------------------------------------------------------------------------------
# snapping


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

    def access(self, net: Network, unit: str, walk_speed_kmh: float, lengths: bool = False):
        """Access entries ``(place, node, cost)`` (and their metres if `lengths`): both ends of
        the snapped edge, and both ends of every edge running into a polygon place."""
        w = net.edge_weight(unit)
        L = net.edge_length_m
        m = walk_m_per_unit(unit, walk_speed_kmh)
        s = np.flatnonzero(self.edge >= 0)
        e = self.edge[s]
        walk = self.walk_m[s] / m
        ee = self.entry_edge
        place = np.concatenate([s, s, self.entry_place, self.entry_place])
        node = np.concatenate([net.edge_u[e], net.edge_v[e], net.edge_u[ee], net.edge_v[ee]])
        cost = np.concatenate([walk + self.frac[s] * w[e], walk + (1.0 - self.frac[s]) * w[e],
                               self.entry_f0 * w[ee], (1.0 - self.entry_f1) * w[ee]])
        out = (place.astype(np.int64), node.astype(np.int64), cost)
        if lengths:
            metres = np.concatenate([self.walk_m[s] + self.frac[s] * L[e], self.walk_m[s] + (1.0 - self.frac[s]) * L[e],
                                     self.entry_f0 * L[ee], (1.0 - self.entry_f1) * L[ee]])
            out = out + (metres,)
        return out


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


def snap(
    net: Network,
    geoms: np.ndarray,
    *,
    max_snap: float = DEFAULT_MAX_SNAP_M,
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
        segs = net.segments
        vi = np.flatnonzero(valid)
        gi, ei = _nearest_edges(net, geoms[vi], max_snap)
        gi = vi[gi]
        lines = shapely.shortest_line(geoms[gi], segs[ei])
        cross = crosses_barrier(lines, barrier)
        good = ~cross
        _set(edge, dist, point, status, gi[good], ei[good], lines[good])
        if cross.any():
            # try every other edge within max_snap, nearest first
            bad = gi[cross]
            status[bad] = "river"
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
                _set(edge, dist, point, status, qg[first], qe[first], ql[first])
    s = np.flatnonzero(edge >= 0)
    frac = np.full(n, np.nan)
    if len(s):
        frac[s] = np.clip(shapely.line_locate_point(net.segments[edge[s]], point[s], normalized=True), 0.0, 1.0)
    ep = np.zeros(0, dtype=np.int64)
    ee = np.zeros(0, dtype=np.int64)
    f0 = f1 = np.zeros(0)
    if entries and n and net.n_edges:
        poly = np.flatnonzero(valid & np.isin(shapely.get_type_id(geoms), [3, 6]))
        if len(poly):
            pi, ee = net.tree.query(geoms[poly], predicate="intersects")
            if len(pi):
                segs = net.segments[ee]
                inside = shapely.intersection(segs, geoms[poly][pi])
                coords, ci = shapely.get_coordinates(inside, return_index=True)
                fr = shapely.line_locate_point(segs[ci], shapely.points(coords), normalized=True)
                f0 = np.full(len(pi), np.inf)
                f1 = np.full(len(pi), -np.inf)
                np.minimum.at(f0, ci, fr)
                np.maximum.at(f1, ci, fr)
                keep = np.isfinite(f0)
                ep, ee, f0, f1 = poly[pi][keep], ee[keep], np.clip(f0[keep], 0, 1), np.clip(f1[keep], 0, 1)
                status[np.unique(ep)] = "ok"
    return Snap(edge=edge, frac=frac, walk_m=dist, point=point, status=status, entry_place=ep.astype(np.int64),
                entry_edge=ee.astype(np.int64), entry_f0=f0, entry_f1=f1)


_KD_STEP = 50.0
_KD_K = 8


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


# --------------------------------------------------------------------------------------------
# shortest paths


def _same_edge_pairs(o: Snap, d: Snap, net: Network, unit: str, walk_speed_kmh: float):
    """Direct connections origin -> destination along a segment both snap to."""
    import pandas as pd

    so = np.flatnonzero(o.edge >= 0)
    sd = np.flatnonzero(d.edge >= 0)
    if not len(so) or not len(sd):
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    m = pd.DataFrame({"o": so, "e": o.edge[so]}).merge(pd.DataFrame({"d": sd, "e": d.edge[sd]}), on="e")
    if m.empty:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    oi, di, e = m["o"].to_numpy(), m["d"].to_numpy(), m["e"].to_numpy()
    w = net.edge_weight(unit)[e]
    mpu = walk_m_per_unit(unit, walk_speed_kmh)
    cost = (o.walk_m[oi] + d.walk_m[di]) / mpu + np.abs(o.frac[oi] - d.frac[di]) * w
    return oi, di, cost


def od_costs(
    net: Network,
    origins: Snap,
    destinations: Snap,
    *,
    unit: str = "min",
    walk_speed_kmh: float = DEFAULT_WALK_SPEED_KMH,
    with_length: bool = False,
    batch: int | None = None,
    workers: int = 1,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Origin x destination costs along the network (walking legs included).

    One Dijkstra per origin (``scipy.sparse.csgraph.dijkstra`` over the graph plus one virtual
    node per origin joined to its access nodes); the cost of a destination is then the
    minimum over its access entries of ``node cost + access cost``, for all destinations at
    once; an origin and a destination on the same segment are also joined directly.

    Parameters
    ----------
    net : Network
    origins, destinations : Snap
        From :func:`snap`.
    unit : ``"min"`` or ``"m"``
        Cost to minimise.
    walk_speed_kmh : float
    with_length : bool
        Also return the length in metres (walking legs included) of each least-cost route.
    batch : int, optional
        Origins per Dijkstra call (memory about 3 x batch x nodes x 8 bytes; default: 200 MB).
    workers : int
        Processes sharing the origins (fork; 1 = in this process).

    Returns
    -------
    cost : ndarray (n_origins, n_destinations)
        ``inf`` where no route exists or a place did not snap.
    length : ndarray or None
    """
    no, nd = len(origins.edge), len(destinations.edge)
    cost = np.full((no, nd), np.inf)
    length = np.full((no, nd), np.inf) if with_length else None
    oa = origins.access(net, unit, walk_speed_kmh, lengths=True)
    da = destinations.access(net, unit, walk_speed_kmh, lengths=True)
    if not len(oa[0]) or not len(da[0]):
        return cost, length
    n = net.n_nodes
    w = net.edge_weight(unit)
    u = np.concatenate([net.edge_u, net.edge_v, n + oa[0]])
    v = np.concatenate([net.edge_v, net.edge_u, oa[1]])
    c = np.concatenate([w, w, oa[2]])
    total = n + no
    G = _csr(total, u, v, c, both=False)
    Lk = _edge_lookup(total, u, v, c, np.concatenate([net.edge_length_m, net.edge_length_m, oa[3]])) if with_length else None
    # destination entries grouped by place, the places in the order of their lowest node, so
    # that gathering node costs reads each Dijkstra row nearly in order (10x faster than random)
    key = np.full(nd, np.iinfo(np.int64).max)
    np.minimum.at(key, da[0], da[1])
    order = np.lexsort((da[1], da[0], key[da[0]]))
    dp, dn, dc, dm = (a[order] for a in da)
    first = np.ones(len(dp), dtype=bool)
    first[1:] = dp[1:] != dp[:-1]
    starts = np.flatnonzero(first)
    places = dp[starts]
    counts = np.diff(np.append(starts, len(dp)))
    todo = np.unique(oa[0])
    if batch is None:
        batch = max(1, int(2e8 // (8 * max(total, len(dn)) * 3)))
    chunks = [todo[i : i + batch] for i in range(0, len(todo), batch)]
    state = (G, Lk, n, dn, dc, dm, places, starts, counts, nd)
    if workers > 1 and len(chunks) > 1:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        global _OD_STATE
        _OD_STATE = state
        try:
            size = max(1, min(batch, -(-len(todo) // (workers * 4))))
            chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
            with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as ex:
                results = list(ex.map(_od_chunk_global, chunks))
        finally:
            _OD_STATE = None
    else:
        results = [_od_chunk(state, rows) for rows in chunks]
    for rows, crow, lrow in results:
        cost[rows[:, None], places[None, :]] = crow
        if with_length:
            length[rows[:, None], places[None, :]] = lrow
    so, sd, sc = _same_edge_pairs(origins, destinations, net, unit, walk_speed_kmh)
    if len(so):
        better = sc < cost[so, sd]
        cost[so[better], sd[better]] = sc[better]
        if with_length:
            length[so[better], sd[better]] = _same_edge_length(net, origins, destinations, so[better], sd[better])
    cost[cost < 1e-9] = 0.0  # tiny stand-ins for zero costs
    return cost, length


_OD_STATE = None


def _od_chunk_global(rows):
    return _od_chunk(_OD_STATE, rows)


def _od_chunk(state, rows):
    """Costs (and lengths) from the origins `rows` to every destination that has access entries
    (columns ``places``)."""
    from scipy.sparse.csgraph import dijkstra

    G, Lk, n, dn, dc, dm, places, starts, counts, nd = state
    if Lk is not None:
        dist, pred = dijkstra(G, directed=True, indices=n + rows, return_predecessors=True)
    else:
        dist = dijkstra(G, directed=True, indices=n + rows)
    M = dist[:, dn] + dc
    best = np.minimum.reduceat(M, starts, axis=1)
    lbest = None
    if Lk is not None:
        lens = _tree_lengths(pred, Lk, n + rows)
        ML = np.where(M <= np.repeat(best, counts, axis=1), lens[:, dn] + dm, np.inf)
        lbest = np.minimum.reduceat(ML, starts, axis=1)
    return rows, best, lbest


def _same_edge_length(net, o, d, so, sd) -> np.ndarray:
    if not len(so):
        return np.zeros(0)
    L = net.edge_length_m[o.edge[so]]
    return o.walk_m[so] + d.walk_m[sd] + np.abs(o.frac[so] - d.frac[sd]) * L


def _edge_lookup(total, u, v, c, el):
    """Sorted keys (u*total+v) -> length of the least-cost parallel edge."""
    order = np.lexsort((c, v, u))
    u, v, el = u[order], v[order], el[order]
    keep = np.ones(len(u), bool)
    keep[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    keys = u[keep].astype(np.int64) * total + v[keep]
    return keys, el[keep]


def _tree_lengths(pred: np.ndarray, lookup, sources: np.ndarray) -> np.ndarray:
    """Sum of edge lengths from each source along its predecessor tree (pointer jumping)."""
    keys, el = lookup
    B, N = pred.shape
    node = np.broadcast_to(np.arange(N), (B, N))
    has = pred >= 0
    acc = np.zeros((B, N))
    k = pred[has].astype(np.int64) * N + node[has]
    pos = np.searchsorted(keys, k)
    acc[has] = el[pos]
    anc = np.where(has, pred, -1).astype(np.int64)
    rowoff = (np.arange(B) * N)[:, None]
    accf = acc.ravel()
    while True:
        live = anc >= 0
        if not live.any():
            break
        flat_anc = (anc + rowoff)[live]
        acc[live] += accf[flat_anc]
        newanc = np.full_like(anc, -1)
        newanc[live] = anc.ravel()[flat_anc]
        anc = newanc
        accf = acc.ravel()
    lens = acc
    lens[~has] = np.inf
    lens[np.arange(B), sources] = 0.0
    return lens


def node_costs(
    net: Network,
    places: Snap,
    *,
    unit: str = "min",
    walk_speed_kmh: float = DEFAULT_WALK_SPEED_KMH,
    limit: float = np.inf,
) -> np.ndarray:
    """Cost of the nearest place at every node: one multi-source Dijkstra from a super-source.

    Returns
    -------
    ndarray (n_nodes,)
        ``inf`` where no place is reachable (within `limit`).
    """
    from scipy.sparse.csgraph import dijkstra

    p, node, c = places.access(net, unit, walk_speed_kmh)
    n = net.n_nodes
    if not len(p):
        return np.full(n, np.inf)
    w = net.edge_weight(unit)
    u = np.concatenate([net.edge_u, net.edge_v, np.full(len(node), n)])
    v = np.concatenate([net.edge_v, net.edge_u, node])
    cc = np.concatenate([w, w, c])
    G = _csr(n + 1, u, v, cc, both=False)
    d = dijkstra(G, directed=True, indices=n, limit=limit)[:n]
    d[d < 1e-9] = 0.0
    return d


def nearest_costs(
    net: Network,
    places: Snap,
    points: Snap,
    *,
    unit: str = "min",
    walk_speed_kmh: float = DEFAULT_WALK_SPEED_KMH,
    node_cost: np.ndarray | None = None,
) -> np.ndarray:
    """Cost from each point to the nearest place along the network (one Dijkstra in total).

    The cost of a point on segment (u, v) at fraction t is its walk plus
    ``min(c[u] + t w, c[v] + (1 - t) w)``, or the direct cost along the segment to a place
    snapped to the same segment.
    """
    if node_cost is None:
        node_cost = node_costs(net, places, unit=unit, walk_speed_kmh=walk_speed_kmh)
    w = net.edge_weight(unit)
    mpu = walk_m_per_unit(unit, walk_speed_kmh)
    out = np.full(len(points.edge), np.inf)
    s = np.flatnonzero(points.edge >= 0)
    e = points.edge[s]
    t = points.frac[s]
    via = np.minimum(node_cost[net.edge_u[e]] + t * w[e], node_cost[net.edge_v[e]] + (1 - t) * w[e])
    out[s] = points.walk_m[s] / mpu + via
    if len(points.entry_place):
        ee = points.entry_edge
        via = np.minimum(node_cost[net.edge_u[ee]] + points.entry_f0 * w[ee],
                         node_cost[net.edge_v[ee]] + (1 - points.entry_f1) * w[ee])
        np.minimum.at(out, points.entry_place, via)
    so, sd, sc = _same_edge_pairs(points, places, net, unit, walk_speed_kmh)
    if len(so):
        np.minimum.at(out, so, sc)
    out[out < 1e-9] = 0.0
    return out


# --------------------------------------------------------------------------------------------
# isochrones


def isochrone(
    net: Network,
    node_cost: np.ndarray,
    threshold: float,
    *,
    unit: str = "min",
    walk_speed_kmh: float = DEFAULT_WALK_SPEED_KMH,
    max_snap: float = DEFAULT_MAX_SNAP_M,
    places: Snap | None = None,
    place_geoms: np.ndarray | None = None,
    barrier: Any = None,
    step: float = DEFAULT_DENSIFY_M,
    quantum: float | None = None,
):
    """The area within `threshold` of the nearest place, travelling along the network.

    Every point of an edge has the cost of the nearest place along the network; from there a
    planner walks the rest of the budget (at most `max_snap` metres). The edges are cut into
    pieces of at most `step` metres; each reached piece is buffered by the walking distance
    left at its worse end, rounded down to `quantum` metres (default 5 m). The places themselves
    (`place_geoms`) are buffered by the walk the whole budget allows. The river is removed
    and parts across it that are not connected to a reached piece or a place are dropped.
    The polygon is therefore a lower bound, exact to within `step` + `quantum` metres.

    Returns
    -------
    shapely Polygon/MultiPolygon (possibly empty), in ``net.crs``.
    """
    import shapely

    mpu = walk_m_per_unit(unit, walk_speed_kmh)
    q = quantum if quantum is not None else min(5.0, step)
    w = net.edge_weight(unit)
    L = net.edge_length_m
    cu, cv = node_cost[net.edge_u], node_cost[net.edge_v]
    reach = (np.minimum(cu, cv) <= threshold) | _places_on_edge_mask(net, places)
    e = np.flatnonzero(reach)
    pieces = []
    radii = []
    if len(e):
        k = np.maximum(1, np.ceil(L[e] / step).astype(np.int64))
        rep = np.repeat(e, k)
        off = np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k)
        f0 = off / np.repeat(k, k)
        f1 = (off + 1) / np.repeat(k, k)

        def cost_at(f):
            c = np.minimum(cu[rep] + f * w[rep], cv[rep] + (1 - f) * w[rep])
            if places is not None:
                c = _place_edge_costs(net, places, rep, f, c, unit, walk_speed_kmh)
            return c

        c0, c1 = cost_at(f0), cost_at(f1)
        r = np.minimum(max_snap, (threshold - np.maximum(c0, c1)) * mpu)
        ok = r >= 0
        p0 = net.nodes[net.edge_u[rep]] * (1 - f0[:, None]) + net.nodes[net.edge_v[rep]] * f0[:, None]
        p1 = net.nodes[net.edge_u[rep]] * (1 - f1[:, None]) + net.nodes[net.edge_v[rep]] * f1[:, None]
        # pieces reached at one end only: a disk at that end
        r0 = np.minimum(max_snap, (threshold - c0) * mpu)
        r1 = np.minimum(max_snap, (threshold - c1) * mpu)
        seg = shapely.linestrings(np.stack([p0[ok], p1[ok]], axis=1)) if ok.any() else np.zeros(0, object)
        pieces.append(seg)
        radii.append(r[ok])
        half0 = ~ok & (r0 >= 0)
        half1 = ~ok & (r1 >= 0)
        pieces.append(shapely.points(p0[half0]) if half0.any() else np.zeros(0, object))
        radii.append(r0[half0])
        pieces.append(shapely.points(p1[half1]) if half1.any() else np.zeros(0, object))
        radii.append(r1[half1])
    geoms = np.concatenate(pieces) if pieces else np.zeros(0, object)
    rad = np.concatenate(radii) if radii else np.zeros(0)
    parts = []
    if len(geoms):
        level = np.floor(rad / q) * q
        kinds = shapely.get_type_id(geoms)
        for lv in np.unique(level):
            if lv > 0:
                sel = level == lv
                segs = geoms[sel & (kinds == 1)]
                pts = geoms[sel & (kinds == 0)]
                if len(segs):  # contiguous pieces merged into long lines buffer much faster
                    parts.append(shapely.buffer(shapely.line_merge(shapely.multilinestrings(segs)), lv))
                if len(pts):
                    parts.append(shapely.buffer(shapely.multipoints(pts), lv))
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
        area = shapely.difference(area, barrier)
        comps = shapely.get_parts(area)
        comps = comps[shapely.get_type_id(comps) == 3]
        anchor = np.concatenate(anchors)
        anchor = shapely.difference(anchor, barrier)
        anchor = anchor[~shapely.is_empty(anchor)]
        tree = shapely.STRtree(comps)
        keep = np.unique(tree.query(anchor, predicate="intersects")[1]) if len(anchor) else np.zeros(0, int)
        area = shapely.union_all(comps[keep]) if len(keep) else shapely.Polygon()
    return area


def _places_on_edge_mask(net: Network, places: Snap | None) -> np.ndarray:
    m = np.zeros(net.n_edges, dtype=bool)
    if places is not None:
        m[places.edge[places.edge >= 0]] = True
        m[places.entry_edge] = True
    return m


def _place_edge_costs(net, places: Snap, rep, f, c, unit, walk_speed_kmh):
    """Lower `c` (cost at fraction f of edge rep) where a place snaps onto that same edge."""
    import pandas as pd

    s = np.flatnonzero(places.edge >= 0)
    mpu = walk_m_per_unit(unit, walk_speed_kmh)
    w = net.edge_weight(unit)
    # snap points (walk + along the edge) and entries into polygon places (0 inside the part)
    pl = pd.DataFrame({
        "e": np.concatenate([places.edge[s], places.entry_edge]),
        "t0": np.concatenate([places.frac[s], places.entry_f0]),
        "t1": np.concatenate([places.frac[s], places.entry_f1]),
        "a": np.concatenate([places.walk_m[s] / mpu, np.zeros(len(places.entry_edge))]),
    })
    if pl.empty:
        return c
    pos = pd.DataFrame({"i": np.arange(len(rep)), "e": rep})
    m = pos.merge(pl, on="e")
    if m.empty:
        return c
    i = m["i"].to_numpy()
    off = np.maximum(0.0, np.maximum(m["t0"].to_numpy() - f[i], f[i] - m["t1"].to_numpy()))
    direct = m["a"].to_numpy() + off * w[m["e"].to_numpy()]
    c = c.copy()
    np.minimum.at(c, i, direct)
    return c
