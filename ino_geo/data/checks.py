"""The rules every record of a layer is checked against, vectorised over the records.

* the file: has a CRS, the CRS the catalogue requires, the required columns;
* geometry: present, not empty, of an allowed type, finite coordinates (no NaN/inf), valid
  (no self-intersections), coordinates plausible for the CRS (degrees within range; not
  lon/lat swapped; inside the catalogue's extent);
* attributes: not empty where required, of the column's type, among the allowed values,
  within range, unique ids.

:func:`check_layer` runs them all on a :class:`~ino_geo.data.readers.RawLayer` and returns a
:class:`~ino_geo.data.problems.LayerReport` listing every problem, records numbered from 0.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterable

from ino_geo.data.catalogue import Catalogue, ColumnSpec, LayerSpec
from ino_geo.data.problems import LayerReport, Problem
from ino_geo.data.readers import MALFORMED, RawLayer

__all__ = ["check_layer", "check_crs", "check_geometry_array", "type_names", "is_null", "type_error"]

_GEOM_NAMES = ("Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString",
               "MultiPolygon", "GeometryCollection")

# add(record, field, message): record one problem
_Add = Callable[[Any, str, str], None]


def is_null(v: Any) -> bool:
    """True for an empty value: None, NaN, a blank string, pandas NA/NaT.

    Examples
    --------
    >>> is_null(None), is_null(float("nan")), is_null("  "), is_null(0), is_null("x")
    (True, True, True, False, False)
    """
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    if isinstance(v, str) and not v.strip():
        return True
    try:  # pandas NA / NaT
        import pandas as pd

        return bool(pd.isna(v)) if not isinstance(v, (list, tuple, dict)) else False
    except (TypeError, ValueError, ImportError):
        return False


def type_error(col: ColumnSpec, v: Any) -> str | None:
    """Why `v` is not of the column's type; None when it is.

    Examples
    --------
    >>> type_error(ColumnSpec("n", "int"), 2.5)
    'expected a whole number, got 2.5'
    >>> type_error(ColumnSpec("n", "float"), "7") is None
    False
    """
    t = col.type
    if t == "str":
        return None if isinstance(v, str) else f"expected text, got {type(v).__name__} {v!r}"
    if t == "bool":
        if isinstance(v, bool) or (type(v).__name__ == "bool_"):
            return None
        if isinstance(v, (int,)) and v in (0, 1):
            return None
        return f"expected true/false, got {v!r}"
    if isinstance(v, bool):
        return f"expected a number, got {v!r}"
    try:
        x = float(v)
    except (TypeError, ValueError):
        return f"expected a number, got {v!r}"
    if isinstance(v, str):
        return f"expected a number, got text {v!r}"
    if not math.isfinite(x):
        return f"expected a finite number, got {v!r}"
    if t == "int" and not float(x).is_integer():
        return f"expected a whole number, got {v!r}"
    return None


def _fmt_allowed(allowed: Iterable) -> str:
    return ", ".join(str(v) for v in allowed)


def check_layer(raw: RawLayer, spec: LayerSpec | None, catalogue: Catalogue | None,
                require_crs: Any = None) -> LayerReport:
    """Every problem of the records in `raw`, checked against `spec` (None: generic checks)."""
    file, lname = raw.file, raw.layer or (spec.name if spec else None)
    problems = [Problem(p.file, lname, p.record, p.id, p.field, p.message) for p in raw.problems]
    add = _adder(raw, spec, problems, file, lname)
    check_crs(raw.crs, require_crs, add)
    n = len(raw.geoms)
    if n == 0:
        add(None, "file", "the layer has no records")
        return LayerReport(file=file, layer=lname, spec=spec, crs=raw.crs, count=0, problems=problems)
    if spec is not None:
        for cname in spec.required_columns:
            if cname not in raw.columns:
                add(None, cname, "required column is missing")
    geometry_types = _check_geometries(raw, spec, catalogue, add)
    if spec is not None:
        _check_attributes(raw, spec, add)
    problems.sort(key=lambda p: (-1 if p.record is None else p.record))
    return LayerReport(file=file, layer=lname, spec=spec, crs=raw.crs, count=n,
                       geometry_types=geometry_types, problems=problems)


def _adder(raw: RawLayer, spec: LayerSpec | None, problems: list[Problem], file: str, lname: str | None) -> _Add:
    """A function that records a problem, naming the record's id where the layer has one."""

    def add(record, fld, msg):
        rid = None
        if record is not None and spec is not None and spec.id and raw.props[record] is not None:
            v = raw.props[record].get(spec.id)
            if not is_null(v):
                rid = f"{spec.id}={v}"
        problems.append(Problem(file, lname, record, rid, fld, msg))

    return add


