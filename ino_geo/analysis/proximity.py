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
  has distance 0 and 0 minutes. ``cost="time"`` (the default) ranks by minutes (the
  quickest route), ``cost="distance"`` by metres (the shortest route); either way
  ``distance_m`` and ``minutes`` are the length and the travel time of the chosen route.
  ``direction="to"`` (the default) routes from the origin to the park, ``"from"`` from the
  park to the origin (they differ on one-way streets). The row's geometry is still the
  straight link to the park's nearest point (for drawing), not the route.

:func:`proximity` reads as its steps: check and project the inputs
(:mod:`ino_geo.analysis._inputs`), the network setup (:func:`_network_setup`), the ranked
rows of each park type (:func:`_type_rows`: :func:`nearest_polygons`, :func:`_euclidean_ranked`
or :func:`_network_ranked`), and the result table (:func:`_assemble`).

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
>>> LOCAL = "+proj=tmerc +lon_0=87 +datum=WGS84 +units=m"  # planar at (0, 0): scale 1
>>> import geopandas as gpd
>>> from shapely import Point, box
>>> parks = gpd.GeoDataFrame({"park_id": ["a", "b"], "name": ["A", "B"], "park_type": ["green", "green"]},
...                          geometry=[box(0, 0, 100, 100), box(300, 0, 400, 100)], crs=LOCAL)
>>> sites = gpd.GeoDataFrame({"site_id": ["s1", "s2"], "name": ["S1", "S2"]},
...                          geometry=[Point(50, 50), Point(150, 50)], crs=LOCAL)
>>> r = proximity(sites, parks, k=2)
>>> r[["origin_id", "rank", "park_id", "distance_m"]].values.tolist()
[['s1', 1, 'a', 0.0], ['s1', 2, 'b', 250.0], ['s2', 1, 'a', 50.0], ['s2', 2, 'b', 150.0]]
"""

from __future__ import annotations


from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from ino_geo import defaults
from ino_geo._errors import DataError, UsageError
from ino_geo.analysis._inputs import (as_progress, check_cost, check_frame, check_max_snap, check_mode,
                                      check_walk_speed, checked_coordinates, metric_crs, metric_geoms, park_groups)
from ino_geo.analysis.links import link_lines
from ino_geo.analysis.nearest import nearest_polygons_and_points
from ino_geo.network.graph import check_direction

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["proximity", "id_column", "COLUMNS"]

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


def _ids(gdf, col: str | None):
    """The identifiers as a pandas array (its dtype kept: taking rows from it is cheap)."""
    import pandas as pd

    return gdf[col].array if col else pd.array(gdf.index.astype(str), dtype="str")


def _names(gdf):
    import pandas as pd

    return gdf["name"].array if "name" in gdf.columns else pd.array(np.full(len(gdf), None, dtype=object), dtype=object)


def _rank_matrix(cost: np.ndarray, k: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the column order by cost (ties: column order), first k; and whether each
    ranked cost is tied with another column of its row (:func:`_tied_sorted`)."""
    order = np.argsort(cost, axis=1, kind="stable")
    tied = _tied_sorted(np.take_along_axis(cost, order, axis=1), k)
    return (order[:, :k] if k is not None else order), tied


def _tied_sorted(sv: np.ndarray, k: int | None) -> np.ndarray:
    """For each row of sorted costs `sv` (first k positions): True where the cost equals
    (within a relative 1e-6) that of another column of the row, reported or not.

    Only sorted neighbours need comparing (the closest other cost is adjacent), so memory is
    linear in the output (the old way compared every pair of columns of every row).
    """
    n = sv.shape[1]
    kk = n if k is None else min(k, n)
    tol = _TIE_TOL * np.maximum(1.0, np.abs(sv[:, :kk]))
    tied = np.zeros((sv.shape[0], kk), dtype=bool)
    m = min(kk, n - 1)  # positions with a next cost
    with np.errstate(invalid="ignore"):  # inf - inf: never a tie
        tied[:, 1:kk] |= np.abs(sv[:, 1:kk] - sv[:, : kk - 1]) <= tol[:, 1:kk]
        tied[:, :m] |= np.abs(sv[:, 1 : m + 1] - sv[:, :m]) <= tol[:, :m]
    tied &= np.isfinite(sv[:, :kk])  # no route: never reported, never a tie
    return tied


