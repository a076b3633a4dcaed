"""Map specs: one declarative TOML file per map (``maps/*.toml``).

A map spec names the map's title, extent, base tiles and, in drawing order, its layers with
their styles, legend and popup/tooltip fields. The five built-in maps (``overview``,
``waterfront``, ``corridors``, ``coverage``, ``proximity``) are spec files in ``maps/``; a
planner adds a map by writing another one (see ``maps/README.md`` for the format).

Specs are parsed with :mod:`tomllib` and validated completely before anything is drawn: a bad
spec raises :class:`~ino_geo._errors.DataError` with one line that names the file and the field
(``maps/my.toml: layers[2].style.colour: unknown key ...``). An unknown map name raises
:class:`~ino_geo._errors.UsageError` listing the built-in names.

Examples
--------
>>> spec = load_map_spec("overview")
>>> spec.name, spec.layers[0].source
('overview', 'boundaries')
>>> parse_map_spec({"map": {"title": "Parks"}, "layers": [{"id": "parks", "layer": "parks"}]}, "my.toml").title
'Parks'
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ino_geo import defaults
from ino_geo._errors import DataError, UsageError
from ino_geo.webmap.checker import COLOR_RE as _COLOR_RE
from ino_geo.webmap.checker import NAME_RE as _NAME_RE
from ino_geo.webmap.checker import Checker as _Checker
from ino_geo.webmap.checker import tname as _tname
from ino_geo.webmap.styles import park_types

__all__ = [
    "BUILTIN_MAPS",
    "ANALYSIS_SOURCES",
    "MapSpec",
    "MapLayer",
    "LayerStyle",
    "maps_dir",
    "builtin_map_names",
    "load_map_spec",
    "parse_map_spec",
]

BUILTIN_MAPS = ("overview", "waterfront", "corridors", "coverage", "proximity")

# `analysis = "..."` sources: results of ino_geo.coverage / ino_geo.proximity
ANALYSIS_SOURCES = ("coverage.areas", "coverage.gaps", "coverage.cells", "proximity")

_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_DASH_RE = re.compile(r"^[0-9]{1,3}( [0-9]{1,3}){0,7}$")
_TILES = ("OpenStreetMap", "CartoDB positron", "none")


@dataclass(frozen=True)
class LayerStyle:
    """How a layer's features are drawn (Leaflet path options)."""

    color: str | None = None  # None: Leaflet's blue, or the color_by colour
    weight: float = 2.0
    opacity: float = 1.0
    fill: bool = True
    fill_color: str | None = None  # None: the stroke colour
    fill_opacity: float = 0.3
    dash_array: str | None = None
    radius: float = 5.0  # points, pixels

    def leaflet(self) -> dict[str, Any]:
        """The style as Leaflet path options (camelCase)."""
        out: dict[str, Any] = {
            "color": self.color or "#3388ff",
            "weight": self.weight,
            "opacity": self.opacity,
            "fill": self.fill,
            "fillColor": self.fill_color or self.color or "#3388ff",
            "fillOpacity": self.fill_opacity,
            "radius": self.radius,
        }
        if self.dash_array:
            out["dashArray"] = self.dash_array
        return out


@dataclass(frozen=True)
class MapLayer:
    """One layer of a map spec (``[[layers]]`` table).

    Exactly one of `source` kinds is set: ``layer`` (a layer of the layers folder),
    ``rings`` (distance rings around a layer) or ``analysis`` (coverage/proximity results).
    """

    id: str
    title: str
    kind: str  # "layer" | "rings" | "analysis"
    source: str  # the layer name, the ring centre layer, or the analysis source
    ring_distances_m: tuple[float, ...] = ()
    where: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    contains: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    near_layer: str | None = None
    near_m: float | None = None
    style: LayerStyle = field(default_factory=LayerStyle)
    color_by: str | None = None
    colors: Mapping[str, str] = field(default_factory=dict)  # categorical: value -> colour
    bins: tuple[float, ...] = ()  # graduated: upper bounds
    bin_colors: tuple[str, ...] = ()  # graduated: len(bins) + 1 colours
    other_color: str = "#999999"
    labels: Mapping[str, str] | tuple[str, ...] = field(default_factory=dict)  # value -> legend text, or bin labels
    popup: tuple[str, ...] = ()
    tooltip: tuple[str, ...] = ()
    legend: bool = True
    legend_title: str | None = None
    show: bool = True
    unit: str = ""  # unit of a graduated color_by field, for the legend
    title_ru: str | None = None
    legend_title_ru: str | None = None
    labels_ru: Mapping[str, str] | tuple[str, ...] = field(default_factory=dict)

    def text(self, key: str, lang: str = "en") -> str | None:
        """``title`` / ``legend_title`` in `lang` (Russian falls back to English)."""
        en = getattr(self, key)
        return (getattr(self, key + "_ru") or en) if lang == "ru" else en


