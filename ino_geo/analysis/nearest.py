"""The nearest polygons of many points or geometries (all equidistant ones): :func:`nearest_polygons`.

The fast path of euclidean proximity: geometries inside a polygon in one STRtree query; many
points outside through the candidates of grid cells; points outside through a KD-tree of
samples of the polygons' outlines with a proof that the candidates are complete (the points
whose proof fails are asked again with more samples); the rest through
``STRtree.query_nearest``. The distances are the same GEOS computation as
``geopandas.sjoin_nearest``. :func:`nearest_polygons_and_points` also gives the nearest point
of each polygon (for drawing links) where it comes cheaply.

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

from ino_geo.analysis._inputs import coordinate_bounds, paused_gc

__all__ = ["nearest_polygons", "nearest_polygons_and_points"]

_SHARED: Any = None
_MARGIN = 1e-6  # metres added to every bound of the proof (rounding of samples and distances)
_MAX_K = 512  # samples asked for at most per point before STRtree.query_nearest
_GRID_MIN = 200_000  # points outside from which the grid pass pays
_GRID_PER_CELL = 8  # points per occupied grid cell aimed at (small cells: few candidates per point)
_GRID_MAX_CANDIDATES = 16  # a point of a cell with more candidates goes to the KD-tree


def _threads() -> int:
    """Threads for work split in chunks: the cores this process may use."""
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _nearest_part(bounds):
    points, polygons, step, k, with_points = _SHARED
    a, b = bounds
    oi, di, d, near = nearest_polygons_and_points(points[a:b], polygons, step=step, k=k, with_points=with_points)
    return oi + a, di, d, near


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
    2. Other points: the polygons' outlines are cut into pieces of at most `step` metres and
       their vertices put in a KD-tree; every point of an outline lies within ``step / 2`` of
       a sample of its polygon. Of a point's `k` nearest samples, the polygon of the nearest
       one is measured exactly (``shapely.distance``, the same GEOS computation as
       ``sjoin_nearest``): ``d0``; so are the other polygons among the `k` whose nearest
       sample lies within ``d0 + step / 2``. Any polygon without a sample among the `k` is
       farther than ``(k-th sample distance) - step / 2``; when that exceeds the best exact
       distance, the candidates were complete and the polygons at the best distance are the
       answer. Points where it does not are asked again with 4 times as many samples (up to
       512), then by ``STRtree.query_nearest``, as are non-point geometries.
    3. From ``_GRID_MIN`` points outside on, a grid pass comes first (:func:`_nearest_grid`):
       the candidates of each cell follow from a bound of its centre's nearest distance
       (the exact distance to the polygon of its nearest outline sample), and the points'
       exact distances to them decide; points of cells with many candidates go on to 2.
       With ``_GRID_MIN`` points or more of which an even sample lies mostly (3/4) outside
       every polygon, the grid pass takes every point first (a point inside a polygon is at
       distance 0 from it), and 1. and 2. only the points it leaves.

    With ``workers > 1``, inputs of 100,000 geometries or more are split among that many
    forked processes (Linux/macOS; the answer is the same).

    Returns
    -------
    (geometry index, polygon index, distance) : three arrays, sorted by geometry then polygon.
    """
    oi, di, d, _ = nearest_polygons_and_points(points, polygons, tree=tree, step=step, k=k, workers=workers,
                                               with_points=False)
    return oi, di, d


