"""Raw record readers of the validator: fiona (record by record), plain GeoJSON, GeoParquet.

Records are streamed with fiona one by one, so that a file with a broken record is still
reported record by record (a GeoJSON record that fiona cannot decode is read from the JSON
text instead); GeoParquet, which fiona cannot read, is read with geopandas. A reader returns
a :class:`RawLayer`: the properties and shapely geometries of every record, unchecked, and
the problems met while reading. :func:`to_frame` turns a checked layer into a GeoDataFrame.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ino_geo._errors import DataError
from ino_geo.data.catalogue import Catalogue, LayerSpec
from ino_geo.data.problems import Problem

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = [
    "READ_EXTENSIONS",
    "PARQUET",
    "MALFORMED",
    "RawLayer",
    "list_layers",
    "open_raw",
    "raw_from_frame",
    "to_frame",
    "frame_columns",
    "typed_frame",
    "utf8_problem",
    "GEOJSON",
    "diagnose",
    "short",
    "shapefile_counts",
]

#: Extensions the validator and the loader read.
READ_EXTENSIONS = {".geojson", ".json", ".gpkg", ".shp", ".parquet", ".geoparquet", ".fgb", ".zip"}
#: Extensions read as GeoParquet.
PARQUET = {".parquet", ".geoparquet"}
#: Extensions read as GeoJSON.
GEOJSON = (".geojson", ".json")


@dataclass
class RawLayer:
    """The records of one layer as read, before any check.

    ``props[i]`` is None for a record that could not be read at all; ``geoms[i]`` is None
    for a missing geometry and :data:`MALFORMED` for one that could not be built (both
    already reported in ``problems`` when they were read).
    """

    file: str
    layer: str | None
    crs: Any
    columns: list[str]
    props: list[dict | None]
    geoms: list[Any]
    problems: list[Problem]


class _Malformed:
    """Marks a geometry that could not even be built (already reported)."""


MALFORMED = _Malformed()


def short(exc: BaseException) -> str:
    """The first line of an exception's message (at most 300 characters)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:300]


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


def list_layers(path: Path) -> list[str | None]:
    """The layer names inside a GeoPackage (or zip); ``[None]`` for a one-layer file."""
    if path.suffix.lower() in (".gpkg", ".zip"):
        import fiona  # only here: importing it (and boto3 through it) takes ~0.15 s

        # layer_styles: the QGIS style table (ino_geo.data.qgis_styles), not data
        return [n for n in fiona.listlayers(path) if n != "layer_styles"]
    return [None]


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
    return f"malformed geometry: {short(exc)}"


def _build_geometry(geometry: Any) -> tuple[Any, str | None]:
    """(shapely geometry or None or MALFORMED, why it is malformed)."""
    from shapely.geometry import shape

    if geometry is None:
        return None, None
    try:
        return shape(geometry), None
    except Exception as exc:
        return MALFORMED, _malformed(geometry, exc)


def _geojson_record(path: Path, i: int, cache: dict) -> tuple[dict, Any, str | None] | None:
    """Record `i` of a GeoJSON file read as plain JSON: (properties, geometry, error)."""
    import json

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
    g, err = _build_geometry(f.get("geometry"))
    return dict(p), g, err


def _read_fiona(path: Path, layer: str | None) -> RawLayer:
    import fiona

    raw = RawLayer(str(path), layer, None, [], [], [], [])
    plain: dict = {}
    with fiona.open(path, layer=layer) as src:
        raw.crs = _crs_of(src.crs)
        raw.columns = list(src.schema.get("properties", {}).keys())
        n = len(src)
        it = iter(src)
        failures = 0
        while True:
            i = len(raw.props)
            try:
                feat = next(it)
            except StopIteration:
                break
            except Exception as exc:  # a broken record: report it, go on with the next
                failures += _add_broken(raw, path, i, exc, plain)
                if failures > n + 10:
                    break
                continue
            g, err = _build_geometry(feat.geometry)
            if err:
                raw.problems.append(Problem(raw.file, layer, i, None, "geometry", err))
            raw.props.append(dict(feat.properties) if feat.properties is not None else {})
            raw.geoms.append(g)
    return raw


