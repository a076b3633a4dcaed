"""The Leaflet page: the folium map, one layer per spec layer, the legend, the controls.

Security: every value from the data reaches the page only as JSON data (``<``, ``>``, ``&``
and quotes escaped) and is shown with ``textContent`` by the page runtime
(``static/ino_geo.js``) - popups, tooltips, the legend, the title and the layer control never
put data into HTML markup, so a feature named ``<img src=x onerror=alert(1)>`` shows as that
text. (folium's own ``GeoJsonPopup`` and ``GeoJsonTooltip`` assign the values with
``innerHTML``; they are not used.)

Size: geometries are simplified in the metric CRS (``simplify_m`` of the spec, metres,
topology preserved), coordinates rounded (``precision`` decimals, 5 ~ 1 m), and only the
fields the map shows are kept.

The CSS and JavaScript of the page are package data in ``ino_geo/webmap/static/``.
"""

from __future__ import annotations

import html
import json
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Iterable

from ino_geo._errors import UsageError
from ino_geo._json import jsonable
from ino_geo.webmap.frames import metric_crs
from ino_geo.webmap.spec import _TILES, MapLayer, MapSpec
from ino_geo.webmap.styles import line_only

if TYPE_CHECKING:  # pragma: no cover
    import folium
    import geopandas as gpd

__all__ = ["static_text", "new_map", "add_layer", "add_labels", "add_legend", "add_controls", "web_features",
           "web_frame", "script_safe", "Words"]


class Words:
    """How one rendering labels fields and values: the spec's and the catalogue's words in `lang`."""

    def __init__(self, spec: MapSpec, catalogue: Any, lang: str = "en"):
        self.spec, self.catalogue, self.lang = spec, catalogue, lang

    def column(self, lyr: MapLayer, column: str) -> Any:
        from ino_geo.webmap.words import catalogue_column

        return catalogue_column(self.catalogue, lyr.source if lyr.kind == "layer" else None, column)

    def field(self, lyr: MapLayer, column: str) -> str:
        col = self.column(lyr, column)
        return self.spec.label(column, self.lang, col.title(self.lang) if col is not None and col.label else None)

    def fields(self, lyr: MapLayer, columns: list[str]) -> list[list[str]]:
        """[[column, label(, "cite")], ...] for the page runtime."""
        from ino_geo.webmap.words import phrase

        out = []
        for c in columns:
            label = phrase("other_name", self.lang) if c == "_name2" else self.field(lyr, c)
            out.append([c, label, "cite"] if c == "source" else [c, label])
        return out


@lru_cache(maxsize=None)
def static_text(name: str) -> str:
    """The text of ``ino_geo/webmap/static/<name>`` (package data)."""
    return resources.files("ino_geo.webmap").joinpath("static", name).read_text(encoding="utf-8")


def new_map(bounds: tuple[float, float, float, float], title: str, tiles: str) -> "folium.Map":
    """An empty folium map around `bounds` with the base `tiles`, the page's title, CSS and runtime."""
    import folium

    if tiles not in _TILES:
        raise UsageError(f"tiles {tiles!r}: use one of {', '.join(_TILES)}")
    m = folium.Map(location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2], zoom_start=10,
                   tiles=None, control_scale=True, prefer_canvas=False)
    if tiles != "none":
        folium.TileLayer(tiles, name=html.escape(tiles), control=True).add_to(m)
    head = f"<title>{html.escape(title)}</title>\n<style>\n{static_text('ino_geo.css')}</style>"
    m.get_root().header.add_child(folium.Element(head), name="ino_geo_head")
    m.get_root().header.add_child(folium.Element(f"\n<script>\n{static_text('ino_geo.js')}</script>"),
                                  name="ino_geo_runtime")
    return m


def add_legend(m: "folium.Map", legend: str) -> None:
    """Put the legend panel (HTML from :func:`ino_geo.webmap.styles.legend_html`) on the page."""
    import folium

    m.get_root().html.add_child(folium.Element(legend), name="ino_geo_legend")