def check_crs(crs: Any, require_crs: Any, add: _Add) -> None:
    """A missing CRS, or one other than `require_crs` (axis order aside)."""
    if crs is None:
        add(None, "crs", "no CRS: the file does not say which coordinate system it uses")
    elif require_crs is not None:
        from pyproj import CRS

        want = CRS.from_user_input(require_crs)
        if not crs.equals(want, ignore_axis_order=True):
            add(None, "crs", f"CRS is {crs.to_string()}, the catalogue requires {want.to_string()}")


def _check_geometries(raw: RawLayer, spec: LayerSpec | None, catalogue: Catalogue | None, add: _Add) -> list[str]:
    """Missing, empty, wrong-type, non-finite, invalid and implausible geometries; returns
    the types of the geometries present (for the report)."""
    import numpy as np

    present = []
    for i, g in enumerate(raw.geoms):
        if raw.props[i] is None or g is MALFORMED:
            continue
        if g is None:
            add(i, "geometry", "missing geometry")
            continue
        present.append(i)
    if not present:
        return []
    idx = np.asarray(present, dtype=np.int64)
    garr = np.empty(len(present), dtype=object)
    garr[:] = [raw.geoms[i] for i in present]
    extent = catalogue.extent if catalogue is not None else None
    return check_geometry_array(garr, idx, spec, raw.crs, extent, add)


def check_geometry_array(garr, idx, spec: LayerSpec | None, crs: Any, extent, add: _Add) -> list[str]:
    """The geometry rules on an array of present geometries (none missing): empty, non-finite,
    of a type the layer does not allow, invalid, implausible for the CRS or outside `extent`.
    ``idx[j]`` is the record of ``garr[j]``. Returns the geometry type names present.

    The record reader (:func:`check_layer`) and the fast path (:mod:`ino_geo.data.fastpath`)
    both call it, so a file passes the fast check only if the record checker passes it too.
    """
    import numpy as np
    import shapely

    empty = shapely.is_empty(garr)
    gtypes = shapely.get_type_id(garr)
    coords, cidx = shapely.get_coordinates(garr, return_index=True)
    bad_coords = np.zeros(len(garr), dtype=bool)
    bad_coords[cidx[~np.isfinite(coords).all(axis=1)]] = True
    wrong = np.zeros(len(garr), dtype=bool)
    if spec is not None:
        wrong = ~np.isin(gtypes, [k for k, name in enumerate(_GEOM_NAMES) if name in spec.geometry])
    for j in np.flatnonzero(empty | bad_coords | wrong):
        if empty[j]:
            add(int(idx[j]), "geometry", "empty geometry")
        elif bad_coords[j]:
            add(int(idx[j]), "geometry", "coordinates contain NaN or infinity")
        else:
            add(int(idx[j]), "geometry", f"geometry type {_GEOM_NAMES[gtypes[j]]}, expected {' or '.join(spec.geometry)}")
    check = ~empty & ~bad_coords
    if check.any():
        sub, sub_idx = garr[check], idx[check]
        valid = shapely.is_valid(sub)
        if not valid.all():
            for i, reason in zip(sub_idx[~valid], shapely.is_valid_reason(sub[~valid])):
                add(int(i), "geometry", f"invalid geometry: {reason}")
        _check_plausible(crs, shapely.bounds(sub), sub_idx, extent, add)
    return type_names(gtypes)