def _add_broken(raw: RawLayer, path: Path, i: int, exc: BaseException, plain: dict) -> int:
    """Record `i`, which fiona failed to read: from the JSON text if it is GeoJSON, else
    reported as unreadable. Returns 1 for an unreadable record, 0 for one recovered."""
    # GDAL types a GeoJSON column of mixed text and numbers as JSON, which fiona then fails
    # to decode; read such a record from the JSON text instead.
    fallback = _geojson_record(path, i, plain) if path.suffix.lower() in GEOJSON else None
    if fallback is not None:
        p, g, err = fallback
        if err:
            raw.problems.append(Problem(raw.file, raw.layer, i, None, "geometry", err))
        raw.props.append(p)
        raw.geoms.append(g)
        return 0
    raw.problems.append(Problem(raw.file, raw.layer, i, None, None, f"record cannot be read: {short(exc)}"))
    raw.props.append(None)
    raw.geoms.append(None)
    return 1


def _read_parquet(path: Path) -> RawLayer:
    import geopandas as gpd

    try:
        gdf = gpd.read_parquet(path)
    except Exception as exc:
        raise DataError(f"{path}: cannot be read as GeoParquet: {short(exc)}") from None
    return raw_from_frame(gdf, str(path), None)


def raw_from_frame(gdf: "gpd.GeoDataFrame", file: str, layer: str | None) -> RawLayer:
    """The records of an in-memory GeoDataFrame, to be checked like a file's."""
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    records = gdf[columns].to_dict("records") if columns else [{} for _ in range(len(gdf))]
    geoms = list(gdf.geometry.values)
    return RawLayer(file, layer, gdf.crs, columns, records, geoms, [])


def shapefile_counts(path: Path) -> str | None:
    """Why the parts of a Shapefile disagree on its number of records, or None.

    Counts the shapes of the ``.shp`` (walking its record headers), the index entries of the
    ``.shx`` (its length) and the records of the ``.dbf`` (the count in its header, and the
    count its length holds): a ``.dbf`` whose header says 5 records beside 27 shapes is not
    read as 5 parks.
    """
    import struct

    counts: dict[str, int] = {}
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
            if len(head) < 100:
                return ".shp is shorter than its 100-byte header (truncated)"
            size = struct.unpack(">i", head[24:28])[0] * 2
            actual = path.stat().st_size
            pos, n = 100, 0
            while pos + 8 <= min(size, actual):
                fh.seek(pos)
                _num, words = struct.unpack(">ii", fh.read(8))
                if words < 0:
                    return f".shp record {n} has a negative length (corrupt)"
                pos += 8 + 2 * words
                n += 1
            if pos > actual:
                return f".shp is truncated: record {n - 1} ends at byte {pos}, the file has {actual}"
            counts[".shp"] = n
        shx = _side(path, ".shx")
        if shx is not None:
            counts[".shx"] = max(shx.stat().st_size - 100, 0) // 8
        dbf = _side(path, ".dbf")
        if dbf is not None:
            with open(dbf, "rb") as fh:
                h = fh.read(12)
            if len(h) >= 12:
                declared, header_len, record_len = struct.unpack("<IHH", h[4:12])
                counts[".dbf header"] = declared
                if record_len > 0:
                    counts[".dbf"] = max(dbf.stat().st_size - header_len, 0) // record_len
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    if len(set(counts.values())) > 1:
        said = ", ".join(f"{k} {v}" for k, v in counts.items())
        return (f"the parts of the Shapefile disagree on the number of records ({said}): a part is "
                "truncated or belongs to another file")
    return None


def _side(path: Path, ext: str) -> Path | None:
    for e in (ext, ext.upper()):
        q = path.with_suffix(e)
        if q.exists():
            return q
    return None