@dataclass(frozen=True)
class MapSpec:
    """A validated map spec."""

    name: str
    title: str
    path: Path | None
    layers: tuple[MapLayer, ...]
    description: str = ""
    tiles: str = "OpenStreetMap"
    extent: Any = "all"  # "all" | "populated" (the population cells with people) | (lon_min, lat_min, lon_max, lat_max) | {"layer":..., "buffer_m":...}
    simplify_m: float = 5.0
    precision: int = 5
    field_labels: Mapping[str, str] = field(default_factory=dict)
    coverage: Mapping[str, Any] = field(default_factory=dict)
    proximity: Mapping[str, Any] = field(default_factory=dict)
    title_ru: str | None = None
    description_ru: str | None = None
    field_labels_ru: Mapping[str, str] = field(default_factory=dict)
    base: bool = True  # draw the offline reference base (maps/base/reference.toml) under the map

    def text(self, key: str, lang: str = "en") -> str:
        """``title`` / ``description`` in `lang` (Russian falls back to English)."""
        en = getattr(self, key)
        return (getattr(self, key + "_ru") or en) if lang == "ru" else en

    @property
    def analyses(self) -> set[str]:
        """The analyses the map needs: a subset of {"coverage", "proximity"}."""
        return {lyr.source.split(".")[0] for lyr in self.layers if lyr.kind == "analysis"}

    def label(self, column: str, lang: str = "en", catalogue_title: str | None = None) -> str:
        """The display label of an attribute column in `lang`: the spec's, else the catalogue's
        (`catalogue_title`), else the column name made readable."""
        if lang == "ru" and column in self.field_labels_ru:
            return self.field_labels_ru[column]
        if lang != "ru" and column in self.field_labels:
            return self.field_labels[column]
        if catalogue_title:
            return catalogue_title
        return self.field_labels.get(column, column.replace("_", " ").capitalize())


# -------------------------------------------------------------------------------- locating


def maps_dir() -> Path:
    """The folder of the built-in map specs (``maps/`` of the repository, or of the wheel)."""
    from ino_geo.data.shipped import data_dir

    return data_dir("maps")


def builtin_map_names() -> list[str]:
    """Names of the map specs in :func:`maps_dir` (the five built-in maps come first)."""
    d = maps_dir()
    found = sorted(p.stem for p in d.glob("*.toml")) if d.is_dir() else []
    return [n for n in BUILTIN_MAPS if n in found] + [n for n in found if n not in BUILTIN_MAPS]


def load_map_spec(name_or_path: "str | os.PathLike | MapSpec") -> MapSpec:
    """Load and validate a map spec by built-in name (``"overview"``) or from a TOML file.

    Raises
    ------
    UsageError
        Not a built-in name and not an existing file (the message lists the built-in names).
    DataError
        The file is not valid TOML, or a field is missing or wrong (names file and field).
    """
    if isinstance(name_or_path, MapSpec):
        return name_or_path
    text = os.fspath(name_or_path)
    p = Path(text)
    is_pathlike = p.suffix.lower() == ".toml" or os.sep in text or "/" in text
    if not is_pathlike:
        candidate = maps_dir() / f"{text}.toml"
        if candidate.is_file():
            p = candidate
        else:
            names = ", ".join(builtin_map_names()) or "(none found)"
            raise UsageError(f"unknown map {text!r}; built-in maps: {names} (or give a path to a .toml spec)")
    if p.is_dir():
        raise UsageError(f"{p}: is a directory, expected a map spec file (.toml)")
    if not p.is_file():
        names = ", ".join(builtin_map_names())
        raise UsageError(f"{p}: no such map spec file; built-in maps: {names}")
    try:
        raw = p.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{p}: not UTF-8 text (byte {exc.start})") from None
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"{p}: not valid TOML: {exc}") from None
    return parse_map_spec(data, p)


