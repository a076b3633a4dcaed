"""The direct walk: a straight walk from a place to another of at most ``max_snap`` metres
that never crosses the river (the one rule coverage and proximity share with snapping).

Examples
--------
>>> import numpy as np
>>> from shapely import Point, box
>>> pts = np.array([Point(0, 0), Point(0, 100)])
>>> parks = np.array([box(30, -10, 40, 10)])
>>> i, j, d = direct_walks(pts, parks, 200.0)
>>> i.tolist(), j.tolist(), d.round(1).tolist()
([0, 1], [0, 0], [30.0, 94.9])
>>> i, j, d = direct_walks(pts, parks, 200.0, barrier=box(10, -5, 20, 5))
>>> i.tolist()
[1]
>>> nearest_walk_minutes(pts, parks, 200.0, walk_speed_kmh=4.5).round(2).tolist()
[0.4, 1.26]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ino_geo import defaults
from ino_geo.network.snapping import crosses_barrier

__all__ = ["direct_walks", "nearest_walk_minutes"]


def direct_walks(points: np.ndarray, places: np.ndarray, max_snap: float, barrier: Any = None):
    """Every straight walk of at most `max_snap` metres from a point to a place that does not
    cross `barrier` (a place containing the point is a walk of 0 m).

    Returns
    -------
    (point index, place index, metres) : three arrays
    """
    import shapely

    points = np.asarray(points, dtype=object)
    places = np.asarray(places, dtype=object)
    if not len(points) or not len(places):
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    pi, gi = shapely.STRtree(places).query(points, predicate="dwithin", distance=max_snap)
    if not len(pi):
        return pi, gi, np.zeros(0)
    lines = shapely.shortest_line(points[pi], places[gi])
    d = shapely.length(lines)
    ok = (d == 0) | ~crosses_barrier(lines, barrier)
    return pi[ok], gi[ok], d[ok]


def nearest_walk_minutes(points: np.ndarray, places: np.ndarray, max_snap: float, barrier: Any = None,
                         walk_speed_kmh: float = defaults.WALK_SPEED_KMH) -> np.ndarray:
    """Minutes of the direct walk from each point to the nearest place (``inf`` if none)."""
    out = np.full(len(points), np.inf)
    pi, _, d = direct_walks(points, places, max_snap, barrier)
    np.minimum.at(out, pi, d / defaults.walk_m_per_min(walk_speed_kmh))
    return out
