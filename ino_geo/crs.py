"""Coordinate reference systems: the storage CRS, the metric CRS and the gate between them.

Layers are stored in EPSG:4326 (longitude, latitude). Every distance, area and buffer is
computed in a projected metric CRS: UTM zone 45N (EPSG:32645) for Tomsk, or the UTM zone
estimated from the data elsewhere. Functions that measure call :func:`require_projected`
first, so that a distance is never computed in degrees.
"""

from __future__ import annotations

import math

from typing import TYPE_CHECKING, Any

from ino_geo._errors import DataError

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = [
    "STORAGE_CRS",
    "METRIC_CRS",
    "is_projected",
    "require_projected",
    "metric_crs_for",
    "to_metric",
]

STORAGE_CRS = "EPSG:4326"
METRIC_CRS = "EPSG:32645"  # WGS 84 / UTM zone 45N: Tomsk lies at 84.95 E, zone 45 spans 84-90 E


def is_projected(crs: Any) -> bool:
    """Tell whether `crs` is a projected CRS measured in metres.

    Parameters
    ----------
    crs : anything pyproj.CRS.from_user_input accepts, or None

    Returns
    -------
    bool
        True for a projected CRS whose axis unit is the metre; False for a geographic CRS,
        for None and for a projected CRS in other units (feet).

    Examples
    --------
    >>> is_projected("EPSG:32645"), is_projected("EPSG:4326"), is_projected(None)
    (True, False, False)
    """
    if crs is None:
        return False
    from pyproj import CRS

    crs = CRS.from_user_input(crs)
    if not crs.is_projected:
        return False
    units = {(a.unit_name or "").lower() for a in crs.axis_info}
    return units <= {"metre", "meter"}


def require_projected(gdf: "gpd.GeoDataFrame", what: str = "input") -> None:
    """Raise :class:`DataError` unless `gdf` is in a projected metric CRS."""
    if not is_projected(gdf.crs):
        raise DataError(
            f"{what}: CRS {gdf.crs.to_string() if gdf.crs else 'missing'} is not a projected metric CRS; "
            "distances are never computed in degrees (reproject with ino_geo.to_metric)"
        )


def metric_crs_for(gdf: "gpd.GeoDataFrame") -> str:
    """The metric CRS for the data.

    In order: the data's own CRS if it is projected in metres; the metric CRS of the
    catalogue the data was read with (``gdf.attrs["metric_crs"]``, set by the loader from
    ``metric_crs`` in ``catalogue.toml``) when the data lies within the catalogue's extent;
    EPSG:32645 for empty data; else the UTM zone of the data's centre.

    Parameters
    ----------
    gdf : GeoDataFrame
        Data with a CRS.

    Returns
    -------
    str
        An ``EPSG:`` code.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> g = gpd.GeoDataFrame(geometry=[Point(84.95, 56.48)], crs="EPSG:4326")
    >>> metric_crs_for(g)
    'EPSG:32645'
    >>> g.attrs.update(metric_crs="EPSG:3576", metric_crs_extent=(83.5, 55.9, 86.8, 57.5))
    >>> metric_crs_for(g)
    'EPSG:3576'
    """
    if gdf.crs is None:
        raise DataError("cannot choose a metric CRS: the data has no CRS")
    if is_projected(gdf.crs):
        return gdf.crs.to_string()
    if gdf.empty or gdf.geometry.is_empty.all():
        return _catalogue_metric_crs(gdf, None) or METRIC_CRS
    lon_min, lat_min, lon_max, lat_max = bounds = gdf.to_crs(STORAGE_CRS).total_bounds
    lon = (lon_min + lon_max) / 2.0
    lat = (lat_min + lat_max) / 2.0
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise DataError("cannot choose a metric CRS: the data has no finite coordinates (missing geometries, "
                        "NaN or infinity)")
    from_catalogue = _catalogue_metric_crs(gdf, bounds)
    if from_catalogue:
        return from_catalogue
    zone = int((lon + 180.0) // 6.0) % 60 + 1
    code = (32600 if lat >= 0 else 32700) + zone
    return f"EPSG:{code}"


def _catalogue_metric_crs(gdf: "gpd.GeoDataFrame", bounds: Any) -> str | None:
    """The catalogue's metric CRS carried by `gdf` (see :func:`metric_crs_for`), if the data
    lies within the catalogue's extent (`bounds`: lon/lat bounds; None for empty data)."""
    crs = gdf.attrs.get("metric_crs") if isinstance(getattr(gdf, "attrs", None), dict) else None
    if not crs or not is_projected(crs):
        return None
    extent = gdf.attrs.get("metric_crs_extent")
    if extent is None or bounds is None:
        return str(crs)
    inside = (bounds[0] >= extent[0] and bounds[1] >= extent[1] and bounds[2] <= extent[2]
              and bounds[3] <= extent[3])
    return str(crs) if inside else None


def to_metric(gdf: "gpd.GeoDataFrame", crs: Any | None = None) -> "gpd.GeoDataFrame":
    """Return `gdf` in a projected metric CRS (`crs`, or :func:`metric_crs_for` the data).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> g = gpd.GeoDataFrame(geometry=[Point(84.95, 56.48)], crs="EPSG:4326")
    >>> to_metric(g).crs.to_epsg()
    32645
    """
    if gdf.crs is None:
        raise DataError("cannot reproject: the data has no CRS")
    target = crs if crs is not None else metric_crs_for(gdf)
    if not is_projected(target):
        raise DataError(f"{target} is not a projected metric CRS")
    return gdf.to_crs(target)
