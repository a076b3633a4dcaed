"""The decision maps (issue 12 item 3): accessibility and site selection, on the web and in print."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import ino_geo
from ino_geo import DataError, UsageError
from ino_geo.cli import cli
from ino_geo.data.layers import default_layers_dir
from ino_geo.webmap.spec import DECISION_MAPS, MapLayer, load_map_spec, parse_map_spec
from ino_geo.webmap.static import render_static
from ino_geo.webmap.styles import feature_radii
from mapdata import METRIC, synthetic_layers, write_layers
from test_browser_maps import driver  # noqa: F401 - the headless Chromium fixture


@pytest.fixture(scope="module")
def layers():
    return synthetic_layers()


@pytest.fixture(scope="module")
def layers_dir(tmp_path_factory) -> Path:
    return write_layers(tmp_path_factory.mktemp("synthetic") / "layers", default_layers_dir() / "catalogue.toml")


def _features(page: str, layer_id: str) -> list[dict]:
    """The GeoJSON features of one spec layer in a rendered page."""
    end = page.index(f'className: "ino-geo-f ino-geo-layer-{layer_id}"')
    start = page.rindex("L.geoJson(", 0, end) + len("L.geoJson(")
    data, _ = json.JSONDecoder().raw_decode(page[start:end])
    return data["features"]


def _not_blank(path: Path) -> None:
    import matplotlib.image as mpimg

    rgb = np.round(mpimg.imread(path)[..., :3] * 255).astype(np.uint8).reshape(-1, 3)
    assert (rgb >= 250).all(axis=1).mean() < 0.9
    assert len(np.unique(rgb[:: max(1, len(rgb) // 200_000)], axis=0)) >= 20


# -------------------------------------------------------------------------- specs


def test_decision_specs_load_with_their_parameters():
    acc, sel = (load_map_spec(n) for n in DECISION_MAPS)
    assert acc.analyses == {"accessibility"} and sel.analyses == {"site_selection"}
    assert acc.accessibility["park_type"] == "medical" and acc.accessibility["distance_m"] == 2000
    assert sel.site_selection["new"] == 3 and sel.site_selection["objective"] == "max-coverage"
    parks = next(lyr for lyr in acc.layers if lyr.id == "parks")
    assert parks.size_by == "supply" and parks.size_range == (4.0, 18.0)
    assert set(DECISION_MAPS) <= set(ino_geo.builtin_map_names())


@pytest.mark.parametrize("table,needle", [
    ({"site_selection": {"new": 0}}, "site_selection.new: must be between 1 and 100"),
    ({"accessibility": {"distance_m": 1000, "minutes": 5}}, "accessibility.minutes: give distance_m or minutes"),
    ({"accessibility": {"park_type": "zoo"}}, "accessibility.park_type: unknown park type 'zoo'"),
])
def test_bad_decision_tables(table, needle):
    data = {"map": {"title": "T"}, "layers": [{"id": "c", "analysis": "accessibility.cells"}], **table}
    with pytest.raises(DataError, match=re.escape(needle)):
        parse_map_spec(data, "my.toml")


@pytest.mark.parametrize("size_range", [[0, 5], [10, 5], [4], [4, 61]])
def test_bad_size_range(size_range):
    data = {"map": {"title": "T"}, "layers": [{"id": "p", "layer": "parks", "size_by": "area_ha",
                                               "size_range": size_range}]}
    with pytest.raises(DataError, match="layers\\[1\\].size_range"):
        parse_map_spec(data, "my.toml")


def test_unknown_method_in_a_spec_is_named(layers, tmp_path):
    p = tmp_path / "acc.toml"
    p.write_text(load_map_spec("accessibility").path.read_text(encoding="utf-8").replace('method = "2sfca"',
                                                                                       'method = "3sfca"'))
    with pytest.raises(DataError, match=r"acc\.toml: accessibility\.method: unknown method '3sfca'"):
        ino_geo.map_results(p, layers)


def test_radii_make_circle_area_proportional_to_the_value():
    import pandas as pd

    lyr = MapLayer(id="p", title="P", kind="layer", source="parks", size_by="v", size_range=(3.0, 30.0))
    r = np.array(feature_radii(lyr, pd.DataFrame({"v": [400.0, 100.0, 1.0, None]})))
    assert r[0] == 30.0 and r[1] == pytest.approx(15.0)  # a quarter of the value: a quarter of the area
    assert r[2] == 3.0 and r[3] == 3.0  # never below the smallest radius (no value: the smallest)
    assert feature_radii(MapLayer(id="p", title="P", kind="layer", source="parks"), pd.DataFrame({"v": [1]})) is None


# -------------------------------------------------------------------------- web


def test_accessibility_web_map_draws_scores_and_sized_parks(layers):
    res = ino_geo.map_results("accessibility", layers, park_type="innovation", distance_m=2000)
    assert res.accessibility is not None and res.park_type == "innovation"
    m = ino_geo.render_map("accessibility", layers, results=res, online=False)
    assert m.ino_geo_counts == {"cells": 9, "parks": 1}
    assert m.ino_geo_title == "Accessibility: innovation parks within 2000 m"
    page = m.get_root().render()
    # independent check: 2SFCA with one park of 4 ha (200 m x 200 m) shared by every cell whose
    # centroid lies within 2000 m of it
    cells = layers["population"].to_crs(METRIC)
    park = layers["parks"].to_crs(METRIC)
    park = park[park["park_type"] == "innovation"].geometry.iloc[0]
    reach = cells.geometry.centroid.distance(park) <= 2000
    expected = {cid: (4.0 / (1000.0 * reach.sum()) * 1000.0 if ok else 0.0)
                for cid, ok in zip(cells["cell_id"], reach)}
    got = {f["properties"]["cell_id"]: f["properties"]["score"] for f in _features(page, "cells")}
    assert got == pytest.approx(expected, abs=1e-3)
    colours = {f["properties"]["cell_id"]: f["properties"]["_c"] for f in _features(page, "cells")}
    assert {colours[c] for c, ok in zip(cells["cell_id"], reach) if not ok} == {"#f2f2f2"}  # no park in reach
    (p,) = _features(page, "parks")
    assert p["geometry"]["type"] == "Point" and p["properties"]["_r"] == 18.0  # the largest (only) park
    assert "Accessibility: innovation parks within 2000 m" in page
    ru = ino_geo.render_map("accessibility", layers, results=res, online=False, lang="ru")
    label = ino_geo.load_catalogue()["parks"].columns["park_type"].value_label("innovation", "ru")
    assert ru.ino_geo_title == f"Обеспеченность парками: {label} — в пределах 2000 м" and label != "innovation"
    # the outlines and the Tom come from the offline reference base, not from the spec
    assert 'inoGeo.base["base_boundaries"]' in page and 'inoGeo.base["base_river"]' in page


def test_site_selection_web_map_draws_existing_new_and_newly_covered(layers):
    res = ino_geo.map_results("site-selection", layers)
    sel = res.site_selection
    m = ino_geo.render_map("site-selection", layers, results=res, online=False)
    assert m.ino_geo_counts == {"newly_covered": 1, "existing": 1, "new_sites": 3}
    page = m.get_root().render()
    assert {f["properties"]["site_id"] for f in _features(page, "new_sites")} == set(sel.sites["site_id"])
    (existing,) = _features(page, "existing")
    assert existing["properties"]["name"] == "Park 4"  # the one medical park of the fixture
    assert m.ino_geo_title == "Site selection: 3 new medical parks within 2000 m"
    newly = int(sel.table.loc[sel.table.boundary_id == "all", "newly_covered"].iloc[0])
    assert f"Newly covered: {newly:,} people" in page


def test_decision_maps_need_their_results(layers):
    with pytest.raises(UsageError, match="site_selection"):
        ino_geo.render_map("site-selection", layers)


# -------------------------------------------------------------------------- print


@pytest.mark.parametrize("name", DECISION_MAPS)
def test_print_decision_maps_are_not_blank(layers, tmp_path, name):
    out = tmp_path / f"{name}.png"
    res = ino_geo.map_results(name, layers, park_type="innovation")
    info = render_static(name, layers, out, dpi=60, results=res)
    _not_blank(out)
    web = ino_geo.render_map(name, layers, results=res, online=False)
    assert info["features"] == web.ino_geo_counts  # the same features on paper and on the web


def test_cli_print_decision_map_honours_parameters(layers_dir, tmp_path):
    out = tmp_path / "s.svg"
    r = CliRunner().invoke(cli, ["--layers", str(layers_dir), "map", "site-selection", "-o", str(out),
                                 "--park-type", "innovation", "--distance", "1500", "--dpi", "50"])
    assert r.exit_code == 0, r.stderr
    texts = " ".join("".join(t.itertext()) for t in ET.parse(out).getroot().iter("{http://www.w3.org/2000/svg}text"))
    assert "Site selection: 3 new innovation parks within 1500 m" in texts
    assert json.loads(r.stdout)["features"]["new_sites"] == 3


def test_cli_decision_map_takes_one_park_type(layers_dir, tmp_path):
    r = CliRunner().invoke(cli, ["--layers", str(layers_dir), "map", "accessibility", "-o", str(tmp_path / "a.html"),
                                 "--park-type", "sport", "--park-type", "medical"])
    assert r.exit_code == 2 and r.stderr.startswith("ino-geo: error: the accessibility map shows one park type")
    assert list(tmp_path.iterdir()) == []


# -------------------------------------------------------------------------- in a browser


@pytest.mark.browser
@pytest.mark.parametrize("name,expected", [
    ("accessibility", {"cells": 9, "parks": 1}),
    ("site-selection", {"newly_covered": 1, "existing": 1, "new_sites": 3}),
])
def test_decision_maps_in_a_browser(driver, layers, tmp_path, name, expected):
    from test_browser_maps import _js_errors, _open

    res = ino_geo.map_results(name, layers, park_type="innovation")
    out = ino_geo.export_html(ino_geo.render_map(name, layers, results=res, online=False), tmp_path / f"{name}.html")
    _open(driver, out, len(expected))
    for layer_id, n in expected.items():  # one SVG path per feature, per layer
        drawn = driver.execute_script(
            "return document.querySelectorAll('path.ino-geo-layer-' + arguments[0]).length;", layer_id)
        assert drawn == n, f"{name}: layer {layer_id}: {drawn} paths drawn, expected {n}"
    if name == "accessibility":  # the park circle has the radius of its supply
        radius = driver.execute_script(
            "var r = []; inoGeo.layers['parks'].eachLayer(function (l) { r.push(l.getRadius()); }); return r;")
        assert radius == [18]
    assert _js_errors(driver) == []


def test_build_leaves_out_a_decision_map_the_layers_cannot_answer(tmp_path):
    folder = write_layers(tmp_path / "layers", default_layers_dir() / "catalogue.toml")
    pop = json.loads((folder / "population.geojson").read_text(encoding="utf-8"))
    pop["features"] = pop["features"][:2]  # 2 candidate cells: 3 new sites cannot be chosen
    (folder / "population.geojson").write_text(json.dumps(pop), encoding="utf-8")
    out = tmp_path / "pack"
    r = CliRunner().invoke(cli, ["--layers", str(folder), "build", "-o", str(out), "--distance", "500"])
    assert r.exit_code == 0, r.stderr
    assert "map site-selection left out: --new 3: more sites than the 2 candidates" in r.stderr
    written = {Path(f["path"]).name for f in json.loads(r.stdout)["files"]}
    assert {"accessibility.html", "accessibility.png", "atlas.pdf"} <= written
    assert not any(n.startswith("site-selection") for n in written | {p.name for p in out.iterdir()})
