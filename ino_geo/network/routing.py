"""Least-cost routes along a network: origin x destination matrices and nearest-place costs.

Dijkstra runs in :mod:`scipy.sparse.csgraph` over an augmented directed graph: the real
edges (both directions of a two-way edge, one of a one-way edge; sorted and reduced once
per network, unit and direction, then reused) plus one virtual node per origin of a batch
with edges to its access nodes, so that one call gives a batch of rows of the origin x
destination matrix (:func:`od_costs`; a destination costs the least of its access nodes'
costs plus its access legs, a place sharing a segment with an origin is also joined
directly), and one call from a single virtual super-source gives the cost of the nearest
of many places at every node (:func:`node_costs`, multi-source Dijkstra) and at any
snapped point (:func:`nearest_costs`).

Direction: ``direction="to"`` (the default) is the travel from the origin (the point, the
population) to the place (the park); ``"from"`` the travel from the place. On a network with
one-way lines the two differ: routes *to* places are found on the reversed graph, and a place
snapped onto a one-way edge leaves it, or is reached along it, only in its direction.

Examples
--------
>>> LOCAL = "+proj=tmerc +lon_0=87 +datum=WGS84 +units=m"  # planar at (0, 0): scale 1
>>> import geopandas as gpd
>>> from shapely import LineString, Point
>>> from ino_geo.network.graph import build_network
>>> from ino_geo.network.snapping import snap
>>> net = build_network(gpd.GeoDataFrame({"speed_kmh": [60.0]}, geometry=[LineString([(0, 0), (1000, 0)])],
...                                      crs=LOCAL))
>>> o, d = snap(net, [Point(0, 0)]), snap(net, [Point(1000, 0)])
>>> cost, length = od_costs(net, o, d, unit="min", with_length=True)
>>> float(cost[0, 0]), float(length[0, 0])
(1.0, 1000.0)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ino_geo import defaults
from ino_geo.network.graph import Network, check_direction, walk_m_per_unit
from ino_geo.network.snapping import Snap

__all__ = ["od_costs", "node_costs", "nearest_costs", "edge_point_costs"]

_EPS = 1e-12  # a zero-cost arc (csgraph drops explicit zeros); the same as graph.edge_matrix



def _same_edge_pairs(o: Snap, d: Snap, net: Network, unit: str, walk_speed_kmh: float, o_first: bool = True,
                     measure: str | None = None):
    """Direct connections between an origin and a destination snapped to the same segment,
    travelling from the origin to the destination (`o_first`) or back, where the segment allows
    that way: ``(origin, destination, cost)`` (and the cost in `measure`)."""
    so = np.flatnonzero(o.edge >= 0)
    sd = np.flatnonzero(d.edge >= 0)
    sd = sd[np.argsort(d.edge[sd], kind="stable")]
    de = d.edge[sd]
    lo, hi = np.searchsorted(de, o.edge[so], "left"), np.searchsorted(de, o.edge[so], "right")
    k = hi - lo  # destinations on each origin's edge
    oi = np.repeat(so, k)
    di = sd[np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k) + np.repeat(lo, k)]
    e = o.edge[oi]
    start, end = (o.frac[oi], d.frac[di]) if o_first else (d.frac[di], o.frac[oi])
    ok = (end >= start) | ~net.oneway[e]
    oi, di, e = oi[ok], di[ok], e[ok]

    def cost(u):
        return (o.walk_m[oi] + d.walk_m[di]) / walk_m_per_unit(u, walk_speed_kmh) + \
            np.abs(o.frac[oi] - d.frac[di]) * net.edge_weight(u)[e]

    return (oi, di, cost(unit)) + ((cost(measure),) if measure else ())


def od_costs(
    net: Network,
    origins: Snap,
    destinations: Snap,
    *,
    unit: str = "min",
    walk_speed_kmh: float = defaults.WALK_SPEED_KMH,
    with_length: bool = False,
    batch: int | None = None,
    workers: int = 1,
    direction: str = "to",
    measure: str = "m",
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
        Cost to minimise (quickest or shortest route).
    walk_speed_kmh : float
    with_length : bool
        Also return the other measure (`measure`, default metres) of each least-cost route,
        walking legs included.
    batch : int, optional
        Origins per Dijkstra call (memory about 3 x batch x (nodes + batch) x 8 bytes;
        default: 200 MB, at most 1,024 origins or the number of nodes).
    workers : int
        Processes sharing the origins (fork; 1 = in this process).
    direction : ``"to"`` or ``"from"``
        ``"to"``: routes from each origin to each destination (the default); ``"from"``: from
        each destination to each origin (the reversed graph; the same on a two-way network).
    measure : ``"m"`` or ``"min"``
        Unit of the second array (`with_length`).

    Returns
    -------
    cost : ndarray (n_origins, n_destinations)
        ``inf`` where no route exists or a place did not snap.
    length : ndarray or None
    """
    check_direction(direction)
    back = direction == "from"
    no, nd = len(origins.edge), len(destinations.edge)
    cost = np.full((no, nd), np.inf)
    length = np.full((no, nd), np.inf) if with_length else None
    plan = _od_plan(net, origins, destinations, unit, walk_speed_kmh, with_length, back, measure)
    if plan is None:
        return cost, length
    oa, todo, groups, n_entries, (so, sd, sc, sm) = plan
    if batch is None:
        batch = _default_batch(net.n_nodes, n_entries)
    lookup = _base_lookup(net, unit, back, measure) if with_length else None
    _run_chunks((net, unit, back, oa, lookup, nd, groups), todo, batch, workers, cost, length)
    if len(so):
        better = sc < cost[so, sd]
        cost[so[better], sd[better]] = sc[better]
        if with_length:
            length[so[better], sd[better]] = sm[better]
    cost[cost < 1e-9] = 0.0  # tiny stand-ins for zero costs
    return cost, length


