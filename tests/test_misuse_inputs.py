"""Files that lie (issue 10): Shapefile parts that disagree, GeoPackages with extra layers,
nesting too deep, catalogue paths leaving the layers folder, swapped or misplaced
coordinates in any file the CLI reads, a validated file whose name says nothing."""

from __future__ import annotations

import json
import os
import shutil
import struct
from pathlib import Path

import geopandas as gpd
import pytest
from click.testing import CliRunner

from conftest import park, write_fc
from ino_geo.cli import cli


def _run(layers, *args):
    r = CliRunner().invoke(cli, ["-q", "--layers", str(layers), *map(str, args)])
    return r


def _one_error(r) -> str:
    lines = [ln for ln in r.stderr.splitlines() if ln.startswith("ino-geo: error:")]
    assert len(lines) == 1 and "Traceback" not in r.output, r.output
    return lines[0]


# ---------------------------------------------------------------------------------------------
# Shapefile parts


@pytest.fixture
def parks_shp(mini_layers, tmp_path):
    r = _run(mini_layers, "layers", "export", "parks", "-o", tmp_path / "p.shp")
    assert r.exit_code == 0, r.output
    return tmp_path / "p.shp"


def _set_dbf_count(shp: Path, n: int) -> None:
    dbf = shp.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    data[4:8] = struct.pack("<I", n)
    dbf.write_bytes(bytes(data))


@pytest.mark.parametrize("lie", ["dbf_header", "shx_short", "shp_truncated"])
def test_shapefile_whose_parts_disagree(mini_layers, parks_shp, lie):
    if lie == "dbf_header":
        _set_dbf_count(parks_shp, 1)
    elif lie == "shx_short":
        shx = parks_shp.with_suffix(".shx")
        shx.write_bytes(shx.read_bytes()[:-8])
    else:
        shp = parks_shp
        shp.write_bytes(shp.read_bytes()[:-20])
    r = _run(mini_layers, "layers", "validate", parks_shp, "--as", "parks")
    assert r.exit_code == 1 and "Shapefile" in r.stdout + r.stderr or "truncated" in r.stdout + r.stderr, r.output
    r = _run(mini_layers, "proximity", "--to", parks_shp)
    assert r.exit_code == 1
    assert "p.shp" in _one_error(r)


def test_shapefile_whose_parts_agree_is_read(mini_layers, parks_shp):
    r = _run(mini_layers, "layers", "validate", parks_shp, "--as", "parks")
    assert r.exit_code == 0, r.output


# ---------------------------------------------------------------------------------------------
# GeoPackage layers


def test_layers_folder_geopackage_reads_only_the_named_layer(mini_layers):
    good = gpd.read_file(mini_layers / "parks.geojson")
    gpkg = mini_layers / "parks.gpkg"
    hostile = good.assign(name="HOSTILE")
    hostile.to_file(gpkg, layer="zzz_extra", engine="pyogrio")
    good.to_file(gpkg, layer="parks", engine="pyogrio")
    hostile.to_file(gpkg, layer="aaa_extra", engine="pyogrio")
    cat = (mini_layers / "catalogue.toml").read_text()
    (mini_layers / "catalogue.toml").write_text(cat.replace('file = "parks.geojson"', 'file = "parks.gpkg"'))
    r = _run(mini_layers, "layers", "show", "parks", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    records = data["records"] if isinstance(data, dict) else data
    assert {rec["name"] for rec in records} == set(good["name"])


def test_layers_folder_geopackage_without_the_named_layer(mini_layers):
    good = gpd.read_file(mini_layers / "parks.geojson")
    gpkg = mini_layers / "parks.gpkg"
    good.to_file(gpkg, layer="one", engine="pyogrio")
    good.to_file(gpkg, layer="two", engine="pyogrio")
    cat = (mini_layers / "catalogue.toml").read_text()
    (mini_layers / "catalogue.toml").write_text(cat.replace('file = "parks.geojson"', 'file = "parks.gpkg"'))
    r = _run(mini_layers, "layers", "show", "parks")
    assert r.exit_code == 1
    line = _one_error(r)
    assert "one" in line and "two" in line and "parks" in line


# ---------------------------------------------------------------------------------------------
# nesting


def _nested_gc(depth: int) -> dict:
    g: dict = {"type": "Point", "coordinates": [84.955, 56.475]}
    for _ in range(depth):
        g = {"type": "GeometryCollection", "geometries": [g]}
    return g


@pytest.mark.parametrize("depth", [60, 5000])
def test_deep_geometry_collection(mini_layers, tmp_path, depth):
    f = tmp_path / "deep.geojson"
    fc = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"site_id": "X"},
                                                     "geometry": _nested_gc(depth)}]}
    import sys

    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, depth * 4 + 1000))
    try:
        text = json.dumps(fc)
    finally:
        sys.setrecursionlimit(old)
    f.write_text(text)
    for args in (["proximity", "--from", f], ["layers", "validate", f]):
        r = _run(mini_layers, *args)
        assert r.exit_code in (0, 1), r.output
        assert "RecursionError" not in r.output and "bug in ino-geo" not in r.output
        if r.exit_code == 1:
            assert "deep.geojson" in _one_error(r) or "deep.geojson" in r.stdout


