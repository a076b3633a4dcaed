"""Input checks and preparation shared by coverage and proximity.

Thresholds, mode, walking speed and snap distance are checked against the limits of
:mod:`ino_geo.defaults`; layers are checked (CRS, missing/empty/non-finite/invalid geometry,
naming the file, record and field) and projected to the metric CRS; parks are grouped by
``park_type`` (default: the types present, in the catalogue's order).

Examples
--------
>>> check_thresholds([500, 500.0], [10])
[(500.0, 'm'), (10.0, 'min')]
"""

from __future__ import annotations

import contextlib
import functools
import math
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from ino_geo import defaults
from ino_geo._errors import DataError, InoGeoError, UsageError
from ino_geo.network._naming import label, record_ref
from ino_geo.network.graph import check_direction

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["as_list", "as_number", "as_progress", "check_frame", "boundary_rows", "check_routing_options",
           "check_thresholds", "check_mode", "check_walk_speed", "check_step", "check_max_snap", "metric_crs",
           "park_groups", "check_geometries", "checked_coordinates", "coordinate_bounds", "metric_geoms",
           "metric_coordinates", "paused_gc", "check_cost"]


def as_list(value: Any, what: str) -> list:
    """An argument that takes a list of values, as a list: None is empty, a single value (a
    string, a number) is one element, never split into characters; any other iterable
    (list, tuple, array, Series) its elements. UsageError for a mapping or a non-iterable.

    Examples
    --------
    >>> as_list("medical", "park_types"), as_list(500, "distances"), as_list((1, 2), "distances")
    (['medical'], [500], [1, 2])
    """
    from collections.abc import Iterable, Mapping

    if value is None:
        return []
    from numbers import Number

    if isinstance(value, (str, bytes, Number, np.number, np.bool_)):
        return [value]
    if isinstance(value, Mapping) or not isinstance(value, Iterable):
        raise UsageError(f"{what}: expected a list of values, got {type(value).__name__} {value!r:.60}")
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return [value.item()]
    return list(value)


def as_number(value: Any, what: str) -> float:
    """A number given as an argument, as a float: UsageError for a boolean (not a number),
    None or anything ``float()`` does not take (a numeric string is taken)."""
    if isinstance(value, (bool, np.bool_)) or value is None:
        raise UsageError(f"{what} {value!r}: not a number")
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        raise UsageError(f"{what} {value!r:.60}: not a number") from None


def as_progress(progress: Any) -> Callable[[str], None]:
    """The progress callback (a no-op for None); UsageError if it is not callable."""
    if progress is None:
        return lambda _msg: None
    if not callable(progress):
        raise UsageError(f"progress: expected a function taking a line of text, got {type(progress).__name__}")
    return progress


def check_frame(gdf: Any, what: str) -> None:
    """UsageError unless `gdf` is a GeoDataFrame (a layer)."""
    import geopandas as gpd

    if not isinstance(gdf, gpd.GeoDataFrame):
        raise UsageError(f"{what}: expected a GeoDataFrame (a layer), got {type(gdf).__name__}")


def check_thresholds(distances: Sequence[float], minutes: Sequence[float]) -> list[tuple[float, str]]:
    """Validate thresholds; return ``[(value, unit), ...]`` (UsageError on a bad one)."""
    out: list[tuple[float, str]] = []
    limits = ((distances, "m", defaults.MAX_DISTANCE_M, "distance"), (minutes, "min", defaults.MAX_MINUTES, "minutes"))
    for values, unit, top, opt in limits:
        for v in as_list(values, opt):
            f = as_number(v, f"--{opt}")
            if not math.isfinite(f) or f < 0:
                raise UsageError(f"--{opt} {v}: must be a finite number >= 0")
            if f > top:
                raise UsageError(f"--{opt} {v}: larger than the allowed {top:g} {unit}")
            if (f, unit) not in out:
                out.append((f, unit))
    if not out:
        raise UsageError("give at least one threshold: --distance METRES or --minutes MIN")
    return out


