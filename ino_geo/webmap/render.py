"""Rendering map specs with folium, and exporting them as (self-contained) HTML.

:func:`render_map` turns a map spec (:mod:`ino_geo.webmap.spec`) and the layers into a
:class:`folium.Map`: one layer-control entry per spec layer, a categorical/graduated legend,
tooltips and popups with the features' attributes, a scale bar and, when the map is meant to
be online, the fullscreen, measure and minimap controls.

Security: every value from the data reaches the page only as JSON data (``<``, ``>``, ``&``
and quotes escaped) and is shown with ``textContent`` - popups, tooltips, the legend, the
title and the layer control never put data into HTML markup, so a feature named
``<img src=x onerror=alert(1)>`` shows as that text. (folium's own ``GeoJsonPopup`` and
``GeoJsonTooltip`` assign the values with ``innerHTML``; they are not used.)

Size: geometries are simplified in the metric CRS (``simplify_m`` of the spec, metres,
topology preserved), coordinates rounded (``precision`` decimals, 5 ~ 1 m), and only the
fields the map shows are kept.

:func:`to_html` / :func:`export_html` write the map: self-contained (default) inlines
Leaflet's JS and CSS from the ``xstatic-leaflet`` package (its images as data URIs) and drops
folium's other CDN resources, which these maps do not use, so no ``http(s)://`` script or
stylesheet reference remains; ``self_contained=False`` keeps folium's CDN links. Base tiles
always need the network: offline, the features are drawn on a plain background.
"""

from __future__ import annotations

import base64
import html
import json
import logging
import math
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from ino_geo._json import jsonable
from ino_geo._errors import DataError, UsageError
from ino_geo.webmap.spec import _TILES, BUILTIN_MAPS, MapLayer, MapSpec, load_map_spec

if TYPE_CHECKING:  # pragma: no cover
    import folium
    import geopandas as gpd

__all__ = [
    "render_map",
    "render_all",
    "to_html",
    "export_html",
    "embed_snippet",
    "web_frame",
    "is_self_contained",
]

log = logging.getLogger("ino_geo")

METRIC_FALLBACK = "EPSG:32645"

# folium's default resources: (url fragment, what to do in self-contained mode)
# resources folium always links, which the maps rendered here never use (no jQuery code, no
# Bootstrap components, no awesome-marker icons): dropped in self-contained mode.
_DROPPABLE = ("jquery", "bootstrap", "awesome-markers", "awesome.rotate", "fontawesome", "glyphicons")


# ================================================================================ rendering


def render_map(
    name_or_spec: "str | os.PathLike | MapSpec",
    layers: Any = None,
    *,
    park_type: str | None = None,
    distance_m: float | None = None,
    minutes: float | None = None,
    park_types: Iterable[str] | None = None,
    mode: str | None = None,
    scenario: str | None = None,
    network: Any = None,
    coverage_result: Any = None,
    proximity_result: Any = None,
    online: bool = True,
    tiles: str | None = None,
) -> "folium.Map":
    """Render a map spec into a :class:`folium.Map`.

    Parameters
    ----------
    name_or_spec : str, path or MapSpec
        A built-in map name (``"overview"``, ``"waterfront"``, ``"corridors"``, ``"coverage"``,
        ``"proximity"``), a spec file, or a loaded :class:`~ino_geo.webmap.spec.MapSpec`.
    layers : Layers, mapping of GeoDataFrames, or a folder path, optional
        The layers (``ino_geo.load_layers()``; default: the shipped Tomsk layers).
    park_type, distance_m, minutes : optional
        Coverage map: the park type and the distance (metres) or travel time (minutes);
        default from the spec's ``[coverage]`` table.
    park_types : iterable of str, optional
        Proximity map: the park types to link (default: all types present).
    mode, scenario, network : optional
        Passed to :func:`ino_geo.coverage` / :func:`ino_geo.proximity` (`network`: a line
        GeoDataFrame or a file path; default the corridors layer).
    coverage_result, proximity_result : optional
        Precomputed results to draw instead of computing them.
    online : bool
        Add the fullscreen, measure and minimap controls (they load from a CDN). Export with
        ``self_contained=True`` leaves them out in any case.

    Returns
    -------
    folium.Map
        With the attribute ``ino_geo_counts``: {layer id: number of features drawn}.

    Examples
    --------
    >>> import ino_geo
    >>> m = ino_geo.render_map("overview", ino_geo.load_layers())  # doctest: +SKIP
    >>> m  # shows in Jupyter                                        # doctest: +SKIP
    """
    import folium

    spec = load_map_spec(name_or_spec)
    if layers is None or isinstance(layers, (str, os.PathLike)):
        from ino_geo.data.layers import load_layers

        layers = load_layers(layers)
    if isinstance(network, (str, os.PathLike)):
        from ino_geo.data.layers import read_layer

        network = read_layer(network)
    ctx = _Context(spec, layers, dict(park_type=park_type, distance_m=distance_m, minutes=minutes,
                                      park_types=park_types, mode=mode, scenario=scenario, network=network),
                   coverage_result, proximity_result)

    frames: list[tuple[MapLayer, Any]] = []
    for i, lyr in enumerate(spec.layers):
        frames.append((lyr, ctx.layer_frame(i, lyr)))

    bounds = ctx.extent(frames)
    m = folium.Map(
        location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2],
        zoom_start=10,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
    )
    base = spec.tiles if tiles is None else tiles
    if base not in _TILES:
        raise UsageError(f"tiles {base!r}: use one of {', '.join(_TILES)}")
    if base != "none":
        folium.TileLayer(base, name=html.escape(base), control=True).add_to(m)
    m.get_root().header.add_child(folium.Element(_HEAD.format(title=html.escape(ctx.title))), name="ino_geo_head")
    m.get_root().header.add_child(_Runtime(), name="ino_geo_runtime")

    counts: dict[str, int] = {}
    legend: list[dict[str, Any]] = []
    for lyr, gdf in frames:
        data, n, entries = ctx.web_features(lyr, gdf)
        counts[lyr.id] = n
        _GeoLayer(lyr, spec, data, n, [c for c in lyr.popup if c in gdf.columns],
                  [c for c in lyr.tooltip if c in gdf.columns], line_only=_line_only(gdf)).add_to(m)
        if lyr.legend and entries:
            legend.append({"title": lyr.legend_title or lyr.title, "entries": entries})

    subtitle = " ".join([ctx.subtitle, *ctx.notes]).strip()
    m.get_root().html.add_child(folium.Element(_legend_html(ctx.title, subtitle, legend)), name="ino_geo_legend")
    if online:
        from folium import plugins

        plugins.Fullscreen(position="topleft").add_to(m)
        plugins.MeasureControl(position="topleft", primary_length_unit="meters", secondary_length_unit="kilometers",
                               primary_area_unit="sqmeters", secondary_area_unit="hectares").add_to(m)
        if base != "none":
            plugins.MiniMap(tile_layer=base, position="bottomright", toggle_display=True).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    m.ino_geo_counts = counts
    m.ino_geo_spec = spec
    m.ino_geo_title = ctx.title
    return m


