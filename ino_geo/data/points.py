"""Points from spreadsheets: CSV / TSV / TXT (delimiter sniffed) and XLSX, one point per row.

A planner's table of addresses with coordinates becomes a point layer:

* the coordinate columns are found by name, case-insensitively (``lon``/``lng``/``long``/
  ``longitude``/``x``/``долгота`` and ``lat``/``latitude``/``y``/``широта``), or given as
  ``xy=("LON_COL", "LAT_COL")`` (the CLI's ``--xy LON_COL,LAT_COL``);
* the coordinates are in ``crs`` (default EPSG:4326) and come back in EPSG:4326;
* every bad row is reported at once, in one line, by row number as a spreadsheet counts
  (the header is row 1) and column: missing, not a number, NaN/infinite, out of range;
* every other column is carried through (text as text; XLSX cells as typed).

XLSX is read with openpyxl in read-only mode (first worksheet), imported only when needed.
"""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from ino_geo._errors import DataError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["POINT_EXTENSIONS", "LON_NAMES", "LAT_NAMES", "is_points_file", "read_points"]

POINT_EXTENSIONS = {".csv", ".tsv", ".txt", ".xlsx"}
# candidate names in order of preference (compared case-insensitively, stripped)
LON_NAMES = ("lon", "lng", "long", "longitude", "долгота", "x")
LAT_NAMES = ("lat", "latitude", "широта", "y")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


def is_points_file(path: str | Path) -> bool:
    """True if `path` has a spreadsheet extension :func:`read_points` reads.

    >>> is_points_file("sites.CSV"), is_points_file("parks.geojson")
    (True, False)
    """
    return Path(path).suffix.lower() in POINT_EXTENSIONS


def read_points(path: str | Path, xy: str | Sequence[str] | None = None,
                crs: str | None = None) -> "gpd.GeoDataFrame":
    """Read a CSV/TSV/TXT/XLSX table of points into a GeoDataFrame in EPSG:4326.

    Parameters
    ----------
    path : str or Path
        The table; the first row is the header.
    xy : str or (str, str), optional
        The longitude (x) and latitude (y) column names, ``"LON,LAT"`` or a pair. Default:
        found by name (see :data:`LON_NAMES`, :data:`LAT_NAMES`).
    crs : str, optional
        CRS of the coordinates (``"EPSG:32645"``); default EPSG:4326.

    Returns
    -------
    GeoDataFrame
        One point per data row, every column of the table kept, ``attrs["source_row"]`` the
        spreadsheet row number of each point; CRS EPSG:4326.

    Raises
    ------
    UsageError
        Missing file, unknown extension, a bad ``xy`` or ``crs``, ``xy`` naming no column.
    DataError
        Unreadable file, no data rows, no coordinate columns, or bad rows (all listed, e.g.
        ``points.csv: 2 bad rows: row 3 column 'lat': missing; row 5 column 'lon': 'abc' is
        not a number``).

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "pts.csv")
    >>> _ = open(p, "w").write("name;Широта;Долгота\\nTSU;56,4694;84,9475\\n")
    >>> g = read_points(p)
    >>> list(g.columns), float(g.geometry.x[0]), g.crs.to_epsg()
    (['name', 'Широта', 'Долгота', 'geometry'], 84.9475, 4326)
    """
    p = _check_path(path)
    target = _parse_crs(crs)
    header, rows = _read_table(p)
    lon_col, lat_col = _coordinate_columns(p, header, xy)
    return _to_frame(p, header, rows, header.index(lon_col), header.index(lat_col), target)


# ------------------------------------------------------------------------------- reading


def _check_path(path: str | Path) -> Path:
    p = Path(path)
    if not p.exists():
        raise UsageError(f"{p}: no such file")
    if p.is_dir():
        raise UsageError(f"{p}: is a folder, expected a CSV, TSV or XLSX file")
    if p.suffix.lower() not in POINT_EXTENSIONS:
        raise UsageError(f"{p}: unsupported table type {p.suffix!r} (expected .csv, .tsv, .txt or .xlsx)")
    return p


