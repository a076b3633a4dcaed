"""QGIS styles in GeoPackage exports, and re-export into an existing GeoPackage."""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET

import pyogrio
from click.testing import CliRunner

from ino_geo.cli import cli
from ino_geo.data.catalogue import load_catalogue
from ino_geo.data.qgis_styles import DEFAULT_PALETTE, OTHER_COLOR, layer_style, style_qml, style_sld

_COLUMNS = ["id", "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName", "styleQML",
            "styleSLD", "useAsDefault", "description", "owner", "ui", "update_time"]
SE = "{http://www.opengis.net/se}"
OGC = "{http://www.opengis.net/ogc}"


def run(*args):
    r = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in (r.stdout + r.stderr)
    return r


def _styles(path) -> dict[str, dict]:
    con = sqlite3.connect(path)
    try:
        cols = [row[1] for row in con.execute("PRAGMA table_info(layer_styles)")]
        assert cols == _COLUMNS
        rows = [dict(zip(cols, r)) for r in con.execute("SELECT * FROM layer_styles")]
        kinds = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents"))
    finally:
        con.close()
    assert kinds["layer_styles"] == "attributes"
    return {r["f_table_name"]: r for r in rows}


def _qml_categories(qml: str) -> tuple[str, dict[str, str]]:
    root = ET.fromstring(qml.split("\n", 1)[1])  # after the DOCTYPE line
    r = root.find("renderer-v2")
    return r.get("attr"), {c.get("value"): c.get("label") for c in r.iter("category")}


def test_export_carries_one_default_style_per_layer(tmp_path):
    out = tmp_path / "all.gpkg"
    r = run("layers", "export", "parks", "sites", "corridors", "river", "-o", out)
    assert r.exit_code == 0, r.stderr
    styles = _styles(out)
    assert set(styles) == {"parks", "sites", "corridors", "river"}
    cat = load_catalogue()
    pt = cat.layers["parks"].columns["park_type"]
    for name, row in styles.items():
        assert row["useAsDefault"] == 1 and row["f_geometry_column"] == "geom" and row["styleName"]
        root = ET.fromstring(row["styleQML"].split("\n", 1)[1])
        assert root.tag == "qgis" and root.get("labelsEnabled") == "1"
        assert root.find("labeling/settings/text-style").get("fieldName") == "name"
        ET.fromstring(row["styleSLD"].split("\n", 1)[1])
    attr, cats = _qml_categories(styles["parks"]["styleQML"])
    assert attr == "park_type" and set(cats) == set(pt.allowed)
    assert all(cats[v] == pt.labels[v] for v in pt.allowed)
    # the catalogue palette, as QGIS "r,g,b,a" colours
    syms = ET.fromstring(styles["parks"]["styleQML"].split("\n", 1)[1]).find("renderer-v2/symbols")
    by_name = {s.get("name"): s for s in syms}
    for c in ET.fromstring(styles["parks"]["styleQML"].split("\n", 1)[1]).iter("category"):
        hexc = pt.colors[c.get("value")].lstrip("#")
        rgb = ",".join(str(int(hexc[i:i + 2], 16)) for i in (0, 2, 4))
        color = [o.get("value") for o in by_name[c.get("symbol")].iter("Option") if o.get("name") == "color"][0]
        assert color.startswith(rgb + ",")
    # sites: cluster (its catalogue palette, preferred to category's) and an "other / none" class for empty clusters
    attr, cats = _qml_categories(styles["sites"]["styleQML"])
    assert attr == "cluster" and set(cats) == set(cat.layers["sites"].columns["cluster"].allowed) | {""}
    assert _qml_categories(styles["corridors"]["styleQML"])[0] == "status"
    river = ET.fromstring(styles["river"]["styleQML"].split("\n", 1)[1])
    assert river.find("renderer-v2").get("type") == "singleSymbol"


def test_sld_has_a_rule_per_category_and_a_label_rule():
    cat = load_catalogue()
    s = layer_style("parks", cat, "MultiPolygon", ["name", "park_type"])
    root = ET.fromstring(style_sld(s).split("\n", 1)[1])
    lits = [e.text for e in root.iter(f"{OGC}Literal")]
    assert sorted(lits) == sorted(cat.layers["parks"].columns["park_type"].allowed)
    assert root.find(f".//{SE}TextSymbolizer/{SE}Label/{OGC}PropertyName").text == "name"
    fills = [p.text for p in root.iter(f"{SE}SvgParameter") if p.get("name") == "fill"]
    assert set(cat.layers["parks"].columns["park_type"].colors.values()) <= set(fills)


def test_style_rule_without_palette_and_unknown_layer():
    cat = load_catalogue()
    # corridors.mode: allowed values but no catalogue palette -> the default palette
    s = layer_style("corridors", cat, "LineString", ["name", "mode"])
    assert s.kind == "line" and s.field == "mode"
    assert [c[2] for c in s.categories] == list(DEFAULT_PALETTE[:len(s.categories)])
    # sites.cluster (nullable; since main's catalogue palettes it has its own colours)
    s = layer_style("sites", cat, "Point", ["name", "cluster", "status"])
    assert s.kind == "marker" and s.field == "cluster"
    assert [c[2] for c in s.categories[:-1]] == list(cat.layers["sites"].columns["cluster"].colors.values())
    assert s.categories[-1] == ("", "other / none", OTHER_COLOR)
    mine = layer_style("lakes", cat, "LineString", ["title"])
    assert mine.field is None and mine.label_field is None and mine.kind == "line"
    root = ET.fromstring(style_qml(mine).split("\n", 1)[1])
    assert root.find("renderer-v2").get("type") == "singleSymbol" and root.find("labeling") is None


def test_reexport_keeps_the_other_layers_and_their_styles(tmp_path):
    out = tmp_path / "x.gpkg"
    assert run("layers", "export", "parks", "sites", "-o", out).exit_code == 0
    before = _styles(out)
    r = run("layers", "export", "corridors", "-o", out)  # an existing file still needs --overwrite
    assert r.exit_code == 2 and "--overwrite" in r.stderr
    r = run("layers", "export", "corridors", "parks", "-o", out, "--overwrite")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["layers"] == {"corridors": 26, "parks": 27}
    names = {n for n, _ in pyogrio.list_layers(out)}
    assert {"parks", "sites", "corridors"} <= names
    after = _styles(out)
    assert set(after) == {"parks", "sites", "corridors"}
    assert after["sites"] == before["sites"]  # untouched
    assert after["parks"]["id"] != before["parks"]["id"]  # replaced, one row per layer
    import geopandas as gpd

    assert len(gpd.read_file(out, layer="sites")) == 113 and len(gpd.read_file(out, layer="parks")) == 27


def test_exported_geopackage_still_validates(tmp_path):
    out = tmp_path / "p.gpkg"
    assert run("layers", "export", "parks", "-o", out).exit_code == 0
    r = run("layers", "validate", out)
    assert r.exit_code == 0, r.stderr


def test_export_replaces_a_file_that_is_not_a_geopackage(tmp_path):
    out = tmp_path / "x.gpkg"
    out.write_bytes(b"not a geopackage")
    r = run("layers", "export", "parks", "-o", out, "--overwrite")
    assert r.exit_code == 0, r.stderr
    assert [n for n, _ in pyogrio.list_layers(out)] == ["parks", "layer_styles"]
