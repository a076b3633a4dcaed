"""Street-network profiles of the OpenStreetMap import: which ways, which speed, which way.

The tables live in ``osm_profiles.toml`` beside this module (the highway values of each
profile, the per-``highway`` default speeds, the ``maxspeed`` zone values); this module reads
them and applies them to a table of ways, vectorised with pandas.

Examples
--------
>>> import pandas as pd
>>> parse_maxspeed(pd.Series(["50", "30 mph", "RU:urban", "60;40", "signals", None])).tolist()
[50.0, 48.28, 60.0, 40.0, nan, nan]
>>> ways = pd.DataFrame({"highway": ["primary", "residential", "motorway"],
...                      "oneway": ["yes", "-1", None], "junction": [None, None, None]})
>>> oneway_direction(ways, load_profile("drive")).tolist()
[1, -1, 1]
>>> oneway_direction(ways, load_profile("walk")).tolist()
[0, 0, 0]
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ino_geo._errors import UsageError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["PROFILES", "Profile", "load_profile", "load_tables", "parse_maxspeed", "oneway_direction",
           "select_ways", "way_speed_kmh", "normalise_tags"]

PROFILES = ("drive", "walk", "bike")
_TABLES = Path(__file__).with_name("osm_profiles.toml")
_MPH_KMH = 1.609344
_KNOT_KMH = 1.852
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph|knots)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Profile:
    """One network profile (``drive``, ``walk`` or ``bike``) as ``osm_profiles.toml`` gives it."""

    name: str
    pyrosm_network: str
    description: str
    highway: tuple[str, ...]
    oneway: str  # "vehicle", "bicycle" or "none"
    implied_oneway: dict[str, list[str]] = field(default_factory=dict)
    exclude: dict[str, list[str]] = field(default_factory=dict)
    needs_bicycle: dict[str, list[str]] = field(default_factory=dict)
    speed_kmh: float | None = None

    @property
    def tag_keys(self) -> list[str]:
        """Every OSM tag key the profile reads, besides ``highway``."""
        keys = {"name", "oneway", "maxspeed", "bridge", "tunnel", "junction", "oneway:bicycle"}
        keys |= set(self.exclude) | set(self.implied_oneway) | ({"bicycle"} if self.needs_bicycle else set())
        return sorted(keys - {"highway"})


@functools.cache
def load_tables() -> dict[str, Any]:
    """The parsed ``osm_profiles.toml`` (profiles, default speeds, maxspeed zones)."""
    return tomllib.loads(_TABLES.read_text(encoding="utf-8"))


def load_profile(name: str) -> Profile:
    """The profile `name` (``drive``, ``walk`` or ``bike``); UsageError for another name."""
    raw = load_tables()["profiles"].get(name)
    if raw is None:
        raise UsageError(f"unknown network profile {name!r}; use one of {', '.join(PROFILES)}")
    return Profile(name=name, **{k: (tuple(v) if k == "highway" else v) for k, v in raw.items()})


def normalise_tags(ways: "pd.DataFrame", keys) -> "pd.DataFrame":
    """Columns `keys` of `ways` (those present) as lower-case stripped text, '' where missing.

    The result carries ``attrs["normalised"] = True``: the functions below then read its
    columns as they are instead of normalising them again (one pass per column per import).
    """
    import pandas as pd

    out = pd.DataFrame({k: _normalise(ways[k]) for k in keys if k in ways.columns}, index=ways.index)
    out.attrs["normalised"] = True
    return out


def _normalise(values: "pd.Series") -> "pd.Series":
    return values.astype("string").str.strip().str.lower().fillna("").astype(object)


def _col(ways: "pd.DataFrame", key: str) -> "pd.Series":
    """Column `key` as lower-case stripped text ('' where missing)."""
    import pandas as pd

    if key not in ways.columns:
        return pd.Series("", index=ways.index, dtype=object)
    return ways[key] if ways.attrs.get("normalised") else _normalise(ways[key])


def select_ways(ways: "pd.DataFrame", profile: Profile) -> "pd.Series":
    """Boolean mask of the ways (rows with OSM tag columns) that belong to `profile`."""
    hw = _col(ways, "highway")
    keep = hw.isin(profile.highway)
    for key, values in profile.exclude.items():
        keep &= ~_col(ways, key).isin(values)
    if profile.needs_bicycle:
        gated = hw.isin(profile.needs_bicycle["highway"])
        keep &= ~gated | _col(ways, "bicycle").isin(profile.needs_bicycle["bicycle"])
    return keep


def parse_maxspeed(values: "pd.Series") -> "pd.Series":
    """km/h from OSM ``maxspeed`` values; NaN where the value gives no speed.

    Numbers are km/h, ``"N mph"`` miles and ``"N knots"`` knots per hour; several values
    (``"60;40"``) give the lowest; zone values (``"RU:urban"``) come from the table
    ``[maxspeed.zones]`` of ``osm_profiles.toml``; ``none`` and ``walk`` from ``[maxspeed]``.
    """
    import numpy as np
    import pandas as pd

    table = load_tables()["maxspeed"]
    zones = {k.lower(): float(v) for k, v in table["zones"].items()}
    special = {"none": float(table["none_kmh"]), "walk": float(table["walk_kmh"])}

    def one(text: str) -> float:
        best = np.nan
        for part in text.split(";"):
            part = part.strip().lower()
            m = _NUMBER.match(part)
            if m:
                unit = (m.group(2) or "").lower()
                v = float(m.group(1)) * (_MPH_KMH if unit == "mph" else _KNOT_KMH if unit == "knots" else 1.0)
                v = round(v, 2)
            else:
                v = zones.get(part, special.get(part, np.nan))
            if v > 0 and not (best <= v):
                best = v
        return best

    codes, uniq = pd.factorize(values.astype("string"))  # parse each distinct value once
    table = np.array([one(str(u)) for u in uniq] + [np.nan], dtype=float)
    return pd.Series(table[codes], index=values.index, dtype=float)


def way_speed_kmh(ways: "pd.DataFrame", profile: Profile) -> "pd.Series":
    """Travel speed of each way in `profile`, km/h (see the header of ``osm_profiles.toml``)."""
    from ino_geo import defaults

    tables = load_tables()
    default = tables["default_speed_kmh"]
    hw = _col(ways, "highway")
    by_highway = hw.map({k: float(v) for k, v in default.items()}).astype(float).fillna(float(default["other"]))
    car = parse_maxspeed(ways["maxspeed"]) if "maxspeed" in ways.columns else by_highway * float("nan")
    car = car.fillna(by_highway)
    if profile.name == "walk":
        return car * 0 + float(defaults.WALK_SPEED_KMH)
    if profile.speed_kmh is not None:
        return car.clip(upper=float(profile.speed_kmh))
    return car


def oneway_direction(ways: "pd.DataFrame", profile: Profile) -> "pd.Series":
    """The allowed direction of each way: 1 digitised only, -1 against it only, 0 both.

    ``oneway=yes|1|true`` gives 1, ``oneway=-1|reverse`` gives -1, ``oneway=no|0|false`` 0;
    without an explicit value, ``implied_oneway`` (roundabouts; motorways for drive) gives 1.
    A bike profile lets ``oneway:bicycle=no`` open both directions; walk is always 0.
    """
    import numpy as np
    import pandas as pd

    if profile.oneway == "none":
        return pd.Series(0, index=ways.index, dtype="int8")
    tag = _col(ways, "oneway")
    out = np.zeros(len(ways), dtype="int8")
    out[tag.isin(["yes", "1", "true"]).to_numpy()] = 1
    out[tag.isin(["-1", "reverse"]).to_numpy()] = -1
    implied = np.zeros(len(ways), dtype=bool)
    for key, values in profile.implied_oneway.items():
        implied |= _col(ways, key).isin(values).to_numpy()
    out[implied & (tag == "").to_numpy()] = 1
    if profile.oneway == "bicycle":
        out[_col(ways, "oneway:bicycle").isin(["no", "0", "false"]).to_numpy()] = 0
    return pd.Series(out, index=ways.index, dtype="int8")
