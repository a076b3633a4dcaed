"""The layer validator: every problem of a file, with file, layer, record and field.

Records are streamed with fiona one by one, so that a file with a broken record is still
reported record by record (GeoParquet, which fiona cannot read, is read with pyarrow). The
checks then run vectorised over all records:

* the file: readable, has a CRS, the CRS the catalogue requires, the required columns;
* geometry: present, not empty, of an allowed type, finite coordinates (no NaN/inf), valid
  (no self-intersections), coordinates plausible for the CRS (degrees within range; not
  lon/lat swapped; inside the catalogue's extent);
* attributes: not empty where required, of the column's type, among the allowed values,
  within range, unique ids.

:func:`validate_path` returns :class:`LayerReport` objects; :func:`read_validated` also
builds the GeoDataFrame, so the loader reads each file once.
"""

from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from ino_geo._errors import DataError, UsageError, ValidationError
from ino_geo.data.catalogue import CATALOGUE_FILE, Catalogue, ColumnSpec, LayerSpec, load_catalogue

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = [
    "Problem",
    "LayerReport",
    "validate_path",
    "validate_frame",
    "read_validated",
    "READ_EXTENSIONS",
]

# extensions the validator and loader read
READ_EXTENSIONS = {".geojson", ".json", ".gpkg", ".shp", ".parquet", ".geoparquet", ".fgb", ".zip"}
_PARQUET = {".parquet", ".geoparquet"}
_MAX_LISTED = 8


@dataclass(frozen=True)
class Problem:
    """One problem found in a file.

    Attributes
    ----------
    file : str
        The file.
    layer : str or None
        The layer inside the file (GeoPackage) or the catalogue layer checked against.
    record : int or None
        0-based index of the record in the file/layer; None for a problem of the whole file.
    id : str or None
        ``column=value`` of the record's id, where the layer has one.
    field : str or None
        The column, or ``geometry`` / ``crs`` / ``file``.
    message : str
    """

    file: str
    layer: str | None
    record: int | None
    id: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        parts = [self.file]
        if self.layer:
            parts.append(f"layer {self.layer}")
        if self.record is not None:
            parts.append(f"record {self.record}" + (f" ({self.id})" if self.id else ""))
        if self.field:
            parts.append(f"field {self.field}")
        return ": ".join(parts) + f": {self.message}"

    def as_dict(self) -> dict[str, Any]:
        """The problem as a JSON-ready dict."""
        return {k: getattr(self, k) for k in ("file", "layer", "record", "id", "field", "message")}


@dataclass
class LayerReport:
    """The result of validating one layer of one file."""

    file: str
    layer: str | None
    spec: LayerSpec | None
    crs: Any = None
    count: int = 0
    geometry_types: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    frame: Any = None  # the GeoDataFrame, when asked for

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


# ---------------------------------------------------------------------------------------
# reading records


@dataclass
class _Raw:
    file: str
    layer: str | None
    crs: Any
    columns: list[str]
    props: list[dict | None]
    geoms: list[Any]
    problems: list[Problem]


def _crs_of(src_crs) -> Any:
    if src_crs is None:
        return None
    try:
        from pyproj import CRS

        text = src_crs.to_wkt() if hasattr(src_crs, "to_wkt") else src_crs
        if not text:
            return None
        return CRS.from_user_input(text)
    except Exception:  # an unparseable CRS is reported as missing
        return None


def _list_layers(path: Path) -> list[str | None]:
    import fiona

    if path.suffix.lower() == ".gpkg" or path.suffix.lower() == ".zip":
        # layer_styles: the QGIS style table (ino_geo.data.qgis_styles), not data
        return [n for n in fiona.listlayers(path) if n != "layer_styles"]
    return [None]