def parse_map_spec(data: Mapping[str, Any], path: "str | os.PathLike | None" = None, name: str | None = None) -> MapSpec:
    """Validate the parsed TOML of a map spec and return a :class:`MapSpec`.

    Parameters
    ----------
    data : mapping
        The TOML document as parsed by :func:`tomllib.loads`.
    path : path-like, optional
        The spec file, named in error messages (and its stem is the map name).
    name : str, optional
        The map name (default: the file stem, or ``"map"``).
    """
    where = os.fspath(path) if path is not None else "<map spec>"
    top = _Checker("", where, dict(data))
    m = _Checker("map", where, top.get("map", dict, required=True))
    title = m.get("title", str, required=True).strip()
    if not title:
        m.fail("must not be empty", "title")
    description = m.get("description", str, "")
    tiles = m.get("tiles", str, "OpenStreetMap")
    if tiles not in _TILES:
        m.fail(f"unknown tiles {tiles!r} (expected one of: {', '.join(_TILES)})", "tiles")
    extent = _parse_extent(m)
    simplify_m = m.number("simplify_m", 5.0, lo=0, hi=10_000)
    precision = m.get("precision", int, 5)
    if not 3 <= precision <= 8:
        m.fail(f"must be between 3 and 8 decimal places, got {precision}", "precision")
    title_ru = m.get("title_ru", str, None)
    description_ru = m.get("description_ru", str, None)
    base = m.get("base", bool, True)
    m.done()

    field_labels = _parse_field_labels(top, where, "field_labels")
    field_labels_ru = _parse_field_labels(top, where, "field_labels_ru")

    coverage = _parse_coverage(_Checker("coverage", where, top.get("coverage", dict, {})))
    proximity = _parse_proximity(_Checker("proximity", where, top.get("proximity", dict, {})))

    raw_layers = top.get("layers", list, required=True)
    if not raw_layers:
        top.fail("needs at least one [[layers]] table", "layers")
    layers = []
    ids: set[str] = set()
    for i, raw in enumerate(raw_layers):
        lyr = _parse_layer(_Checker(f"layers[{i + 1}]", where, raw))
        if lyr.id in ids:
            raise DataError(f"{where}: layers[{i + 1}].id: duplicate layer id {lyr.id!r}")
        ids.add(lyr.id)
        layers.append(lyr)
    top.done()

    layer_sources = {lyr.source for lyr in layers if lyr.kind == "layer"}
    if isinstance(extent, dict) and extent["layer"] not in layer_sources | {lyr.id for lyr in layers}:
        raise DataError(f"{where}: map.extent.layer: {extent['layer']!r} is not one of the map's layers")

    if name is None:
        name = Path(where).stem if path is not None else "map"
    return MapSpec(
        name=name, title=title, path=Path(where) if path is not None else None, layers=tuple(layers),
        description=description, tiles=tiles, extent=extent, simplify_m=float(simplify_m),
        precision=precision, field_labels=field_labels, coverage=coverage, proximity=proximity,
        title_ru=title_ru, description_ru=description_ru, field_labels_ru=field_labels_ru, base=base,
    )


def _parse_field_labels(top: _Checker, where: str, key: str) -> dict[str, str]:
    labels_tbl = top.get(key, dict, {})
    fl = _Checker(key, where, labels_tbl)
    out = {}
    for k in list(labels_tbl):
        if not _NAME_RE.match(k):
            fl.fail("not a column name", k)
        out[k] = fl.get(k, str)
    fl.done()
    return out


