"""A layers folder from an OpenStreetMap extract: ``ino-geo layers from-osm``.

:func:`layers_from_osm` reads an ``.osm.pbf`` extract once for its features (pyrosm) and
once for its drive network (:func:`ino_geo.data.osm.import_osm_network`) and writes a folder
in the catalogue layout (a ``catalogue.toml`` and one GeoJSON file per layer, EPSG:4326) so
that every command runs on any city with ``--layers DIR``:

* ``parks``: polygons of the six park types by the tag mapping of ``osm_layers.toml``
  (documented there, with what is heuristic);
* ``corridors``: the drive network, one line per stretch between intersections (mode road,
  status existing, ``speed_kmh``, ``oneway``, ``bridge``);
* ``boundaries``: administrative boundaries by ``admin_level`` (municipality 6, district 9 by
  default), with the ``population`` tag where present;
* ``places``: settlements (``place=city|town|village|hamlet``) with population tags;
* ``river``: water polygons of rivers (``natural=water`` + ``water=river``, ``waterway=riverbank``).

A population grid cannot come from OSM: the folder has no ``population`` layer, so the
population figures of ``coverage`` need ``--population FILE`` (and ``proximity`` needs
``--from FILE``, as the folder has no ``sites``). Every feature has ``source`` (``OpenStreetMap
contributors, ODbL; way 123``) and ``accuracy_m`` (estimates documented in ``osm_layers.toml``).
A layer with no feature is left out of the catalogue and reported. The folder is written in a
staging folder beside the output, validated with :func:`ino_geo.load_layers`, then moved into
place, so a failure never leaves a half-written folder.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import tempfile
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from ino_geo._errors import DataError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

__all__ = ["layers_from_osm", "load_mapping", "LICENCE"]

LICENCE = "ODbL 1.0, OpenStreetMap contributors"
_SOURCE = "OpenStreetMap contributors, ODbL; "
_MAPPING = Path(__file__).with_name("osm_layers.toml")
_TAGS = ["name", "name:ru", "population", "population:date", "source:population", "admin_level", "place",
         "boundary", "natural", "water", "waterway"]
_YEAR = re.compile(r"(1[89]\d\d|20\d\d)")


@functools.cache
def load_mapping() -> dict[str, Any]:
    """The parsed tag mapping ``osm_layers.toml``."""
    return tomllib.loads(_MAPPING.read_text(encoding="utf-8"))


# ---- reading -------------------------------------------------------------------------------

def _filter(mapping: dict) -> tuple[dict, list[str]]:
    """pyrosm's custom filter (first tag of every rule) and every tag key the mapping reads."""
    rules = [r for t in mapping["parks"].values() for r in t["rules"]] + mapping["river"]["rules"]
    keep: dict[str, Any] = {"place": list(mapping["places"]["place"]), "boundary": ["administrative"]}
    keys = set(_TAGS)
    for rule in rules:
        keys |= set(rule)
        key, values = next(iter(rule.items()))
        if values == ["*"] or keep.get(key) is True:
            keep[key] = True
        else:
            keep[key] = sorted(set(keep.get(key, [])) | set(values))
    return keep, sorted(keys)


def _read_features(path: Path, mapping: dict) -> "gpd.GeoDataFrame":
    from ino_geo.data.osm import _guard, read_osm

    osm = read_osm(path)
    keep, keys = _filter(mapping)
    gdf = _guard(path, lambda: osm.get_data_by_custom_criteria(
        custom_filter=keep, filter_type="keep", tags_as_columns=keys, keep_relations=True))
    if gdf is None:
        import geopandas as gpd

        return gpd.GeoDataFrame({"id": [], "osm_type": []}, geometry=[], crs="EPSG:4326")
    if gdf.crs is None:
        gdf = gdf.set_crs("EPSG:4326")
    return gdf.reset_index(drop=True)


def _text(gdf, key: str) -> "pd.Series":
    import pandas as pd

    if key not in gdf.columns:
        return pd.Series("", index=gdf.index, dtype=object)
    return gdf[key].astype("string").fillna("").str.strip().astype(object)


def _match(gdf, rule: dict) -> np.ndarray:
    """Rows that carry every tag of `rule` (``["*"]``: any value but ``no``)."""
    ok = np.ones(len(gdf), dtype=bool)
    for key, values in rule.items():
        v = _text(gdf, key).str.lower()
        ok &= ((v != "") & (v != "no")).to_numpy() if values == ["*"] else v.isin(values).to_numpy()
    return ok


