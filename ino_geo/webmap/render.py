"""Rendering map specs into folium maps, and every built-in map into HTML files.

:func:`render_map` turns a map spec (:mod:`ino_geo.webmap.spec`), the layers and already
computed analysis results (:class:`~ino_geo.webmap.results.MapResults`) into a
:class:`folium.Map`: one layer-control entry per spec layer, a categorical/graduated legend,
tooltips and popups with the features' attributes, a scale bar and, when the map is meant to
be online, the fullscreen, measure and minimap controls. Maps never run an analysis:
``ino_geo.map_results`` does, with the spec's parameters.

The steps live in their own modules: :mod:`~ino_geo.webmap.frames` (the features of each
spec layer), :mod:`~ino_geo.webmap.styles` (colours and legend), :mod:`~ino_geo.webmap.page`
(the folium page) and :mod:`~ino_geo.webmap.export` (HTML files).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

import html

from ino_geo._errors import UsageError
from ino_geo.webmap.base import base_config, place_labels
from ino_geo.webmap.export import embed_snippet, export_html, is_self_contained, to_html
from ino_geo.webmap.focus import resolve_focus
from ino_geo.webmap.frames import SpecFrames
from ino_geo.webmap.page import (Words, add_controls, add_labels, add_layer, add_legend, new_map, web_features,
                                 web_frame)
from ino_geo.webmap.results import MapResults, map_texts, require_results
from ino_geo.webmap.spec import BUILTIN_MAPS, MapSpec, load_map_spec
from ino_geo.webmap.styles import catalogue_of, feature_colors, legend_html
from ino_geo.webmap.words import phrase

if TYPE_CHECKING:  # pragma: no cover
    import folium

__all__ = [
    "MapResults",
    "render_map",
    "render_all",
    "to_html",
    "export_html",
    "embed_snippet",
    "web_frame",
    "is_self_contained",
]


def render_map(
    name_or_spec: "str | os.PathLike | MapSpec",
    layers: Any = None,
    *,
    results: MapResults | None = None,
    online: bool = True,
    tiles: str | None = None,
    lang: str = "en",
    focus: str | None = None,
) -> "folium.Map":
    """Render a map spec into a :class:`folium.Map`.

    Parameters
    ----------
    name_or_spec : str, path or MapSpec
        A built-in map name (``"overview"``, ``"waterfront"``, ``"corridors"``, ``"coverage"``,
        ``"proximity"``), a spec file, or a loaded :class:`~ino_geo.webmap.spec.MapSpec`.
    layers : Layers, mapping of GeoDataFrames, or a folder path, optional
        The layers (``ino_geo.load_layers()``; default: the shipped Tomsk layers).
    results : MapResults, optional
        The analysis results the spec draws (its ``analysis = "coverage.*"`` / ``"proximity"``
        layers): ``ino_geo.map_results(spec, layers, ...)`` computes them with the spec's
        parameters, or wrap your own: ``ino_geo.MapResults(coverage=ino_geo.coverage(...))``.
    online : bool
        Add the fullscreen, measure and minimap controls (they load from a CDN). Export with
        ``self_contained=True`` leaves them out in any case.
    tiles : str, optional
        Online tiles: ``"OpenStreetMap"``, ``"CartoDB positron"`` or ``"none"`` (default: the
        spec's). Under every map (unless its spec says ``base = false``) an offline reference
        base drawn from the layers (``maps/base/reference.toml``) and the place names.
    lang : {"en", "ru"}
        Language of the titles, legend, popup labels and place names.
    focus : str, optional
        A boundary id or name (any case): the map opens on it, its name joins the title, and
        only features within :data:`ino_geo.defaults.FOCUS_MARGIN_M` of it are drawn (clipped).

    Returns
    -------
    folium.Map
        With the attributes ``ino_geo_counts`` ({layer id: number of features drawn}),
        ``ino_geo_spec`` and ``ino_geo_title``.

    Raises
    ------
    UsageError
        The spec draws an analysis result that `results` does not hold (the message says what
        to pass), or unknown `tiles`.

    Examples
    --------
    >>> import ino_geo
    >>> m = ino_geo.render_map("overview", ino_geo.load_layers())  # doctest: +SKIP
    >>> layers = ino_geo.load_layers()                               # doctest: +SKIP
    >>> res = ino_geo.map_results("coverage", layers, park_type="sport", minutes=15)  # doctest: +SKIP
    >>> m = ino_geo.render_map("coverage", layers, results=res)     # doctest: +SKIP
    """
    from ino_geo.webmap.words import check_lang

    spec = load_map_spec(name_or_spec)
    lang = check_lang(lang)
    results = require_results(spec, results)
    layers = _layers(layers)
    catalogue = catalogue_of(layers)
    where = resolve_focus(layers, focus) if focus else None
    clip = where.area if where is not None else None
    frames = SpecFrames(spec, layers, results, clip=clip)
    drawn = frames.all()
    bounds = where.bounds if where is not None else frames.extent(drawn)
    title, subtitle = map_texts(spec, results, lang)
    if where is not None:
        title = f"{title} — {where.title(lang)}"
    base = spec.tiles if tiles is None else tiles
    m = new_map(bounds, title, base)
    words = Words(spec, catalogue, lang)
    if spec.base or where is not None:
        _draw_base(m, layers, catalogue, lang, clip, where, spec.base)
    counts, legend = _draw_layers(m, drawn, frames, words, results)
    if spec.base:
        add_labels(m, place_labels(layers, lang, clip), phrase("place_names", lang))
    add_legend(m, legend_html(title, " ".join([subtitle, *frames.notes]).strip(), legend, lang))
    add_controls(m, bounds, base, online)
    m.ino_geo_counts = counts
    m.ino_geo_spec = spec
    m.ino_geo_title = title
    return m


def _draw_base(m: "folium.Map", layers: Any, catalogue: Any, lang: str, clip: Any, focus: Any = None,
               base: bool = True) -> None:
    """The reference base (``maps/base/reference.toml``) as one overlay, missing layers left out;
    with a focus, the focus boundary's outline on top of it."""
    import folium
    import geopandas as gpd

    from ino_geo._errors import DataError
    from ino_geo.webmap.spec import LayerStyle, MapLayer

    cfg = base_config()
    group = folium.FeatureGroup(name=html.escape(phrase("base", lang)), overlay=True, control=True, show=True)
    frames = SpecFrames(cfg.spec, layers, MapResults(), clip=clip)
    words = Words(cfg.spec, catalogue, lang)
    if focus is not None:
        lyr = MapLayer(id="base_focus", title=focus.title(lang), kind="layer", source="boundaries",
                       style=LayerStyle(color="#222222", weight=3, fill=False), tooltip=("name",))
        gdf = gpd.GeoDataFrame({"name": [focus.title(lang)]}, geometry=[focus.outline], crs="EPSG:4326")
        data, n = web_features(lyr, gdf, words, None)
        add_layer(group, lyr, words, gdf, data, n, control=False, registry="base")
    for i, lyr in enumerate(cfg.spec.layers if base else ()):
        try:
            gdf = frames.layer_frame(i, lyr)
        except DataError:
            continue  # the base never fails a map: a layer the folder lacks is left out
        data, n = web_features(lyr, gdf, words, None)
        add_layer(group, lyr, words, gdf, data, n, control=False, registry="base")
    group.add_to(m)

def _layers(layers: Any) -> Any:
    if layers is None or isinstance(layers, (str, os.PathLike)):
        from ino_geo.data.layers import load_layers

        return load_layers(layers)
    return layers


def _draw_layers(m: "folium.Map", drawn: list, frames: SpecFrames, words: Words,
                 results: MapResults) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Add every spec layer to `m`; its feature counts and legend groups.

    The covered areas of a coverage result are one overlay per park type and threshold (those
    of the drawn park type shown)."""
    counts: dict[str, int] = {}
    legend: list[dict[str, Any]] = []
    for i, (lyr, gdf) in enumerate(drawn):
        colors, entries = feature_colors(lyr, gdf, words.catalogue, frames.where(i, "colors"), words.lang)
        if lyr.source == "coverage.areas" and results.coverage is not None:
            counts[lyr.id] = _draw_reaches(m, lyr, gdf, words, results)
        else:
            data, n = web_features(lyr, gdf, words, colors)
            counts[lyr.id] = n
            add_layer(m, lyr, words, gdf, data, n)
        if lyr.legend and entries:
            legend.append({"title": lyr.text("legend_title", words.lang) or lyr.text("title", words.lang),
                           "entries": entries})
    return counts, legend


def _draw_reaches(m: "folium.Map", lyr: Any, gdf: Any, words: Words, results: MapResults) -> int:
    """One overlay per (park type, threshold) of the covered areas (the drawn reach is
    ``inoGeo.layers[lyr.id]``, the others ``inoGeo.extra``); the drawn reach's feature count."""
    first_type = results.reach()[0]
    drawn = 0
    for k, (park_type, value, unit) in enumerate(results.reaches()):
        part = gdf
        if "park_type" in gdf.columns:
            part = part[part["park_type"] == park_type]
        if "threshold" in gdf.columns:
            part = part[((part["threshold"].astype(float) - value).abs() < 1e-9) & (part["unit"] == unit)]
        col = words.column(lyr, "park_type")
        type_name = col.value_label(park_type, words.lang) if col is not None else park_type
        u = {"m": "м", "min": "мин"}.get(unit, unit) if words.lang == "ru" else unit
        title = f"{lyr.text('title', words.lang)}: {type_name}, {value:g} {u}"
        data, n = web_features(lyr, part, words, None)
        add_layer(m, lyr, words, part, data, n, title=title, show=park_type == first_type,
                  registry="layers" if k == 0 else "extra", key=lyr.id if k == 0 else f"{lyr.id}_{k}")
        drawn = n if k == 0 else drawn
    return drawn


def render_all(
    layers: Any = None,
    out_dir: "str | os.PathLike" = "maps_out",
    *,
    results: Mapping[str, MapResults] | None = None,
    overwrite: bool = False,
    self_contained: bool = True,
    names: Iterable[str] | None = None,
    progress: Callable[[str], None] | None = None,
    lang: str = "en",
    focus: str | None = None,
) -> list[tuple[str, Path, int]]:
    """Render the built-in maps (or `names`) into `out_dir` as ``NAME.html``.

    All output paths, and the results of the maps that draw analyses, are checked before any
    work (existing files need `overwrite`).

    Parameters
    ----------
    layers : Layers, mapping or folder, optional
        As for :func:`render_map`.
    out_dir : path-like
        Created if missing.
    results : mapping of str to MapResults, optional
        The results of each map that draws analyses, by map name (``ino_geo.maps_results``
        computes them for the built-in maps).

    Returns
    -------
    list of (name, path, bytes)
    """
    from ino_geo.data.io import check_output

    specs = [load_map_spec(n) for n in (list(names) if names is not None else list(BUILTIN_MAPS))]
    results = dict(results or {})
    for spec in specs:  # before any work
        require_results(spec, results.get(spec.name))
    d = Path(out_dir)
    if d.exists() and not d.is_dir():
        raise UsageError(f"{d}: is not a folder")
    d.mkdir(parents=True, exist_ok=True)
    paths = [d / f"{s.name}.html" for s in specs]
    for p in paths:
        check_output(p, overwrite)
    layers = _layers(layers)
    if focus:
        resolve_focus(layers, focus)  # an unknown boundary: before any map is written
    done = []
    for spec, p in zip(specs, paths):
        if progress is not None:
            progress(f"map {spec.name} -> {p}")
        m = render_map(spec, layers, results=results.get(spec.name), online=not self_contained, lang=lang, focus=focus)
        export_html(m, p, self_contained=self_contained, overwrite=overwrite)
        done.append((spec.name, p, p.stat().st_size))
    return done
