"""The fast path of the loader and the validator: a file read once, checked on its columns.

:func:`read_arrays` reads one layer of a file with pyogrio (Arrow arrays, geometries built
with one vectorised ``shapely.from_wkb``); :func:`arrays_pass` applies every rule of
:mod:`ino_geo.data.checks` to whole columns; :func:`array_frame` builds the GeoDataFrame from
the same arrays, identical to the one the record reader builds (same columns, dtypes, CRS,
attrs: it shares :func:`ino_geo.data.readers.typed_frame`).

The contract: a layer passes the fast check only if the record-by-record checker would find no
problem in it. Anything the fast path cannot decide exactly -- a file it does not read the way
the record reader does (dates, lists, JSON values, a zip, GeoParquet, not UTF-8), a geometry
that cannot be built, any rule that fails -- sends the caller to the record reader, which
locates and words every problem (file, layer, record, field).

The rules, as :func:`ino_geo.data.checks.check_layer` applies them:

* file: a CRS, the CRS the catalogue requires; at least one record; the required columns;
* geometry (shared code, :func:`~ino_geo.data.checks.check_geometry_array`): present, not
  empty, finite coordinates, an allowed type, valid, plausible for the CRS (degrees in range,
  not lat/lon swapped, inside the catalogue's extent; a projected CRS not holding degrees);
* each catalogue column: not empty unless nullable (None, NaN, blank text), of the column's
  type, among the allowed values, within min/max, unique.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ino_geo.data.catalogue import Catalogue, ColumnSpec, LayerSpec
from ino_geo.data.checks import check_crs, check_geometry_array, type_names
from ino_geo.data.problems import LayerReport
from ino_geo.data.readers import GEOJSON, frame_columns, shapefile_counts, typed_frame, utf8_problem

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["ArrayLayer", "read_arrays", "arrays_pass", "array_frame", "fast_report", "WHITESPACE"]

#: (OGR field type, subtype) -> the kind of value the record reader gets for it; a field of
#: any other type (date, time, list, binary, JSON) is left to the record reader.
_KINDS = {
    ("OFTString", "OFSTNone"): "str",
    ("OFTInteger", "OFSTNone"): "int",
    ("OFTInteger", "OFSTInt16"): "int",
    ("OFTInteger64", "OFSTNone"): "int",
    ("OFTInteger", "OFSTBoolean"): "bool",
    ("OFTReal", "OFSTNone"): "float",
    ("OFTReal", "OFSTFloat32"): "float",
}
#: Files the fast path reads (a zip or GeoParquet goes the record reader's way).
_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".fgb"}
#: Python's whitespace (``str.isspace``): a text of these only is empty to the checks.
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
              "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_BLANK = "^[" + "".join(f"\\x{{{ord(c):x}}}" for c in WHITESPACE) + "]*$"
#: Whole numbers beyond this lose precision as float64: left to the record reader.
_EXACT_INT = 2**53


class _Decline(Exception):
    """The fast path cannot read this file exactly as the record reader does."""


@dataclass
class ArrayLayer:
    """One layer of a file as columns: Arrow arrays by column name, shapely geometries
    (None where a record has none), the CRS as the record reader would see it."""

    file: str
    layer: str | None
    crs: Any
    columns: list[str]
    kinds: dict[str, str]
    arrays: dict[str, Any]
    geoms: Any

    def __len__(self) -> int:
        return len(self.geoms)


@lru_cache(maxsize=64)
def _crs(text: str | None) -> Any:
    """The CRS the record reader builds from the file's (GDAL's WKT1 text of it)."""
    if text is None:
        return None
    from pyproj import CRS
    from pyproj.enums import WktVersion

    wkt = CRS.from_user_input(text).to_wkt(WktVersion.WKT1_GDAL)
    if not wkt:
        raise _Decline(f"no WKT1 form of {text}")
    return CRS.from_user_input(wkt)


def read_arrays(path: Path, layer: str | None = None) -> ArrayLayer | None:
    """One layer of `path` read with pyogrio into arrays; None when the fast path cannot read
    it exactly as the record reader (:func:`ino_geo.data.readers.open_raw`) does."""
    suffix = path.suffix.lower()
    if suffix not in _SUFFIXES or (suffix == ".shp" and shapefile_counts(path)):
        return None
    if suffix in GEOJSON and utf8_problem(path):
        return None
    try:
        return _read(path, layer)
    except Exception:  # unreadable, malformed geometry, an odd CRS: the record reader says why
        return None


def _read(path: Path, layer: str | None) -> ArrayLayer | None:
    import pyogrio.raw
    import shapely

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        meta, table = pyogrio.raw.read_arrow(path, layer=layer)
        names = [str(n) for n in meta["fields"]]
        kinds = [_KINDS.get((t, s)) for t, s in zip(meta["ogr_types"], meta["ogr_subtypes"])]
        if None in kinds or len(set(names)) != len(names) or table.num_columns != len(names) + 1:
            return None
        geoms = shapely.from_wkb(table.column(len(names)).to_numpy(zero_copy_only=False))
    return ArrayLayer(str(path), layer, _crs(meta["crs"]), names, dict(zip(names, kinds)),
                      {n: table.column(i).combine_chunks() for i, n in enumerate(names)}, geoms)


class _Hit:
    """An `add` for the shared checks that only notes that a problem was found."""

    def __init__(self) -> None:
        self.any = False

    def __call__(self, record: Any, fld: str, msg: str) -> None:
        self.any = True


def arrays_pass(arr: ArrayLayer, spec: LayerSpec | None, catalogue: Catalogue | None,
                require_crs: Any = None) -> bool:
    """True only when :func:`ino_geo.data.checks.check_layer` would find no problem in the
    layer; False as soon as one rule fails (the record checker then names every problem)."""
    import numpy as np
    import shapely

    hit = _Hit()
    check_crs(arr.crs, require_crs, hit)
    if hit.any or len(arr) == 0:
        return False
    if spec is not None and any(c not in arr.kinds for c in spec.required_columns):
        return False
    if shapely.is_missing(arr.geoms).any():
        return False
    extent = catalogue.extent if catalogue is not None else None
    check_geometry_array(arr.geoms, np.arange(len(arr)), spec, arr.crs, extent, hit)
    if hit.any:
        return False
    if spec is None:
        return True
    return all(_column_passes(arr.arrays[c], arr.kinds[c], col) for c, col in spec.columns.items() if c in arr.kinds)


def _column_passes(a: Any, kind: str, col: ColumnSpec) -> bool:
    """No empty (unless nullable), mistyped, disallowed, out-of-range or duplicate value."""
    if kind == "str":
        return _text_passes(a, col)
    import numpy as np

    null = a.is_null().to_numpy(zero_copy_only=False)
    values = a.fill_null(False if kind == "bool" else 0).to_numpy(zero_copy_only=False)
    if kind == "float":
        null = null | np.isnan(values)
    if null.any() and not col.nullable:
        return False
    values = values[~null]
    if values.size == 0:
        return True
    if not _numbers_typed(values, kind, col.type):
        return False
    if col.allowed is not None and any(v not in col.allowed for v in np.unique(values).tolist()):
        return False
    if col.type in ("int", "float"):
        x = values.astype("float64")
        if (col.min is not None and (x < col.min).any()) or (col.max is not None and (x > col.max).any()):
            return False
    return not (col.unique and len(np.unique(values)) != len(values))


def _numbers_typed(values: Any, kind: str, want: str) -> bool:
    """Every (non-empty) value of a numeric or boolean field is of the column's type, as
    :func:`ino_geo.data.checks.type_error` judges the values the record reader gets."""
    import numpy as np

    if want == "str":
        return False
    if want == "bool":
        return kind == "bool" or (kind == "int" and bool(np.isin(values, (0, 1)).all()))
    if kind == "bool":
        return False
    if kind == "int":
        return bool((np.abs(values) <= _EXACT_INT).all())
    if not np.isfinite(values).all():
        return False
    return want == "float" or bool((values == np.floor(values)).all())


def _text_passes(a: Any, col: ColumnSpec) -> bool:
    """The checks of a text field, in Arrow compute: blank text counts as empty (the
    pattern matches what Python's ``str.strip`` removes), values compared as Python compares them."""
    import pyarrow as pa
    import pyarrow.compute as pc

    blank = pc.match_substring_regex(a, _BLANK)
    if (a.null_count or pc.any(blank).as_py()) and not col.nullable:
        return False
    kept = pc.filter(a, pc.invert(blank))  # nulls dropped
    if len(kept) == 0:
        return True
    if col.type != "str":
        return False
    if col.allowed is not None:
        allowed = pa.array([v for v in col.allowed if isinstance(v, str)], pa.string())
        if not pc.all(pc.is_in(kept, value_set=allowed)).as_py():
            return False
    return not (col.unique and pc.count_distinct(kept).as_py() != len(kept))


def array_frame(arr: ArrayLayer, spec: LayerSpec | None, catalogue: Catalogue | None = None) -> "gpd.GeoDataFrame":
    """The layer's GeoDataFrame from its arrays, identical to
    :func:`ino_geo.data.readers.to_frame` of the same layer read record by record: each
    column holds the values the record reader gets (Python ints, floats, bools, text; None
    where empty) with the dtype pandas infers for them."""
    import pandas as pd

    cols = frame_columns(arr.columns, spec)
    data = {c: _frame_values(arr.arrays[c], arr.kinds[c]) for c in cols}
    df = pd.DataFrame(data, columns=cols, index=pd.RangeIndex(len(arr)))
    return typed_frame(df, arr.geoms, arr.crs, spec, catalogue, arr.file, arr.layer)


def _frame_values(a: Any, kind: str) -> Any:
    """A column as pandas infers it from the record reader's values (``from_records``): an
    all-empty column holds None (object); ints with an empty value become float64; booleans
    with an empty value stay objects."""
    import numpy as np

    if a.null_count == len(a):
        return np.full(len(a), None, dtype=object)
    if kind == "str":
        return _text_values(a)
    if kind == "bool" and a.null_count:
        out = np.empty(len(a), dtype=object)
        out[:] = a.to_pylist()
        return out
    if kind in ("int", "float") and a.null_count:
        import pyarrow as pa

        return a.cast(pa.float64()).fill_null(float("nan")).to_numpy(zero_copy_only=False)
    dtype = {"int": "int64", "float": "float64", "bool": "bool"}[kind]
    return a.to_numpy(zero_copy_only=False).astype(dtype)


def _text_values(a: Any) -> Any:
    """A text column as pandas infers it from Python strings and None (its ``str`` dtype),
    straight from Arrow."""
    import pandas as pd

    dtype = _inferred_text_dtype()
    if isinstance(dtype, pd.StringDtype):
        return pd.array(a, dtype=dtype)
    return a.to_numpy(zero_copy_only=False)


@lru_cache(maxsize=1)
def _inferred_text_dtype() -> Any:
    """The dtype pandas infers for Python strings (``str`` in pandas 3, object before)."""
    import numpy as np
    import pandas as pd

    return pd.Series(np.array(["x", None], dtype=object)).dtype


def fast_report(arr: ArrayLayer, spec: LayerSpec | None, catalogue: Catalogue | None, *,
                require_crs: Any = None, frames: bool = False, check: bool = True) -> LayerReport | None:
    """The report of a layer read by :func:`read_arrays` (its frame if `frames`) when it
    passes every check; None when one fails. ``check=False``: no check at all, the layer
    read as it is."""
    import shapely

    if spec is not None and arr.layer is None:
        arr.layer = spec.name
    if len(arr) == 0 or (check and not arrays_pass(arr, spec, catalogue, require_crs)):
        return None
    rep = LayerReport(file=arr.file, layer=arr.layer, spec=spec, crs=arr.crs, count=len(arr),
                      geometry_types=type_names(shapely.get_type_id(arr.geoms)))
    if frames:
        rep.frame = array_frame(arr, spec, catalogue)
    return rep
