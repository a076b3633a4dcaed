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


def coverage_part(results: MapResults, part: str, where: str) -> "gpd.GeoDataFrame":
    """Rows of ``coverage.<part>`` for the chosen park type and threshold, with a readable ``reach``."""
    gdf = getattr(results.coverage, part, None)
    if gdf is None:
        raise DataError(f"{where}: the coverage result has no {part!r} (compute it with cells=True)")
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


def map_texts(spec: "MapSpec", results: MapResults | None) -> tuple[str, str]:
    """The map's title and subtitle: the spec's, worded for the results it draws."""
    title, subtitle = spec.title, spec.description
    if results is None:
        return title, subtitle
    if "coverage" in spec.analyses and results.coverage is not None:
        return _coverage_texts(spec, results)
    if "proximity" in spec.analyses and results.proximity is not None:
        network = getattr(results.proximity, "attrs", {}).get("mode") == "network"
        kind = "along the network" if network else "straight-line"
        subtitle = (spec.description + f" Distances in metres ({kind}), computed in a metric CRS "
                    "(EPSG:32645 for Tomsk).").strip()
    return title, subtitle


def _coverage_texts(spec: "MapSpec", results: MapResults) -> tuple[str, str]:
    park_type, value, unit = results.reach()
    meta = getattr(results.coverage.table, "attrs", {}) or {}
    reach = f"{value:g} {unit}"
    speed = meta.get("walk_speed_kmh") or defaults.WALK_SPEED_KMH
    network = meta.get("mode") == "network"
    how = ("along the network" if network
           else f"straight-line walk at {speed:g} km/h" if unit == "min" else "straight-line")
    scen = f", scenario {meta.get('scenario') or 'existing'}" if network else ""
    title = f"{spec.title}: {park_type.replace('_', ' ')} parks within {reach}"
    subtitle = (spec.description + f" Reach: {reach} ({how}{scen}); buffers computed in a metric CRS "
                "(EPSG:32645 for Tomsk). Population cells are modelled.").strip()
    headline = _headline(results.coverage.table, park_type, value, unit)
    return title, (headline + subtitle if headline else subtitle)


def _headline(table: Any, park_type: str, value: float, unit: str) -> str:
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
    for col, what in (("population_pct", "of the people (modelled population)"), ("area_pct", "of the area")):
        v = number(row.get(col))
        if not math.isnan(v):
            parts.append(f"{v:.1f} % {what}")
    return f"Covered: {' and '.join(parts)}. " if parts else ""