def type_names(type_ids) -> list[str]:
    """The sorted names of the geometry types in an array of shapely type ids (-1, a missing
    geometry, is left out).

    Examples
    --------
    >>> type_names([3, 0, 3, -1])
    ['Point', 'Polygon']
    """
    import numpy as np

    ids = np.unique(np.asarray(type_ids))
    return sorted(_GEOM_NAMES[t] for t in ids if t >= 0)


def _check_plausible(crs: Any, b, idx, extent, add: _Add) -> None:
    """Coordinates plausible for the CRS: degrees within range and inside the catalogue's
    extent (else named as swapped lat/lon or outside), or a projected CRS not holding degrees.
    `b` holds the bounds of the records at positions `idx`."""
    import numpy as np

    if crs is not None and crs.is_geographic:
        out = (b[:, 0] < -180) | (b[:, 2] > 180) | (b[:, 1] < -90) | (b[:, 3] > 90)
        for i, bb in zip(idx[out], b[out]):
            add(int(i), "geometry",
                f"coordinates ({bb[0]:.6g}, {bb[1]:.6g}) cannot be degrees: projected coordinates "
                f"labelled {crs.to_string()}?")
        if extent is None:
            return
        ext = extent
        inside = (b[:, 0] >= ext[0]) & (b[:, 2] <= ext[2]) & (b[:, 1] >= ext[1]) & (b[:, 3] <= ext[3])
        swapped = (b[:, 1] >= ext[0]) & (b[:, 3] <= ext[2]) & (b[:, 0] >= ext[1]) & (b[:, 2] <= ext[3])
        for k in np.flatnonzero(~inside & ~out):
            bb = b[k]
            if swapped[k]:
                add(int(idx[k]), "geometry", f"coordinates ({bb[0]:.6g}, {bb[1]:.6g}) look like lat/lon: "
                    "longitude and latitude swapped?")
            else:
                add(int(idx[k]), "geometry", f"coordinates ({bb[0]:.6g}, {bb[1]:.6g}) lie outside the catalogue "
                    f"extent {list(ext)}")
    elif crs is not None and crs.is_projected:
        if len(b) and (np.abs(b[:, [0, 2]]) <= 180).all() and (np.abs(b[:, [1, 3]]) <= 90).all():
            span = max(np.nanmax(b[:, 2]) - np.nanmin(b[:, 0]), np.nanmax(b[:, 3]) - np.nanmin(b[:, 1]))
            if span < 10:  # a whole layer within a few metres, at plausible degree values
                add(None, "crs", f"coordinates look like degrees but the CRS {crs.to_string()} is projected")


def _check_attributes(raw: RawLayer, spec: LayerSpec, add: _Add) -> None:
    for cname, col in spec.columns.items():
        if cname in raw.columns:
            _check_column(raw, col, add)


def _check_column(raw: RawLayer, col: ColumnSpec, add: _Add) -> None:
    """Empty, mistyped, disallowed, out-of-range and duplicate values of one column."""
    cname = col.name
    seen: dict[Any, int] = {}
    for i, p in enumerate(raw.props):
        if p is None:
            continue
        v = p.get(cname)
        if is_null(v):
            if not col.nullable:
                add(i, cname, "is empty")
            continue
        err = type_error(col, v)
        if err:
            add(i, cname, err)
            continue
        if col.allowed is not None and v not in col.allowed:
            add(i, cname, f"{v!r} is not one of {_fmt_allowed(col.allowed)}")
        if col.type in ("int", "float"):
            x = float(v)
            if col.min is not None and x < col.min:
                add(i, cname, f"{v!r} is below the minimum {col.min:g}")
            if col.max is not None and x > col.max:
                add(i, cname, f"{v!r} is above the maximum {col.max:g}")
        if col.unique:
            if v in seen:
                add(i, cname, f"duplicate value {v!r} (first at record {seen[v]})")
            else:
                seen[v] = i

