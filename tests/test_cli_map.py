"""``ino-geo map``: exit codes, messages, outputs, guards."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ino_geo.cli import cli
from ino_geo.data.layers import default_layers_dir
from ino_geo.webmap.render import is_self_contained
from mapdata import write_layers


@pytest.fixture(scope="module")
def layers_dir(tmp_path_factory) -> Path:
    return write_layers(tmp_path_factory.mktemp("synthetic") / "layers", default_layers_dir() / "catalogue.toml")


def run(layers_dir, *args):
    result = CliRunner().invoke(cli, ["--layers", str(layers_dir), "map", *map(str, args)])
    assert "Traceback" not in (result.stdout + result.stderr)
    return result


def test_map_writes_self_contained_page(layers_dir, tmp_path):
    out = tmp_path / "o.html"
    r = run(layers_dir, "overview", "-o", out)
    assert r.exit_code == 0, r.stderr
    info = json.loads(r.stdout)
    assert info == {"map": "overview", "path": str(out), "bytes": out.stat().st_size, "self_contained": True,
                    "features": {"boundaries": 3, "river": 1, "corridors": 4, "parks": 6, "sites": 10}}
    assert is_self_contained(out.read_text(encoding="utf-8"))
    assert "wrote" in r.stderr


def test_default_output_is_name_html_in_current_folder(layers_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = run(layers_dir, "waterfront")
    assert r.exit_code == 0, r.stderr
    assert (tmp_path / "waterfront.html").is_file()


def test_cdn_links_with_an_inlined_fallback(layers_dir, tmp_path):
    b = tmp_path / "b.html"
    r = run(layers_dir, "corridors", "-o", b, "--cdn")
    assert r.exit_code == 0 and json.loads(r.stdout)["self_contained"] is False
    text = b.read_text(encoding="utf-8")
    assert not is_self_contained(text) and "L.control.fullscreen" in text
    assert "window.L || document.write(" in text  # offline: never a blank page


def test_existing_output_needs_overwrite(layers_dir, tmp_path):
    out = tmp_path / "o.html"
    out.write_bytes(b"keep me")
    r = run(layers_dir, "overview", "-o", out)
    assert r.exit_code == 2
    assert r.stderr.strip() == f"ino-geo: error: {out}: exists; pass --overwrite to replace it"
    assert out.read_bytes() == b"keep me"
    r = run(layers_dir, "overview", "-o", out, "--overwrite")
    assert r.exit_code == 0 and out.read_bytes().startswith(b"<!DOCTYPE html>")


def test_embed_snippet(layers_dir, tmp_path):
    out, snip = tmp_path / "o.html", tmp_path / "o.embed.html"
    r = run(layers_dir, "overview", "-o", out, "--embed-snippet", snip)
    assert r.exit_code == 0, r.stderr
    assert '<iframe src="o.html"' in snip.read_text(encoding="utf-8")


def test_existing_snippet_refused_before_any_work(layers_dir, tmp_path):
    out, snip = tmp_path / "o.html", tmp_path / "s.html"
    snip.write_text("old", encoding="utf-8")
    r = run(layers_dir, "overview", "-o", out, "--embed-snippet", snip)
    assert r.exit_code == 2 and "s.html: exists" in r.stderr
    assert not out.exists() and snip.read_text(encoding="utf-8") == "old"
    r = run(layers_dir, "overview", "-o", out, "--embed-snippet", out)
    assert r.exit_code == 2 and "must differ" in r.stderr


def test_unknown_map_name_exit_2_lists_builtins(layers_dir, tmp_path):
    r = run(layers_dir, "overveiw", "-o", tmp_path / "x.html")
    assert r.exit_code == 2
    assert r.stderr.startswith("ino-geo: error: unknown map 'overveiw'; built-in maps: overview, waterfront, "
                               "corridors, coverage, proximity")
    assert not (tmp_path / "x.html").exists()


def test_bad_spec_exit_1_names_file_and_field(layers_dir, tmp_path):
    spec = tmp_path / "mine.toml"
    spec.write_text('[map]\ntitle = "Mine"\n[[layers]]\nid = "p"\nlayer = "parks"\nstyle = { weight = "thick" }\n',
                    encoding="utf-8")
    r = run(layers_dir, spec, "-o", tmp_path / "x.html")
    assert r.exit_code == 1
    assert r.stderr.strip() == (f"ino-geo: error: {spec}: layers[1].style.weight: expected a number, got a string")
    assert not (tmp_path / "x.html").exists()


def test_spec_naming_a_missing_layer_exit_1(layers_dir, tmp_path):
    spec = tmp_path / "mine.toml"
    spec.write_text('[map]\ntitle = "Mine"\n[[layers]]\nid = "p"\nlayer = "schools"\n', encoding="utf-8")
    r = run(layers_dir, spec, "-o", tmp_path / "x.html")
    assert r.exit_code == 1 and f"{spec}: layers[1].layer: no layer 'schools'" in r.stderr
    assert not (tmp_path / "x.html").exists()


def test_planner_map_from_a_spec_file(layers_dir, tmp_path):
    spec = tmp_path / "sport.toml"
    spec.write_text(
        '[map]\ntitle = "Sport parks"\n'
        '[[layers]]\nid = "sport"\nlayer = "parks"\nwhere = { park_type = "sport" }\npopup = ["name"]\n'
        '[[layers]]\nid = "near_sites"\nlayer = "sites"\nnear = { layer = "waterfront", within_m = 1000 }\n',
        encoding="utf-8")
    r = run(layers_dir, spec, "-o", tmp_path / "sport.html")
    assert r.exit_code == 0, r.stderr
    # mapdata: one sport park; sites within 1 km of the waterfront square: S1-S4 and S6
    assert json.loads(r.stdout)["features"] == {"sport": 1, "near_sites": 5}
    assert "<title>Sport parks</title>" in (tmp_path / "sport.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("args,message", [
    (["overview", "--park-type", "sport"], "draws layers only"),
    (["coverage", "--distance", "-5"], "--distance -5: must be a positive number"),
    (["coverage", "--distance", "inf"], "must be a positive number"),
    (["coverage", "--minutes", "0"], "--minutes 0: must be a positive number"),
    (["coverage", "--distance", "500", "--minutes", "5"], "not both"),
    (["coverage", "--park-type", "sport", "--park-type", "medical"], "one park type"),
    (["coverage", "--network", "/nonexistent/streets.geojson"], "no such file"),
])
def test_usage_errors_exit_2(layers_dir, tmp_path, args, message):
    r = run(layers_dir, *args, "-o", tmp_path / "x.html")
    assert r.exit_code == 2, r.stderr
    assert message in r.stderr and r.stderr.startswith("ino-geo: error: ")
    assert not (tmp_path / "x.html").exists()


def test_output_is_a_directory(layers_dir, tmp_path):
    r = run(layers_dir, "overview", "-o", tmp_path)
    assert r.exit_code == 2


def test_output_folder_missing(layers_dir, tmp_path):
    r = run(layers_dir, "overview", "-o", tmp_path / "no" / "x.html")
    assert r.exit_code == 2 and "does not exist" in r.stderr


def test_help_lists_options():
    r = CliRunner().invoke(cli, ["map", "--help"])
    assert r.exit_code == 0
    for opt in ("--self-contained / --cdn", "--embed-snippet", "--overwrite", "--park-type", "--distance",
                "--minutes"):
        assert opt in r.stdout


def test_coverage_map_options(layers_dir, tmp_path):
    out = tmp_path / "c.html"
    r = run(layers_dir, "coverage", "--park-type", "sport", "--distance", "1000", "-o", out)
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["features"] == {"cells": 9, "gaps": 1, "areas": 1,
                                               "parks": 6}
    assert "<title>Park coverage: sport parks within 1000 m</title>" in out.read_text(encoding="utf-8")
    r = run(layers_dir, "coverage", "--park-type", "medical", "--minutes", "15", "--mode", "network",
            "-o", tmp_path / "n.html")
    assert r.exit_code == 0, r.stderr
    assert "medical parks within 15 min" in (tmp_path / "n.html").read_text(encoding="utf-8")


def test_proximity_map_options(layers_dir, tmp_path):
    r = run(layers_dir, "proximity", "--park-type", "medical", "--park-type", "sport", "-o", tmp_path / "p.html")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["features"]["links"] == 10  # one per site: its nearest medical or sport park
    assert "Nearest parks from project sites: medical, sport" in (tmp_path / "p.html").read_text(encoding="utf-8")


def test_invalid_layers_folder_exit_1_no_output(layers_dir, tmp_path):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(layers_dir, bad)
    text = (bad / "parks.geojson").read_text(encoding="utf-8").replace('"park_type": "sport"', '"park_type": "zoo"')
    (bad / "parks.geojson").write_text(text, encoding="utf-8")
    r = run(bad, "overview", "-o", tmp_path / "x.html")
    assert r.exit_code == 1
    assert "parks" in r.stderr and "park_type" in r.stderr and "zoo" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.html").exists()


def test_network_file_for_the_coverage_map(layers_dir, tmp_path):
    r = run(layers_dir, "coverage", "--mode", "network", "--minutes", "10",
            "--network", layers_dir / "corridors.geojson", "-o", tmp_path / "c.html")
    assert r.exit_code == 0, r.stderr
    assert "reading network" in r.stderr


def test_tiles_none_leaves_no_external_url(tmp_path):
    import re

    from click.testing import CliRunner

    from ino_geo.cli import cli

    out = tmp_path / "o.html"
    r = CliRunner().invoke(cli, ["map", "overview", "-o", str(out), "--tiles", "none"])
    assert r.exit_code == 0, r.output
    page = out.read_text(encoding="utf-8")
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    # only XML namespaces and comments inside the inlined Leaflet remain: nothing is fetched
    assert not [u for u in urls if "tile" in u or u.endswith((".js", ".css", ".png"))], urls
    assert "openstreetmap" not in page.lower().replace("openstreetmap contributors", "")
    r = CliRunner().invoke(cli, ["map", "overview", "-o", str(tmp_path / "x.html"), "--tiles", "bing"])
    assert r.exit_code == 2