class _Context:
    """Everything one rendering needs: the spec, the layers, the analysis results."""

    def __init__(self, spec: MapSpec, layers: Any, params: dict[str, Any], coverage_result: Any, proximity_result: Any):
        self.spec = spec
        self.layers = layers
        self.params = params
        self._coverage = coverage_result
        self._proximity = proximity_result
        self._cache: dict[str, Any] = {}
        self.title = spec.title
        self.subtitle = spec.description
        self.notes: list[str] = []
        self._coverage_params()

    # ---------------------------------------------------------------- sources
    def where(self, i: int, key: str) -> str:
        return f"{self.spec.path or '<map spec>'}: layers[{i + 1}].{key}"

    def source_layer(self, name: str, where: str) -> "gpd.GeoDataFrame":
        if name in self._cache:
            return self._cache[name]
        gdf = None
        try:
            gdf = self.layers[name]
        except (KeyError, TypeError, AttributeError):
            gdf = getattr(self.layers, name, None)
        if gdf is None:
            raise DataError(f"{where}: no layer {name!r} in the layers{_have(self.layers)}")
        gdf = _as_storage(gdf, name)
        self._cache[name] = gdf
        return gdf

    def layer_frame(self, i: int, lyr: MapLayer) -> "gpd.GeoDataFrame":
        if lyr.kind == "layer":
            gdf = self.source_layer(lyr.source, self.where(i, "layer"))
        elif lyr.kind == "rings":
            gdf = self.rings(i, lyr)
        else:
            gdf = self.analysis(i, lyr)
        gdf = self.filter(i, lyr, gdf)
        for key, cols in (("popup", lyr.popup), ("tooltip", lyr.tooltip)):
            missing = [c for c in cols if c not in gdf.columns]
            if missing:
                log.warning("%s: column(s) %s not in the data; not shown", self.where(i, key), ", ".join(missing))
        if lyr.color_by is not None and lyr.color_by not in gdf.columns and len(gdf):
            raise DataError(f"{self.where(i, 'color_by')}: no column {lyr.color_by!r} in {lyr.source!r} "
                            f"(columns: {', '.join(c for c in gdf.columns if c != 'geometry')})")
        return gdf

    def filter(self, i: int, lyr: MapLayer, gdf: "gpd.GeoDataFrame") -> "gpd.GeoDataFrame":
        import numpy as np

        keep = np.ones(len(gdf), dtype=bool)
        for col, values in lyr.where.items():
            if col not in gdf.columns:
                if not _optional_missing(values):
                    raise DataError(f"{self.where(i, 'where.' + col)}: no column {col!r} in {lyr.source!r}")
                keep[:] = False  # an optional flag column (bridge = true) that the layer lacks
                continue
            series = gdf[col]
            hit = np.zeros(len(gdf), dtype=bool)
            for v in values:
                if isinstance(v, bool):
                    hit |= series.map(lambda x, v=v: _truthy(x) == v).to_numpy(dtype=bool)
                else:
                    hit |= (series == v).to_numpy(dtype=bool)
            keep &= hit
        for col, needles in lyr.contains.items():
            if col not in gdf.columns:
                raise DataError(f"{self.where(i, 'contains.' + col)}: no column {col!r} in {lyr.source!r}")
            low = gdf[col].fillna("").astype(str).str.lower()
            hit = np.zeros(len(gdf), dtype=bool)
            for s in needles:
                hit |= low.str.contains(s.lower(), regex=False).to_numpy(dtype=bool)
            keep &= hit
        if lyr.near_layer is not None:
            import shapely

            near = self.source_layer(lyr.near_layer, self.where(i, "near.layer"))
            crs = _metric_crs(near if len(near) else gdf)
            centre = shapely.union_all(near.to_crs(crs).geometry.values)
            geoms = gdf.to_crs(crs).geometry.values
            keep &= np.asarray(shapely.dwithin(geoms, centre, lyr.near_m), dtype=bool)
        out = gdf[keep]
        empty = out.geometry.isna() | out.geometry.is_empty
        if empty.any():
            n_empty = int(empty.sum())
            log.warning("%s: %d feature(s) without geometry not drawn", self.where(i, lyr.kind), n_empty)
            why = " (e.g. not reachable)" if lyr.kind == "analysis" else ""
            self.notes.append(f"{n_empty} of {len(out)} rows of “{lyr.title}” have no geometry{why} and are not drawn.")
            out = out[~empty]
        if len(out):
            import shapely

            coords, which = shapely.get_coordinates(out.geometry.values, return_index=True)
            bad = ~np.isfinite(coords).all(axis=1)
            if bad.any():
                k = int(which[bad][0])
                rec = _record_label(out, k)
                raise DataError(f"{self.where(i, lyr.kind)}: {lyr.source!r} record {rec}: field geometry: "
                                "non-finite (NaN/inf) coordinates; fix the layer (ino-geo layers validate)")
        return out

    def rings(self, i: int, lyr: MapLayer) -> "gpd.GeoDataFrame":
        import geopandas as gpd
        import shapely

        around = self.source_layer(lyr.source, self.where(i, "rings.around"))
        around = around[~(around.geometry.isna() | around.geometry.is_empty)]
        if around.empty:
            raise DataError(f"{self.where(i, 'rings.around')}: layer {lyr.source!r} has no features to draw rings around")
        crs = _metric_crs(around)
        centre = shapely.union_all(around.to_crs(crs).geometry.values)
        label = _first_name(around) or lyr.source
        rows, geoms, inner, lo = [], [], centre, 0.0
        for d in lyr.ring_distances_m:
            outer = shapely.buffer(centre, d, quad_segs=16)
            geoms.append(shapely.difference(outer, inner))
            rows.append({"name": f"{lo:g}–{d:g} m from {label}", "distance_m": d, "from_m": lo})
            inner, lo = outer, d
        return gpd.GeoDataFrame(rows, geometry=geoms, crs=crs).to_crs("EPSG:4326")

    # ---------------------------------------------------------------- analysis
    def _coverage_params(self) -> None:
        if "coverage" not in self.spec.analyses:
            return
        c = dict(self.spec.coverage)
        p = self.params
        if p.get("park_type"):
            c["park_type"] = p["park_type"]
        if p.get("distance_m") is not None and p.get("minutes") is not None:
            raise UsageError("give a distance or minutes for the coverage map, not both")
        if p.get("distance_m") is not None:
            c["distance_m"], c["minutes"] = p["distance_m"], None
        if p.get("minutes") is not None:
            c["minutes"], c["distance_m"] = p["minutes"], None
        for k in ("mode", "scenario"):
            if p.get(k):
                c[k] = p[k]
        if not c.get("park_type"):
            c["park_type"] = "innovation"
        if c.get("distance_m") is None and c.get("minutes") is None:
            c["distance_m"] = 2000.0
        self.cov = c
        reach = f"{c['distance_m']:g} m" if c.get("distance_m") is not None else f"{c['minutes']:g} min"
        from ino_geo.defaults import WALK_SPEED_KMH

        how = ("along the network" if c.get("mode") == "network"
               else f"straight-line walk at {WALK_SPEED_KMH:g} km/h" if c.get("minutes") is not None
               else "straight-line")
        scen = f", scenario {c.get('scenario') or 'existing'}" if c.get("mode") == "network" else ""
        self.title = f"{self.spec.title}: {c['park_type'].replace('_', ' ')} parks within {reach}"
        self.subtitle = (self.spec.description + f" Reach: {reach} ({how}{scen}); buffers computed in a metric CRS "
                         "(EPSG:32645 for Tomsk). Population cells are modelled.").strip()

    def analysis(self, i: int, lyr: MapLayer) -> "gpd.GeoDataFrame":
        what = lyr.source
        if what.startswith("coverage."):
            res = self.coverage_result(i)
            part = what.split(".", 1)[1]
            gdf = getattr(res, part, None)
            if gdf is None:
                raise DataError(f"{self.where(i, 'analysis')}: the coverage result has no {part!r}")
            gdf = _as_storage(gdf, what)
            return self._select_threshold(gdf)
        res = self.proximity_result(i)
        return _as_storage(res, what)

    def _select_threshold(self, gdf: "gpd.GeoDataFrame") -> "gpd.GeoDataFrame":
        """Keep the rows of the chosen park type and threshold; add a readable ``reach``."""
        c = self.cov
        value, unit = (c["distance_m"], "m") if c.get("distance_m") is not None else (c["minutes"], "min")
        out = gdf
        if "park_type" in out.columns:
            out = out[out["park_type"] == c["park_type"]]
        if "threshold" in out.columns:
            keep = (out["threshold"].astype(float) - value).abs() < 1e-9
            if "unit" in out.columns:
                keep &= out["unit"] == unit
            out = out[keep]
        return out.assign(reach=f"{value:g} {unit}")

    def coverage_result(self, i: int) -> Any:
        if self._coverage is None:
            from ino_geo.analysis.coverage import coverage

            c = self.cov
            where = self.where(i, "analysis")
            parks = self.source_layer("parks", where)
            mode = c.get("mode") or "euclidean"
            kwargs: dict[str, Any] = dict(park_types=[c["park_type"]], mode=mode)
            if c.get("distance_m") is not None:
                kwargs["distances"] = [c["distance_m"]]
            else:
                kwargs["minutes"] = [c["minutes"]]
            if mode == "network":
                kwargs["scenario"] = c.get("scenario") or "existing"
                kwargs["network"] = self.params.get("network")
                if kwargs["network"] is None:
                    kwargs["network"] = self.source_layer("corridors", where)
            kwargs["boundaries"] = self.source_layer("boundaries", where)
            kwargs["population"] = self.source_layer("population", where)
            kwargs["river"] = _optional_layer(self.layers, "river")
            res = coverage(parks, **{k: v for k, v in kwargs.items() if v is not None})
            self._coverage = res
            self._coverage_headline(res)
        return self._coverage

    def _coverage_headline(self, res: Any) -> None:
        table = getattr(res, "table", None)
        if table is None or not len(table) or "boundary_id" not in table.columns:
            return
        row = table[table["boundary_id"] == "all"]
        if not len(row):
            return
        row = row.iloc[0]
        parts = []
        for col, what in (("population_pct", "of the people (modelled population)"), ("area_pct", "of the area")):
            v = _num(row.get(col))
            if not math.isnan(v):
                parts.append(f"{v:.1f} % {what}")
        if parts:
            self.subtitle = f"Covered: {' and '.join(parts)}. " + self.subtitle

    def proximity_result(self, i: int) -> Any:
        if self._proximity is None:
            from ino_geo.analysis.proximity import proximity

            p = dict(self.spec.proximity)
            where = self.where(i, "analysis")
            origins = self.source_layer(p.get("origins") or "sites", where)
            parks = self.source_layer("parks", where)
            types = tuple(self.params.get("park_types") or ()) or tuple(p.get("park_types") or ())
            if not types:
                types = tuple(t for t in _PARK_ORDER if t in set(parks["park_type"]))
            mode = self.params.get("mode") or p.get("mode") or "euclidean"
            kwargs: dict[str, Any] = dict(park_types=list(types), k=p.get("k", 1), mode=mode,
                                          river=_optional_layer(self.layers, "river"))
            if mode == "network":
                kwargs["scenario"] = self.params.get("scenario") or p.get("scenario") or "existing"
                kwargs["network"] = self.params.get("network")
                if kwargs["network"] is None:
                    kwargs["network"] = self.source_layer("corridors", where)
            self._proximity = proximity(origins, parks, **{k: v for k, v in kwargs.items() if v is not None})
            kind = "along the network" if mode == "network" else "straight-line"
            self.subtitle = (self.spec.description + f" Distances in metres ({kind}), computed in a metric CRS "
                             "(EPSG:32645 for Tomsk).").strip()
        return self._proximity

    # ---------------------------------------------------------------- extent and features
    def extent(self, frames: list[tuple[MapLayer, Any]]) -> tuple[float, float, float, float]:
        import numpy as np

        ext = self.spec.extent
        if isinstance(ext, tuple):
            return ext
        if isinstance(ext, dict):
            match = [g for lyr, g in frames if lyr.id == ext["layer"]] or \
                    [g for lyr, g in frames if lyr.kind == "layer" and lyr.source == ext["layer"]]
            gdf = match[0] if match else None
            if gdf is not None and len(gdf):
                if ext["buffer_m"]:
                    crs = _metric_crs(gdf)
                    b = gdf.to_crs(crs).buffer(ext["buffer_m"]).to_crs("EPSG:4326").total_bounds
                else:
                    b = gdf.total_bounds
                return tuple(float(v) for v in b)  # type: ignore[return-value]
        boxes = [g.total_bounds for _, g in frames if len(g)]
        if not boxes:
            return (84.7, 56.3, 85.2, 56.65)  # Tomsk, when there is nothing to draw
        b = np.array(boxes)
        return (float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max()))

    def web_features(self, lyr: MapLayer, gdf: "gpd.GeoDataFrame") -> tuple[str, int, list[dict[str, str]]]:
        """The layer as a compact, script-safe GeoJSON string, its feature count, legend entries."""
        fields = [c for c in dict.fromkeys(lyr.popup + lyr.tooltip) if c in gdf.columns]
        colors, entries = _colors(lyr, gdf)
        web = web_frame(gdf, simplify_m=self.spec.simplify_m, precision=self.spec.precision, columns=fields)
        import shapely

        geo = shapely.to_geojson(web.geometry.values)
        props_cols = {c: web[c].tolist() for c in fields}
        parts = []
        for j, g in enumerate(geo):
            props = {c: jsonable(props_cols[c][j], digits=3) for c in fields}
            props = {k: v for k, v in props.items() if v is not None}
            if colors is not None:
                props["_c"] = colors[j]
            parts.append('{"type":"Feature","properties":' + _dumps(props) + ',"geometry":' + g + "}")
        data = '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"
        return _script_safe(data), len(parts), entries


