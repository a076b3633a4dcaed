"""The straight links of proximity rows: from each origin to its park's nearest point, EPSG:4326.

:func:`link_lines` builds the lines from coordinate arrays where the nearest point is known
(:func:`ino_geo.analysis.nearest.nearest_polygons_and_points` gives it for points), and with
``shapely.shortest_line`` elsewhere; the coordinates are reprojected by one transformer call
per chunk, chunks shared among threads.

Examples
--------
>>> import numpy as np
>>> from shapely import Point, box
>>> LOCAL = "+proj=tmerc +lon_0=87 +datum=WGS84 +units=m"
>>> lines = link_lines(np.array([Point(150, 50)]), np.array([box(0, 0, 100, 100)]), np.array([0]),
...                    np.array([0]), np.array([50.0]), LOCAL)
>>> [round(c, 6) for c in lines[0].coords[1]]
[87.000898, 0.000452]
"""

from __future__ import annotations

import numpy as np

from ino_geo.analysis.nearest import _threads

__all__ = ["link_lines"]


def link_lines(og: np.ndarray, dg: np.ndarray, oi: np.ndarray, di: np.ndarray, dist: np.ndarray, crs: str,
           to_xy: np.ndarray | None = None, chunk: int = 32_768) -> np.ndarray:
    """The straight link of each row from its origin to the park's nearest point, EPSG:4326
    (None without a park): a zero-length line at a point origin inside its park; from a point
    origin to `to_xy` where the kernel found the park's nearest point (built from coordinate
    arrays, reprojected in one transformer call per chunk, chunks shared among threads);
    ``shapely.shortest_line`` for the rest (other origins, other paths)."""
    import shapely
    from pyproj import Transformer

    from ino_geo.crs import STORAGE_CRS

    geom = np.full(len(oi), None, dtype=object)
    rows_all = np.flatnonzero(di >= 0)

    def links_of(s: int) -> None:  # in chunks: the metric coordinates never all exist at once
        tr = Transformer.from_crs(crs, STORAGE_CRS, always_xy=True)  # one per thread
        rows = rows_all[s : s + chunk]
        ends, fast = _link_ends(og[oi[rows]], dist[rows], None if to_xy is None else to_xy[rows])
        if fast.any():
            geom[rows[fast]] = shapely.linestrings(_reprojected_ends(ends[fast], tr))
        if not fast.all():
            slow = rows[~fast]
            line = shapely.shortest_line(og[oi[slow]], dg[di[slow]])
            geom[slow] = shapely.transform(line, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))

    starts = range(0, len(rows_all), chunk)
    if len(starts) > 1:  # GEOS and PROJ release the GIL: the chunks share the cores
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(_threads()) as ex:
            list(ex.map(links_of, starts))
    else:
        for s in starts:
            links_of(s)
    return geom


def _reprojected_ends(ends: np.ndarray, tr) -> np.ndarray:
    """Link ends ``(n, 2, 2)`` through the transformer `tr`; the end of a zero-length link is
    its start (not transformed twice)."""
    out = np.empty_like(ends)
    out[:, 0, 0], out[:, 0, 1] = tr.transform(ends[:, 0, 0], ends[:, 0, 1])
    out[:, 1] = out[:, 0]
    moved = np.flatnonzero((ends[:, 1] != ends[:, 0]).any(axis=1))
    if len(moved):
        out[moved, 1, 0], out[moved, 1, 1] = tr.transform(ends[moved, 1, 0], ends[moved, 1, 1])
    return out


def _link_ends(origins: np.ndarray, dist: np.ndarray, to_xy: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The two ends ``(n, 2, 2)`` of the links that need no GEOS call (a point origin inside its
    park: the point twice; a point origin with the park's nearest point known: both), and a
    mask of those rows."""
    import shapely

    ends = np.full((len(origins), 2, 2), np.nan)
    pt = shapely.get_type_id(origins) == 0
    ends[pt, 0] = shapely.get_coordinates(origins[pt])
    inside = pt & (dist == 0)
    ends[inside, 1] = ends[inside, 0]
    if to_xy is not None:
        known = pt & ~inside & ~np.isnan(to_xy[:, 0])
        ends[known, 1] = to_xy[known]
    return ends, ~np.isnan(ends[:, 1, 0])