def add_controls(m: "folium.Map", bounds: tuple[float, float, float, float], tiles: str, online: bool) -> None:
    """The online-only controls (fullscreen, measure, minimap), the layer control, the view."""
    import folium

    if online:
        from folium import plugins

        plugins.Fullscreen(position="topleft").add_to(m)
        plugins.MeasureControl(position="topleft", primary_length_unit="meters", secondary_length_unit="kilometers",
                               primary_area_unit="sqmeters", secondary_area_unit="hectares").add_to(m)
        if tiles != "none":
            plugins.MiniMap(tile_layer=tiles, position="bottomright", toggle_display=True).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])


@lru_cache(maxsize=1)
def _layer_class():
    """The folium Layer that draws one spec layer (defined on first use: folium loads lazily)."""
    from folium.map import Layer
    from folium.template import Template

    class InoGeoLayer(Layer):
        """A GeoJSON layer from precomputed, script-safe JSON; popups/tooltips via inoGeo.bind."""

        _template = Template(static_text("layer.js.j2"))

        def __init__(self, *, name: str, show: bool, data: str, style: str, class_name: str, layer_id: str,
                     count: int, popup: str, tooltip: str, control: bool = True, registry: str = "layers"):
            super().__init__(name=name, overlay=True, control=control, show=show)
            self.registry = registry
            self._name = "InoGeoLayer"
            self.data, self.style, self.class_name, self.layer_id = data, style, class_name, layer_id
            self.count, self.popup, self.tooltip = count, popup, tooltip

    return InoGeoLayer


@lru_cache(maxsize=1)
def _labels_class():
    """The folium Layer of the place labels (shown by zoom and priority by the page runtime)."""
    from folium.map import Layer
    from folium.template import Template

    class InoGeoLabels(Layer):
        _template = Template(
            "{% macro script(this, kwargs) %}var {{ this.get_name() }} = inoGeo.labels("
            "{{ this._parent.get_name() }}, {{ this.data }});{% endmacro %}")

        def __init__(self, *, name: str, data: str):
            super().__init__(name=name, overlay=True, control=True, show=True)
            self._name = "InoGeoLabels"
            self.data = data

    return InoGeoLabels


def add_labels(m: "folium.Map", rows: list[list[Any]], name: str) -> None:
    """The place labels ``[lat, lon, text, priority, min_zoom]`` as one overlay named `name`."""
    _labels_class()(name=html.escape(name), data=script_safe(_dumps(rows))).add_to(m)


def add_layer(m: Any, lyr: MapLayer, words: Words, gdf: "gpd.GeoDataFrame", data: str, n: int, *,
              title: str | None = None, show: bool | None = None, control: bool = True, registry: str = "layers",
              key: str | None = None) -> None:
    """Add the folium layer of one spec layer to `m` (a map or a feature group); every string
    reaching the script is JSON, script-safe.

    The page registers it as ``inoGeo[registry][key]`` (default: ``inoGeo.layers[lyr.id]``;
    the reference base in ``inoGeo.base``, further overlays of one spec layer in ``inoGeo.extra``)."""
    key = key or lyr.id
    popup = [c for c in lyr.popup if c in gdf.columns]
    if "name" in popup and "name_ru" in gdf.columns:
        popup.insert(popup.index("name") + 1, "_name2")  # the name in the other language, beside it
    tooltip = [c for c in lyr.tooltip if c in gdf.columns]
    lines = line_only(gdf)
    st = lyr.style.leaflet()
    if lines:
        st["fill"] = False
    # a categorical colour fills the feature; it colours the outline too unless the spec gives
    # the outline colour (lines: always)
    st["_byStroke"] = bool(lines or not lyr.style.fill or lyr.style.color is None)
    _layer_class()(
        name=html.escape(title or lyr.text("title", words.lang)),  # Leaflet's layer control shows names with innerHTML
        show=lyr.show if show is None else show,
        control=control,
        data=data,
        style=script_safe(_dumps(st)),
        class_name=script_safe(_dumps(f"ino-geo-f ino-geo-layer-{key}")),
        layer_id=script_safe(_dumps(key)),
        registry=registry,
        count=int(n),
        popup=script_safe(_dumps(words.fields(lyr, popup))),
        tooltip=script_safe(_dumps(words.fields(lyr, tooltip))),
    ).add_to(m)


