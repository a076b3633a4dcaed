"""The bad-input catalogue (issue 6): every command that reads data meets bad input with one
clear line and an exit code, never a traceback, never a partial or overwritten output.

The catalogue is a table of named cases. Each case builds its bad folder, file or arguments
in ``tmp_path``; the same case runs against every command that reads that kind of input
(CLI via click's CliRunner) and against the Python API.

The contract checked for every failing case (README, "Errors"):

* exit code 1 for bad data, 2 for a usage error;
* exactly one line on stderr that starts ``ino-geo: error:`` and names the file / layer /
  record / field where there is one; every other stderr line is an ``ino-geo:`` line
  (progress), so no stray warning or traceback;
* no traceback anywhere in the output;
* no file left in the output folder (hidden temporary files included), and an existing
  output left byte-for-byte unchanged even with ``--overwrite``.

``layers validate`` lists every problem on stdout (one per line) and a summary on stderr.
"""

from __future__ import annotations

import copy
import io
import json
import math
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner
from shapely.geometry import LineString, Point, Polygon

from conftest import _mini_features, feature, square, write_fc
from ino_geo import InoGeoError, UsageError, load_layers, map_results, read_layer, render_map
from ino_geo.cli import cli
from ino_geo.data.layers import default_layers_dir

SENTINEL = b"old output: must survive\n"
XSS = '<img src=x onerror=alert(1)><script>alert("x")</script>'

# --------------------------------------------------------------------------------- helpers


def invoke(*args):
    """Run ``ino-geo ARGS``; a crash is kept as the result's exception (never re-raised)."""
    return CliRunner().invoke(cli, [str(a) for a in args])


def no_crash(r):
    """No exception escaped the CLI and no traceback was printed."""
    exc = r.exception
    assert exc is None or isinstance(exc, SystemExit), "".join(
        __import__("traceback").format_exception(type(exc), exc, exc.__traceback__))
    assert "Traceback" not in r.stdout and "Traceback" not in r.stderr


def assert_error(r, code: int, *needles: str) -> str:
    """The error contract: exit `code`, one ``ino-geo: error:`` line naming `needles`."""
    no_crash(r)
    assert r.exit_code == code, (r.exit_code, r.stdout[-2000:], r.stderr[-2000:])
    lines = r.stderr.splitlines()
    errors = [ln for ln in lines if ln.startswith("ino-geo: error:")]
    assert len(errors) == 1, r.stderr
    assert all(ln.startswith("ino-geo:") for ln in lines), r.stderr  # no stray warnings
    if not any("unexpected" in n for n in needles):  # handled on purpose, not by the safety net
        assert "unexpected" not in errors[0] and "a bug in ino-geo" not in errors[0], errors[0]
    for n in needles:
        assert n in errors[0], (n, errors[0])
    return errors[0]


