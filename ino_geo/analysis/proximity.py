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
from ino_geo.analysis._inputs import (as_progress, check_cost, check_frame, check_geometries, check_max_snap, check_mode,
                                      check_walk_speed, metric_crs, metric_geoms, park_groups)
from ino_geo.analysis.nearest import nearest_polygons
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


def _ids(gdf, col: str | None) -> np.ndarray:
    return gdf[col].astype(object).to_numpy() if col else np.asarray(gdf.index.astype(str), dtype=object)


def _names(gdf) -> np.ndarray:
    return gdf["name"].astype(object).to_numpy() if "name" in gdf.columns else np.full(len(gdf), None, dtype=object)


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
    max_snap: float = defaults.MAX_SNAP_M,
    walk_speed_kmh: float = defaults.WALK_SPEED_KMH,
    matrix: bool = False,
    river: Any = None,
    crs: Any = None,
    origin_id: str | None = None,
    destination_id: str | None = None,
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
    check_geometries(origins, "origins", ocol)
    check_geometries(destinations, "destinations", dcol)
    say = as_progress(progress)
    crs = metric_crs(crs, origins if len(origins) else destinations)
    if len(destinations) == 0 and not park_types:
        raise DataError("destinations: the layer is empty (name --park-type to get no_destination rows)")
    groups = park_groups(destinations, park_types, what="destinations")
    o, d = _Places.of(origins, ocol, crs, "origins"), _Places.of(destinations, dcol, crs, "destinations")
    walk = _Walk(None, None, None, max_snap, walk_speed_kmh, unit, direction)
    if mode == "network":
        walk = _network_setup(network, scenario, crs, river, o.geoms, walk, say)
    frames = []
    for ptype, idx in groups:
        say(f"{ptype}: {len(idx)} destinations")
        frames.append(_frame(_type_rows(mode, o.geoms, d.geoms[idx], k, matrix, walk), o, d, idx, ptype))
    return _assemble(frames, groups, crs, _run_attrs(mode, scenario, k, matrix, walk, cost))


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
    def of(cls, gdf: "gpd.GeoDataFrame", col: str | None, crs: str, what: str) -> "_Places":
        geoms = metric_geoms(gdf, crs, what, col) if len(gdf) else np.zeros(0, object)
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


def _type_rows(mode: str, og: np.ndarray, dg: np.ndarray, k: int, matrix: bool, walk: _Walk) -> dict:
    """The ranked rows (columns as arrays) of one park type's destinations `dg`."""
    no = len(og)
    if not len(dg) or not no:
        return _empty_rows(no)
    if mode == "euclidean" and k == 1 and not matrix:
        oi, dj, dist = nearest_polygons(og, dg)
        first = np.ones(len(oi), dtype=bool)
        first[1:] = oi[1:] != oi[:-1]
        counts = np.bincount(oi, minlength=no)
        n = int(first.sum())
        return {
            "o": oi[first], "d": dj[first], "rank": np.ones(n, np.int64), "distance_m": dist[first],
            "minutes": np.full(n, np.nan), "route": np.full(n, "straight", dtype=object),
            "tied": counts[oi[first]] > 1, "status": np.full(n, "ok", dtype=object),
            "snap_status": np.full(n, None, dtype=object),
            "origin_snap_m": np.full(n, np.nan), "park_snap_m": np.full(n, np.nan),
        }
    if mode == "euclidean":
        return _euclidean_ranked(og, dg, None if matrix else k)
    return _network_ranked(og, dg, None if matrix else k, walk)


def _assemble(frames: list, groups: list, crs: str, attrs: dict) -> "gpd.GeoDataFrame":
    """One table: rows in origin order, then park type order, then rank; EPSG:4326."""
    import geopandas as gpd
    import pandas as pd

    from ino_geo.crs import STORAGE_CRS

    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
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
        **attrs,
    }
    return gdf


def _empty_rows(no: int) -> dict:
    """One ``no_destination`` row per origin (a park type with no park)."""
    return {
        "o": np.arange(no), "d": np.full(no, -1), "rank": np.full(no, -1), "distance_m": np.full(no, np.nan),
        "minutes": np.full(no, np.nan), "route": np.full(no, None, dtype=object), "tied": np.zeros(no, bool),
        "status": np.full(no, "no_destination", dtype=object), "snap_status": np.full(no, None, dtype=object),
        "origin_snap_m": np.full(no, np.nan), "park_snap_m": np.full(no, np.nan),
    }


def _frame(cols: dict, o: _Places, d: _Places, idx: np.ndarray, ptype: str):
    """The rows of one park type as a DataFrame (``_o``: origin position, for sorting)."""
    import pandas as pd
    import shapely

    oi = np.asarray(cols["o"], dtype=np.int64)
    di = np.asarray(cols["d"], dtype=np.int64)
    has = di >= 0
    dglob = np.where(has, idx[np.where(has, di, 0)] if len(idx) else -1, -1)
    geom = np.full(len(oi), None, dtype=object)
    if has.any():
        geom[has] = shapely.shortest_line(o.geoms[oi[has]], d.geoms[dglob[has]])
    park_id = np.full(len(oi), None, dtype=object)
    park_name = np.full(len(oi), None, dtype=object)
    park_id[has] = d.ids[dglob[has]]
    park_name[has] = d.names[dglob[has]]
    rank = np.asarray(cols["rank"], dtype=float)
    rank[rank < 0] = np.nan
    return pd.DataFrame(
        {
            "_o": oi,
            "origin_id": o.ids[oi] if len(oi) else [],
            "origin_name": o.names[oi] if len(oi) else [],
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
    order = _rank_matrix(cost, k)
    r = np.repeat(np.arange(no), order.shape[1])
    c = order.ravel()
    fin = np.isfinite(cost[r, c])
    ranks = np.tile(np.arange(1, order.shape[1] + 1), no)
    res = {
        "o": r[fin], "d": c[fin], "rank": ranks[fin], "distance_m": length[r[fin], c[fin]], "minutes": minutes[r[fin], c[fin]],
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
