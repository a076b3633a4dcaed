"""Scenarios: which corridors exist, at which speed, and what the planned ones change.

Scenario semantics (they refine the issue's wording, so that a road that exists today and is
to be reconstructed, such as Kamayevka--Asino, is not missing from ``existing``):

``existing``
    corridors with ``status == "existing"`` at ``speed_kmh``, and corridors with
    ``status == "reconstruction"`` at ``current_speed_kmh`` (the speed today); a
    reconstruction corridor whose ``current_speed_kmh`` is empty (or a layer without that
    column) is impassable today and left out. Planned corridors are left out.
``planned``
    every corridor (existing, reconstruction, planned) at ``speed_kmh`` (the speed once built
    or reconstructed).

A line layer without a ``status`` column (a planner's own street layer) is used whole, at its
``speed_kmh``, in both scenarios.

:func:`prepare_network` is the network-mode setup coverage and proximity share (the
scenario's network and the river barrier); comparing the scenarios' coverage is
:func:`ino_geo.analysis.compare.compare_scenarios`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from ino_geo._errors import UsageError
from ino_geo.defaults import SCENARIOS
from ino_geo.network.graph import Network, build_network
from ino_geo.network.snapping import barrier_geometry

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["check_scenario", "select_corridors", "scenario_network", "prepare_network"]


def check_scenario(scenario: str) -> str:
    """`scenario`, or UsageError unless it is one of :data:`ino_geo.defaults.SCENARIOS`."""
    if scenario not in SCENARIOS:
        raise UsageError(f"unknown scenario {scenario!r}; use one of {', '.join(SCENARIOS)}")
    return scenario


def select_corridors(corridors: "gpd.GeoDataFrame", scenario: str = "existing") -> "gpd.GeoDataFrame":
    """The corridors usable in `scenario`, with ``speed_kmh`` set to the speed in that scenario.

    Parameters
    ----------
    corridors : GeoDataFrame
        The corridors layer (or any line layer with ``speed_kmh``).
    scenario : ``"existing"`` or ``"planned"``

    Returns
    -------
    GeoDataFrame
        A copy; the original speed is kept in ``design_speed_kmh``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import LineString
    >>> c = gpd.GeoDataFrame({"corridor_id": ["a", "b", "c"],
    ...     "status": ["existing", "reconstruction", "planned"],
    ...     "speed_kmh": [60.0, 90.0, 90.0], "current_speed_kmh": [None, 40.0, None]},
    ...     geometry=[LineString([(0, 0), (1, 0)])] * 3, crs="EPSG:32645")
    >>> select_corridors(c, "existing")[["corridor_id", "speed_kmh"]].values.tolist()
    [['a', 60.0], ['b', 40.0]]
    >>> select_corridors(c, "planned")["speed_kmh"].tolist()
    [60.0, 90.0, 90.0]
    """
    check_scenario(scenario)
    out = corridors.copy()
    if "speed_kmh" in out.columns:
        out["design_speed_kmh"] = out["speed_kmh"]
    if "status" not in out.columns or scenario == "planned":
        return out
    status = out["status"].astype(str)
    current = out["current_speed_kmh"] if "current_speed_kmh" in out.columns else None
    keep = status == "existing"
    if current is not None:
        recon = (status == "reconstruction") & current.notna()
        out.loc[recon, "speed_kmh"] = current[recon].astype(float)
        keep = keep | recon
    return out[keep.to_numpy()]


def scenario_network(
    lines: Any,
    scenario: str = "existing",
    *,
    crs: Any = None,
    modes: Sequence[str] | None = ("road",),
    name: str = "corridors",
):
    """A :class:`~ino_geo.network.graph.Network` for `scenario` from a line layer (or a Network as is)."""
    if isinstance(lines, Network):
        return lines
    return build_network(select_corridors(lines, scenario), crs=crs, modes=modes, name=name)


def prepare_network(network: Any, scenario: str, *, crs: Any, river: Any, progress: Any = None):
    """The scenario's network and the river barrier, both in `crs`: the setup that network-mode
    coverage and proximity share.

    Returns
    -------
    (Network, geometry or None)
    """
    check_scenario(scenario)
    if network is None:
        raise UsageError("network mode needs a network (the corridors layer or --network PATH)")
    import geopandas as gpd

    from ino_geo.network.graph import Network

    if not isinstance(network, (Network, gpd.GeoDataFrame)):
        raise UsageError(f"network: expected a line layer (GeoDataFrame) or a Network, got {type(network).__name__}")
    if progress is not None:
        progress(f"building the network ({scenario})")
    return scenario_network(network, scenario, crs=crs), barrier_geometry(river, crs)