_PARK_ORDER = ("industrial", "innovation", "research_education", "historical_cultural", "medical", "sport")


def _have(layers: Any) -> str:
    names = None
    for attr in ("names", "keys"):
        f = getattr(layers, attr, None)
        if callable(f):
            try:
                names = list(f())
                break
            except Exception:  # pragma: no cover - best effort for a message
                pass
    return f" (have: {', '.join(map(str, names))})" if names else ""


def _optional_layer(layers: Any, name: str) -> Any:
    try:
        return layers[name]
    except Exception:
        return getattr(layers, name, None)


def _optional_missing(values: tuple[Any, ...]) -> bool:
    """A `where` on a missing optional boolean column (e.g. bridge = true) selects nothing."""
    return all(isinstance(v, bool) for v in values)


def _truthy(x: Any) -> bool:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return False
    if isinstance(x, str):
        return x.strip().lower() in ("true", "1", "yes")
    try:
        return bool(x)
    except (TypeError, ValueError):  # pandas NA
        return False


def _record_label(gdf: "gpd.GeoDataFrame", pos: int) -> str:
    """'3 (park_id=P3)': the 1-based record number and the id, for messages."""
    for col in gdf.columns:
        if col.endswith("_id") and col in ("park_id", "site_id", "corridor_id", "boundary_id", "cell_id", "origin_id"):
            return f"{pos + 1} ({col}={gdf[col].iloc[pos]})"
    return str(pos + 1)


