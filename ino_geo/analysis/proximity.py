"""Proximity: the nearest (or k nearest) park of each type from each origin.

Distances are computed in a projected metric CRS (EPSG:32645 for Tomsk). The result has one
row per origin, park type and rank, and a LineString from the origin to the nearest point of
the park (EPSG:4326) so that a map can draw the link.

* ``mode="euclidean"``: straight-line distance between the geometries (a point inside a park,
  or an origin polygon overlapping it, has distance 0).
* ``mode="network"``: travel along the network (see :mod:`ino_geo.network`), ranked by
  minutes: walk to the network (at most ``max_snap`` m, never across the river), travel
  along corridors at the scenario speed, walk to the park. A direct straight walk (at most
  ``max_snap`` m, not across the river) is used when it is quicker; a point inside a park
  has distance 0 and 0 minutes. ``distance_m`` is the length of the quickest route; the
  row's geometry is still the straight link to the park's nearest point (for drawing), not
  the route.

Ties and empty sets
-------------------
* Parks at exactly the same distance (or time) are ranked in their order in the destination
  layer; ``tied`` is True on every reported row whose distance equals that of another park
  (reported or not), so a tie is never hidden.
* A park type with no park: one row per origin with ``status = "no_destination"`` and empty
  park/distance columns. Fewer than ``k`` parks: as many rows as there are parks.
* Network mode: an origin that cannot join the network and has no park within a direct walk
  gets ``status = "unsnapped"`` (with ``snap_status`` saying why: ``too_far`` or ``river``);
  one that joins it but reaches no park of the type gets ``status = "unreachable"``. No route
  is invented for them.
* No origins: an empty GeoDataFrame with the same columns. No destinations at all and no
  `park_types` named: DataError (nothing to report on).

Examples
--------
>>> import geopandas as gpd
>>> from shapely import Point, box
>>> parks = gpd.GeoDataFrame({"park_id": ["a", "b"], "name": ["A", "B"], "park_type": ["sport", "sport"]},
...                          geometry=[box(0, 0, 100, 100), box(300, 0, 400, 100)], crs="EPSG:32645")
>>> sites = gpd.GeoDataFrame({"site_id": ["s1", "s2"], "name": ["S1", "S2"]},
...                          geometry=[Point(50, 50), Point(150, 50)], crs="EPSG:32645")
>>> r = proximity(sites, parks, k=2)
>>> r[["origin_id", "rank", "park_id", "distance_m"]].values.tolist()
[['s1', 1, 'a', 0.0], ['s1', 2, 'b', 250.0], ['s2', 1, 'a', 50.0], ['s2', 2, 'b', 150.0]]
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from ino_geo._errors import DataError, UsageError
from ino_geo.network.graph import DEFAULT_MAX_SNAP_M, DEFAULT_WALK_SPEED_KMH

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["proximity", "nearest_polygons", "COLUMNS"]

COLUMNS = [
    "origin_id",
    "origin_name",
    "park_type",
    "rank",
    "park_id",
    "park_name",
    "distance_m",
    "minutes",
    "route",
    "tied",
    "status",
    "snap_status",
    "origin_snap_m",
    "park_snap_m",
    "geometry",
]
_ID_COLUMNS = ("site_id", "park_id", "cell_id", "boundary_id", "corridor_id", "id")
_TIE_TOL = 1e-6


def id_column(gdf, preferred: str | None = None) -> str | None:
    """The identifier column: `preferred`, else the first of site_id, park_id, ... present."""
    if preferred:
        if preferred not in gdf.columns:
            raise UsageError(f"no column {preferred!r}")
        return preferred
    for c in _ID_COLUMNS:
        if c in gdf.columns:
            return c
    return None


def _ids(gdf, col: str | None) -> np.ndarray:
    return gdf[col].astype(object).to_numpy() if col else np.asarray(gdf.index.astype(str), dtype=object)


def _names(gdf) -> np.ndarray:
    return gdf["name"].astype(object).to_numpy() if "name" in gdf.columns else np.full(len(gdf), None, dtype=object)


# --------------------------------------------------------------------------------------------


_SHARED: Any = None


def _nearest_part(bounds):
    points, polygons, step, k = _SHARED
    a, b = bounds
    oi, di, d = nearest_polygons(points[a:b], polygons, step=step, k=k)
    return oi + a, di, d


def nearest_polygons(
    points: np.ndarray,
    polygons: np.ndarray,
    *,
    tree: Any = None,
    step: float = 300.0,
    k: int = 6,
    workers: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every nearest polygon of each geometry (all equidistant ones), fast when most are inside.

    1. Geometries inside (or touching) a polygon: one STRtree query (predicate
       ``intersects``) of the polygons' tree; their distance is 0.
    2. Other points: the polygons' boundaries are cut into pieces of at most `step` metres and
       their vertices put in a KD-tree. The nearest vertex at distance ``dv`` bounds the true
       distance ``d* <= dv``, and every polygon at distance ``d*`` has a vertex within
       ``d* + step / 2``; so the polygons owning the `k` nearest vertices are all the
       candidates whenever the k-th vertex lies beyond ``dv + step / 2``. Their exact
       distances (``shapely.distance``, the same GEOS computation as ``sjoin_nearest``)
       decide; the few points whose candidates are not provably complete, and non-point
       geometries, go to ``STRtree.query_nearest``.

    With ``workers > 1``, inputs of 100,000 geometries or more are split among that many
    forked processes (Linux/macOS; the answer is the same).

    Returns
    -------
    (geometry index, polygon index, distance) : three arrays, sorted by geometry then polygon.
    """
    import shapely

    points = np.asarray(points, dtype=object)
    polygons = np.asarray(polygons, dtype=object)
    if not len(points) or not len(polygons):
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    if workers > 1 and len(points) >= 100_000:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        global _SHARED
        _SHARED = (points, polygons, step, k)
        try:
            cuts = np.linspace(0, len(points), workers + 1).astype(int)
            with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as ex:
                parts = list(ex.map(_nearest_part, zip(cuts[:-1], cuts[1:])))
        finally:
            _SHARED = None
        return tuple(np.concatenate(x) for x in zip(*parts))
    tree = tree if tree is not None else shapely.STRtree(polygons)
    pi, pj = tree.query(points, predicate="intersects")
    inside = np.zeros(len(points), dtype=bool)
    inside[pi] = True
    oi, di, dist = [pi], [pj], [np.zeros(len(pi))]
    rest = np.flatnonzero(~inside)
    if len(rest):
        is_pt = shapely.get_type_id(points[rest]) == 0
        fast = rest[is_pt]
        slow = rest[~is_pt]
        if len(fast):
            fi, fj, fd, left = _nearest_kd(points[fast], polygons, step, k)
            oi.append(fast[fi])
            di.append(fj)
            dist.append(fd)
            slow = np.concatenate([slow, fast[left]])
        if len(slow):
            (ri, rj), rd = tree.query_nearest(points[slow], return_distance=True, all_matches=True)
            oi.append(slow[ri])
            di.append(rj)
            dist.append(rd)
    oi, di, dist = np.concatenate(oi), np.concatenate(di), np.concatenate(dist)
    order = np.argsort(oi, kind="stable")  # each part is already in point order
    oi, di, dist = oi[order], di[order], dist[order]
    if len(oi) > 1 and ((oi[1:] == oi[:-1]) & (di[1:] < di[:-1])).any():  # several polygons for a point
        order = np.lexsort((di, oi))
        oi, di, dist = oi[order], di[order], dist[order]
    return oi, di, dist


