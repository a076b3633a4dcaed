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

__all__ = ["MapResults", "require_results", "coverage_part", "decision_part", "map_texts"]


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
    accessibility : Accessibility, optional
        What :func:`ino_geo.accessibility` returned (its ``cells`` and ``parks``: the
        ``accessibility.*`` sources).
    site_selection : SiteSelection, optional
        What :func:`ino_geo.site_selection` returned (its ``sites`` and ``newly_covered``; the
        ``site_selection.existing`` source is the parks of its park type).
    """

    coverage: Any = None
    proximity: Any = None
    park_type: str | None = None
    distance_m: float | None = None
    minutes: float | None = None
    accessibility: Any = None
    site_selection: Any = None

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


def decision_part(results: MapResults, source: str, where: str) -> "gpd.GeoDataFrame | None":
    """``accessibility.cells|parks`` or ``site_selection.sites|newly_covered`` of the results
    (``site_selection.existing`` is drawn from the parks layer: None here)."""
    kind, _, part = source.partition(".")
    if part == "existing":
        return None
    gdf = getattr(getattr(results, kind), part, None)
    if gdf is None:
        raise DataError(f"{where}: the {kind} result has no {part!r}"
                        + (" (compute it with area_coverage=True)" if part == "newly_covered" else ""))
    return gdf


def decision_park_type(results: MapResults) -> str | None:
    """The park type of the site selection result (its summary says)."""
    summary = getattr(results.site_selection, "summary", None) or {}
    return results.park_type or summary.get("park_type")


def map_texts(spec: "MapSpec", results: MapResults | None) -> tuple[str, str]:
    """The map's title and subtitle: the spec's, worded for the results it draws."""
    title, subtitle = spec.title, spec.description
    if results is None:
        return title, subtitle
    if "coverage" in spec.analyses and results.coverage is not None:
        return _coverage_texts(spec, results)
    if "accessibility" in spec.analyses and results.accessibility is not None:
        return _accessibility_texts(spec, results.accessibility, results.park_type)
    if "site_selection" in spec.analyses and results.site_selection is not None:
        return _site_texts(spec, results.site_selection)
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


def _reach_text(meta: dict) -> tuple[str, str]:
    """('2000 m', 'straight-line') of a decision result's metadata."""
    reach = f"{number(meta.get('threshold')):g} {meta.get('unit', 'm')}"
    if meta.get("mode") == "network":
        return reach, f"along the network, scenario {meta.get('scenario') or 'existing'}"
    speed = meta.get("walk_speed_kmh") or defaults.WALK_SPEED_KMH
    return reach, (f"straight-line walk at {speed:g} km/h" if meta.get("unit") == "min" else "straight-line")


def _accessibility_texts(spec: "MapSpec", acc: Any, park_type: str | None) -> tuple[str, str]:
    meta = dict(getattr(acc.cells, "attrs", {}) or {})
    kind = str(park_type or meta.get("park_type") or "").replace("_", " ")
    reach, how = _reach_text(meta)
    method = {"2sfca": "2SFCA", "e2sfca": "enhanced 2SFCA", "gravity": "gravity"}.get(meta.get("method"), meta.get("method"))
    title = f"{spec.title}: {kind + ' parks' if kind else 'parks'} within {reach}"
    cells = acc.cells
    pop = cells["population"].astype(float)
    none = float(pop[cells["n_parks"] == 0].sum()) if "n_parks" in cells.columns else float("nan")
    head = (f"{none / pop.sum() * 100:.1f} % of the people (modelled population) have no park within reach. "
            if pop.sum() > 0 and not math.isnan(none) else "")
    unit = (meta.get("units") or {}).get("score", "supply per 1,000 people")
    sub = (f"{head}{spec.description} Score: {unit} ({method}, catchment {reach}, {how}); computed in a "
           "metric CRS (EPSG:32645 for Tomsk). Population cells are modelled.")
    return title, sub.strip()


def _site_texts(spec: "MapSpec", sel: Any) -> tuple[str, str]:
    meta = dict(sel.summary or {})
    reach, how = _reach_text(meta)
    kind = str(meta.get("park_type") or "").replace("_", " ")
    n = int(meta.get("n_sites") or len(sel.sites))
    title = f"{spec.title}: {n} new {kind + ' ' if kind else ''}park{'s' if n != 1 else ''} within {reach}"
    whole = sel.table[sel.table["boundary_id"] == "all"] if "boundary_id" in sel.table.columns else sel.table.iloc[:0]
    head = ""
    if len(whole):
        r = whole.iloc[0]
        head = (f"Newly covered: {number(r.get('newly_covered')):,.0f} people; covered {number(r.get('pct_before')):.1f} % "
                f"→ {number(r.get('pct_after')):.1f} % of the people (cell centroids, modelled). ")
    how_solved = {"exact": "exact optimum"}.get(meta.get("how"), meta.get("how", ""))
    gap = number(meta.get("gap"))
    if meta.get("how") != "exact" and not math.isnan(gap):
        how_solved += f", gap {gap * 100:.1f} %"
    sub = (f"{head}{spec.description} Objective: {meta.get('objective', '')} ({how_solved}), reach {reach} ({how}), "
           "computed in EPSG:32645.")
    return title, sub.strip()