def test_deep_json_properties(mini_layers, tmp_path):
    f = tmp_path / "deep.geojson"
    f.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"a":' + "[" * 100_000
                 + "]" * 100_000 + '},"geometry":{"type":"Point","coordinates":[84.95,56.47]}}]}')
    r = _run(mini_layers, "proximity", "--from", f)
    assert r.exit_code == 1 and "deep.geojson" in _one_error(r)


@pytest.mark.parametrize("where", ["catalogue", "spec"])
def test_deep_toml(mini_layers, tmp_path, where):
    deep = "x = " + "[" * 100_000 + "]" * 100_000 + "\n"
    if where == "catalogue":
        (mini_layers / "catalogue.toml").write_text(deep)
        r = _run(mini_layers, "layers", "list")
        name = "catalogue.toml"
    else:
        (tmp_path / "deep.toml").write_text(deep)
        r = _run(mini_layers, "map", tmp_path / "deep.toml", "-o", tmp_path / "m.html")
        name = "deep.toml"
    assert r.exit_code == 1
    line = _one_error(r)
    assert name in line and "nested too deeply" in line


# ---------------------------------------------------------------------------------------------
# catalogue paths


@pytest.mark.parametrize("target", ["../outside.geojson", "/etc/passwd", "sub/../../outside.geojson", "link.geojson",
                                    "linkdir/parks.geojson"])
def test_catalogue_paths_stay_in_the_layers_folder(mini_layers, tmp_path, target):
    outside = tmp_path / "outside.geojson"
    shutil.copy(mini_layers / "parks.geojson", outside)
    (tmp_path / "elsewhere").mkdir()
    shutil.copy(mini_layers / "parks.geojson", tmp_path / "elsewhere" / "parks.geojson")
    os.symlink(outside, mini_layers / "link.geojson")
    os.symlink(tmp_path / "elsewhere", mini_layers / "linkdir")
    cat = (mini_layers / "catalogue.toml").read_text()
    (mini_layers / "catalogue.toml").write_text(cat.replace('file = "parks.geojson"', f'file = "{target}"'))
    r = _run(mini_layers, "layers", "list")
    assert r.exit_code == 1
    line = _one_error(r)
    assert "catalogue.toml" in line and "layers.parks.file" in line and "layers folder" in line


# ---------------------------------------------------------------------------------------------
# plausibility of every file the CLI reads


def _swapped(features):
    out = []
    for f in features:
        f = json.loads(json.dumps(f))
        g = f["geometry"]
        if g["type"] == "Point":
            g["coordinates"] = g["coordinates"][::-1]
        elif g["type"] == "LineString":
            g["coordinates"] = [xy[::-1] for xy in g["coordinates"]]
        else:
            g["coordinates"] = [[xy[::-1] for xy in ring] for ring in g["coordinates"]]
        out.append(f)
    return out


