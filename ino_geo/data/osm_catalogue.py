"""The ``catalogue.toml`` of a layers folder built from OpenStreetMap.

The layers keep the columns of the shipped catalogue (park types with their labels and
colours are copied from it, never restated here), with what OSM data needs on top: a
boundary's population may be missing (the ``population`` tag is optional in OSM), corridors
carry ``oneway``, ``highway``, ``osm_id``, ``length_m`` and ``tunnel``, and there is a ``places``
layer of settlements. The extent is the data's, the metric CRS its estimated UTM zone.

Examples
--------
>>> print(toml_value({"a": [1, "x"], "b": True}))
{ a = [1, "x"], b = true }
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ino_geo.data.catalogue import Catalogue, ColumnSpec, LayerSpec

__all__ = ["catalogue_toml", "toml_value", "PLACES_COLUMNS"]

_LAYER_META = {
    "parks": ("Parks (OpenStreetMap)", "Areas of the six park types by the tag mapping of ino_geo/data/osm_layers.toml."),
    "corridors": ("Roads (OpenStreetMap)", "The drive network, one line per stretch between intersections."),
    "river": ("Rivers (OpenStreetMap)", "River water polygons (natural=water + water=river, waterway=riverbank)."),
    "boundaries": ("Administrative boundaries (OpenStreetMap)",
                   "boundary=administrative by admin_level, with the population tag where present."),
    "places": ("Settlements (OpenStreetMap)", "place=city|town|village|hamlet, with population tags where present."),
}

#: Columns of the places layer: name -> column properties (as in a catalogue file).
PLACES_COLUMNS: dict[str, dict[str, Any]] = {
    "place_id": {"type": "str", "unique": True},
    "name": {"type": "str"},
    "name_ru": {"type": "str", "description": "Russian name (name:ru), else the name."},
    "place": {"type": "str", "required": False, "description": "OSM place value: city, town, village, hamlet."},
    "population": {"type": "int", "nullable": True, "min": 0, "description": "OSM population tag."},
    "population_year": {"type": "int", "nullable": True, "min": 1900, "max": 2100,
                        "description": "Year of population:date or source:population, if given."},
}

_CORRIDOR_EXTRA: dict[str, dict[str, Any]] = {
    "oneway": {"type": "int", "required": False, "nullable": True, "allowed": [-1, 0, 1],
               "description": "1: only in the digitised direction; -1: only against it; 0: both ways."},
    "highway": {"type": "str", "required": False, "nullable": True, "description": "OSM highway value."},
    "osm_id": {"type": "int", "required": False, "nullable": True, "description": "OSM way id."},
    "length_m": {"type": "float", "required": False, "nullable": True, "min": 0,
                 "description": "Geodesic length, metres."},
    "tunnel": {"type": "bool", "required": False, "nullable": True},
}


def toml_value(v: Any) -> str:
    """A TOML literal for a str, number, bool, list or dict (inline table)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        if isinstance(v, float) and not math.isfinite(v):
            raise ValueError(f"not a finite number: {v}")
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{json.dumps(str(k))} = {toml_value(x)}" if not str(k).isidentifier()
                                  else f"{k} = {toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"no TOML form for {type(v).__name__}")


def _column_props(c: "ColumnSpec") -> dict[str, Any]:
    props: dict[str, Any] = {"type": c.type}
    for key, default in (("required", True), ("nullable", False), ("unique", False)):
        if getattr(c, key) != default:
            props[key] = getattr(c, key)
    if c.allowed is not None:
        props["allowed"] = list(c.allowed)
    for key in ("min", "max"):
        if getattr(c, key) is not None:
            props[key] = getattr(c, key)
    for key in ("description", "label", "label_ru", "labels", "labels_ru", "colors"):
        if getattr(c, key):
            props[key] = getattr(c, key)
    return props


def _layer_block(name: str, file: str, geometry, id_col: str | None, columns: dict[str, dict]) -> list[str]:
    title, desc = _LAYER_META[name]
    lines = ["", f"[layers.{name}]", f"file = {toml_value(file)}", f"geometry = {toml_value(list(geometry))}"]
    if id_col:
        lines.append(f"id = {toml_value(id_col)}")
    lines += [f"title = {toml_value(title)}", f"description = {toml_value(desc)}",
              'source = "OpenStreetMap contributors (https://www.openstreetmap.org/copyright); source per feature."',
              'licence = "ODbL 1.0"']
    for cname, props in columns.items():
        lines.append(f"[layers.{name}.columns.{toml_value(cname) if not cname.isidentifier() else cname}]")
        lines += [f"{k} = {toml_value(v)}" for k, v in props.items()]
    return lines


def _columns(spec: "LayerSpec", common: set[str]) -> dict[str, dict]:
    return {n: _column_props(c) for n, c in spec.columns.items() if n not in common}


def catalogue_toml(shipped: "Catalogue", frames: dict, title: str) -> str:
    """The catalogue text for the OSM layers `frames` (name -> GeoDataFrame in EPSG:4326)."""
    import geopandas as gpd
    import pandas as pd

    from ino_geo.crs import metric_crs_for

    allgeom = gpd.GeoDataFrame(geometry=pd.concat([f.geometry for f in frames.values()], ignore_index=True),
                               crs="EPSG:4326")
    b = allgeom.total_bounds
    pad = 0.01
    extent = [max(-180.0, b[0] - pad), max(-90.0, b[1] - pad), min(180.0, b[2] + pad), min(90.0, b[3] + pad)]
    extent = [round(float(v), 4) for v in extent]
    common = {"source", "accuracy_m"}
    lines = ["# Layers built from an OpenStreetMap extract by `ino-geo layers from-osm`.",
             "# Data (c) OpenStreetMap contributors, ODbL 1.0. Tag mapping: ino_geo/data/osm_layers.toml.",
             "", "[catalogue]", f"name = {toml_value(title)}", 'crs = "EPSG:4326"',
             f"metric_crs = {toml_value(metric_crs_for(allgeom))}", f"extent = {toml_value(extent)}",
             'licence = "ODbL 1.0: OpenStreetMap contributors (https://www.openstreetmap.org/copyright)"',
             "", "[common.columns.source]", 'type = "str"',
             'description = "The OpenStreetMap object: OpenStreetMap contributors, ODbL; way|relation|node ID."',
             "", "[common.columns.accuracy_m]", 'type = "float"', "min = 0",
             'description = "Estimated horizontal accuracy, metres (estimates in ino_geo/data/osm_layers.toml)."']
    for name in frames:
        if name == "places":
            lines += _layer_block("places", "places.geojson", ["Point"], "place_id", PLACES_COLUMNS)
            continue
        spec = shipped[name]
        cols = _columns(spec, common)
        if name == "boundaries":
            for key in ("population", "population_year", "population_source"):
                cols[key] = dict(cols[key], nullable=True)
            cols["level"]["description"] = "municipality or district, from admin_level (osm_layers.toml)."
        if name == "corridors":
            cols.update(_CORRIDOR_EXTRA)
        lines += _layer_block(name, f"{name}.geojson", spec.geometry, spec.id, cols)
    return "\n".join(lines) + "\n"
