"""The analysis tables of a map spec: ``[coverage]``, ``[proximity]``, ``[accessibility]``,
``[site_selection]`` (park type, reach, mode, scenario and each analysis' own keys), checked.
"""

from __future__ import annotations

from typing import Any

from ino_geo import defaults
from ino_geo.webmap.checker import Checker
from ino_geo.webmap.styles import park_types

__all__ = ["parse_coverage", "parse_proximity", "parse_accessibility", "parse_site_selection"]


def parse_coverage(c: Checker) -> dict[str, Any]:
    out = _parse_reach(c)
    c.done()
    return out


def parse_accessibility(c: Checker) -> dict[str, Any]:
    """``[accessibility]``: the reach table plus ``method`` (checked by ``ino_geo.map_results``)."""
    out = _parse_reach(c)
    out["method"] = c.get("method", str, None)
    c.done()
    return out


def parse_site_selection(c: Checker) -> dict[str, Any]:
    """``[site_selection]``: the reach table plus ``new`` (sites) and ``objective``."""
    out = _parse_reach(c)
    new = c.get("new", int, None)
    if new is not None and not 1 <= new <= 100:
        c.fail(f"must be between 1 and 100, got {new}", "new")
    out["new"] = new
    out["objective"] = c.get("objective", str, None)
    c.done()
    return out


def _parse_reach(c: Checker) -> dict[str, Any]:
    """park_type, distance_m or minutes, mode, scenario of an analysis table."""
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
    return out


def parse_proximity(c: Checker) -> dict[str, Any]:
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


def _choice(c: Checker, key: str, choices: tuple[str, ...], default: str | None) -> str | None:
    v = c.get(key, str, default)
    if v is not None and v not in choices:
        c.fail(f"unknown value {v!r} (expected one of: {', '.join(choices)})", key)
    return v
