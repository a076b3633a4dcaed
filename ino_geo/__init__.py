"""ino_geo: territory planning toolkit for the Tomsk agglomeration (INO Tomsk).

A flat public namespace: ``ino_geo.load_layers``, ``ino_geo.coverage``, ``ino_geo.proximity``,
``ino_geo.render_map`` and friends. Names are imported lazily on first use, so that importing
the package (and running ``ino-geo --help``) does not import geopandas.
"""

from __future__ import annotations

import importlib
from typing import Any

from ._errors import DataError, InoGeoError, UsageError, ValidationError
from ._version import __version__

# public name -> module that defines it
_LAZY: dict[str, str] = {
    # crs
    "STORAGE_CRS": "crs",
    "METRIC_CRS": "crs",
    "is_projected": "crs",
    "metric_crs_for": "crs",
    "to_metric": "crs",
    # catalogue and layers
    "Catalogue": "catalogue",
    "LayerSpec": "catalogue",
    "load_catalogue": "catalogue",
    "Layers": "layers",
    "load_layers": "layers",
    "read_layer": "layers",
    "default_layers_dir": "layers",
    # analysis: coverage, proximity, networks, scenarios
    "Coverage": "service_area",
    "coverage": "service_area",
    "covered_shares": "service_area",
    "proximity": "nearest",
    "nearest_polygons": "nearest",
    "Network": "network",
    "build_network": "network",
    "snap": "network",
    "od_costs": "network",
    "node_costs": "network",
    "nearest_costs": "network",
    "isochrone": "network",
    "select_corridors": "scenarios",
    "scenario_network": "scenarios",
    "compare_scenarios": "scenarios",
    # validation
    "Problem": "validate",
    "validate_path": "validate",
    "validate_frame": "validate",
    "LayerReport": "validate",
    # repair and export
    "repair_geometries": "repair",
    "export_layers": "export",
    # maps
    "MapSpec": "mapspec",
    "MapLayer": "mapspec",
    "load_map_spec": "mapspec",
    "parse_map_spec": "mapspec",
    "builtin_map_names": "mapspec",
    "render_map": "render",
    "render_all": "render",
    "export_html": "render",
    "embed_snippet": "render",
}

__all__ = sorted(
    ["__version__", "InoGeoError", "DataError", "UsageError", "ValidationError", *_LAZY]
)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ino_geo' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
