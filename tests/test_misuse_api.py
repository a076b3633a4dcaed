"""The API under misuse (issue 10): a CRS with large scale distortion, inputs in different
CRSs, scalars where lists are expected, booleans as numbers, wrong types."""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pytest
from shapely import Point

import ino_geo
from ino_geo import DataError, UsageError
from ino_geo.crs import MAX_SCALE_ERROR, metric_crs_for, scale_error


@pytest.fixture(scope="module")
def lay():
    return ino_geo.load_layers()


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def test_web_mercator_is_never_the_metric_crs():
    g = gpd.GeoDataFrame(geometry=[Point(84.95, 56.48), Point(85.0, 56.5)], crs=4326).to_crs(3857)
    log, seen = logging.getLogger("ino_geo"), _Records()
    level = log.level
    log.addHandler(seen)
    log.setLevel(logging.INFO)
    try:
        assert metric_crs_for(g) == "EPSG:32645"
    finally:
        log.removeHandler(seen)
        log.setLevel(level)
    assert any("scale error" in r.getMessage() and "EPSG:32645" in r.getMessage() for r in seen.records)
    assert metric_crs_for(g, crs="EPSG:3857") == "EPSG:32645"  # asked for, still refused


@pytest.mark.parametrize("crs, expected", [
    ("EPSG:32645", "EPSG:32645"),  # Tomsk in its own zone: kept
    ("EPSG:32644", "EPSG:32644"),  # one zone west: 0.04 % at Tomsk, kept
    ("EPSG:32643", "EPSG:32645"),  # two zones west: 0.4 % at Tomsk, replaced
    ("EPSG:3576", "EPSG:32645"),  # an Arctic equal-area CRS: 4.5 % off in distances at Tomsk
])
def test_a_projected_crs_is_kept_only_with_small_scale_error(crs, expected):
    g = gpd.GeoDataFrame(geometry=[Point(84.8, 56.4), Point(85.1, 56.6)], crs=4326).to_crs(crs)
    err = scale_error(crs, (84.8, 56.4, 85.1, 56.6))
    assert (err <= MAX_SCALE_ERROR) == (expected == crs)
    assert metric_crs_for(g) == expected


def test_utm_far_from_its_zone_is_replaced():
    # 500 km west of zone 45's central meridian at the equator: 0.27 % scale error
    g = gpd.GeoDataFrame(geometry=[Point(0, 0), Point(1000, 1000)], crs="EPSG:32645")
    assert scale_error("EPSG:32645", (81.0, 0.0, 81.1, 0.1)) > MAX_SCALE_ERROR
    assert metric_crs_for(g) != "EPSG:32645"


def test_proximity_in_web_mercator_equals_lonlat(lay):
    ref = ino_geo.proximity(lay.sites, lay.parks)
    got = ino_geo.proximity(lay.sites.to_crs(3857), lay.parks.to_crs(3857))
    np.testing.assert_allclose(got["distance_m"], ref["distance_m"], rtol=1e-6, atol=1e-6)
    assert got.attrs["metric_crs"] == "EPSG:32645"


def test_proximity_inputs_in_different_crss_are_brought_to_one(lay):
    ref = ino_geo.proximity(lay.sites, lay.parks)
    got = ino_geo.proximity(lay.sites.to_crs(3857), lay.parks.to_crs(32645))
    np.testing.assert_allclose(got["distance_m"], ref["distance_m"], rtol=1e-6, atol=1e-6)


def test_coverage_in_web_mercator_counts_the_same_people(lay):
    kw = dict(distances=[1000], population=lay.population, boundaries=lay.boundaries, cells=False)
    ref = ino_geo.coverage(lay.parks, **kw).table
    got = ino_geo.coverage(lay.parks.to_crs(3857), **kw).table
    np.testing.assert_allclose(got["population"], ref["population"], rtol=1e-6)
    np.testing.assert_allclose(got["area_km2"], ref["area_km2"], rtol=1e-6)


def test_coverage_with_crs_web_mercator_asked_measures_in_utm(lay):
    ref = ino_geo.coverage(lay.parks, distances=[500], population=lay.population, cells=False).table
    got = ino_geo.coverage(lay.parks, distances=[500], population=lay.population, cells=False, crs="EPSG:3857").table
    np.testing.assert_allclose(got["population"], ref["population"], rtol=1e-6)