def check_mode(mode: str, river: Any) -> Any:
    """UsageError on an unknown mode; a UserWarning for network mode without a river.

    Returns the river barrier to use (``river=False``, "there is none", becomes None).
    """
    if not isinstance(mode, str) or mode not in defaults.MODES:
        raise UsageError(f"unknown mode {mode!r}; use one of {', '.join(defaults.MODES)}")
    if mode == "network" and river is None:
        import warnings

        warnings.warn(
            "network mode without river=: walking legs to and from the network may cross a river "
            "(for the Tomsk layers pass river=layers.river; pass river=False where there is none)",
            UserWarning,
            stacklevel=3,
        )
    if river is not None and river is not False:
        import geopandas as gpd
        from shapely.geometry.base import BaseGeometry

        if not isinstance(river, (gpd.GeoDataFrame, gpd.GeoSeries, BaseGeometry)):
            raise UsageError(f"river: expected a layer (GeoDataFrame), a geometry, None or False; "
                             f"got {type(river).__name__}")
    return None if river is False else river


def check_walk_speed(walk_speed_kmh: Any) -> None:
    """UsageError unless the walking speed is a positive finite number (km/h)."""
    if isinstance(walk_speed_kmh, (bool, np.bool_)) or not (
            isinstance(walk_speed_kmh, (int, float, np.integer, np.floating)) and math.isfinite(walk_speed_kmh)
            and walk_speed_kmh > 0):
        raise UsageError(f"walking speed {walk_speed_kmh!r}: must be a positive number of km/h")


def check_step(step: Any) -> None:
    """UsageError unless the densify step is a positive finite number of metres."""
    if isinstance(step, (bool, np.bool_)) or not (
            isinstance(step, (int, float, np.integer, np.floating)) and math.isfinite(step) and step > 0):
        raise UsageError(f"step {step!r}: must be a positive number of metres")


def check_max_snap(max_snap: Any) -> None:
    """UsageError unless the longest walking leg is a finite number of metres >= 0."""
    if isinstance(max_snap, (bool, np.bool_)) or not (
            isinstance(max_snap, (int, float, np.integer, np.floating)) and math.isfinite(max_snap) and max_snap >= 0):
        raise UsageError(f"--max-snap {max_snap!r}: must be a finite number of metres >= 0")


def metric_crs(crs: Any, gdf: "gpd.GeoDataFrame", read: tuple | None = None) -> str:
    """The metric CRS to work in (:func:`ino_geo.crs.metric_crs_for`): `crs` if projected
    (UsageError if not) and of small scale error over `gdf`, else one for `gdf`. `read`: what
    :func:`checked_coordinates` read of `gdf` (its bounds are then not computed again)."""
    from ino_geo.crs import is_projected, metric_crs_for

    if crs is not None:
        try:
            ok = is_projected(crs)
        except Exception:
            ok = False
        if not ok:
            raise UsageError(f"crs {crs!r}: not a projected metric CRS")
    bounds = coordinate_bounds(read[1]) if read is not None and len(read[1]) else None
    return str(metric_crs_for(gdf, crs, native_bounds=bounds))


def coordinate_bounds(xy: np.ndarray) -> tuple[float, float, float, float]:
    """``(minx, miny, maxx, maxy)`` of an ``(n, 2)`` array of coordinates (n > 0), a column at
    a time (10x faster than a reduce along axis 0 of a C-ordered array)."""
    x, y = xy[:, 0], xy[:, 1]
    return float(x.min()), float(y.min()), float(x.max()), float(y.max())


@functools.lru_cache(maxsize=1)
def _catalogue_park_types() -> tuple[str, ...]:
    """The park types allowed by the shipped catalogue, in its order (empty if unavailable)."""
    try:
        from ino_geo.data.catalogue import load_catalogue

        return tuple(load_catalogue()["parks"].columns["park_type"].allowed or ())
    except (InoGeoError, KeyError, OSError):
        return ()