def _polygonal(geoms) -> np.ndarray:
    """Polygon/MultiPolygon geometries, repaired; None where nothing polygonal is left."""
    import shapely

    g = np.asarray(geoms, dtype=object)
    out = np.full(len(g), None, dtype=object)
    kind = shapely.get_type_id(g)
    poly = np.isin(kind, [3, 6])
    fixed = shapely.make_valid(g[poly])
    fixed = np.array([shapely.multipolygons(shapely.get_parts(f)[np.isin(shapely.get_type_id(shapely.get_parts(f)), [3])])
                      if shapely.get_type_id(f) not in (3, 6) else f for f in fixed], dtype=object)
    fixed = np.array([None if f is None or f.is_empty else f for f in fixed], dtype=object)
    out[np.flatnonzero(poly)] = fixed
    return out


def _ref(gdf) -> np.ndarray:
    return (gdf["osm_type"].astype(str) + " " + gdf["id"].astype("int64").astype(str)).to_numpy(dtype=object)


def _ident(gdf) -> np.ndarray:
    return ("osm-" + gdf["osm_type"].astype(str).str[0] + gdf["id"].astype("int64").astype(str)).to_numpy(dtype=object)


def _int_tag(values: "pd.Series") -> "pd.Series":
    digits = values.astype("string").str.replace(r"[\s,.'’]", "", regex=True)
    return digits.where(digits.str.fullmatch(r"\d+").fillna(False)).astype("Int64")


def _year(*series: "pd.Series") -> "pd.Series":
    import pandas as pd

    out = pd.Series(pd.NA, index=series[0].index, dtype="Int64")
    for s in series:
        y = s.astype("string").str.extract(_YEAR, expand=False).astype("Int64")
        out = out.fillna(y)
    return out


# ---- the layers ----------------------------------------------------------------------------

def _frame(data: dict, geoms, accuracy: float, refs) -> "gpd.GeoDataFrame":
    import geopandas as gpd
    import pandas as pd

    # positional columns: Series (of a filtered frame) would align on their index
    data = {k: (v.array if isinstance(v, pd.Series) else v) for k, v in data.items()}
    data["source"] = [_SOURCE + r for r in refs]
    data["accuracy_m"] = np.full(len(refs), float(accuracy))
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(list(geoms), crs="EPSG:4326"))


def _parks(feat, mapping, catalogue, notes: list[str]) -> "gpd.GeoDataFrame":
    ptype = catalogue["parks"].columns["park_type"]
    unknown = sorted(set(mapping["parks"]) - set(ptype.allowed or ()))
    if unknown:
        raise DataError(f"{_MAPPING}: park type(s) {', '.join(unknown)} not in the catalogue's park_type values")
    kind = np.full(len(feat), None, dtype=object)
    tag = np.full(len(feat), "", dtype=object)
    for name, spec in mapping["parks"].items():
        for rule in spec["rules"]:
            hit = _match(feat, rule) & (kind == None)  # noqa: E711 - element-wise
            kind[hit] = name
            tag[hit] = ", ".join(f"{k}={'*' if v == ['*'] else '|'.join(v)}" for k, v in rule.items())
    geoms = _polygonal(feat.geometry.values) if len(feat) else np.empty(0, dtype=object)
    typed = kind != None  # noqa: E711
    ok = typed & (geoms != None)  # noqa: E711
    if (typed & ~ok).any():
        notes.append(f"parks: {int((typed & ~ok).sum())} matching feature(s) are points or lines, not areas: left out")
    f = feat[ok]
    names = _text(f, "name").to_numpy(dtype=object)
    labels = np.array([ptype.value_label(k) for k in kind[ok]], dtype=object)
    refs = _ref(f)
    names = np.where(names == "", [f"(unnamed {lab.lower()}, OSM {r})" for lab, r in zip(labels, refs)], names)
    data = {"park_id": _ident(f), "name": names, "park_type": kind[ok], "status": "existing",
            "description": [f"OpenStreetMap {t}" for t in tag[ok]]}
    return _frame(data, geoms[ok], mapping["accuracy_m"]["parks"], refs)