def proximity(
    origins: "gpd.GeoDataFrame",
    destinations: "gpd.GeoDataFrame",
    *,
    park_types: Sequence[str] | None = None,
    k: int = 1,
    mode: str = "euclidean",
    network: Any = None,
    scenario: str = "existing",
    max_snap: float = defaults.MAX_SNAP_M,
    walk_speed_kmh: float = defaults.WALK_SPEED_KMH,
    matrix: bool = False,
    river: Any = None,
    crs: Any = None,
    origin_id: str | None = None,
    destination_id: str | None = None,
    links: bool = False,
    progress: Callable[[str], None] | None = None,
    cost: str = "time", direction: str = "to",
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
        Network mode: the line layer (corridors, or a street layer); `scenario` (``"existing"``
        or ``"planned"``) selects its corridors (see :mod:`ino_geo.network.scenarios`).
    max_snap, walk_speed_kmh : float
        Longest walking leg to/from the network (and longest direct walk), metres; walking speed.
    matrix : bool
        Every origin x destination pair (ranked per origin and type) instead of the k nearest.
    river : GeoDataFrame or geometry, optional
        Barrier no walking leg crosses (network mode; without it a UserWarning says that walking
        legs may cross a river; pass ``river=False`` for data without one).
    crs : optional
        Metric CRS (default estimated from the origins; EPSG:32645 for Tomsk).
    origin_id, destination_id : str, optional
        Identifier columns (default: ``site_id``/``park_id``/... if present, else the index).
    links : bool
        Draw each row's link (the straight line from the origin to the park's nearest point,
        EPSG:4326; in network mode the straight line that the route stands for) in
        ``geometry``. Off by default: building and reprojecting a line per row costs more than
        the search itself on large inputs (a million origins: ~2x the time), and tables, CSV
        and JSON never show it; ``geometry`` is then empty (None). Maps and GeoJSON outputs ask
        for it. The distances are the same either way.
    progress : callable, optional
    cost, direction : str
        Network mode: rank by the quickest (``"time"``) or shortest (``"distance"``) route, travelled
        from the origin to the park (``"to"``) or from the park to the origin (``"from"``).

    Returns
    -------
    GeoDataFrame
        Columns :data:`COLUMNS`, EPSG:4326. ``distance_m`` in metres, ``minutes`` (network
        mode; NaN in euclidean mode), ``route``: ``straight`` | ``walk`` | ``network``,
        ``origin_snap_m`` / ``park_snap_m``: walking legs to/from the network (network mode).
        ``.attrs`` holds ``crs``, ``metric_crs`` and ``units``.
    """
    river = check_mode(mode, river)
    unit = _check_options(k, max_snap, walk_speed_kmh, cost, direction)
    check_frame(origins, "origins")
    check_frame(destinations, "destinations")
    ocol, dcol = id_column(origins, origin_id), id_column(destinations, destination_id)
    oread = checked_coordinates(origins, "origins", ocol)  # read once: checked, bounded, projected
    dread = checked_coordinates(destinations, "destinations", dcol)
    say = as_progress(progress)
    crs = metric_crs(crs, *((origins, oread) if len(origins) else (destinations, dread)))
    if len(destinations) == 0 and not park_types:
        raise DataError("destinations: the layer is empty (name --park-type to get no_destination rows)")
    groups = park_groups(destinations, park_types, what="destinations")
    o, d = _Places.of(origins, ocol, crs, "origins", oread), _Places.of(destinations, dcol, crs, "destinations", dread)
    del oread, dread
    walk = _Walk(None, None, None, max_snap, walk_speed_kmh, unit, direction)
    if mode == "network":
        walk = _network_setup(network, scenario, crs, river, o.geoms, walk, say)
    parts = []
    for ptype, idx in groups:
        say(f"{ptype}: {len(idx)} destinations")
        parts.append((idx, _type_rows(mode, o.geoms, d.geoms[idx], k, matrix, walk, links)))
    attrs = dict(_run_attrs(mode, scenario, k, matrix, walk, cost), links=bool(links))
    return _assemble(_rows_in_order(parts), o, d, groups, crs, attrs, links)


def _run_attrs(mode: str, scenario: str, k: int, matrix: bool, walk: "_Walk", cost: str) -> dict:
    """The settings of the run, for ``.attrs`` (the network ones None in euclidean mode)."""
    net = mode == "network"
    return dict(mode=mode, scenario=scenario if net else None, k=None if matrix else int(k), matrix=bool(matrix),
                walk_speed_kmh=walk.walk_speed_kmh, max_snap_m=walk.max_snap if net else None,
                cost=cost if net else None, direction=walk.direction if net else None)


def _check_options(k: Any, max_snap: Any, walk_speed_kmh: Any, cost: str = "time", direction: str = "to") -> str:
    """UsageError on a bad `k`, `max_snap`, walking speed, `cost` or `direction` (in this
    order); the cost unit (``"min"`` or ``"m"``)."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise UsageError(f"-k {k!r}: must be a whole number >= 1")
    check_max_snap(max_snap)
    check_walk_speed(walk_speed_kmh)
    check_direction(direction)
    return check_cost(cost)