def _read_fiona(path: Path, layer: str | None) -> _Raw:
    import fiona
    from shapely.geometry import shape

    file = str(path)
    problems: list[Problem] = []
    props: list[dict | None] = []
    geoms: list[Any] = []
    plain: dict = {}
    with fiona.open(path, layer=layer) as src:
        crs = _crs_of(src.crs)
        columns = list(src.schema.get("properties", {}).keys())
        lname = layer
        n = len(src)
        it = iter(src)
        i = 0
        failures = 0
        while True:
            try:
                feat = next(it)
            except StopIteration:
                break
            except Exception as exc:  # a broken record: report it, go on with the next
                # GDAL types a GeoJSON column of mixed text and numbers as JSON, which fiona
                # then fails to decode; read such a record from the JSON text instead.
                fallback = _geojson_record(path, i, plain) if path.suffix.lower() in (".geojson", ".json") else None
                if fallback is not None:
                    p, g, err = fallback
                    if err:
                        problems.append(Problem(file, lname, i, None, "geometry", err))
                    props.append(p)
                    geoms.append(g)
                    i += 1
                    continue
                problems.append(Problem(file, lname, i, None, None, f"record cannot be read: {_short(exc)}"))
                props.append(None)
                geoms.append(None)
                i += 1
                failures += 1
                if failures > n + 10:
                    break
                continue
            p = dict(feat.properties) if feat.properties is not None else {}
            g = None
            if feat.geometry is not None:
                try:
                    g = shape(feat.geometry)
                except Exception as exc:
                    problems.append(Problem(file, lname, i, None, "geometry", _malformed(feat.geometry, exc)))
                    g = _MALFORMED
            props.append(p)
            geoms.append(g)
            i += 1
    return _Raw(file, layer, crs, columns, props, geoms, problems)


def _geojson_record(path: Path, i: int, cache: dict) -> tuple[dict, Any, str | None] | None:
    """Record `i` of a GeoJSON file read as plain JSON: (properties, geometry, error)."""
    import json

    from shapely.geometry import shape

    if "features" not in cache:
        try:
            cache["features"] = json.loads(path.read_text(encoding="utf-8")).get("features") or []
        except Exception:
            cache["features"] = []
    feats = cache["features"]
    if i >= len(feats) or not isinstance(feats[i], dict):
        return None
    f = feats[i]
    p = f.get("properties") or {}
    if not isinstance(p, dict):
        return None
    g, err = None, None
    if f.get("geometry") is not None:
        try:
            g = shape(f["geometry"])
        except Exception as exc:
            g, err = _MALFORMED, _malformed(f["geometry"], exc)
    return dict(p), g, err


def _read_parquet(path: Path) -> _Raw:
    import geopandas as gpd

    try:
        gdf = gpd.read_parquet(path)
    except Exception as exc:
        raise DataError(f"{path}: cannot be read as GeoParquet: {_short(exc)}") from None
    return _raw_from_frame(gdf, str(path), None)


def _raw_from_frame(gdf: "gpd.GeoDataFrame", file: str, layer: str | None) -> _Raw:
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    records = gdf[columns].to_dict("records") if columns else [{} for _ in range(len(gdf))]
    geoms = list(gdf.geometry.values)
    return _Raw(file, layer, gdf.crs, columns, records, geoms, [])


class _Malformed:
    """Marks a geometry that could not even be built (already reported)."""


_MALFORMED = _Malformed()


def _malformed(geometry: Any, exc: BaseException) -> str:
    """Why a geometry could not be built: NaN/inf coordinates (a ring with NaN never closes,
    since NaN != NaN) are named as such; otherwise the library's reason."""

    def finite(c: Any) -> bool:
        if isinstance(c, (int, float)):
            return math.isfinite(c)
        if isinstance(c, (list, tuple)) or (hasattr(c, "__iter__") and not isinstance(c, (str, bytes, dict))):
            return all(finite(x) for x in c)
        return True

    try:
        coords = geometry.get("coordinates") if hasattr(geometry, "get") else getattr(geometry, "coordinates", None)
        if coords is not None and not finite(coords):
            return "coordinates contain NaN or infinity"
    except Exception:  # an odd structure: fall back to the library's reason
        pass
    return f"malformed geometry: {_short(exc)}"


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:300]