def park_groups(parks: "gpd.GeoDataFrame", park_types: Sequence[str] | None, what: str = "parks") -> list[tuple[str, np.ndarray]]:
    """``[(park_type, row positions), ...]`` in the order asked.

    Default: every type present, in the catalogue's order (types it does not list after them,
    sorted). A layer without ``park_type`` is one group ``"all"``.
    """
    park_types = as_list(park_types, "park_types") or None
    if "park_type" not in parks.columns:
        if park_types:
            raise UsageError(f"{what}: has no park_type column; --park-type cannot select")
        return [("all", np.arange(len(parks)))]
    pt = parks["park_type"].astype(object).to_numpy()
    if park_types:
        for t in park_types:
            if not isinstance(t, str):
                raise UsageError(f"park type {t!r} is not a string")
        types = list(dict.fromkeys(park_types))
    else:
        present = set(x for x in pt if isinstance(x, str))
        known = _catalogue_park_types()
        types = [t for t in known if t in present] + sorted(present - set(known))
    return [(t, np.flatnonzero(pt == t)) for t in types]


def check_geometries(gdf: "gpd.GeoDataFrame", what: str, id_col: str | None = None) -> None:
    """DataError naming the first record whose geometry is missing, empty or not finite."""
    checked_coordinates(gdf, what, id_col)


def checked_coordinates(gdf: "gpd.GeoDataFrame", what: str, id_col: str | None = None) -> tuple:
    """:func:`check_geometries`, returning what it read: the geometries (object array) and
    their 2D coordinates with the geometry index of each (``shapely.get_coordinates``), for
    :func:`metric_crs` and :func:`metric_geoms` (``read=``) to reuse."""
    import shapely

    check_frame(gdf, what)
    name = label(gdf, what)
    if gdf.crs is None:
        raise DataError(f"{name}: the layer has no CRS")
    g = np.asarray(gdf.geometry.values, dtype=object)
    coords, idx = shapely.get_coordinates(g, return_index=True)
    present = np.zeros(len(g), dtype=bool)
    present[idx] = True  # a geometry without a coordinate is missing or empty (2x faster than asking)
    bad = np.flatnonzero(~present)
    if len(bad):
        i = bad[0]
        raise DataError(f"{name}: record {i}{record_ref(gdf, i, id_col)} field geometry: missing or empty geometry")
    if not np.isfinite(coords).all():  # then find the first record with one
        nf = ~np.isfinite(coords).all(axis=1)
        i = int(idx[np.flatnonzero(nf)[0]])
        raise DataError(f"{name}: record {i}{record_ref(gdf, i, id_col)} field geometry: non-finite (NaN/inf) coordinates")
    return g, coords, idx


def metric_geoms(gdf: "gpd.GeoDataFrame", crs: Any, what: str, id_col: str | None = None, *,
                 checked: bool = False, read: tuple | None = None) -> np.ndarray:
    """The checked geometries of `gdf` in the metric `crs` (DataError naming an invalid one).

    `checked`: :func:`check_geometries` has already passed on `gdf` (not run again). The
    coordinates are read once: checked, projected (as ``GeoSeries.to_crs`` does, without
    copying the frame) and tested for validity. Points are valid by construction once
    finite; convex quadrilaterals (grid cells) are decided by a numpy test; only the other
    geometries go through ``shapely.is_valid``.
    """
    return metric_coordinates(gdf, crs, what, id_col, checked=checked, read=read)[0]


