"""Writing result tables and layers: to stdout as table/csv/json/geojson, or to a file.

Machine-readable output goes to stdout; a file is written atomically (temporary file renamed
into place) and never overwrites without ``overwrite=True``.
"""

from __future__ import annotations

import contextvars
import json
import os
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ino_geo._errors import UsageError
from ino_geo._json import jsonable
from ino_geo._text import clip, csv_safe, inert
from ino_geo.data.io import atomic_path, atomic_write_text, driver_for

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["raw_csv", "emit_frame", "format_frame", "write_frame", "write_frames", "check_extension", "TABLE_FORMATS"]

TABLE_FORMATS = ("table", "csv", "json", "geojson")


def _plain(df: "pd.DataFrame") -> "pd.DataFrame":
    """The attribute table, geometry as WKT dropped for tables (it is in geojson)."""
    import geopandas as gpd

    if isinstance(df, gpd.GeoDataFrame):
        return df.drop(columns=[df.geometry.name])
    return df



#: CSV cells that a spreadsheet would run as a formula are prefixed with ``'`` unless this is
#: True (``ino-geo --csv-raw``; :func:`raw_csv`).
_CSV_RAW: contextvars.ContextVar = contextvars.ContextVar("ino_geo_csv_raw", default=False)


def raw_csv(raw: bool = True) -> None:
    """Write CSV cells exactly as they are (no formula protection) from now on in this context."""
    _CSV_RAW.set(bool(raw))


def _shown(v: Any) -> Any:
    """A table cell: text inert (control and bidi characters escaped) and clipped."""
    return clip(inert(v)) if isinstance(v, str) else v


def _csv(plain: "pd.DataFrame") -> str:
    """CSV text; cells (and column names) that start a spreadsheet formula get a leading ``'``."""
    import csv

    import pandas as pd

    safe = plain.copy()
    text_cols = [i for i in range(safe.shape[1])
                 if safe.iloc[:, i].dtype == object or pd.api.types.is_string_dtype(safe.iloc[:, i])]
    if not _CSV_RAW.get():
        safe.columns = [csv_safe(str(c)) for c in safe.columns]
        for i in text_cols:
            safe.isetitem(i, safe.iloc[:, i].astype(object).map(csv_safe))
    # a carriage return inside a cell is not quoted by the default dialect: quote all text then
    cr = any(safe.iloc[:, i].map(lambda v: isinstance(v, str) and "\r" in v).any() for i in text_cols)
    return safe.to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC if cr else csv.QUOTE_MINIMAL)


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
        return _csv(plain)
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
                shown[col] = shown[col].map(_shown)
        shown.columns = [_shown(str(c)) for c in shown.columns]
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
