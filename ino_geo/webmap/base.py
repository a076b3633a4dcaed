"""The offline reference base under every map, and the place labels.

The base is described once, in ``maps/base/reference.toml``: the ``[map]``/``[[layers]]``
tables of a map spec (boundaries, the Tom, roads, railways, drawn from the layers themselves)
and a ``[labels]`` table saying which points are labelled and with what priority. A map draws
it below its own layers unless its spec says ``base = false``; a layer the layers folder does
not have is left out of the base (the base never fails a map).

Labels are the settlements of the ``places`` layer (name in the map's language, priority by
``kind``, larger population first), then key sites (the parks); without a ``places`` layer,
the names of the boundaries. The page shows them by zoom level (``min_zoom`` per priority)
and leaves out a label that would overlap one of higher priority (``static/ino_geo.js``).

Examples
--------
>>> cfg = base_config()
>>> cfg.spec.layers[0].source, cfg.min_zoom[0]
('boundaries', 0)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Mapping

from ino_geo._errors import DataError
from ino_geo.webmap.checker import Checker
from ino_geo.webmap.spec import MapSpec, maps_dir, parse_map_spec

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["BaseConfig", "base_config", "base_path", "place_labels"]


@dataclass(frozen=True)
class BaseConfig:
    """The reference base: its layers (a map spec) and how places are labelled."""

    spec: MapSpec
    places: str = "places"
    priority: Mapping[str, int] = field(default_factory=dict)
    sites: str | None = None
    sites_priority: int = 5
    min_zoom: tuple[int, ...] = (0,)
    fallback: str = "boundaries"
    fallback_priority: Mapping[str, int] = field(default_factory=dict)


def base_path():
    """``maps/base/reference.toml``."""
    return maps_dir() / "base" / "reference.toml"


@lru_cache(maxsize=1)
def base_config() -> BaseConfig:
    """The parsed reference base (checked like a map spec; errors name the file and field)."""
    p = base_path()
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DataError(f"{p}: cannot read the reference base: {exc}") from None
    lab = Checker("labels", str(p), data.pop("labels", {}))
    prio = _int_table(lab, "priority")
    cfg = BaseConfig(
        spec=parse_map_spec(data, p, name="base"),
        places=lab.get("places", str, "places"),
        priority=prio,
        sites=lab.get("sites", str, None),
        sites_priority=lab.get("sites_priority", int, max(prio.values(), default=0) + 1),
        min_zoom=tuple(int(z) for z in lab.get("min_zoom", list, [0])),
        fallback=lab.get("fallback", str, "boundaries"),
        fallback_priority=_int_table(lab, "fallback_priority"),
    )
    lab.done()
    return cfg


def _int_table(c: Checker, key: str) -> dict[str, int]:
    t = c.get(key, dict, {})
    for k, v in t.items():
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            c.fail(f"{k}: expected a priority 1, 2, ...", key)
    return dict(t)


def place_labels(layers: Any, lang: str = "en", clip: Any = None) -> list[list[Any]]:
    """The labels of the map: ``[lat, lon, text, priority, min_zoom]``, most important first.

    Parameters
    ----------
    layers : Layers or mapping of GeoDataFrames
    lang : {"en", "ru"}
        ``name_ru`` in Russian where the layer has it.
    clip : shapely geometry (EPSG:4326), optional
        Only labels inside it (a focus boundary with its margin).
    """
    cfg = base_config()
    rows: list[tuple[int, float, float, float, str]] = []
    places = _get(layers, cfg.places)
    if places is not None and len(places):
        rows += _rows(places, lang, lambda r: cfg.priority.get(str(r.get("kind")), max(cfg.priority.values(), default=1)))
    else:
        fb = _get(layers, cfg.fallback)
        if fb is not None and len(fb):
            rows += [(p, y, x, pop, _short(t)) for p, y, x, pop, t in
                     _rows(fb, lang, lambda r: cfg.fallback_priority.get(str(r.get("level")), 1), point=True)]
    sites = _get(layers, cfg.sites) if cfg.sites else None
    if sites is not None and len(sites):
        rows += _rows(sites, lang, lambda r: cfg.sites_priority, point=True)
    if clip is not None:
        import shapely

        rows = [r for r in rows if shapely.contains_xy(clip, r[2], r[1])]
    rows.sort(key=lambda r: (r[0], -r[3]))
    zoom = cfg.min_zoom
    return [[round(lat, 5), round(lon, 5), text, p, zoom[min(p, len(zoom)) - 1]] for p, lat, lon, _pop, text in rows]


def _rows(gdf: "gpd.GeoDataFrame", lang: str, prio, point: bool = True) -> list[tuple[int, float, float, float, str]]:
    from ino_geo.webmap.frames import as_storage

    gdf = as_storage(gdf, "labels")
    gdf = gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
    if "name" not in gdf.columns or not len(gdf):
        return []
    pts = gdf.geometry.representative_point()
    out = []
    for (_, r), p in zip(gdf.iterrows(), pts):
        text = _name(r, lang)
        if text:
            pop = r.get("population")
            pop = float(pop) if isinstance(pop, (int, float)) and pop == pop else 0.0
            out.append((int(prio(r)), float(p.y), float(p.x), pop, text))
    return out


def _short(name: str) -> str:
    """A boundary's name without its parenthesised qualifier: 'Tomsk (urban okrug ...)' -> 'Tomsk'.

    >>> _short("Kirovsky district (Tomsk)")
    'Kirovsky district'
    """
    head = name.split(" (", 1)[0].strip()
    return head or name


def _name(r: Any, lang: str) -> str:
    en = r.get("name")
    ru = r.get("name_ru")
    pick = ru if lang == "ru" and isinstance(ru, str) and ru.strip() else en
    return pick.strip() if isinstance(pick, str) else ""


def _get(layers: Any, name: str | None) -> Any:
    if not name:
        return None
    try:
        return layers[name]
    except (KeyError, TypeError, AttributeError):
        return getattr(layers, name, None)