def _parse_extent(m: _Checker) -> Any:
    ext = m.get("extent", (str, list, dict), "all")
    if isinstance(ext, str):
        if ext not in ("all", "populated"):
            m.fail(f"expected \"all\", \"populated\", [lon_min, lat_min, lon_max, lat_max] or {{layer = ..., buffer_m = ...}}, got {ext!r}", "extent")
        return ext
    if isinstance(ext, list):
        if len(ext) != 4 or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in ext):
            m.fail("expected 4 numbers [lon_min, lat_min, lon_max, lat_max]", "extent")
        x0, y0, x1, y1 = (float(v) for v in ext)
        if not (-180 <= x0 < x1 <= 180 and -90 <= y0 < y1 <= 90):
            m.fail("not a longitude/latitude box (lon_min < lon_max in -180..180, lat_min < lat_max in -90..90)", "extent")
        return (x0, y0, x1, y1)
    e = _Checker("map.extent", m.path, ext)
    layer = e.get("layer", str, required=True)
    buffer_m = e.number("buffer_m", 0.0, lo=0, hi=defaults.MAX_DISTANCE_M)
    e.done()
    return {"layer": layer, "buffer_m": buffer_m}


def _parse_coverage(c: _Checker) -> dict[str, Any]:
    out: dict[str, Any] = {}
    pt = c.get("park_type", str, None)
    if pt is not None and pt not in park_types():
        c.fail(f"unknown park type {pt!r} (expected one of: {', '.join(park_types())})", "park_type")
    out["park_type"] = pt
    out["distance_m"] = c.number("distance_m", None, lo=0, hi=defaults.MAX_DISTANCE_M, strict_lo=True)
    out["minutes"] = c.number("minutes", None, lo=0, hi=defaults.MAX_MINUTES, strict_lo=True)
    if out["distance_m"] is not None and out["minutes"] is not None:
        c.fail("give distance_m or minutes, not both", "minutes")
    out["mode"] = _choice(c, "mode", defaults.MODES, None)
    out["scenario"] = _choice(c, "scenario", defaults.SCENARIOS, None)
    c.done()
    return out


def _parse_proximity(c: _Checker) -> dict[str, Any]:
    out: dict[str, Any] = {}
    pts = c.get("park_types", list, [])
    for i, pt in enumerate(pts):
        if pt not in park_types():
            c.fail(f"item {i + 1}: unknown park type {pt!r} (expected one of: {', '.join(park_types())})", "park_types")
    out["park_types"] = tuple(pts)
    out["origins"] = c.get("origins", str, "sites")
    k = c.get("k", int, 1)
    if not 1 <= k <= 20:
        c.fail(f"must be between 1 and 20, got {k}", "k")
    out["k"] = k
    out["links"] = _choice(c, "links", ("nearest", "each_type"), "nearest")
    out["mode"] = _choice(c, "mode", defaults.MODES, None)
    out["scenario"] = _choice(c, "scenario", defaults.SCENARIOS, None)
    c.done()
    return out


def _choice(c: _Checker, key: str, choices: tuple[str, ...], default: str | None) -> str | None:
    v = c.get(key, str, default)
    if v is not None and v not in choices:
        c.fail(f"unknown value {v!r} (expected one of: {', '.join(choices)})", key)
    return v


def _parse_layer(c: _Checker) -> MapLayer:
    lid = c.get("id", str, required=True)
    if not _ID_RE.match(lid):
        c.fail(f"{lid!r} is not a layer id (lowercase letters, digits and _, starting with a letter)", "id")
    title = c.get("title", str, None)
    kind, source, ring_d = _parse_source(c)
    where = _parse_where(c)
    contains = _parse_contains(c)
    near_layer, near_m = _parse_near(c)
    style = _parse_style(c)
    color_by, colors, bins, bin_colors, other_color = _parse_colors(c)
    labels = _parse_labels(c, colors, bins)
    labels_ru = _parse_labels(c, colors, bins, "labels_ru")

    lyr = MapLayer(
        id=lid,
        title=title if title is not None else lid.replace("_", " ").capitalize(),
        kind=kind,
        source=source,
        ring_distances_m=ring_d,
        where=where,
        contains=contains,
        near_layer=near_layer,
        near_m=near_m,
        style=style,
        color_by=color_by,
        colors=colors,
        bins=bins,
        bin_colors=bin_colors,
        other_color=other_color,
        labels=labels,
        popup=c.columns("popup"),
        tooltip=c.columns("tooltip"),
        legend=c.get("legend", bool, True),
        legend_title=c.get("legend_title", str, None),
        show=c.get("show", bool, True),
        unit=c.get("unit", str, ""),
        title_ru=c.get("title_ru", str, None),
        legend_title_ru=c.get("legend_title_ru", str, None),
        labels_ru=labels_ru,
    )
    c.done()
    return lyr


