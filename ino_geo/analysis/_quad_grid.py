"""Population grid cells kept as coordinates: metric polygons only where a boundary passes.

A million grid cells projected to the metric CRS cost more as a million GEOS polygons
(building, indexing, freeing them) than the covered shares themselves. Grid cells (strictly
convex quadrilaterals, what :func:`grid_rings` accepts) are kept here as their metric rings
(:class:`QuadGrid`). Most cells lie wholly inside or outside a zone or a cover: one vertex
decides them (``shapely.contains_xy``). The cells a boundary may cross are found by their
bounding boxes in a uniform bucket grid (numpy), and only those get a polygon, built from the
very same coordinates, for the exact GEOS predicate and intersection. Each number is the one
the general path (:func:`~ino_geo.analysis.shares.shares_against`,
:func:`~ino_geo.analysis._zones.zone_hits`) computes: the same predicates on the same
polygons; a cell decided by its vertex there is decided by its vertex here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ino_geo.analysis.shares import boundary_segments

__all__ = ["QuadGrid", "grid_rings", "grid_fragments", "grid_shares"]


def grid_rings(population: Any, crs: Any) -> np.ndarray | None:
    """The cells' metric rings ``(n, 5, 2)`` if every cell is one ring of 5 points (no Z),
    stored in another CRS than `crs`, projected to finite coordinates as a strictly convex
    quadrilateral (a valid grid cell); else None (the general path then checks, projects and
    reports). DataError for a missing, empty or non-finite geometry, as the general path."""
    import shapely
    from pyproj import CRS

    from ino_geo.analysis._inputs import _all_simple_quads, _closed_convex, _transformer, checked_coordinates

    g, coords, idx = checked_coordinates(population, "population", "cell_id")
    src, dst = CRS.from_user_input(population.crs), CRS.from_user_input(crs)
    if src.equals(dst) or shapely.has_z(g).any() or not _all_simple_quads(g, coords, idx):
        return None
    ring = coords.reshape(-1, 5, 2)  # projected as GeoSeries.to_crs does (see _inputs._projected)
    pts = ring[:, :4]
    x, y = np.ascontiguousarray(pts[..., 0]), np.ascontiguousarray(pts[..., 1])
    _transform(_transformer(src, dst), x.reshape(-1), y.reshape(-1))
    pts[..., 0], pts[..., 1] = x, y
    ring[:, 4] = ring[:, 0]
    if not np.isfinite(coords).all() or not _closed_convex(ring).all():
        return None
    return ring


def _transform(transformer: Any, x: np.ndarray, y: np.ndarray, chunk: int = 250_000) -> None:
    """``transformer.transform(x, y, inplace=True)``, large arrays in chunks on threads (pyproj
    releases the GIL and its Transformer is thread-safe since 3.1): the same numbers."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    n = len(x)
    if cores < 2 or n < 2 * chunk:
        transformer.transform(x, y, inplace=True)
        return
    k = min(cores, 8)
    cuts = [n * i // k for i in range(k + 1)]
    with ThreadPoolExecutor(k) as pool:
        list(pool.map(lambda a, b: transformer.transform(x[a:b], y[a:b], inplace=True), cuts[:-1], cuts[1:]))


class QuadGrid:
    """Metric rings ``(n, 5, 2)`` of grid cells (n > 0), with their bounding boxes hashed into
    a uniform grid of buckets at least as large as any cell."""

    def __init__(self, ring: np.ndarray):
        self.ring = ring
        c = [ring[:, k] for k in range(4)]  # the 4 corners, (n, 2) each
        lo = np.minimum(np.minimum(c[0], c[1]), np.minimum(c[2], c[3]))
        hi = np.maximum(np.maximum(c[0], c[1]), np.maximum(c[2], c[3]))
        self.box = (lo[:, 0], lo[:, 1], hi[:, 0], hi[:, 1])
        n = len(ring)
        self.step = tuple(max(float((self.box[k + 2] - self.box[k]).max()), 1e-9) for k in (0, 1))
        self.origin = (float(self.box[0].min()), float(self.box[1].min()))
        self.shape = (self._bucket(self.box[0].max(), 0) + 1, self._bucket(self.box[1].max(), 1) + 1)
        #: few enough buckets for a flag each (else the cells are too scattered for this index)
        self.compact = self.shape[0] * self.shape[1] <= 8 * n + 2**20
        self.key = self._bucket(self.box[0], 0) * self.shape[1] + self._bucket(self.box[1], 1)

    def __len__(self) -> int:
        return len(self.ring)

    def _bucket(self, v: Any, axis: int) -> Any:
        b = np.floor((np.asarray(v, dtype=float) - self.origin[axis]) / self.step[axis]).astype(np.int64)
        return int(b) if b.ndim == 0 else b

    def probe(self) -> tuple[np.ndarray, np.ndarray]:
        """The first vertex of each cell (as :func:`~ino_geo.analysis.shares.probe_points`)."""
        return self.ring[:, 0, 0].copy(), self.ring[:, 0, 1].copy()

    def polygons(self, idx: np.ndarray | None = None) -> np.ndarray:
        """The metric polygons of the cells `idx` (all by default), built from their rings."""
        import shapely

        rings = self.ring if idx is None else self.ring[idx]
        k = len(rings)
        if not k:
            return np.zeros(0, object)
        return shapely.from_ragged_array(shapely.GeometryType.POLYGON, rings.reshape(-1, 2),
                                         (np.arange(0, 5 * k + 1, 5), np.arange(k + 1)))

    def near(self, segs: np.ndarray) -> np.ndarray:
        """The cells whose bounding box may meet a segment's (a superset, ascending): the
        segments clipped to the grid and cut at most half a bucket long, each marking the
        buckets where the lower corner of a cell meeting it can lie."""
        import shapely

        if not len(segs) or not len(self):
            return np.zeros(0, np.int64)
        (w, h), (nx, ny) = self.step, self.shape
        x0, y0 = self.origin
        frame = (x0 - 2 * w, y0 - 2 * h, x0 + (nx + 2) * w, y0 + (ny + 2) * h)
        segs = shapely.clip_by_rect(segs, *frame)
        c, i = shapely.get_coordinates(shapely.segmentize(segs, min(w, h) / 2), return_index=True)
        same = np.flatnonzero(i[1:] == i[:-1])
        if not len(same):
            return np.zeros(0, np.int64)
        a, b = c[same], c[same + 1]
        # a cell's box meets a piece's only if its lower corner lies within a step below the
        # piece's box (cells are at most a step wide); `_bucket` is monotone; `e`: rounding
        e = (w * 1e-3, h * 1e-3)
        lo = [self._bucket(np.minimum(a[:, k], b[:, k]) - self.step[k] - e[k], k) for k in (0, 1)]
        hi = [self._bucket(np.maximum(a[:, k], b[:, k]) + e[k], k) for k in (0, 1)]
        span = max(int((hi[0] - lo[0]).max()), int((hi[1] - lo[1]).max())) + 1
        hot = np.zeros(nx * ny, dtype=bool)
        for dx in range(span):
            kx = lo[0] + dx
            for dy in range(span):
                ky = lo[1] + dy
                ok = (kx <= hi[0]) & (ky <= hi[1]) & (kx >= 0) & (kx < nx) & (ky >= 0) & (ky < ny)
                hot[kx[ok] * ny + ky[ok]] = True
        return np.flatnonzero(hot[self.key])

    def crossing(self, segs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The cells that intersect a segment (ascending) and their polygons: the result of
        ``STRtree(cells).query(segs, predicate="intersects")``, evaluated on the candidates."""
        import shapely

        cand = self.near(segs)
        polys = self.polygons(cand)
        if not len(cand):
            return cand, polys
        hit = np.unique(shapely.STRtree(polys).query(segs, predicate="intersects")[1])
        return cand[hit], polys[hit]


def _zone_hits(grid: QuadGrid, zone: Any, probe: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`~ino_geo.analysis._zones.zone_hits` on grid cells: the cells meeting `zone`
    (ascending), whether each lies in its interior, and the polygons of those that do not."""
    import shapely

    shapely.prepare(zone)
    zx0, zy0, zx1, zy1 = shapely.bounds(zone)
    bx0, by0, bx1, by1 = grid.box
    ci = np.flatnonzero((bx1 >= zx0) & (bx0 <= zx1) & (by1 >= zy0) & (by0 <= zy1))  # the STRtree's candidates
    cut, cpolys = grid.crossing(boundary_segments(zone))
    at = np.searchsorted(cut, ci)
    crosses = np.zeros(len(ci), dtype=bool)
    if len(cut):
        crosses = (at < len(cut)) & (cut[np.minimum(at, len(cut) - 1)] == ci)
    keep = np.zeros(len(ci), dtype=bool)
    s = np.flatnonzero(~crosses)
    keep[s] = shapely.contains_xy(zone, probe[0][ci[s]], probe[1][ci[s]])
    o = np.flatnonzero(crosses)
    opolys = cpolys[at[o]]
    meet = shapely.intersects(zone, opolys)
    o, opolys = o[meet], opolys[meet]
    keep[o] = True
    full = keep.copy()
    inside = shapely.contains_properly(zone, opolys)
    full[o] = inside
    return ci[keep], full[keep], opolys[~inside]


def grid_fragments(grid: QuadGrid, zones: list, probe: tuple) -> tuple:
    """``(zone, cell, weight, geometry, is_part)`` of the fragments, as
    :func:`~ino_geo.analysis._coverage_cells.zone_fragments` gives them (here in ascending
    cell order per zone; a whole-cell fragment has no geometry: None)."""
    import shapely

    from ino_geo.analysis._zones import collect_fragments

    out: tuple = ([], [], [], [], [])
    for zi, (_, _, zg) in enumerate(zones):
        ci, full, ppolys = _zone_hits(grid, zg, probe)
        collect_fragments(out, zi, zg, ci, full, np.full(len(ci), None, dtype=object), ppolys, shapely.area(ppolys))
    return tuple(map(np.concatenate, out))


def grid_shares(grid: QuadGrid, cover: Any, probe: tuple, pieces: Any, segs: np.ndarray | None) -> np.ndarray:
    """:func:`~ino_geo.analysis.shares.shares_against` on grid cells: the covered share of
    each cell, the cells crossing the cover's boundary measured against its `pieces` (a
    function returning them), the others decided by their first vertex."""
    import shapely

    shares = np.zeros(len(grid))
    if not len(grid) or cover is None or shapely.is_empty(cover):
        return shares
    shapely.prepare(cover)
    pidx, polys = grid.crossing(boundary_segments(cover) if segs is None else segs)
    area = shapely.area(polys)
    pos = area > 0
    pidx, polys, area = pidx[pos], polys[pos], area[pos]
    rest = np.ones(len(grid), dtype=bool)
    rest[pidx] = False
    rest = np.flatnonzero(rest)
    shares[rest] = shapely.contains_xy(cover, probe[0][rest], probe[1][rest]).astype(float)
    if len(pidx):
        pieces = pieces()
        gi, pj = shapely.STRtree(pieces).query(polys, predicate="intersects")
        inter = shapely.area(shapely.intersection(polys[gi], pieces[pj]))
        shares[pidx] = np.clip(np.bincount(gi, weights=inter, minlength=len(pidx)) / area, 0.0, 1.0)
    return shares
