"""The layer catalogue: one TOML file that describes every layer once.

The loader, the validator and ``ino-geo layers list`` all read it, so adding a layer or a
column is a change in one place (``layers/catalogue.toml``). A planner can point the toolkit
at another folder with the same layout (``--layers DIR``).
"""

from __future__ import annotations

import functools
import math
import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ino_geo._errors import DataError, UsageError
from ino_geo.data.shipped import default_layers_dir

__all__ = ["ColumnSpec", "LayerSpec", "Catalogue", "load_catalogue", "CATALOGUE_FILE", "GEOMETRY_TYPES"]

CATALOGUE_FILE = "catalogue.toml"
GEOMETRY_TYPES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}
_COLUMN_TYPES = {"str", "int", "float", "bool"}
_COLUMN_KEYS = {"type", "required", "nullable", "unique", "allowed", "min", "max", "description", "label", "label_ru",
                "labels", "labels_ru", "colors"}
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
_LAYER_KEYS = {"file", "geometry", "id", "title", "description", "source", "licence", "columns", "optional"}


@dataclass(frozen=True)
class ColumnSpec:
    """One attribute column of a layer.

    Attributes
    ----------
    name, type : str
        Column name and type (``str``, ``int``, ``float`` or ``bool``).
    required : bool
        The column must exist.
    nullable : bool
        Empty values (null, NaN, blank string) are allowed.
    unique : bool
        Values must be unique within the layer.
    allowed : tuple or None
        The allowed values.
    min, max : float or None
        Inclusive numeric range.
    label, label_ru : str
        Human name of the column, in English and Russian.
    labels, labels_ru : dict
        Human label of each allowed value, in English and Russian.
    colors : dict
        Map colour (``#rrggbb``) of each allowed value: the one palette of this field.
    """

    name: str
    type: str
    required: bool = True
    nullable: bool = False
    unique: bool = False
    allowed: tuple | None = None
    min: float | None = None
    max: float | None = None
    description: str = ""
    label: str = ""
    label_ru: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    labels_ru: dict[str, str] = field(default_factory=dict)
    colors: dict[str, str] = field(default_factory=dict)

    def value_label(self, value: Any, lang: str = "en") -> str:
        """The human label of an allowed `value` (``"research_education"`` ->
        ``"Research & education"``) in `lang` (``en`` or ``ru``); the value itself when the
        catalogue gives none."""
        table = self.labels_ru if lang == "ru" and self.labels_ru else self.labels
        return table.get(value, str(value))

    def title(self, lang: str = "en") -> str:
        """The human name of the column itself (``"Park type"``), else its name."""
        return (self.label_ru if lang == "ru" and self.label_ru else self.label) or self.name


@dataclass(frozen=True)
class LayerSpec:
    """One layer of the catalogue: its file, geometry types and columns."""

    name: str
    file: str
    geometry: tuple[str, ...]
    columns: dict[str, ColumnSpec]
    id: str | None = None
    title: str = ""
    description: str = ""
    source: str = ""
    licence: str = ""
    optional: bool = False  # a folder may lack the file (the layer is then absent)

    @property
    def required_columns(self) -> list[str]:
        """Names of the columns that must exist."""
        return [c.name for c in self.columns.values() if c.required]


