"""Street networks from OpenStreetMap extracts (``.osm.pbf``), read with pyrosm.

:func:`import_osm_network` reads the ways of a profile (``drive``, ``walk``, ``bike``; see
``osm_profiles.toml``) with pyrosm's network parser, optionally clips them to a boundary or a
box, splits them at every node they share with another way (an intersection) and returns a
routable line layer in EPSG:4326, one row per edge between intersections:

==========  =====================================================================
osm_id      the OSM way id the edge comes from
name        the way's ``name`` (empty if none)
highway     the way's ``highway`` value
oneway      1: only in the digitised direction; -1: only against it; 0: both ways
speed_kmh   travel speed (``maxspeed``, else the per-highway default; walk: walking speed)
length_m    geodesic length on the WGS 84 ellipsoid, metres
bridge      ``bridge`` tagged (anything but ``no``)
tunnel      ``tunnel`` tagged (anything but ``no``)
==========  =====================================================================

Every edge ends where it meets another edge, so :func:`ino_geo.build_network` (which joins
lines at shared vertices) routes on the result; ways that cross without a shared node (a
bridge over a road) stay unconnected, as in OSM.

:func:`network_from_path` does the same through a cache keyed by the file's content
(``sha256`` of the bytes, the profile and :data:`IMPORTER_VERSION`), so that analysing the
same extract again skips the import (``--network city.osm.pbf``). pyrosm itself also keeps
a result cache of its reads under ``<tempdir>/pyrosm/cache`` (keyed by path, size and
modification time; ``pyrosm.OSM.clear_cache(path)`` empties it).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ino_geo._errors import DataError, UsageError
from ino_geo.data.osm_profiles import load_profile, normalise_tags, oneway_direction, select_ways, way_speed_kmh

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["IMPORTER_VERSION", "NETWORK_COLUMNS", "import_osm_network", "network_from_path", "read_osm",
           "parse_clip", "cache_dir", "split_at_junctions", "is_osm_extract"]

#: Bump when the import's output changes: cached networks of older versions are not reused.
IMPORTER_VERSION = "1"
NETWORK_COLUMNS = ["osm_id", "name", "highway", "oneway", "speed_kmh", "length_m", "bridge", "tunnel"]
_BBOX = re.compile(r"^\s*(-?\d+(?:\.\d*)?)\s*,\s*(-?\d+(?:\.\d*)?)\s*,\s*(-?\d+(?:\.\d*)?)\s*,\s*(-?\d+(?:\.\d*)?)\s*$")


def is_osm_extract(path: str | os.PathLike) -> bool:
    """Whether `path` names an OSM PBF extract (by its extension ``.pbf``)."""
    return str(path).lower().endswith(".pbf")


def _check_file(p: Path) -> Path:
    if not p.exists():
        raise UsageError(f"{p}: no such file")
    if not p.is_file():
        raise UsageError(f"{p}: is not a file (an .osm.pbf extract expected)")
    return p


def read_osm(path: str | os.PathLike):
    """A :class:`pyrosm.OSM` reader for `path`, after checking that the file exists."""
    p = _check_file(Path(path))
    try:
        from pyrosm import OSM
    except ImportError:  # pragma: no cover - pyrosm is in the 'osm' extra
        raise UsageError("reading OpenStreetMap extracts needs pyrosm: pip install 'ino-geo[osm]'") from None
    return _guard(p, lambda: OSM(str(p), progress=False))


def _guard(path: Path, call):
    """Run a pyrosm call; turn its failures on a bad file into one DataError naming the file."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return call()
    except (UsageError, DataError, MemoryError, KeyboardInterrupt):
        raise
    except Exception as exc:  # pyrosm's PBFException, protobuf's DecodeError, zlib errors...
        detail = str(exc).split(". ")[0].replace(str(path), "").strip(" '\"") or type(exc).__name__
        raise DataError(f"{path}: not a complete, valid OSM PBF extract (truncated or corrupt?): {detail}") from None