def _first_name(gdf: "gpd.GeoDataFrame") -> str | None:
    if "name" in gdf.columns and len(gdf):
        v = gdf["name"].iloc[0]
        return str(v) if isinstance(v, str) and v else None
    return None


def _metric_crs(gdf: "gpd.GeoDataFrame") -> str:
    from ino_geo.crs import metric_crs_for

    try:
        return metric_crs_for(gdf)
    except DataError:
        return METRIC_FALLBACK


def _as_storage(gdf: Any, what: str) -> "gpd.GeoDataFrame":
    import geopandas as gpd

    if not isinstance(gdf, gpd.GeoDataFrame):
        raise DataError(f"{what}: expected a GeoDataFrame, got {type(gdf).__name__}")
    if gdf.crs is None:
        raise DataError(f"{what}: the layer has no CRS")
    if gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs("EPSG:4326")
    return gdf


def web_frame(gdf: "gpd.GeoDataFrame", *, simplify_m: float = 5.0, precision: int = 5,
              columns: Iterable[str] | None = None) -> "gpd.GeoDataFrame":
    """Prepare a layer for the web: simplified, rounded, in EPSG:4326, only `columns` kept.

    Lines and polygons are simplified in the layer's metric CRS with tolerance `simplify_m`
    metres (topology preserved, so a polygon never collapses); coordinates are then rounded to
    `precision` decimal degrees (5 decimals ~ 1.1 m north-south at Tomsk).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> g = gpd.GeoDataFrame({"name": ["a"]}, geometry=[Point(84.9512345678, 56.4812345678)], crs=4326)
    >>> web_frame(g, precision=4).geometry.iloc[0].wkt
    'POINT (84.9512 56.4812)'
    """
    import numpy as np
    import shapely

    cols = [c for c in (columns or []) if c in gdf.columns and c != gdf.geometry.name]
    out = gdf[cols + [gdf.geometry.name]].copy()
    geoms = out.geometry.values
    if simplify_m and len(out):
        kinds = shapely.get_type_id(np.asarray(geoms))
        not_point = (kinds != 0) & (kinds != 4)
        if not_point.any():
            crs = _metric_crs(out)
            metric = out.to_crs(crs)
            simp = shapely.simplify(np.asarray(metric.geometry.values)[not_point], simplify_m, preserve_topology=True)
            arr = np.asarray(metric.geometry.values).copy()
            arr[not_point] = simp
            metric = metric.set_geometry(list(arr), crs=crs)
            out = metric.to_crs("EPSG:4326")
    elif out.crs is not None and out.crs.to_epsg() != 4326:
        out = out.to_crs("EPSG:4326")
    rounded = shapely.transform(np.asarray(out.geometry.values), lambda c: np.round(c, precision))
    return out.set_geometry(list(rounded), crs="EPSG:4326")