def _open_raw(path: Path, layer: str | None) -> _Raw:
    if path.suffix.lower() in _PARQUET:
        return _read_parquet(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # NaN coordinates are reported, not warned
            raw = _read_fiona(path, layer)
    except DataError:
        raise
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except Exception as exc:
        raise DataError(f"{path}: {_diagnose(path, exc)}") from None
    if path.suffix.lower() in (".geojson", ".json"):
        bad = _utf8_problem(path)
        if bad:
            raw.problems.insert(0, Problem(str(path), layer, None, None, "file", bad))
    return raw


def _utf8_problem(path: Path) -> str | None:
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return (f"not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start} (line {line}); "
                "text values there are lost or garbled (save the file as UTF-8)")
    return None


def _diagnose(path: Path, exc: BaseException) -> str:
    """Why a file could not be opened, in words a planner can act on."""
    kinds = "GeoJSON, GeoPackage, Shapefile, FlatGeobuf or GeoParquet"
    if path.is_file() and path.stat().st_size == 0:
        return "the file is empty (0 bytes)"
    if path.suffix.lower() in (".geojson", ".json"):
        import json

        try:
            doc = json.loads(path.read_bytes().decode("utf-8", errors="replace"))
        except json.JSONDecodeError as jexc:
            return f"not valid JSON (truncated or corrupt?): {jexc.msg} at line {jexc.lineno} column {jexc.colno}"
        if not isinstance(doc, dict) or doc.get("type") not in ("FeatureCollection", "Feature"):
            return "JSON but not GeoJSON: no FeatureCollection or Feature at the top"
    return f"cannot be read as a vector file ({kinds}): {_short(exc)}"


# ---------------------------------------------------------------------------------------
# checks


def _is_null(v: Any) -> bool:
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


def _type_error(col: ColumnSpec, v: Any) -> str | None:
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
    vals = list(allowed)
    return ", ".join(str(v) for v in vals)


def _check(raw: _Raw, spec: LayerSpec | None, catalogue: Catalogue | None, require_crs: Any = None) -> LayerReport:
    import numpy as np
    import shapely

    file, lname = raw.file, raw.layer or (spec.name if spec else None)
    problems = list(raw.problems)
    problems = [Problem(p.file, lname, p.record, p.id, p.field, p.message) for p in problems]
    n = len(raw.geoms)

    def add(record, fld, msg):
        rid = None
        if record is not None and spec is not None and spec.id and raw.props[record] is not None:
            v = raw.props[record].get(spec.id)
            if not _is_null(v):
                rid = f"{spec.id}={v}"
        problems.append(Problem(file, lname, record, rid, fld, msg))

    # --- file level: CRS
    crs = raw.crs
    if crs is None:
        add(None, "crs", "no CRS: the file does not say which coordinate system it uses")
    elif require_crs is not None:
        from pyproj import CRS

        want = CRS.from_user_input(require_crs)
        if not crs.equals(want, ignore_axis_order=True):
            add(None, "crs", f"CRS is {crs.to_string()}, the catalogue requires {want.to_string()}")

    if n == 0:
        add(None, "file", "the layer has no records")
        return LayerReport(file=file, layer=lname, spec=spec, crs=crs, count=0, problems=problems)

    # --- file level: columns
    if spec is not None:
        for cname in spec.required_columns:
            if cname not in raw.columns:
                add(None, cname, "required column is missing")

    # --- geometry
    valid_geom_idx = []
    geoms = np.empty(n, dtype=object)
    for i, g in enumerate(raw.geoms):
        if raw.props[i] is None or g is _MALFORMED:
            geoms[i] = None
            continue
        if g is None:
            add(i, "geometry", "missing geometry")
            geoms[i] = None
            continue
        geoms[i] = g
        valid_geom_idx.append(i)
    idx = np.asarray(valid_geom_idx, dtype=np.int64)
    if len(idx):
        garr = np.asarray(list(geoms[idx]), dtype=object)
        empty = shapely.is_empty(garr)
        gtypes = shapely.get_type_id(garr)
        names = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString",
                          "MultiPolygon", "GeometryCollection"], dtype=object)
        coords, cidx = shapely.get_coordinates(garr, return_index=True)
        finite_pt = np.isfinite(coords).all(axis=1)
        bad_coords = np.zeros(len(garr), dtype=bool)
        np.logical_or.at(bad_coords, cidx, ~finite_pt)
        for j, i in enumerate(idx):
            if empty[j]:
                add(int(i), "geometry", "empty geometry")
            elif bad_coords[j]:
                add(int(i), "geometry", "coordinates contain NaN or infinity")
            elif spec is not None and names[gtypes[j]] not in spec.geometry:
                add(int(i), "geometry", f"geometry type {names[gtypes[j]]}, expected {' or '.join(spec.geometry)}")
        check = ~empty & ~bad_coords
        if check.any():
            sub = garr[check]
            valid = shapely.is_valid(sub)
            if not valid.all():
                reasons = shapely.is_valid_reason(sub[~valid])
                for i, reason in zip(idx[check][~valid], reasons):
                    add(int(i), "geometry", f"invalid geometry: {reason}")
            # coordinate plausibility
            if crs is not None and crs.is_geographic:
                b = shapely.bounds(sub)
                out = (b[:, 0] < -180) | (b[:, 2] > 180) | (b[:, 1] < -90) | (b[:, 3] > 90)
                for i, bb in zip(idx[check][out], b[out]):
                    add(int(i), "geometry",
                        f"coordinates ({bb[0]:.6g}, {bb[1]:.6g}) cannot be degrees: projected coordinates "
                        f"labelled {crs.to_string()}?")
                ext = catalogue.extent if (catalogue is not None and spec is not None) else None
                if ext is not None:
                    inside = (b[:, 0] >= ext[0]) & (b[:, 2] <= ext[2]) & (b[:, 1] >= ext[1]) & (b[:, 3] <= ext[3])
                    swapped = (b[:, 1] >= ext[0]) & (b[:, 3] <= ext[2]) & (b[:, 0] >= ext[1]) & (b[:, 2] <= ext[3])
                    for k in np.flatnonzero(~inside & ~out):
                        i = int(idx[check][k])
                        bb = b[k]
                        if swapped[k]:
                            add(i, "geometry", f"coordinates ({bb[0]:.6g}, {bb[1]:.6g}) look like lat/lon: "
                                "longitude and latitude swapped?")
                        else:
                            add(i, "geometry", f"coordinates ({bb[0]:.6g}, {bb[1]:.6g}) lie outside the catalogue "
                                f"extent {list(ext)}")
            elif crs is not None and crs.is_projected:
                b = shapely.bounds(sub)
                if len(b) and (np.abs(b[:, [0, 2]]) <= 180).all() and (np.abs(b[:, [1, 3]]) <= 90).all():
                    span = max(np.nanmax(b[:, 2]) - np.nanmin(b[:, 0]), np.nanmax(b[:, 3]) - np.nanmin(b[:, 1]))
                    if span < 10:  # a whole layer within a few metres, at plausible degree values
                        add(None, "crs", f"coordinates look like degrees but the CRS {crs.to_string()} is projected")
    gtypes_present = sorted({g.geom_type for g in geoms if g is not None})

    # --- attributes
    if spec is not None:
        for cname, col in spec.columns.items():
            if cname not in raw.columns:
                continue
            seen: dict[Any, int] = {}
            for i, p in enumerate(raw.props):
                if p is None:
                    continue
                v = p.get(cname)
                if _is_null(v):
                    if not col.nullable:
                        add(i, cname, "is empty")
                    continue
                err = _type_error(col, v)
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
                    key = v
                    if key in seen:
                        add(i, cname, f"duplicate value {v!r} (first at record {seen[key]})")
                    else:
                        seen[key] = i

    problems.sort(key=lambda p: (-1 if p.record is None else p.record))
    return LayerReport(file=file, layer=lname, spec=spec, crs=crs, count=n, geometry_types=gtypes_present,
                       problems=problems)