def nearest_polygons_and_points(
    points: np.ndarray,
    polygons: np.ndarray,
    *,
    tree: Any = None,
    step: float = 300.0,
    k: int = 6,
    workers: int = 1,
    with_points: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """:func:`nearest_polygons`, and with `with_points` the nearest point of each row's polygon.

    Returns
    -------
    (geometry index, polygon index, distance, nearest point) : the nearest point is an
    ``(n, 2)`` array: the point itself for a point inside (or on) its polygon, a point of the
    polygon's outline at the row's distance for a point outside (found from the same
    samples), NaN where not computed (non-point geometries, points left to
    ``STRtree.query_nearest``): ``shapely.shortest_line`` gives those. None without
    `with_points`.
    """
    import shapely

    points = np.asarray(points, dtype=object)
    polygons = np.asarray(polygons, dtype=object)
    if not len(points) or not len(polygons):
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros((0, 2)) if with_points else None
    if workers > 1 and len(points) >= 100_000:
        return _in_processes(points, polygons, step, k, workers, with_points)
    return _nearest_all(points, polygons, tree if tree is not None else shapely.STRtree(polygons), step, k,
                        with_points, grid=True)


def _nearest_all(points, polygons, tree, step: float, k: int, with_points: bool, grid: bool):
    """:func:`nearest_polygons_and_points` in this process (`grid`: with the grid pass).

    Many points of which few lie inside a polygon (a sample says so): the grid pass takes
    every point (a point inside has distance 0 to its polygons, as ``sjoin_nearest``
    measures it) and the rest follows for the points of crowded cells and other geometries;
    else the rest (:func:`_nearest_rest`) takes everything."""
    import shapely

    if not (grid and len(points) >= _GRID_MIN and _mostly_outside(points, tree)):
        return _sorted_rows(_nearest_rest(points, polygons, tree, step, k, with_points, grid), with_points)
    is_pt = shapely.get_type_id(points) == 0
    every = bool(is_pt.all())  # (then no copies of the points)
    fast = np.arange(len(points)) if every else np.flatnonzero(is_pt)
    gi, gj, gd, left = _nearest_grid(points if every else points[fast], polygons, tree, step, k)
    gi = gi if every else fast[gi]
    parts = [(gi, gj, gd, _grid_near(points[gi], gd) if with_points else None)]
    todo = np.sort(np.concatenate([np.flatnonzero(~is_pt), fast[left]]))
    if len(todo):
        for ri, rj, rd, rn in _nearest_rest(points[todo], polygons, tree, step, k, with_points, False):
            parts.append((todo[ri], rj, rd, rn))
    return _sorted_rows(parts, with_points)


def _mostly_outside(points: np.ndarray, tree: Any, sample: int = 2048) -> bool:
    """Whether fewer than a quarter of an even sample of `points` intersect a polygon."""
    pick = np.linspace(0, len(points) - 1, min(sample, len(points))).astype(np.int64)
    inside = np.unique(tree.query(points[pick], predicate="intersects")[0])
    return len(inside) < len(pick) / 4


def _grid_near(points: np.ndarray, d: np.ndarray) -> np.ndarray:
    """The nearest points known of the grid's rows: a point at distance 0 is its own
    nearest point (inside or on its polygon), NaN elsewhere."""
    import shapely

    near = np.full((len(d), 2), np.nan)
    zero = d == 0
    if zero.any():
        near[zero] = shapely.get_coordinates(points[zero])
    return near


def _nearest_rest(points, polygons, tree, step: float, k: int, with_points: bool, grid: bool) -> list:
    """Rows ``(geometry, polygon, distance, nearest point)`` in parts (each sorted): geometries
    inside a polygon (an ``intersects`` query), then points outside (the grid pass if
    `grid` and many, then the KD-tree), then the others (``STRtree.query_nearest``)."""
    import shapely

    pi, pj = tree.query(points, predicate="intersects")
    inside = np.zeros(len(points), dtype=bool)
    inside[pi] = True
    parts = [(pi, pj, np.zeros(len(pi)), _own_xy(points[pi]) if with_points else None)]
    rest = np.flatnonzero(~inside)
    if len(rest):
        is_pt = shapely.get_type_id(points[rest]) == 0
        fast = rest[is_pt]
        slow = rest[~is_pt]
        if grid and len(fast) >= _GRID_MIN:  # many points: candidates per grid cell first
            gi, gj, gd, left = _nearest_grid(points[fast], polygons, tree, step, k)
            parts.append((fast[gi], gj, gd, np.full((len(gi), 2), np.nan) if with_points else None))
            fast = fast[left]
        if len(fast):
            fi, fj, fd, near, left = _nearest_kd(points[fast], polygons, step, k, with_points)
            parts.append((fast[fi], fj, fd, near))
            slow = np.concatenate([slow, fast[left]])
        if len(slow):
            (ri, rj), rd = tree.query_nearest(points[slow], return_distance=True, all_matches=True)
            parts.append((slow[ri], rj, rd, np.full((len(ri), 2), np.nan) if with_points else None))
    return parts


def _in_processes(points, polygons, step, k, workers, with_points):
    """:func:`nearest_polygons_and_points` split among `workers` forked processes."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    global _SHARED
    _SHARED = (points, polygons, step, k, with_points)
    try:
        cuts = np.linspace(0, len(points), workers + 1).astype(int)
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as ex:
            parts = list(ex.map(_nearest_part, zip(cuts[:-1], cuts[1:])))
    finally:
        _SHARED = None
    oi, di, d = (np.concatenate([p[i] for p in parts]) for i in range(3))
    return oi, di, d, np.concatenate([p[3] for p in parts]) if with_points else None


def _own_xy(geoms: np.ndarray) -> np.ndarray:
    """The coordinates of point geometries (NaN for other geometries): ``(n, 2)``."""
    import shapely

    out = np.full((len(geoms), 2), np.nan)
    pt = shapely.get_type_id(geoms) == 0
    if pt.any():
        out[pt] = shapely.get_coordinates(geoms[pt])
    return out


def _sorted_rows(parts: list, with_points: bool):
    """The parts' rows together, sorted by geometry then polygon (each part sorted on its
    own first: a geometry's rows are all in one part, so a stable sort by geometry, quick
    on sorted runs, finishes)."""
    parts = [_sorted_part(p, with_points) for p in parts if len(p[0])] or parts[:1]
    if len(parts) == 1:
        return parts[0][:3] + (parts[0][3] if with_points else None,)
    oi, di, dist = (np.concatenate([p[i] for p in parts]) for i in range(3))
    near = np.concatenate([p[3] for p in parts]) if with_points else None
    if len(oi) > 1 and (oi[1:] < oi[:-1]).any():
        order = np.argsort(oi, kind="stable")
        oi, di, dist = oi[order], di[order], dist[order]
        near = near[order] if with_points else None
    return _sorted_part((oi, di, dist, near), with_points)  # (sorted already: a check)


def _sorted_part(part: tuple, with_points: bool) -> tuple:
    """Rows ``(geometry, polygon, distance, nearest point)`` sorted by geometry then polygon."""
    oi, di = part[0], part[1]
    if len(oi) < 2:
        return part
    step_o = oi[1:] - oi[:-1]
    if (step_o > 0).all() or not ((step_o < 0) | ((step_o == 0) & (di[1:] < di[:-1]))).any():
        return part
    order = np.lexsort((di, oi))
    return oi[order], di[order], part[2][order], part[3][order] if with_points else None


def _nearest_grid(points: np.ndarray, polygons: np.ndarray, tree: Any, step: float, k: int):
    """Nearest polygons of points outside every polygon, via the candidates of a grid cell.

    A cell (half-diagonal ``h``) whose centre is at distance ``D`` from some polygon (at
    least the nearest distance; :func:`_centre_bounds`): the nearest polygon ``Q`` of any
    point ``x`` of the cell has ``dist(x, Q) <= D + h``, so ``dist(centre, Q) <= D + 2h``;
    the polygons within that distance of the centre (one ``dwithin`` query of the polygons'
    tree) are every candidate of the cell's points, and their exact distances
    (``shapely.distance``) decide. Points of cells with more than ``_GRID_MAX_CANDIDATES``
    candidates are left to the KD-tree.

    Returns (point index, polygon index, distance) and the indices of the points left.
    """
    import shapely

    xy = shapely.get_coordinates(points)
    cells, inv, cxy, cell = _grid_cells(xy)
    with paused_gc():  # many new geometries: no cyclic garbage collection scanning them
        centres = shapely.points(cxy)
    far = _centre_bounds(centres, cxy, polygons, step)
    reach = far + 2 * (cell * np.sqrt(0.5)) * (1 + 1e-9) + _MARGIN  # + rounding of the cells' edges
    qi, qj = tree.query(centres, predicate="dwithin", distance=reach)
    order = np.lexsort((qj, qi))
    qi, qj = qi[order], qj[order]
    per_cell = np.bincount(qi, minlength=len(cells))
    first_of = np.cumsum(per_cell) - per_cell
    cnt = per_cell[inv]
    ok = np.flatnonzero(cnt <= _GRID_MAX_CANDIDATES)
    cnt = cnt[ok]
    rows = np.repeat(ok, cnt)
    pc = qj[np.repeat(first_of[inv[ok]], cnt) + np.arange(len(rows)) - np.repeat(np.cumsum(cnt) - cnt, cnt)]
    d = _distances(points[rows], polygons[pc])
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]]) if len(rows) else np.zeros(0, np.int64)
    cnt = np.diff(np.r_[starts, len(rows)])
    hit = d == np.repeat(np.minimum.reduceat(d, starts), cnt) if len(d) else np.zeros(0, bool)
    return rows[hit], pc[hit], d[hit], np.flatnonzero(per_cell[inv] > _GRID_MAX_CANDIDATES)


def _grid_cells(xy: np.ndarray):
    """The occupied cells of a grid over points `xy` (about ``_GRID_PER_CELL`` points per
    cell): cell ids, each point's cell (position in the ids), the cells' centres and the
    cell size."""
    x0, y0, x1, y1 = coordinate_bounds(xy)
    lo, hi = np.array([x0, y0]), np.array([x1, y1])
    cell = max(float(np.sqrt(np.prod(hi - lo + 1.0) * _GRID_PER_CELL / len(xy))), 1.0)
    ij = np.floor((xy - lo) / cell).astype(np.int64)
    ncol = int(ij[:, 1].max()) + 1
    flat = ij[:, 0] * ncol + ij[:, 1]
    ncell = int(flat.max()) + 1
    if ncell <= 8 * len(xy) + 1024:  # a table of every cell: no sort
        cells = np.flatnonzero(np.bincount(flat, minlength=ncell))
        lut = np.zeros(ncell, np.int64)
        lut[cells] = np.arange(len(cells))
        inv = lut[flat]
    else:
        cells, inv = np.unique(flat, return_inverse=True)
    return cells, inv, lo + (np.stack([cells // ncol, cells % ncol], axis=1) + 0.5) * cell, cell


def _centre_bounds(centres: np.ndarray, cxy: np.ndarray, polygons: np.ndarray, step: float) -> np.ndarray:
    """For each cell centre, an upper bound of its distance to the nearest polygon: the exact
    distance to the polygon of its nearest outline sample (usually the nearest polygon)."""
    import shapely
    from scipy.spatial import cKDTree

    outline = _Outline.of(polygons, step)
    if not len(outline.verts):  # every polygon empty: no bound
        return np.full(len(centres), np.inf)
    _, iv = cKDTree(outline.verts).query(cxy, k=1)
    return shapely.distance(centres, polygons[outline.sample_poly[iv]])


def _distances(a: np.ndarray, b: np.ndarray, chunk: int = 65_536) -> np.ndarray:
    """``shapely.distance(a, b)``, chunks shared among threads (GEOS releases the GIL)."""
    import shapely

    starts = range(0, len(a), chunk)
    if len(starts) < 2:
        return shapely.distance(a, b)
    from concurrent.futures import ThreadPoolExecutor

    out = np.empty(len(a))

    def part(s: int) -> None:
        out[s : s + chunk] = shapely.distance(a[s : s + chunk], b[s : s + chunk])

    with ThreadPoolExecutor(_threads()) as ex:
        list(ex.map(part, starts))
    return out


def _nearest_kd(points: np.ndarray, polygons: np.ndarray, step: float, k: int, with_points: bool,
                chunk: int = 65_536):
    """Nearest polygons of points outside every polygon, via a KD-tree of outline samples
    (:func:`_kd_rounds`, points in chunks that keep the work in the cache, shared among
    threads).

    Returns (point index, polygon index, distance, nearest point or None) for the points
    whose candidates are provably complete, and the indices of the other points.
    """
    import shapely
    from scipy.spatial import cKDTree

    outline = _Outline.of(polygons, step)
    kd = cKDTree(outline.verts)
    xy = shapely.get_coordinates(points)
    parts: list = []

    def rounds(s: int) -> np.ndarray:
        return _kd_rounds(np.arange(s, min(s + chunk, len(xy))), points, xy, polygons, kd, outline, k, with_points,
                          parts)

    starts = range(0, len(xy), chunk)
    if len(starts) > 1:  # KD-tree, GEOS and numpy release the GIL: the chunks share the cores
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(_threads()) as ex:
            left = list(ex.map(rounds, starts))
    else:
        left = [rounds(s) for s in starts]
    out = [np.concatenate([p[i] for p in parts]) for i in range(3)]
    return (*out, np.concatenate([p[3] for p in parts]) if with_points else None, np.concatenate(left))


def _kd_rounds(todo, points, xy, polygons, kd, outline: "_Outline", k: int, with_points: bool, parts: list):
    """Rounds of :func:`_kd_round` over the points `todo` with `k`, 4k, 16k, ... samples per
    point (up to ``_MAX_K``), each over the points whose candidates were not yet provably
    complete; appends ``(point, polygon, distance, nearest point)`` to `parts` and returns the
    points left."""
    kk = max(1, int(k))
    while len(todo):
        kq = min(kk, len(outline.verts))
        dv, iv = kd.query(xy[todo], k=kq)
        if kq == 1:
            dv, iv = dv[:, None], iv[:, None]
        r, pc, d, done = _kd_round(points[todo], polygons, dv, iv, outline, everything=kq == len(outline.verts))
        near = outline.nearest_points(xy[todo[r]], dv[r], iv[r], pc, d) if with_points else None
        parts.append((todo[r], pc, d, near))
        todo = todo[~done]
        if kq >= _MAX_K or kq == len(outline.verts):
            break
        kk *= 4
    return todo


def _kd_round(points, polygons, dv, iv, outline: "_Outline", everything: bool):
    """One round of the proof for points with their nearest samples (distances `dv`, indices
    `iv`, sorted by distance): exact distances of the candidate polygons; ``(row, polygon,
    distance)`` of the nearest polygons of the rows whose candidates are complete (sorted by
    row, then polygon) and a mask of those rows."""
    import shapely

    h = outline.step / 2.0 + _MARGIN
    own = outline.sample_poly[iv]
    p0 = own[:, 0]
    d0 = shapely.distance(points, polygons[p0])
    # other polygons whose nearest sample could be within step / 2 of a point at distance d0
    rr, cc = np.nonzero((own != p0[:, None]) & (dv - h <= d0[:, None]))
    npoly = len(polygons)
    key = np.unique(rr.astype(np.int64) * npoly + own[rr, cc])
    rr, pp = key // npoly, key % npoly
    dd = shapely.distance(points[rr], polygons[pp])
    best = d0.copy()
    np.minimum.at(best, rr, dd)
    done = np.ones(len(d0), dtype=bool) if everything else dv[:, -1] - h > best
    first = done & (d0 == best)
    more = done[rr] & (dd == best[rr])
    r = np.concatenate([np.flatnonzero(first), rr[more]])
    pc = np.concatenate([p0[first], pp[more]])
    d = np.concatenate([d0[first], dd[more]])
    order = np.lexsort((pc, r))
    return r[order], pc[order], d[order], done


class _Outline:
    """The straight segments ``a -> b`` of the polygons' outlines (boundaries; lines and points
    as they are), sampled every `step` metres at most: ``verts`` (samples), ``owner`` (the
    segment of each sample), ``other`` (the segment a sample also ends, or -1),
    ``sample_poly`` (the polygon of each sample)."""

    def __init__(self, a, b, seg_poly, verts, owner, other, step):
        self.a, self.b, self.seg_poly, self.step = a, b, seg_poly, float(step)
        self.verts, self.owner, self.other = verts, owner, other
        self.sample_poly = seg_poly[owner]

    @classmethod
    def of(cls, polygons: np.ndarray, step: float) -> "_Outline":
        a, b, seg_poly, prev, last_of, closed = _outline_segments(polygons)
        verts, owner, other = _outline_samples(a, b, prev, last_of, closed, step)
        return cls(a, b, seg_poly, verts, owner, other, step)

    def nearest_points(self, xy, dv, iv, pc, d, chunk: int = 32_768) -> np.ndarray:
        """For points `xy` (rows with their nearest samples `dv`, `iv`) at distance `d` of
        polygon `pc`: the nearest point of the polygon's outline, ``(n, 2)`` (NaN if none
        found). The segment holding it has a sample within ``d + step / 2`` of the point
        (its own, or the start of the next segment), which is among the samples asked for
        once the proof holds."""
        near = np.full((len(xy), 2), np.nan)
        for s in range(0, len(xy), chunk):  # in chunks that stay in the cache
            near[s : s + chunk] = self._nearest_points(xy[s : s + chunk], dv[s : s + chunk], iv[s : s + chunk],
                                                       pc[s : s + chunk], d[s : s + chunk])
        return near

    def _nearest_points(self, xy, dv, iv, pc, d) -> np.ndarray:
        h = self.step / 2.0 + _MARGIN
        near = np.full((len(xy), 2), np.nan)
        rr, cc = np.nonzero((self.sample_poly[iv] == pc[:, None]) & (dv <= d[:, None] + h))
        if not len(rr):
            return near
        sample = iv[rr, cc]
        seg = np.stack([self.owner[sample], self.other[sample]], axis=1).ravel()  # rows stay sorted
        rr = np.repeat(rr, 2)
        keep = seg >= 0
        rr, seg = rr[keep], seg[keep]
        p = xy[rr]
        sa = self.a[seg]
        ab = self.b[seg] - sa
        L2 = np.einsum("ij,ij->i", ab, ab)
        t = np.einsum("ij,ij->i", p - sa, ab)
        np.divide(t, L2, out=t, where=L2 > 0)
        t[L2 <= 0] = 0.0
        np.clip(t, 0.0, 1.0, out=t)
        q = sa + t[:, None] * ab
        dist = np.hypot(q[:, 0] - p[:, 0], q[:, 1] - p[:, 1])
        # per row (rows are sorted), the first candidate at the row's least distance
        starts = np.flatnonzero(np.r_[True, rr[1:] != rr[:-1]])
        least = np.minimum.reduceat(dist, starts)
        hit = np.flatnonzero(dist == np.repeat(least, np.diff(np.r_[starts, len(rr)])))
        first = hit[np.r_[True, rr[hit[1:]] != rr[hit[:-1]]]]
        near[rr[first]] = q[first]
        return near
        p = xy[rr]
        sa = self.a[seg]
        ab = self.b[seg] - sa
        L2 = (ab * ab).sum(axis=1)
        t = np.where(L2 > 0, ((p - sa) * ab).sum(axis=1) / np.where(L2 > 0, L2, 1.0), 0.0)
        t = np.clip(t, 0.0, 1.0)
        q = sa + t[:, None] * ab
        dist = np.hypot(*(q - p).T)
        order = np.lexsort((dist, rr))  # per row, the nearest candidate segment first
        rr, q = rr[order], q[order]
        first = np.ones(len(rr), dtype=bool)
        first[1:] = rr[1:] != rr[:-1]
        near[rr[first]] = q[first]
        return near


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