def _colors(lyr: MapLayer, gdf: "gpd.GeoDataFrame") -> tuple[list[str] | None, list[dict[str, str]]]:
    """Per-feature colours and the legend entries of a layer."""
    import numpy as np

    st = lyr.style
    line_only = _line_only(gdf)
    if lyr.color_by is None or lyr.color_by not in gdf.columns:
        sw = (st.color or "#3388ff") if line_only else (st.fill_color or st.color or "#3388ff")
        return None, [{"label": lyr.title, "color": sw, "line": "1" if line_only else ""}]
    values = gdf[lyr.color_by].tolist()
    entries: list[dict[str, str]] = []
    if lyr.bins:
        arr = np.array([_num(v) for v in values], dtype=float)
        idx = np.searchsorted(np.asarray(lyr.bins), arr, side="left")  # v <= bins[0] -> 0
        colors = [lyr.other_color if math.isnan(v) else lyr.bin_colors[int(k)] for v, k in zip(arr, idx)]
        labels = _bin_labels(lyr)
        for k, c in enumerate(lyr.bin_colors):
            entries.append({"label": labels[k], "color": c, "line": "1" if line_only else ""})
        if np.isnan(arr).any():
            entries.append({"label": "no value", "color": lyr.other_color, "line": "1" if line_only else ""})
        return colors, entries
    colors = []
    other = False
    for v in values:
        key = _key(v)
        c = lyr.colors.get(key) if key is not None else None
        if c is None:
            other = True
            c = lyr.other_color
        colors.append(c)
    present = {_key(v) for v in values}
    for key, c in lyr.colors.items():
        entries.append({"label": lyr.labels.get(key, key.replace("_", " ")) if isinstance(lyr.labels, Mapping) else key,
                        "color": c, "line": "1" if line_only else "", "absent": "" if key in present else "1"})
    if other:
        entries.append({"label": "other / none", "color": lyr.other_color, "line": "1" if line_only else ""})
    return colors, entries


def _bin_labels(lyr: MapLayer) -> list[str]:
    if isinstance(lyr.labels, tuple) and lyr.labels:
        return list(lyr.labels)
    u = f" {lyr.unit}" if lyr.unit else ""
    b = [f"{x:g}" for x in lyr.bins]
    out = [f"≤ {b[0]}{u}"]
    out += [f"{b[k - 1]}–{b[k]}{u}" for k in range(1, len(b))]
    out.append(f"> {b[-1]}{u}")
    return out


def _line_only(gdf: "gpd.GeoDataFrame") -> bool:
    if not len(gdf):
        return False
    kinds = set(gdf.geometry.geom_type.dropna())
    return bool(kinds) and kinds <= {"LineString", "MultiLineString"}


def _key(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, str):
        return v if v else None
    try:
        import pandas as pd

        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return str(v)


def _num(v: Any) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return float("nan")
    return f if math.isfinite(f) else float("nan")



