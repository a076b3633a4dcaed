"""The share of each polygon's area inside a covered area (:func:`covered_shares`).

Coverage counts population by these shares: a cell half covered counts half its people.
Cells that do not touch the cover's boundary are decided by one point-in-polygon test; only
the cells crossing it (and multipolygons of several parts, which may lie on both sides of it
without touching it) get an exact intersection area, against small pieces of the cover.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["covered_shares", "shares_against", "probe_points", "cover_pieces", "boundary_segments"]


def _split(geom, max_vertices: int = 256, max_depth: int = 20) -> list:
    """Cut a polygon into pieces of at most `max_vertices` vertices (quadtree halving)."""
    import shapely

    out = []
    stack = [(geom, 0)]
    while stack:
        g, depth = stack.pop()
        if g.is_empty:
            continue
        if shapely.get_num_coordinates(g) <= max_vertices or depth >= max_depth:
            out.append(g)
            continue
        x0, y0, x1, y1 = g.bounds
        if x1 - x0 >= y1 - y0:
            xm = (x0 + x1) / 2
            boxes = [shapely.box(x0, y0, xm, y1), shapely.box(xm, y0, x1, y1)]
        else:
            ym = (y0 + y1) / 2
            boxes = [shapely.box(x0, y0, x1, ym), shapely.box(x0, ym, x1, y1)]
        for b in boxes:
            part = shapely.intersection(g, b)
            part = shapely.get_parts(part)
            part = part[shapely.get_type_id(part) == 3]
            if len(part):
                stack.append((shapely.multipolygons(part) if len(part) > 1 else part[0], depth + 1))
    return out


def probe_points(geoms: np.ndarray, coords: tuple | None = None) -> tuple[np.ndarray, np.ndarray]:
    """One vertex of each geometry (a point of it, for the inside/outside test): ``(x, y)``.

    `coords`: ``shapely.get_coordinates(geoms, return_index=True)`` if already read."""
    import shapely

    coords, idx = shapely.get_coordinates(geoms, return_index=True) if coords is None else coords
    x = np.full(len(geoms), np.nan)
    y = np.full(len(geoms), np.nan)
    if len(idx):
        first = np.ones(len(idx), dtype=bool)
        first[1:] = idx[1:] != idx[:-1]
        x[idx[first]] = coords[first, 0]
        y[idx[first]] = coords[first, 1]
    return x, y


def cover_pieces(covered: Any) -> np.ndarray:
    """The cover cut into pieces of at most 256 vertices (what :func:`covered_shares` measures
    partial cells against); compute once and pass as ``pieces=`` to measure several sets of
    polygons against the same cover."""
    return np.asarray(_split(covered), dtype=object)


def boundary_segments(geom: Any) -> np.ndarray:
    """The boundary of a polygon cut into its segments (two-point LineStrings): what an
    STRtree query finds the polygons crossing a boundary with, segment by segment."""
    import shapely

    bparts = shapely.get_parts(shapely.boundary(geom))
    coords, idx = shapely.get_coordinates(bparts, return_index=True)
    same = idx[1:] == idx[:-1]
    if not same.any():
        return np.zeros(0, object)
    return shapely.linestrings(np.stack([coords[:-1][same], coords[1:][same]], axis=1))


def covered_shares(geoms: np.ndarray, covered: Any, *, tree: Any = None, probe: tuple | None = None,
                   pieces: np.ndarray | None = None) -> np.ndarray:
    """The share (0..1) of each polygon's area inside `covered`.

    Cells that do not touch the boundary of `covered` are entirely in or out: one
    point-in-polygon test each (``shapely.contains_xy`` on the prepared cover). Only cells
    crossing the boundary (found with one STRtree query of the boundary segments), and
    multipolygons of several parts (which may lie on both sides without touching it), get an
    exact intersection area, against small pieces of the cover.

    Parameters
    ----------
    geoms : array of Polygon/MultiPolygon
    covered : Polygon/MultiPolygon
    tree : STRtree over `geoms`, optional (reuse it across calls)
    probe : (x, y) arrays, optional
        One vertex of each geometry (reuse across calls).
    pieces : array, optional
        ``cover_pieces(covered)`` (reuse across calls with the same cover).

    Examples
    --------
    >>> import numpy as np
    >>> from shapely import box
    >>> covered_shares(np.array([box(0, 0, 2, 2), box(5, 5, 6, 6), box(1, 0, 3, 1)]), box(0, 0, 2, 2)).tolist()
    [1.0, 0.0, 0.5]
    """
    return shares_against(geoms, covered, tree=tree, probe=probe, pieces=(lambda: pieces) if pieces is not None else None)


def shares_against(geoms: np.ndarray, covered: Any, *, tree: Any = None, probe: tuple | None = None,
                   pieces: Any = None, area: np.ndarray | None = None, segs: np.ndarray | None = None) -> np.ndarray:
    """:func:`covered_shares` with `pieces` a function returning the cover's pieces, called
    only if some polygon crosses the cover's boundary (pass a cached one to share them
    between calls), `area` the polygons' areas and `segs` the cover's
    :func:`boundary_segments` if known."""
    import shapely

    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    shares = np.zeros(n)
    if n == 0 or covered is None or shapely.is_empty(covered):
        return shares
    if tree is None:
        tree = shapely.STRtree(geoms)
    x, y = probe if probe is not None else probe_points(geoms)
    shapely.prepare(covered)
    segs = boundary_segments(covered) if segs is None else segs
    partial = shapely.get_num_geometries(geoms) > 1  # parts may lie on both sides
    if len(segs):
        partial[np.unique(tree.query(segs, predicate="intersects")[1])] = True
    area = shapely.area(geoms) if area is None else area
    partial &= area > 0
    rest = np.flatnonzero(~partial)
    if len(rest):
        shares[rest] = shapely.contains_xy(covered, x[rest], y[rest]).astype(float)
        # a probe vertex exactly on the cover's boundary: the cell touches it at that point only
    pidx = np.flatnonzero(partial)
    if len(pidx):
        pieces = cover_pieces(covered) if pieces is None else pieces()
        ptree = shapely.STRtree(pieces)
        gi, pj = ptree.query(geoms[pidx], predicate="intersects")
        inter = shapely.area(shapely.intersection(geoms[pidx][gi], pieces[pj]))
        acc = np.bincount(gi, weights=inter, minlength=len(pidx))
        shares[pidx] = np.clip(acc / area[pidx], 0.0, 1.0)
    return shares