def _parse_crs(crs: str | None):
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        return CRS.from_user_input(crs or "EPSG:4326")
    except CRSError:
        raise UsageError(f"--crs {crs}: not a known CRS (e.g. EPSG:4326, EPSG:32645)") from None


def _read_table(p: Path) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """The header (names made unique and non-empty) and (row number, values) of each data row."""
    rows = _xlsx_rows(p) if p.suffix.lower() == ".xlsx" else _text_rows(p)
    first = next(rows, None)
    if first is None:
        raise DataError(f"{p}: the table is empty (no header row)")
    header = _header(first[1])
    data = [(n, list(v) + [None] * (len(header) - len(v))) for n, v in rows]
    if not data:
        raise DataError(f"{p}: the table has a header but no data rows")
    wide = [n for n, v in data if len(v) > len(header) and any(_blank(x) is False for x in v[len(header):])]
    if wide:
        raise DataError(f"{p}: {_rows(wide)} more values than the header has columns")
    return header, [(n, v[: len(header)]) for n, v in data]


def _header(values: list[Any]) -> list[str]:
    names: list[str] = []
    for i, v in enumerate(values, start=1):
        name = "" if v is None else str(v).strip()
        name = name or f"column_{i}"
        base, k = name, 2
        while name in names:
            name, k = f"{base}_{k}", k + 1
        names.append(name)
    return names


def _text_rows(p: Path) -> Iterator[tuple[int, list[str]]]:
    raw = p.read_bytes()
    for enc in ("utf-8-sig", "cp1251"):  # Excel in Russia saves CSV in Windows-1251
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1251 decodes every byte but 0x98
        raise DataError(f"{p}: not a text file in UTF-8 or Windows-1251")
    if "\x00" in text:
        raise DataError(f"{p}: not a text table (binary content); save the sheet as CSV or XLSX")
    sample = text[:65536]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel_tab if p.suffix.lower() == ".tsv" or "\t" in sample else csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for values in reader:
            if values and any(v.strip() for v in values):
                yield reader.line_num, values
    except csv.Error as exc:
        raise DataError(f"{p}: row {reader.line_num}: not valid CSV ({exc})") from None


def _xlsx_rows(p: Path) -> Iterator[tuple[int, list[Any]]]:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - a declared dependency
        raise UsageError(f"{p}: reading .xlsx needs openpyxl (pip install openpyxl)") from None
    from zipfile import BadZipFile

    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError, openpyxl.utils.exceptions.InvalidFileException) as exc:
        raise DataError(f"{p}: not a readable XLSX workbook ({type(exc).__name__}: {exc})") from None
    try:
        ws = wb.worksheets[0]
        for i, values in enumerate(ws.iter_rows(values_only=True), start=1):
            if any(not _blank(v) for v in values):
                yield i, list(values)
    finally:
        wb.close()


# ------------------------------------------------------------------------------- columns


def _coordinate_columns(p: Path, header: list[str], xy) -> tuple[str, str]:
    if xy is not None:
        names = [s.strip() for s in (xy.split(",") if isinstance(xy, str) else xy)]
        if len(names) != 2 or not all(names):
            raise UsageError(f"--xy {xy}: expected two column names, LON_COL,LAT_COL")
        missing = [n for n in names if n not in header]
        if missing:
            raise UsageError(f"--xy: {p} has no column {missing[0]!r} (columns: {', '.join(header)})")
        return names[0], names[1]
    lower = {h.strip().lower(): h for h in header}
    lon = next((lower[n] for n in LON_NAMES if n in lower), None)
    lat = next((lower[n] for n in LAT_NAMES if n in lower), None)
    if lon is None or lat is None:
        which = "longitude and latitude" if lon is None and lat is None else ("longitude" if lon is None else "latitude")
        raise DataError(f"{p}: no {which} column (looked for {'/'.join(LON_NAMES)} and {'/'.join(LAT_NAMES)}; "
                        f"columns: {', '.join(header)}); name them with --xy LON_COL,LAT_COL")
    return lon, lat


