"""``metric_crs`` of catalogue.toml: read, checked, and used to measure the layers it describes."""

from __future__ import annotations

import numpy as np
import pytest

import ino_geo
from ino_geo import DataError
from ino_geo.crs import metric_crs_for


def _set_metric_crs(folder, value: str) -> None:
    cat = folder / "catalogue.toml"
    text = cat.read_text(encoding="utf-8")
    assert 'metric_crs = "EPSG:32645"' in text
    cat.write_text(text.replace('metric_crs = "EPSG:32645"', f"metric_crs = {value}"), encoding="utf-8")


def test_shipped_catalogue_metric_crs_reaches_the_layers():
    lay = ino_geo.load_layers()
    assert lay.catalogue.metric_crs == "EPSG:32645"
    assert lay.parks.attrs["metric_crs"] == "EPSG:32645"
    assert metric_crs_for(lay.parks) == "EPSG:32645"


def test_catalogue_metric_crs_is_used_by_the_analyses(mini_layers):
    _set_metric_crs(mini_layers, '"EPSG:32644"')  # UTM 44N: not the zone the data's centre lies in (0.04 %)
    lay = ino_geo.load_layers(mini_layers)
    assert lay.catalogue.metric_crs == "EPSG:32644"
    assert metric_crs_for(lay.parks) == metric_crs_for(lay.sites) == "EPSG:32644"
    cov = ino_geo.coverage(lay.parks, distances=[100.0], boundaries=lay.boundaries, population=lay.population)
    assert cov.table.attrs["metric_crs"] == "EPSG:32644"
    near = ino_geo.proximity(lay.sites, lay.parks)
    assert near.attrs["metric_crs"] == "EPSG:32644"
    # the same layers without the hint are measured in the estimated UTM zone (45N)
    plain = lay.parks.copy()
    plain.attrs = {}
    assert metric_crs_for(plain) == "EPSG:32645"


def test_catalogue_metric_crs_with_large_scale_error_is_replaced(mini_layers):
    _set_metric_crs(mini_layers, '"EPSG:32646"')  # UTM 46N: 0.26 % too long at Tomsk
    lay = ino_geo.load_layers(mini_layers)
    assert metric_crs_for(lay.parks) == "EPSG:32645"
    assert ino_geo.proximity(lay.sites, lay.parks).attrs["metric_crs"] == "EPSG:32645"


def test_catalogue_metric_crs_only_within_its_extent(mini_layers):
    lay = ino_geo.load_layers(mini_layers)
    far = lay.parks.copy()
    far["geometry"] = far.geometry.translate(xoff=30.0)  # ~115 E: outside the catalogue's extent
    assert far.attrs["metric_crs"] == "EPSG:32645"
    assert metric_crs_for(far) == "EPSG:32650"  # the UTM zone of the data, not the catalogue's


@pytest.mark.parametrize("value", ['"EPSG:4326"', '"not a crs"', "32645"])
def test_catalogue_metric_crs_must_be_projected_metres(mini_layers, value):
    _set_metric_crs(mini_layers, value)
    with pytest.raises(DataError, match=r"catalogue\.toml: catalogue\.metric_crs: .* is not a projected CRS in metres"):
        ino_geo.load_catalogue(mini_layers)


@pytest.mark.parametrize("stored", ["EPSG:4326", "EPSG:3857", "EPSG:32645", "EPSG:32644", "EPSG:32633"])
def test_metric_crs_from_the_checked_coordinates_equals_the_one_from_the_frame(stored):
    """proximity reads the coordinates once and passes their bounds (``read=``): the metric
    CRS chosen is the one chosen from the frame itself."""
    import geopandas as gpd
    import shapely

    from ino_geo.analysis._inputs import checked_coordinates, metric_crs

    rng = np.random.default_rng(3)
    pts = shapely.points(np.column_stack([rng.uniform(84.7, 85.2, 50), rng.uniform(56.3, 56.6, 50)]))
    g = gpd.GeoDataFrame(geometry=pts, crs="EPSG:4326").to_crs(stored)
    read = checked_coordinates(g, "origins")
    np.testing.assert_array_equal([*read[1].min(axis=0), *read[1].max(axis=0)], g.total_bounds)
    for asked in (None, "EPSG:32645", "EPSG:3857"):
        try:
            want = metric_crs(asked, g)
        except Exception as exc:  # the same refusal either way
            with pytest.raises(type(exc)):
                metric_crs(asked, g, read)
            continue
        assert metric_crs(asked, g, read) == want