def _corridors(path: Path, mapping, notes: list[str]) -> "gpd.GeoDataFrame":
    from ino_geo.data.osm import import_osm_network

    try:
        net = import_osm_network(path, "drive")
    except DataError as exc:
        if "no roads" not in str(exc):
            raise
        notes.append("corridors: the extract has no roads of the drive profile")
        return _frame({}, [], 0.0, [])
    n = net.groupby("osm_id").cumcount().to_numpy()
    names = net["name"].astype(str).to_numpy(dtype=object)
    names = np.where(names == "", "(unnamed " + net["highway"].astype(str).to_numpy(dtype=object) + ")", names)
    data = {"corridor_id": [f"osm-w{w}-{k}" for w, k in zip(net["osm_id"], n)], "name": names, "mode": "road",
            "status": "existing", "speed_kmh": net["speed_kmh"].to_numpy(), "bridge": net["bridge"].to_numpy(),
            "oneway": net["oneway"].astype("int64").to_numpy(), "highway": net["highway"].to_numpy(),
            "osm_id": net["osm_id"].to_numpy(), "length_m": net["length_m"].to_numpy(),
            "tunnel": net["tunnel"].to_numpy()}
    return _frame(data, net.geometry.values, mapping["accuracy_m"]["corridors"], [f"way {w}" for w in net["osm_id"]])


def _boundaries(feat, mapping, levels: dict[str, str], notes: list[str]) -> "gpd.GeoDataFrame":
    import shapely

    adm = (_text(feat, "boundary") == "administrative").to_numpy()
    lvl = _text(feat, "admin_level").to_numpy(dtype=object)
    level = np.full(len(feat), None, dtype=object)
    for name, value in levels.items():
        level[adm & (lvl == str(value))] = name
    geoms = _polygonal(feat.geometry.values) if len(feat) else np.empty(0, dtype=object)
    ok = (level != None) & (geoms != None)  # noqa: E711
    f, geoms, level = feat[ok], geoms[ok], level[ok]
    others = sorted({v for v in lvl[adm] if v} - {str(v) for v in levels.values()})
    if others:
        notes.append(f"boundaries: admin_level {', '.join(others)} not mapped (mapping: "
                     f"{', '.join(f'{k}={v}' for k, v in levels.items())})")
    ids = _ident(f)
    parent = np.full(len(f), None, dtype=object)
    muni = np.flatnonzero(level == "municipality")
    if len(muni):
        tree = shapely.STRtree(geoms[muni])
        dist = np.flatnonzero(level == "district")
        pts = shapely.point_on_surface(geoms[dist])
        q = tree.query(pts, predicate="within")
        parent[dist[q[0]]] = ids[muni[q[1]]]
    pop = _int_tag(_text(f, "population"))
    data = {"boundary_id": ids, "name": _named(f, "boundary"), "level": level, "parent": parent,
            "population": pop, "population_year": _year(_text(f, "population:date"), _text(f, "source:population"))
            .where(pop.notna()),
            "population_source": np.where(pop.notna(), "OpenStreetMap population tag", None)}
    return _frame(data, geoms, mapping["accuracy_m"]["boundaries"], _ref(f))


def _named(f, what: str) -> np.ndarray:
    names = _text(f, "name").to_numpy(dtype=object)
    return np.where(names == "", [f"(unnamed {what}, OSM {r})" for r in _ref(f)], names)


def _places(feat, mapping, notes: list[str]) -> "gpd.GeoDataFrame":
    import shapely

    ok = _text(feat, "place").str.lower().isin(mapping["places"]["place"]).to_numpy()
    f = feat[ok]
    pts = shapely.point_on_surface(np.asarray(f.geometry.values))
    name = _named(f, "place")
    name_ru = _text(f, "name:ru").to_numpy(dtype=object)
    pop = _int_tag(_text(f, "population"))
    data = {"place_id": _ident(f), "name": name, "name_ru": np.where(name_ru == "", name, name_ru),
            "place": _text(f, "place").str.lower().to_numpy(dtype=object), "population": pop,
            "population_year": _year(_text(f, "population:date"), _text(f, "source:population")).where(pop.notna())}
    return _frame(data, pts, mapping["accuracy_m"]["places"], _ref(f))


