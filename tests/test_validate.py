"""Every validator rule has a failing input whose message names the record and the field."""

from __future__ import annotations

import json
import math

import geopandas as gpd
import pytest
from shapely import Point, Polygon

from conftest import feature, park, square, write_fc
from ino_geo._errors import UsageError, ValidationError
from ino_geo.data.catalogue import load_catalogue
from ino_geo.data.layers import read_layer
from ino_geo.data.validate import validate_frame, validate_path


@pytest.fixture(scope="module")
def cat():
    return load_catalogue()


def problems_of(path, cat, **kw):
    reports = validate_path(path, cat, **kw)
    return [p for r in reports for p in r.problems]


def only(problems, field):
    return [p for p in problems if p.field == field]


def test_clean_file_has_no_problems(tmp_path, cat):
    f = write_fc(tmp_path / "parks.geojson", [park("P1"), park("P2", x=84.97)])
    reports = validate_path(f, cat)
    assert [r.layer for r in reports] == ["parks"]
    assert reports[0].ok and reports[0].count == 2 and reports[0].spec.name == "parks"


def test_unknown_park_type_names_record_id_and_field(tmp_path, cat):
    f = write_fc(tmp_path / "parks.geojson", [park("P1"), park("P2", park_type="zoo")])
    [p] = problems_of(f, cat)
    assert (p.record, p.id, p.field) == (1, "park_id=P2", "park_type")
    assert "'zoo' is not one of industrial" in p.message
    assert str(p).startswith(f"{f}: layer parks: record 1 (park_id=P2): field park_type:")


def test_missing_required_column_is_a_file_problem(tmp_path, cat):
    feats = [park("P1")]
    del feats[0]["properties"]["status"]
    f = write_fc(tmp_path / "parks.geojson", feats)
    [p] = problems_of(f, cat)
    assert p.record is None and p.field == "status" and "required column is missing" in p.message


def test_duplicate_ids_are_reported_with_first_record(tmp_path, cat):
    f = write_fc(tmp_path / "parks.geojson", [park("P1"), park("P2"), park("P1")])
    [p] = problems_of(f, cat)
    assert (p.record, p.field) == (2, "park_id") and "first at record 0" in p.message


def test_empty_required_value(tmp_path, cat):
    f = write_fc(tmp_path / "parks.geojson", [park("P1", name="  ")])
    [p] = problems_of(f, cat)
    assert (p.record, p.field, p.message) == (0, "name", "is empty")


def test_wrong_type_and_range(tmp_path, cat):
    f = write_fc(tmp_path / "parks.geojson", [park("P1", accuracy_m="ten"), park("P2", accuracy_m=-5)])
    ps = problems_of(f, cat)
    assert [(p.record, p.field) for p in ps] == [(0, "accuracy_m"), (1, "accuracy_m")]
    assert "expected a number" in ps[0].message and "below the minimum 0" in ps[1].message


def test_self_intersecting_polygon(tmp_path, cat):
    bowtie = {"type": "Polygon", "coordinates": [[[84.9, 56.4], [84.92, 56.42], [84.92, 56.4], [84.9, 56.42], [84.9, 56.4]]]}
    f = write_fc(tmp_path / "parks.geojson", [park("P1"), feature(bowtie, **park("P2")["properties"])])
    [p] = problems_of(f, cat)
    assert (p.record, p.id, p.field) == (1, "park_id=P2", "geometry")
    assert "invalid geometry: Self-intersection" in p.message


def test_empty_and_missing_geometry(tmp_path, cat):
    props = park("P1")["properties"]
    f = write_fc(tmp_path / "parks.geojson", [
        feature(None, **props),
        feature({"type": "Polygon", "coordinates": []}, **{**props, "park_id": "P2"}),
    ])
    ps = problems_of(f, cat)
    assert [(p.record, p.field) for p in ps] == [(0, "geometry"), (1, "geometry")]
    assert ps[0].message == "missing geometry" and ps[1].message == "empty geometry"


