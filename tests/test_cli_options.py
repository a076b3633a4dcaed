"""The shared options of ``ino-geo`` (cli/options.py): one declaration, checked by callbacks,
defaults from ino_geo.defaults, park types from the catalogue in use, one error format."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from ino_geo import defaults
from ino_geo.cli import cli


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def one_error(r, code: int) -> str:
    """Exit `code` and exactly one ``ino-geo: error:`` line on stderr, nothing on stdout."""
    assert r.exit_code == code, (r.exit_code, r.output)
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ino-geo: error: "), lines
    assert r.stdout == ""
    return lines[0]


@pytest.mark.parametrize("args,message", [
    (["coverage", "--distance", "-5"], "--distance -5: must be a finite number >= 0"),
    (["coverage", "--distance", "abc"], "--distance 'abc': not a number"),
    (["coverage", "--minutes", "2000"], "--minutes 2000: larger than the allowed 1440 min"),
    (["coverage", "--distance", "600000"], "--distance 600000: larger than the allowed 500000 m"),
    (["coverage", "--distance", "5", "--mode", "bike"], "--mode 'bike': not one of euclidean, network"),
    (["proximity", "--scenario", "future"], "--scenario 'future': not one of existing, planned"),
    (["proximity", "--max-snap", "-5"], "--max-snap -5: must be a finite number of metres >= 0"),
    (["proximity", "--max-snap", "x"], "--max-snap 'x': not a number"),
    (["coverage", "--distance", "5", "--walk-speed", "0"], "--walk-speed 0: must be a positive number of km/h"),
    (["map", "coverage", "--distance", "0"], "--distance 0: must be a positive number"),
    (["map", "coverage", "--minutes", "2000"], "--minutes 2000: larger than the allowed 1440 min"),
    (["build", "--distance", "-1"], "--distance -1: must be a finite number >= 0"),
    (["layers", "show", "nope"], "no layer 'nope'"),
    (["layers", "export", "nope", "-o", "x.gpkg"], "no layer 'nope'"),
])
def test_bad_values_are_one_usage_error(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    line = one_error(invoke(*args), 2)
    assert message in line, line
    assert "Invalid value" not in line  # raised as ino_geo.UsageError, not click.BadParameter


def test_bad_values_fail_before_loading_any_layer():
    """The callbacks check while the command line is parsed: no geopandas is imported."""
    code = ("import sys; from ino_geo.cli import cli; from click.testing import CliRunner;"
            "r = CliRunner().invoke(cli, ['coverage', '--distance', '5', '--park-type', 'zoo']);"
            "assert r.exit_code == 2, r.output; assert '--park-type' in r.stderr, r.stderr;"
            "r = CliRunner().invoke(cli, ['proximity', '--walk-speed', '-1']); assert r.exit_code == 2;"
            "assert 'geopandas' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_defaults_come_from_ino_geo_defaults():
    for command in ("coverage", "proximity"):
        r = invoke(command, "--help")
        assert r.exit_code == 0
        text = " ".join(r.output.split())
        assert f"Walking speed, km/h. [default: {defaults.WALK_SPEED_KMH}]" in text
        assert f"[default: {defaults.MAX_SNAP_M}]" in text


def _catalogue_with_types(folder, types: list[str]) -> None:
    import re

    cat = folder / "catalogue.toml"
    text = cat.read_text(encoding="utf-8")
    line = re.search(r'(?m)^allowed = \["industrial".*$', text).group(0)
    text = text.replace(line, "allowed = [" + ", ".join(f'"{t}"' for t in types) + "]")
    # labels and colours may only name allowed values: drop them
    text = re.sub(r'(?m)^(labels|labels_ru|colors) = \{ industrial = .*$\n', "", text)
    cat.write_text(text, encoding="utf-8")


def test_park_type_choices_come_from_the_catalogue_in_use(mini_layers):
    """A folder whose catalogue lists other park types: those are the choices."""
    r = invoke("--layers", mini_layers, "coverage", "--distance", "50", "--park-type", "technopark")
    line = one_error(r, 2)
    assert "not one of industrial, innovation" in line and str(mini_layers / "catalogue.toml") in line
    _catalogue_with_types(mini_layers, ["medical", "research_education", "technopark"])
    r = invoke("--layers", mini_layers, "coverage", "--distance", "50", "--park-type", "technopark",
               "--park-type", "medical", "--format", "csv")
    assert r.exit_code == 0, r.output
    assert "technopark" in r.stdout and "medical" in r.stdout
    r = invoke("--layers", mini_layers, "coverage", "--distance", "50", "--park-type", "sport")
    line = one_error(r, 2)
    assert "--park-type 'sport': not one of medical, research_education, technopark" in line


def test_park_type_choices_follow_the_environment_variable(mini_layers, monkeypatch):
    _catalogue_with_types(mini_layers, ["medical", "technopark"])
    monkeypatch.setenv("INO_GEO_LAYERS", str(mini_layers))
    line = one_error(invoke("proximity", "--park-type", "sport"), 2)
    assert "not one of medical, technopark" in line


def test_layers_validate_summary_is_the_one_error_line(mini_layers):
    from conftest import park, write_fc

    write_fc(mini_layers / "parks.geojson", [park("P1", park_type="zoo")])
    r = invoke("--layers", mini_layers, "layers", "validate")
    assert r.exit_code == 1
    assert r.stderr.splitlines() == ["ino-geo: error: 1 problem in 1 of 8 layers (8 files)"]
    assert "field park_type: 'zoo' is not one of" in r.stdout


def test_the_script_ends_with_its_code_and_all_its_output(tmp_path):
    """Run as a process, ``ino-geo`` leaves without tearing the interpreter down (cli/main.py
    ``_leave``): the exit code is the command's and stdout and stderr are complete."""
    import json

    def run(*args):
        return subprocess.run([sys.executable, "-m", "ino_geo.cli", *args], capture_output=True, text=True,
                              cwd=tmp_path, timeout=300)

    ok = run("layers", "list", "--format", "json")
    assert ok.returncode == 0, ok.stderr
    assert {r["name"] for r in json.loads(ok.stdout)} >= {"parks", "population", "boundaries"}
    usage = run("coverage", "--distance", "5", "--park-type", "zoo")
    assert usage.returncode == 2 and usage.stdout == ""
    assert usage.stderr.count("\n") == 1 and usage.stderr.startswith("ino-geo: error: ")
    data = run("coverage", "--distance", "500", "-o", "out.csv")
    assert data.returncode == 0 and (tmp_path / "out.csv").read_text().startswith("park_type,")
    again = run("coverage", "--distance", "500", "-o", "out.csv")  # no replace without --overwrite
    assert again.returncode == 2, again.stderr
    assert again.stderr.splitlines()[-1].startswith("ino-geo: error: ")


def test_main_with_arguments_returns_to_its_caller():
    """``main(argv)`` (embedding, not the script) ends as click does: SystemExit, no os._exit."""
    code = ("from ino_geo.cli.main import main\n"
            "try:\n    main(['--version'])\nexcept SystemExit as e:\n    print('returned', e.code)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.splitlines()[-1] == "returned 0", (r.stdout, r.stderr)