def listing(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (hidden ones too) with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def write_folder(folder: Path, feats: dict, raw: dict[str, bytes] | None = None) -> Path:
    """A layers folder: the shipped catalogue, `feats` as GeoJSON, `raw` files as given."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(default_layers_dir() / "catalogue.toml", folder / "catalogue.toml")
    for name, fs in feats.items():
        write_fc(folder / f"{name}.geojson", fs)
    for name, data in (raw or {}).items():
        (folder / name).write_bytes(data)
    return folder


def props(layer: str, i: int = 0) -> dict:
    return dict(_mini_features()[layer][i]["properties"])


# ---------------------------------------------------------------------- the catalogue
# A layer break: (layer, change) where change(features) edits the list of GeoJSON features in
# place, or returns bytes to write as the layer's file. `needles` must be in the error line.

BOWTIE = {"type": "Polygon", "coordinates": [[[84.95, 56.47], [84.96, 56.48], [84.96, 56.47], [84.95, 56.48],
                                              [84.95, 56.47]]]}
HOLE_OUTSIDE = {"type": "Polygon", "coordinates": [
    [[84.95, 56.47], [84.96, 56.47], [84.96, 56.48], [84.95, 56.48], [84.95, 56.47]],
    [[84.97, 56.47], [84.98, 56.47], [84.98, 56.48], [84.97, 56.48], [84.97, 56.47]]]}


def _set(layer_i: int, **kv):
    def change(fs):
        fs[layer_i]["properties"].update(kv)
    return change


def _geom(i: int, g):
    def change(fs):
        fs[i]["geometry"] = g
    return change


def _drop_column(col):
    def change(fs):
        for f in fs:
            f["properties"].pop(col, None)
    return change


def _text(fs) -> str:
    return json.dumps({"type": "FeatureCollection", "features": fs}, ensure_ascii=False)


def _nan(fs):  # GeoJSON text with NaN (JSON extension GDAL reads)
    fs[1]["geometry"] = square(84.97, 56.47)
    t = _text(fs)  # the first and the closing point of the ring
    return t.replace("[84.97, 56.47]", "[NaN, 56.47]").encode()


def _inf(fs):
    t = _text(fs)
    return t.replace("[84.97, 56.47]", "[Infinity, 56.47]").encode()


def _truncated(fs):
    t = _text(fs).encode()
    return t[: len(t) // 2]


def _swap(fs):
    g = fs[1]["geometry"]
    g["coordinates"] = [[[y, x] for x, y in ring] for ring in g["coordinates"]]


def _projected(fs):
    fs[1]["geometry"] = square(500000, 6260000, 100)


def _latin1(fs):
    fs[0]["properties"]["name"] = "XNAMEX"
    return _text(fs).encode().replace(b"XNAMEX", "Caf\u00e9 \u00e0 Tomsk".encode("latin-1"))


def _duplicate(fs):
    fs[1]["properties"]["park_id"] = fs[0]["properties"]["park_id"]


LAYER_CASES = {
    "self_intersecting_polygon": ("parks", _geom(0, BOWTIE), ["parks.geojson", "record 0", "field geometry",
                                                             "Self-intersection"]),
    "invalid_polygon_hole_outside": ("parks", _geom(1, HOLE_OUTSIDE), ["parks.geojson", "record 1",
                                                                       "field geometry", "invalid geometry"]),
    "empty_geometry": ("parks", _geom(0, {"type": "Polygon", "coordinates": []}),
                       ["parks.geojson", "record 0", "field geometry", "empty geometry"]),
    "missing_geometry": ("sites", _geom(1, None), ["sites.geojson", "record 1", "field geometry", "missing"]),
    "empty_layer": ("parks", lambda fs: fs.clear(), ["parks.geojson", "no records"]),
    "lon_lat_swapped": ("parks", _swap, ["parks.geojson", "record 1", "field geometry", "swapped"]),
    "projected_labelled_4326": ("parks", _projected, ["parks.geojson", "record 1", "cannot be degrees",
                                                      "EPSG:4326"]),
    "mixed_geometry_types": ("parks", _geom(1, {"type": "Point", "coordinates": [84.97, 56.47]}),
                             ["parks.geojson", "record 1", "field geometry", "geometry type Point"]),
    "missing_required_column": ("parks", _drop_column("park_type"), ["parks.geojson", "field park_type",
                                                                      "missing"]),
    "unknown_park_type": ("parks", _set(1, park_type="zoo"), ["parks.geojson", "record 1", "park_id=P2",
                                                               "field park_type", "'zoo'"]),
    "unknown_status": ("corridors", _set(0, status="dreamt"), ["corridors.geojson", "record 0",
                                                                "field status", "'dreamt'"]),
    "duplicate_ids": ("parks", _duplicate, ["parks.geojson", "record 1", "field park_id", "duplicate"]),
    "nan_coordinates": ("parks", _nan, ["parks.geojson", "record 1", "field geometry", "NaN"]),
    "inf_coordinates": ("parks", _inf, ["parks.geojson", "record 1", "field geometry"]),
    "truncated_file": ("parks", _truncated, ["parks.geojson", "field file"]),
    "non_geographic_file": ("sites", lambda fs: b"\x89PNG\r\n\x1a\n" + bytes(200), ["sites.geojson",
                                                                                   "field file"]),
    "csv_renamed_geojson": ("sites", lambda fs: b"site_id,name\nS1,Lab\n", ["sites.geojson", "field file"]),
    "non_utf8_name": ("parks", _latin1, ["parks.geojson", "UTF-8"]),
    "wrong_type_population": ("population", _set(0, population="many"), ["population.geojson", "record 0",
                                                                          "field population"]),
    "negative_population": ("population", _set(1, population=-5), ["population.geojson", "record 1",
                                                                   "field population"]),
}


def _crs_member(fs):  # a layer file that declares a projected CRS
    return json.dumps({"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:32645"}},
                       "features": fs}).encode()


LAYER_CASES["wrong_crs"] = ("parks", _crs_member, ["parks.geojson", "field crs", "EPSG:32645"])
LAYER_CASES["missing_crs"] = ("parks", None, ["parks.shp", "field crs", "no CRS"])  # see broken_folder


def broken_folder(tmp_path: Path, case: str) -> Path:
    layer, change, _ = LAYER_CASES[case]
    feats = _mini_features()
    raw = {}
    if case == "missing_crs":  # the catalogue names a Shapefile that has no .prj
        folder = write_folder(tmp_path / f"layers_{case}", {k: v for k, v in feats.items() if k != layer})
        _shp_without_crs(folder / f"{layer}.shp", layer)
        cat = folder / "catalogue.toml"
        cat.write_text(cat.read_text(encoding="utf-8").replace(f'file = "{layer}.geojson"', f'file = "{layer}.shp"'),
                       encoding="utf-8")
        return folder
    out = change(feats[layer])
    if isinstance(out, bytes):
        raw[f"{layer}.geojson"] = out
        del feats[layer]
    return write_folder(tmp_path / f"layers_{case}", feats, raw)


# every command that reads the layers folder, writing into `out` where it writes at all;
# the output named first is pre-created with SENTINEL and --overwrite given
def folder_commands(out: Path) -> dict[str, tuple[list, Path | None]]:
    return {
        "layers show": (["layers", "show", "parks"], None),
        "layers list": (["layers", "list"], None),
        "layers export": (["layers", "export", "parks", "-o", out / "parks.gpkg", "--overwrite"], out / "parks.gpkg"),
        "coverage": (["coverage", "--distance", "500", "-o", out / "cov.csv", "--overwrite"], out / "cov.csv"),
        "coverage --gaps": (["coverage", "--distance", "500", "--gaps", out / "gaps.gpkg", "--overwrite"],
                            out / "gaps.gpkg"),
        "proximity": (["proximity", "-o", out / "prox.geojson", "--overwrite"], out / "prox.geojson"),
        "map": (["map", "overview", "-o", out / "overview.html", "--overwrite"], out / "overview.html"),
        "build": (["build", "-o", out, "--overwrite"], out / "coverage.csv"),
    }


FOLDER_COMMANDS = list(folder_commands(Path("x")))


@pytest.mark.parametrize("command", FOLDER_COMMANDS)
@pytest.mark.parametrize("case", list(LAYER_CASES))
def test_broken_layers_folder(tmp_path, case, command):
    folder = broken_folder(tmp_path, case)
    out = tmp_path / "out"
    out.mkdir()
    args, existing = folder_commands(out)[command]
    if existing is not None:
        existing.write_bytes(SENTINEL)
    before = listing(out)
    r = invoke("--layers", folder, *args)
    if command == "layers list":  # the listing shows problems as counts, and still exits 0
        no_crash(r)
        assert r.exit_code == 0, r.stderr
        return
    assert_error(r, 1, *LAYER_CASES[case][2])
    assert listing(out) == before


@pytest.mark.parametrize("case", list(LAYER_CASES))
def test_broken_layers_folder_validate(tmp_path, case):
    """``layers validate``: every problem on stdout, one per line; summary on stderr; exit 1."""
    folder = broken_folder(tmp_path, case)
    r = invoke("--layers", folder, "layers", "validate")
    no_crash(r)
    assert r.exit_code == 1, r.output
    lines = r.stdout.splitlines()
    assert lines and any(all(n in ln for n in LAYER_CASES[case][2]) for ln in lines), lines
    err = r.stderr.splitlines()
    assert len(err) == 1 and err[0].startswith("ino-geo: ") and "problem" in err[0]
    # the same as JSON
    r = invoke("--layers", folder, "layers", "validate", "--format", "json")
    no_crash(r)
    payload = json.loads(r.stdout)
    assert r.exit_code == 1 and payload["ok"] is False and len(payload["problems"]) == len(lines)


@pytest.mark.parametrize("case", list(LAYER_CASES))
def test_broken_layers_folder_api(tmp_path, case):
    folder = broken_folder(tmp_path, case)
    with pytest.raises(InoGeoError) as info:
        load_layers(folder)
    msg = str(info.value)
    assert "\n" not in msg
    for n in LAYER_CASES[case][2]:
        assert n in msg


@pytest.mark.parametrize("case", list(LAYER_CASES))
def test_broken_file_validate_and_read_layer(tmp_path, case):
    """The same breaks in a single file: ``layers validate PATH`` and ``read_layer``."""
    folder = broken_folder(tmp_path, case)
    layer = LAYER_CASES[case][0]
    f = folder / (f"{layer}.shp" if case == "missing_crs" else f"{layer}.geojson")
    r = invoke("layers", "validate", f)
    no_crash(r)
    assert r.exit_code == 1 and r.stdout.strip(), r.output
    assert all(ln.startswith(str(f)) for ln in r.stdout.splitlines())
    with pytest.raises(InoGeoError) as info:
        read_layer(f, layer)
    assert str(f) in str(info.value) and "\n" not in str(info.value)


# ------------------------------------------------------------ bad files given by option


def _shp_without_crs(path: Path, layer: str) -> Path:
    fs = _mini_features()[layer]
    gdf = gpd.GeoDataFrame.from_features(fs)  # no CRS
    gdf.to_file(path, engine="pyogrio")
    path.with_suffix(".prj").unlink(missing_ok=True)
    return path


def _file(tmp_path: Path, layer: str, kind: str) -> tuple[Path, int, list[str]]:
    """A bad file for a role: (path, exit code, needles)."""
    if kind == "missing":
        p = tmp_path / "nope" / f"{layer}.geojson"
        return p, 2, [str(p)]
    if kind == "directory":
        p = tmp_path / f"{layer}_dir"
        p.mkdir()
        return p, 2, [str(p), "folder"]
    if kind == "no_crs":
        p = _shp_without_crs(tmp_path / f"{layer}.shp", layer)
        return p, 1, [str(p), "field crs", "no CRS"]
    if kind == "missing_column":  # the column the role needs: population, speed_kmh, park_type
        col = {"population": "population", "corridors": "speed_kmh", "parks": "park_type", "sites": None}[layer]
        fs = copy.deepcopy(_mini_features()[layer])
        for f in fs:
            f["properties"].pop(col, None)
        p = write_fc(tmp_path / f"my_{layer}.geojson", fs)
        return p, 1, [str(p), col]
    if kind in ("garbage_gpkg", "garbage_parquet", "garbage_fgb", "shp_without_shx"):
        if kind == "shp_without_shx":
            p = _shp_without_crs(tmp_path / f"{layer}.shp", layer)
            p.with_suffix(".shx").unlink()
        else:
            p = tmp_path / f"{layer}.{kind.split('_')[1]}"
            p.write_bytes(bytes(range(256)) * 2)
        return p, 1, [str(p)]
    if kind == "unknown_extension":
        p = tmp_path / f"{layer}.docx"  # .xlsx is a spreadsheet of points for --from (issue 11)
        p.write_bytes(b"PK\x03\x04" + bytes(50))
        return p, 2, [str(p), "unsupported file type"]
    case = {"truncated": "truncated_file", "not_geographic": "non_geographic_file", "empty_layer": "empty_layer",
            "nan": "nan_coordinates", "empty_geometry": "empty_geometry", "invalid": "self_intersecting_polygon",
            "mixed": "mixed_geometry_types", "swapped": "lon_lat_swapped"}[kind]
    _, change, needles = LAYER_CASES[case]
    fs = copy.deepcopy(_mini_features()[layer])
    fs = fs if layer == "parks" else _like_parks(layer, fs, case)
    p = tmp_path / f"my_{layer}.geojson"
    out = change(fs)
    if isinstance(out, bytes):
        p.write_bytes(out)
    else:
        write_fc(p, fs)
    return p, 1, [str(p)]


def _like_parks(layer, fs, case):
    """Two records of another layer, so that a parks-shaped break (aimed at record 1) lands
    on a record; NaN goes into a point / line of that layer's own type."""
    fs = [copy.deepcopy(f) for f in (fs * 2)[:2]]
    if case == "nan_coordinates" and layer != "population":
        fs[1]["geometry"] = ({"type": "Point", "coordinates": [84.97, 56.47]} if layer == "sites" else
                             {"type": "LineString", "coordinates": [[84.97, 56.47], [84.98, 56.48]]})
    return fs


FILE_KINDS = ["missing", "directory", "no_crs", "unknown_extension", "truncated", "not_geographic", "empty_layer",
              "nan", "empty_geometry", "invalid", "mixed", "missing_column", "garbage_gpkg", "garbage_parquet",
              "garbage_fgb", "shp_without_shx"]

# command -> (layer role, args builder)
FILE_COMMANDS = {
    "coverage --population": ("population", lambda p, o: ["coverage", "--distance", "500", "--population", p,
                                                          "-o", o / "c.csv"]),
    "proximity --from": ("sites", lambda p, o: ["proximity", "--from", p, "-o", o / "p.csv"]),
    "proximity --to": ("parks", lambda p, o: ["proximity", "--to", p, "-o", o / "p.csv"]),
    "proximity --network": ("corridors", lambda p, o: ["proximity", "--mode", "network", "--network", p,
                                                       "-o", o / "p.csv"]),
    "coverage --network": ("corridors", lambda p, o: ["coverage", "--minutes", "5", "--mode", "network",
                                                      "--network", p, "-o", o / "c.csv"]),
    "map --network": ("corridors", lambda p, o: ["map", "coverage", "--mode", "network", "--network", p,
                                                 "-o", o / "m.html"]),
    "layers validate": ("parks", lambda p, o: ["layers", "validate", "--as", "parks", p]),
}


@pytest.mark.parametrize("kind", FILE_KINDS)
@pytest.mark.parametrize("command", list(FILE_COMMANDS))
def test_bad_file_option(tmp_path, mini_layers, command, kind):
    layer, build = FILE_COMMANDS[command]
    if kind == "missing_column" and (layer == "sites" or command == "proximity --to"):
        pytest.skip("no column is required of origins; destinations without park_type are one group")
    path, code, needles = _file(tmp_path, layer, kind)
    out = tmp_path / "out"
    out.mkdir()
    r = invoke("--layers", mini_layers, *build(path, out))
    if command == "layers validate":
        no_crash(r)
        if code == 2:
            assert_error(r, 2, *needles)
        else:
            assert r.exit_code == 1 and r.stdout.strip(), r.output
            assert all(n in r.stdout for n in needles)
        return
    if kind == "mixed" and command != "coverage --population":  # a point among polygons: fine for --to
        no_crash(r)
        assert r.exit_code in (0, 1)
        if r.exit_code == 1:
            assert_error(r, 1, str(path))
        return
    if kind == "invalid" and layer in ("sites", "corridors"):
        no_crash(r)
        return
    assert_error(r, code, *needles)
    assert listing(out) == {}


# ------------------------------------------------------------------ outputs and paths


@pytest.mark.parametrize("command", ["layers export", "coverage", "proximity", "map", "coverage --gaps",
                                     "validate --fix", "build"])
def test_existing_output_without_overwrite(tmp_path, mini_layers, command):
    out = tmp_path / "out"
    out.mkdir()
    target = {"layers export": out / "parks.gpkg", "coverage": out / "c.csv", "proximity": out / "p.csv",
              "map": out / "m.html", "coverage --gaps": out / "gaps.geojson", "validate --fix": out / "fixed.geojson",
              "build": out / "index.html"}[command]
    bad = write_fc(tmp_path / "parks.geojson", [dict(_mini_features()["parks"][0], geometry=BOWTIE)])
    args = {"layers export": ["layers", "export", "parks", "-o", target],
            "coverage": ["coverage", "--distance", "500", "-o", target],
            "proximity": ["proximity", "-o", target],
            "map": ["map", "overview", "-o", target],
            "coverage --gaps": ["coverage", "--distance", "500", "--gaps", target],
            "validate --fix": ["layers", "validate", bad, "--fix", "-o", target],
            "build": ["build", "-o", out]}[command]
    target.write_bytes(SENTINEL)
    before = listing(out)
    r = invoke("--layers", mini_layers, *args)
    assert_error(r, 2, str(target), "--overwrite")
    assert listing(out) == before


@pytest.mark.parametrize("where", ["under_a_file", "proc"])
@pytest.mark.parametrize("command", ["layers export", "coverage", "proximity", "map", "validate --fix", "build"])
def test_unwritable_output(tmp_path, mini_layers, command, where):
    """An output whose folder cannot be written (tests run as root: chmod does not stop root,
    so the folder is a regular file, or /proc)."""
    if where == "under_a_file":
        blocker = tmp_path / "file.txt"
        blocker.write_text("x")
        folder = blocker
        code = 2 if command != "build" else 2
    else:
        folder = Path("/proc")
        code = None
    target = folder / {"layers export": "o.gpkg", "coverage": "c.csv", "proximity": "p.csv", "map": "m.html",
                       "validate --fix": "fixed.geojson", "build": "pack"}[command]
    bad = write_fc(tmp_path / "parks.geojson", [dict(_mini_features()["parks"][0], geometry=BOWTIE)])
    args = {"layers export": ["layers", "export", "parks", "-o", target],
            "coverage": ["coverage", "--distance", "500", "-o", target],
            "proximity": ["proximity", "-o", target],
            "map": ["map", "overview", "-o", target],
            "validate --fix": ["layers", "validate", bad, "--fix", "-o", target],
            "build": ["build", "-o", target]}[command]
    r = invoke("--layers", mini_layers, *args)
    no_crash(r)
    assert r.exit_code in ((1, 2) if code is None else (code,)), r.output
    assert_error(r, r.exit_code, str(target))
    assert len(r.stderr.splitlines()) == 1, r.stderr  # refused before any work
    if where == "under_a_file":
        assert blocker.read_text() == "x"
    assert not target.exists()


@pytest.mark.parametrize("command", ["layers export", "coverage", "proximity", "map", "validate --fix"])
def test_output_is_a_directory(tmp_path, mini_layers, command):
    target = tmp_path / "adir"
    target.mkdir()
    bad = write_fc(tmp_path / "parks.geojson", [dict(_mini_features()["parks"][0], geometry=BOWTIE)])
    args = {"layers export": ["layers", "export", "parks", "-o", target],
            "coverage": ["coverage", "--distance", "500", "-o", target],
            "proximity": ["proximity", "-o", target],
            "map": ["map", "overview", "-o", target],
            "validate --fix": ["layers", "validate", bad, "--fix", "-o", target]}[command]
    r = invoke("--layers", mini_layers, *args)
    assert_error(r, 2, str(target))
    assert listing(target) == {}


def test_build_output_is_a_file(tmp_path, mini_layers):
    f = tmp_path / "pack"
    f.write_bytes(SENTINEL)
    r = invoke("--layers", mini_layers, "build", "-o", f, "--overwrite")
    assert_error(r, 2, str(f))
    assert f.read_bytes() == SENTINEL


@pytest.mark.parametrize("layers_arg", ["missing", "file", "no_catalogue", "bad_catalogue"])
@pytest.mark.parametrize("command", FOLDER_COMMANDS + ["layers validate"])
def test_bad_layers_folder_path(tmp_path, command, layers_arg):
    if layers_arg == "missing":
        folder, code = tmp_path / "nope", 2
    elif layers_arg == "file":
        folder, code = tmp_path / "afile.geojson", 2
        folder.write_text("{}")
    elif layers_arg == "no_catalogue":
        folder, code = tmp_path / "empty", 2
        folder.mkdir()
    else:
        folder = write_folder(tmp_path / "badcat", _mini_features())
        (folder / "catalogue.toml").write_text("[catalogue\nname = 1\n")
        code = 1
    out = tmp_path / "out"
    out.mkdir()
    args, _ = (folder_commands(out).get(command) or (["layers", "validate"], None))
    r = invoke("--layers", folder, *args)
    assert_error(r, code, str(folder))
    assert listing(out) == {}


# ------------------------------------------------------------------- bad argument values


@pytest.mark.parametrize("args,code,needle", [
    (["coverage", "--distance", "-5"], 2, "--distance"),
    (["coverage", "--distance", "nan"], 2, "--distance"),
    (["coverage", "--distance", "inf"], 2, "--distance"),
    (["coverage", "--distance", "1e12"], 2, "--distance"),
    (["coverage", "--distance", "abc"], 2, "--distance"),
    (["coverage", "--minutes", "-1"], 2, "--minutes"),
    (["coverage", "--minutes", "1e9"], 2, "--minutes"),
    (["coverage"], 2, "threshold"),
    (["coverage", "--distance", "500", "--max-snap", "-1"], 2, "--max-snap"),
    (["coverage", "--distance", "500", "--walk-speed", "0"], 2, "--walk-speed"),
    (["coverage", "--distance", "500", "--park-type", "zoo"], 2, "--park-type"),
    (["coverage", "--distance", "500", "--format", "xml"], 2, "--format"),
    (["coverage", "--distance", "500", "--by", "planet"], 2, "--by"),
    (["proximity", "-k", "0"], 2, "-k"),
    (["proximity", "-k", "-3"], 2, "-k"),
    (["proximity", "-k", "many"], 2, "-k"),
    (["proximity", "--max-snap", "-5"], 2, "--max-snap"),
    (["proximity", "--max-snap", "inf"], 2, "--max-snap"),
    (["proximity", "--walk-speed", "-4"], 2, "--walk-speed"),
    (["proximity", "--from", "nowhere"], 2, "--from"),
    (["proximity", "--bogus"], 2, "--bogus"),
    (["map", "coverage", "--distance", "-100"], 2, "--distance"),
    (["map", "coverage", "--distance", "0"], 2, "--distance"),
    (["map", "coverage", "--distance", "1e12"], 2, "--distance"),
    (["map", "coverage", "--minutes", "nan"], 2, "--minutes"),
    (["map", "nosuchmap"], 2, "nosuchmap"),
    (["build", "--distance", "-1"], 2, "--distance"),
    (["build", "--distance", "nan"], 2, "--distance"),
    (["build", "--distance", "1e12"], 2, "--distance"),
    (["layers", "show", "nope"], 2, "nope"),
    (["layers", "export", "nope", "-o", "x.gpkg"], 2, "nope"),
    (["layers", "export", "parks", "-o", "x.docx"], 2, "x.docx"),
    (["layers", "validate", "--as", "nolayer"], 2, "nolayer"),
    (["layers", "validate", "--fix"], 2, "--fix"),
    (["nocommand"], 2, "nocommand"),
])
def test_bad_arguments(tmp_path, mini_layers, monkeypatch, args, code, needle):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "o.csv"
    r = invoke("--layers", mini_layers, *args, *(["-o", out] if args[0] in ("coverage", "proximity") else []))
    assert_error(r, code, needle)
    assert [p.name for p in tmp_path.iterdir() if p.name != "mini"] == []


def test_zero_distance_is_the_parks_themselves(mini_layers):
    r = invoke("--layers", mini_layers, "coverage", "--distance", "0", "--park-type", "medical", "--format", "json")
    no_crash(r)
    assert r.exit_code == 0, r.stderr
    [row] = json.loads(r.stdout)["records"]
    assert 0 < row["area_pct"] < 100 and 0 <= row["population"] <= row["population_total"]


def test_huge_k_is_every_park(mini_layers):
    r = invoke("--layers", mini_layers, "proximity", "-k", "1000000", "--format", "json")
    no_crash(r)
    assert r.exit_code == 0, r.stderr
    recs = json.loads(r.stdout)["records"]
    assert len(recs) == 2 * 2  # two sites x two parks (one of each type)
    assert all(x["distance_m"] >= 0 for x in recs)


# ---------------------------------------------------------------------- networks


def _network_file(tmp_path: Path, lines: list, name="net.geojson") -> Path:
    fs = [feature({"type": "LineString", "coordinates": c}, corridor_id=f"N{i}", name=f"n{i}", mode="road",
                  status="existing", speed_kmh=30.0, source="test", accuracy_m=5.0) for i, c in enumerate(lines)]
    return write_fc(tmp_path / name, fs)


def test_network_with_disconnected_parts(tmp_path, mini_layers):
    # one part near the parks and sites, one far away: no crash, the far part reaches nothing
    net = _network_file(tmp_path, [[[84.95, 56.465], [84.98, 56.47], [84.99, 56.49]],
                                   [[85.5, 57.0], [85.6, 57.1]]])
    r = invoke("--layers", mini_layers, "proximity", "--mode", "network", "--network", net, "--format", "json")
    no_crash(r)
    assert r.exit_code == 0, r.stderr
    recs = json.loads(r.stdout)["records"]
    assert {x["status"] for x in recs} <= {"ok", "unsnapped", "unreachable", "no_destination"}
    assert all(x["distance_m"] is None or x["distance_m"] >= 0 for x in recs)
    r = invoke("--layers", mini_layers, "coverage", "--mode", "network", "--network", net, "--minutes", "10",
               "--format", "json")
    no_crash(r)
    assert r.exit_code == 0, r.stderr
    for row in json.loads(r.stdout)["records"]:
        assert 0 <= row["population"] <= row["population_total"] + 1e-6
    # an origin whose only road is the far part: unreachable, never an invented route
    far = write_fc(tmp_path / "far.geojson", [feature({"type": "Point", "coordinates": [85.55, 57.05]},
                                                      site_id="F", name="far")])
    r = invoke("--layers", mini_layers, "proximity", "--mode", "network", "--network", net, "--from", far,
               "--format", "json")
    no_crash(r)
    assert r.exit_code == 0, r.stderr
    recs = json.loads(r.stdout)["records"]
    assert recs and all(x["status"] in ("unreachable", "unsnapped") for x in recs)
    assert all(x["distance_m"] is None for x in recs)


def test_origin_that_cannot_snap(tmp_path, mini_layers):
    # 300 m from the road and from every park; --max-snap 100
    pt = write_fc(tmp_path / "o.geojson", [feature({"type": "Point", "coordinates": [84.93, 56.45]}, site_id="O")])
    r = invoke("--layers", mini_layers, "proximity", "--mode", "network", "--max-snap", "100", "--from", pt,
               "--format", "json")
    no_crash(r)
    assert r.exit_code == 0, r.stderr
    recs = json.loads(r.stdout)["records"]
    assert {x["status"] for x in recs} == {"unsnapped"}
    assert "unsnapped or unreachable" in r.stderr


def test_network_without_lines(tmp_path, mini_layers):
    pts = write_fc(tmp_path / "pts.geojson", [feature({"type": "Point", "coordinates": [84.95, 56.47]},
                                                      speed_kmh=30.0)])
    r = invoke("--layers", mini_layers, "proximity", "--mode", "network", "--network", pts)
    assert_error(r, 1, str(pts))


# ------------------------------------------------------------------------ map specs

BAD_SPECS = {
    "toml_syntax": (b"[map\ntitle = 'x'\n", 1, ["not valid TOML"]),
    "not_utf8": ("[map]\ntitle = 'Caf\u00e9'\n".encode("latin-1"), 1, ["UTF-8"]),
    "unknown_key": (b"[map]\ntitle = 'x'\ncolour = 'red'\n[[layers]]\nid = 'p'\nlayer = 'parks'\n", 1,
                    ["colour"]),
    "wrong_type": (b"[map]\ntitle = 42\n[[layers]]\nid = 'p'\nlayer = 'parks'\n", 1, ["title"]),
    "missing_id": (b"[map]\ntitle = 'x'\n[[layers]]\nlayer = 'parks'\n", 1, ["layers[1].id"]),
    "missing_layer": (b"[map]\ntitle = 'x'\n[[layers]]\nid = 'p'\nlayer = 'nosuchlayer'\n", 1, ["nosuchlayer"]),
    "bad_colour": (b"[map]\ntitle = 'x'\n[[layers]]\nid = 'p'\nlayer = 'parks'\nstyle = { color = 'javascript:alert(1)' }\n",
                   1, ["color"]),
    "popup_unknown_column": (b"[map]\ntitle = 'x'\n[[layers]]\nid = 'p'\nlayer = 'parks'\npopup = ['nope']\n",
                             "warn", ["nope"]),  # drawn, with a warning naming the column
    "empty": (b"", 1, []),
    "script_title": (("[map]\ntitle = '" + XSS.replace("'", '"') + "'\n[[layers]]\nid = 'p'\nlayer = 'parks'\n"
                      "popup = ['name']\n").encode(), 0, []),
}


@pytest.mark.parametrize("case", list(BAD_SPECS))
def test_bad_map_spec(tmp_path, mini_layers, case):
    data, code, needles = BAD_SPECS[case]
    spec = tmp_path / "my.toml"
    spec.write_bytes(data)
    out = tmp_path / "out"
    out.mkdir()
    r = invoke("--layers", mini_layers, "map", spec, "-o", out / "m.html")
    if code == "warn":
        no_crash(r)
        assert r.exit_code == 0 and all(n in r.stderr for n in needles) and "WARNING" in r.stderr, r.stderr
        return
    if code == 0:
        no_crash(r)
        assert r.exit_code == 0, r.stderr
        html = (out / "m.html").read_text(encoding="utf-8")
        assert "<img src=x" not in html and '<script>alert("x")' not in html
        return
    assert_error(r, code, str(spec), *needles)
    assert listing(out) == {}
    with pytest.raises(InoGeoError):
        render_map(spec, load_layers(mini_layers))


@pytest.mark.parametrize("spec", ["missing", "directory"])
def test_map_spec_path_errors(tmp_path, mini_layers, spec):
    p = tmp_path / "nope.toml"
    if spec == "directory":
        p = tmp_path / "specdir.toml"
        p.mkdir()
    r = invoke("--layers", mini_layers, "map", p, "-o", tmp_path / "m.html")
    assert_error(r, 2, str(p))
    assert not (tmp_path / "m.html").exists()


# ------------------------------------------------------------- names that carry HTML/JS

NASTY_NAMES = [XSS, "</script><script>alert(2)</script>", "a\"b'c,d\ne", "\x1b[2J\x1b[31mred", "=HYPERLINK(\"x\")"]


@pytest.fixture
def nasty_layers(tmp_path) -> Path:
    feats = _mini_features()
    for i, f in enumerate(feats["parks"]):
        f["properties"]["name"] = NASTY_NAMES[i]
        f["properties"]["description"] = NASTY_NAMES[i + 2]
    for i, f in enumerate(feats["sites"]):
        f["properties"]["name"] = NASTY_NAMES[(i + 1) % len(NASTY_NAMES)]
    feats["corridors"][0]["properties"]["name"] = NASTY_NAMES[1]
    feats["boundaries"][0]["properties"]["name"] = XSS
    return write_folder(tmp_path / "nasty", feats)


def _no_raw_markup(html: str) -> None:
    assert "<img src=x" not in html
    assert '<script>alert("x")' not in html and "<script>alert(2)" not in html
    assert "onerror=alert(1)>" not in html


@pytest.mark.parametrize("name", ["overview", "waterfront", "corridors", "coverage", "proximity"])
def test_html_names_are_escaped_in_maps(tmp_path, nasty_layers, name):
    out = tmp_path / f"{name}.html"
    r = invoke("--layers", nasty_layers, "map", name, "-o", out)
    no_crash(r)
    assert r.exit_code == 0, r.stderr
    _no_raw_markup(out.read_text(encoding="utf-8"))
    cdn = tmp_path / f"{name}.cdn.html"
    r = invoke("--layers", nasty_layers, "map", name, "-o", cdn, "--cdn")
    assert r.exit_code == 0, r.stderr
    _no_raw_markup(cdn.read_text(encoding="utf-8"))


def test_html_names_in_the_build_pack(tmp_path, nasty_layers):
    out = tmp_path / "pack"
    r = invoke("--layers", nasty_layers, "build", "-o", out)
    no_crash(r)
    assert r.exit_code == 0, r.stderr
    for f in out.glob("*.html"):
        _no_raw_markup(f.read_text(encoding="utf-8"))
    prox = pd.read_csv(out / "proximity.csv", keep_default_na=False)
    assert set(prox["origin_name"]) <= set(NASTY_NAMES)


@pytest.mark.parametrize("command", [["layers", "show", "parks"], ["layers", "show", "sites"],
                                     ["proximity"], ["coverage", "--distance", "500", "--by", "municipality"]])
def test_html_names_are_data_in_tables(nasty_layers, command):
    """JSON and CSV give the names back exactly; the table shows them inert (no control
    characters reach the terminal, one line per record)."""
    r = invoke("--layers", nasty_layers, *command, "--format", "json")
    no_crash(r)
    assert r.exit_code == 0, r.stderr
    payload = json.loads(r.stdout)
    records = payload["records"] if isinstance(payload, dict) else payload
    names = {v for rec in records for k, v in rec.items() if k.endswith("name") and isinstance(v, str)}
    if command[0] != "coverage":
        assert names and names <= set(NASTY_NAMES) | {"City"}
    r = invoke("--layers", nasty_layers, *command, "--format", "csv")
    assert r.exit_code == 0
    df = pd.read_csv(io.StringIO(r.stdout), keep_default_na=False)
    assert len(df) == len(records)
    if command[0] != "coverage":
        for col in [c for c in df.columns if c.endswith("name")]:
            assert set(df[col]) <= set(NASTY_NAMES) | {"City", ""}
        assert {v for c in df.columns if c.endswith("name") for v in df[c]} >= names
    r = invoke("--layers", nasty_layers, *command, "--format", "table")
    assert r.exit_code == 0
    assert "\x1b" not in r.stdout
    assert len(r.stdout.strip("\n").splitlines()) == len(records) + 1


def test_html_names_in_geojson_output(nasty_layers):
    r = invoke("--layers", nasty_layers, "layers", "show", "parks", "--format", "geojson")
    assert r.exit_code == 0
    fc = json.loads(r.stdout)
    assert [f["properties"]["name"] for f in fc["features"]] == NASTY_NAMES[:2]


# ---------------------------------------------------------------- repair (--fix)


def test_fix_repairs_only_when_asked_and_reports(tmp_path):
    bad = write_fc(tmp_path / "parks.geojson", [dict(_mini_features()["parks"][0], geometry=BOWTIE),
                                                _mini_features()["parks"][1]])
    original = bad.read_bytes()
    r = invoke("layers", "validate", bad)  # without --fix: reported, nothing written
    assert r.exit_code == 1 and "Self-intersection" in r.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["parks.geojson"]
    out = tmp_path / "fixed.geojson"
    r = invoke("layers", "validate", bad, "--fix", "-o", out)
    no_crash(r)
    assert r.exit_code == 0, r.output
    assert "record 0 (park_id=P1): field geometry: repaired" in r.stdout and "MultiPolygon" in r.stdout
    assert bad.read_bytes() == original  # the input is never touched
    fixed = read_layer(out, "parks")
    assert fixed.is_valid.all() and list(fixed.park_id) == ["P1", "P2"]
    with pytest.raises(InoGeoError, match="Self-intersection"):
        read_layer(bad, "parks")  # the API never repairs silently


def test_fix_on_an_unrepairable_file_writes_nothing(tmp_path):
    feat = _mini_features()["parks"][0]
    feat["properties"]["park_type"] = "zoo"
    bad = write_fc(tmp_path / "parks.geojson", [feat])
    out = tmp_path / "fixed.geojson"
    r = invoke("layers", "validate", bad, "--fix", "-o", out)
    no_crash(r)
    assert r.exit_code == 1 and "'zoo'" in r.stdout
    truncated = tmp_path / "t.geojson"
    truncated.write_bytes(bad.read_bytes()[:30])
    r = invoke("layers", "validate", truncated, "--as", "parks", "--fix", "-o", out)
    no_crash(r)
    assert r.exit_code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["parks.geojson", "t.geojson"]


# ---------------------------------------------------------------------- the API


def _api():
    """ino_geo.coverage and ino_geo.proximity, the flat public functions."""
    import ino_geo

    return ino_geo.coverage, ino_geo.proximity


def _parks(geoms, crs="EPSG:4326", **cols):
    data = {"park_id": [f"P{i}" for i in range(len(geoms))], "park_type": ["sport"] * len(geoms)}
    data.update(cols)
    return gpd.GeoDataFrame(data, geometry=geoms, crs=crs)


GOOD = Polygon([(84.95, 56.47), (84.96, 56.47), (84.96, 56.48), (84.95, 56.48)])
API_CASES = {
    "no_crs": (lambda: _parks([GOOD], crs=None), "CRS"),
    "self_intersecting": (lambda: _parks([Polygon(BOWTIE["coordinates"][0])]), "geometry"),
    "empty_geometry": (lambda: _parks([Polygon()]), "geometry"),
    "missing_geometry": (lambda: _parks([None]), "geometry"),
    "nan_coordinates": (lambda: _parks([Polygon([(84.95, 56.47), (math.nan, 56.47), (84.96, 56.48)])]), "NaN"),
    "inf_coordinates": (lambda: _parks([Polygon([(84.95, 56.47), (math.inf, 56.47), (84.96, 56.48)])]), ""),
    "empty_layer": (lambda: _parks([]), ""),
    "projected_labelled_4326": (lambda: _parks([Polygon([(5e5, 6.26e6), (5e5 + 100, 6.26e6), (5e5, 6.26e6 + 100)])]),
                                ""),
    "no_park_type": (lambda: gpd.GeoDataFrame({"park_id": ["P"]}, geometry=[GOOD], crs="EPSG:4326"), "park_type"),
}


@pytest.mark.parametrize("case", list(API_CASES))
def test_api_bad_parks(case):
    coverage, proximity = _api()
    make, needle = API_CASES[case]
    sites = gpd.GeoDataFrame({"site_id": ["S"]}, geometry=[Point(84.955, 56.475)], crs="EPSG:4326")
    pop = gpd.GeoDataFrame({"population": [10.0]}, geometry=[GOOD.buffer(0.01)], crs="EPSG:4326")
    for call in (lambda: coverage(make(), distances=[500], population=pop, park_types=["sport"]),
                 lambda: proximity(sites, make(), park_types=["sport"])):
        try:
            res = call()
        except InoGeoError as exc:
            assert needle in str(exc) and "\n" not in str(exc)
            continue
        # a result is only acceptable if it keeps the invariants
        table = res.table if hasattr(res, "table") else res
        if "distance_m" in table:
            assert (table["distance_m"].dropna() >= 0).all()
        if "population" in table:
            assert (table["population"] <= table["population_total"] + 1e-6).all()


@pytest.mark.parametrize("dist", [-1.0, math.nan, math.inf, 1e12])
def test_api_bad_distances(dist):
    coverage, _ = _api()
    with pytest.raises(UsageError):
        coverage(_parks([GOOD]), distances=[dist])


def test_api_k_zero():
    _, proximity = _api()
    sites = gpd.GeoDataFrame({"site_id": ["S"]}, geometry=[Point(84.955, 56.475)], crs="EPSG:4326")
    with pytest.raises(UsageError):
        proximity(sites, _parks([GOOD]), k=0)


def test_api_read_layer_paths(tmp_path):
    with pytest.raises(UsageError):
        read_layer(tmp_path / "nope.geojson")
    with pytest.raises(UsageError):
        read_layer(tmp_path)
    with pytest.raises(UsageError):
        load_layers(tmp_path / "nope")


def test_api_disconnected_network():
    _, proximity = _api()
    sites = gpd.GeoDataFrame({"site_id": ["S", "F"]}, geometry=[Point(84.955, 56.475), Point(85.55, 57.05)],
                             crs="EPSG:4326")
    net = gpd.GeoDataFrame({"speed_kmh": [30.0, 30.0], "mode": ["road", "road"], "status": ["existing"] * 2},
                           geometry=[LineString([(84.95, 56.465), (84.99, 56.49)]),
                                     LineString([(85.5, 57.0), (85.6, 57.1)])], crs="EPSG:4326")
    r = proximity(sites, _parks([GOOD]), mode="network", network=net)
    far = r[r["origin_id"] == "F"]
    assert (far["status"] != "ok").all() and far["distance_m"].isna().all()


def test_api_render_map_escapes_names(nasty_layers):
    lay = load_layers(nasty_layers)
    for name in ("overview", "proximity"):
        _no_raw_markup(render_map(name, lay, results=map_results(name, lay)).get_root().render())


def test_api_render_map_bad_spec(tmp_path, mini_layers):
    lay = load_layers(mini_layers)
    with pytest.raises(UsageError):
        render_map("no-such-map", lay)
    spec = tmp_path / "s.toml"
    spec.write_text("[map]\ntitle = 1\n", encoding="utf-8")
    with pytest.raises(InoGeoError, match="s.toml"):
        render_map(spec, lay)


@pytest.mark.parametrize("command", [["proximity", "--mode", "network"],
                                     ["coverage", "--mode", "network", "--minutes", "5"]])
def test_max_snap_zero_is_on_the_network_only(mini_layers, command):
    """--max-snap 0 is allowed (>= 0): only what lies on the network snaps; never a crash."""
    r = invoke("--layers", mini_layers, *command, "--max-snap", "0", "--format", "json")
    no_crash(r)
    assert r.exit_code == 0, r.stderr
    payload = json.loads(r.stdout)
    records = payload["records"] if isinstance(payload, dict) else payload
    for rec in records:
        if "status" in rec:
            assert rec["status"] in ("ok", "unsnapped", "unreachable", "no_destination")
            assert rec["status"] != "ok" or rec["origin_snap_m"] in (None, 0) or rec["distance_m"] == 0
        else:
            assert 0 <= rec["population"] <= rec["population_total"] + 1e-6


def test_debug_shows_the_traceback(tmp_path):
    r = invoke("--debug", "proximity", "--from", tmp_path / "nowhere.geojson")
    assert isinstance(r.exception, UsageError) and r.exit_code != 0
    r = invoke("proximity", "--from", tmp_path / "nowhere.geojson")
    assert_error(r, 2, "nowhere.geojson")


def test_unexpected_exception_is_one_line(monkeypatch, mini_layers):
    """The safety net: a bug is still one line and exit 1 (the traceback only with --debug)."""
    import ino_geo.data.layers

    def boom(*a, **k):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(ino_geo.data.layers, "load_layers", boom)
    r = invoke("--layers", mini_layers, "layers", "show", "parks")
    line = assert_error(r, 1, "unexpected ZeroDivisionError: boom", "--debug")
    assert line
    r = invoke("--debug", "--layers", mini_layers, "layers", "show", "parks")
    assert isinstance(r.exception, ZeroDivisionError)


def test_markup_in_spec_labels_and_data_values_is_escaped(tmp_path, nasty_layers):
    """A planner's spec colouring by a free-text column: the legend shows data values and
    the spec's own labels, titles and field labels - all as text."""
    spec = tmp_path / "s.toml"
    key = XSS.replace('"', '\\"')
    spec.write_text(f"""[map]
title = "t"
[field_labels]
name = "<b onmouseover=alert(3)>Name</b>"
[[layers]]
id = "p"
title = "<svg onload=alert(4)>"
layer = "parks"
color_by = "name"
colors = {{ "{key}" = "#ff0000" }}
labels = {{ "{key}" = "<img src=y onerror=alert(5)>" }}
popup = ["name", "description"]
tooltip = ["name"]
legend_title = "<script>alert(6)</script>"
""", encoding="utf-8")
    out = tmp_path / "m.html"
    r = invoke("--layers", nasty_layers, "map", spec, "-o", out)
    no_crash(r)
    assert r.exit_code == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    _no_raw_markup(html)
    for raw in ("<img src=y", "<svg onload", "<b onmouseover", "<script>alert(6)"):
        assert raw not in html