def web_features(lyr: MapLayer, gdf: "gpd.GeoDataFrame", words: Words, colors: list[str] | None) -> tuple[str, int]:
    """The layer as a compact, script-safe GeoJSON string and its feature count.

    Values are worded for the public in the map's language: catalogue labels of coded values
    (``research_education`` -> "Research & education park"), sources as citations, the name
    in the map's language with the other one beside it (``_name2``)."""
    import shapely

    spec = words.spec
    fields = [c for c in dict.fromkeys(lyr.popup + lyr.tooltip) if c in gdf.columns]
    web = web_frame(gdf, simplify_m=spec.simplify_m, precision=spec.precision,
                    columns=fields + (["name_ru"] if "name" in fields and "name_ru" in gdf.columns else []))
    geo = shapely.to_geojson(web.geometry.values)
    props_cols = {c: _worded(lyr, words, c, web[c].tolist()) for c in fields}
    if "name" in fields and "name_ru" in web.columns:
        props_cols["name"], props_cols["_name2"] = _names(web["name"].tolist(), web["name_ru"].tolist(), words.lang)
        fields = fields + ["_name2"]
    parts = []
    for j, g in enumerate(geo):
        props = {c: jsonable(props_cols[c][j], digits=3) for c in fields}
        props = {k: v for k, v in props.items() if v is not None}
        if colors is not None:
            props["_c"] = colors[j]
        parts.append('{"type":"Feature","properties":' + _dumps(props) + ',"geometry":' + g + "}")
    data = '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"
    return script_safe(data), len(parts)


def _worded(lyr: MapLayer, words: Words, column: str, values: list[Any]) -> list[Any]:
    from ino_geo.webmap.words import citation

    if column == "source":
        return [citation(v, words.lang) or None for v in values]
    col = words.column(lyr, column)
    if col is None or not (col.labels or col.labels_ru):
        return values
    return [col.value_label(v, words.lang) if isinstance(v, str) else v for v in values]


def _names(en: list[Any], ru: list[Any], lang: str) -> tuple[list[Any], list[Any]]:
    """(the name in `lang`, the other one where it differs)."""
    def ok(v: Any) -> bool:
        return isinstance(v, str) and bool(v.strip())

    first, second = (ru, en) if lang == "ru" else (en, ru)
    main = [a if ok(a) else b for a, b in zip(first, second)]
    other = [b if ok(a) and ok(b) and a != b else None for a, b in zip(first, second)]
    return main, other


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
    if simplify_m and len(out):
        kinds = shapely.get_type_id(np.asarray(out.geometry.values))
        not_point = (kinds != 0) & (kinds != 4)
        if not_point.any():
            crs = metric_crs(out)
            metric = out.to_crs(crs)
            arr = np.asarray(metric.geometry.values).copy()
            arr[not_point] = shapely.simplify(arr[not_point], simplify_m, preserve_topology=True)
            out = metric.set_geometry(list(arr), crs=crs).to_crs("EPSG:4326")
    elif out.crs is not None and out.crs.to_epsg() != 4326:
        out = out.to_crs("EPSG:4326")
    rounded = shapely.transform(np.asarray(out.geometry.values), lambda c: np.round(c, precision))
    return out.set_geometry(list(rounded), crs="EPSG:4326")


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def script_safe(js: str) -> str:
    """Make JSON safe inside a <script> element: no '<', '>', '&', quotes or line separators.

    Examples
    --------
    >>> script_safe('{"a":"</script>"}')
    '{"a":"\\\\u003c/script\\\\u003e"}'
    """
    return (js.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("'", "\\u0027")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