def _read_ways(path: Path, profile) -> "gpd.GeoDataFrame | None":
    """The ways of `profile`: ``id``, ``name``, the tags the profile reads (normalised, see
    :func:`~ino_geo.data.osm_profiles.normalise_tags`) and the geometry; None if it has none."""
    import geopandas as gpd

    osm = read_osm(path)
    raw = _guard(path, lambda: osm.get_network(network_type=profile.pyrosm_network,
                                               extra_attributes=profile.tag_keys))
    if raw is None or len(raw) == 0:
        return None
    tags = normalise_tags(raw, ["highway", *profile.tag_keys, "maxspeed"])
    keep = select_ways(tags, profile).to_numpy()
    tags = tags[keep]
    tags.attrs["normalised"] = True
    tags["id"] = raw["id"].to_numpy(dtype=np.int64)[keep]
    tags["name"] = (raw["name"].astype("string").fillna("").to_numpy(dtype=object)[keep] if "name" in raw.columns
                    else "")
    return gpd.GeoDataFrame(tags, geometry=raw.geometry.values[keep], crs=raw.crs or "EPSG:4326")


def parse_clip(clip: Any, layers_dir: str | os.PathLike | None = None):
    """The clip area as a shapely geometry in EPSG:4326, or None.

    `clip` is None, a shapely geometry, a ``(minx, miny, maxx, maxy)`` box in degrees, the
    text ``"minx,miny,maxx,maxy"``, or the ``boundary_id`` or name of a boundary of the layers
    folder `layers_dir` (default: the shipped layers).
    """
    import shapely

    if clip is None or isinstance(clip, shapely.Geometry):
        return clip
    if isinstance(clip, str):
        m = _BBOX.match(clip)
        if not m:
            return _boundary(clip, layers_dir)
        clip = tuple(float(v) for v in m.groups())
    try:
        x0, y0, x1, y1 = (float(v) for v in clip)
    except (TypeError, ValueError):
        raise UsageError(f"--clip {clip!r}: expected a boundary or minx,miny,maxx,maxy in degrees") from None
    if not (-180 <= x0 < x1 <= 180 and -90 <= y0 < y1 <= 90):
        raise UsageError(f"--clip {x0},{y0},{x1},{y1}: not a box in degrees with min < max "
                         "(longitude -180..180, latitude -90..90)")
    return shapely.box(x0, y0, x1, y1)


def _boundary(text: str, layers_dir):
    from ino_geo.data.layers import load_layers

    lay = load_layers(layers_dir)
    if "boundaries" not in lay:
        raise UsageError(f"--clip {text}: the layers folder has no boundaries layer; give minx,miny,maxx,maxy")
    b = lay["boundaries"]
    key = text.strip().casefold()
    hit = b[(b["boundary_id"].astype(str).str.casefold() == key) | (b["name"].astype(str).str.casefold() == key)]
    if hit.empty:
        raise UsageError(f"--clip {text}: no boundary of that id or name; boundaries: "
                         f"{', '.join(b['boundary_id'].astype(str))}")
    return hit.geometry.union_all()


def _clip(ways: "gpd.GeoDataFrame", area) -> "gpd.GeoDataFrame":
    """The parts of `ways` inside `area`, each kept in the way's digitised direction."""
    import shapely

    ways = ways[ways.intersects(area)]
    inside = shapely.intersection(ways.geometry.values, area)
    parts, idx = shapely.get_parts(np.asarray(inside), return_index=True)
    lines = shapely.get_type_id(parts) == 1
    parts, idx = parts[lines], idx[lines]
    orig = np.asarray(ways.geometry.values)[idx]
    a = shapely.line_locate_point(orig, shapely.get_point(parts, 0))
    b = shapely.line_locate_point(orig, shapely.get_point(parts, -1))
    parts = np.where(b < a, shapely.reverse(parts), parts)
    out = ways.iloc[idx].copy()
    out = out.set_geometry(list(parts), crs=ways.crs)
    return out


