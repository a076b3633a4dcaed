"""Route geometry: the path a network-mode link takes, as a line along the network.

:func:`ino_geo.proximity` reports the cost of the quickest route; its row geometry is the
straight link. :func:`route_paths` replaces the geometry of the rows whose ``route`` is
``"network"`` by the route itself: the walk from the origin to its snap point, the network
edges between the edge ends (nodes of the path from scipy's
``dijkstra(..., return_predecessors=True)`` on the edges' travel times, one-way edges only in
their direction), and
the walk from the snap point to the park. Rows of other routes (``straight``, ``walk``) keep
their straight line, which is their route.

The path joins the origin's and the park's snapped edges at whichever of their end nodes
gives the quickest total, so its ends may differ from the cost's by the part of one edge.

Examples
--------
>>> import numpy as np
>>> pred = np.array([[-9999, 0, 1, 2]])
>>> node_path(pred, 0, 0, 3)
[0, 1, 2, 3]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ino_geo import defaults

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["route_paths", "node_path", "path_lines"]


def node_path(pred: np.ndarray, row: int, source: int, target: int) -> list[int] | None:
    """The nodes from `source` to `target` in row `row` of a predecessor matrix (None: no path)."""
    out = [int(target)]
    node = int(target)
    while node != source:
        node = int(pred[row, node])
        if node < 0:
            return None
        out.append(node)
    return out[::-1]


def path_lines(net: Any, starts: np.ndarray, ends: np.ndarray, weight: str = "time") -> list[Any]:
    """Lines (in ``net.crs``) from each start point to each end point along `net`.

    Parameters
    ----------
    net : Network
    starts, ends : arrays of shapely Points in ``net.crs``, paired
    weight : {"time", "length"}
        Edge cost the path minimises (travel time, as network-mode proximity ranks, or length).

    Returns
    -------
    list of shapely LineString or None (a point that cannot snap, or no path)
    """
    import shapely
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    from ino_geo.network.snapping import snap

    n = len(starts)
    if n == 0 or net.n_edges == 0:
        return [None] * n
    cost = np.asarray(net.edge_time_min if weight == "time" else net.edge_length_m, dtype=float)
    cost = np.where(cost > 0, cost, 1e-9)
    a, b, e = net.arcs()  # one-way edges only in their direction: the route from origin to park
    graph = csr_matrix((cost[e], (a, b)), shape=(net.n_nodes, net.n_nodes))
    so = snap(net, np.asarray(starts, dtype=object), max_snap=defaults.MAX_DISTANCE_M, entries=False)
    sd = snap(net, np.asarray(ends, dtype=object), max_snap=defaults.MAX_DISTANCE_M, entries=False)
    ends_o = _edge_ends(net, so, cost)
    ends_d = _edge_ends(net, sd, cost)
    sources = np.unique(ends_o[:, [0, 2]][so.edge >= 0].astype(np.int64).ravel())
    if not len(sources):
        return [None] * n
    dist, pred = dijkstra(graph, directed=True, indices=sources, return_predecessors=True)
    row_of = {int(s): i for i, s in enumerate(sources)}
    out: list[Any] = []
    for i in range(n):
        if so.edge[i] < 0 or sd.edge[i] < 0:
            out.append(None)
            continue
        best = None
        for a, ca in ((int(ends_o[i, 0]), ends_o[i, 1]), (int(ends_o[i, 2]), ends_o[i, 3])):
            for b, cb in ((int(ends_d[i, 0]), ends_d[i, 1]), (int(ends_d[i, 2]), ends_d[i, 3])):
                total = ca + dist[row_of[a], b] + cb
                if np.isfinite(total) and (best is None or total < best[0]):
                    best = (total, a, b)
        if best is None:
            out.append(None)
            continue
        nodes = node_path(pred, row_of[best[1]], best[1], best[2])
        coords = [shapely.get_coordinates(starts[i])[0], shapely.get_coordinates(so.point[i])[0]]
        coords += [net.nodes[k] for k in (nodes or [])]
        coords += [shapely.get_coordinates(sd.point[i])[0], shapely.get_coordinates(ends[i])[0]]
        pts = np.array(coords, dtype=float)
        keep = np.ones(len(pts), dtype=bool)
        keep[1:] = np.any(np.abs(np.diff(pts, axis=0)) > 1e-9, axis=1)
        pts = pts[keep]
        out.append(shapely.linestrings(pts) if len(pts) >= 2 else None)
    return out


def _edge_ends(net: Any, s: Any, cost: np.ndarray) -> np.ndarray:
    """Per place: [node u, cost from the snap point to u, node v, cost to v] of its snapped edge."""
    n = len(s.edge)
    out = np.zeros((n, 4))
    ok = s.edge >= 0
    e = s.edge[ok]
    f = s.frac[ok]
    out[ok, 0] = net.edge_u[e]
    out[ok, 1] = f * cost[e]
    out[ok, 2] = net.edge_v[e]
    out[ok, 3] = (1 - f) * cost[e]
    return out


def route_paths(prox: "gpd.GeoDataFrame", network: Any, *, scenario: str | None = None) -> "gpd.GeoDataFrame":
    """`prox` (a network-mode :func:`ino_geo.proximity` result) with each ``route == "network"``
    row's geometry replaced by its route along `network` (the corridors layer or a Network).

    Returns a copy; other rows, and a euclidean result, are returned unchanged.
    """
    import geopandas as gpd

    from ino_geo.network.scenarios import scenario_network

    attrs = dict(prox.attrs)
    if attrs.get("mode") != "network" or not len(prox) or "route" not in prox.columns:
        return prox
    crs = attrs.get("metric_crs") or "EPSG:32645"
    rows = np.flatnonzero((prox["route"] == "network").to_numpy() & ~prox.geometry.isna().to_numpy())
    if not len(rows):
        return prox
    net = scenario_network(network, scenario or attrs.get("scenario") or defaults.SCENARIOS[0], crs=crs)
    links = gpd.GeoSeries(prox.geometry.iloc[rows].values, crs=prox.crs).to_crs(crs)
    import shapely

    starts = shapely.points(np.array([shapely.get_coordinates(g)[0] for g in links]))
    ends = shapely.points(np.array([shapely.get_coordinates(g)[-1] for g in links]))
    lines = path_lines(net, starts, ends)
    geo = np.asarray(prox.geometry.values, dtype=object).copy()
    drawn = gpd.GeoSeries([ln if ln is not None else links.iloc[j] for j, ln in enumerate(lines)],
                          crs=crs).to_crs(prox.crs)
    geo[rows] = np.asarray(drawn.values, dtype=object)
    out = prox.set_geometry(list(geo), crs=prox.crs)
    out.attrs = {**attrs, "geometry": "route along the network (network rows), straight link otherwise"}
    return out
