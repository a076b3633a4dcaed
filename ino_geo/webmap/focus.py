"""A map focused on one boundary (``--focus``): which boundary, its extent and what is shown.

:func:`resolve_focus` finds the boundary by id or name (any case; English or Russian name);
an unknown one is a :class:`~ino_geo._errors.UsageError` listing the choices. The map then opens
on the boundary, adds its name to the title, and shows the features within
:data:`ino_geo.defaults.FOCUS_MARGIN_M` of it (lines and polygons clipped there).

Examples
--------
>>> import geopandas as gpd
>>> from shapely import box
>>> b = gpd.GeoDataFrame({"boundary_id": ["seversk"], "name": ["Seversk"]},
...                      geometry=[box(84.8, 56.5, 85.0, 56.7)], crs=4326)
>>> resolve_focus({"boundaries": b}, "SEVERSK").name
'Seversk'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ino_geo import defaults
from ino_geo._errors import DataError, UsageError

__all__ = ["Focus", "resolve_focus"]


@dataclass(frozen=True)
class Focus:
    """The focus boundary: id, names, its outline and the area shown (outline + margin), EPSG:4326."""

    id: str
    name: str
    name_ru: str
    outline: Any
    area: Any

    def title(self, lang: str = "en") -> str:
        return self.name_ru if lang == "ru" and self.name_ru else self.name

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return tuple(float(v) for v in self.outline.bounds)  # type: ignore[return-value]


def resolve_focus(layers: Any, key: str, margin_m: float = defaults.FOCUS_MARGIN_M) -> Focus:
    """The boundary `key` (its ``boundary_id`` or name, case-insensitive) of the boundaries layer."""
    import shapely

    from ino_geo.webmap.frames import as_storage, metric_crs

    try:
        b = layers["boundaries"]
    except (KeyError, TypeError, AttributeError):
        b = getattr(layers, "boundaries", None)
    if b is None or not len(b):
        raise DataError("--focus needs the boundaries layer, which the layers do not have")
    b = as_storage(b, "boundaries")
    want = str(key).strip().casefold()
    cols = [c for c in ("boundary_id", "name", "name_ru") if c in b.columns]
    for _, row in b.iterrows():
        if any(isinstance(row[c], str) and row[c].strip().casefold() == want for c in cols):
            crs = metric_crs(b)
            import geopandas as gpd

            g = gpd.GeoSeries([row.geometry], crs=b.crs)
            area = g.to_crs(crs).buffer(margin_m).to_crs("EPSG:4326").iloc[0]
            ru = row["name_ru"] if "name_ru" in b.columns and isinstance(row["name_ru"], str) else ""
            return Focus(id=str(row.get("boundary_id", key)), name=str(row.get("name", key)), name_ru=ru,
                         outline=row.geometry, area=shapely.make_valid(area))
    choices = ", ".join(f"{r.boundary_id} ({r.name})" for r in b.itertuples()) if "boundary_id" in b.columns else ""
    raise UsageError(f"--focus {key!r}: no such boundary; choose one of: {choices}")