def split_at_junctions(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split lines at every vertex they share with another line (or revisit themselves).

    Parameters
    ----------
    geoms : array of LineString / MultiLineString

    Returns
    -------
    edges : array of LineString
        One line per stretch between shared vertices, in the direction of its line.
    line : array of int
        For each edge, the position in `geoms` of the line it comes from.

    Examples
    --------
    >>> from shapely import LineString
    >>> e, i = split_at_junctions(np.array([LineString([(0, 0), (1, 0), (2, 0)]),
    ...                                     LineString([(1, -1), (1, 0), (1, 1)])]))
    >>> [list(g.coords) for g in e], i.tolist()
    ([[(0.0, 0.0), (1.0, 0.0)], [(1.0, 0.0), (2.0, 0.0)], [(1.0, -1.0), (1.0, 0.0)], [(1.0, 0.0), (1.0, 1.0)]], [0, 0, 1, 1])
    """
    import shapely

    kinds = shapely.get_type_id(geoms)
    if (kinds == 1).all():  # LineStrings only (the usual case): no need to copy the parts
        parts, line_of_part = geoms, np.arange(len(geoms))
    else:
        parts, line_of_part = shapely.get_parts(geoms, return_index=True)
    coords, part = shapely.get_coordinates(parts, return_index=True)
    repeat = np.zeros(len(coords), dtype=bool)
    repeat[1:] = (part[1:] == part[:-1]) & (coords[1:] == coords[:-1]).all(axis=1)
    coords, part = coords[~repeat], part[~repeat]
    ok = np.bincount(part, minlength=len(parts))[part] >= 2  # a part needs two distinct vertices
    coords, part = coords[ok], part[ok]
    if len(coords) == 0:
        return np.empty(0, dtype=object), np.empty(0, dtype=np.int64)
    first = np.ones(len(part), dtype=bool)
    first[1:] = part[1:] != part[:-1]
    last = np.ones(len(part), dtype=bool)
    last[:-1] = first[1:]
    key = np.ascontiguousarray(coords).view(np.complex128).ravel()
    _, inv, counts = np.unique(key, return_inverse=True, return_counts=True)
    split = (counts[inv.ravel()] >= 2) & ~first & ~last
    src = np.repeat(np.arange(len(coords)), 1 + split)
    second = np.zeros(len(src), dtype=bool)
    second[1:] = src[1:] == src[:-1]
    start = first[src] | second
    offsets = np.append(np.flatnonzero(start), len(src))
    edges = shapely.from_ragged_array(shapely.GeometryType.LINESTRING, coords[src], (offsets,))
    return np.asarray(edges), line_of_part[part[src[start]]]


def _geodesic_lengths(edges: np.ndarray) -> np.ndarray:
    import shapely
    from pyproj import Geod

    xy, idx = shapely.get_coordinates(edges, return_index=True)
    same = idx[1:] == idx[:-1]
    _, _, d = Geod(ellps="WGS84").inv(xy[:-1, 0][same], xy[:-1, 1][same], xy[1:, 0][same], xy[1:, 1][same])
    return np.bincount(idx[:-1][same], weights=d, minlength=len(edges))


def _flag(ways, key: str) -> np.ndarray:
    """A yes/no tag (normalised): anything but no, 0, false or missing counts as yes."""
    if key not in ways.columns:
        return np.zeros(len(ways), dtype=bool)
    return ~ways[key].isin(["no", "0", "false", ""]).to_numpy(dtype=bool)


def import_osm_network(
    path: str | os.PathLike,
    profile: str = "drive",
    clip: Any = None,
    *,
    layers_dir: str | os.PathLike | None = None,
) -> "gpd.GeoDataFrame":
    """A routable street network of `profile` from an OpenStreetMap PBF extract.

    Parameters
    ----------
    path : str or PathLike
        An ``.osm.pbf`` extract.
    profile : ``"drive"``, ``"walk"`` or ``"bike"``
        Which ways, at which speed, in which directions (``ino_geo/data/osm_profiles.toml``).
    clip : optional
        Keep only the parts inside an area: a boundary id or name of `layers_dir`, a
        ``"minx,miny,maxx,maxy"`` text or tuple in degrees, or a shapely geometry in EPSG:4326.
    layers_dir : optional
        Layers folder for a boundary `clip` (default: the shipped layers).

    Returns
    -------
    GeoDataFrame
        Edges between intersections in EPSG:4326 with the columns of :data:`NETWORK_COLUMNS`
        (see the module docstring); ``attrs`` gives the source, profile, CRS and units.

    Raises
    ------
    UsageError
        No such file, an unknown profile, a bad clip.
    DataError
        The file is not a complete OSM PBF extract, or it holds no ways of the profile (in
        the clip area).
    """
    import geopandas as gpd

    prof = load_profile(profile)
    p = Path(path)
    area = parse_clip(clip, layers_dir)
    ways = _read_ways(p, prof)
    if ways is not None and area is not None and len(ways):
        ways = _clip(ways, area)
    if ways is None or len(ways) == 0:
        where = " inside the clip area" if area is not None else ""
        raise DataError(f"{p}: no roads of profile {profile!r}{where} (highway: {', '.join(prof.highway[:4])}, ...)")
    ways = ways.reset_index(drop=True)
    ways.attrs["normalised"] = True  # the tag columns of _read_ways, also after a clip
    edges, w = split_at_junctions(np.asarray(ways.geometry.values))
    out = gpd.GeoDataFrame({
        "osm_id": ways["id"].to_numpy(dtype=np.int64)[w],
        "name": ways["name"].to_numpy(dtype=object)[w],
        "highway": ways["highway"].astype(str).to_numpy(dtype=object)[w],
        "oneway": oneway_direction(ways, prof).to_numpy()[w],
        "speed_kmh": way_speed_kmh(ways, prof).to_numpy(dtype=float)[w],
        "length_m": _geodesic_lengths(edges),
        "bridge": _flag(ways, "bridge")[w],
        "tunnel": _flag(ways, "tunnel")[w],
    }, geometry=gpd.GeoSeries(edges, crs=ways.crs))
    out.attrs.update(source=f"OpenStreetMap contributors, ODbL ({p.name})", profile=profile, crs="EPSG:4326",
                     units={"length_m": "metres (geodesic, WGS 84)", "speed_kmh": "km/h"},
                     importer_version=IMPORTER_VERSION)
    return out


def cache_dir() -> Path:
    """The user cache folder: ``$INO_GEO_CACHE``, else ``$XDG_CACHE_HOME/ino-geo``, else
    ``~/.cache/ino-geo``."""
    if os.environ.get("INO_GEO_CACHE"):
        return Path(os.environ["INO_GEO_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ino-geo"


def _content_key(path: Path, profile: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    h.update(f"|profile={profile}|importer={IMPORTER_VERSION}".encode())
    return h.hexdigest()


def network_from_path(path: str | os.PathLike, profile: str = "drive", cache: bool = True,
                      progress: Any = None) -> "gpd.GeoDataFrame":
    """The `profile` network of an OSM extract, from the cache when this content was imported.

    The cache entry is ``<cache_dir()>/networks/<sha256>.parquet``, keyed by the bytes of the
    file, the profile and :data:`IMPORTER_VERSION`; it is written atomically (a temporary file
    renamed into place), and an unreadable entry is imported again. ``cache=False`` neither
    reads nor writes the cache.
    """
    import geopandas as gpd

    p = Path(path)
    load_profile(profile)
    _check_file(p)
    if not cache:
        return import_osm_network(p, profile)
    entry = cache_dir() / "networks" / f"{_content_key(p, profile)}.parquet"
    if entry.is_file():
        try:
            gdf = gpd.read_parquet(entry)
            if progress:
                progress(f"network of {p.name} ({profile}) from the cache {entry}")
            gdf.attrs.update(source=f"OpenStreetMap contributors, ODbL ({p.name})", profile=profile)
            return gdf
        except Exception:  # a damaged entry: import again and replace it
            pass
    if progress:
        progress(f"importing the {profile} network of {p.name}")
    gdf = import_osm_network(p, profile)
    _write_cache(gdf, entry)
    return gdf


def _write_cache(gdf: "gpd.GeoDataFrame", entry: Path) -> None:
    """Write a cache entry atomically; a cache that cannot be written is skipped silently."""
    with contextlib.suppress(OSError):
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".parquet.tmp", dir=entry.parent)
        os.close(fd)
        try:
            gdf.to_parquet(tmp)
            os.replace(tmp, entry)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

