"""``ino-geo coverage`` and ``ino-geo proximity``: exit codes, messages, formats, outputs."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner
from shapely import LineString, Point

from _fixtures_analysis import X0, Y0, analysis_layers  # noqa: F401  (fixture)
from ino_geo.cli import cli


@pytest.fixture
def run(analysis_layers):
    def _run(*args):
        return CliRunner().invoke(cli, ["--layers", str(analysis_layers), *[str(a) for a in args]], catch_exceptions=False)

    return _run


def test_help_does_not_import_geopandas():
    code = ("import sys; from ino_geo.cli import cli; from click.testing import CliRunner;"
            "r = CliRunner().invoke(cli, ['coverage', '--help']); assert r.exit_code == 0, r.output;"
            "assert '--compare' in r.output and '--gaps' in r.output;"
            "r = CliRunner().invoke(cli, ['proximity', '--help']); assert r.exit_code == 0, r.output;"
            "assert '--matrix' in r.output and '--max-snap' in r.output;"
            "bad = [m for m in ('geopandas', 'shapely', 'pandas', 'folium', 'scipy') if m in sys.modules];"
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


def _csv(text):
    return pd.read_csv(io.StringIO(text))


# ---------------------------------------------------------------------------- proximity


def test_proximity_default_sites_to_parks(run):
    r = run("proximity", "--format", "csv")
    assert r.exit_code == 0, r.stderr
    df = _csv(r.stdout).set_index(["origin_id", "park_type"])
    assert df.loc[("S_in", "sport"), "distance_m"] == 0.0
    assert df.loc[("S_far", "sport"), "distance_m"] == pytest.approx(300.0, abs=0.01)
    assert df.loc[("S_far", "medical"), "distance_m"] == pytest.approx(600.0, abs=0.01)
    assert df.loc[("S_in", "sport"), "park_name"] == "Park <A>"
    assert "ino-geo: sport" in r.stderr  # progress on stderr, not stdout


def test_proximity_table_json_geojson(run):
    r = run("proximity", "--park-type", "sport")
    assert r.exit_code == 0 and "S_far" in r.stdout and "distance_m" in r.stdout
    r = run("proximity", "--park-type", "sport", "--format", "json")
    payload = json.loads(r.stdout)
    assert payload["meta"]["units"]["distance_m"] == "m" and payload["meta"]["crs"] == "EPSG:4326"
    assert [x["origin_id"] for x in payload["records"]] == ["S_in", "S_far", "S_east"]
    r = run("proximity", "--park-type", "medical", "-k", "2", "--format", "geojson")
    fc = json.loads(r.stdout)
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 3
    assert {f["geometry"]["type"] for f in fc["features"]} == {"LineString"}
    assert fc["features"][0]["properties"]["park_id"] == "M"


def test_proximity_draws_links_only_into_outputs_that_show_them(run, tmp_path, monkeypatch):
    """Tables, CSV and JSON never show the link lines, so they are not drawn; a geometry file
    (.gpkg) gets them."""
    import geopandas as gpd

    import ino_geo.analysis.proximity as prox_mod

    asked = []
    real = prox_mod.proximity

    def spy(*a, **kw):
        asked.append(kw.get("links"))
        return real(*a, **kw)

    monkeypatch.setattr(prox_mod, "proximity", spy)
    for fmt in ("table", "csv", "json"):
        assert run("proximity", "--park-type", "sport", "--format", fmt).exit_code == 0
    assert run("proximity", "--park-type", "sport", "-o", tmp_path / "p.csv").exit_code == 0
    assert run("proximity", "--park-type", "sport", "-o", tmp_path / "p.gpkg").exit_code == 0
    assert asked == [False, False, False, False, True]
    got = gpd.read_file(tmp_path / "p.gpkg")
    assert set(got.geom_type) == {"LineString"} and len(got) == 3


def test_proximity_network_scenarios_and_unsnapped(run):
    r = run("proximity", "--mode", "network", "--format", "csv")
    assert r.exit_code == 0, r.stderr
    df = _csv(r.stdout).set_index(["origin_id", "park_type"])
    assert df.loc[("S_far", "sport"), "minutes"] == pytest.approx(0.3, abs=1e-4)
    assert df.loc[("S_far", "medical"), "distance_m"] == pytest.approx(600.0, abs=0.01)
    assert df.loc[("S_east", "sport"), "status"] == "unsnapped"
    assert df.loc[("S_east", "sport"), "snap_status"] == "river"  # the only road is across the Tom
    assert "unsnapped or unreachable" in r.stderr
    r = run("proximity", "--mode", "network", "--scenario", "planned", "--format", "csv")
    df = _csv(r.stdout).set_index(["origin_id", "park_type"])
    # 50 m walk to the planned road, 2350 m along it, 200 m up the branch into A
    assert df.loc[("S_east", "sport"), "minutes"] == pytest.approx(50 / 75 + 2.35 + 0.2, abs=1e-4)
    assert df.loc[("S_east", "sport"), "distance_m"] == pytest.approx(2600.0, abs=0.01)
    r = run("proximity", "--mode", "network", "--max-snap", "10", "--format", "csv")
    df = _csv(r.stdout).set_index(["origin_id", "park_type"])
    assert df.loc[("S_east", "sport"), "snap_status"] == "too_far"


def test_proximity_matrix(run):
    r = run("proximity", "--matrix", "--format", "csv")
    df = _csv(r.stdout)
    assert len(df) == 3 * 2 and set(df["rank"]) == {1}


def test_proximity_output_file_and_overwrite_guard(run, tmp_path):
    out = tmp_path / "near.gpkg"
    r = run("proximity", "-o", out)
    assert r.exit_code == 0 and r.stdout == "" and "wrote 6 rows" in r.stderr
    back = gpd.read_file(out)
    assert len(back) == 6 and back.crs.to_epsg() == 4326
    before = out.read_bytes()
    r = run("proximity", "-o", out)
    assert r.exit_code == 2 and "exists; pass --overwrite" in r.stderr
    assert out.read_bytes() == before
    r = run("proximity", "--park-type", "sport", "-o", out, "--overwrite")
    assert r.exit_code == 0 and len(gpd.read_file(out)) == 3
    csv = tmp_path / "near.csv"
    assert run("proximity", "-o", csv).exit_code == 0 and len(pd.read_csv(csv)) == 6
    r = run("proximity", "-o", tmp_path / "near.xyz")
    assert r.exit_code == 2 and "unknown output format" in r.stderr
    assert not (tmp_path / "near.xyz").exists()


def test_proximity_from_file(run, tmp_path):
    pts = gpd.GeoDataFrame({"id": ["p1"], "name": ["<script>x</script>"]}, geometry=[Point(X0 + 50, Y0 + 250)],
                           crs="EPSG:32645").to_crs(4326)
    path = tmp_path / "pts.geojson"
    pts.to_file(path)
    r = run("proximity", "--from", path, "--park-type", "sport", "--format", "json")
    assert r.exit_code == 0, r.stderr
    rec = json.loads(r.stdout)["records"][0]
    assert rec["origin_id"] == "p1" and rec["distance_m"] == pytest.approx(150.0, abs=0.01)
    assert rec["origin_name"] == "<script>x</script>"  # data, returned as data


def test_proximity_usage_and_data_errors(run, tmp_path):
    r = run("proximity", "--from", tmp_path / "missing.geojson")
    assert r.exit_code == 2 and "--from" in r.stderr and "no layer or file" in r.stderr
    r = run("proximity", "-k", "0")
    assert r.exit_code == 2 and "-k" in r.stderr
    r = run("proximity", "--max-snap", "-5")
    assert r.exit_code == 2 and "--max-snap" in r.stderr
    r = run("proximity", "--to", "sites", "--park-type", "sport")
    assert r.exit_code == 2 and "no park_type column" in r.stderr
    r = run("proximity", "--network", "x.geojson")
    assert r.exit_code == 2 and "--network needs --mode network" in r.stderr
    lines = gpd.GeoDataFrame({"name": ["street"]}, geometry=[LineString([(X0, Y0), (X0 + 100, Y0)])],
                             crs="EPSG:32645").to_crs(4326)
    path = tmp_path / "streets.geojson"
    lines.to_file(path)
    r = run("proximity", "--mode", "network", "--network", path)
    assert r.exit_code == 1 and "speed_kmh" in r.stderr and "Traceback" not in r.output


# ---------------------------------------------------------------------------- coverage


def test_coverage_by_district_exact(run):
    r = run("coverage", "--park-type", "sport", "--distance", "50", "--by", "district", "--format", "json")
    assert r.exit_code == 0, r.stderr
    payload = json.loads(r.stdout)
    rows = {x["boundary_id"]: x for x in payload["records"]}
    assert set(rows) == {"all", "W", "E"}
    assert rows["all"]["population"] == pytest.approx(150.0, abs=1e-3)
    assert rows["all"]["population_total"] == pytest.approx(400.0, abs=1e-3)
    assert rows["W"]["population_pct"] == pytest.approx(75.0, abs=1e-3)
    assert rows["E"]["population"] == pytest.approx(0.0, abs=1e-6)
    assert rows["all"]["area_km2"] == pytest.approx(0.015, abs=1e-6)
    assert payload["meta"]["units"]["population"] == "people"


def test_coverage_table_and_csv(run):
    r = run("coverage", "--distance", "50", "--distance", "100", "--minutes", "1")
    assert r.exit_code == 0 and "population_pct" in r.stdout
    r = run("coverage", "--distance", "50", "--format", "csv")
    df = _csv(r.stdout)
    # catalogue order of the types
    assert df[["park_type", "threshold", "unit"]].values.tolist() == [["medical", 50.0, "m"], ["sport", 50.0, "m"]]


def test_coverage_gaps_and_outputs(run, tmp_path):
    gaps = tmp_path / "gaps.geojson"
    out = tmp_path / "cov.gpkg"
    r = run("coverage", "--park-type", "sport", "--distance", "50", "--gaps", gaps, "-o", out)
    assert r.exit_code == 0, r.stderr
    g = gpd.read_file(gaps).to_crs(32645)
    assert len(g) == 1 and g.geometry.area.iloc[0] == pytest.approx(250 * 100, rel=1e-4)
    layers = {name for name, _ in pyogrio.list_layers(out)}
    assert layers == {"coverage", "covered", "gaps"}
    assert len(pyogrio.read_dataframe(out, layer="coverage")) == 1
    before = gaps.read_bytes()
    r = run("coverage", "--distance", "50", "--gaps", gaps)
    assert r.exit_code == 2 and "exists; pass --overwrite" in r.stderr and gaps.read_bytes() == before
    r = run("coverage", "--distance", "50", "-o", tmp_path / "cov.geojson")
    assert r.exit_code == 2 and "table without geometry" in r.stderr
    assert not (tmp_path / "cov.geojson").exists()
    r = run("coverage", "--distance", "50", "-o", tmp_path / "cov.csv")
    assert r.exit_code == 0 and len(pd.read_csv(tmp_path / "cov.csv")) == 2


def test_coverage_network_and_compare(run):
    r = run("coverage", "--mode", "network", "--minutes", "5", "--format", "csv")
    assert r.exit_code == 0, r.stderr
    r = run("coverage", "--mode", "network", "--minutes", "5", "--compare", "--by", "municipality", "--format", "json")
    assert r.exit_code == 0, r.stderr
    recs = json.loads(r.stdout)["records"]
    assert {x["boundary_id"] for x in recs} == {"all", "T"}
    for x in recs:
        assert x["population_newly_covered"] >= -1e-9
        assert x["population_planned"] <= x["population_total"] + 1e-6


def test_coverage_usage_and_data_errors(run, tmp_path):
    r = run("coverage")
    assert r.exit_code == 2 and "at least one threshold" in r.stderr
    r = run("coverage", "--distance", "-1")
    assert r.exit_code == 2 and "--distance -1" in r.stderr
    r = run("coverage", "--distance", "1e12")
    assert r.exit_code == 2 and "larger than" in r.stderr
    r = run("coverage", "--distance", "10", "--compare")
    assert r.exit_code == 2 and "--compare needs --mode network" in r.stderr
    r = run("coverage", "--distance", "10", "--population", tmp_path / "nope.gpkg")
    assert r.exit_code == 2 and "nope.gpkg" in r.stderr
    cells = gpd.GeoDataFrame({"population": [-5.0]}, geometry=[Point(X0, Y0).buffer(50)], crs="EPSG:32645").to_crs(4326)
    path = tmp_path / "cells.geojson"
    cells.to_file(path)
    r = run("coverage", "--distance", "10", "--population", path)
    assert r.exit_code == 1 and "cells.geojson: record 0 field population: -5 is not a number" in r.stderr


def test_package_names_stay_functions_after_submodule_imports():
    """No submodule shares a public function's name, so importing every module (as rendering
    the coverage map does) leaves ``ino_geo.coverage`` / ``ino_geo.proximity`` functions."""
    import importlib
    import inspect
    import pkgutil

    import ino_geo

    for mod in pkgutil.iter_modules(ino_geo.__path__):
        importlib.import_module(f"ino_geo.{mod.name}")
    for name in ino_geo.__all__:
        assert not inspect.ismodule(getattr(ino_geo, name)), name
    assert inspect.isfunction(ino_geo.coverage) and inspect.isfunction(ino_geo.proximity)
    from _fixtures_analysis import gdf
    from shapely import box

    parks = gdf([{"park_id": "p", "park_type": "sport"}], [box(0, 0, 10, 10)])
    assert ino_geo.coverage(parks, distances=[0]).table["area_km2"].iloc[0] == pytest.approx(1e-4)
    assert ino_geo.proximity(parks, parks)["distance_m"].iloc[0] == 0.0


def test_user_file_errors_name_the_file(run, tmp_path):
    pts = gpd.GeoDataFrame({"corridor_id": ["x"], "speed_kmh": [50.0]}, geometry=[Point(X0, Y0)],
                           crs="EPSG:32645").to_crs(4326)
    path = tmp_path / "streets.geojson"
    pts.to_file(path)
    r = run("proximity", "--mode", "network", "--network", path)
    assert r.exit_code == 1
    assert f"{path}: record 0 (x) field geometry: a Point is not a line" in r.stderr


def test_network_mode_without_river_warns_and_false_silences(recwarn):
    import warnings

    import ino_geo
    from _fixtures_analysis import gdf
    from shapely import LineString, box

    parks = gdf([{"park_id": "p", "park_type": "sport"}], [box(0, 0, 10, 10)])
    roads = gdf([{"corridor_id": "r", "speed_kmh": 36.0, "mode": "road", "status": "existing"}],
                [LineString([(0, 20), (1000, 20)])])
    with pytest.warns(UserWarning, match="walking legs to and from the network may cross a river"):
        ino_geo.proximity(parks, parks, mode="network", network=roads)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ino_geo.proximity(parks, parks, mode="network", network=roads, river=False)