# ------------------------------------------------------------------------------- values


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _number(v: Any) -> tuple[float | None, str | None]:
    """(value, None) or (None, what is wrong)."""
    if _blank(v):
        return None, "missing"
    if isinstance(v, bool):
        return None, f"{v!r} is not a number"
    if isinstance(v, (int, float)):
        x = float(v)
    else:
        text = str(v).strip().replace("\u2212", "-")
        if _DECIMAL_COMMA.match(text):
            text = text.replace(",", ".")
        try:
            x = float(text)
        except ValueError:
            return None, f"{_show(v)} is not a number"
    if math.isnan(x):
        return None, "NaN"
    if math.isinf(x):
        return None, f"{_show(v)} is not finite"
    return x, None


def _show(v: Any) -> str:
    text = str(v)
    text = text if len(text) <= 30 else text[:27] + "..."
    return repr(text.encode("unicode_escape").decode("ascii") if not text.isprintable() else text)


def _rows(numbers: list[int]) -> str:
    return ("row " if len(numbers) == 1 else "rows ") + ", ".join(map(str, numbers))


def _to_frame(p: Path, header, rows, ix: int, iy: int, crs) -> "gpd.GeoDataFrame":
    import numpy as np

    problems: list[str] = []
    xs, ys, keep = [], [], []
    for n, values in rows:
        x, ex = _number(values[ix])
        y, ey = _number(values[iy])
        for col, err in ((header[ix], ex), (header[iy], ey)):
            if err:
                problems.append(f"row {n} column {col!r}: {err}")
        if ex is None and ey is None:
            xs.append(x)
            ys.append(y)
            keep.append(n)
    lon, lat = _to_wgs84(np.array(xs, dtype=float), np.array(ys, dtype=float), crs)
    bad = ~(np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90))
    for k in np.flatnonzero(bad):
        problems.append(_range_problem(keep[k], header[ix], header[iy], xs[k], ys[k], crs))
    if problems:
        problems.sort(key=lambda s: int(s.split()[1]))
        nbad = len({s.split()[1] for s in problems})
        raise DataError(f"{p}: {nbad} bad row{'s' if nbad > 1 else ''}: " + "; ".join(problems))
    return _frame(header, rows, lon, lat, ix, iy)


def _to_wgs84(x, y, crs):
    if crs.to_epsg() == 4326:
        return x, y
    from pyproj import Transformer

    t = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    import numpy as np

    with np.errstate(all="ignore"):
        return t.transform(x, y, errcheck=False)


def _range_problem(row: int, xcol: str, ycol: str, x: float, y: float, crs) -> str:
    if crs.to_epsg() == 4326:
        col, v, lim = (xcol, x, 180) if abs(x) > 180 else (ycol, y, 90)
        return f"row {row} column {col!r}: {v:g} is out of range (-{lim}..{lim} degrees)"
    return f"row {row} columns {xcol!r},{ycol!r}: ({x:g}, {y:g}) is out of range for {crs.to_string()}"


def _frame(header, rows, lon, lat, ix, iy) -> "gpd.GeoDataFrame":
    import geopandas as gpd
    import pandas as pd

    cols = {}
    for j, name in enumerate(header):
        values = [v[j] for _, v in rows]
        if j in (ix, iy):
            cols[name] = [_number(v)[0] for v in values]
            continue
        cols[name] = _column(values)
    df = pd.DataFrame(cols)
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    gdf.attrs["source_row"] = [n for n, _ in rows]
    return gdf


def _column(values: list[Any]):
    """A carried-through column: blank cells empty, text stripped (kept as text, so codes
    such as ``007`` keep their zeros); XLSX numbers and dates stay as typed."""
    import pandas as pd

    return pd.Series([None if _blank(v) else (v.strip() if isinstance(v, str) else v) for v in values],
                     dtype="object")