def metric_coordinates(gdf: "gpd.GeoDataFrame", crs: Any, what: str, id_col: str | None = None, *,
                       checked: bool = False, read: tuple | None = None) -> tuple:
    """:func:`metric_geoms` and what it read on the way: ``(geometries, coordinates, index,
    type ids)``, the coordinates (metric) and index as ``shapely.get_coordinates(geometries,
    return_index=True)`` gives them, the type ids as ``shapely.get_type_id``."""
    import shapely
    from pyproj import CRS

    if read is not None:  # checked_coordinates(gdf) (the coordinates may be overwritten by the projection)
        g, coords, idx = read
    elif checked:
        g, coords, idx = np.asarray(gdf.geometry.values, dtype=object), None, None
    else:
        g, coords, idx = checked_coordinates(gdf, what, id_col)
    name = label(gdf, what)
    if not CRS.from_user_input(gdf.crs).equals(CRS.from_user_input(crs)):
        g, coords, idx = _projected(gdf, g, coords, idx, crs)
        if not np.isfinite(coords).all():
            raise DataError(f"{name}: coordinates cannot be projected to {crs} (outside its area of use?)")
    elif coords is None:
        coords, idx = shapely.get_coordinates(g, return_index=True)
    kinds = shapely.get_type_id(g)
    test = np.flatnonzero((kinds != 0) & ~_convex_quads(g, coords, idx, kinds))  # grid cells: a numpy test
    invalid = test[~shapely.is_valid(g[test])] if len(test) else test
    if len(invalid):
        i = invalid[0]
        more = f" (and {len(invalid) - 1} more)" if len(invalid) > 1 else ""
        raise DataError(
            f"{name}: record {i}{record_ref(gdf, i, id_col)} field geometry: invalid geometry "
            f"({shapely.is_valid_reason(g[i])}){more}; "
            "repair it explicitly (ino-geo layers validate --fix, or shapely.make_valid)"
        )
    return g, coords, idx, kinds


def _projected(gdf: "gpd.GeoDataFrame", g: np.ndarray, coords: Any, idx: Any, crs: Any) -> tuple:
    """The geometries `g` of `gdf` in `crs`, with their coordinates and index: the very
    numbers ``GeoSeries.to_crs`` gives (the same cached transformer, ``always_xy``), from the
    coordinates already read (overwritten); geometries with Z go through geopandas."""
    import shapely
    from pyproj import CRS

    if shapely.has_z(g).any():
        g = np.asarray(gdf.geometry.values.to_crs(crs), dtype=object)
        return (g, *shapely.get_coordinates(g, return_index=True))
    if coords is None:
        coords, idx = shapely.get_coordinates(g, return_index=True)
    transformer = _transformer(CRS.from_user_input(gdf.crs), CRS.from_user_input(crs))
    quads = _all_simple_quads(g, coords, idx)
    pts = coords.reshape(-1, 5, 2)[:, :4] if quads else coords  # a ring's last point is its first
    x, y = np.ascontiguousarray(pts[..., 0]), np.ascontiguousarray(pts[..., 1])
    transformer.transform(x, y, inplace=True)
    pts[..., 0], pts[..., 1] = x, y
    del x, y
    with paused_gc():
        if not quads:
            return shapely.set_coordinates(g.copy(), coords), coords, idx
        ring = coords.reshape(-1, 5, 2)
        ring[:, 4] = ring[:, 0]
        n = len(g)  # grid cells: built from the coordinates at once (the same polygons)
        return shapely.from_ragged_array(shapely.GeometryType.POLYGON, coords, (np.arange(0, 5 * n + 1, 5), np.arange(n + 1))), coords, idx


def _all_simple_quads(g: np.ndarray, coords: np.ndarray, idx: np.ndarray) -> bool:
    """Whether every geometry is a polygon of one ring of 5 points (a grid cell), in order."""
    import shapely

    n = len(g)
    if not n or len(coords) != 5 * n or not (idx[::5] == np.arange(n)).all() or not (idx[4::5] == np.arange(n)).all():
        return False
    return bool((shapely.get_type_id(g) == 3).all() and (shapely.get_num_interior_rings(g) == 0).all())


@contextlib.contextmanager
def paused_gc():
    """Python's cyclic garbage collector paused while a million geometries are created: it
    would scan every live object repeatedly, and shapely geometries make no reference cycles."""
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@functools.lru_cache(maxsize=16)
def _transformer(src: Any, dst: Any) -> Any:
    """The pyproj transformer ``GeoSeries.to_crs`` uses from `src` to `dst` (x, y order)."""
    from pyproj import Transformer

    return Transformer.from_crs(src, dst, always_xy=True)


