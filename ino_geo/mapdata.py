"""The analyses a map draws, run with the map spec's parameters: the one place that decides them.

Maps take results, they do not compute them (:func:`ino_geo.render_map` draws what it is
given). :func:`map_results` sits above the analysis and web-map packages and runs what a spec
needs - :func:`ino_geo.coverage` for its ``coverage.*`` layers, :func:`ino_geo.proximity` for
its ``proximity`` layer, :func:`ino_geo.accessibility` and :func:`ino_geo.site_selection` for
the decision maps' ``accessibility.*`` / ``site_selection.*`` layers - with the spec's
``[coverage]`` / ``[proximity]`` / ``[accessibility]`` / ``[site_selection]`` tables,
overridden by the caller's arguments. ``ino-geo map``, ``ino-geo build`` (:mod:`ino_geo.pack`) and the
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
from ino_geo.webmap.spec import BUILTIN_MAPS, DECISION_MAPS, MapSpec, load_map_spec

__all__ = ["MAP_DISTANCE_M", "DECISION_DEFAULTS", "AnalysisRuns", "map_results", "builtin_map_results",
           "decision_map_results", "decision_params", "nearest_links"]

#: Coverage threshold of a coverage map whose spec and caller give none (metres).
MAP_DISTANCE_M = 2000.0

#: Arguments an analysis ignores in straight-line mode (they only shape the network mode).
_NETWORK_ONLY = ("network", "scenario", "river")


class AnalysisRuns:
    """The analyses of one job (``ino-geo build``), each run once per distinct argument set.

    A second call with the same arguments (after the function's defaults are filled in; the
    network-only ``network``, ``scenario`` and ``river`` do not count in straight-line mode)
    returns the first call's result, shared: callers must not change it. Layers are told apart
    by identity (the job's own frames: kept alive here, so no id is reused). In network mode
    the scenario's network is built once per line layer, scenario and metric CRS
    (:meth:`network`) and handed to every analysis in place of the line layer.

    Attributes
    ----------
    calls : dict
        ``{(analysis name, key): number of requests}`` (a value above 1 is a repeat served from here).

    Examples
    --------
    >>> runs = AnalysisRuns()
    >>> def square(x, *, times=1):
    ...     return [x * x] * times
    >>> runs.run(square, 3) is runs.run(square, 3, times=1), runs.run(square, 3, times=2)
    (True, [9, 9])
    >>> sorted(runs.calls.values())
    [1, 2]
    """

    def __init__(self) -> None:
        self._done: dict = {}
        self._kept: dict[int, Any] = {}
        self.calls: dict = {}

    def run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)``, or the result of an earlier call with the same arguments.
        A network line layer is replaced by the scenario's network built once (:meth:`network`)."""
        import inspect

        bound = inspect.signature(fn).bind(*args, **kwargs)
        bound.apply_defaults()
        given = dict(bound.arguments)
        if given.get("mode") != "network":
            given = {k: v for k, v in given.items() if k not in _NETWORK_ONLY}
        key = (f"{fn.__module__}.{fn.__qualname__}", self._key(given))
        self.calls[key] = self.calls.get(key, 0) + 1
        if key not in self._done:
            if kwargs.get("network") is not None and given.get("mode") == "network" and given.get("crs") is None:
                crs = self._crs(bound.arguments)
                kwargs = {**kwargs, "network": self.network(kwargs["network"], given.get("scenario"), crs)}
            self._done[key] = fn(*args, **kwargs)
        return self._done[key]

    def network(self, lines: Any, scenario: str | None, crs: str) -> Any:
        """The network of `scenario` built from the line layer `lines` in `crs`, once (a built
        :class:`~ino_geo.network.graph.Network`, or anything but a line layer, is returned as is)."""
        import geopandas as gpd

        from ino_geo.network.scenarios import check_scenario, scenario_network

        if not isinstance(lines, gpd.GeoDataFrame):
            return lines  # a built Network as is; anything else for the analysis to refuse
        scenario = check_scenario(scenario or defaults.SCENARIOS[0])
        key = ("network", self._key(lines), scenario, str(crs))
        self.calls[key] = self.calls.get(key, 0) + 1
        if key not in self._done:
            self._done[key] = scenario_network(lines, scenario, crs=crs)
        return self._done[key]

    @staticmethod
    def _crs(arguments: dict) -> str:
        """The metric CRS an analysis works in when given none, found as it finds it: from the
        parks (coverage, accessibility, site selection), else the origins unless empty
        (proximity), else the destinations."""
        from ino_geo.crs import metric_crs_for

        first = arguments.get("parks")
        if first is None:
            origins = arguments.get("origins")
            first = origins if origins is not None and len(origins) else arguments.get("destinations")
        return str(metric_crs_for(first))

    def _key(self, value: Any) -> Any:
        """A hashable stand-in for an argument: numbers, text and their lists by value, anything
        else (a layer, a geometry) by identity."""
        if value is None or isinstance(value, (str, int, float, bool)):
            return value
        if isinstance(value, (list, tuple)):
            return tuple(self._key(v) for v in value)
        if isinstance(value, dict):
            return tuple(sorted((k, self._key(v)) for k, v in value.items()))
        self._kept[id(value)] = value
        return ("id", id(value))


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
    runs: AnalysisRuns | None = None,
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
    runs : AnalysisRuns, optional
        The job's analyses so far: an analysis already run with the same arguments (by another
        map, or a table of ``ino-geo build``) is not run again, and a scenario's network is
        built once.

    Returns
    -------
    MapResults
        Empty for a map that draws no analysis; pass it to ``render_map(..., results=...)``.
    """
    spec = load_map_spec(name_or_spec)
    layers = _layers(layers)
    runs = runs if runs is not None else AnalysisRuns()
    if isinstance(network, (str, os.PathLike)):
        from ino_geo.data.layers import read_layer

        network = read_layer(network)
    out: dict[str, Any] = {}
    if "coverage" in spec.analyses:
        params = coverage_params(spec, layers, park_type=park_type, distance_m=distance_m, minutes=minutes,
                                 mode=mode, scenario=scenario)
        out["coverage"] = _run_coverage(layers, params, network, runs)
        first = {k: (v[0] if v else None) for k, v in (("distance_m", params["distances"]), ("minutes", params["minutes_list"]))}
        out.update(park_type=params["park_types"][0], **first)
    if "proximity" in spec.analyses:
        out["proximity"] = _run_proximity(spec, layers, park_types, mode, scenario, network, runs)
    for kind in ("accessibility", "site_selection"):
        if kind in spec.analyses:
            params = decision_params(spec, kind, layers, park_type=park_type, distance_m=distance_m,
                                     minutes=minutes, mode=mode, scenario=scenario)
            out[kind] = _run_decision(kind, layers, params, network, runs)
            out["park_type"] = params["park_type"]
    return MapResults(**out)


def builtin_map_results(layers: Any = None, names: Iterable[str] | None = None, *,
                        park_types: Sequence[str] | None = None, distances: Sequence[float] | None = None,
                        minutes: Sequence[float] | None = None, mode: str | None = None,
                        scenario: str | None = None, runs: AnalysisRuns | None = None) -> dict[str, MapResults]:
    """:func:`map_results` of every built-in map (or of `names`: map names or loaded specs) that
    draws an analysis, by map name.

    The parameters (``ino-geo build``'s) flow into every such map: the park types and reaches
    into the coverage map, the park types into the proximity map, the mode into both. The maps
    share `runs` (default: one for this call): no analysis is run twice with the same arguments."""
    layers = _layers(layers)
    runs = runs if runs is not None else AnalysisRuns()
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
                                     mode=mode, scenario=scenario, runs=runs)
    return out


def decision_map_results(layers: Any = None, *, runs: AnalysisRuns | None = None) -> dict[str, MapResults]:
    """:func:`map_results` of the decision maps (``accessibility``, ``site-selection``), by map name."""
    return builtin_map_results(layers, DECISION_MAPS, runs=runs)


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


#: Defaults of the decision maps when neither the caller nor the spec says.
DECISION_DEFAULTS = {"accessibility": {"method": "2sfca"}, "site_selection": {"new": 3, "objective": "max-coverage"}}


def decision_params(spec: MapSpec, kind: str, layers: Any, **given: Any) -> dict[str, Any]:
    """The parameters of the ``accessibility`` / ``site_selection`` analysis of a map: the
    caller's (``park_type, distance_m, minutes, mode, scenario``), else the spec's
    ``[accessibility]`` / ``[site_selection]`` table, else the defaults (as for coverage)."""
    table = dict(getattr(spec, kind))
    from dataclasses import replace

    c = coverage_params(replace(spec, coverage=table), layers, **given)
    for key, default in DECISION_DEFAULTS[kind].items():
        c[key] = table.get(key) or default
    _check_choice(spec, kind, c)
    return c


def _check_choice(spec: MapSpec, kind: str, c: dict[str, Any]) -> None:
    """The spec's method / objective is one the analysis knows (DataError naming the spec)."""
    if kind == "accessibility":
        from ino_geo.analysis.accessibility import METHODS as allowed

        key = "method"
    else:
        from ino_geo.analysis.site_selection import OBJECTIVES as allowed

        key = "objective"
    if c[key] not in allowed:
        raise DataError(f"{spec.path or '<map spec>'}: {kind}.{key}: unknown {key} {c[key]!r} "
                        f"(expected one of: {', '.join(allowed)})")


def _run_decision(kind: str, layers: Any, c: dict[str, Any], network: Any, runs: AnalysisRuns) -> Any:
    """:func:`ino_geo.accessibility` or :func:`ino_geo.site_selection` with the map's parameters."""
    kwargs: dict[str, Any] = {"park_type": c["park_type"], "mode": c["mode"],
                              "boundaries": _layer(layers, "boundaries", required=False),
                              "river": _layer(layers, "river", required=False)}
    if c.get("distance_m") is not None:
        kwargs["distance"] = c["distance_m"]
    else:
        kwargs["minutes"] = c["minutes"]
    if c["mode"] == "network":
        kwargs["scenario"] = c["scenario"]
        kwargs["network"] = network if network is not None else _layer(layers, "corridors")
    if kind == "accessibility":
        from ino_geo.analysis.accessibility import accessibility as run

        kwargs["method"] = c["method"]
    else:
        from ino_geo.analysis.site_selection import site_selection as run

        kwargs.update(new=c["new"], objective=c["objective"])
    return runs.run(run, _layer(layers, "parks"), _layer(layers, "population"),
                    **{k: v for k, v in kwargs.items() if v is not None})


def _run_coverage(layers: Any, c: dict[str, Any], network: Any, runs: AnalysisRuns) -> Any:
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
    return runs.run(coverage, _layer(layers, "parks"), **{k: v for k, v in kwargs.items() if v is not None})


def _run_proximity(spec: MapSpec, layers: Any, park_types: Iterable[str] | None, mode: str | None,
                   scenario: str | None, network: Any, runs: AnalysisRuns) -> Any:
    from ino_geo.analysis.proximity import proximity

    p = dict(spec.proximity)
    types = tuple(park_types or ()) or tuple(p.get("park_types") or ())
    mode = mode or p.get("mode") or defaults.MODES[0]
    kwargs: dict[str, Any] = {"park_types": list(types) or None, "k": p.get("k", 1), "mode": mode,
                              "river": _layer(layers, "river", required=False), "links": True}
    if mode == "network":
        kwargs["scenario"] = scenario or p.get("scenario") or defaults.SCENARIOS[0]
        kwargs["network"] = network if network is not None else _layer(layers, "corridors")
    origins = _layer(layers, p.get("origins") or "sites")
    shared = runs.run(proximity, origins, _layer(layers, "parks"), **{k: v for k, v in kwargs.items() if v is not None})
    res = shared
    if (p.get("links") or "nearest") == "nearest" and len(res):
        res = nearest_links(res)
    if mode == "network":
        from ino_geo.network.paths import route_paths

        net = runs.network(kwargs["network"], kwargs["scenario"], res.attrs.get("metric_crs") or "EPSG:32645")
        res = route_paths(res, net, scenario=kwargs["scenario"])  # the link is the route
    if res is shared:  # the shared result stays as the analysis returned it
        res = res.copy()
        res.attrs = dict(shared.attrs)
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