def test_wrong_geometry_type(tmp_path, cat):
    f = write_fc(tmp_path / "parks.geojson", [feature({"type": "Point", "coordinates": [84.95, 56.47]},
                                                     **park("P1")["properties"])])
    [p] = problems_of(f, cat)
    assert p.field == "geometry" and "geometry type Point, expected Polygon or MultiPolygon" in p.message


def test_nan_coordinates(tmp_path, cat):
    gdf = gpd.GeoDataFrame({"park_id": ["P1"], "name": ["a"], "park_type": ["sport"], "status": ["existing"],
                            "source": ["t"], "accuracy_m": [1.0]},
                           geometry=[Polygon([(84.9, 56.4), (math.nan, 56.41), (84.91, 56.42)])], crs="EPSG:4326")
    [p] = validate_frame(gdf, "parks", cat)
    assert (p.record, p.field) == (0, "geometry") and "NaN" in p.message


def test_projected_coordinates_labelled_4326(tmp_path, cat):
    f = write_fc(tmp_path / "parks.geojson", [feature(square(500000, 6260000, 100), **park("P1")["properties"])])
    [p] = problems_of(f, cat)
    assert p.field == "geometry" and "cannot be degrees" in p.message and "EPSG:4326" in p.message


def test_lon_lat_swapped(tmp_path, cat):
    f = write_fc(tmp_path / "parks.geojson", [park("P1"), park("P2", x=56.47, y=84.95)])
    [p] = problems_of(f, cat)
    assert (p.record, p.field) == (1, "geometry") and "swapped" in p.message


def test_outside_extent(tmp_path, cat):
    f = write_fc(tmp_path / "parks.geojson", [park("P1", x=37.6, y=55.75)])
    [p] = problems_of(f, cat)
    assert "outside the catalogue extent" in p.message


def test_missing_crs(tmp_path, cat):
    gdf = gpd.GeoDataFrame({"park_id": ["P1"], "name": ["a"], "park_type": ["sport"], "status": ["existing"],
                            "source": ["t"], "accuracy_m": [1.0]}, geometry=[Point(0, 0).buffer(1)], crs=None)
    f = tmp_path / "parks.shp"
    gdf.to_file(f, engine="pyogrio")
    ps = problems_of(f, cat)
    assert [(p.record, p.field) for p in ps] == [(None, "crs")] and "no CRS" in ps[0].message


def test_every_problem_of_a_file_in_one_run(tmp_path, cat):
    f = write_fc(tmp_path / "parks.geojson", [
        park("P1", park_type="zoo"), park("P1", status="dreamt"), park("P3", x=56.47, y=84.95),
    ])
    ps = problems_of(f, cat)
    assert {(p.record, p.field) for p in ps} == {(0, "park_type"), (1, "park_id"), (1, "status"), (2, "geometry")}


def test_geopackage_every_layer_checked(tmp_path, cat):
    good = gpd.read_file(write_fc(tmp_path / "a.geojson", [park("P1")]))
    bad = good.assign(park_type="zoo")
    f = tmp_path / "mine.gpkg"
    good.to_file(f, layer="parks", engine="pyogrio")
    bad.to_file(f, layer="other", engine="pyogrio")
    reports = validate_path(f, cat)
    assert {r.layer for r in reports} == {"parks", "other"}
    assert next(r for r in reports if r.layer == "parks").ok
    # 'other' matches no catalogue layer by name: the layer is inferred from its columns (parks)
    other = next(r for r in reports if r.layer == "other")
    assert other.inferred and other.spec.name == "parks" and len(other.problems) == 1
    # checked --as parks: the layer named parks only; the other is never read, never merged
    reports = validate_path(f, cat, as_layer="parks")
    assert [(r.layer, len(r.problems)) for r in reports] == [("parks", 0)]


