"""The analysis results a map draws: :class:`MapResults`, and the texts they put on the map.

A map never runs an analysis: the caller passes what :func:`ino_geo.coverage` and
:func:`ino_geo.proximity` returned (``ino_geo.map_results`` runs them with the spec's
parameters). This module picks the rows to draw (the chosen park type and threshold of a
coverage result) and words the map's title and subtitle from the results' own metadata.

Examples
--------
>>> MapResults().missing({"coverage"})
['coverage']
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ino_geo import defaults
from ino_geo._errors import DataError, UsageError
from ino_geo.webmap.styles import number

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from ino_geo.webmap.spec import MapSpec

__all__ = ["MapResults", "require_results", "coverage_part", "map_texts"]


@dataclass(frozen=True)
class MapResults:
    """Already computed analysis results for a map.

    Parameters
    ----------
    coverage : Coverage, optional
        What :func:`ino_geo.coverage` returned (its ``areas``, ``gaps`` and ``cells`` are drawn
        by the ``coverage.*`` sources of a spec).
    proximity : GeoDataFrame, optional
        What :func:`ino_geo.proximity` returned (the ``proximity`` source).
    park_type : str, optional
        The park type of the coverage result to draw (default: the only one in the result).
    distance_m, minutes : float, optional
        The coverage threshold to draw, metres or minutes (default: the only one in the result).
    """

    coverage: Any = None
    proximity: Any = None
    park_type: str | None = None
    distance_m: float | None = None
    minutes: float | None = None

    def missing(self, analyses: set[str]) -> list[str]:
        """The analyses in `analyses` that have no result here."""
        return sorted(a for a in analyses if getattr(self, a, None) is None)

    def reach(self) -> tuple[str, float, str]:
        """(park type, threshold, unit) of the coverage rows to draw."""
        table = self.coverage.table
        if self.distance_m is not None and self.minutes is not None:
            raise UsageError("MapResults: give distance_m or minutes, not both")
        park_type = self.park_type or _only(table, "park_type", "park_type=")
        if self.distance_m is not None:
            return park_type, float(self.distance_m), "m"
        if self.minutes is not None:
            return park_type, float(self.minutes), "min"
        rows = table[table["park_type"] == park_type] if "park_type" in table.columns else table
        pairs = sorted({(float(t), str(u)) for t, u in zip(rows["threshold"], rows["unit"])})
        if len(pairs) != 1:
            have = ", ".join(f"{t:g} {u}" for t, u in pairs) or "none"
            raise UsageError(f"the coverage result holds {len(pairs)} thresholds for {park_type!r} ({have}): "
                             "say which with MapResults(..., distance_m=...) or minutes=...")
        return park_type, pairs[0][0], pairs[0][1]

    def reaches(self) -> list[tuple[str, float, str]]:
        """Every (park type, threshold, unit) of the coverage result, the drawn one first.

        The coverage map draws one covered-areas overlay per reach (shown: the drawn park type's)."""
        first = self.reach()
        table = self.coverage.table
        types = table["park_type"].astype(str) if "park_type" in table.columns else [first[0]] * len(table)
        found = sorted({(str(t), float(v), str(u)) for t, v, u in zip(types, table["threshold"], table["unit"])},
                       key=lambda r: (r != first, r[0] != first[0], r[0], r[2], r[1]))
        return found or [first]


def _only(table: Any, column: str, how: str) -> str:
    values = sorted({str(v) for v in table[column]}) if column in table.columns else []
    if len(values) != 1:
        raise UsageError(f"the coverage result holds {len(values)} park types ({', '.join(values) or 'none'}): "
                         f"say which with MapResults(..., {how}...)")
    return values[0]


def require_results(spec: "MapSpec", results: MapResults | None) -> MapResults:
    """`results`, checked to hold every analysis the spec draws (else :class:`UsageError`)."""
    results = results if results is not None else MapResults()
    if not isinstance(results, MapResults):
        raise UsageError(f"results: expected ino_geo.MapResults, got {type(results).__name__}")
    missing = results.missing(spec.analyses)
    if missing:
        what = " and ".join(f"{a}=ino_geo.{a}(...)" for a in missing)
        raise UsageError(f"map {spec.name!r} draws {' and '.join(missing)} results: pass "
                         f"results=ino_geo.map_results({spec.name!r}, layers), or results=ino_geo.MapResults({what})")
    return results


def coverage_part(results: MapResults, part: str, where: str, every: bool = False) -> "gpd.GeoDataFrame":
    """Rows of ``coverage.<part>`` for the chosen park type and threshold (`every`: for every
    reach of the result), with a readable ``reach``."""
    gdf = getattr(results.coverage, part, None)
    if gdf is None:
        raise DataError(f"{where}: the coverage result has no {part!r} (compute it with cells=True)")
    if every and {"park_type", "threshold", "unit"} <= set(gdf.columns):
        return gdf.assign(reach=[f"{float(v):g} {u}" for v, u in zip(gdf["threshold"], gdf["unit"])])
    park_type, value, unit = results.reach()
    out = gdf
    if "park_type" in out.columns:
        out = out[out["park_type"] == park_type]
    if "threshold" in out.columns:
        keep = (out["threshold"].astype(float) - value).abs() < 1e-9
        if "unit" in out.columns:
            keep &= out["unit"] == unit
        out = out[keep]
    return out.assign(reach=f"{value:g} {unit}")


def map_texts(spec: "MapSpec", results: MapResults | None, lang: str = "en") -> tuple[str, str]:
    """The map's title and subtitle in `lang`: the spec's, worded for the results it draws."""
    title, subtitle = spec.text("title", lang), spec.text("description", lang)
    if results is None:
        return title, subtitle
    if "coverage" in spec.analyses and results.coverage is not None:
        return _coverage_texts(spec, results, lang)
    if "proximity" in spec.analyses and results.proximity is not None:
        attrs = getattr(results.proximity, "attrs", {}) or {}
        network = attrs.get("mode") == "network"
        types = attrs.get("map_park_types") or ()
        if types:
            names = ", ".join(_type_name(t, lang) for t in types)
            title += (f": {names}" if lang != "ru" else f": {names}")
        if lang == "ru":
            kind = "по сети дорог" if network else "по прямой"
            subtitle = (subtitle + f" Расстояния в метрах ({kind}), рассчитаны в метрической СК (EPSG:32645).").strip()
        else:
            kind = "along the network" if network else "straight-line"
            subtitle = (subtitle + f" Distances in metres ({kind}), computed in a metric CRS "
                        "(EPSG:32645 for Tomsk).").strip()
    return title, subtitle


def _type_name(park_type: str, lang: str) -> str:
    if lang == "ru":
        from ino_geo.webmap.styles import load_default_catalogue

        try:
            return load_default_catalogue()["parks"].columns["park_type"].value_label(park_type, "ru")
        except (KeyError, AttributeError):
            pass
    return park_type.replace("_", " ")


def _reach_words(results: MapResults) -> tuple[list[str], str]:
    """The park types of the result and the thresholds of the drawn one ('500 / 1000 m')."""
    park_type, value, unit = results.reach()
    reaches = results.reaches()
    types = list(dict.fromkeys(t for t, _v, _u in reaches))
    values = [v for t, v, u in reaches if t == park_type and u == unit] or [value]
    return types, " / ".join(f"{v:g}" for v in values) + f" {unit}"


def _coverage_texts(spec: "MapSpec", results: MapResults, lang: str) -> tuple[str, str]:
    park_type, value, unit = results.reach()
    meta = getattr(results.coverage.table, "attrs", {}) or {}
    types, reaches = _reach_words(results)
    reach = f"{value:g} {unit}"
    speed = meta.get("walk_speed_kmh") or defaults.WALK_SPEED_KMH
    network = meta.get("mode") == "network"
    scen = meta.get("scenario") or "existing"
    if lang == "ru":
        reaches, reach = reaches.replace(" min", " мин").replace(" m", " м"), reach.replace(" min", " мин").replace(" m", " м")
        how = ("по сети дорог" if network else f"пешком по прямой, {speed:g} км/ч" if unit == "min" else "по прямой")
        title = f"{spec.text('title', lang)}: {', '.join(_type_name(t, lang) for t in types)} — в пределах {reaches}"
        subtitle = (spec.text("description", lang) + f" Доступность: {reach} ({how}"
                    + (f", сценарий {scen}" if network else "") + "); буферы в метрической СК (EPSG:32645). "
                    "Ячейки населения смоделированы.").strip()
    else:
        how = ("along the network" if network
               else f"straight-line walk at {speed:g} km/h" if unit == "min" else "straight-line")
        title = f"{spec.title}: {', '.join(t.replace('_', ' ') for t in types)} parks within {reaches}"
        subtitle = (spec.description + f" Reach: {reach} ({how}{f', scenario {scen}' if network else ''}); "
                    "buffers computed in a metric CRS (EPSG:32645 for Tomsk). Population cells are modelled.").strip()
    if len(results.reaches()) > 1:  # the overlays show every reach; the figures and cells one
        subtitle += (f" Доля покрытия, ячейки и непокрытые территории — для {reach}; слои доступности переключаются."
                     if lang == "ru" else f" The covered share, the cells and the gaps are for {reach}; each reach "
                     "is an overlay in the layer control.")
    headline = _headline(results.coverage.table, park_type, value, unit, lang)
    return title, (headline + subtitle if headline else subtitle)


def _headline(table: Any, park_type: str, value: float, unit: str, lang: str = "en") -> str:
    """'Covered: 12.3 % of the people ... and 4.2 % of the area. ' for the whole study area."""
    if table is None or not len(table) or "boundary_id" not in table.columns:
        return ""
    row = table[table["boundary_id"] == "all"]
    if "park_type" in row.columns:
        row = row[row["park_type"] == park_type]
    if "threshold" in row.columns:
        row = row[(row["threshold"].astype(float) - value).abs() < 1e-9]
    if "unit" in row.columns:
        row = row[row["unit"] == unit]
    if not len(row):
        return ""
    row = row.iloc[0]
    parts = []
    words = ((("population_pct", "населения (модель)"), ("area_pct", "площади")) if lang == "ru" else
             (("population_pct", "of the people (modelled population)"), ("area_pct", "of the area")))
    for col, what in words:
        v = number(row.get(col))
        if not math.isnan(v):
            parts.append(f"{v:.1f} % {what}")
    if lang == "ru":
        return f"Покрыто: {' и '.join(parts)}. " if parts else ""
    return f"Covered: {' and '.join(parts)}. " if parts else ""