def _frame(raw: _Raw, spec: LayerSpec | None):
    import geopandas as gpd
    import pandas as pd

    cols = list(raw.columns)
    if spec is not None:
        cols = [c for c in spec.columns if c in raw.columns] + [c for c in raw.columns if c not in spec.columns]
    df = pd.DataFrame.from_records([p or {} for p in raw.props], columns=cols)
    geoms = [None if (g is None or g is _MALFORMED) else g for g in raw.geoms]
    gdf = gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, crs=raw.crs), crs=raw.crs)
    if spec is not None:
        for cname, col in spec.columns.items():
            if cname in gdf.columns and col.type == "int" and gdf[cname].notna().all():
                gdf[cname] = gdf[cname].astype("int64")
            elif cname in gdf.columns and col.type == "float":
                gdf[cname] = pd.to_numeric(gdf[cname], errors="coerce").astype("float64")
            elif cname in gdf.columns and col.type == "bool":
                gdf[cname] = gdf[cname].astype("boolean")
    name = spec.name if spec else (raw.layer or Path(raw.file).stem)
    gdf.attrs["layer"] = name
    gdf.attrs["source_file"] = raw.file
    return gdf


# ---------------------------------------------------------------------------------------
# public functions


def _check_input_path(path: str | os.PathLike) -> Path:
    p = Path(path)
    if not p.exists():
        raise UsageError(f"{p}: no such file or folder")
    if p.is_dir() and not (p / CATALOGUE_FILE).exists():
        raise UsageError(f"{p}: is a folder without a {CATALOGUE_FILE}; expected a vector file or a layers folder")
    if p.is_file() and p.suffix.lower() not in READ_EXTENSIONS:
        raise UsageError(
            f"{p}: unsupported file type {p.suffix or '(no extension)'!r}; "
            f"read: {', '.join(sorted(READ_EXTENSIONS))}"
        )
    return p