# ---------------------------------------------------------------------------------------------
# arguments


def test_a_string_where_a_list_is_expected_is_one_element(lay):
    t = ino_geo.coverage(lay.parks, distances="1000", park_types="medical", cells=False).table
    assert set(t["threshold"]) == {1000.0} and set(t["park_type"]) == {"medical"}
    t = ino_geo.coverage(lay.parks, distances=500.0, minutes=np.float64(5), park_types=("sport",), cells=False).table
    assert sorted(set(zip(t["threshold"], t["unit"]))) == [(5.0, "min"), (500.0, "m")]
    r = ino_geo.proximity(lay.sites, lay.parks, park_types="medical")
    assert set(r["park_type"]) == {"medical"}


BAD_CALLS = {
    "distance True": lambda L: ino_geo.coverage(L.parks, distances=True),
    "distances [True]": lambda L: ino_geo.coverage(L.parks, distances=[500, True]),
    "distances np.bool_": lambda L: ino_geo.coverage(L.parks, distances=[np.True_]),
    "minutes False": lambda L: ino_geo.coverage(L.parks, minutes=False),
    "distances dict": lambda L: ino_geo.coverage(L.parks, distances={500: 1}),
    "distances object": lambda L: ino_geo.coverage(L.parks, distances=object()),
    "distances [None]": lambda L: ino_geo.coverage(L.parks, distances=[None]),
    "distances word": lambda L: ino_geo.coverage(L.parks, distances="far"),
    "park_types int": lambda L: ino_geo.coverage(L.parks, distances=500, park_types=5),
    "park_types [None]": lambda L: ino_geo.coverage(L.parks, distances=500, park_types=[None]),
    "parks str": lambda L: ino_geo.coverage("parks", distances=500),
    "parks DataFrame": lambda L: ino_geo.coverage(L.parks.drop(columns="geometry"), distances=500),
    "population str": lambda L: ino_geo.coverage(L.parks, distances=500, population="population"),
    "boundaries list": lambda L: ino_geo.coverage(L.parks, distances=500, boundaries=[1]),
    "mode list": lambda L: ino_geo.coverage(L.parks, distances=500, mode=["network"]),
    "walk speed True": lambda L: ino_geo.coverage(L.parks, minutes=5, walk_speed_kmh=True),
    "max_snap True": lambda L: ino_geo.proximity(L.sites, L.parks, max_snap=True),
    "k True": lambda L: ino_geo.proximity(L.sites, L.parks, k=True),
    "k str": lambda L: ino_geo.proximity(L.sites, L.parks, k="2"),
    "origins str": lambda L: ino_geo.proximity("sites", L.parks),
    "destinations list": lambda L: ino_geo.proximity(L.sites, [1, 2]),
    "crs garbage": lambda L: ino_geo.proximity(L.sites, L.parks, crs="garbage"),
    "crs geographic": lambda L: ino_geo.proximity(L.sites, L.parks, crs=4326),
    "network str": lambda L: ino_geo.proximity(L.sites, L.parks, mode="network", network="corridors", river=L.river),
    "progress int": lambda L: ino_geo.proximity(L.sites, L.parks, progress=5),
    "river str": lambda L: ino_geo.proximity(L.sites, L.parks, mode="network", network=L.corridors, river="Tom"),
    "step 0": lambda L: ino_geo.coverage(L.parks, minutes=5, mode="network", network=L.corridors, river=L.river, step=0),
    "step True": lambda L: ino_geo.coverage(L.parks, distances=500, step=True),
    "distances complex": lambda L: ino_geo.coverage(L.parks, distances=500 + 0j),
    "distances nested": lambda L: ino_geo.coverage(L.parks, distances=[[500]]),
    "read_layer int": lambda L: ino_geo.read_layer(5),
    "load_layers list": lambda L: ino_geo.load_layers(["layers"]),
    "metric_crs_for str": lambda L: ino_geo.metric_crs_for("parks"),
}


@pytest.mark.parametrize("name", list(BAD_CALLS))
def test_misused_arguments_raise_the_packages_own_errors(lay, name):
    with pytest.raises((UsageError, DataError)) as info:
        BAD_CALLS[name](lay)
    assert "\n" not in str(info.value)
