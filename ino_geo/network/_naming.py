"""How error messages name a layer, a record and a geometry type (network and analysis share it).

>>> geometry_type_name(3), geometry_type_name(-1)
('Polygon', 'missing geometry')
"""

from __future__ import annotations

from typing import Any

__all__ = ["label", "record_ref", "geometry_type_name"]

_TYPE_NAMES = {0: "Point", 1: "LineString", 2: "LinearRing", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString",
               6: "MultiPolygon", 7: "GeometryCollection", -1: "missing geometry"}


def label(gdf: Any, what: str) -> str:
    """`what`, with the file it was read from when known (``gdf.attrs["source_file"]``)."""
    src = getattr(gdf, "attrs", {}).get("source_file") if gdf is not None else None
    return f"{what} {src}" if src else what


def record_ref(gdf: Any, i: int, id_col: str | None) -> str:
    """`` (id_col=value)`` naming record `i` by its identifier, or ``""`` without one."""
    return f" ({id_col}={gdf[id_col].iloc[i]})" if id_col and id_col in gdf.columns else ""


def geometry_type_name(type_id: Any) -> Any:
    """The name of a ``shapely.get_type_id`` value (the value itself if unknown)."""
    return _TYPE_NAMES.get(int(type_id), type_id)