@dataclass(frozen=True)
class Catalogue:
    """A parsed catalogue file and the folder it describes.

    Attributes
    ----------
    crs : str
        The CRS every layer file must be stored in.
    metric_crs : str
        The projected CRS (metres) in which the layers are measured: the loader hands it to
        every layer (``gdf.attrs["metric_crs"]``) and :func:`ino_geo.crs.metric_crs_for`
        uses it for data within `extent`.
    extent : tuple or None
        ``(lon_min, lat_min, lon_max, lat_max)`` where the layers may lie.
    """

    path: Path
    name: str
    crs: str
    metric_crs: str
    layers: dict[str, LayerSpec]
    extent: tuple[float, float, float, float] | None = None
    licence: str = ""

    @property
    def folder(self) -> Path:
        """The folder the catalogue lives in; layer files are relative to it."""
        return self.path.parent

    def layer_path(self, name: str) -> Path:
        """Path of the file of layer `name`."""
        return self.folder / self[name].file

    def __getitem__(self, name: str) -> LayerSpec:
        try:
            return self.layers[name]
        except KeyError:
            raise UsageError(
                f"{self.path}: no layer named {name!r}; layers: {', '.join(self.layers)}"
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self.layers

    def __iter__(self):
        return iter(self.layers.values())

    def match(self, path: str | Path, layer: str | None = None) -> LayerSpec | None:
        """The catalogue layer that a file (or a layer inside it) is checked against.

        A GeoPackage layer matches by its layer name; a file by its name without extension
        (``parks.shp`` matches ``parks``) or by the file name the catalogue gives.
        """
        if layer and layer in self.layers:
            return self.layers[layer]
        p = Path(path)
        for spec in self.layers.values():
            if p.name == spec.file:
                return spec
        stem = p.name.split(".")[0]
        return self.layers.get(stem)


def _fail(path: Path, where: str, message: str) -> DataError:
    return DataError(f"{path}: {where}: {message}")


def _column(path: Path, where: str, name: str, raw: Any) -> ColumnSpec:
    raw = _table(path, where, raw, _COLUMN_KEYS, "a table of column properties")
    ctype = raw.get("type")
    if ctype not in _COLUMN_TYPES:
        raise _fail(path, f"{where}.type", f"{ctype!r} is not one of {', '.join(sorted(_COLUMN_TYPES))}")
    for key in ("required", "nullable", "unique"):
        if key in raw and not isinstance(raw[key], bool):
            raise _fail(path, f"{where}.{key}", "must be true or false")
    allowed = raw.get("allowed")
    if allowed is not None and (not isinstance(allowed, list) or not allowed):
        raise _fail(path, f"{where}.allowed", "must be a non-empty list")
    if allowed is not None and not all(isinstance(v, (str, int, float, bool)) for v in allowed):
        raise _fail(path, f"{where}.allowed", "must list values (text, numbers, true or false), not tables or lists")
    for key in ("min", "max"):
        v = raw.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)):
            raise _fail(path, f"{where}.{key}", "must be a finite number")
    tables = {}
    for key in ("labels", "labels_ru", "colors"):
        table = raw.get(key, {})
        if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            raise _fail(path, f"{where}.{key}", "must be a table of value = \"text\"")
        stray = sorted(set(table) - set(allowed or table))
        if stray:
            raise _fail(path, f"{where}.{key}", f"{', '.join(stray)}: not among the allowed values")
        if key == "colors":
            bad = sorted(k for k, v in table.items() if not _COLOR.fullmatch(v))
            if bad:
                raise _fail(path, f"{where}.colors.{bad[0]}", "must be a colour #rrggbb")
        tables[key] = dict(table)
    for key in ("label", "label_ru"):
        if not isinstance(raw.get(key, ""), str):
            raise _fail(path, f"{where}.{key}", "must be text")
    return ColumnSpec(
        name=name,
        type=ctype,
        required=raw.get("required", True),
        nullable=raw.get("nullable", False),
        unique=raw.get("unique", False),
        allowed=tuple(allowed) if allowed is not None else None,
        min=raw.get("min"),
        max=raw.get("max"),
        description=raw.get("description", ""),
        label=raw.get("label", ""),
        label_ru=raw.get("label_ru", ""),
        **tables,
    )


