"""``ino-geo accessibility`` and ``ino-geo site-selection``: exit codes, one-line messages,
formats, outputs written whole or not at all."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner
from shapely import Point, box

from _fixtures_analysis import X0, Y0, analysis_layers  # noqa: F401  (fixture)
from ino_geo.cli import cli


@pytest.fixture
def run(analysis_layers):
    def _run(*args):
        return CliRunner().invoke(cli, ["--layers", str(analysis_layers), *[str(a) for a in args]], catch_exceptions=False)

    return _run


def _csv(text):
    return pd.read_csv(io.StringIO(text))


def _one_line_error(r, code, text):
    assert r.exit_code == code, (r.exit_code, r.stderr)
    lines = [x for x in r.stderr.splitlines() if x.startswith("ino-geo: error:")]
    assert len(lines) == 1 and text in lines[0], r.stderr
    assert "Traceback" not in r.stderr


def test_help_is_light_and_defaults_agree():
    code = ("import sys; from ino_geo.cli import cli; from click.testing import CliRunner;"
            "r = CliRunner().invoke(cli, ['accessibility', '--help']); assert r.exit_code == 0, r.output;"
            "assert '--supply' in r.output and '--cells' in r.output;"
            "r = CliRunner().invoke(cli, ['site-selection', '--help']); assert r.exit_code == 0, r.output;"
            "assert '--objective' in r.output and '--time-limit' in r.output;"
            "bad = [m for m in ('geopandas', 'shapely', 'pandas', 'scipy', 'highspy') if m in sys.modules];"
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------------------- accessibility


def test_accessibility_by_district(run, tmp_path):
    # sport park A (1 ha) over cell c0; within 100 m: c0 (inside) and c1 (50 m): 1 ha per 200 people
    cells = tmp_path / "cells.geojson"
    r = run("accessibility", "--park-type", "sport", "--distance", 100, "--by", "district", "--format", "csv",
            "--cells", cells)
    assert r.exit_code == 0, r.stderr
    t = _csv(r.stdout).set_index("boundary_id")
    assert t.loc["W", "mean_score"] == pytest.approx(5.0, rel=1e-3)
    assert t.loc["E", "mean_score"] == 0.0 and t.loc["E", "people_no_access"] == pytest.approx(200.0)
    assert t.loc["all", "mean_score"] == pytest.approx(2.5, rel=1e-3)
    back = gpd.read_file(cells)
    assert back.crs.to_epsg() == 4326 and len(back) == 4
    assert back.set_index("cell_id")["score"].round(2).tolist() == [5.0, 5.0, 0.0, 0.0]


def test_accessibility_json_and_gpkg(run, tmp_path):
    r = run("accessibility", "--park-type", "sport", "--method", "e2sfca", "--distance", 150, "--format", "json")
    payload = json.loads(r.stdout)
    assert payload["meta"]["method"] == "e2sfca" and payload["meta"]["weights"] == [1.0, 0.68, 0.22]
    out = tmp_path / "acc.gpkg"
    r = run("accessibility", "--park-type", "sport", "--method", "gravity", "--distance", 150, "-o", out)
    assert r.exit_code == 0 and r.stdout == ""
    assert {x[0] for x in pyogrio.list_layers(out)} == {"accessibility", "cells", "parks"}


def test_accessibility_network(run):
    r = run("accessibility", "--park-type", "sport", "--minutes", 5, "--mode", "network", "--format", "csv")
    assert r.exit_code == 0, r.stderr
    assert _csv(r.stdout).set_index("boundary_id").loc["all", "mean_score"] > 0


def test_accessibility_compare_scenarios(run):
    # the planned road only reaches across the river, where nobody lives: no change, same threshold
    r = run("accessibility", "--park-type", "sport", "--minutes", 5, "--mode", "network", "--compare", "--format", "csv")
    assert r.exit_code == 0, r.stderr
    t = _csv(r.stdout).set_index("boundary_id")
    assert t.loc["all", "mean_score_existing"] == pytest.approx(t.loc["all", "mean_score_planned"])
    assert t.loc["all", "people_gaining_access"] == pytest.approx(0.0)
    _one_line_error(run("accessibility", "--park-type", "sport", "--distance", 100, "--compare"), 2, "--compare needs")


def test_accessibility_bad_input(run, tmp_path):
    r = run("accessibility", "--distance", 100)
    assert r.exit_code == 2 and "--park-type" in r.stderr
    _one_line_error(run("accessibility", "--park-type", "zoo", "--distance", 100), 2, "not one of")
    _one_line_error(run("accessibility", "--park-type", "sport"), 2, "exactly one standard")
    _one_line_error(run("accessibility", "--park-type", "sport", "--distance", 100, "--minutes", 5), 2, "exactly one")
    _one_line_error(run("accessibility", "--park-type", "sport", "--distance", -5), 2, "--distance -5")
    _one_line_error(run("accessibility", "--park-type", "sport", "--distance", 100, "--weights", "1,x",
                        "--method", "e2sfca"), 2, "--weights 1,x")
    _one_line_error(run("accessibility", "--park-type", "sport", "--distance", 100, "--weights", "1,0.5"), 2,
                    "only applies to --method e2sfca")
    _one_line_error(run("accessibility", "--park-type", "sport", "--distance", 100, "--supply", "beds"), 2,
                    "--supply beds")
    _one_line_error(run("accessibility", "--park-type", "innovation", "--distance", 100), 1, "no park of type")
    zero = tmp_path / "zero.geojson"
    gpd.GeoDataFrame({"population": [0.0]}, geometry=[box(X0, Y0, X0 + 100, Y0 + 100)], crs=32645).to_file(zero)
    out = tmp_path / "t.csv"
    _one_line_error(run("accessibility", "--park-type", "sport", "--distance", 100, "--population", zero, "-o", out),
                    1, "no people")
    assert not out.exists()
    out.write_text("keep")
    _one_line_error(run("accessibility", "--park-type", "sport", "--distance", 100, "-o", out), 2, "--overwrite")
    assert out.read_text() == "keep"


# ---------------------------------------------------------------------------- site selection


def test_site_selection_max_coverage(run, tmp_path):
    # A covers c0 and c1 within 110 m; a site at c2 or c3 (100 m apart) covers the other 200 people
    r = run("site-selection", "--park-type", "sport", "--new", 1, "--distance", 110, "--by", "district",
            "--format", "csv")
    assert r.exit_code == 0, r.stderr
    t = _csv(r.stdout).set_index("boundary_id")
    assert t.loc["all", "covered_before"] == pytest.approx(200.0)
    assert t.loc["all", "covered_after"] == pytest.approx(400.0)
    assert t.loc["E", "newly_covered"] == pytest.approx(200.0)
    assert "exact" in r.stderr
    r = run("site-selection", "--park-type", "sport", "--new", 1, "--distance", 110, "--format", "json")
    payload = json.loads(r.stdout)
    assert payload["summary"]["how"] == "exact" and payload["summary"]["value"] == pytest.approx(200.0)
    assert payload["sites"][0]["site_id"] in ("c2", "c3") and -180 < payload["sites"][0]["lon"] < 180


def test_site_selection_outputs(run, tmp_path):
    gj = tmp_path / "new.geojson"
    r = run("site-selection", "--park-type", "sport", "--new", 1, "--distance", 100, "-o", gj)
    assert r.exit_code == 0, r.stderr
    back = gpd.read_file(gj)
    assert len(back) == 1 and back.crs.to_epsg() == 4326 and back.geometry.iloc[0].geom_type == "Point"
    gp = tmp_path / "new.gpkg"
    assert run("site-selection", "--park-type", "sport", "--new", 1, "--distance", 100, "-o", gp).exit_code == 0
    assert {x[0] for x in pyogrio.list_layers(gp)} == {"sites", "coverage", "newly_covered"}
    csv = tmp_path / "new.csv"
    assert run("site-selection", "--park-type", "sport", "--new", 1, "--distance", 100, "-o", csv).exit_code == 0
    assert len(pd.read_csv(csv)) == 1


def test_site_selection_candidates_file(run, tmp_path):
    cand = tmp_path / "plots.geojson"
    gpd.GeoDataFrame({"site_id": ["far", "east"], "name": ["Far plot", "East plot"]},
                     geometry=[box(X0 + 5000, Y0, X0 + 5100, Y0 + 100), box(X0 + 300, Y0 + 150, X0 + 400, Y0 + 250)],
                     crs=32645).to_crs(4326).to_file(cand)
    r = run("site-selection", "--park-type", "sport", "--new", 1, "--distance", 100, "--candidates", cand,
            "--format", "json")
    assert r.exit_code == 0, r.stderr
    # the east plot (y 150..250) is 50 m from c2 and c3 (y 0..100, centroids at y 50: 100 m)
    assert json.loads(r.stdout)["sites"][0]["site_id"] == "east"


def test_site_selection_bad_input(run, tmp_path):
    out = tmp_path / "s.geojson"
    _one_line_error(run("site-selection", "--park-type", "sport", "--new", 5, "--distance", 100, "-o", out), 2,
                    "more sites than the 4 candidates")
    _one_line_error(run("site-selection", "--park-type", "sport", "--distance", 100), 2, "--new N is needed")
    _one_line_error(run("site-selection", "--park-type", "sport", "--new", 1, "--distance", 100, "--target", 0.9), 2,
                    "--target only applies")
    _one_line_error(run("site-selection", "--park-type", "sport", "--new", 1, "--distance", 100, "--time-limit", 0), 2,
                    "--time-limit")
    far = tmp_path / "far.geojson"
    gpd.GeoDataFrame({"site_id": ["far"]}, geometry=[Point(X0 + 9000, Y0)], crs=32645).to_file(far)
    _one_line_error(run("site-selection", "--park-type", "sport", "--new", 1, "--distance", 100, "--candidates", far,
                        "-o", out), 1, "no candidate lies within the standard")
    _one_line_error(run("site-selection", "--park-type", "sport", "--objective", "min-sites", "--distance", 100,
                        "--candidates", far, "-o", out), 1, "min-sites infeasible")
    _one_line_error(run("site-selection", "--park-type", "sport", "--objective", "min-sites", "--distance", 100,
                        "--candidates", far, "--target", 0.9), 1, "min-sites infeasible: --target 0.9")
    zero = tmp_path / "zero.geojson"
    gpd.GeoDataFrame({"population": [0.0]}, geometry=[box(X0, Y0, X0 + 100, Y0 + 100)], crs=32645).to_file(zero)
    _one_line_error(run("site-selection", "--park-type", "sport", "--new", 1, "--distance", 100, "--population", zero,
                        "-o", out), 1, "no people")
    assert not out.exists()
    _one_line_error(run("site-selection", "--park-type", "sport", "--new", 1, "--distance", 100000), 1,
                    "already within")


def test_site_selection_time_limit_states_the_gap(run, tmp_path):
    rng = np.random.default_rng(7)
    xy = rng.uniform(0, 3000, (400, 2))
    pop = tmp_path / "pop.geojson"
    gpd.GeoDataFrame({"cell_id": [f"g{i}" for i in range(400)], "population": rng.integers(1, 400, 400).astype(float)},
                     geometry=[box(X0 + x, Y0 + y, X0 + x + 10, Y0 + y + 10) for x, y in xy], crs=32645).to_file(pop)
    out = tmp_path / "s.geojson"
    r = run("site-selection", "--park-type", "medical", "--new", 25, "--objective", "p-median", "--distance", 400,
            "--population", pop, "--time-limit", 0.001, "--solver", "exact", "-o", out, "--format", "json")
    assert r.exit_code == 0, r.stderr
    s = json.loads(r.stdout)["summary"]
    assert s["how"] == "time-limit" and s["gap"] > 0
    assert "time limit hit" in r.stderr and len(gpd.read_file(out)) == 25
