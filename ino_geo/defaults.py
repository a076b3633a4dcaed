"""Defaults and limits of every analysis, in one place.

A light module (the standard library and ino_geo's exceptions only): the CLI imports it for option defaults and help
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

import math
from typing import Any

from ino_geo._errors import UsageError

__all__ = [
    "WALK_SPEED_KMH",
    "MAX_SNAP_M",
    "DENSIFY_M",
    "MAX_DISTANCE_M",
    "FOCUS_MARGIN_M",
    "POPULATED_SHARE",
    "MAX_MINUTES",
    "MIN_RADIUS_M",
    "MODES",
    "SCENARIOS",
    "BUILD_DISTANCES_M",
    "walk_m_per_min",
    "check_threshold",
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
#: The coverage distances of ``ino-geo build`` (metres).
BUILD_DISTANCES_M = (500.0, 1000.0, 3000.0)
#: Margin around a map's focus boundary (``--focus``): features within it are shown, metres.
FOCUS_MARGIN_M = 2000.0
#: A map with ``extent = "populated"`` opens on the densest population cells holding this share of the people.
POPULATED_SHARE = 0.75
#: The largest threshold of each unit of :func:`check_threshold`.
_LIMITS = {"m": MAX_DISTANCE_M, "min": MAX_MINUTES}


def walk_m_per_min(speed_kmh: float = WALK_SPEED_KMH) -> float:
    """Metres walked per minute at `speed_kmh`."""
    return speed_kmh * 1000.0 / 60.0


def check_threshold(option: str, value: Any, unit: str, *, positive: bool = False) -> float:
    """`value` of a threshold `option` as a number within the limits of `unit` (``m`` or ``min``).

    Raises
    ------
    UsageError
        Not a number, not finite, negative (or 0 when `positive`), or over the limit
        (:data:`MAX_DISTANCE_M`, :data:`MAX_MINUTES`).

    Examples
    --------
    >>> check_threshold("--distance", "500", "m")
    500.0
    >>> check_threshold("--minutes", 0, "min", positive=True)
    Traceback (most recent call last):
    ...
    ino_geo._errors.UsageError: --minutes 0: must be a positive number
    """
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise UsageError(f"{option} {value!r}: not a number") from None
    if positive and not (0 < f < math.inf):
        raise UsageError(f"{option} {f:g}: must be a positive number")
    if not math.isfinite(f) or f < 0:
        raise UsageError(f"{option} {value}: must be a finite number >= 0")
    top = _LIMITS[unit]
    if f > top:
        raise UsageError(f"{option} {value}: larger than the allowed {top:g} {unit}")
    return f
# -- site selection (ino_geo.site_selection) ------------------------------------------------
#: Default time limit of the exact site-selection solve (seconds).
SITE_TIME_LIMIT_S = 60.0
#: Largest model solved exactly (MILP) by default: nonzeros of the reduced coverage matrix
#: (max-coverage, min-sites) or demand x site pairs (p-median); larger ones use the lazy greedy.
SITE_EXACT_MAX_PAIRS = 1_000_000