def validate_path(
    path: str | os.PathLike,
    catalogue: Catalogue | None = None,
    *,
    as_layer: str | None = None,
    frames: bool = False,
) -> list[LayerReport]:
    """Validate a vector file (every layer of it) or a layers folder.

    Parameters
    ----------
    path : str or PathLike
        GeoJSON, GeoPackage (every layer), Shapefile, FlatGeobuf or GeoParquet file; or a
        folder with a ``catalogue.toml`` (every catalogue layer is checked).
    catalogue : Catalogue, optional
        Checks a file's layers against the catalogue layer of the same name (``parks.gpkg``,
        or a GeoPackage layer ``parks``). Without a match only the generic checks run.
    as_layer : str, optional
        Check the file against this catalogue layer whatever its name.
    frames : bool
        Also build each layer's GeoDataFrame (``LayerReport.frame``).

    Returns
    -------
    list of LayerReport
        One per layer; every problem is listed, none stops the others.

    Raises
    ------
    UsageError
        The path does not exist, is a folder without a catalogue, or has an unknown extension.

    Examples
    --------
    >>> from ino_geo.data.layers import default_layers_dir
    >>> reports = validate_path(default_layers_dir())
    >>> sorted(r.layer for r in reports)[:3], all(r.ok for r in reports)
    (['boundaries', 'corridors', 'parks'], True)
    """
    p = _check_input_path(path)
    if p.is_dir():
        cat = load_catalogue(p)
        reports = []
        for spec in cat:
            f = cat.folder / spec.file
            if not f.exists():
                reports.append(LayerReport(str(f), spec.name, spec, problems=[
                    Problem(str(f), spec.name, None, None, "file", "layer file listed in the catalogue is missing")]))
                continue
            reports.extend(_validate_file(f, cat, spec.name, frames, require_crs=cat.crs))
        return reports
    if as_layer is not None and catalogue is not None:
        catalogue[as_layer]  # raises UsageError for an unknown name
    return _validate_file(p, catalogue, as_layer, frames)


