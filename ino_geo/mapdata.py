"""The analyses a map draws, run with the map spec's parameters: the one place that decides them.

Maps take results, they do not compute them (:func:`ino_geo.render_map` draws what it is
given). :func:`map_results` sits above the analysis and web-map packages and runs what a spec
needs - :func:`ino_geo.coverage` for its ``coverage.*`` layers, :func:`ino_geo.proximity` for
its ``proximity`` layer - with the spec's ``[coverage]`` / ``[proximity]`` tables, overridden
by the caller's arguments. ``ino-geo map``, ``ino-geo build`` (:mod:`ino_geo.pack`) and the
notebooks all call it.

Defaults, when neither the caller nor the spec says: the first park type of the catalogue
present in the parks, :data:`MAP_DISTANCE_M` metres, straight-line mode, the ``existing``
scenario, the ``corridors`` layer as the network; the walking speed and snapping distance are
those of :mod:`ino_geo.defaults`.

Examples
--------
>>> import ino_geo
>>> layers = ino_geo.load_layers()                                            # doctest: +SKIP
>>> res = map_results("coverage", layers, park_type="sport", distance_m=1000)  # doctest: +SKIP
>>> m = ino_geo.render_map("coverage", layers, results=res)                    # doctest: +SKIP
"""

from __future__ import annotations

import os
from typing import Any, Iterable, Sequence

from ino_geo import defaults
from ino_geo._errors import DataError, UsageError
from ino_geo.webmap.results import MapResults
from ino_geo.webmap.spec import BUILTIN_MAPS, MapSpec, load_map_spec

__all__ = ["MAP_DISTANCE_M", "map_results", "builtin_map_results", "nearest_links"]

#: Coverage threshold of a coverage map whose spec and caller give none (metres).
MAP_DISTANCE_M = 2000.0


def map_results(
    name_or_spec: "str | os.PathLike | MapSpec",
    layers: Any = None,
    *,
    park_type: "str | Sequence[str] | None" = None,
    distance_m: "float | Sequence[float] | None" = None,
    minutes: "float | Sequence[float] | None" = None,
    park_types: Iterable[str] | None = None,
    mode: str | None = None,
    scenario: str | None = None,
    network: Any = None,
) -> MapResults:
    """Run the analyses map `name_or_spec` draws, with the spec's parameters.

    Parameters
    ----------
    name_or_spec : str, path or MapSpec
        A built-in map name, a spec file or a loaded spec.
    layers : Layers, mapping of GeoDataFrames, or a folder path, optional
        Default: the shipped Tomsk layers.
    park_type : str or sequence of str, optional
        Coverage: the park type(s) (default: the spec's ``[coverage] park_type``); the map draws
        one covered-areas overlay per type and threshold, the first type shown and titled.
    distance_m, minutes : float or sequence of float, optional
        Coverage: the reach(es) in metres or minutes, not both (default: the spec's).
    park_types : iterable of str, optional
        Proximity: the park types to link (default: the spec's, else all present).
    mode, scenario : str, optional
        ``"euclidean"`` | ``"network"``; ``"existing"`` | ``"planned"`` (default: the spec's).
    network : GeoDataFrame or path, optional
        Network mode: the line layer to route on (default: the ``corridors`` layer).

    Returns
    -------
    MapResults
        Empty for a map that draws no analysis; pass it to ``render_map(..., results=...)``.
    """
    spec = load_map_spec(name_or_spec)
    layers = _layers(layers)
    if isinstance(network, (str, os.PathLike)):
        from ino_geo.data.layers import read_layer

        network = read_layer(network)
    out: dict[str, Any] = {}
    if "coverage" in spec.analyses:
        params = coverage_params(spec, layers, park_type=park_type, distance_m=distance_m, minutes=minutes,
                                 mode=mode, scenario=scenario)
        out["coverage"] = _run_coverage(layers, params, network)
        first = {k: (v[0] if v else None) for k, v in (("distance_m", params["distances"]), ("minutes", params["minutes_list"]))}
        out.update(park_type=params["park_types"][0], **first)
    if "proximity" in spec.analyses:
        out["proximity"] = _run_proximity(spec, layers, park_types, mode, scenario, network)
    return MapResults(**out)


def builtin_map_results(layers: Any = None, names: Iterable[str] | None = None, *,
                        park_types: Sequence[str] | None = None, distances: Sequence[float] | None = None,
                        minutes: Sequence[float] | None = None, mode: str | None = None,
                        scenario: str | None = None) -> dict[str, MapResults]:
    """:func:`map_results` of every built-in map (or of `names`) that draws an analysis, by map name.

    The parameters (``ino-geo build``'s) flow into every such map: the park types and reaches
    into the coverage map, the park types into the proximity map, the mode into both."""
    layers = _layers(layers)
    specs = [load_map_spec(n) for n in (list(names) if names is not None else list(BUILTIN_MAPS))]
    out = {}
    for spec in specs:
        if not spec.analyses:
            continue
        cov = "coverage" in spec.analyses
        out[spec.name] = map_results(spec, layers, park_type=list(park_types or ()) or None if cov else None,
                                     park_types=park_types if not cov else None,
                                     distance_m=list(distances or ()) or None if cov else None,
                                     minutes=list(minutes or ()) or None if cov else None,
                                     mode=mode, scenario=scenario)
    return out