@dataclass
class _Places:
    """Origins or destinations: geometries in the metric CRS, identifiers and names."""

    geoms: np.ndarray
    ids: np.ndarray
    names: np.ndarray

    @classmethod
    def of(cls, gdf: "gpd.GeoDataFrame", col: str | None, crs: str, what: str, read: tuple) -> "_Places":
        """`read`: what :func:`~ino_geo.analysis._inputs.checked_coordinates` read of `gdf`."""
        geoms = metric_geoms(gdf, crs, what, col, read=read) if len(gdf) else np.zeros(0, object)
        return cls(geoms, _ids(gdf, col), _names(gdf))


@dataclass
class _Walk:
    """Network mode: the network, the river barrier, the snapped origins, and the walking legs."""

    net: Any
    barrier: Any
    osnap: Any
    max_snap: float
    walk_speed_kmh: float
    unit: str = "min"  # cost minimised: "min" (quickest) or "m" (shortest)
    direction: str = "to"


def _network_setup(network, scenario, crs, river, og, walk: _Walk, say) -> _Walk:
    """`walk` with the scenario's network and river
    (:func:`ino_geo.network.scenarios.prepare_network`) and the origins snapped to it."""
    from ino_geo.network.scenarios import prepare_network
    from ino_geo.network.snapping import snap

    net, barrier = prepare_network(network, scenario, crs=crs, river=river, progress=say)
    say(f"snapping {len(og)} origins (max {walk.max_snap:g} m)")
    osnap = snap(net, og, max_snap=walk.max_snap, barrier=barrier)
    return replace(walk, net=net, barrier=barrier, osnap=osnap)