def _nearest_kd(points: np.ndarray, polygons: np.ndarray, step: float, k: int):
    """Nearest polygons of points outside every polygon, via a KD-tree of outline vertices.

    The outlines (polygon boundaries; lines and points as they are) are split into segments,
    each sampled every `step` metres at most. The candidate segments of a point are the owners
    of its `k` nearest samples (provably all segments that can be nearest when the k-th sample
    lies beyond the nearest one + step / 2); their distances are computed in numpy, and the
    polygons within a hair of the best are measured exactly with ``shapely.distance`` (the
    same GEOS computation as ``sjoin_nearest``).

    Returns (point index, polygon index, distance) for the points whose candidates are
    provably complete, and the indices of the other points.
    """
    import shapely
    from scipy.spatial import cKDTree

    kinds = shapely.get_type_id(polygons)
    outline = np.where(np.isin(kinds, [3, 6]), shapely.boundary(polygons), polygons)
    parts, part_owner = shapely.get_parts(outline, return_index=True)
    coords, cidx = shapely.get_coordinates(parts, return_index=True)
    same = cidx[1:] == cidx[:-1]
    a = coords[:-1][same]
    b = coords[1:][same]
    seg_poly = part_owner[cidx[:-1][same]]
    single = np.flatnonzero(shapely.get_num_coordinates(parts) == 1)  # point outlines
    if len(single):
        pc = shapely.get_coordinates(parts[single])
        a, b = np.vstack([a, pc]), np.vstack([b, pc])
        seg_poly = np.concatenate([seg_poly, part_owner[single]])
    seg_part = cidx[:-1][same]
    if len(single):
        seg_part = np.concatenate([seg_part, -1 - np.arange(len(single))])  # own parts
    nseg = len(a)
    # previous segment of the same part (closed rings wrap), -1 at the start of an open line
    prev = np.arange(nseg) - 1
    start = np.ones(nseg, dtype=bool)
    start[1:] = seg_part[1:] != seg_part[:-1]
    last = np.ones(nseg, dtype=bool)
    last[:-1] = seg_part[1:] != seg_part[:-1]
    last_of = np.flatnonzero(last)
    start_of = np.flatnonzero(start)
    closed = np.all(a[start_of] == b[last_of], axis=1)
    prev[start_of] = np.where(closed, last_of, -1)
    # samples every <= step metres from each segment's start (its end is the next one's start);
    # a sample at a segment's start also stands for the previous segment
    seg_len = np.hypot(*(b - a).T)
    m = np.maximum(1, np.ceil(seg_len / step).astype(np.int64))
    owner = np.repeat(np.arange(nseg), m)
    j = np.arange(m.sum()) - np.repeat(np.cumsum(m) - m, m)
    f = (j / np.repeat(m, m))[:, None]
    verts = a[owner] * (1 - f) + b[owner] * f
    other = np.where(j == 0, prev[owner], -1)
    open_end = last_of[~closed]  # the end point of an open line
    verts = np.vstack([verts, b[open_end]])
    owner = np.concatenate([owner, open_end])
    other = np.concatenate([other, np.full(len(open_end), -1)])
    xy = shapely.get_coordinates(points)
    kk = min(k, len(verts))
    kd = cKDTree(verts)
    dv, iv = kd.query(xy, k=kk, workers=-1)
    if kk == 1:
        dv, iv = dv[:, None], iv[:, None]
    complete = (dv[:, -1] > dv[:, 0] + step / 2.0) if kk < len(verts) else np.ones(len(xy), dtype=bool)
    rows = np.flatnonzero(complete)
    big = np.iinfo(np.int64).max
    # only samples within (nearest sample + step / 2) can belong to a nearest segment
    within = dv[rows] <= dv[rows, :1] + step / 2.0
    within = np.concatenate([within, within], axis=1)
    cand = np.concatenate([owner[iv[rows]], other[iv[rows]]], axis=1)
    cand[(cand < 0) | ~within] = big
    cand.sort(axis=1)
    keep = cand != big
    keep[:, 1:] &= cand[:, 1:] != cand[:, :-1]
    counts = keep.sum(axis=1)
    r = np.repeat(rows, counts)
    c = cand[keep]
    # point-segment distances in numpy
    p = xy[r]
    sa, sb = a[c], b[c]
    ab = sb - sa
    L2 = (ab * ab).sum(axis=1)
    t = np.where(L2 > 0, ((p - sa) * ab).sum(axis=1) / np.where(L2 > 0, L2, 1.0), 0.0)
    t = np.clip(t, 0.0, 1.0)
    d = np.hypot(*(sa + t[:, None] * ab - p).T)
    if not len(d):
        return r, c, d, np.flatnonzero(~complete)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    best = np.repeat(np.minimum.reduceat(d, starts), counts)
    near = d <= best * (1 + 1e-9) + 1e-9
    r, pc = r[near], seg_poly[c[near]]
    # one pair per (point, polygon): segments are numbered polygon by polygon, so within a
    # point's sorted candidates the polygons are sorted too
    new = np.ones(len(r), dtype=bool)
    new[1:] = (r[1:] != r[:-1]) | (pc[1:] != pc[:-1])
    r, pc = r[new], pc[new]
    d = shapely.distance(points[r], polygons[pc])
    first = np.ones(len(r), dtype=bool)
    first[1:] = r[1:] != r[:-1]
    starts = np.flatnonzero(first)
    cnt = np.diff(np.append(starts, len(r)))
    best = np.repeat(np.minimum.reduceat(d, starts), cnt)
    hit = d == best
    return r[hit], pc[hit], d[hit], np.flatnonzero(~complete)


