"""Exporting layers to files: GeoPackage, GeoJSON, GeoParquet, FlatGeobuf, Shapefile."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ino_geo._errors import UsageError
from ino_geo.data.io import atomic_path, driver_for

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["export_layers", "FORMAT_EXTENSIONS"]

FORMAT_EXTENSIONS = {"gpkg": ".gpkg", "geojson": ".geojson", "parquet": ".parquet", "fgb": ".fgb", "shp": ".shp"}


def export_layers(
    frames: dict[str, "gpd.GeoDataFrame"],
    path: str | os.PathLike,
    *,
    fmt: str | None = None,
    overwrite: bool = False,
) -> tuple[Path, dict[str, int]]:
    """Write layers to one file, atomically (a temporary file renamed into place).

    Parameters
    ----------
    frames : dict of name -> GeoDataFrame
        Several layers only for GeoPackage (one layer per name).
    path : str or PathLike
    fmt : {'gpkg', 'geojson', 'parquet', 'fgb', 'shp'}, optional
        Default: from the extension of `path`.
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    (Path, dict)
        The path written and the record count per layer.
    """
    p = Path(path)
    if fmt is not None:
        ext = FORMAT_EXTENSIONS[fmt]
        if p.suffix.lower() != ext and not (fmt == "geojson" and p.suffix.lower() == ".json") and not (
            fmt == "parquet" and p.suffix.lower() == ".geoparquet"
        ):
            raise UsageError(f"{p}: extension does not match --format {fmt} (expected {ext})")
    driver, multi = driver_for(p)
    if len(frames) > 1 and not multi:
        raise UsageError(f"{p}: a {driver} file holds one layer; export one name or use a .gpkg")
    counts = {}
    with atomic_path(p, overwrite) as tmp:
        for name, gdf in frames.items():
            if driver == "Parquet":
                gdf.to_parquet(tmp)
            elif driver == "ESRI Shapefile":
                gdf.to_file(tmp, driver=driver, engine="pyogrio", encoding="UTF-8")
            else:
                gdf.to_file(tmp, driver=driver, layer=name if multi else None, engine="pyogrio")
            counts[name] = int(len(gdf))
    return p, counts
