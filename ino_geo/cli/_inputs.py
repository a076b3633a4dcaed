"""Resolving the inputs of the analysis commands: a layer name or a file path."""

from __future__ import annotations

from pathlib import Path


def layer_or_file(state, lay, value: str, option: str):
    """The layer named `value` in the layers folder, else the vector file at path `value`."""
    from ino_geo._errors import UsageError
    from ino_geo.data.layers import read_layer

    if value in lay:
        return lay[value]
    if Path(value).exists() or ":" in value:
        state.progress(f"reading {value}")
        return read_layer(value)
    raise UsageError(f"{option} {value}: no layer or file of that name (layers: {', '.join(lay)})")


def network_layer(state, lay, network_path: str | None, profile: str = "drive", cache: bool = True):
    """The line layer to route on: --network PATH (a vector file, or an OSM extract whose
    `profile` network is imported through the cache), else the corridors layer."""
    from ino_geo._errors import UsageError
    from ino_geo.data.layers import read_layer
    from ino_geo.data.osm import is_osm_extract, network_from_path

    if network_path and is_osm_extract(network_path):
        return network_from_path(network_path, profile, cache=cache, progress=state.progress)
    if network_path:
        state.progress(f"reading network {network_path}")
        return read_layer(network_path)
    if "corridors" not in lay:
        raise UsageError("network mode needs a corridors layer or --network PATH")
    return lay["corridors"]


def river_layer(lay):
    """The river (the barrier no walking leg crosses), if the layers have one."""
    return lay["river"] if "river" in lay else None
