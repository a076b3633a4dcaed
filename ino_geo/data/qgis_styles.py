"""QGIS styles for GeoPackage exports: QML and SLD from the catalogue palettes.

A GeoPackage that carries a ``layer_styles`` table (the table QGIS itself writes when a style
is saved "in the database") opens in QGIS with each layer styled: categorised by one field,
labelled with its ``name``. :func:`write_layer_styles` adds or replaces one default style row
per exported layer; other layers' rows are kept.

Which field, which colours (documented rule):

1. the first column of the layer whose catalogue entry has a palette (``colors``), e.g.
   ``park_type`` of ``parks`` - of several, the first of :data:`CATEGORY_FIELDS` (``cluster``
   before ``category`` of sites, as on the overview map): its colours and human labels (``labels``);
2. else the first of :data:`CATEGORY_FIELDS` that the catalogue constrains to a list of
   ``allowed`` values (``cluster`` of sites, ``status`` of corridors, ``level`` of boundaries):
   the values in catalogue order coloured from :data:`DEFAULT_PALETTE` (ColorBrewer Dark2,
   distinct from the park types' Okabe–Ito palette), labels from the catalogue or the value;
3. else one symbol in :data:`DEFAULT_COLOR`.

Empty values (a nullable field) get the category "other / none" in :data:`OTHER_COLOR`.
The QML follows QGIS 3 (``renderer-v2`` ``categorizedSymbol`` / ``singleSymbol``, simple
labelling on ``name``); the SLD is OGC SLD 1.1 / SE 1.1 (one rule per category, a text rule).

Examples
--------
>>> from ino_geo.data.catalogue import load_catalogue
>>> s = layer_style("parks", load_catalogue(), "Polygon", ["park_id", "name", "park_type"])
>>> s.field, s.categories[0][:2]
('park_type', ('industrial', 'Industrial park'))
"""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

__all__ = [
    "CATEGORY_FIELDS",
    "DEFAULT_PALETTE",
    "DEFAULT_COLOR",
    "OTHER_COLOR",
    "LayerStyle",
    "layer_style",
    "style_qml",
    "style_sld",
    "write_layer_styles",
]

CATEGORY_FIELDS = ("cluster", "status", "level", "category", "mode")
# ColorBrewer Dark2 (8 classes): for fields without a catalogue palette
DEFAULT_PALETTE = ("#1B9E77", "#D95F02", "#7570B3", "#E7298A", "#66A61E", "#E6AB02", "#A6761D", "#666666")
DEFAULT_COLOR = "#3A6EA5"
OTHER_COLOR = "#BBBBBB"
_STYLE_NAME = "ino-geo"

_CREATE = """CREATE TABLE IF NOT EXISTS layer_styles (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  f_table_catalog TEXT(256), f_table_schema TEXT(256), f_table_name TEXT(256),
  f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT,
  useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
  update_time DATETIME DEFAULT CURRENT_TIMESTAMP)"""


@dataclass(frozen=True)
class LayerStyle:
    """The style of one layer: geometry kind, categorised field and its categories."""

    layer: str
    kind: str  # "fill" | "line" | "marker"
    field: str | None  # None: a single symbol
    categories: tuple[tuple[str, str, str], ...]  # (value, label, #rrggbb); value "" = empty/other
    label_field: str | None


def _kind(geometry_type: str) -> str:
    g = (geometry_type or "").lower()
    return "fill" if "polygon" in g else "line" if "line" in g else "marker"