def _type_rows(mode: str, og: np.ndarray, dg: np.ndarray, k: int, matrix: bool, walk: _Walk,
               links: bool = False) -> dict:
    """The ranked rows (columns as arrays) of one park type's destinations `dg`; with `links`,
    the euclidean k = 1 rows also carry ``to_xy``, the park's nearest point where the kernel
    found it (NaN elsewhere)."""
    no = len(og)
    if not len(dg) or not no:
        return _empty_rows(no)
    if mode == "euclidean" and k == 1 and not matrix:
        oi, dj, dist, near = nearest_polygons_and_points(og, dg, with_points=links)
        if len(oi) == no and (oi[1:] > oi[:-1]).all():  # one row per origin: no tie, nothing to take
            n, tied = no, np.zeros(no, dtype=bool)
        else:
            first = np.ones(len(oi), dtype=bool)
            first[1:] = oi[1:] != oi[:-1]
            tied = np.bincount(oi, minlength=no)[oi[first]] > 1
            oi, dj, dist, near = oi[first], dj[first], dist[first], near[first] if links else None
            n = len(oi)
        return ({"to_xy": near} if links else {}) | {
            "o": oi, "d": dj, "rank": np.ones(n, np.int64), "distance_m": dist,
            "minutes": np.full(n, np.nan), "route": _Same("straight", n),
            "tied": tied, "status": _Same("ok", n), "snap_status": _Same(None, n),
            "origin_snap_m": np.full(n, np.nan), "park_snap_m": np.full(n, np.nan),
        }
    if mode == "euclidean":
        return _euclidean_ranked(og, dg, None if matrix else k)
    return _network_ranked(og, dg, None if matrix else k, walk)


_KEYS = ("o", "d", "rank", "distance_m", "minutes", "route", "tied", "status", "snap_status", "origin_snap_m",
         "park_snap_m")


def _rows_in_order(parts: list) -> dict:
    """The rows of every park type in one set of arrays (``t``: the type's position, ``d``:
    the destination's row in the layer or -1), in origin order, then type order, then rank
    (rows without a park, rank -1, first)."""
    if not parts:
        return {key: np.zeros(0, np.int64) for key in _KEYS + ("t",)}
    rows = {key: _joined([cols[key] for _, cols in parts]) for key in _KEYS}
    if any("to_xy" in cols for _, cols in parts):  # the parks' nearest points, where known
        rows["to_xy"] = np.concatenate([cols.get("to_xy", np.full((len(cols["o"]), 2), np.nan)) for _, cols in parts])
    rows["t"] = np.concatenate([np.full(len(cols["o"]), ti) for ti, (_, cols) in enumerate(parts)])
    rows["d"] = np.concatenate([_layer_rows(idx, np.asarray(cols["d"], dtype=np.int64)) for idx, cols in parts])
    o, t, rank = (np.asarray(rows[key], dtype=np.int64) for key in ("o", "t", "rank"))
    if len(o) > 1 and not _in_order(o, t, rank):
        order = np.lexsort((rank, t, o))
        rows = {key: v if isinstance(v, _Same) else np.asarray(v)[order] for key, v in rows.items()}
    return rows


@dataclass
class _Same:
    """A text column of one value (None: missing) for `n` rows, not materialised."""

    value: str | None
    n: int

    def __len__(self) -> int:
        return self.n

    def array(self) -> np.ndarray:
        return np.full(self.n, self.value, dtype=object)


@dataclass
class _Coded:
    """A text column as codes into its distinct values `uniq` (not materialised)."""

    codes: np.ndarray
    uniq: np.ndarray


def _joined(parts: list):
    """The column's parts end to end (a single part as it is; constant parts stay constant)."""
    if len(parts) == 1:
        return parts[0]
    if all(isinstance(p, _Same) for p in parts) and len({p.value for p in parts}) == 1:
        return _Same(parts[0].value, sum(p.n for p in parts))
    return np.concatenate([p.array() if isinstance(p, _Same) else p for p in parts])


