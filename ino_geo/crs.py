"""Coordinate reference systems: the storage CRS, the metric CRS and the gate between them.

Layers are stored in EPSG:4326 (longitude, latitude). Every distance, area and buffer is
computed in a projected metric CRS: UTM zone 45N (EPSG:32645) for Tomsk, or the UTM zone
estimated from the data elsewhere. Functions that measure call :func:`require_projected`
first, so that a distance is never computed in degrees.
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any

from ino_geo._errors import DataError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = [
    "STORAGE_CRS",
    "METRIC_CRS",
    "is_projected",
    "require_projected",
    "metric_crs_for",
    "to_metric",
    "scale_error",
    "MAX_SCALE_ERROR",
]

log = logging.getLogger("ino_geo")

#: The largest scale error (relative, over the data's extent) a CRS may have for metric work:
#: 0.1 %. Web Mercator at Tomsk's latitude has 79 %; UTM within its zone at most ~0.1 %.
MAX_SCALE_ERROR = 1e-3

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


def scale_error(crs: Any, bounds_lonlat: tuple[float, float, float, float], samples: int = 5) -> float:
    """The largest relative scale error of `crs` over a lon/lat box, e.g. ``0.79`` for 79 %.

    Measured with pyproj's ``Proj.get_factors`` (meridional and parallel scale) on a
    `samples` x `samples` grid over the box: ``max(|scale - 1|)``.

    Examples
    --------
    >>> tomsk = (84.7, 56.3, 85.2, 56.7)
    >>> scale_error("EPSG:32645", tomsk) < 1e-3
    True
    >>> round(scale_error("EPSG:3857", tomsk), 2)  # Web Mercator at 56.7 N: 1 / cos(lat) - 1
    0.82
    """
    import numpy as np
    from pyproj import CRS, Proj

    lon_min, lat_min, lon_max, lat_max = bounds_lonlat
    lon_min, lon_max = max(lon_min, -180.0), min(lon_max, 180.0)
    lat_min, lat_max = max(lat_min, -89.0), min(lat_max, 89.0)
    lons, lats = np.meshgrid(np.linspace(lon_min, lon_max, samples), np.linspace(lat_min, lat_max, samples))
    try:
        f = Proj(CRS.from_user_input(crs)).get_factors(lons.ravel(), lats.ravel())
    except Exception:  # pyproj cannot evaluate this projection: treat as unusable
        return math.inf
    err = np.concatenate([np.abs(np.asarray(f.meridional_scale) - 1.0), np.abs(np.asarray(f.parallel_scale) - 1.0)])
    err = err[np.isfinite(err)]
    return float(err.max()) if err.size else math.inf


def _lonlat_bounds(gdf: "gpd.GeoDataFrame", native: tuple | None = None) -> tuple[float, float, float, float]:
    bounds = tuple(float(v) for v in (gdf.total_bounds if native is None else native))
    if all(math.isfinite(v) for v in bounds):
        try:  # the box's outline (densified), not every vertex: cheap on large layers
            from pyproj import Transformer

            t = Transformer.from_crs(gdf.crs, STORAGE_CRS, always_xy=True)
            out = t.transform_bounds(*bounds, densify_pts=21)
            if all(math.isfinite(v) for v in out):
                return tuple(float(v) for v in out)  # type: ignore[return-value]
        except Exception:  # pragma: no cover - pyproj cannot: every vertex then
            pass
    lon_min, lat_min, lon_max, lat_max = gdf.to_crs(STORAGE_CRS).total_bounds
    if not all(math.isfinite(v) for v in (lon_min, lat_min, lon_max, lat_max)):
        raise DataError("cannot choose a metric CRS: the data has no finite coordinates (missing geometries, "
                        "NaN or infinity)")
    return float(lon_min), float(lat_min), float(lon_max), float(lat_max)


def _utm_for(bounds: tuple[float, float, float, float]) -> str:
    lon = (bounds[0] + bounds[2]) / 2.0
    lat = (bounds[1] + bounds[3]) / 2.0
    zone = int((lon + 180.0) // 6.0) % 60 + 1
    return f"EPSG:{(32600 if lat >= 0 else 32700) + zone}"


def metric_crs_for(gdf: "gpd.GeoDataFrame", crs: Any | None = None, *,
                   native_bounds: tuple[float, float, float, float] | None = None) -> str:
    """The metric CRS for the data: projected, in metres, with a scale error of at most
    :data:`MAX_SCALE_ERROR` (0.1 %) over the data's extent.

    The candidate, in order: `crs` if given (a projected CRS in metres, else DataError); the
    data's own CRS if it is projected in metres; the metric CRS of the catalogue the data was
    read with (``gdf.attrs["metric_crs"]``, set by the loader from ``metric_crs`` in
    ``catalogue.toml``) when the data lies within the catalogue's extent; EPSG:32645 for empty
    data; else the UTM zone of the data's centre. A candidate whose scale error over the
    data's extent exceeds 0.1 % (Web Mercator, a UTM zone far from the data, ...) is replaced
    by the UTM zone of the data's centre, logged at INFO on the ``ino_geo`` logger.

    Parameters
    ----------
    gdf : GeoDataFrame
        Data with a CRS.
    crs : CRS-like, optional
        The CRS asked for.
    native_bounds : (minx, miny, maxx, maxy), optional
        ``gdf.total_bounds`` if already known (in the data's CRS, every geometry non-empty and
        finite, as :func:`ino_geo.analysis._inputs.check_geometries` ensures): not computed again.

    Returns
    -------
    str
        An ``EPSG:`` code (or the PROJ string of a CRS without one).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point
    >>> g = gpd.GeoDataFrame(geometry=[Point(84.95, 56.48)], crs="EPSG:4326")
    >>> metric_crs_for(g)
    'EPSG:32645'
    >>> metric_crs_for(g.to_crs(3857))  # Web Mercator: 79 % too long at Tomsk
    'EPSG:32645'
    >>> g.attrs.update(metric_crs="EPSG:32644", metric_crs_extent=(83.5, 55.9, 86.8, 57.5))
    >>> metric_crs_for(g)
    'EPSG:32644'
    """
    if not hasattr(gdf, "crs") or not hasattr(gdf, "geometry"):
        raise UsageError(f"metric_crs_for: expected a GeoDataFrame, got {type(gdf).__name__}")
    if gdf.crs is None:
        raise DataError("cannot choose a metric CRS: the data has no CRS")
    empty = gdf.empty or (native_bounds is None and gdf.geometry.is_empty.all())
    if crs is not None:
        if not is_projected(crs):
            raise DataError(f"crs {crs}: not a projected metric CRS")
        candidate = _crs_string(crs)
    elif is_projected(gdf.crs):
        candidate = gdf.crs.to_string()
    elif empty:
        return _catalogue_metric_crs(gdf, None) or METRIC_CRS
    else:
        candidate = None
    if empty:
        return candidate  # type: ignore[return-value]
    bounds = _lonlat_bounds(gdf, native_bounds)
    if candidate is None:
        candidate = _catalogue_metric_crs(gdf, bounds) or _utm_for(bounds)
    return _small_scale_error(candidate, bounds)


def _small_scale_error(candidate: str, bounds: tuple[float, float, float, float]) -> str:
    """`candidate`, or the UTM zone of `bounds` if its scale error there exceeds 0.1 %."""
    err = scale_error(candidate, bounds)
    if err <= MAX_SCALE_ERROR:
        return candidate
    utm = _utm_for(bounds)
    log.info("CRS %s has a scale error of %.2g %% over the data (lon %.4g..%.4g, lat %.4g..%.4g); "
             "measuring in %s instead", candidate, err * 100, bounds[0], bounds[2], bounds[1], bounds[3], utm)
    return utm


def _crs_string(crs: Any) -> str:
    from pyproj import CRS

    c = CRS.from_user_input(crs)
    code = c.to_epsg()
    return f"EPSG:{code}" if code else c.to_string()


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
