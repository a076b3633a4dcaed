"""The nearest polygons of many points or geometries (all equidistant ones): :func:`nearest_polygons`.

The fast path of euclidean proximity: geometries inside a polygon in one STRtree query, points
outside through a KD-tree of samples of the polygons' outlines with a proof that the
candidates are complete, the rest through ``STRtree.query_nearest``. The distances are the
same GEOS computation as ``geopandas.sjoin_nearest``.

Examples
--------
>>> import numpy as np
>>> from shapely import Point, box
>>> oi, di, d = nearest_polygons(np.array([Point(50, 50), Point(150, 50), Point(200, 50)]),
...                              np.array([box(0, 0, 100, 100), box(300, 0, 400, 100)]))
>>> oi.tolist(), di.tolist(), d.tolist()
([0, 1, 2, 2], [0, 0, 0, 1], [0.0, 50.0, 100.0, 100.0])
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["nearest_polygons"]

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

    a, b, seg_poly, prev, last_of, closed = _outline_segments(polygons)
    verts, owner, other = _outline_samples(a, b, prev, last_of, closed, step)
    xy = shapely.get_coordinates(points)
    kk = min(k, len(verts))
    dv, iv = cKDTree(verts).query(xy, k=kk, workers=-1)
    if kk == 1:
        dv, iv = dv[:, None], iv[:, None]
    complete = (dv[:, -1] > dv[:, 0] + step / 2.0) if kk < len(verts) else np.ones(len(xy), dtype=bool)
    rows = np.flatnonzero(complete)
    r, c, counts = _candidate_segments(dv[rows], iv[rows], rows, owner, other, step)
    r, pc, d = _nearest_of_candidates(points, polygons, xy, r, c, counts, a, b, seg_poly)
    return r, pc, d, np.flatnonzero(~complete)


def _outline_segments(polygons: np.ndarray):
    """The straight segments ``(a, b)`` of the polygons' outlines (boundaries; lines and points
    as they are; a point is a segment of length 0), the polygon of each, the previous segment
    of the same part (closed rings wrap, -1 at the start of an open line), the last segment of
    each part and whether each part is closed."""
    import shapely

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
    return a, b, seg_poly, prev, last_of, closed


def _outline_samples(a, b, prev, last_of, closed, step: float):
    """Samples every <= `step` metres from each segment's start (its end is the next one's
    start; a sample at a segment's start also stands for the previous segment), plus the end
    of each open line: ``(xy, segment, other segment or -1)``."""
    seg_len = np.hypot(*(b - a).T)
    m = np.maximum(1, np.ceil(seg_len / step).astype(np.int64))
    owner = np.repeat(np.arange(len(a)), m)
    j = np.arange(m.sum()) - np.repeat(np.cumsum(m) - m, m)
    f = (j / np.repeat(m, m))[:, None]
    verts = a[owner] * (1 - f) + b[owner] * f
    other = np.where(j == 0, prev[owner], -1)
    open_end = last_of[~closed]  # the end point of an open line
    verts = np.vstack([verts, b[open_end]])
    owner = np.concatenate([owner, open_end])
    other = np.concatenate([other, np.full(len(open_end), -1)])
    return verts, owner, other


def _candidate_segments(dv, iv, rows, owner, other, step: float):
    """The candidate segments of the points `rows` from their nearest samples (distances `dv`,
    indices `iv`): ``(point, segment, number of candidates per point)``, sorted by point then
    segment."""
    big = np.iinfo(np.int64).max
    # only samples within (nearest sample + step / 2) can belong to a nearest segment
    within = dv <= dv[:, :1] + step / 2.0
    within = np.concatenate([within, within], axis=1)
    cand = np.concatenate([owner[iv], other[iv]], axis=1)
    cand[(cand < 0) | ~within] = big
    cand.sort(axis=1)
    keep = cand != big
    keep[:, 1:] &= cand[:, 1:] != cand[:, :-1]
    counts = keep.sum(axis=1)
    return np.repeat(rows, counts), cand[keep], counts


def _nearest_of_candidates(points, polygons, xy, r, c, counts, a, b, seg_poly):
    """Point-segment distances in numpy, then the polygons within a hair of the best measured
    exactly (``shapely.distance``): ``(point, polygon, distance)`` of every nearest polygon."""
    import shapely

    p = xy[r]
    sa, sb = a[c], b[c]
    ab = sb - sa
    L2 = (ab * ab).sum(axis=1)
    t = np.where(L2 > 0, ((p - sa) * ab).sum(axis=1) / np.where(L2 > 0, L2, 1.0), 0.0)
    t = np.clip(t, 0.0, 1.0)
    d = np.hypot(*(sa + t[:, None] * ab - p).T)
    if not len(d):
        return r, c, d
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
    return r[hit], pc[hit], d[hit]