def _validate_file(p: Path, catalogue: Catalogue | None, as_layer: str | None, frames: bool,
                   require_crs: Any = None) -> list[LayerReport]:
    try:
        layer_names = [None] if p.suffix.lower() in _PARQUET else _list_layers(p)
    except Exception as exc:
        return [LayerReport(str(p), as_layer, None, problems=[
            Problem(str(p), as_layer, None, None, "file", _diagnose(p, exc))])]
    reports = []
    for lname in layer_names:
        spec = None
        if catalogue is not None:
            spec = catalogue[as_layer] if as_layer else catalogue.match(p, lname)
        try:
            raw = _open_raw(p, lname)
        except DataError as exc:
            msg = str(exc)
            prefix = f"{p}: "
            reports.append(LayerReport(str(p), lname or (spec.name if spec else None), spec, problems=[
                Problem(str(p), lname or (spec.name if spec else None), None, None, "file",
                        msg[len(prefix):] if msg.startswith(prefix) else msg)]))
            continue
        if raw.layer is None and spec is not None:
            raw.layer = spec.name
        rep = _check(raw, spec, catalogue, require_crs=require_crs)
        if frames:
            rep.frame = _frame(raw, spec)
        reports.append(rep)
    return reports


def validate_frame(
    gdf: "gpd.GeoDataFrame",
    spec: LayerSpec | str | None = None,
    catalogue: Catalogue | None = None,
    *,
    name: str = "<GeoDataFrame>",
) -> list[Problem]:
    """Validate an in-memory GeoDataFrame with the same rules as a file.

    Parameters
    ----------
    gdf : GeoDataFrame
    spec : LayerSpec or str, optional
        The catalogue layer (or its name) to check against; None runs the generic checks.
    catalogue : Catalogue, optional
        Where a layer name is looked up (default: the shipped catalogue).
    name : str
        What messages call the frame.

    Returns
    -------
    list of Problem
    """
    if isinstance(spec, str):
        catalogue = catalogue or load_catalogue()
        spec = catalogue[spec]
    raw = _raw_from_frame(gdf, name, spec.name if spec else None)
    return _check(raw, spec, catalogue).problems


def read_validated(
    path: str | os.PathLike,
    spec: LayerSpec | None = None,
    catalogue: Catalogue | None = None,
    *,
    layer: str | None = None,
    require_crs: Any = None,
) -> "gpd.GeoDataFrame":
    """Read one layer of a file, validate it and return it; :class:`ValidationError` lists
    every problem if any is found."""
    p = _check_input_path(path)
    if p.is_dir():
        raise UsageError(f"{p}: is a folder, expected a vector file")
    if layer is None and p.suffix.lower() not in _PARQUET:
        try:
            names = _list_layers(p)
        except Exception as exc:
            raise DataError(f"{p}: {_diagnose(p, exc)}") from None
        if len(names) > 1:
            wanted = [n for n in names if spec is not None and n == spec.name]
            if not wanted:
                raise UsageError(f"{p}: has {len(names)} layers ({', '.join(names)}); name one (path:layer)")
            layer = wanted[0]
        elif names:
            layer = names[0]
    raw = _open_raw(p, layer)
    if raw.layer is None and spec is not None:
        raw.layer = spec.name
    rep = _check(raw, spec, catalogue, require_crs=require_crs)
    if rep.problems:
        raise ValidationError(rep.problems)
    return _frame(raw, spec)