def layer_style(layer: str, catalogue: Any, geometry_type: str, columns: Sequence[str],
                nullable: bool | None = None) -> LayerStyle:
    """The style of `layer` from its catalogue entry (see the module docstring for the rule)."""
    spec = catalogue.layers.get(layer) if catalogue is not None else None
    cols = spec.columns if spec is not None else {}
    label = "name" if "name" in columns else None
    field, cats = None, ()
    with_palette = [c for c in cols.values() if c.colors and c.name in columns]
    with_palette.sort(key=lambda c: CATEGORY_FIELDS.index(c.name) if c.name in CATEGORY_FIELDS else -1)
    if with_palette:
        c = with_palette[0]
        field = c.name
        cats = tuple((v, c.value_label(v), col) for v, col in c.colors.items())
    else:
        for name in CATEGORY_FIELDS:
            c = cols.get(name)
            if c is not None and c.allowed and name in columns:
                field = name
                cats = tuple((str(v), c.value_label(v) if c.labels else str(v).replace("_", " ").capitalize(),
                              DEFAULT_PALETTE[k % len(DEFAULT_PALETTE)]) for k, v in enumerate(c.allowed))
                break
    if field is not None and (cols[field].nullable if nullable is None else nullable):
        cats = cats + (("", "other / none", OTHER_COLOR),)
    return LayerStyle(layer, _kind(geometry_type), field, cats, label)


# ================================================================================ QML


def _rgba(hex_color: str, alpha: float = 1.0) -> str:
    h = hex_color.lstrip("#")
    return ",".join(str(int(h[i:i + 2], 16)) for i in (0, 2, 4)) + f",{round(alpha * 255)}"


def _options(parent: ET.Element, values: Mapping[str, str]) -> None:
    opt = ET.SubElement(parent, "Option", type="Map")
    for k, v in values.items():
        ET.SubElement(opt, "Option", type="QString", name=k, value=str(v))


def _symbol(parent: ET.Element, tag: str, name: str, kind: str, color: str) -> None:
    sym = ET.SubElement(parent, tag, type=kind, name=name, alpha="1", clip_to_extent="1", force_rhr="0")
    if kind == "fill":
        lyr = ET.SubElement(sym, "layer", {"class": "SimpleFill", "enabled": "1", "locked": "0", "pass": "0"})
        _options(lyr, {"color": _rgba(color, 0.45), "style": "solid", "outline_color": _rgba(color),
                       "outline_style": "solid", "outline_width": "0.4", "outline_width_unit": "MM",
                       "joinstyle": "bevel"})
    elif kind == "line":
        lyr = ET.SubElement(sym, "layer", {"class": "SimpleLine", "enabled": "1", "locked": "0", "pass": "0"})
        _options(lyr, {"line_color": _rgba(color), "line_style": "solid", "line_width": "0.7",
                       "line_width_unit": "MM", "capstyle": "round", "joinstyle": "round"})
    else:
        lyr = ET.SubElement(sym, "layer", {"class": "SimpleMarker", "enabled": "1", "locked": "0", "pass": "0"})
        _options(lyr, {"name": "circle", "color": _rgba(color), "outline_color": "35,35,35,255",
                       "outline_style": "solid", "outline_width": "0.2", "outline_width_unit": "MM",
                       "size": "2.4", "size_unit": "MM"})


def _labeling(root: ET.Element, style: LayerStyle) -> None:
    if style.label_field is None:
        return
    lab = ET.SubElement(root, "labeling", type="simple")
    settings = ET.SubElement(lab, "settings", calloutType="simple")
    ts = ET.SubElement(settings, "text-style", fieldName=style.label_field, isExpression="0", fontFamily="Sans Serif",
                       fontSize="8", fontSizeUnit="Point", textColor="34,34,34,255", textOpacity="1",
                       fontItalic="1" if style.kind == "fill" else "0", fontWeight="50", namedStyle="Regular")
    ET.SubElement(ts, "text-buffer", bufferDraw="1", bufferSize="0.8", bufferSizeUnits="MM",
                  bufferColor="255,255,255,255", bufferOpacity="0.85", bufferJoinStyle="128")
    ET.SubElement(settings, "text-format", wrapChar="", autoWrapLength="0", multilineAlign="3")
    # QgsPalLayerSettings placement: 6 cartographic around points, 2 parallel to lines, 0 around centroids
    ET.SubElement(settings, "placement", placement={"marker": "6", "line": "2", "fill": "0"}[style.kind],
                  dist="1", distUnits="MM", priority="5", placementFlags="10", centroidInside="1")
    ET.SubElement(settings, "rendering", obstacle="1", displayAll="0", upsidedownLabels="0", scaleVisibility="0",
                  limitNumLabels="0", mergeLines="1" if style.kind == "line" else "0", drawLabels="1")