def _features(path: Path):
    return json.loads(path.read_text())["features"]


@pytest.mark.parametrize("option, layer", [("--from", "sites"), ("--to", "parks")])
@pytest.mark.parametrize("how", ["swapped", "far"])
def test_proximity_inputs_swapped_or_elsewhere(mini_layers, tmp_path, option, layer, how):
    feats = _features(mini_layers / f"{layer}.geojson")
    if how == "swapped":
        feats = _swapped(feats)
    else:
        feats = [{**f, "geometry": {"type": "Point", "coordinates": [37.6, 55.75]}} if f["geometry"]["type"] == "Point"
                 else {**f, "geometry": {"type": "Polygon", "coordinates": [[[37.6, 55.75], [37.61, 55.75], [37.61, 55.76],
                                                                           [37.6, 55.75]]]}} for f in feats]
    f = write_fc(tmp_path / f"my_{layer}.geojson", feats)
    r = _run(mini_layers, "proximity", option, f)
    assert r.exit_code == 1, r.output
    line = _one_error(r)
    assert f"my_{layer}.geojson" in line and ("swapped" in line if how == "swapped" else "outside" in line)
    assert r.stdout == ""


def test_spreadsheet_with_swapped_columns(mini_layers, tmp_path):
    f = tmp_path / "pts.csv"
    f.write_text("name,x,y\nA,56.47,84.95\n")
    r = _run(mini_layers, "proximity", "--from", f, "--xy", "x,y")
    assert r.exit_code == 1 and "swapped" in _one_error(r)


def test_network_and_population_files_are_checked(mini_layers, tmp_path):
    net = write_fc(tmp_path / "net.geojson", _swapped(_features(mini_layers / "corridors.geojson")))
    r = _run(mini_layers, "proximity", "--mode", "network", "--network", net)
    assert r.exit_code == 1 and "--network" in _one_error(r)
    pop = write_fc(tmp_path / "pop.geojson", _swapped(_features(mini_layers / "population.geojson")))
    r = _run(mini_layers, "coverage", "--distance", "500", "--population", pop)
    assert r.exit_code == 1 and "--population" in _one_error(r)


def test_validate_infers_the_layer_and_catches_a_misspelt_column(mini_layers, tmp_path):
    feats = _features(mini_layers / "parks.geojson")
    for f in feats:
        f["properties"]["park_typ"] = f["properties"].pop("park_type")
    f = write_fc(tmp_path / "my_parks.geojson", feats)
    r = _run(mini_layers, "layers", "validate", f)
    assert r.exit_code == 1 and "checked as catalogue layer parks" in r.stderr and "park_type" in r.stdout
    g = write_fc(tmp_path / "my_swapped.geojson", _swapped(_features(mini_layers / "parks.geojson")))
    r = _run(mini_layers, "layers", "validate", g)
    assert r.exit_code == 1 and "swapped" in r.stdout


@pytest.mark.parametrize("option", ["--from", "--to"])
@pytest.mark.parametrize("kind", ["fifo.geojson", "fifo.csv", "/dev/zero"])
def test_inputs_that_are_not_regular_files(mini_layers, tmp_path, option, kind):
    if kind.startswith("fifo"):
        target = tmp_path / kind
        os.mkfifo(target)
    else:
        target = Path(kind)
    r = _run(mini_layers, "proximity", option, target)
    assert r.exit_code == 2 and "not a regular file" in _one_error(r)


@pytest.mark.parametrize("which", ["catalogue.toml", "parks.geojson"])
def test_layers_folder_files_that_are_pipes(mini_layers, which):
    (mini_layers / which).unlink()
    os.mkfifo(mini_layers / which)
    r = _run(mini_layers, "proximity", "--park-type", "sport")
    assert r.exit_code in (1, 2) and "not a regular file" in _one_error(r)