def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _script_safe(js: str) -> str:
    """Make JSON safe inside a <script> element: no '<', '>', '&', quotes or line separators."""
    return (js.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("'", "\\u0027")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


# ================================================================================ page elements

_HEAD = """<title>{title}</title>
<style>
.folium-map.leaflet-container {{ background: #f2f0eb; }}
.ino-geo-panel {{ position: absolute; z-index: 1000; left: 10px; bottom: 56px; max-width: 300px;
  max-height: calc(100% - 150px); overflow: auto; background: rgba(255,255,255,0.94);
  border-radius: 6px; box-shadow: 0 1px 5px rgba(0,0,0,0.4); padding: 6px 10px;
  font: 12px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; }}
.ino-geo-panel h1 {{ font-size: 14px; margin: 2px 0 4px; }}
.ino-geo-panel p {{ margin: 0 0 6px; color: #444; }}
.ino-geo-panel summary {{ cursor: pointer; font-weight: 600; }}
.ino-geo-panel h2 {{ font-size: 12px; margin: 6px 0 2px; }}
.ino-geo-panel ul {{ list-style: none; margin: 0; padding: 0; }}
.ino-geo-panel li {{ display: flex; align-items: center; gap: 6px; margin: 1px 0; }}
.ino-geo-panel li.absent {{ color: #999; }}
.ino-geo-sw {{ display: inline-block; width: 14px; height: 11px; border: 1px solid rgba(0,0,0,0.45); flex: none; }}
.ino-geo-sw.line {{ height: 0; border: 0; border-top: 3px solid; }}
.ino-geo-attrs th {{ text-align: left; padding: 1px 8px 1px 0; vertical-align: top; white-space: nowrap; }}
.ino-geo-attrs td {{ padding: 1px 0; max-width: 320px; overflow-wrap: anywhere; }}
@media (max-width: 600px) {{ .ino-geo-panel {{ max-width: 60%; font-size: 11px; }} }}
</style>"""


def _legend_html(title: str, subtitle: str, groups: list[dict[str, Any]]) -> str:
    e = html.escape
    parts = ['<div class="ino-geo-panel" id="ino-geo-legend" role="region" aria-label="Legend">',
             f"<h1>{e(title)}</h1>"]
    if subtitle:
        parts.append(f"<p>{e(subtitle)}</p>")
    parts.append('<details open><summary>Legend</summary>')
    for g in groups:
        parts.append(f'<h2>{e(g["title"])}</h2><ul>')
        for it in g["entries"]:
            cls = ' class="absent" title="not on this map"' if it.get("absent") else ""
            sw_cls = "ino-geo-sw line" if it.get("line") else "ino-geo-sw"
            # colours are validated by the spec (hex codes / names); escaped all the same
            style = f"border-top-color:{e(it['color'])}" if it.get("line") else f"background:{e(it['color'])}"
            parts.append(f'<li{cls}><span class="{sw_cls}" style="{style}"></span><span>{e(it["label"])}</span></li>')
        parts.append("</ul>")
    parts.append("</details></div>")
    return "".join(parts)


_RUNTIME_JS = r"""
<script>
window.inoGeo = window.inoGeo || { layers: {}, counts: {} };
(function (G) {
  // Attribute table built with textContent: data never becomes markup.
  G.table = function (props, fields) {
    var t = document.createElement('table');
    t.className = 'ino-geo-attrs';
    for (var i = 0; i < fields.length; i++) {
      var v = props[fields[i][0]];
      if (v === null || v === undefined || v === '') continue;
      var tr = t.insertRow();
      var th = document.createElement('th');
      th.textContent = fields[i][1];
      tr.appendChild(th);
      var td = tr.insertCell();
      td.textContent = (typeof v === 'object') ? JSON.stringify(v) : String(v);
    }
    return t;
  };
  G.style = function (base, feature) {
    var s = {};
    for (var k in base) s[k] = base[k];
    var c = feature && feature.properties && feature.properties._c;
    if (c) { s.fillColor = c; if (base._byStroke) s.color = c; }
    delete s._byStroke;
    return s;
  };
  G.bind = function (layer, feature, popup, tooltip) {
    if (popup.length) layer.bindPopup(function () { return G.table(feature.properties, popup); }, { maxWidth: 360 });
    if (tooltip.length) layer.bindTooltip(function () { return G.table(feature.properties, tooltip); }, { sticky: true });
  };
})(window.inoGeo);
</script>"""


def _Runtime():
    import folium

    return folium.Element(_RUNTIME_JS)


@lru_cache(maxsize=1)
def _layer_class():
    """The folium Layer that draws one spec layer (defined on first use: folium loads lazily)."""
    from folium.map import Layer
    from folium.template import Template

    class InoGeoLayer(Layer):
        """A GeoJSON layer from precomputed, script-safe JSON; popups/tooltips via inoGeo.bind."""

        _template = Template(
            """
            {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.geoJson({{ this.data }}, {
                className: {{ this.class_name }},
                style: function (f) { return inoGeo.style({{ this.style }}, f); },
                pointToLayer: function (f, latlng) {
                    var o = inoGeo.style({{ this.style }}, f);
                    o.className = {{ this.class_name }};
                    return L.circleMarker(latlng, o);
                },
                onEachFeature: function (f, layer) { inoGeo.bind(layer, f, {{ this.popup }}, {{ this.tooltip }}); }
            });
            inoGeo.layers[{{ this.layer_id }}] = {{ this.get_name() }};
            inoGeo.counts[{{ this.layer_id }}] = {{ this.count }};
            {% endmacro %}
            """
        )

        def __init__(self, *, name: str, show: bool, data: str, style: str, class_name: str, layer_id: str,
                     count: int, popup: str, tooltip: str):
            super().__init__(name=name, overlay=True, control=True, show=show)
            self._name = "InoGeoLayer"
            self.data, self.style, self.class_name, self.layer_id = data, style, class_name, layer_id
            self.count, self.popup, self.tooltip = count, popup, tooltip

    return InoGeoLayer


def _GeoLayer(lyr: MapLayer, spec: MapSpec, data: str, n: int, popup: list[str], tooltip: list[str],
              line_only: bool = False):
    """The folium layer of one spec layer; every string reaching the script is JSON, script-safe."""
    st = lyr.style.leaflet()
    if line_only:
        st["fill"] = False
    # a categorical colour fills the feature; it colours the outline too unless the spec gives
    # the outline colour (lines: always)
    st["_byStroke"] = bool(line_only or not lyr.style.fill or lyr.style.color is None)
    return _layer_class()(
        # Leaflet's layer control shows names with innerHTML: escape them
        name=html.escape(lyr.title),
        show=lyr.show,
        data=data,
        style=_script_safe(_dumps(st)),
        class_name=_script_safe(_dumps(f"ino-geo-f ino-geo-layer-{lyr.id}")),
        layer_id=_script_safe(_dumps(lyr.id)),
        count=int(n),
        popup=_script_safe(_dumps([[c, spec.label(c)] for c in popup])),
        tooltip=_script_safe(_dumps([[c, spec.label(c)] for c in tooltip])),
    )


# ================================================================================ export


def to_html(m: "folium.Map", *, self_contained: bool = True) -> str:
    """The map as one HTML page.

    Parameters
    ----------
    m : folium.Map
    self_contained : bool
        Inline Leaflet's JS/CSS (from xstatic-leaflet) and drop folium's other CDN resources
        and the online-only plugins, so that the page opens with no network and references no
        external script or stylesheet. False keeps folium's CDN links (smaller file).
    """
    if not self_contained:
        return m.get_root().render()
    from branca.element import CssLink, JavascriptLink

    _check_inlinable(m)
    removed = {}
    for key, child in list(m._children.items()):
        if type(child).__module__.startswith("folium.plugins"):
            removed[key] = child
            del m._children[key]
    # resource links stay in the figure header after a render; each element adds back the
    # ones it needs while rendering, so links of the left-out plugins are not carried over
    header = m.get_root().header
    links = {k: v for k, v in header._children.items() if isinstance(v, (JavascriptLink, CssLink))}
    for k in links:
        del header._children[k]
    try:
        page = m.get_root().render()
    finally:
        m._children.update(removed)  # order of plugins at the end is irrelevant for later renders
        for k, v in links.items():
            header._children.setdefault(k, v)
    return _inline_resources(page)


def _check_inlinable(m: "folium.Map") -> None:
    """Refuse (before rendering) elements that need resources a self-contained page leaves out.

    The maps of :func:`render_map` never need them; an analyst may add e.g. a
    ``folium.Marker`` with an awesome-markers ``Icon`` to the returned map.
    """
    import folium
    from folium.elements import JSCSSMixin

    stack = list(m._children.values())
    while stack:
        el = stack.pop()
        stack.extend(el._children.values())
        if type(el).__module__.startswith("folium.plugins"):
            continue  # online-only controls: left out of self-contained pages
        if isinstance(el, folium.Icon) or (isinstance(el, folium.Map) and el is not m):
            raise DataError(f"the map contains a {type(el).__name__}, which needs resources a self-contained page "
                            "leaves out (awesome-markers/Bootstrap); export with --cdn")
        if isinstance(el, JSCSSMixin) and not isinstance(el, folium.Map):
            for _, url in list(el.default_js) + list(el.default_css):
                low = url.lower()
                if not (low.endswith("/leaflet.js") or low.endswith("/leaflet.css")):
                    raise DataError(f"the map contains a {type(el).__name__}, which needs {url}; export with --cdn")


def is_self_contained(page: str) -> bool:
    """True if `page` has no <script src> or stylesheet <link> pointing off the page."""
    return not _EXTERNAL_RE.search(page)


_EXTERNAL_RE = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']?\s*(?:https?:)?//|<link\b[^>]*\bhref\s*=\s*[\"']?\s*(?:https?:)?//|@import\s+(?:url\()?[\"']?(?:https?:)?//",
    re.IGNORECASE,
)
_SCRIPT_RE = re.compile(r"<script\b[^>]*\bsrc\s*=\s*\"([^\"]+)\"[^>]*>\s*</script>", re.IGNORECASE)
_LINK_RE = re.compile(r"<link\b[^>]*\brel\s*=\s*\"stylesheet\"[^>]*\bhref\s*=\s*\"([^\"]+)\"[^>]*/?>", re.IGNORECASE)


