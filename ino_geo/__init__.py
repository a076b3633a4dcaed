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
    "Catalogue": "data.catalogue",
    "LayerSpec": "data.catalogue",
    "load_catalogue": "data.catalogue",
    "Layers": "data.layers",
    "load_layers": "data.layers",
    "read_layer": "data.layers",
    "default_layers_dir": "data.shipped",
    "read_points": "data.points",
    # analysis: coverage, proximity, networks, scenarios
    "Coverage": "analysis.coverage",
    "coverage": "engine.api",
    "covered_shares": "analysis.shares",
    "proximity": "engine.api",
    "nearest_polygons": "analysis.nearest",
    "Accessibility": "analysis.accessibility",
    "accessibility": "engine.api",
    "SiteSelection": "analysis.site_selection",
    "site_selection": "analysis.site_selection",
    "Network": "network.graph",
    "build_network": "network.graph",
    "snap": "network.snapping",
    "od_costs": "network.routing",
    "node_costs": "network.routing",
    "nearest_costs": "network.routing",
    "isochrone": "network.isochrones",
    "select_corridors": "network.scenarios",
    "scenario_network": "network.scenarios",
    "compare_scenarios": "analysis.compare",
    # OpenStreetMap extracts
    "import_osm_network": "data.osm",
    "network_from_path": "data.osm",
    "layers_from_osm": "data.osm_layers",
    # validation
    "Problem": "data.validate",
    "validate_path": "data.validate",
    "validate_frame": "data.validate",
    "LayerReport": "data.validate",
    # repair and export
    "repair_geometries": "data.repair",
    "export_layers": "data.export",
    # maps
    "MapSpec": "webmap.spec",
    "MapLayer": "webmap.spec",
    "load_map_spec": "webmap.spec",
    "parse_map_spec": "webmap.spec",
    "builtin_map_names": "webmap.spec",
    "MapResults": "webmap.results",
    "render_map": "webmap.render",
    "render_all": "webmap.render",
    "export_html": "webmap.render",
    "embed_snippet": "webmap.render",
    # the analyses of maps (above analysis and webmap)
    "map_results": "mapdata",
    "builtin_map_results": "mapdata",
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