def _parse_source(c: _Checker) -> tuple[str, str, tuple[float, ...]]:
    """The layer's source: (kind, name, ring distances)."""
    sources = [k for k in ("layer", "rings", "analysis") if k in c.table]
    if len(sources) != 1:
        c.fail("give exactly one of: layer = \"NAME\", rings = {...}, analysis = \"...\""
               + (f" (got {', '.join(sources)})" if sources else ""), "layer")
    kind = sources[0]
    ring_d: tuple[float, ...] = ()
    if kind == "layer":
        source = c.get("layer", str)
        if not _ID_RE.match(source):
            c.fail(f"{source!r} is not a layer name", "layer")
    elif kind == "rings":
        r = _Checker(f"{c.where}.rings", c.path, c.get("rings", dict))
        source = r.get("around", str, required=True)
        ds = r.get("distances_m", list, required=True)
        if not ds:
            r.fail("needs at least one distance", "distances_m")
        for i, d in enumerate(ds):
            if isinstance(d, bool) or not isinstance(d, (int, float)) or not 0 < d <= 100_000:
                r.fail(f"item {i + 1}: expected a distance in metres (0 < d <= 100000), got {d!r}", "distances_m")
        if list(ds) != sorted(set(ds)):
            r.fail("distances must be increasing", "distances_m")
        ring_d = tuple(float(d) for d in ds)
        r.done()
    else:
        source = c.get("analysis", str)
        if source not in ANALYSIS_SOURCES:
            c.fail(f"unknown analysis {source!r} (expected one of: {', '.join(ANALYSIS_SOURCES)})", "analysis")
    return kind, source, ring_d


def _parse_where(c: _Checker) -> dict[str, tuple[Any, ...]]:
    where_tbl = c.get("where", dict, {})
    wc = _Checker(f"{c.where}.where", c.path, where_tbl)
    where: dict[str, tuple[Any, ...]] = {}
    for col in list(where_tbl):
        if not _NAME_RE.match(col):
            wc.fail("not a column name", col)
        vals = wc.get(col, (list, str, int, float, bool))
        vals = vals if isinstance(vals, list) else [vals]
        if not vals:
            wc.fail("needs at least one value", col)
        for v in vals:
            if not isinstance(v, (str, int, float, bool)):
                wc.fail(f"values must be strings, numbers or booleans, got {_tname(v)}", col)
        where[col] = tuple(vals)
    wc.done()
    return where


def _parse_contains(c: _Checker) -> dict[str, tuple[str, ...]]:
    contains_tbl = c.get("contains", dict, {})
    cc = _Checker(f"{c.where}.contains", c.path, contains_tbl)
    contains: dict[str, tuple[str, ...]] = {}
    for col in list(contains_tbl):
        if not _NAME_RE.match(col):
            cc.fail("not a column name", col)
        vals = cc.get(col, (list, str))
        vals = vals if isinstance(vals, list) else [vals]
        if not vals or not all(isinstance(v, str) and v for v in vals):
            cc.fail("expected a non-empty string or array of strings", col)
        contains[col] = tuple(vals)
    cc.done()
    return contains


def _parse_near(c: _Checker) -> tuple[str | None, float | None]:
    near_layer = near_m = None
    if "near" in c.table:
        n = _Checker(f"{c.where}.near", c.path, c.get("near", dict))
        near_layer = n.get("layer", str, required=True)
        near_m = n.number("within_m", required=True, lo=0, hi=defaults.MAX_DISTANCE_M)
        n.done()
    return near_layer, near_m


