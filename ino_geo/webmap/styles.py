"""How features are coloured and how the legend reads.

Categorical colours and legend labels come from the layer catalogue
(``layers/catalogue.toml``: e.g. ``[layers.parks.columns.park_type]`` has ``colors`` and
``labels``) unless the spec gives its own ``colors``/``labels``, which override the
catalogue's value by value. Graduated colours (``bins``) come from the spec.

Examples
--------
>>> from ino_geo.webmap.spec import parse_map_spec
>>> spec = parse_map_spec({"map": {"title": "T"}, "layers": [
...     {"id": "p", "layer": "parks", "color_by": "park_type", "colors": {"sport": "#000000"}}]})
>>> style = categorical_style(spec.layers[0], load_default_catalogue())
>>> style.colors["sport"], style.colors["medical"], style.labels["sport"]
('#000000', '#56B4E9', 'Sports park')
"""

from __future__ import annotations

from ino_geo._json import jsonable

import html
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

from ino_geo._errors import DataError
from ino_geo.webmap.words import phrase

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from ino_geo.data.catalogue import Catalogue, ColumnSpec
    from ino_geo.webmap.spec import MapLayer

__all__ = [
    "CategoricalStyle",
    "categorical_style",
    "catalogue_of",
    "load_default_catalogue",
    "park_types",
    "feature_colors",
    "bin_labels",
    "legend_html",
    "line_only",
    "number",
]

#: Colour of a layer without a stroke or fill colour in its spec (Leaflet's blue).
DEFAULT_COLOR = "#3388ff"


@dataclass(frozen=True)
class CategoricalStyle:
    """The colour and legend label of each value of a categorical ``color_by`` column."""

    colors: Mapping[str, str]
    labels: Mapping[str, str]

    def label(self, value: str) -> str:
        return self.labels.get(value, value.replace("_", " "))


def load_default_catalogue() -> "Catalogue":
    """The catalogue of the shipped layers (for layers given as a plain mapping)."""
    from ino_geo.data.catalogue import load_catalogue

    return load_catalogue()


def catalogue_of(layers: Any) -> "Catalogue":
    """The catalogue the layers were read with, or the shipped one."""
    cat = getattr(layers, "catalogue", None)
    return cat if cat is not None else load_default_catalogue()


def park_types(catalogue: "Catalogue | None" = None) -> tuple[str, ...]:
    """The park types in catalogue order (``parks.park_type`` allowed values)."""
    cat = catalogue if catalogue is not None else load_default_catalogue()
    try:
        return tuple(cat["parks"].columns["park_type"].allowed or ())
    except (KeyError, AttributeError):
        return ()


def _catalogue_column(lyr: "MapLayer", catalogue: "Catalogue") -> "ColumnSpec | None":
    """The catalogue entry of the layer's ``color_by`` column: of its source layer, else of any layer."""
    layers = getattr(catalogue, "layers", {}) or {}
    order = ([layers[lyr.source]] if lyr.kind == "layer" and lyr.source in layers else []) + list(layers.values())
    for spec in order:
        col = spec.columns.get(lyr.color_by)
        if col is not None and (col.colors or spec.name == lyr.source):
            return col
    return None


def categorical_style(lyr: "MapLayer", catalogue: "Catalogue", where: str = "", lang: str = "en") -> CategoricalStyle:
    """Colours and labels of a categorical layer: the catalogue's, overridden by the spec's."""
    col = _catalogue_column(lyr, catalogue)
    colors = {**(col.colors if col is not None else {}), **lyr.colors}
    if not colors:
        raise DataError(f"{where or lyr.id}: categorical color_by {lyr.color_by!r} needs colors = {{value = \"colour\"}}"
                        " (the catalogue gives none for this column)")
    spec_labels = lyr.labels if isinstance(lyr.labels, Mapping) else {}
    labels = {**(col.labels if col is not None else {}), **spec_labels}
    if lang == "ru":
        ru = lyr.labels_ru if isinstance(lyr.labels_ru, Mapping) else {}
        labels = {**labels, **(col.labels_ru if col is not None else {}), **ru}
    return CategoricalStyle(colors=colors, labels=labels)


def line_only(gdf: "gpd.GeoDataFrame") -> bool:
    """True if every geometry is a (multi)line."""
    if not len(gdf):
        return False
    kinds = set(gdf.geometry.geom_type.dropna())
    return bool(kinds) and kinds <= {"LineString", "MultiLineString"}