_OD_PLANS_KEPT = 4  # od_costs plans cached per network (the most recent origins and destinations)


def _od_plan(net: Network, origins: Snap, destinations: Snap, unit: str, walk_speed_kmh: float, with_length: bool,
             back: bool, measure: str):
    """What :func:`od_costs` prepares before its Dijkstra calls, cached on the network by the
    places' content (:func:`_fingerprint`): the origins' access entries sorted by origin and
    the origins to run, the destinations' entries grouped (:func:`_destination_groups`) and
    their number, and the origin-destination pairs on a shared segment. None if either side
    has no entry. Repeated calls for the same places run the Dijkstra calls alone."""
    key = ("od-plan", unit, float(walk_speed_kmh), bool(with_length), bool(back), measure, _fingerprint(origins),
           _fingerprint(destinations))
    if key in net._graphs:
        return net._graphs[key]
    oa = origins.access(net, unit, walk_speed_kmh, lengths=True, way="in" if back else "out", measure=measure)
    da = destinations.access(net, unit, walk_speed_kmh, lengths=True, way="out" if back else "in", measure=measure)
    plan = None
    if len(oa[0]) and len(da[0]):
        groups = _destination_groups(da, with_length, _base_arcs(net, unit, back))
        oa = tuple(a[np.argsort(oa[0], kind="stable")] for a in oa)  # by origin: a batch's entries are a slice
        same = _same_edge_pairs(origins, destinations, net, unit, walk_speed_kmh, not back, measure)
        plan = (oa, np.unique(oa[0]), groups, len(da[0]), same)
    _keep(net, key, plan, _OD_PLANS_KEPT)
    return plan


def _keep(net: Network, key: tuple, value: Any, kept: int) -> None:
    """``net._graphs[key] = value``, dropping the oldest entries of the same kind (``key[0]``)
    beyond `kept`."""
    old = [k for k in net._graphs if k[0] == key[0]]
    for k in old[: max(0, len(old) - kept + 1)]:
        del net._graphs[k]
    net._graphs[key] = value


def _default_batch(n: int, entries: int) -> int:
    """Origins per Dijkstra call: about 200 MB of (origins x (nodes + origins)) arrays (a row
    also holds the batch's virtual origin nodes), and no more than the nodes or 1,024."""
    w = max(n, entries)
    b = (np.sqrt(w * w + 4 * 2e8 / 24) - w) / 2  # b (w + b) 8 bytes x 3 = 200 MB
    return int(max(1, min(b, max(n, 1024))))


_KEY = 1 << 31  # arc key tail * _KEY + head (node numbers below 2**31)


def _base_lookup(net: Network, unit: str, reverse: bool, measure: str) -> tuple:
    """The network's arcs (:func:`_base_arcs`) as sorted keys, and their `measure`."""
    u, v, _c, e = _base_arcs(net, unit, reverse)[:4]
    return u * _KEY + v, net.edge_weight(measure)[e]


