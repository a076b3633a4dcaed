"""Output hygiene under hostile names (issue 10): tables escape control and bidi characters and
cap their width, CSV is protected against formula injection by default (``--csv-raw`` for raw
values), JSON/GeoJSON/GeoPackage stay exact, library warnings and errors are one line."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import park, write_fc
from ino_geo.cli import cli
from ino_geo.cli.main import error_line, warning_line
from ino_geo.data.output import format_frame

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f",
        "\u061c"]
HOSTILE = ["=HYPERLINK(\"http://x\",\"click\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTAB", "\rCR",
           "evil\u202etxt.exe", "a\u2066b\u2069c", "esc\x1b[31mred", "new\nline", "x" * 50_000]


def _frame():
    return pd.DataFrame({"name": HOSTILE, "value": range(len(HOSTILE))})


def test_table_escapes_every_control_and_bidi_character_and_caps_width():
    out = format_frame(_frame(), "table")
    for ch in BIDI + ["\x1b", "\t", "\r"]:
        assert ch not in out
    assert "\\u202e" in out and "\\x1b" in out
    lines = out.splitlines()
    assert len(lines) == len(HOSTILE) + 1 and max(map(len, lines)) < 100
    assert "…" in out


@pytest.mark.parametrize("ch", BIDI)
def test_error_and_warning_lines_escape_bidi(ch):
    for line in (error_line(f"parks.geojson: name a{ch}b"), warning_line(f"w a{ch}b")):
        assert ch not in line and "\n" not in line


def test_csv_protects_formulas_but_not_numbers():
    rows = list(csv.reader(io.StringIO(newline="", initial_value=format_frame(pd.DataFrame({"name": HOSTILE[:6] + ["-3.5", "+7", "plain"],
                                                                    "n": [-1.5] * 9}), "csv"))))
    names = [r[0] for r in rows[1:]]
    assert all(n.startswith("'") for n in names[:6])
    assert names[6:] == ["-3.5", "+7", "plain"]
    assert all(r[1] == "-1.5" for r in rows[1:])  # numbers stay numbers


@pytest.fixture
def hostile_layers(mini_layers):
    feats = [park(f"P{i}", x=84.95 + i * 0.02, park_type="sport", name=n) for i, n in enumerate(HOSTILE[:4])]
    write_fc(mini_layers / "parks.geojson", feats)
    return mini_layers


def test_cli_csv_is_safe_by_default_and_raw_on_request(hostile_layers):
    r = CliRunner().invoke(cli, ["--layers", str(hostile_layers), "layers", "show", "parks", "--format", "csv"])
    assert r.exit_code == 0, r.output
    names = [row["name"] for row in csv.DictReader(io.StringIO(r.stdout))]
    assert all(n.startswith("'") for n in names)
    raw = CliRunner().invoke(cli, ["--csv-raw", "--layers", str(hostile_layers), "layers", "show", "parks", "--format", "csv"])
    assert [row["name"] for row in csv.DictReader(io.StringIO(raw.stdout))] == HOSTILE[:4]
    js = CliRunner().invoke(cli, ["--layers", str(hostile_layers), "layers", "show", "parks", "--format", "json"])
    data = json.loads(js.stdout)
    records = data["records"] if isinstance(data, dict) else data
    assert [rec["name"] for rec in records] == HOSTILE[:4]  # JSON exact


def test_csv_file_outputs_are_protected_and_geopackage_exact(hostile_layers, tmp_path):
    import pyogrio

    r = CliRunner().invoke(cli, ["-q", "--layers", str(hostile_layers), "proximity", "--to", "parks", "-o",
                                 str(tmp_path / "p.gpkg")])
    assert r.exit_code == 0, r.output
    df = pyogrio.read_dataframe(tmp_path / "p.gpkg")
    assert set(df["park_name"]) <= set(HOSTILE)
    r = CliRunner().invoke(cli, ["-q", "--layers", str(hostile_layers), "proximity", "--to", "parks", "-o",
                                 str(tmp_path / "p.csv")])
    names = {row["park_name"] for row in csv.DictReader(open(tmp_path / "p.csv", encoding="utf-8"))}
    assert names and all(n.startswith("'") for n in names)


def test_layers_list_with_a_huge_hostile_description_stays_small(mini_layers):
    cat = (mini_layers / "catalogue.toml").read_text()
    huge = "\u202e=cmd" + "x" * 5_000_000
    cat = cat.replace('description = "Territories of the six park types developed by INO Tomsk (seed 001 item 7)."',
                      f'description = "{huge}"')
    (mini_layers / "catalogue.toml").write_text(cat)
    r = CliRunner().invoke(cli, ["--layers", str(mini_layers), "layers", "list"])
    assert r.exit_code == 0, r.output[:500]
    assert len(r.stdout) < 10_000 and "\u202e" not in r.stdout and "\\u202e" in r.stdout