def _convex_quads(g: np.ndarray, coords: Any = None, idx: Any = None, kinds: Any = None) -> np.ndarray:
    """True for each polygon that is a strictly convex quadrilateral without holes (a
    population grid cell): such a ring is simple and not degenerate, so the polygon is valid.
    The others (False) need ``shapely.is_valid``. `coords`, `idx`, `kinds`: the coordinates
    of `g` (``shapely.get_coordinates(g, return_index=True)``) and their type ids if known."""
    import shapely

    out = np.zeros(len(g), dtype=bool)
    kinds = shapely.get_type_id(g) if kinds is None else kinds
    if coords is None:
        cand = np.flatnonzero((kinds == 3) & (shapely.get_num_coordinates(g) == 5))
    else:
        counts = np.bincount(idx, minlength=len(g))
        cand = np.flatnonzero((counts == 5) & (kinds == 3))
    if not len(cand):
        return out
    cand = cand[shapely.get_num_interior_rings(g[cand]) == 0]
    if coords is None:
        xy = shapely.get_coordinates(g[cand]).reshape(-1, 5, 2)
    elif len(cand) == len(g) and len(coords) == 5 * len(g):  # all of them: no gather
        xy = coords.reshape(-1, 5, 2)
    else:
        start = np.concatenate([[0], np.cumsum(counts)[:-1]])[cand]
        xy = coords[start[:, None] + np.arange(5)]
    out[cand] = _closed_convex(xy)
    return out


def _closed_convex(xy: np.ndarray) -> np.ndarray:
    """For rings of 5 points (n, 5, 2): closed, and the turn at each of the 4 corners of the
    same strict sign (a strictly convex quadrilateral)."""
    closed = (xy[:, 0] == xy[:, 4]).all(axis=1)
    ex, ey = np.diff(xy[:, :, 0], axis=1), np.diff(xy[:, :, 1], axis=1)  # the 4 edges
    pos, neg = closed.copy(), closed
    for k in range(4):
        j = (k + 1) % 4
        cross = ex[:, k] * ey[:, j] - ey[:, k] * ex[:, j]
        pos &= cross > 0
        neg &= cross < 0
    return pos | neg


def check_cost(cost: str) -> str:
    """Network mode: the unit of `cost`, ``"time"`` -> ``"min"``, ``"distance"`` -> ``"m"`` (else UsageError).

    >>> check_cost("distance")
    'm'
    """
    units = {"time": "min", "distance": "m"}
    if cost not in units:
        raise UsageError(f"unknown cost {cost!r}; use 'time' (quickest route) or 'distance' (shortest route)")
    return units[cost]


def check_routing_options(walk_speed_kmh: float, max_snap: float, direction: str, cost: str | None, mode: str,
                          thresholds: list) -> None:
    """UsageError on a bad walking speed, `max_snap` or `direction`, or a `cost` set outside
    network mode or with a threshold in the other unit."""
    check_walk_speed(walk_speed_kmh)
    check_max_snap(max_snap)
    check_direction(direction)
    if cost is None:
        return
    unit = check_cost(cost)
    if mode != "network":
        raise UsageError(f"cost={cost!r} needs mode='network'")
    other = sorted({u for _, u in thresholds if u != unit})
    if other:
        given = "distances (metres)" if other == ["m"] else "minutes"
        raise UsageError(f"cost {cost!r} ({'quickest' if unit == 'min' else 'shortest'} routes) takes thresholds in "
                         f"{'minutes' if unit == 'min' else 'metres'}, not {given}")


def boundary_rows(boundaries: "gpd.GeoDataFrame", by: str) -> np.ndarray:
    """The positions of the boundaries of level `by` (``--by municipality|district``);
    UsageError naming what is missing when there are none."""
    if "level" not in boundaries.columns:
        raise UsageError(f"--by {by}: the boundaries have no 'level' column")
    levels = boundaries["level"].astype(object).to_numpy()
    sel = np.flatnonzero(levels == by)
    if not len(sel):
        have = ", ".join(sorted(set(map(str, levels))))
        raise UsageError(f"--by {by}: no boundary has level {by!r} (levels: {have})")
    return sel