def _metric_crs(path: Path, value: Any) -> str:
    """``catalogue.metric_crs``: a projected CRS in metres (where the layers are measured)."""
    from ino_geo.crs import is_projected

    try:
        ok = isinstance(value, str) and is_projected(value)
    except Exception:  # pyproj cannot parse it
        ok = False
    if not ok:
        raise _fail(path, "catalogue.metric_crs", f"{value!r} is not a projected CRS in metres (e.g. \"EPSG:32645\")")
    return value


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Read and check a catalogue file (or the ``catalogue.toml`` of a folder).

    The file is parsed and checked once per content: later calls while its bytes are unchanged
    return a copy of the cached catalogue (a changed file is parsed again, whatever its
    modification time). Each call returns its own copy: changing it changes nothing for others.

    Parameters
    ----------
    path : str or Path, optional
        A catalogue file, or a folder containing ``catalogue.toml``. Default: the shipped
        Tomsk layers.

    Returns
    -------
    Catalogue

    Raises
    ------
    UsageError
        The path does not exist or has no catalogue.
    DataError
        The catalogue is malformed (the message names the file and the key).

    Examples
    --------
    >>> cat = load_catalogue()
    >>> cat["parks"].geometry
    ('Polygon', 'MultiPolygon')
    >>> cat["parks"].columns["park_type"].allowed[:2]
    ('industrial', 'innovation')
    """
    p = _catalogue_file(path)
    cat = _parsed(p, os.path.realpath(p), p.read_bytes())
    for spec in cat:  # the files' links are the folder's, not the catalogue's: checked every time
        _inside_folder(p, f"layers.{spec.name}.file", spec.file)
    return _fresh(cat)


@functools.lru_cache(maxsize=16)
def _parsed(p: Path, real: str, data: bytes) -> Catalogue:
    """The catalogue of file `p` (really at `real`) whose bytes are `data`, checked once: a
    later call with the same file unchanged is a cache hit, a changed file (other bytes) is
    parsed again whatever its modification time says. Never handed out as is
    (:func:`load_catalogue` returns a copy); a malformed file raises and is not cached."""
    del real  # part of the cache key only: the folder the layer paths are checked against
    raw = _read_toml(p, data)
    head = raw.get("catalogue", {})
    if not isinstance(head, dict):
        raise _fail(p, "catalogue", "must be a table")
    metric = _metric_crs(p, head.get("metric_crs", "EPSG:32645"))
    extent = _extent(p, head.get("extent"))
    common_raw = raw.get("common", {}).get("columns", {})
    common = {name: _column(p, f"common.columns.{name}", name, spec) for name, spec in common_raw.items()}
    layers_raw = raw.get("layers")
    if not isinstance(layers_raw, dict) or not layers_raw:
        raise _fail(p, "layers", "the catalogue describes no layers ([layers.NAME] tables)")
    return Catalogue(
        path=p,
        name=head.get("name", p.parent.name),
        crs=head.get("crs", "EPSG:4326"),
        metric_crs=metric,
        layers={name: _layer(p, name, lraw, common, head.get("licence", "")) for name, lraw in layers_raw.items()},
        extent=extent,
        licence=head.get("licence", ""),
    )


def _fresh(cat: Catalogue) -> Catalogue:
    """A copy of `cat` that shares nothing mutable with it (its dicts are new; the rest is
    immutable), so a caller changing what it got cannot change the cached catalogue."""
    return replace(cat, layers={name: replace(spec, columns={c: _fresh_column(col) for c, col in spec.columns.items()})
                                for name, spec in cat.layers.items()})


def _fresh_column(col: ColumnSpec) -> ColumnSpec:
    """`col` with its own label and colour tables (``allowed`` is a tuple of plain values)."""
    return replace(col, labels=dict(col.labels), labels_ru=dict(col.labels_ru), colors=dict(col.colors))


def _catalogue_file(path: str | Path | None) -> Path:
    p = Path(path if path is not None else default_layers_dir())
    if p.is_dir():
        p = p / CATALOGUE_FILE
    if not p.exists():
        where = p.parent if p.name == CATALOGUE_FILE else p
        raise UsageError(f"{where}: no {CATALOGUE_FILE} found (a layers folder needs one)")
    if not p.is_file():
        raise DataError(f"{p}: not a regular file (a folder, device or pipe)")
    return p


def _read_toml(p: Path, data: bytes) -> dict:
    """The TOML of file `p` read as `data` (UTF-8, universal newlines as in ``read_text``)."""
    try:
        return tomllib.loads(data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n"))
    except UnicodeDecodeError as exc:
        raise DataError(f"{p}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"{p}: not valid TOML: {exc}") from None
    except RecursionError:
        raise DataError(f"{p}: not valid TOML: nested too deeply") from None


def _extent(p: Path, extent: Any) -> tuple[float, float, float, float] | None:
    """``catalogue.extent``: [lon_min, lat_min, lon_max, lat_max], or None."""
    if extent is None:
        return None
    if (
        not isinstance(extent, list)
        or len(extent) != 4
        or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in extent)
        or not (extent[0] < extent[2] and extent[1] < extent[3])
    ):
        raise _fail(p, "catalogue.extent", "must be [lon_min, lat_min, lon_max, lat_max] with min < max")
    return tuple(float(v) for v in extent)


def _table(p: Path, where: str, raw: Any, known: set[str], what: str = "a table") -> dict:
    """`raw` as a table with only `known` keys; DataError naming `where` otherwise."""
    if not isinstance(raw, dict):
        raise _fail(p, where, f"must be {what}")
    unknown = set(raw) - known
    if unknown:
        raise _fail(p, where, f"unknown key(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}")
    return raw


def _inside_folder(p: Path, where: str, file: str) -> None:
    """A layer file must lie inside the catalogue's folder: relative, no ``..``, and not a
    symbolic link (or a path through one) that resolves outside it."""
    rel = Path(file)
    if rel.is_absolute() or file.startswith(("/", "\\")) or ".." in rel.parts or "\x00" in file:
        raise _fail(p, where, f"{file!r} leaves the layers folder; give a path relative to {p.parent}")
    folder = os.path.realpath(p.parent)
    target = os.path.realpath(p.parent / rel)
    if os.path.commonpath([folder, target]) != folder:
        raise _fail(p, where, f"{file!r} resolves outside the layers folder (to {target})")


def _layer(p: Path, name: str, lraw: Any, common: dict[str, ColumnSpec], licence: str) -> LayerSpec:
    """One ``[layers.NAME]`` table, checked."""
    where = f"layers.{name}"
    lraw = _table(p, where, lraw, _LAYER_KEYS)
    file = lraw.get("file")
    if not isinstance(file, str) or not file:
        raise _fail(p, f"{where}.file", "missing: the layer's file name")
    _inside_folder(p, f"{where}.file", file)
    geom = lraw.get("geometry")
    if isinstance(geom, str):
        geom = [geom]
    if not isinstance(geom, list) or not geom or not set(geom) <= GEOMETRY_TYPES:
        raise _fail(p, f"{where}.geometry", f"must list geometry types from {', '.join(sorted(GEOMETRY_TYPES))}")
    cols = dict(common)
    for cname, craw in (lraw.get("columns") or {}).items():
        cols[cname] = _column(p, f"{where}.columns.{cname}", cname, craw)
    optional = lraw.get("optional", False)
    if not isinstance(optional, bool):
        raise _fail(p, f"{where}.optional", "must be true or false")
    lid = lraw.get("id")
    if lid is not None and lid not in cols:
        raise _fail(p, f"{where}.id", f"{lid!r} is not one of the layer's columns")
    return LayerSpec(
        name=name,
        file=file,
        geometry=tuple(geom),
        columns=cols,
        id=lid,
        title=lraw.get("title", name),
        description=lraw.get("description", ""),
        source=lraw.get("source", ""),
        licence=lraw.get("licence", licence),
        optional=optional,
    )
