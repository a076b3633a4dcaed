"""Defaults and limits of every analysis, in one place.

A light module (standard library only): the CLI imports it for option defaults and help
texts without importing geopandas, and the analysis, network and map code read the same
values. Change a default here and every command, function and map follows.

Examples
--------
>>> from ino_geo import defaults
>>> defaults.WALK_SPEED_KMH
4.5
>>> round(defaults.walk_m_per_min(), 1)
75.0
"""

from __future__ import annotations

__all__ = [
    "WALK_SPEED_KMH",
    "MAX_SNAP_M",
    "DENSIFY_M",
    "MAX_DISTANCE_M",
    "MAX_MINUTES",
    "MIN_RADIUS_M",
    "MODES",
    "SCENARIOS",
    "walk_m_per_min",
    "SITE_TIME_LIMIT_S",
    "SITE_EXACT_MAX_PAIRS",
]

#: Walking speed of the legs to and from the network, and of straight-line minutes (km/h).
WALK_SPEED_KMH = 4.5
#: How far a place may be from the network and still snap to it (metres).
MAX_SNAP_M = 1000.0
#: Spacing of the points along a corridor at which places may join it (metres).
DENSIFY_M = 25.0
#: The largest distance threshold accepted anywhere (metres).
MAX_DISTANCE_M = 500_000.0
#: The largest travel-time threshold accepted anywhere (minutes: one day).
MAX_MINUTES = 24 * 60.0
#: Buffer radii below this are taken as 0 (GEOS returns empty buffers for thin parks there).
MIN_RADIUS_M = 1e-6
#: Ways of measuring: straight line, or along the network.
MODES = ("euclidean", "network")
#: Network scenarios: today's corridors, or with the planned ones at design speed.
SCENARIOS = ("existing", "planned")
#: The coverage threshold of the built-in coverage map and of ``ino-geo build`` (metres).


def walk_m_per_min(speed_kmh: float = WALK_SPEED_KMH) -> float:
    """Metres walked per minute at `speed_kmh`."""
    return speed_kmh * 1000.0 / 60.0


# -- site selection (ino_geo.site_selection) ------------------------------------------------
#: Default time limit of the exact site-selection solve (seconds).
SITE_TIME_LIMIT_S = 60.0
#: Largest model solved exactly (MILP) by default: nonzeros of the reduced coverage matrix
#: (max-coverage, min-sites) or demand x site pairs (p-median); larger ones use the lazy greedy.
SITE_EXACT_MAX_PAIRS = 1_000_000