def _inline_resources(page: str) -> str:
    def script(mo: re.Match) -> str:
        url = mo.group(1)
        low = url.lower()
        if low.endswith("/leaflet.js") or low.endswith("/leaflet-src.js"):
            return "<script>" + _leaflet_js() + "</script>"
        if any(k in low for k in _DROPPABLE):
            return ""
        raise DataError(f"the map uses {url}, which cannot be inlined; export with --cdn")

    def link(mo: re.Match) -> str:
        url = mo.group(1)
        low = url.lower()
        if low.endswith("/leaflet.css"):
            return "<style>" + _leaflet_css() + "</style>"
        if any(k in low for k in _DROPPABLE):
            return ""
        raise DataError(f"the map uses {url}, which cannot be inlined; export with --cdn")

    head_end = page.find("</head>")
    head, rest = (page[:head_end], page[head_end:]) if head_end >= 0 else (page, "")
    head = _SCRIPT_RE.sub(script, head)
    head = _LINK_RE.sub(link, head)
    rest = _SCRIPT_RE.sub(script, rest)
    rest = _LINK_RE.sub(link, rest)
    out = head + rest
    if not is_self_contained(out):  # pragma: no cover - guarded by the substitutions above
        raise DataError("self-contained export still references an external script or stylesheet; export with --cdn")
    return out