def open_raw(path: Path, layer: str | None) -> RawLayer:
    """Read every record of one layer of `path`; DataError if the file cannot be opened."""
    if path.suffix.lower() in PARQUET:
        return _read_parquet(path)
    if path.suffix.lower() == ".shp":
        bad = shapefile_counts(path)
        if bad:
            raise DataError(f"{path}: {bad}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # NaN coordinates are reported, not warned
            raw = _read_fiona(path, layer)
    except DataError:
        raise
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except Exception as exc:
        raise DataError(f"{path}: {diagnose(path, exc)}") from None
    if path.suffix.lower() in GEOJSON:
        bad = utf8_problem(path)
        if bad:
            raw.problems.insert(0, Problem(str(path), layer, None, None, "file", bad))
    return raw


def utf8_problem(path: Path) -> str | None:
    """Where a GeoJSON file stops being UTF-8 text, or None."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return (f"not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start} (line {line}); "
                "text values there are lost or garbled (save the file as UTF-8)")
    return None


def diagnose(path: Path, exc: BaseException) -> str:
    """Why a file could not be opened, in words a planner can act on."""
    kinds = "GeoJSON, GeoPackage, Shapefile, FlatGeobuf or GeoParquet"
    if path.is_file() and path.stat().st_size == 0:
        return "the file is empty (0 bytes)"
    if path.suffix.lower() in GEOJSON:
        import json

        try:
            doc = json.loads(path.read_bytes().decode("utf-8", errors="replace"))
        except json.JSONDecodeError as jexc:
            return f"not valid JSON (truncated or corrupt?): {jexc.msg} at line {jexc.lineno} column {jexc.colno}"
        except RecursionError:
            return "JSON nested too deeply to be read"
        if not isinstance(doc, dict) or doc.get("type") not in ("FeatureCollection", "Feature"):
            return "JSON but not GeoJSON: no FeatureCollection or Feature at the top"
    return f"cannot be read as a vector file ({kinds}): {short(exc)}"


def to_frame(raw: RawLayer, spec: LayerSpec | None, catalogue: Catalogue | None = None) -> "gpd.GeoDataFrame":
    """The GeoDataFrame of a checked layer: catalogue columns first, typed as the catalogue
    says. ``attrs`` name the layer and its file and, for a catalogue layer, the catalogue's
    metric CRS and extent (``metric_crs``, ``metric_crs_extent``), which
    :func:`ino_geo.crs.metric_crs_for` uses for data within that extent."""
    import pandas as pd

    cols = frame_columns(raw.columns, spec)
    df = pd.DataFrame.from_records([p or {} for p in raw.props], columns=cols)
    geoms = [None if (g is None or g is MALFORMED) else g for g in raw.geoms]
    return typed_frame(df, geoms, raw.crs, spec, catalogue, raw.file, raw.layer)


def frame_columns(columns: list[str], spec: LayerSpec | None) -> list[str]:
    """The column order of a layer's frame: the catalogue's columns first, then the file's others."""
    cols = list(columns)
    if spec is not None:
        cols = [c for c in spec.columns if c in columns] + [c for c in columns if c not in spec.columns]
    return cols


def typed_frame(df, geoms, crs: Any, spec: LayerSpec | None, catalogue: Catalogue | None,
                file: str, layer: str | None) -> "gpd.GeoDataFrame":
    """The GeoDataFrame of a layer from its attribute frame `df` (columns in
    :func:`frame_columns` order) and its geometries: typed as the catalogue says, with
    ``attrs`` (``layer``, ``source_file``; ``metric_crs`` and its extent for a catalogue layer).
    Shared by the record reader (:func:`to_frame`) and the fast path
    (:mod:`ino_geo.data.fastpath`), so both build the same frame."""
    import geopandas as gpd
    import pandas as pd

    gdf = gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, crs=crs), crs=crs)
    if spec is not None:
        for cname, col in spec.columns.items():
            if cname in gdf.columns and col.type == "int" and gdf[cname].notna().all():
                gdf[cname] = gdf[cname].astype("int64")
            elif cname in gdf.columns and col.type == "float":
                gdf[cname] = pd.to_numeric(gdf[cname], errors="coerce").astype("float64")
            elif cname in gdf.columns and col.type == "bool":
                gdf[cname] = gdf[cname].astype("boolean")
    gdf.attrs["layer"] = spec.name if spec else (layer or Path(file).stem)
    gdf.attrs["source_file"] = file
    if catalogue is not None and spec is not None:
        gdf.attrs["metric_crs"] = catalogue.metric_crs
        gdf.attrs["metric_crs_extent"] = catalogue.extent
    return gdf