def coverage_params(spec: MapSpec, layers: Any, *, park_type: str | None = None, distance_m: float | None = None,
                    minutes: float | None = None, mode: str | None = None,
                    scenario: str | None = None) -> dict[str, Any]:
    """The coverage parameters of a map: the caller's, else the spec's, else the defaults."""
    distances, minutes_list = _numbers(distance_m), _numbers(minutes)
    if distances and minutes_list:
        raise UsageError("give a distance or minutes for the coverage map, not both")
    c = dict(spec.coverage)
    if distances or minutes_list:
        c["distances"], c["minutes_list"] = distances, minutes_list
    else:
        c["distances"] = [c["distance_m"]] if c.get("distance_m") is not None else []
        c["minutes_list"] = [c["minutes"]] if c.get("minutes") is not None else []
    if not c["distances"] and not c["minutes_list"]:
        c["distances"] = [MAP_DISTANCE_M]
    types = [park_type] if isinstance(park_type, str) else list(park_type or ())
    c["park_types"] = types or [c.get("park_type") or _first_park_type(layers)]
    c["park_type"] = c["park_types"][0]
    c["distance_m"] = c["distances"][0] if c["distances"] else None
    c["minutes"] = c["minutes_list"][0] if c["minutes_list"] else None
    c["mode"] = mode or c.get("mode") or defaults.MODES[0]
    c["scenario"] = scenario or c.get("scenario") or defaults.SCENARIOS[0]
    return c


def _run_coverage(layers: Any, c: dict[str, Any], network: Any) -> Any:
    from ino_geo.analysis.coverage import coverage

    kwargs: dict[str, Any] = {"park_types": list(c["park_types"]), "mode": c["mode"]}
    if c.get("distances"):
        kwargs["distances"] = list(c["distances"])
    else:
        kwargs["minutes"] = list(c["minutes_list"])
    if c["mode"] == "network":
        kwargs["scenario"] = c["scenario"]
        kwargs["network"] = network if network is not None else _layer(layers, "corridors")
    kwargs.update(boundaries=_layer(layers, "boundaries"), population=_layer(layers, "population"),
                  river=_layer(layers, "river", required=False))
    return coverage(_layer(layers, "parks"), **{k: v for k, v in kwargs.items() if v is not None})


def _run_proximity(spec: MapSpec, layers: Any, park_types: Iterable[str] | None, mode: str | None,
                   scenario: str | None, network: Any) -> Any:
    from ino_geo.analysis.proximity import proximity

    p = dict(spec.proximity)
    types = tuple(park_types or ()) or tuple(p.get("park_types") or ())
    mode = mode or p.get("mode") or defaults.MODES[0]
    kwargs: dict[str, Any] = {"park_types": list(types) or None, "k": p.get("k", 1), "mode": mode,
                              "river": _layer(layers, "river", required=False)}
    if mode == "network":
        kwargs["scenario"] = scenario or p.get("scenario") or defaults.SCENARIOS[0]
        kwargs["network"] = network if network is not None else _layer(layers, "corridors")
    origins = _layer(layers, p.get("origins") or "sites")
    res = proximity(origins, _layer(layers, "parks"), **{k: v for k, v in kwargs.items() if v is not None})
    if (p.get("links") or "nearest") == "nearest" and len(res):
        res = nearest_links(res)
    if mode == "network":
        from ino_geo.network.paths import route_paths

        res = route_paths(res, kwargs["network"], scenario=kwargs["scenario"])  # the link is the route
    res.attrs["map_park_types"] = list(types)
    return res


def nearest_links(prox: Any) -> Any:
    """One row per origin: its nearest park over all park types (unreachable rows only where
    nothing is reachable). Keeps the frame's ``attrs``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"origin_id": ["a", "a", "b"], "distance_m": [300.0, 100.0, None]})
    >>> nearest_links(df)["distance_m"].tolist()
    [100.0, nan]
    """
    import numpy as np

    d = prox["distance_m"].astype(float).to_numpy()
    order = np.lexsort((np.where(np.isnan(d), np.inf, d),))
    ranked = prox.iloc[order]
    out = ranked[~ranked["origin_id"].duplicated()]
    out = out.sort_index()
    out.attrs = dict(prox.attrs)
    return out


def _numbers(v: Any) -> list[float]:
    if v is None:
        return []
    if isinstance(v, (int, float)):
        return [float(v)]
    return [float(x) for x in v]


def _first_park_type(layers: Any) -> str:
    from ino_geo.webmap.styles import catalogue_of, park_types

    present = set(_layer(layers, "parks")["park_type"])
    for t in park_types(catalogue_of(layers)):
        if t in present:
            return t
    raise DataError("the parks layer has no park of a catalogue park type to draw coverage for")


def _layers(layers: Any) -> Any:
    if layers is None or isinstance(layers, (str, os.PathLike)):
        from ino_geo.data.layers import load_layers

        return load_layers(layers)
    return layers


def _layer(layers: Any, name: str, required: bool = True) -> Any:
    try:
        gdf = layers[name]
    except (KeyError, TypeError, AttributeError):
        gdf = getattr(layers, name, None)
    if gdf is None and required:
        raise DataError(f"the map's analysis needs the {name!r} layer, which the layers do not have")
    return gdf