def _origin_graph(net: Network, oa: tuple, rows: np.ndarray, unit: str, reverse: bool, lookup):
    """The graph (reversed if `reverse`) plus a virtual node ``n + i`` for each origin
    ``rows[i]``, joined to its access nodes (`oa`, sorted by origin): ``(CSR matrix, lookup of
    every arc's measure or None)``. Only this batch's origins are added, so that a Dijkstra
    row holds the network's nodes and the batch, not every origin of the call.

    The network's arcs (sorted, parallel ones reduced) are built once per network, unit and
    direction (:func:`_base_arcs`); only the origins' rows are added per batch."""
    n = net.n_nodes
    at = slice(np.searchsorted(oa[0], rows[0], "left"), np.searchsorted(oa[0], rows[-1], "right"))
    local = np.searchsorted(rows, oa[0][at])
    G, (ou, ov, _oc, om) = _augmented(net, unit, reverse, n + len(rows), n + local, oa[1][at], oa[2][at], oa[3][at])
    if lookup is None:
        return G, None
    return G, (np.concatenate([lookup[0], ou * _KEY + ov]), np.concatenate([lookup[1], om]))


def _sorted_min(u, v, c, m):
    """Arcs sorted by (u, v), keeping the least costly of parallel ones (as
    :func:`~ino_geo.network.graph.edge_matrix`): ``(u, v, cost, m)``, `m` carried along."""
    order = np.lexsort((c, v, u))
    u, v, c, m = u[order], v[order], c[order], m[order]
    keep = np.ones(len(u), dtype=bool)
    keep[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    return u[keep], v[keep], c[keep], m[keep]


def _base_arcs(net: Network, unit: str, reverse: bool) -> tuple:
    """The network's arcs in `unit` (reversed if `reverse`), sorted and reduced, cached on the
    network: ``(tail, head, cost, edge, CSR row pointer, CSR (heads, row pointer, data))``, the
    last as a CSR matrix stores them (int32 where they fit, so that neither scipy's constructor
    nor its Dijkstra scans or converts them on every call; zero costs as ``_EPS``)."""
    key = ("routing-arcs", unit, bool(reverse))
    if key not in net._graphs:
        a, b, e = net.arcs(reverse)
        u, v, c, e = _sorted_min(a.astype(np.int64), b.astype(np.int64), net.edge_weight(unit)[e], e)
        indptr = np.concatenate([[0], np.cumsum(np.bincount(u, minlength=net.n_nodes))])
        it = _index_type(net.n_nodes + len(u))
        net._graphs[key] = (u, v, c, e, indptr, (v.astype(it), indptr.astype(it), np.where(c > 0, c, _EPS)))
    return net._graphs[key]


def _index_type(top: int):
    """int32 for CSR indices and row pointers up to `top` (with room for a batch), else int64."""
    return np.int32 if top < 2**31 - 2**24 else np.int64


def _augmented(net: Network, unit: str, reverse: bool, total: int, xu, xv, xc, xm=None):
    """CSR matrix total x total: the network's cached arcs (:func:`_base_arcs`), then the rows
    of the virtual nodes ``xu >= n`` (arcs ``xu -> xv`` costing ``xc``); no sort of the
    network's arcs. Returns the matrix and the virtual arcs as stored ``(u, v, cost, m)``."""
    from scipy.sparse import csr_matrix

    bv, bptr, bdata = _base_arcs(net, unit, reverse)[5]
    xu = np.asarray(xu, dtype=np.int64)
    xm = np.zeros(len(xu)) if xm is None else np.asarray(xm, dtype=float)
    xu, xv, xc, xm = _sorted_min(xu, np.asarray(xv, dtype=np.int64), np.asarray(xc, dtype=float), xm)
    n = net.n_nodes
    counts = np.bincount(xu - n, minlength=total - n) if len(xu) else np.zeros(total - n, np.int64)
    it = _index_type(max(total, len(bv) + len(xu)))
    indptr = np.concatenate([bptr, (len(bv) + np.cumsum(counts))]).astype(it, copy=False)
    heads = np.concatenate([bv, xv]).astype(it, copy=False)
    G = csr_matrix((np.concatenate([bdata, np.where(xc > 0, xc, _EPS)]), heads, indptr), shape=(total, total))
    G.has_sorted_indices = True
    return G, (xu, xv, xc, xm)


def _destination_groups(da: tuple, lengths: bool, arcs: tuple) -> list:
    """Destination access entries grouped by place, and the places by their number of entries
    ``k``: a list of ``(places, node, cost, metres)`` with arrays ``(m, k)``, a place's
    entries sorted by node; repeated entries at a node reduced to the least cost, and without
    `lengths` the entries :func:`_dominated` dropped (with `lengths` only entries of the same
    cost, to the least metres, since costs that differ can round to the same sum and a tie
    picks the shortest). Within a group the places are in the order of their lowest node, so
    that gathering node costs reads each Dijkstra row nearly in order (10x faster than
    random)."""
    p, node, c, m = da
    if not lengths:
        keep = ~_dominated(p, node, c, arcs)
        p, node, c, m = p[keep], node[keep], c[keep], m[keep]
    order = np.lexsort((m, c, node, p))
    p, node, c, m = p[order], node[order], c[order], m[order]
    keep = np.ones(len(p), dtype=bool)
    keep[1:] = (p[1:] != p[:-1]) | (node[1:] != node[:-1]) | (lengths & (c[1:] != c[:-1]))
    p, node, c, m = p[keep], node[keep], c[keep], m[keep]
    first = np.ones(len(p), dtype=bool)
    first[1:] = p[1:] != p[:-1]
    starts = np.flatnonzero(first)
    counts = np.diff(np.append(starts, len(p)))
    groups = []
    for k in np.unique(counts).tolist():
        g = starts[counts == k]
        g = g[np.argsort(node[g], kind="stable")]  # the place's lowest node comes first
        idx = g[:, None] + np.arange(k)
        groups.append((p[g], node[idx], c[idx], m[idx]))
    return groups


def _dominated(p: np.ndarray, node: np.ndarray, c: np.ndarray, arcs: tuple) -> np.ndarray:
    """True for the access entries (place `p`, node ``v``, cost `c`) made useless by an entry of
    the same place at a node ``u`` at no cost (a place at a node), where the arc ``v -> u``
    costs ``a <= c``: Dijkstra leaves ``d[u] <= d[v] + a`` (in floating point too), so
    ``d[u] + 0 <= d[v] + c`` for every origin and the least cost is the same without it."""
    zero = c == 0
    if not zero.any() or zero.all():
        return np.zeros(len(p), dtype=bool)
    heads, ptr, data = arcs[5]
    zkey = np.unique(p[zero] * _KEY + node[zero])
    cand = np.flatnonzero(~zero)
    start = ptr[node[cand]].astype(np.int64)
    deg = ptr[node[cand] + 1] - start
    ent = np.repeat(cand, deg)  # each candidate entry once per arc leaving its node
    arc = np.arange(deg.sum()) + np.repeat(start - np.cumsum(deg) + deg, deg)
    key = p[ent] * _KEY + heads[arc]
    pos = np.minimum(np.searchsorted(zkey, key), len(zkey) - 1)
    out = np.zeros(len(p), dtype=bool)
    out[ent[(zkey[pos] == key) & (data[arc] <= c[ent])]] = True
    return out


def _run_chunks(state: tuple, todo: np.ndarray, batch: int, workers: int, cost: np.ndarray,
                length: np.ndarray | None) -> None:
    """:func:`_od_chunk` over the origins `todo` in batches, in forked processes if `workers` > 1,
    into the rows of `cost` (and `length`); a run of consecutive origins is written in place."""
    chunks = [todo[i : i + batch] for i in range(0, len(todo), batch)]
    if workers <= 1 or len(chunks) <= 1:
        for rows in chunks:
            if rows[-1] - rows[0] + 1 == len(rows):
                at = slice(rows[0], rows[-1] + 1)
                _od_chunk(state, rows, (cost[at], None if length is None else length[at]))
            else:
                _put(cost, length, *_od_chunk(state, rows))
        return
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    global _OD_STATE
    _OD_STATE = state
    try:
        size = max(1, min(batch, -(-len(todo) // (workers * 4))))
        chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as ex:
            for part in ex.map(_od_chunk_global, chunks):
                _put(cost, length, *part)
    finally:
        _OD_STATE = None


def _put(cost, length, rows, crow, lrow) -> None:
    """Rows `rows` of `cost` (and `length`) from a batch's own arrays."""
    cost[rows] = crow
    if length is not None:
        length[rows] = lrow


_OD_STATE = None


def _od_chunk_global(rows):
    return _od_chunk(_OD_STATE, rows)


def _od_chunk(state, rows, out=None):
    """Costs (and lengths) from the origins `rows` to every destination, into `out` (``(cost,
    length)`` of these rows, prefilled with ``inf``) or new arrays: ``(rows, cost, length)``."""
    from scipy.sparse.csgraph import dijkstra

    net, unit, back, oa, lookup, nd, groups = state
    if out is None:
        out = (np.full((len(rows), nd), np.inf), None if lookup is None else np.full((len(rows), nd), np.inf))
    G, Lk = _origin_graph(net, oa, rows, unit, back, lookup)
    src = net.n_nodes + np.arange(len(rows))
    if Lk is not None:
        dist, pred = dijkstra(G, directed=True, indices=src, return_predecessors=True)
        lens = _tree_lengths(pred, Lk, src)
        del pred
    else:
        dist, lens = dijkstra(G, directed=True, indices=src), None
    for places, node, c, m in groups:
        _group_best(dist, lens, node, c, m, places, *out)
    return (rows,) + tuple(out)


_BLOCK = 1 << 19  # gathered costs at a time (4 MB): small temporaries, reused rather than paged in


def _group_best(dist, lens, node, c, m, places, cost, length) -> None:
    """Into columns `places` of `cost`: the least cost over each place's `k` entries (columns
    of `node`, `c`); of `length` (with `lens`): the least length among the entries that reach
    that cost. A few rows at a time: no (rows x entries) temporary."""
    k = node.shape[1]
    cols = [np.ascontiguousarray(node[:, j]) for j in range(k)] if k <= 4 else None
    step = max(1, _BLOCK // node.size)
    b = np.empty((min(step, len(dist)), len(node)))
    for i in range(0, len(dist), step):
        d = dist[i : i + step]
        b = b[: len(d)]
        if k <= 4:
            M = [np.take(d, cols[j], axis=1) + c[:, j] for j in range(k)]
            b[...] = M[0]
            for j in range(1, k):
                np.minimum(b, M[j], out=b)
        else:
            M = [np.take(d, node, axis=1) + c]
            M[0].min(axis=2, out=b)
        cost[i : i + step, places] = b
        if lens is not None:
            length[i : i + step, places] = _least_length(lens[i : i + step], M, b, cols, node, m)


def _least_length(lens, M, b, cols, node, m):
    """The least length among the entries whose cost `M` reaches the least cost `b`."""
    if M[0].ndim == 3:
        return np.where(M[0] <= b[:, :, None], np.take(lens, node, axis=1) + m, np.inf).min(axis=2)
    out = np.full(b.shape, np.inf)
    for j, Mj in enumerate(M):
        np.minimum(out, np.where(Mj <= b, np.take(lens, cols[j], axis=1) + m[:, j], np.inf), out=out)
    return out


def _tree_lengths(pred: np.ndarray, lookup, sources: np.ndarray) -> np.ndarray:
    """Sum of edge lengths from each source along its predecessor tree (pointer jumping)."""
    keys, el = lookup
    B, N = pred.shape
    node = np.broadcast_to(np.arange(N), (B, N))
    has = pred >= 0
    acc = np.zeros((B, N))
    k = pred[has].astype(np.int64) * _KEY + node[has]
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
    walk_speed_kmh: float = defaults.WALK_SPEED_KMH,
    limit: float = np.inf,
    direction: str = "to",
) -> np.ndarray:
    """Cost of the nearest place at every node: one multi-source Dijkstra from a super-source.

    `direction` ``"to"`` (the default): the cost of travelling from the node to its nearest
    place (Dijkstra on the reversed graph); ``"from"``: from the nearest place to the node.

    Returns
    -------
    ndarray (n_nodes,)
        ``inf`` where no place is reachable (within `limit`).
    """
    from scipy.sparse.csgraph import dijkstra

    to = check_direction(direction) == "to"
    n = net.n_nodes
    G = _super_source_graph(net, places, unit, walk_speed_kmh, to)
    if G is None:
        return np.full(n, np.inf)
    d = dijkstra(G, directed=True, indices=n, limit=limit)[:n]
    d[d < 1e-9] = 0.0
    return d


_NODE_GRAPHS_KEPT = 8  # super-source graphs cached per network (the most recent places)
_FINGERPRINT_BYTES = 1 << 16  # a snap this small is its own cache key


def _super_source_graph(net: Network, places: Snap, unit: str, walk_speed_kmh: float, to: bool):
    """The network plus a super-source (node ``n``) joined to `places` (None if none joins),
    cached on the network by the places' content: repeated calls for the same places (every
    threshold of a coverage, an analyst's loop) run Dijkstra alone. A snap changed in place
    has another fingerprint, so it is never served a stale graph."""
    key = ("node-costs", unit, bool(to), float(walk_speed_kmh), _fingerprint(places))
    if key in net._graphs:
        return net._graphs[key]
    p, node, c = places.access(net, unit, walk_speed_kmh, way="in" if to else "out")
    n = net.n_nodes
    G = _augmented(net, unit, to, n + 1, np.full(len(node), n), node, c)[0] if len(p) else None
    _keep(net, key, G, _NODE_GRAPHS_KEPT)
    return G


def _fingerprint(places: Snap) -> Any:
    """What a snap joins the network with (edges, positions, walks, entries): the bytes
    themselves for a small snap (exact, and cheaper than a digest), a digest of them otherwise."""
    arrays = (places.edge, places.frac, places.walk_m, places.entry_place, places.entry_edge, places.entry_f0,
              places.entry_f1)
    if sum(a.nbytes for a in arrays) <= _FINGERPRINT_BYTES:
        return "".join([a.dtype.char for a in arrays]), tuple([a.size for a in arrays]), b"".join(
            [a.tobytes() for a in arrays])
    import hashlib

    h = hashlib.blake2b(digest_size=16)
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.data)
    return h.digest()


def edge_point_costs(net: Network, node_cost: np.ndarray, e: np.ndarray, f0: np.ndarray, f1: np.ndarray,
                     unit: str, direction: str = "to") -> np.ndarray:
    """Cost at the part ``[f0, f1]`` of edges `e` given `node_cost` (of :func:`node_costs` in
    the same `direction`): via ``edge_u`` (``node_cost[u] + f0 w``) or ``edge_v``
    (``node_cost[v] + (1 - f1) w``), where the edge may be travelled that way (``"to"``:
    leaving towards ``u`` runs against a one-way edge; ``"from"``: arriving from ``v`` does;
    a point at the node itself needs no travel)."""
    w = net.edge_weight(unit)[e]
    cu = node_cost[net.edge_u[e]] + f0 * w
    cv = node_cost[net.edge_v[e]] + (1.0 - f1) * w
    if direction == "to":
        cu = np.where(net.oneway[e] & (f0 > 0), np.inf, cu)
    else:
        cv = np.where(net.oneway[e] & (f1 < 1), np.inf, cv)
    return np.minimum(cu, cv)


def nearest_costs(
    net: Network,
    places: Snap,
    points: Snap,
    *,
    unit: str = "min",
    walk_speed_kmh: float = defaults.WALK_SPEED_KMH,
    node_cost: np.ndarray | None = None,
    direction: str = "to",
) -> np.ndarray:
    """Cost from each point to the nearest place along the network (one Dijkstra in total).

    The cost of a point on segment (u, v) at fraction t is its walk plus
    ``min(c[u] + t w, c[v] + (1 - t) w)`` (the ways the segment allows, see
    :func:`edge_point_costs`), or the direct cost along the segment to a place snapped to the
    same segment. `direction` ``"to"``: from the point to the place (the default); ``"from"``:
    from the place to the point; a given `node_cost` must be of the same direction.
    """
    check_direction(direction)
    if node_cost is None:
        node_cost = node_costs(net, places, unit=unit, walk_speed_kmh=walk_speed_kmh, direction=direction)
    mpu = walk_m_per_unit(unit, walk_speed_kmh)
    out = np.full(len(points.edge), np.inf)
    s = np.flatnonzero(points.edge >= 0)
    t = points.frac[s]
    out[s] = points.walk_m[s] / mpu + edge_point_costs(net, node_cost, points.edge[s], t, t, unit, direction)
    if len(points.entry_place):
        via = edge_point_costs(net, node_cost, points.entry_edge, points.entry_f0, points.entry_f1, unit, direction)
        np.minimum.at(out, points.entry_place, via)
    so, sd, sc = _same_edge_pairs(points, places, net, unit, walk_speed_kmh, direction == "to")
    if len(so):
        np.minimum.at(out, so, sc)
    out[out < 1e-9] = 0.0
    return out