def test_geopackage_with_several_layers_none_named_as_expected(tmp_path, cat):
    good = gpd.read_file(write_fc(tmp_path / "a.geojson", [park("P1")]))
    f = tmp_path / "parks.gpkg"
    good.to_file(f, layer="mine", engine="pyogrio")
    good.assign(park_type="zoo").to_file(f, layer="hostile", engine="pyogrio")
    (rep,) = validate_path(f, cat, as_layer="parks")
    (pr,) = rep.problems
    assert pr.field == "file" and "mine" in pr.message and "hostile" in pr.message and "none named 'parks'" in pr.message
    # without --as, a layer of a GeoPackage is never matched by the file's name
    reports = validate_path(f, cat)
    assert all(r.layer in ("mine", "hostile") and r.inferred for r in reports)


def test_geoparquet_is_validated(tmp_path, cat):
    gdf = gpd.read_file(write_fc(tmp_path / "a.geojson", [park("P1"), park("P1")]))
    f = tmp_path / "parks.parquet"
    gdf.to_parquet(f)
    [p] = problems_of(f, cat)
    assert (p.record, p.field) == (1, "park_id")


def test_broken_record_is_reported_and_others_still_checked(tmp_path, cat):
    ring_too_short = {"type": "Polygon", "coordinates": [[[84.9, 56.4], [84.91, 56.41], [84.9, 56.4]]]}
    f = write_fc(tmp_path / "parks.geojson", [
        feature(ring_too_short, **park("P1")["properties"]), park("P2", park_type="zoo"),
    ])
    ps = problems_of(f, cat)
    assert {(p.record, p.field) for p in ps} == {(0, "geometry"), (1, "park_type")}


def test_truncated_file_is_a_file_problem(tmp_path, cat):
    f = tmp_path / "parks.geojson"
    text = json.dumps({"type": "FeatureCollection", "features": [park("P1")]})
    f.write_text(text[: len(text) // 2])
    [p] = problems_of(f, cat)
    assert p.field == "file" and "not valid JSON (truncated or corrupt?)" in p.message


def test_nonexistent_path_and_bare_folder_are_usage_errors(tmp_path, cat):
    with pytest.raises(UsageError, match="no such file"):
        validate_path(tmp_path / "nope.geojson", cat)
    with pytest.raises(UsageError, match="folder without a catalogue.toml"):
        validate_path(tmp_path, cat)


def test_read_layer_raises_every_problem(tmp_path, cat):
    f = write_fc(tmp_path / "mine.geojson", [park("P1", park_type="zoo"), park("P1")])
    with pytest.raises(ValidationError) as info:
        read_layer(f, expect="parks")
    assert len(info.value.problems) == 2 and "and 1 more problem" in str(info.value)


def test_shipped_layers_pass_validation(cat):
    reports = validate_path(cat.folder, cat)
    assert {r.layer for r in reports} == set(cat.layers)
    assert [str(p) for r in reports for p in r.problems] == []


def test_empty_layer_is_one_problem(tmp_path, cat):
    f = write_fc(tmp_path / "parks.geojson", [])
    [p] = problems_of(f, cat)
    assert (p.record, p.field, p.message) == (None, "file", "the layer has no records")


def test_non_utf8_file_is_reported(tmp_path, cat):
    f = tmp_path / "parks.geojson"
    text = json.dumps({"type": "FeatureCollection", "features": [park("P1", name="XNAMEX")]})
    f.write_bytes(text.encode().replace(b"XNAMEX", "caf\u00e9".encode("latin-1")))
    ps = problems_of(f, cat)
    assert ps[0].field == "file" and ps[0].message.startswith("not UTF-8 text: byte 0xe9")


@pytest.mark.parametrize("content,expected", [
    (b"", "the file is empty (0 bytes)"),
    (b'{"hello": [1, 2]}', "JSON but not GeoJSON"),
    (b"\x89PNG\r\n\x1a\n" + bytes(64), "not valid JSON"),
])
def test_unreadable_files(tmp_path, cat, content, expected):
    f = tmp_path / "parks.geojson"
    f.write_bytes(content)
    [p] = problems_of(f, cat)
    assert p.field == "file" and expected in p.message
