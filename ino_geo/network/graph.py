"""The routable graph of a line layer: :class:`Network`, :func:`build_network`, cost units.

:func:`build_network` turns a line layer (the ``corridors`` layer, or a planner's own street
layer) into a graph in a projected metric CRS, directed where a line is one-way. Every vertex of every line is a
node; vertices of different lines that coincide (to the millimetre) are one node, so lines
are connected where they share a vertex or an end, and only there (a road crossing a railway
or another road on a bridge, without a shared vertex, is not a junction). Each edge is one
straight segment with its length in metres and its time in minutes from the line's
``speed_kmh``. Two lines sharing a segment give one edge with the shorter length / time.

A line may be one-way (column ``oneway``, see :func:`oneway_values`): ``1``/``true``/``yes``
(travel only in the digitised direction), ``-1``/``reverse`` (only against it), ``0``/``false``/
``no``/empty (both ways; the default, and every line of a layer without the column). The edges
of a line travelled against its digitised direction are stored reversed, so every one-way edge
runs ``edge_u -> edge_v`` (``Network.edge_oneway``).

Rail lines are not door-to-door routes: by default only lines with ``mode == "road"`` are
used (a layer without a ``mode`` column is used entirely); pass ``modes=None`` to keep all.

Costs are in ``"m"`` (route length) or ``"min"`` (travel time); :meth:`Network.arcs` lists the
directed arcs (optionally reversed, for routes *to* places), :meth:`Network.csgraph` is the
graph as a CSR matrix for :mod:`scipy.sparse.csgraph` (symmetric without one-way lines), and :func:`edge_matrix` builds
the augmented directed matrices of :mod:`ino_geo.network.routing`.

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

from ino_geo import defaults
from ino_geo._errors import DataError, UsageError
from ino_geo.network._naming import geometry_type_name, label

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import scipy.sparse

__all__ = ["Network", "build_network", "edge_matrix", "walk_m_per_unit", "check_unit", "check_direction",
           "oneway_values", "DIRECTIONS"]

#: Travel directions of an analysis: ``"to"`` (from the origin / population to the park, the
#: default) or ``"from"`` (from the park to the origin).
DIRECTIONS = ("to", "from")

_ONEWAY = {"1": 1, "yes": 1, "true": 1, "-1": -1, "reverse": -1, "0": 0, "no": 0, "false": 0, "": 0,
           "1.0": 1, "-1.0": -1, "0.0": 0}

_ROUND = 3  # node identity: coordinates equal to the millimetre
_EPS = 1e-12  # stand-in for a zero cost in a sparse matrix


def walk_m_per_unit(unit: str, walk_speed_kmh: float) -> float:
    """Metres walked per cost unit: 1 for ``"m"``, metres per minute for ``"min"``.

    >>> walk_m_per_unit("min", 4.5), walk_m_per_unit("m", 4.5)
    (75.0, 1.0)
    """
    check_unit(unit)
    return 1.0 if unit == "m" else defaults.walk_m_per_min(walk_speed_kmh)


def check_unit(unit: str) -> None:
    """UsageError unless `unit` is a cost unit (``"m"`` or ``"min"``)."""
    if unit not in ("m", "min"):
        raise UsageError(f"unknown cost unit {unit!r}; use 'm' or 'min'")


def check_direction(direction: str) -> str:
    """UsageError unless `direction` is ``"to"`` or ``"from"``.

    >>> check_direction("to")
    'to'
    """
    if direction not in DIRECTIONS:
        raise UsageError(f"unknown direction {direction!r}; use 'to' (origin to park) or 'from' (park to origin)")
    return direction


def oneway_values(values: Sequence[Any], name: str = "network", col: str = "oneway", ids: Any = None) -> np.ndarray:
    """The travel direction of each line: ``1`` digitised direction only, ``-1`` against it, ``0`` both.

    Accepted (case-insensitive): True/``1``/``"yes"``/``"true"`` -> 1; ``-1``/``"-1"``/
    ``"reverse"`` -> -1; False/``0``/``"no"``/``"false"``/empty/null -> 0. Anything else is a
    DataError naming the record and field.

    >>> oneway_values([True, "yes", -1, "reverse", None, "no", 0.0, float("nan")]).tolist()
    [1, 1, -1, -1, 0, 0, 0, 0]
    """
    import pandas as pd

    arr = np.asarray(values, dtype=object)
    out = np.zeros(len(arr), dtype=np.int8)
    null = np.asarray(pd.isna(pd.Series(arr, dtype=object)))
    seen: dict = {}
    for i in np.flatnonzero(~null):
        v = arr[i]
        if v not in seen:  # one look-up per distinct value
            key = ("true" if v else "false") if isinstance(v, (bool, np.bool_)) else str(v).strip().lower()
            seen[v] = _ONEWAY.get(key)
        if seen[v] is None:
            rid = f" ({ids[i]})" if ids is not None else ""
            raise DataError(f"{name}: record {i}{rid} field {col}: {v!r} is not a one-way value "
                            "(true/yes/1, -1/reverse, false/no/0 or empty)")
        out[i] = seen[v]
    return out


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
    edge_oneway : ndarray of bool, optional
        True where an edge may only be travelled ``edge_u -> edge_v`` (None: every edge both ways).
    """

    crs: str
    nodes: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length_m: np.ndarray
    edge_time_min: np.ndarray
    edge_line: np.ndarray
    line_ids: np.ndarray
    edge_oneway: Any = None
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
        check_unit(unit)
        return self.edge_length_m if unit == "m" else self.edge_time_min

    @property
    def oneway(self) -> np.ndarray:
        """True where an edge may only be travelled ``edge_u -> edge_v`` (one per edge)."""
        if self.edge_oneway is None:
            return np.zeros(self.n_edges, dtype=bool)
        return np.asarray(self.edge_oneway, dtype=bool)

    @property
    def directed(self) -> bool:
        """True if some edge is one-way."""
        return bool(self.oneway.any())

    def arcs(self, reverse: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The directed arcs ``(tail, head, edge)``: every edge ``u -> v``, then ``v -> u`` of the
        two-way edges; `reverse` swaps tails and heads (costs *to* a node from everywhere)."""
        two = np.flatnonzero(~self.oneway)
        a = np.concatenate([self.edge_u, self.edge_v[two]])
        b = np.concatenate([self.edge_v, self.edge_u[two]])
        e = np.concatenate([np.arange(self.n_edges), two])
        return (b, a, e) if reverse else (a, b, e)

    def to_networkx(self, unit: str = "m", directed: bool | None = None):
        """The graph as a ``networkx.Graph`` (``DiGraph`` if `directed`, default: if some edge is
        one-way; weight attribute ``weight``); for checks."""
        import networkx as nx

        directed = self.directed if directed is None else directed
        g = nx.DiGraph() if directed else nx.Graph()
        g.add_nodes_from(range(self.n_nodes))
        w = self.edge_weight(unit)
        u, v, e = self.arcs() if directed else (self.edge_u, self.edge_v, np.arange(self.n_edges))
        for a, b, c in zip(u.tolist(), v.tolist(), w[e].tolist()):
            if not g.has_edge(a, b) or g[a][b]["weight"] > c:
                g.add_edge(a, b, weight=c)
        return g

    def csgraph(self, unit: str, reverse: bool = False) -> "scipy.sparse.csr_matrix":
        """The graph as a CSR matrix of costs in `unit` (parallel edges: the minimum); symmetric
        without one-way edges; `reverse`: every arc turned round."""
        key = (unit, bool(reverse))
        if key not in self._graphs:
            u, v, e = self.arcs(reverse)
            self._graphs[key] = edge_matrix(self.n_nodes, u, v, self.edge_weight(unit)[e], both=False)
        return self._graphs[key]


def edge_matrix(n: int, u: np.ndarray, v: np.ndarray, w: np.ndarray, both: bool):
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


def build_network(
    lines: "gpd.GeoDataFrame",
    *,
    speed_col: str = "speed_kmh",
    modes: Sequence[str] | None = ("road",),
    id_col: str | None = None,
    crs: Any = None,
    name: str = "network",
    oneway_col: str | None = "oneway",
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
    oneway_col : str or None
        Column saying which way a line may be travelled (:func:`oneway_values`); a layer
        without it, or None, routes every line both ways.

    Returns
    -------
    Network

    Raises
    ------
    DataError
        No CRS, no speed column, a missing/non-positive speed, an unknown one-way value, no lines
        left, non-line geometry.
    """
    if id_col is None:
        id_col = "corridor_id" if "corridor_id" in lines.columns else None
    name = label(lines, name)
    _check_lines(lines, name, id_col, speed_col)
    gdf = _routable_lines(lines, modes, crs, name)
    ids = gdf[id_col].to_numpy() if id_col else gdf.index.to_numpy()
    speed = _speeds(gdf, speed_col, ids, name)
    way = (oneway_values(gdf[oneway_col], name, oneway_col, ids) if oneway_col and oneway_col in gdf.columns
           else np.zeros(len(gdf), np.int8))
    nodes, u, v, line_of_edge = _nodes_and_edges(np.asarray(gdf.geometry.values), name)
    back = way[line_of_edge] < 0  # travelled against the digitised direction: store the edge reversed
    u, v = np.where(back, v, u), np.where(back, u, v)
    length = np.hypot(*(nodes[v] - nodes[u]).T)
    time = length / (speed[line_of_edge] * 1000.0 / 60.0)  # km/h -> m/min
    return Network(
        crs=gdf.crs.to_string(),
        nodes=nodes,
        edge_u=u.astype(np.int64),
        edge_v=v.astype(np.int64),
        edge_length_m=length,
        edge_time_min=time,
        edge_line=line_of_edge.astype(np.int64),
        line_ids=np.asarray(ids),
        edge_oneway=way[line_of_edge] != 0,
    )


def _check_lines(lines: "gpd.GeoDataFrame", name: str, id_col: str | None, speed_col: str) -> None:
    """DataError on a non-line geometry, a layer without CRS or without the speed column."""
    import shapely

    kinds = shapely.get_type_id(np.asarray(lines.geometry.values, dtype=object))
    notline = np.flatnonzero(~np.isin(kinds, [1, 5]) & (kinds >= 0))
    if len(notline):
        i = notline[0]
        rid = f" ({lines[id_col].iloc[i]})" if id_col else ""
        raise DataError(f"{name}: record {i}{rid} field geometry: a {geometry_type_name(kinds[i])} "
                        "is not a line (LineString/MultiLineString expected)")
    if lines.crs is None:
        raise DataError(f"{name}: the layer has no CRS")
    if speed_col not in lines.columns:
        raise DataError(f"{name}: column {speed_col!r} is missing (travel speed in km/h)")


def _routable_lines(lines: "gpd.GeoDataFrame", modes: Sequence[str] | None, crs: Any, name: str) -> "gpd.GeoDataFrame":
    """The lines of the kept modes with a geometry, in the metric CRS (DataError if none)."""
    import shapely

    from ino_geo.crs import to_metric

    if modes is not None and "mode" in lines.columns:
        lines = lines[lines["mode"].isin(list(modes))]
    gdf = to_metric(lines, crs)
    geoms = np.asarray(gdf.geometry.values)
    gdf = gdf[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if len(gdf) == 0:
        raise DataError(f"{name}: no lines to route on" + (f" (modes {', '.join(modes)})" if modes else ""))
    return gdf


def _speeds(gdf: "gpd.GeoDataFrame", speed_col: str, ids: np.ndarray, name: str) -> np.ndarray:
    """The speed of each line, km/h (DataError naming the first missing or non-positive one)."""
    speed = np.asarray(gdf[speed_col], dtype=float)
    bad = np.flatnonzero(~np.isfinite(speed) | (speed <= 0))
    if len(bad):
        i = bad[0]
        raise DataError(f"{name}: record {i} ({ids[i]}) field {speed_col}: {speed[i]!r} is not a positive speed in km/h")
    return speed


def _nodes_and_edges(garr: np.ndarray, name: str):
    """Nodes (coinciding vertices merged, numbered tile by tile) and the straight segments
    between consecutive vertices: ``(nodes, edge_u, edge_v, line of each edge)``."""
    import shapely

    parts, part_line = shapely.get_parts(garr, return_index=True)
    coords, pidx = shapely.get_coordinates(parts, return_index=True)
    if not np.isfinite(coords).all():
        raise DataError(f"{name}: non-finite coordinates in the line geometries")
    _, first, inv = np.unique(np.round(coords, _ROUND), axis=0, return_index=True, return_inverse=True)
    nodes, rank = _tile_order(coords[first])
    inv = rank[inv.ravel()]
    a = np.flatnonzero(pidx[1:] == pidx[:-1])
    u, v = inv[a], inv[a + 1]
    keep = u != v
    a, u, v = a[keep], u[keep], v[keep]
    return nodes, u, v, part_line[pidx[a]]


def _tile_order(nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The nodes numbered tile by tile (about 32 x 32 tiles), and the new number of each.

    Neighbours get near numbers, which makes Dijkstra's memory access local (1.5x faster on a
    100,000-node grid).
    """
    span = max(float(np.ptp(nodes[:, 0])), float(np.ptp(nodes[:, 1])), 1.0)
    tile = span / 32.0
    perm = np.lexsort((nodes[:, 0], np.floor((nodes[:, 0] - nodes[:, 0].min()) / tile),
                       np.floor((nodes[:, 1] - nodes[:, 1].min()) / tile)))
    rank = np.empty_like(perm)
    rank[perm] = np.arange(len(perm))
    return nodes[perm], rank
