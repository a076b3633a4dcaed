"""Writing result tables and layers: to stdout as table/csv/json/geojson, or to a file.

Machine-readable output goes to stdout; a file is written atomically (temporary file renamed
into place) and never overwrites without ``overwrite=True``.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ino_geo._errors import UsageError
from ino_geo._json import jsonable
from ino_geo.data.io import atomic_path, atomic_write_text, driver_for

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["emit_frame", "format_frame", "write_frame", "write_frames", "check_extension", "TABLE_FORMATS"]

TABLE_FORMATS = ("table", "csv", "json", "geojson")


def _plain(df: "pd.DataFrame") -> "pd.DataFrame":
    """The attribute table, geometry as WKT dropped for tables (it is in geojson)."""
    import geopandas as gpd

    if isinstance(df, gpd.GeoDataFrame):
        return df.drop(columns=[df.geometry.name])
    return df



_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _inert(text: str) -> str:
    """`text` with control characters (newline, tab, ESC...) shown as escapes: ``\\n``, ``\\x1b``."""
    named = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}
    return _CONTROL.sub(lambda m: named.get(m.group(), f"\\x{ord(m.group()):02x}"), text)


def format_frame(df: "pd.DataFrame", fmt: str) -> str:
    """Render a (Geo)DataFrame as text.

    Parameters
    ----------
    df : DataFrame or GeoDataFrame
    fmt : {'table', 'csv', 'json', 'geojson'}
        ``json`` is a list of records (with ``.attrs`` metadata such as CRS and units under
        ``meta`` when present); ``geojson`` needs a GeoDataFrame and writes EPSG:4326.

    Returns
    -------
    str
    """
    import geopandas as gpd
    import pandas as pd

    if fmt == "geojson":
        if not isinstance(df, gpd.GeoDataFrame):
            raise UsageError("--format geojson needs a result with geometry")
        out = df.to_crs("EPSG:4326") if (df.crs is not None and df.crs.to_epsg() != 4326) else df
        return out.to_json(na="null", drop_id=True, ensure_ascii=False)
    plain = _plain(df)
    if fmt == "csv":
        return plain.to_csv(index=False)
    if fmt == "json":
        records = [{k: jsonable(v) for k, v in row.items()} for row in plain.to_dict("records")]
        meta = {k: v for k, v in df.attrs.items() if isinstance(v, (str, int, float, dict, list))}
        payload: Any = {"meta": meta, "records": records} if meta else records
        return json.dumps(payload, ensure_ascii=False, indent=2, default=str)
    if fmt == "table":
        if plain.empty:
            return "(no records)"
        # for reading: floats to 2 decimals, and float noise (|x| < 5e-9) shown as 0
        shown = plain.copy()
        for col in shown.columns:
            if pd.api.types.is_float_dtype(shown[col]):
                shown[col] = shown[col].mask(shown[col].abs() < 5e-9, 0.0)
            elif shown[col].dtype == object or pd.api.types.is_string_dtype(shown[col]):
                # text from data is shown inert: a newline cannot break a row, and no escape
                # sequence reaches the terminal
                shown[col] = shown[col].map(lambda v: _inert(v) if isinstance(v, str) else v)
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                               "display.max_colwidth", 60):
            return shown.to_string(index=False, float_format=lambda x: f"{x:.2f}")
    raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(TABLE_FORMATS)}")


def emit_frame(df: "pd.DataFrame", fmt: str, stream: IO[str] | None = None) -> None:
    """Print a (Geo)DataFrame to stdout (or `stream`) in `fmt`."""
    text = format_frame(df, fmt)
    stream = stream or sys.stdout
    stream.write(text if text.endswith("\n") else text + "\n")
    stream.flush()


def write_frame(df: "pd.DataFrame", path: str | os.PathLike, overwrite: bool = False, layer: str | None = None) -> Path:
    """Write a result to a file, format from the extension, atomically.

    ``.csv`` writes the attribute table; ``.json`` the JSON records; ``.geojson``, ``.gpkg``,
    ``.fgb``, ``.shp``, ``.parquet`` write a GeoDataFrame.
    """
    import geopandas as gpd

    p = Path(path)
    ext = p.suffix.lower()
    if ext == ".csv":
        return atomic_write_text(p, format_frame(df, "csv"), overwrite)
    if ext == ".json":
        return atomic_write_text(p, format_frame(df, "json"), overwrite)
    driver, _ = driver_for(p)
    if not isinstance(df, gpd.GeoDataFrame) and driver != "GPKG":
        raise UsageError(f"{p}: a {driver} file needs a result with geometry; write .csv, .json or .gpkg")
    with atomic_path(p, overwrite) as tmp:
        _write_layer(df, tmp, driver, layer)
    return p


def _write_layer(df: "pd.DataFrame", tmp: Path, driver: str, layer: str | None) -> None:
    import geopandas as gpd

    if driver == "Parquet":
        df.to_parquet(tmp)
    elif isinstance(df, gpd.GeoDataFrame):
        df.to_file(tmp, driver=driver, layer=layer, engine="pyogrio")
    else:  # an attribute table (GeoPackage only)
        import pyogrio

        pyogrio.write_dataframe(df, tmp, layer=layer, driver=driver, append=tmp.exists())


def check_extension(path: str | os.PathLike, *, geometry: bool, option: str = "-o") -> Path:
    """Check, before any work, that a result with (or without) geometry can be written to
    `path` by its extension; UsageError otherwise."""
    p = Path(path)
    ext = p.suffix.lower()
    if ext in (".csv", ".json"):
        return p
    driver, _ = driver_for(p)
    if not geometry and driver != "GPKG":
        raise UsageError(f"{option} {p}: this result is a table without geometry; write .csv, .json or .gpkg")
    return p


def write_frames(frames: "dict[str, pd.DataFrame]", path: str | os.PathLike, overwrite: bool = False) -> Path:
    """Write several results to one file atomically: one layer each in a GeoPackage (tables
    without geometry allowed); for any other format only the first result is written."""
    p = Path(path)
    ext = p.suffix.lower()
    items = list(frames.items())
    if not items:
        raise UsageError(f"{p}: nothing to write")
    if ext in (".csv", ".json") or driver_for(p)[0] != "GPKG":
        return write_frame(items[0][1], p, overwrite, layer=items[0][0])
    with atomic_path(p, overwrite) as tmp:
        for name, df in items:
            _write_layer(df, tmp, "GPKG", name)
    return p
