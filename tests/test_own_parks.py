"""A planner's own parks (issue 11): ``coverage --parks FILE``, ``proximity --to FILE`` and
``--park-type-column``, checked like the catalogue's parks.

The reference answer is the shipped parks layer itself: the same parks written to a file must
give the same tables as the layer.
"""

from __future__ import annotations

import json

import pytest

import ino_geo
from test_points import invoke, one_error  # the one CLI-runner helper of these tests



@pytest.fixture(scope="module")
def parks():
    return ino_geo.load_layers().parks


@pytest.fixture
def write(tmp_path, parks):
    def _write(name, frame=None, **rename):
        g = (parks if frame is None else frame).rename(columns=rename)
        path = tmp_path / name
        g.to_file(path, engine="pyogrio")
        return path
    return _write


COV = ["coverage", "--park-type", "medical", "--park-type", "sport", "--distance", "1500", "--format", "csv"]
PROX = ["proximity", "--park-type", "medical", "-k", "2", "--format", "csv"]


def test_a_parks_file_gives_the_same_coverage_as_the_layer(write):
    ref = invoke("-q", *COV)
    assert ref.exit_code == 0, ref.output
    for path in (write("parks.gpkg"), write("parks.geojson")):
        r = invoke("-q", *COV, "--parks", path)
        assert r.exit_code == 0, r.output
        assert r.stdout == ref.stdout


def test_park_type_column_renames(write):
    path = write("mine.geojson", park_type="kind")
    ref = invoke("-q", *COV)
    r = invoke("-q", *COV, "--parks", path, "--park-type-column", "kind")
    assert r.exit_code == 0, r.output
    assert r.stdout == ref.stdout
    r = invoke("-q", *PROX, "--to", path, "--park-type-column", "kind")
    assert r.exit_code == 0, r.output
    assert r.stdout == invoke("-q", *PROX).stdout


def test_proximity_to_a_parks_file_equals_the_layer(write):
    r = invoke("-q", *PROX, "--to", write("parks.gpkg"))
    assert r.exit_code == 0, r.output
    assert r.stdout == invoke("-q", *PROX).stdout


def test_only_geometry_and_park_type_is_enough(write, parks):
    path = write("bare.geojson", parks[["park_type", "geometry"]])
    r = invoke("-q", *COV, "--parks", path)
    assert r.exit_code == 0, r.output
    assert r.stdout == invoke("-q", *COV).stdout  # the table does not depend on the other columns


def test_without_park_type_one_line_naming_file_and_column_nothing_written(write, parks, tmp_path):
    path = write("nokind.geojson", parks.drop(columns=["park_type"]))
    out = tmp_path / "out"
    out.mkdir()
    one_error(invoke(*COV, "--parks", path, "-o", out / "c.csv"), 1, str(path), "field park_type",
              "missing column", "--park-type-column")
    assert list(out.iterdir()) == []
    renamed = write("renamed.geojson", park_type="kind")
    one_error(invoke(*COV, "--parks", renamed), 1, str(renamed), "field park_type")
    one_error(invoke(*COV, "--parks", renamed, "--park-type-column", "typ"), 1, str(renamed), "field typ")
    one_error(invoke(*PROX, "--to", renamed, "--park-type-column", "typ"), 1, str(renamed), "field typ")


def test_validated_like_the_catalogue_parks(write, parks):
    bad = parks.copy()
    bad.loc[bad.index[3], "park_type"] = "amusement"
    path = write("badtype.geojson", bad)
    msg = one_error(invoke(*COV, "--parks", path), 1, str(path), "record 3", "field park_type", "amusement")
    assert "P0" in msg or "park_id" in msg  # the record's id is named where the file has one
    renamed = write("badkind.geojson", bad, park_type="kind")
    one_error(invoke(*COV, "--parks", renamed, "--park-type-column", "kind"), 1, "record 3", "field kind")
    dup = parks.copy()
    dup.loc[dup.index[1], "park_id"] = dup.park_id.iloc[0]
    one_error(invoke(*COV, "--parks", write("dup.geojson", dup)), 1, "field park_id")
    points = parks.copy()
    points["geometry"] = points.representative_point()
    one_error(invoke(*COV, "--parks", write("points.geojson", points)), 1, "field geometry")
    one_error(invoke(*PROX, "--to", write("points2.geojson", points)), 1, "field geometry")


def test_usage_errors(write):
    one_error(invoke(*COV, "--park-type-column", "kind"), 2, "--park-type-column needs --parks")
    one_error(invoke(*PROX, "--to", "parks", "--park-type-column", "kind"), 2, "--park-type-column", "parks")
    one_error(invoke(*COV, "--parks", "no/such/parks.gpkg"), 2, "no/such/parks.gpkg")


def test_proximity_to_a_file_without_park_type_stays_one_group(tmp_path):
    """The existing contract: destinations without a park type are one group."""
    fc = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "pool"},
          "geometry": {"type": "Polygon", "coordinates": [[[84.94, 56.46], [84.95, 56.46], [84.95, 56.47],
                                                           [84.94, 56.46]]]}}]}
    path = tmp_path / "pool.geojson"
    path.write_text(json.dumps(fc))
    r = invoke("-q", "proximity", "--to", path, "--format", "csv")
    assert r.exit_code == 0, r.output
    assert r.stdout.count("\n") == 1 + len(ino_geo.load_layers().sites)