def style_qml(style: LayerStyle) -> str:
    """The QGIS 3 QML document of `style`: categorised (or single) symbols, labels on ``name``."""
    root = ET.Element("qgis", version="3.34.0", styleCategories="Symbology|Labeling",
                      labelsEnabled="1" if style.label_field else "0")
    if style.field is None:
        r = ET.SubElement(root, "renderer-v2", type="singleSymbol", forceraster="0", symbollevels="0",
                          enableorderby="0")
        _symbol(ET.SubElement(r, "symbols"), "symbol", "0", style.kind, DEFAULT_COLOR)
    else:
        r = ET.SubElement(root, "renderer-v2", type="categorizedSymbol", attr=style.field, forceraster="0",
                          symbollevels="0", enableorderby="0")
        cats = ET.SubElement(r, "categories")
        syms = ET.SubElement(r, "symbols")
        for k, (value, label, color) in enumerate(style.categories):
            ET.SubElement(cats, "category", value=value, label=label, symbol=str(k), render="true", type="string")
            _symbol(syms, "symbol", str(k), style.kind, color)
        src = ET.SubElement(r, "source-symbol")
        _symbol(src, "symbol", "0", style.kind, DEFAULT_COLOR)
    _labeling(root, style)
    ET.SubElement(root, "blendMode").text = "0"
    ET.SubElement(root, "layerGeometryType").text = {"marker": "0", "line": "1", "fill": "2"}[style.kind]
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, encoding="unicode")


# ================================================================================ SLD

_SLD = "http://www.opengis.net/sld"
_SE = "http://www.opengis.net/se"
_OGC = "http://www.opengis.net/ogc"


def _svg_params(parent: ET.Element, tag: str, values: Mapping[str, str]) -> None:
    el = ET.SubElement(parent, f"{{{_SE}}}{tag}")
    for k, v in values.items():
        ET.SubElement(el, f"{{{_SE}}}SvgParameter", name=k).text = v


def _symbolizer(rule: ET.Element, kind: str, color: str) -> None:
    if kind == "fill":
        s = ET.SubElement(rule, f"{{{_SE}}}PolygonSymbolizer")
        _svg_params(s, "Fill", {"fill": color, "fill-opacity": "0.45"})
        _svg_params(s, "Stroke", {"stroke": color, "stroke-width": "1"})
    elif kind == "line":
        s = ET.SubElement(rule, f"{{{_SE}}}LineSymbolizer")
        _svg_params(s, "Stroke", {"stroke": color, "stroke-width": "2.5", "stroke-linecap": "round"})
    else:
        s = ET.SubElement(rule, f"{{{_SE}}}PointSymbolizer")
        mark = ET.SubElement(ET.SubElement(s, f"{{{_SE}}}Graphic"), f"{{{_SE}}}Mark")
        ET.SubElement(mark, f"{{{_SE}}}WellKnownName").text = "circle"
        _svg_params(mark, "Fill", {"fill": color})
        _svg_params(mark, "Stroke", {"stroke": "#232323", "stroke-width": "0.5"})
        ET.SubElement(s.find(f"{{{_SE}}}Graphic"), f"{{{_SE}}}Size").text = "8"


