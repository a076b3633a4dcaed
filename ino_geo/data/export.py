"""Exporting layers to files: GeoPackage, GeoJSON, GeoParquet, FlatGeobuf, Shapefile."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    catalogue: Any = None,
) -> tuple[Path, dict[str, int]]:
    """Write layers to one file, atomically (a temporary file renamed into place).

    A GeoPackage carries a QGIS style per layer (``layer_styles``, see
    :mod:`ino_geo.data.qgis_styles`). Exporting into an existing GeoPackage (with
    `overwrite`) adds or replaces only the named layers and their styles: the file's other
    layers are kept (the file is copied, changed and renamed into place).

    Parameters
    ----------
    frames : dict of name -> GeoDataFrame
        Several layers only for GeoPackage (one layer per name).
    path : str or PathLike
    fmt : {'gpkg', 'geojson', 'parquet', 'fgb', 'shp'}, optional
        Default: from the extension of `path`.
    overwrite : bool
        Replace an existing file; for a GeoPackage: replace the named layers in it.
    catalogue : Catalogue, optional
        Palettes and labels of the QGIS styles (default: the shipped catalogue).

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
        if driver == "GPKG" and _readable_gpkg(p):  # keep the file's other layers and their styles
            import shutil

            shutil.copyfile(p, tmp)
        for name, gdf in frames.items():
            if driver == "Parquet":
                gdf.to_parquet(tmp)
            elif driver == "ESRI Shapefile":
                gdf.to_file(tmp, driver=driver, engine="pyogrio", encoding="UTF-8")
            else:
                gdf.to_file(tmp, driver=driver, layer=name if multi else None, engine="pyogrio")
            counts[name] = int(len(gdf))
        if driver == "GPKG":
            _add_qgis_styles(tmp, frames, catalogue)
    return p, counts


def _readable_gpkg(p: Path) -> bool:
    """An existing GeoPackage GDAL can open (a file that is not one is replaced whole)."""
    if not p.is_file():
        return False
    try:
        import pyogrio

        pyogrio.list_layers(p)
    except Exception:
        return False
    return True


def _add_qgis_styles(gpkg: Path, frames: dict[str, "gpd.GeoDataFrame"], catalogue: Any) -> None:
    """One QGIS style row per exported layer, from the catalogue palettes."""
    from ino_geo.data.qgis_styles import layer_style, write_layer_styles

    if catalogue is None:
        from ino_geo.data.catalogue import load_catalogue

        catalogue = load_catalogue()
    styles = []
    for name, gdf in frames.items():
        kinds = gdf.geometry.geom_type.dropna()
        styles.append(layer_style(name, catalogue, str(kinds.iloc[0]) if len(kinds) else "", list(gdf.columns)))
    write_layer_styles(gpkg, styles)