def _parse_style(c: _Checker) -> LayerStyle:
    s = _Checker(f"{c.where}.style", c.path, c.get("style", dict, {}))
    d = LayerStyle()
    style = LayerStyle(
        color=s.color("color", d.color),
        weight=s.number("weight", d.weight, lo=0, hi=50),
        opacity=s.number("opacity", d.opacity, lo=0, hi=1),
        fill=s.get("fill", bool, d.fill),
        fill_color=s.color("fill_color", None),
        fill_opacity=s.number("fill_opacity", d.fill_opacity, lo=0, hi=1),
        dash_array=s.get("dash_array", str, None),
        radius=s.number("radius", d.radius, lo=0.5, hi=50),
    )
    if style.dash_array is not None and not _DASH_RE.match(style.dash_array):
        s.fail(f"expected numbers separated by spaces, e.g. \"6 4\", got {style.dash_array!r}", "dash_array")
    s.done()
    return style


def _parse_colors(c: _Checker) -> tuple[str | None, dict[str, str], tuple[float, ...], tuple[str, ...], str]:
    """color_by, categorical colours (may be empty: the catalogue's), bins, bin colours, other colour."""
    color_by = c.column("color_by")
    colors_raw = c.get("colors", (dict, list), {})
    colors: dict[str, str] = {}
    bin_colors: tuple[str, ...] = ()
    bins_raw = c.get("bins", list, [])
    for i, b in enumerate(bins_raw):
        if isinstance(b, bool) or not isinstance(b, (int, float)):
            c.fail(f"item {i + 1}: expected a number, got {_tname(b)}", "bins")
    bins = tuple(float(b) for b in bins_raw)
    if list(bins) != sorted(set(bins)):
        c.fail("bins must be increasing", "bins")
    if (colors_raw or bins) and color_by is None:
        c.fail("colors/bins need color_by = \"COLUMN\"", "color_by")
    if bins:
        if not isinstance(colors_raw, list) or len(colors_raw) != len(bins) + 1:
            c.fail(f"with {len(bins)} bins give an array of {len(bins) + 1} colours", "colors")
        for i, col in enumerate(colors_raw):
            if not isinstance(col, str) or not _COLOR_RE.match(col):
                c.fail(f"item {i + 1} is not a colour: {col!r}", "colors")
        bin_colors = tuple(colors_raw)
    elif color_by is not None:
        # no colors: the catalogue's colours of the column (e.g. parks.park_type), at render time
        if not isinstance(colors_raw, dict) or ("colors" in c.table and not colors_raw):
            c.fail("categorical color_by needs a table of value = \"colour\" (or bins = [...] with a colour array)", "colors")
        for k, col in colors_raw.items():
            if not isinstance(col, str) or not _COLOR_RE.match(col):
                c.fail(f"{k}: not a colour: {col!r}", "colors")
            colors[k] = col
    other_color = c.color("other_color", "#999999")
    return color_by, colors, bins, bin_colors, other_color


def _parse_labels(c: _Checker, colors: dict[str, str], bins: tuple[float, ...],
                  key: str = "labels") -> Mapping[str, str] | tuple[str, ...]:
    labels_raw = c.get(key, (dict, list), {})
    labels: Mapping[str, str] | tuple[str, ...]
    if isinstance(labels_raw, list):
        if not bins or len(labels_raw) != len(bins) + 1:
            c.fail("an array of labels names the bins: give bins = [...] and len(bins) + 1 labels", key)
        for i, v in enumerate(labels_raw):
            if not isinstance(v, str):
                c.fail(f"item {i + 1}: expected a string, got {_tname(v)}", key)
        labels = tuple(labels_raw)
    else:
        for k, v in labels_raw.items():
            if not isinstance(v, str):
                c.fail(f"{k}: expected a string, got {_tname(v)}", key)
            if colors and k not in colors:
                c.fail(f"{k}: no colour for this value in colors (labels name the colours' values)", key)
        labels = dict(labels_raw)
    return labels