def style_sld(style: LayerStyle) -> str:
    """The OGC SLD 1.1 document of `style`: a rule per category (empty values: an else rule)."""
    ET.register_namespace("", _SLD)
    ET.register_namespace("se", _SE)
    ET.register_namespace("ogc", _OGC)
    root = ET.Element(f"{{{_SLD}}}StyledLayerDescriptor", version="1.1.0")
    named = ET.SubElement(root, f"{{{_SLD}}}NamedLayer")
    ET.SubElement(named, f"{{{_SE}}}Name").text = style.layer
    user = ET.SubElement(named, f"{{{_SLD}}}UserStyle")
    ET.SubElement(user, f"{{{_SE}}}Name").text = style.layer
    fts = ET.SubElement(user, f"{{{_SE}}}FeatureTypeStyle")
    rules = style.categories if style.field else (("", "", DEFAULT_COLOR),)
    for value, label, color in rules:
        rule = ET.SubElement(fts, f"{{{_SE}}}Rule")
        ET.SubElement(rule, f"{{{_SE}}}Name").text = label or style.layer
        desc = ET.SubElement(rule, f"{{{_SE}}}Description")
        ET.SubElement(desc, f"{{{_SE}}}Title").text = label or style.layer
        if style.field and value:
            flt = ET.SubElement(ET.SubElement(rule, f"{{{_OGC}}}Filter"), f"{{{_OGC}}}PropertyIsEqualTo")
            ET.SubElement(flt, f"{{{_OGC}}}PropertyName").text = style.field
            ET.SubElement(flt, f"{{{_OGC}}}Literal").text = value
        elif style.field:
            ET.SubElement(rule, f"{{{_SE}}}ElseFilter")
        _symbolizer(rule, style.kind, color)
    if style.label_field:
        rule = ET.SubElement(fts, f"{{{_SE}}}Rule")
        ts = ET.SubElement(rule, f"{{{_SE}}}TextSymbolizer")
        ET.SubElement(ET.SubElement(ts, f"{{{_SE}}}Label"), f"{{{_OGC}}}PropertyName").text = style.label_field
        _svg_params(ts, "Font", {"font-family": "Sans Serif", "font-size": "11"})
        halo = ET.SubElement(ts, f"{{{_SE}}}Halo")
        ET.SubElement(halo, f"{{{_SE}}}Radius").text = "1.5"
        _svg_params(halo, "Fill", {"fill": "#ffffff"})
        _svg_params(ts, "Fill", {"fill": "#222222"})
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


# ================================================================================ GeoPackage


def write_layer_styles(gpkg: str | Path, styles: Iterable[LayerStyle], geometry_column: str = "geom") -> int:
    """Add (or replace) the default QGIS style of each layer in the ``layer_styles`` table of
    GeoPackage `gpkg`, creating and registering the table if needed. Returns the rows written.

    The table is registered in ``gpkg_contents`` as an ``attributes`` table, as QGIS and GDAL
    do, so that GDAL-based readers list it.
    """
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"
    styles = list(styles)
    con = sqlite3.connect(str(gpkg))
    try:
        with con:
            con.execute(_CREATE)
            con.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description, "
                        "last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', '', ?)", (now,))
            for s in styles:
                geom = _geometry_column(con, s.layer) or geometry_column
                con.execute("DELETE FROM layer_styles WHERE f_table_name = ? AND styleName = ?", (s.layer, _STYLE_NAME))
                con.execute("UPDATE layer_styles SET useAsDefault = 0 WHERE f_table_name = ?", (s.layer,))
                con.execute(
                    "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
                    "styleName, styleQML, styleSLD, useAsDefault, description, owner, ui, update_time) "
                    "VALUES ('', '', ?, ?, ?, ?, ?, 1, ?, '', NULL, ?)",
                    (s.layer, geom, _STYLE_NAME, style_qml(s), style_sld(s),
                     f"ino-geo: {s.field + ' categories' if s.field else 'single symbol'}, labels on "
                     f"{s.label_field or '(none)'}", now))
    finally:
        con.close()
    return len(styles)


def _geometry_column(con: sqlite3.Connection, table: str) -> str | None:
    row = con.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (table,)).fetchone()
    return row[0] if row else None
