"""The one helpers module of the layer build steps in ``layers/src`` (run by ``rebuild.py``).

All geometry construction happens in EPSG:32645 (WGS 84 / UTM 45N, metres). Source vertex
lists in the build scripts are written as (longitude, latitude) in EPSG:4326 because that is
how the public references quote them; they are projected to UTM before any buffer, clip or
grid operation and converted back to EPSG:4326 only when a layer is written.

Layers are written as RFC 7946 GeoJSON: EPSG:4326, longitude-latitude order, coordinates
rounded to 6 decimals (about 0.1 m), no ``crs`` member, counter-clockwise exterior rings.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Iterable, Sequence

import shapely
from pyproj import Transformer
from shapely.geometry import mapping
from shapely.ops import transform

__all__ = [
    "LAYERS_DIR",
    "METRIC_CRS",
    "to_utm",
    "to_wgs",
    "pt_utm",
    "line_utm",
    "write_geojson",
    "exact_feature",
    "write_collection",
    "read_geojson",
]

LAYERS_DIR = Path(__file__).resolve().parents[1]
METRIC_CRS = "EPSG:32645"

_FWD = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
_INV = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)


def to_utm(geom: Any) -> Any:
    """Project a shapely geometry from EPSG:4326 (lon, lat) to EPSG:32645 (metres)."""
    return transform(_FWD.transform, geom)


def to_wgs(geom: Any) -> Any:
    """Project a shapely geometry from EPSG:32645 back to EPSG:4326 (lon, lat)."""
    return transform(_INV.transform, geom)


def pt_utm(lon: float, lat: float) -> tuple[float, float]:
    """Project one (lon, lat) pair to UTM 45N metres."""
    x, y = _FWD.transform(lon, lat)
    return (x, y)


def line_utm(coords: Sequence[tuple[float, float]]) -> shapely.LineString:
    """A UTM LineString from a list of (lon, lat) vertices."""
    return shapely.LineString([pt_utm(lon, lat) for lon, lat in coords])


def _round_coords(obj: Any, nd: int = 6) -> Any:
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(v), nd) for v in obj]
        return [_round_coords(o, nd) for o in obj]
    return obj


def _clean_ring_dupes(geom_json: dict) -> dict:
    """Drop consecutive duplicate vertices that rounding to 6 decimals may create."""

    def dedupe(coords: list) -> list:
        out: list = []
        for c in coords:
            if not out or c != out[-1]:
                out.append(c)
        return out

    t = geom_json["type"]
    c = geom_json["coordinates"]
    if t == "LineString":
        geom_json["coordinates"] = dedupe(c)
    elif t == "MultiLineString":
        geom_json["coordinates"] = [dedupe(p) for p in c]
    elif t == "Polygon":
        geom_json["coordinates"] = [dedupe(r) for r in c]
    elif t == "MultiPolygon":
        geom_json["coordinates"] = [[dedupe(r) for r in p] for p in c]
    return geom_json


def write_geojson(path: Path, features: Iterable[tuple[Any, dict]], name: str) -> int:
    """Write (EPSG:4326 geometry, properties) pairs as RFC 7946 GeoJSON; return the count.

    Polygons are snapped to the 1e-6 degree grid (so that rounding cannot create
    self-intersections), oriented (exterior counter-clockwise) and checked for validity after
    rounding; an invalid geometry raises ValueError naming the feature.
    """
    feats = []
    for geom, props in features:
        if geom.geom_type in ("Polygon", "MultiPolygon"):
            # snap to the 1e-6 degree grid of the output so that rounding cannot create
            # self-intersections; shared edges of neighbouring polygons snap identically
            geom = shapely.set_precision(shapely.make_valid(geom), 1e-6)
            if geom.geom_type == "GeometryCollection":
                geom = shapely.MultiPolygon([g for g in geom.geoms
                                             if g.geom_type == "Polygon"])
            geom = shapely.orient_polygons(geom)
        gj = _clean_ring_dupes({"type": geom.geom_type,
                                "coordinates": _round_coords(mapping(geom)["coordinates"])})
        check = shapely.geometry.shape(gj)
        if not check.is_valid:
            raise ValueError(f"{name}: feature {props} is invalid after rounding: "
                             f"{shapely.is_valid_reason(check)}")
        clean = {}
        for k, v in props.items():
            if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
                v = None
            clean[k] = v
        feats.append({"type": "Feature", "properties": clean, "geometry": gj})
    write_collection(path, name, feats)
    return len(feats)


def exact_feature(geom: Any, props: dict, name: str) -> dict:
    """A GeoJSON feature of an EPSG:4326 point or polygon drawn vertex by vertex (the sites
    and parks): rounded to 6 decimals and oriented, without snapping; ValueError if the
    polygon is invalid or a ring not closed after rounding."""
    if geom.geom_type == "Polygon":
        geom = shapely.orient_polygons(geom)  # exterior counter-clockwise (RFC 7946)
    gj = _clean_ring_dupes({"type": geom.geom_type, "coordinates": _round_coords(mapping(geom)["coordinates"])})
    if gj["type"] == "Polygon":
        check = shapely.geometry.shape(gj)
        if not check.is_valid:
            raise ValueError(f"{name}: {props.get('park_id')}: geometry invalid after rounding: "
                             f"{shapely.is_valid_reason(check)}")
        for ring in gj["coordinates"]:
            if ring[0] != ring[-1] or len(ring) < 4:
                raise ValueError(f"{name}: {props.get('park_id')}: ring not closed")
    return {"type": "Feature", "properties": props, "geometry": gj}


def write_collection(path: Path, name: str, feats: list[dict]) -> None:
    """Write GeoJSON features as a FeatureCollection (compact, UTF-8), replacing `path` whole."""
    fc = {"type": "FeatureCollection", "name": name, "features": feats}
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(fc, ensure_ascii=False, separators=(",", ":")) + "\n",
                   encoding="utf-8")
    tmp.replace(path)


def read_geojson(path: Path) -> list[tuple[Any, dict]]:
    """Read a GeoJSON FeatureCollection as (shapely geometry in EPSG:4326, properties)."""
    fc = json.loads(path.read_text(encoding="utf-8"))
    return [(shapely.geometry.shape(f["geometry"]), f["properties"]) for f in fc["features"]]