@lru_cache(maxsize=1)
def _leaflet_dir() -> Path:
    try:
        import xstatic.pkg.leaflet as xl
    except ImportError:  # pragma: no cover - a declared dependency
        raise DataError("self-contained maps need the xstatic-leaflet package (pip install xstatic-leaflet), or use --cdn") from None
    return Path(xl.BASE_DIR)


@lru_cache(maxsize=1)
def _leaflet_js() -> str:
    js = (_leaflet_dir() / "leaflet.js").read_text(encoding="utf-8")
    js = re.sub(r"//# sourceMappingURL=\S+", "", js)
    return js.replace("</script", "<\\/script")


@lru_cache(maxsize=1)
def _leaflet_css() -> str:
    d = _leaflet_dir()
    css = (d / "leaflet.css").read_text(encoding="utf-8")

    def data_uri(mo: re.Match) -> str:
        rel = mo.group(1).strip("'\"")
        f = d / rel
        if rel.startswith("#") or not f.is_file():
            return mo.group(0)
        return "url(data:image/png;base64," + base64.b64encode(f.read_bytes()).decode("ascii") + ")"

    return re.sub(r"url\(([^)]+)\)", data_uri, css).replace("</style", "<\\/style")


def embed_snippet(html_path: "str | os.PathLike", *, title: str = "Map", src: str | None = None,
                  min_height: str = "400px") -> str:
    """An ``<iframe>`` snippet that shows the exported map, filling its container.

    Parameters
    ----------
    html_path : path-like
        The exported map file (its name is the iframe ``src`` unless `src` is given).
    title : str
        Accessible title of the frame (escaped).
    src : str, optional
        The URL the web page will serve the map from.
    min_height : str
        CSS minimum height of the container.

    Examples
    --------
    >>> print(embed_snippet("maps/overview.html", title="Overview <1>").splitlines()[1])  # doctest: +ELLIPSIS
      <iframe src="overview.html" title="Overview &lt;1&gt;" ...
    """
    if not re.fullmatch(r"[0-9.]+(px|rem|em|vh|%)", min_height):
        raise UsageError(f"min_height: not a CSS length: {min_height!r}")
    url = src if src is not None else Path(html_path).name
    e = html.escape
    return (
        f'<div class="ino-geo-map" style="position:relative;width:100%;height:100%;min-height:{min_height};">\n'
        f'  <iframe src="{e(url)}" title="{e(title)}" loading="lazy" allowfullscreen '
        'style="position:absolute;top:0;left:0;width:100%;height:100%;border:0;"></iframe>\n'
        "</div>\n"
    )


def export_html(
    m: "folium.Map",
    path: "str | os.PathLike",
    *,
    self_contained: bool = True,
    overwrite: bool = False,
    embed_snippet_path: "str | os.PathLike | None" = None,
) -> Path:
    """Write the map to `path` (atomically; refuses to overwrite unless `overwrite`).

    With `embed_snippet_path`, also write an ``<iframe>`` snippet that references the map by
    its path relative to the snippet's folder. Both outputs are checked before any work.
    """
    from ino_geo.data.io import atomic_write_text, check_output

    check_output(path, overwrite)
    if embed_snippet_path is not None:
        check_output(embed_snippet_path, overwrite)
        if Path(embed_snippet_path).resolve() == Path(path).resolve():
            raise UsageError(f"{embed_snippet_path}: the embed snippet cannot be the map file itself")
    page = to_html(m, self_contained=self_contained)
    out = atomic_write_text(path, page, overwrite=overwrite)
    if embed_snippet_path is not None:
        rel = os.path.relpath(Path(path).resolve(), Path(embed_snippet_path).resolve().parent)
        title = getattr(m, "ino_geo_title", None) or "Map"
        atomic_write_text(embed_snippet_path, embed_snippet(path, title=title, src=Path(rel).as_posix()),
                          overwrite=overwrite)
    return out


def render_all(
    layers: Any = None,
    out_dir: "str | os.PathLike" = "maps_out",
    *,
    overwrite: bool = False,
    self_contained: bool = True,
    names: Iterable[str] | None = None,
    progress: Any = None,
) -> list[tuple[str, Path, int]]:
    """Render the built-in maps (or `names`) into `out_dir` as ``NAME.html``.

    All output paths are checked before any work (existing files need `overwrite`).

    Returns
    -------
    list of (name, path, bytes)
    """
    from ino_geo.data.io import check_output

    names = list(names) if names is not None else list(BUILTIN_MAPS)
    d = Path(out_dir)
    if d.exists() and not d.is_dir():
        raise UsageError(f"{d}: is not a folder")
    d.mkdir(parents=True, exist_ok=True)
    specs = [load_map_spec(n) for n in names]
    paths = [d / f"{s.name}.html" for s in specs]
    for p in paths:
        check_output(p, overwrite)
    if layers is None:
        from ino_geo.data.layers import load_layers

        layers = load_layers()
    done = []
    for spec, p in zip(specs, paths):
        if progress is not None:
            progress(f"map {spec.name} -> {p}")
        m = render_map(spec, layers, online=not self_contained)
        export_html(m, p, self_contained=self_contained, overwrite=overwrite)
        done.append((spec.name, p, p.stat().st_size))
    return done