def _layer_rows(idx: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Destination positions within a park type -> rows of the layer (-1 stays -1)."""
    return np.where(d >= 0, idx[np.maximum(d, 0)], -1) if len(idx) else np.full(len(d), -1)


def _in_order(o: np.ndarray, t: np.ndarray, rank: np.ndarray) -> bool:
    """Whether rows are already sorted by (origin, type, rank) (the common k = 1 case)."""
    do, dt, dr = np.diff(o), np.diff(t), np.diff(rank)
    return bool(((do > 0) | ((do == 0) & ((dt > 0) | ((dt == 0) & (dr > 0))))).all())


def _assemble(rows: dict, o: "_Places", d: "_Places", groups: list, crs: str, attrs: dict, links: bool) -> "gpd.GeoDataFrame":
    """The result table from the ordered rows, column by column (no per-type frames to
    concatenate and sort; text columns built through pyarrow), EPSG:4326."""
    import geopandas as gpd
    import pandas as pd

    from ino_geo.crs import STORAGE_CRS

    oi = np.asarray(rows["o"], dtype=np.int64)
    di = np.asarray(rows["d"], dtype=np.int64)
    rank = np.asarray(rows["rank"], dtype=np.int64)
    types = np.array([t for t, _ in groups], dtype=object)
    cols = {
        "origin_id": _take(o.ids, oi), "origin_name": _take(o.names, oi),
        "park_type": _strings(_Coded(np.asarray(rows["t"], dtype=np.int64), types)),
        "rank": pd.arrays.IntegerArray(np.maximum(rank, 0), rank < 0),
        "park_id": _take(d.ids, di), "park_name": _take(d.names, di),
        "distance_m": np.asarray(rows["distance_m"], dtype=float), "minutes": np.asarray(rows["minutes"], dtype=float),
        "route": _strings(rows["route"]), "tied": np.asarray(rows["tied"], dtype=bool),
        "status": _strings(rows["status"]), "snap_status": _strings(rows["snap_status"]),
        "origin_snap_m": np.asarray(rows["origin_snap_m"], dtype=float),
        "park_snap_m": np.asarray(rows["park_snap_m"], dtype=float),
    }
    geom = link_lines(o.geoms, d.geoms, oi, di, np.asarray(rows["distance_m"], dtype=float), crs,
                      rows.get("to_xy")) if links else \
        np.full(len(oi), None, dtype=object)
    gdf = gpd.GeoDataFrame(cols, geometry=gpd.array.from_shapely(geom, crs=STORAGE_CRS), copy=False)  # columns new
    gdf.attrs = {
        "crs": STORAGE_CRS,
        "metric_crs": crs,
        "units": {"distance_m": "m", "minutes": "min", "origin_snap_m": "m", "park_snap_m": "m"},
        **attrs,
    }
    return gdf


def _take(values, idx: np.ndarray):
    """Rows `idx` of a pandas array (missing where idx < 0), its dtype kept where it can hold
    a missing value (else object, with None)."""
    missing = idx < 0
    if missing.any() and values.dtype.kind in "iub":
        values = values.astype(object)
    if values.dtype == object:
        out = np.asarray(values, dtype=object)[np.maximum(idx, 0)] if len(values) else np.full(len(idx), None, object)
        out[missing] = None
        return out
    if len(idx) == len(values) and len(idx) and idx[0] == 0 and (np.diff(idx) == 1).all():
        return values.copy()  # every row once, in order (k = 1): no take
    return values.take(idx, allow_fill=True) if len(values) else values.take(np.full(len(idx), -1), allow_fill=True)


def _strings(values: np.ndarray):
    """A column of a few distinct texts (or None) as a pandas ``str`` array, without
    converting each value: factorised, then decoded by pyarrow."""
    import pandas as pd
    import pyarrow as pa

    if isinstance(values, _Same):
        if values.value is None:
            return pd.array(np.full(values.n, None, dtype=object), dtype=object)
        codes, uniq = np.zeros(values.n, np.int8), [values.value]
    elif isinstance(values, _Coded):
        codes, uniq = values.codes, list(values.uniq)
        if not (len(codes) and all(isinstance(u, str) for u in uniq)):
            return _strings(values.uniq[codes] if len(codes) else np.zeros(0, object))
    else:
        values = np.asarray(values, dtype=object)
        codes, uniq = pd.factorize(values, use_na_sentinel=True)
    if not all(isinstance(u, str) for u in uniq):
        return values
    if not len(uniq):
        return pd.array(values, dtype=object) if len(values) else pd.array(np.zeros(0, object), dtype="str")
    arr = pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), pa.array(list(uniq), pa.string()))
    return pd.array(arr.dictionary_decode(), dtype="str")


def _empty_rows(no: int) -> dict:
    """One ``no_destination`` row per origin (a park type with no park)."""
    return {
        "o": np.arange(no), "d": np.full(no, -1), "rank": np.full(no, -1), "distance_m": np.full(no, np.nan),
        "minutes": np.full(no, np.nan), "route": _Same(None, no), "tied": np.zeros(no, bool),
        "status": _Same("no_destination", no), "snap_status": _Same(None, no),
        "origin_snap_m": np.full(no, np.nan), "park_snap_m": np.full(no, np.nan),
    }


def _euclidean_ranked(og: np.ndarray, dg: np.ndarray, k: int | None, chunk: int = 2_000_000) -> dict:
    """k nearest (or all, k None) by straight-line distance, origins in chunks."""
    import shapely

    no, nd = len(og), len(dg)
    step = max(1, chunk // max(1, nd))
    out = {key: [] for key in ("o", "d", "rank", "distance_m", "tied")}
    for s in range(0, no, step):
        sub = og[s : s + step]
        cost = shapely.distance(sub[:, None], dg[None, :])
        order, tied = _rank_matrix(cost, k)
        r = np.repeat(np.arange(len(sub)), order.shape[1])
        c = order.ravel()
        out["o"].append(s + r)
        out["d"].append(c)
        out["rank"].append(np.tile(np.arange(1, order.shape[1] + 1), len(sub)))
        out["distance_m"].append(cost[r, c])
        out["tied"].append(tied.ravel())
    res = {key: np.concatenate(v) for key, v in out.items()}
    n = len(res["o"])
    res.update(
        minutes=np.full(n, np.nan), route=_Same("straight", n), status=_Same("ok", n),
        snap_status=_Same(None, n), origin_snap_m=np.full(n, np.nan), park_snap_m=np.full(n, np.nan),
    )
    return res


def _network_ranked(og: np.ndarray, dg: np.ndarray, k: int | None, walk: _Walk) -> dict:
    """k quickest or shortest (or all) along the network, with direct walks; unsnapped/unreachable rows."""
    from ino_geo.network.routing import od_costs
    from ino_geo.network.snapping import snap
    from ino_geo.network.walking import direct_walks

    net, osnap = walk.net, walk.osnap
    no, nd = len(og), len(dg)
    dsnap = snap(net, dg, max_snap=walk.max_snap, barrier=walk.barrier)
    other = "m" if walk.unit == "min" else "min"
    cost, second = od_costs(net, osnap, dsnap, unit=walk.unit, walk_speed_kmh=walk.walk_speed_kmh, with_length=True,
                            direction=walk.direction, measure=other)
    route = np.full((no, nd), "network", dtype=object)
    wi, wj, d = direct_walks(og, dg, walk.max_snap, walk.barrier)
    if len(wi):
        wmin = d / defaults.walk_m_per_min(walk.walk_speed_kmh)
        wc, ws = (wmin, d) if walk.unit == "min" else (d, wmin)
        better = wc <= cost[wi, wj]
        cost[wi[better], wj[better]] = wc[better]
        second[wi[better], wj[better]] = ws[better]
        route[wi[better], wj[better]] = "walk"
    minutes, length = (cost, second) if walk.unit == "min" else (second, cost)
    order, tied = _rank_matrix(cost, k)
    r = np.repeat(np.arange(no), order.shape[1])
    c = order.ravel()
    fin = np.isfinite(cost[r, c])
    ranks = np.tile(np.arange(1, order.shape[1] + 1), no)
    res = {
        "o": r[fin], "d": c[fin], "rank": ranks[fin], "distance_m": length[r[fin], c[fin]], "minutes": minutes[r[fin], c[fin]],
        "route": route[r[fin], c[fin]], "tied": tied.ravel()[fin],
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