def feature_colors(lyr: "MapLayer", gdf: "gpd.GeoDataFrame", catalogue: "Catalogue",
                   where: str = "", lang: str = "en") -> tuple[list[str] | None, list[dict[str, str]]]:
    """Per-feature colours (None: the layer's style colour) and the legend entries of a layer."""
    line = "1" if line_only(gdf) else ""
    if lyr.color_by is None or lyr.color_by not in gdf.columns:
        st = lyr.style
        sw = (st.color or DEFAULT_COLOR) if line else (st.fill_color or st.color or DEFAULT_COLOR)
        return None, [{"label": lyr.text("title", lang), "color": sw, "line": line}]
    values = gdf[lyr.color_by].tolist()
    if lyr.bins:
        return _graduated(lyr, values, line, lang)
    return _categorical(lyr, values, line, categorical_style(lyr, catalogue, where, lang), lang)


def _graduated(lyr: "MapLayer", values: list[Any], line: str, lang: str = "en") -> tuple[list[str], list[dict[str, str]]]:
    import numpy as np

    arr = np.array([number(v) for v in values], dtype=float)
    idx = np.searchsorted(np.asarray(lyr.bins), arr, side="left")  # v <= bins[0] -> 0
    colors = [lyr.other_color if math.isnan(v) else lyr.bin_colors[int(k)] for v, k in zip(arr, idx)]
    labels = bin_labels(lyr, lang)
    entries = [{"label": labels[k], "color": c, "line": line} for k, c in enumerate(lyr.bin_colors)]
    if np.isnan(arr).any():
        entries.append({"label": phrase("no_value", lang), "color": lyr.other_color, "line": line})
    return colors, entries


def _categorical(lyr: "MapLayer", values: list[Any], line: str,
                 style: CategoricalStyle, lang: str = "en") -> tuple[list[str], list[dict[str, str]]]:
    keys = [_key(v) for v in values]
    colors = [style.colors.get(k, lyr.other_color) if k is not None else lyr.other_color for k in keys]
    other = any(k is None or k not in style.colors for k in keys)
    present = set(keys)
    entries = [{"label": style.label(k), "color": c, "line": line, "absent": "" if k in present else "1"}
               for k, c in style.colors.items()]
    if other:
        entries.append({"label": phrase("other", lang), "color": lyr.other_color, "line": line})
    return colors, entries


def bin_labels(lyr: "MapLayer", lang: str = "en") -> list[str]:
    """Legend labels of graduated colours: the spec's, or ``≤ 1000 m``, ``1000–3000 m``, ``> 3000 m``."""
    if lang == "ru" and isinstance(lyr.labels_ru, tuple) and lyr.labels_ru:
        return list(lyr.labels_ru)
    if isinstance(lyr.labels, tuple) and lyr.labels:
        return list(lyr.labels)
    u = f" {lyr.unit}" if lyr.unit else ""
    b = [f"{x:g}" for x in lyr.bins]
    out = [f"≤ {b[0]}{u}"]
    out += [f"{b[k - 1]}–{b[k]}{u}" for k in range(1, len(b))]
    out.append(f"> {b[-1]}{u}")
    return out


def legend_html(title: str, subtitle: str, groups: list[dict[str, Any]], lang: str = "en") -> str:
    """The legend panel: every text escaped (colours are validated by the spec and escaped too)."""
    e = html.escape
    parts = [f'<div class="ino-geo-panel" id="ino-geo-legend" role="region" aria-label="{e(phrase("legend", lang))}">',
             f"<h1>{e(title)}</h1>"]
    if subtitle:
        parts.append(f'<p class="ino-geo-sub">{e(subtitle)}</p>')
    parts.append(f'<details open><summary>{e(phrase("legend", lang))}</summary>')
    for g in groups:
        parts.append(f'<h2>{e(g["title"])}</h2><ul>')
        for it in g["entries"]:
            cls = f' class="absent" title="{e(phrase("absent", lang))}"' if it.get("absent") else ""
            sw_cls = "ino-geo-sw line" if it.get("line") else "ino-geo-sw"
            style = f"border-top-color:{e(it['color'])}" if it.get("line") else f"background:{e(it['color'])}"
            parts.append(f'<li{cls}><span class="{sw_cls}" style="{style}"></span><span>{e(it["label"])}</span></li>')
        parts.append("</ul>")
    parts.append("</details></div>")
    return "".join(parts)


def _key(v: Any) -> str | None:
    """A category value as text (the key of a colour or a label); None when missing or blank."""
    plain = jsonable(v)
    return None if plain is None or plain == "" else str(plain)


def number(v: Any) -> float:
    """`v` as a finite float, or NaN."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return float("nan")
    return f if math.isfinite(f) else float("nan")