def _rank_matrix(cost: np.ndarray, k: int | None):
    """Per row, the column order by cost (ties: column order), finite only, first k."""
    order = np.argsort(cost, axis=1, kind="stable")
    if k is not None:
        order = order[:, :k]
    return order


def _tied(cost: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """True where another column of the same row has the same cost."""
    c = cost[rows, cols]
    same = np.abs(cost[rows] - c[:, None]) <= _TIE_TOL * np.maximum(1.0, np.abs(c[:, None]))
    return same.sum(axis=1) > 1


def proximity(
    origins: "gpd.GeoDataFrame",
    destinations: "gpd.GeoDataFrame",
    *,
    park_types: Sequence[str] | None = None,
    k: int = 1,
    mode: str = "euclidean",
    network: Any = None,
    scenario: str = "existing",
    max_snap: float = DEFAULT_MAX_SNAP_M,
    walk_speed_kmh: float = DEFAULT_WALK_SPEED_KMH,
    matrix: bool = False,
    river: Any = None,
    crs: Any = None,
    origin_id: str | None = None,
    destination_id: str | None = None,
    progress: Callable[[str], None] | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    client: Any = None,
) -> "gpd.GeoDataFrame":
    """The nearest (k nearest) park of each type from each origin.

    Parameters
    ----------
    origins : GeoDataFrame
        Points or polygons (the sites layer, or any layer); any CRS with a definition.
    destinations : GeoDataFrame
        Parks (polygons, with ``park_type``), or any layer; without a ``park_type`` column all
        destinations form one group ``"all"``.
    park_types : sequence of str, optional
        Types to report, in this order (default: every type present).
    k : int
        Number of nearest parks per origin and type (>= 1).
    mode : ``"euclidean"`` or ``"network"``
    network : GeoDataFrame or Network, optional
        Network mode: the line layer (corridors, or a street layer); see :mod:`ino_geo.network.scenarios`.
    scenario : ``"existing"`` or ``"planned"``
    max_snap : float
        Longest walking leg to/from the network (and longest direct walk), metres.
    walk_speed_kmh : float
    matrix : bool
        Every origin x destination pair (ranked per origin and type) instead of the k nearest.
    river : GeoDataFrame or geometry, optional
        Barrier no walking leg crosses (network mode).
        In network mode without it a UserWarning says that walking legs may cross a river;
        pass ``river=False`` for data without one.
    crs : optional
        Metric CRS (default estimated from the origins; EPSG:32645 for Tomsk).
    origin_id, destination_id : str, optional
        Identifier columns (default: ``site_id``/``park_id``/... if present, else the index).
    progress : callable, optional

    Returns
    -------
    GeoDataFrame
        Columns :data:`COLUMNS`, EPSG:4326. ``distance_m`` in metres, ``minutes`` (network
        mode; NaN in euclidean mode), ``route``: ``straight`` | ``walk`` | ``network``,
        ``origin_snap_m`` / ``park_snap_m``: walking legs to/from the network (network mode).
        ``.attrs`` holds ``crs``, ``metric_crs`` and ``units``.
    """
    if engine != "local":  # the same analysis on a Dask cluster: ino_geo/engine
        from ino_geo.engine import dispatch
        return dispatch("proximity", **locals())
    import geopandas as gpd
    import pandas as pd

    from ino_geo.analysis.coverage import _check_mode, _metric_geoms, park_groups
    from ino_geo.crs import STORAGE_CRS, is_projected, metric_crs_for

    _check_mode(mode, river)
    if river is False:
        river = None
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise UsageError(f"-k {k!r}: must be a whole number >= 1")
    if not (isinstance(max_snap, (int, float)) and math.isfinite(max_snap) and max_snap >= 0):
        raise UsageError(f"--max-snap {max_snap!r}: must be a finite number of metres >= 0")
    if not (isinstance(walk_speed_kmh, (int, float)) and math.isfinite(walk_speed_kmh) and walk_speed_kmh > 0):
        raise UsageError(f"walking speed {walk_speed_kmh!r}: must be a positive number of km/h")
    from ino_geo.analysis.coverage import check_geometries

    ocol = id_column(origins, origin_id)
    dcol = id_column(destinations, destination_id)
    check_geometries(origins, "origins", ocol)
    check_geometries(destinations, "destinations", dcol)
    say = progress or (lambda msg: None)
    if crs is None:
        crs = metric_crs_for(origins if len(origins) else destinations)
    elif not is_projected(crs):
        raise UsageError(f"crs {crs}: not a projected metric CRS")
    crs = str(crs)
    if len(destinations) == 0 and not park_types:
        raise DataError("destinations: the layer is empty (name --park-type to get no_destination rows)")
    groups = park_groups(destinations, park_types, what="destinations")
    og = _metric_geoms(origins, crs, "origins", ocol) if len(origins) else np.zeros(0, object)
    dg = _metric_geoms(destinations, crs, "destinations", dcol) if len(destinations) else np.zeros(0, object)
    oids, onames = _ids(origins, ocol), _names(origins)
    dids, dnames = _ids(destinations, dcol), _names(destinations)
    no = len(og)

    net = barrier = osnap = None
    mpm = walk_speed_kmh * 1000.0 / 60.0
    if mode == "network":
        from ino_geo.network.graph import snap
        from ino_geo.network.scenarios import prepare_network

        net, barrier = prepare_network(network, scenario, crs=crs, river=river, progress=say)
        say(f"snapping {no} origins (max {max_snap:g} m)")
        osnap = snap(net, og, max_snap=max_snap, barrier=barrier)

    frames = []
    for ptype, idx in groups:
        say(f"{ptype}: {len(idx)} destinations")
        cols: dict[str, Any]
        if not len(idx) or not no:
            cols = _empty_rows(no, ptype)
            frames.append(_frame(cols, oids, onames, dids, dnames, og, dg, idx, ptype=ptype))
            continue
        if mode == "euclidean" and k == 1 and not matrix:
            oi, dj, dist = nearest_polygons(og, dg[idx])
            first = np.ones(len(oi), dtype=bool)
            first[1:] = oi[1:] != oi[:-1]
            counts = np.bincount(oi, minlength=no)
            cols = {
                "o": oi[first], "d": dj[first], "rank": np.ones(first.sum(), np.int64), "distance_m": dist[first],
                "minutes": np.full(first.sum(), np.nan), "route": np.full(first.sum(), "straight", dtype=object),
                "tied": counts[oi[first]] > 1, "status": np.full(first.sum(), "ok", dtype=object),
                "snap_status": np.full(first.sum(), None, dtype=object),
                "origin_snap_m": np.full(first.sum(), np.nan), "park_snap_m": np.full(first.sum(), np.nan),
            }
        elif mode == "euclidean":
            cols = _euclidean_ranked(og, dg[idx], None if matrix else k)
        else:
            cols = _network_ranked(net, og, dg[idx], osnap, None if matrix else k, max_snap, barrier, walk_speed_kmh, mpm)
        frames.append(_frame(cols, oids, onames, dids, dnames, og, dg, idx, ptype=ptype))
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    # rows: origin order, then park type order, then rank
    order_type = {t: i for i, (t, _) in enumerate(groups)}
    df["_o"] = df["_o"].astype(np.int64) if len(df) else df.get("_o")
    if len(df):
        df["_t"] = df["park_type"].map(order_type)
        df = df.sort_values(["_o", "_t", "rank"], kind="stable", na_position="first").reset_index(drop=True)
    df = df.drop(columns=[c for c in ("_o", "_t") if c in df.columns])
    gdf = gpd.GeoDataFrame(df[COLUMNS], geometry="geometry", crs=crs).to_crs(STORAGE_CRS)
    gdf["rank"] = gdf["rank"].astype("Int64")
    gdf.attrs = {
        "crs": STORAGE_CRS,
        "metric_crs": crs,
        "units": {"distance_m": "m", "minutes": "min", "origin_snap_m": "m", "park_snap_m": "m"},
        "mode": mode,
        "scenario": scenario if mode == "network" else None,
        "k": None if matrix else int(k),
        "matrix": bool(matrix),
        "walk_speed_kmh": walk_speed_kmh,
        "max_snap_m": max_snap if mode == "network" else None,
    }
    return gdf


def _empty_rows(no: int, ptype: str) -> dict:
    return {
        "o": np.arange(no), "d": np.full(no, -1), "rank": np.full(no, -1), "distance_m": np.full(no, np.nan),
        "minutes": np.full(no, np.nan), "route": np.full(no, None, dtype=object), "tied": np.zeros(no, bool),
        "status": np.full(no, "no_destination", dtype=object), "snap_status": np.full(no, None, dtype=object),
        "origin_snap_m": np.full(no, np.nan), "park_snap_m": np.full(no, np.nan),
    }


def _frame(cols, oids, onames, dids, dnames, og, dg, idx, ptype=None):
    import pandas as pd
    import shapely

    o = np.asarray(cols["o"], dtype=np.int64)
    d = np.asarray(cols["d"], dtype=np.int64)
    has = d >= 0
    dglob = np.where(has, idx[np.where(has, d, 0)] if len(idx) else -1, -1)
    geom = np.full(len(o), None, dtype=object)
    if has.any():
        geom[has] = shapely.shortest_line(og[o[has]], dg[dglob[has]])
    park_id = np.full(len(o), None, dtype=object)
    park_name = np.full(len(o), None, dtype=object)
    park_id[has] = dids[dglob[has]]
    park_name[has] = dnames[dglob[has]]
    rank = np.asarray(cols["rank"], dtype=float)
    rank[rank < 0] = np.nan
    return pd.DataFrame(
        {
            "_o": o,
            "origin_id": oids[o] if len(o) else [],
            "origin_name": onames[o] if len(o) else [],
            "park_type": ptype,
            "rank": rank,
            "park_id": park_id,
            "park_name": park_name,
            "distance_m": cols["distance_m"],
            "minutes": cols["minutes"],
            "route": cols["route"],
            "tied": cols["tied"],
            "status": cols["status"],
            "snap_status": cols["snap_status"],
            "origin_snap_m": cols["origin_snap_m"],
            "park_snap_m": cols["park_snap_m"],
            "geometry": geom,
        }
    )


def _euclidean_ranked(og: np.ndarray, dg: np.ndarray, k: int | None, chunk: int = 2_000_000) -> dict:
    """k nearest (or all, k None) by straight-line distance, origins in chunks."""
    import shapely

    no, nd = len(og), len(dg)
    step = max(1, chunk // max(1, nd))
    out = {key: [] for key in ("o", "d", "rank", "distance_m", "tied")}
    for s in range(0, no, step):
        sub = og[s : s + step]
        cost = shapely.distance(sub[:, None], dg[None, :])
        order = _rank_matrix(cost, k)
        r = np.repeat(np.arange(len(sub)), order.shape[1])
        c = order.ravel()
        out["o"].append(s + r)
        out["d"].append(c)
        out["rank"].append(np.tile(np.arange(1, order.shape[1] + 1), len(sub)))
        out["distance_m"].append(cost[r, c])
        out["tied"].append(_tied(cost, r, c))
    res = {key: np.concatenate(v) for key, v in out.items()}
    n = len(res["o"])
    res.update(
        minutes=np.full(n, np.nan), route=np.full(n, "straight", dtype=object), status=np.full(n, "ok", dtype=object),
        snap_status=np.full(n, None, dtype=object), origin_snap_m=np.full(n, np.nan), park_snap_m=np.full(n, np.nan),
    )
    return res


def _network_ranked(net, og, dg, osnap, k, max_snap, barrier, walk_speed_kmh, mpm) -> dict:
    """k quickest (or all) along the network, with direct walks; unsnapped/unreachable rows."""
    import shapely

    from ino_geo.network.graph import crosses_barrier, od_costs, snap

    no, nd = len(og), len(dg)
    dsnap = snap(net, dg, max_snap=max_snap, barrier=barrier)
    cost, length = od_costs(net, osnap, dsnap, unit="min", walk_speed_kmh=walk_speed_kmh, with_length=True)
    route = np.full((no, nd), "network", dtype=object)
    # direct walks
    tree = shapely.STRtree(dg)
    wi, wj = tree.query(og, predicate="dwithin", distance=max_snap)
    if len(wi):
        lines = shapely.shortest_line(og[wi], dg[wj])
        d = shapely.length(lines)
        ok = (d == 0) | ~crosses_barrier(lines, barrier)
        wi, wj, d = wi[ok], wj[ok], d[ok]
        wmin = d / mpm
        better = wmin <= cost[wi, wj]
        cost[wi[better], wj[better]] = wmin[better]
        length[wi[better], wj[better]] = d[better]
        route[wi[better], wj[better]] = "walk"
    order = _rank_matrix(cost, k)
    r = np.repeat(np.arange(no), order.shape[1])
    c = order.ravel()
    fin = np.isfinite(cost[r, c])
    ranks = np.tile(np.arange(1, order.shape[1] + 1), no)
    res = {
        "o": r[fin], "d": c[fin], "rank": ranks[fin], "distance_m": length[r[fin], c[fin]], "minutes": cost[r[fin], c[fin]],
        "route": route[r[fin], c[fin]], "tied": _tied(cost, r[fin], c[fin]) if fin.any() else np.zeros(0, bool),
        "status": np.full(fin.sum(), "ok", dtype=object), "snap_status": osnap.status[r[fin]],
        "origin_snap_m": osnap.walk_m[r[fin]], "park_snap_m": dsnap.walk_m[c[fin]],
    }
    res["origin_snap_m"] = np.where(res["route"] == "walk", np.nan, res["origin_snap_m"])
    res["park_snap_m"] = np.where(res["route"] == "walk", np.nan, res["park_snap_m"])
    # origins with no finite cost at all
    none = np.flatnonzero(~np.isfinite(cost).any(axis=1))
    if len(none):
        ok = osnap.ok[none]
        status = np.where(ok, "unreachable", "unsnapped").astype(object)
        extra = {
            "o": none, "d": np.full(len(none), -1), "rank": np.full(len(none), -1), "distance_m": np.full(len(none), np.nan),
            "minutes": np.full(len(none), np.nan), "route": np.full(len(none), None, dtype=object),
            "tied": np.zeros(len(none), bool), "status": status, "snap_status": osnap.status[none],
            "origin_snap_m": osnap.walk_m[none], "park_snap_m": np.full(len(none), np.nan),
        }
        res = {key: np.concatenate([res[key], extra[key]]) for key in res}
    return res
