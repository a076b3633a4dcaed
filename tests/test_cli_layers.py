"""``ino-geo layers``: exit codes, stdout/stderr, export round-trips."""

from __future__ import annotations

import json
import subprocess
import sys

import geopandas as gpd
import pytest
from click.testing import CliRunner

from conftest import park, write_fc
from ino_geo.cli import cli


@pytest.fixture
def run():
    def _run(*args):
        return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return _run


def test_help_does_not_import_geopandas():
    code = ("import sys; from ino_geo.cli import cli; from click.testing import CliRunner;"
            "r = CliRunner().invoke(cli, ['--help']); assert r.exit_code == 0, r.output;"
            "r = CliRunner().invoke(cli, ['layers', '--help']); assert r.exit_code == 0, r.output;"
            "bad = [m for m in ('geopandas', 'shapely', 'pandas', 'folium', 'fiona') if m in sys.modules];"
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_list_json(run, mini_layers):
    r = run("--layers", mini_layers, "layers", "list", "--format", "json")
    assert r.exit_code == 0
    rows = {row["name"]: row for row in json.loads(r.stdout)}
    assert rows["parks"]["count"] == 2 and rows["parks"]["crs"] == "EPSG:4326"
    assert rows["sites"]["geometry"] == "Point" and rows["population"]["problems"] == 0


def test_show_formats_and_limit(run, mini_layers):
    r = run("--layers", mini_layers, "layers", "show", "sites", "--format", "csv", "--limit", "1")
    assert r.exit_code == 0
    assert r.stdout.splitlines()[0].startswith("site_id,name,category") or "site_id" in r.stdout.splitlines()[0]
    assert len(r.stdout.strip().splitlines()) == 2
    r = run("--layers", mini_layers, "layers", "show", "parks", "--format", "geojson")
    fc = json.loads(r.stdout)
    assert [f["properties"]["park_id"] for f in fc["features"]] == ["P1", "P2"]
    r = run("--layers", mini_layers, "layers", "show", "nope")
    assert r.exit_code == 2 and "no layer 'nope'" in r.stderr


def test_validate_clean_folder_exits_0(run, mini_layers):
    r = run("--layers", mini_layers, "layers", "validate")
    assert r.exit_code == 0, r.output
    assert r.stdout == "" and "8 layers in 8 files: no problems" in r.stderr  # places: conftest mini folder


def test_validate_reports_every_problem_and_exits_1(run, tmp_path, mini_layers):
    f = write_fc(tmp_path / "parks.geojson", [park("P1", park_type="zoo"), park("P1", status="dreamt")])
    r = run("--layers", mini_layers, "layers", "validate", f)
    assert r.exit_code == 1
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 3
    assert any("record 0 (park_id=P1): field park_type: 'zoo' is not one of" in ln for ln in lines)
    assert any("record 1 (park_id=P1): field park_id: duplicate value 'P1'" in ln for ln in lines)
    assert "3 problems in 1 of 1 layers" in r.stderr
    r = run("--layers", mini_layers, "layers", "validate", "--format", "json", f)
    payload = json.loads(r.stdout)
    assert r.exit_code == 1 and payload["ok"] is False and len(payload["problems"]) == 3
    assert {p["field"] for p in payload["problems"]} == {"park_type", "park_id", "status"}


def test_validate_as_layer_and_usage_errors(run, tmp_path, mini_layers):
    f = write_fc(tmp_path / "my_parks.geojson", [park("P1", park_type="zoo")])
    r = run("--layers", mini_layers, "layers", "validate", f)
    assert r.exit_code == 0 and "only generic checks ran" in r.stderr
    r = run("--layers", mini_layers, "layers", "validate", "--as", "parks", f)
    assert r.exit_code == 1 and "park_type" in r.stdout
    r = run("--layers", mini_layers, "layers", "validate", "--as", "lakes", f)
    assert r.exit_code == 2 and "no layer named 'lakes'" in r.stderr
    r = run("--layers", mini_layers, "layers", "validate", tmp_path / "missing.geojson")
    assert r.exit_code == 2 and "does not exist" in r.stderr


def test_bad_layers_folder_is_exit_1_with_one_line(run, mini_layers):
    write_fc(mini_layers / "parks.geojson", [park("P1", park_type="zoo")])
    r = run("--layers", mini_layers, "layers", "show", "parks")
    assert r.exit_code == 1
    assert r.stderr.startswith("ino-geo: error: ") and len(r.stderr.strip().splitlines()) == 1
    assert "field park_type" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("ext", ["gpkg", "parquet", "geojson", "fgb", "shp"])
def test_export_round_trip(run, tmp_path, mini_layers, ext):
    out = tmp_path / f"out.{ext}"
    r = run("--layers", mini_layers, "layers", "export", "parks", "-o", out)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == {"output": str(out), "layers": {"parks": 2}}
    back = gpd.read_parquet(out) if ext == "parquet" else gpd.read_file(out)
    assert len(back) == 2 and back.crs.to_epsg() == 4326
    assert {"park_id", "name", "park_type", "status", "source", "accuracy_m"} <= set(back.columns)
    assert sorted(back.park_id) == ["P1", "P2"]


def test_export_gpkg_one_layer_per_name(run, tmp_path, mini_layers):
    import pyogrio

    out = tmp_path / "all.gpkg"
    r = run("--layers", mini_layers, "layers", "export", "parks", "sites", "corridors", "-o", out)
    assert r.exit_code == 0
    assert [name for name, _ in pyogrio.list_layers(out)] == ["parks", "sites", "corridors"]
    sites = gpd.read_file(out, layer="sites")
    assert list(sites.site_id) == ["S1", "S2"] and sites.crs.to_epsg() == 4326


def test_export_refuses_to_overwrite_and_keeps_bytes(run, tmp_path, mini_layers):
    out = tmp_path / "parks.geojson"
    out.write_bytes(b"precious")
    r = run("--layers", mini_layers, "layers", "export", "parks", "-o", out)
    assert r.exit_code == 2 and "exists; pass --overwrite" in r.stderr
    assert out.read_bytes() == b"precious"
    r = run("--layers", mini_layers, "layers", "export", "parks", "-o", out, "--overwrite")
    assert r.exit_code == 0 and len(gpd.read_file(out)) == 2
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_export_usage_errors(run, tmp_path, mini_layers):
    r = run("--layers", mini_layers, "layers", "export", "parks", "sites", "-o", tmp_path / "x.geojson")
    assert r.exit_code == 2 and "holds one layer" in r.stderr
    r = run("--layers", mini_layers, "layers", "export", "parks", "-o", tmp_path / "x.txt")
    assert r.exit_code == 2 and "unknown output format" in r.stderr
    r = run("--layers", mini_layers, "layers", "export", "lakes", "-o", tmp_path / "x.gpkg")
    assert r.exit_code == 2 and "no layer 'lakes'" in r.stderr
    r = run("--layers", mini_layers, "layers", "export", "parks", "-o", tmp_path / "nodir" / "x.gpkg")
    assert r.exit_code == 2 and "does not exist" in r.stderr
    assert not list(tmp_path.glob("x.*"))


def test_validate_fix_repairs_and_reports(run, tmp_path, mini_layers):
    from conftest import feature

    bowtie = {"type": "Polygon", "coordinates": [[[84.9, 56.4], [84.92, 56.42], [84.92, 56.4], [84.9, 56.42], [84.9, 56.4]]]}
    f = write_fc(tmp_path / "parks.geojson", [park("P1"), feature(bowtie, **park("P2")["properties"])])
    original = f.read_bytes()
    out = tmp_path / "fixed.geojson"
    r = run("--layers", mini_layers, "layers", "validate", f, "--fix", "-o", out)
    assert r.exit_code == 0, r.output
    assert "record 1 (park_id=P2): field geometry: repaired (Self-intersection" in r.stdout
    assert "Polygon -> MultiPolygon" in r.stdout
    assert f.read_bytes() == original  # the input is never touched
    fixed = gpd.read_file(out)
    assert fixed.is_valid.all() and len(fixed) == 2
    # the repaired file now validates clean
    r = run("--layers", mini_layers, "layers", "validate", out, "--as", "parks")
    assert r.exit_code == 0


def test_validate_fix_keeps_other_problems_and_needs_output(run, tmp_path, mini_layers):
    f = write_fc(tmp_path / "parks.geojson", [park("P1", park_type="zoo")])
    r = run("--layers", mini_layers, "layers", "validate", f, "--fix", "-o", tmp_path / "o.geojson")
    assert r.exit_code == 1 and "park_type" in r.stdout
    r = run("--layers", mini_layers, "layers", "validate", f, "--fix")
    assert r.exit_code == 2 and "--fix and -o/--output go together" in r.stderr
