"""Repairing invalid geometries, only when asked, and saying what changed.

:func:`repair_geometries` runs ``shapely.make_valid`` on the invalid geometries of a layer,
keeps the parts of the layer's own dimension (a repaired polygon stays polygonal; slivers of
lower dimension that make_valid may return are dropped) and reports every change. It never
runs silently: the CLI calls it for ``ino-geo layers validate --fix -o PATH`` only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

__all__ = ["repair_geometries"]

_DIM = {"Point": 0, "MultiPoint": 0, "LineString": 1, "MultiLineString": 1, "LinearRing": 1,
        "Polygon": 2, "MultiPolygon": 2}


def repair_geometries(gdf: "gpd.GeoDataFrame", id_column: str | None = None) -> tuple["gpd.GeoDataFrame", "pd.DataFrame"]:
    """Repair the invalid geometries of `gdf` with ``shapely.make_valid``.

    Parameters
    ----------
    gdf : GeoDataFrame
    id_column : str, optional
        A column that names records in the report.

    Returns
    -------
    (GeoDataFrame, DataFrame)
        The repaired copy, and one row per changed record: ``record``, ``id``, ``reason``
        (shapely's validity reason), ``before``/``after`` geometry types, ``parts_dropped``
        (lower-dimension pieces removed), and for polygons ``area_m2_after`` (square metres,
        computed in a metric CRS when `gdf` is geographic).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Polygon
    >>> bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    >>> fixed, report = repair_geometries(gpd.GeoDataFrame(geometry=[bowtie], crs="EPSG:32645"))
    >>> fixed.geometry[0].geom_type, round(fixed.geometry[0].area, 6), report.reason[0][:17]
    ('MultiPolygon', 2.0, 'Self-intersection')
    """
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    from ino_geo.crs import is_projected, metric_crs_for

    out = gdf.copy()
    geoms = np.asarray(out.geometry.values, dtype=object)
    present = ~pd.isna(geoms)
    check = present.copy()
    check[present] = ~shapely.is_empty(geoms[present])
    bad = np.zeros(len(geoms), dtype=bool)
    bad[check] = ~shapely.is_valid(geoms[check])
    rows = []
    if bad.any():
        idx = np.flatnonzero(bad)
        reasons = shapely.is_valid_reason(geoms[idx])
        fixed = shapely.make_valid(geoms[idx])
        for k, i in enumerate(idx):
            before = geoms[i]
            dim = _DIM.get(before.geom_type, 2)
            parts = shapely.get_parts(fixed[k])
            keep = [g for g in parts if _DIM.get(g.geom_type, -1) == dim and not g.is_empty]
            dropped = len(parts) - len(keep)
            if not keep:
                after = shapely.from_wkt("POLYGON EMPTY" if dim == 2 else ("LINESTRING EMPTY" if dim == 1 else "POINT EMPTY"))
            elif len(keep) == 1:
                after = keep[0]
            else:
                after = {2: shapely.multipolygons, 1: shapely.multilinestrings, 0: shapely.multipoints}[dim](keep)
            geoms[i] = after
            rows.append({
                "record": int(i),
                "id": None if id_column is None else out[id_column].iloc[i],
                "reason": reasons[k],
                "before": before.geom_type,
                "after": after.geom_type if not after.is_empty else "empty",
                "parts_dropped": dropped,
            })
    out[out.geometry.name] = gpd.GeoSeries(list(geoms), index=out.index, crs=out.crs)
    report = pd.DataFrame(rows, columns=["record", "id", "reason", "before", "after", "parts_dropped"])
    if rows and dim_of(out) == 2:
        metric = out.crs if (out.crs is None or is_projected(out.crs)) else metric_crs_for(out)
        fixed_rows = out.iloc[report.record.to_numpy()]
        report["area_m2_after"] = (fixed_rows.to_crs(metric) if out.crs is not None else fixed_rows).area.round(1).to_numpy()
    return out, report


def dim_of(gdf: "gpd.GeoDataFrame") -> int:
    """The highest geometry dimension in `gdf` (-1 when empty)."""
    dims = [_DIM.get(t, -1) for t in gdf.geom_type.dropna().unique()]
    return max(dims, default=-1)