def _river(feat, mapping, notes: list[str]) -> "gpd.GeoDataFrame":
    hit = np.zeros(len(feat), dtype=bool)
    for rule in mapping["river"]["rules"]:
        hit |= _match(feat, rule)
    geoms = _polygonal(feat.geometry.values) if len(feat) else np.empty(0, dtype=object)
    ok = hit & (geoms != None)  # noqa: E711
    f = feat[ok]
    return _frame({"name": _named(f, "river")}, geoms[ok], mapping["accuracy_m"]["river"], _ref(f))


# ---- writing -------------------------------------------------------------------------------

def layers_from_osm(
    path: str | os.PathLike,
    output: str | os.PathLike,
    *,
    overwrite: bool = False,
    admin_levels: dict[str, str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Write a layers folder (catalogue + GeoJSON) built from an OpenStreetMap extract.

    Parameters
    ----------
    path : str or PathLike
        An ``.osm.pbf`` extract.
    output : str or PathLike
        The folder to write (must not exist unless `overwrite`).
    admin_levels : dict, optional
        ``{"municipality": "6", "district": "9"}`` (default from ``osm_layers.toml``).
    progress : callable, optional
        Called with progress lines.

    Returns
    -------
    dict
        ``{"output": str, "layers": {name: count}, "empty": [names], "notes": [lines]}``.

    Raises
    ------
    UsageError
        The output exists (without `overwrite`) or its parent folder does not.
    DataError
        Not a readable extract, or nothing at all could be mapped.
    """
    from ino_geo.data.catalogue import load_catalogue
    from ino_geo.data.osm_catalogue import catalogue_toml

    out = _check_folder(Path(output), overwrite)
    src = Path(path)
    mapping = load_mapping()
    levels = {k: str(v) for k, v in (admin_levels or mapping["boundaries"]).items()}
    shipped = load_catalogue()
    say = progress or (lambda _m: None)
    say(f"reading the features of {src}")
    feat = _read_features(src, mapping)
    notes: list[str] = []
    frames = {"parks": _parks(feat, mapping, shipped, notes)}
    say(f"importing the road network of {src}")
    frames["corridors"] = _corridors(src, mapping, notes)
    frames["boundaries"] = _boundaries(feat, mapping, levels, notes)
    frames["places"] = _places(feat, mapping, notes)
    frames["river"] = _river(feat, mapping, notes)
    empty = [n for n, f in frames.items() if len(f) == 0]
    frames = {n: f for n, f in frames.items() if len(f)}
    if not frames:
        raise DataError(f"{src}: nothing could be mapped (no parks, roads, boundaries, places or river)")
    notes.append("population: OpenStreetMap has no population grid; use coverage --population FILE for people "
                 "covered, proximity --from FILE for origins (no sites layer)")
    text = catalogue_toml(shipped, frames, title=f"OpenStreetMap layers of {src.name}")
    _write_staged(out, frames, text, overwrite)
    return {"output": str(out), "layers": {n: int(len(f)) for n, f in frames.items()}, "empty": empty,
            "notes": notes}


def _check_folder(out: Path, overwrite: bool) -> Path:
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: exists and is not a folder")
    if out.exists() and not overwrite:
        raise UsageError(f"{out}: exists; pass --overwrite to replace it")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"{out}: folder {parent} does not exist")
    return out


def _write_staged(out: Path, frames: dict, catalogue_text: str, overwrite: bool) -> None:
    """Write the folder in a staging folder beside `out`, validate it, then move it into place."""
    from ino_geo.data.layers import load_layers

    parent = out.parent if str(out.parent) else Path(".")
    try:
        stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".staging", dir=parent))
    except OSError as exc:
        raise DataError(f"{out}: cannot write in folder {parent}: {exc.strerror or exc}") from None
    try:
        for name, gdf in frames.items():
            gdf.to_file(stage / f"{name}.geojson", driver="GeoJSON", engine="pyogrio")
        (stage / "catalogue.toml").write_text(catalogue_text, encoding="utf-8")
        load_layers(stage)  # the folder must be catalogue-valid before it replaces anything
        os.chmod(stage, 0o755)  # mkdtemp makes it private; a layers folder is ordinary data
        old = None
        if out.exists():
            _check_folder(out, overwrite)
            old = parent / f".{out.name}.old-{os.getpid()}"
            os.replace(out, old)
        os.replace(stage, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(stage)
