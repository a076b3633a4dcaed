"""Maps a planner can publish (issue 13, web maps): reference base and labels, --focus, --lang,
popups for the public, parameters flowing into the analysis maps, routes along the network."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from click.testing import CliRunner
from shapely import LineString, Point

from ino_geo import UsageError
from ino_geo.cli import cli
from ino_geo.data.shipped import default_layers_dir
from ino_geo.mapdata import map_results
from ino_geo.webmap.base import place_labels
from ino_geo.webmap.focus import resolve_focus
from ino_geo.webmap.render import render_map, to_html
from ino_geo.webmap.words import citation
from mapdata import METRIC, X0, Y0, synthetic_layers, write_layers

PLACES = Path(__file__).parent / "data" / "places.geojson"  # the places layer of branch i11data (real data)


def synthetic_places() -> gpd.GeoDataFrame:
    """Four settlements around the synthetic layers' origin: a city, a town, a settlement, a village."""
    rows = [("p1", "Tomsk", "Томск", "city", 500_000, 0, 0), ("p2", "Town", "Городок", "town", 20_000, 4000, 4000),
            ("p3", "Hamlet", "Посёлок", "settlement", 900, -3000, 3000),
            ("p4", "Little", "Деревня", "village", 100, 100, 100)]  # next to Tomsk: its label would overlap
    return gpd.GeoDataFrame(
        [dict(place_id=i, name=n, name_ru=r, kind=k, population=p, municipality="B1", source="test fixture",
              accuracy_m=1.0) for i, n, r, k, p, _x, _y in rows],
        geometry=[Point(X0 + x, Y0 + y) for *_, x, y in rows], crs=METRIC).to_crs("EPSG:4326")


@pytest.fixture(scope="module")
def layers():
    return {**synthetic_layers(), "places": synthetic_places()}


# ------------------------------------------------------------------------------ labels


def test_labels_by_priority_then_population(layers):
    rows = place_labels(layers)
    texts = [r[2] for r in rows]
    # settlements by kind (city 1, town 2, settlement 3, village 4), then the parks (5)
    assert texts[:4] == ["Tomsk", "Town", "Hamlet", "Little"]
    assert [r[3] for r in rows[:4]] == [1, 2, 3, 4]
    assert {r[3] for r in rows[4:]} == {5} and len(rows) == 4 + len(layers["parks"])
    # min zoom grows with the priority
    zooms = [r[4] for r in rows]
    assert zooms == sorted(zooms) and zooms[0] == 0


def test_labels_in_russian_and_clipped(layers):
    rows = place_labels(layers, "ru")
    assert [r[2] for r in rows[:4]] == ["Томск", "Городок", "Посёлок", "Деревня"]
    area = resolve_focus(layers, "B1a").area
    assert "Town" not in [r[2] for r in place_labels(layers, clip=area)]


def test_labels_fall_back_to_boundary_names(layers):
    no_places = {k: v for k, v in layers.items() if k != "places"}
    rows = place_labels(no_places)
    # municipalities first (priority 1), then districts (2), then the parks
    assert [r[2] for r in rows[:3]] == ["City", "County", "District A"]
    assert [r[3] for r in rows[:3]] == [1, 1, 2]


def test_shipped_places_label_tomsk_first():
    places = gpd.read_file(PLACES)
    rows = place_labels({"places": places})
    assert rows[0][2] == "Tomsk" and rows[1][2] == "Seversk"  # the two cities, larger first
    assert place_labels({"places": places}, "ru")[0][2] == "Томск"


def test_every_map_draws_the_base_and_the_labels(layers):
    for name in ("overview", "waterfront", "corridors", "coverage", "proximity"):
        m = render_map(name, layers, results=map_results(name, layers), online=False)
        page = to_html(m)
        assert 'inoGeo.base["base_boundaries"]' in page and 'inoGeo.base["base_river"]' in page, name
        assert "inoGeo.labels(" in page and '"Tomsk"' in page, name


def test_base_can_be_turned_off(layers):
    from test_render import spec_of

    m = render_map(spec_of([{"id": "p", "layer": "parks"}], base=False), layers, online=False)
    assert "inoGeo.base" not in to_html(m)


# ------------------------------------------------------------------------------ focus


def test_focus_by_id_or_name_any_case(layers):
    assert resolve_focus(layers, "b1a").id == "B1a"
    assert resolve_focus(layers, "district a").id == "B1a"
    with pytest.raises(UsageError, match=r"--focus 'Nowhere': no such boundary; choose one of: B1 \(City\), "):
        resolve_focus(layers, "Nowhere")


def test_focus_sets_extent_title_and_clips(layers):
    whole = render_map("overview", layers, online=False)
    m = render_map("overview", layers, online=False, focus="District A")
    assert m.ino_geo_title == "Tomsk agglomeration — INO Tomsk overview — District A"
    # District A is the 1.5 km square from (-1000, -1000); + 2 km margin: sites S1-S4 and S6 (S6 at
    # (1500, 1500) is 1414 m from the corner (500, 500)); S5 at (2900, 1000) is 2400 m away
    assert m.ino_geo_counts["sites"] == 5 < whole.ino_geo_counts["sites"]
    assert 'inoGeo.base["base_focus"]' in to_html(m)  # the focus boundary outlined on the base
    # lines are clipped to the focus area: no coordinate beyond the 2 km margin
    page = to_html(m)
    b = resolve_focus(layers, "B1a").area.bounds
    js = page[page.index('"ino-geo-f ino-geo-layer-corridors"') - 5000:page.index('"ino-geo-f ino-geo-layer-corridors"')]
    lon = [float(x) for x in __import__("re").findall(r"\[(8[45]\.\d+),5[67]\.\d+\]", js)]
    assert lon and min(lon) >= b[0] - 1e-4 and max(lon) <= b[2] + 1e-4


def test_focus_cli_unknown_is_usage_error(tmp_path):
    lay = write_layers(tmp_path / "layers", default_layers_dir() / "catalogue.toml")
    r = CliRunner().invoke(cli, ["--layers", str(lay), "map", "overview", "--focus", "Atlantis", "-o",
                                 str(tmp_path / "x.html")])
    assert r.exit_code == 2 and not (tmp_path / "x.html").exists()
    assert r.stderr.strip().startswith("ino-geo: error: --focus 'Atlantis': no such boundary; choose one of: B1 (City)")
    assert len(r.stderr.strip().splitlines()) == 1


# ------------------------------------------------------------------------------ language, popups


def test_russian_titles_legend_and_popup_labels(layers):
    m = render_map("overview", layers, online=False, lang="ru")
    page = to_html(m)
    assert m.ino_geo_title == "Томская агломерация — обзор ИНО Томск"
    assert "<summary>Легенда</summary>" in page and "Тип парка" in page
    assert "Инновационный парк" in page  # a park type value label, in the legend and the popups
    assert '["park_type","Тип парка"]' in page  # popup field label from the catalogue
    with pytest.raises(UsageError, match="--lang 'de'"):
        render_map("overview", layers, lang="de")


def test_popups_show_labels_and_citations_not_internal_names(layers):
    parks = layers["parks"].copy()
    parks["source"] = "seed:001_f8bb5fa29d4484f7.txt; seed:004_2cec08dc190eb08b.txt; https://example.org/p"
    parks["name_ru"] = "Парк"
    page = to_html(render_map("overview", {**layers, "parks": parks}, online=False))
    assert "seed:" not in page
    assert '"source":"INO Tomsk programme documents; https://example.org/p"' in page
    assert '"park_type":"Research \\u0026 education park"' in page  # the catalogue's label, script-safe
    assert '"_name2":"Парк"' in page and '["_name2","Name in Russian"]' in page  # Russian name beside
    assert '["source","Source","cite"]' in page  # the runtime links only http(s) parts


def test_citation():
    assert citation("seed:000_d6bba7ff496c3260.txt", "ru") == "Документы программы ИНО Томск"
    assert citation(None) == "" and citation("ru.wikipedia 'Томск'") == "ru.wikipedia 'Томск'"


# ------------------------------------------------------------------------------ coverage and proximity maps


def test_coverage_map_follows_the_parameters_and_toggles_each_reach(layers):
    res = map_results("coverage", layers, park_type=["sport", "medical"], distance_m=[500, 1000])
    m = render_map("coverage", layers, results=res, online=False)
    assert m.ino_geo_title == "Park coverage: sport, medical parks within 500 / 1000 m"
    page = to_html(m)
    for t in ("Sports park", "Medical park"):
        for d in (500, 1000):
            assert f"Covered: {t}, {d} m" in page  # one overlay per type x threshold
    # gaps are an outline, not a tint
    assert '"fill":false' in page[page.index('"ino-geo-f ino-geo-layer-gaps"') - 3000:]


def test_coverage_map_opens_where_people_live():
    import ino_geo

    tomsk = ino_geo.load_layers()
    from ino_geo.webmap.frames import SpecFrames
    from ino_geo.webmap.spec import load_map_spec

    b = SpecFrames(load_map_spec("coverage"), tomsk, ino_geo.MapResults()).populated_extent([])
    whole = tomsk.population.total_bounds
    assert (b[2] - b[0]) * (b[3] - b[1]) < 0.05 * (whole[2] - whole[0]) * (whole[3] - whole[1])
    assert b[0] < 84.95 < b[2] and b[1] < 56.49 < b[3]  # Tomsk centre inside


def test_build_parameters_flow_into_the_maps(tmp_path):
    lay = write_layers(tmp_path / "layers", default_layers_dir() / "catalogue.toml")
    r = CliRunner().invoke(cli, ["--layers", str(lay), "build", "-o", str(tmp_path / "out"), "--distance", "800",
                                 "--park-type", "sport"])
    assert r.exit_code == 0, r.stderr
    page = (tmp_path / "out" / "coverage.html").read_text(encoding="utf-8")
    assert "<title>Park coverage: sport parks within 800 m</title>" in page
    table = (tmp_path / "out" / "coverage.csv").read_text(encoding="utf-8")
    assert ",800.0," in table or ",800," in table
    assert "Nearest parks from project sites: sport" in (tmp_path / "out" / "proximity.html").read_text(encoding="utf-8")


# ------------------------------------------------------------------------------ routes


def _grid_network():
    """A 3 x 3 street grid of 1 km blocks (road, 60 km/h) around the origin, in EPSG:32645."""
    lines = []
    for k in range(3):  # a vertex at every crossing: the lines join there
        lines.append(LineString([(X0 + 1000 * i, Y0 + 1000 * k) for i in range(3)]))
        lines.append(LineString([(X0 + 1000 * k, Y0 + 1000 * i) for i in range(3)]))
    return gpd.GeoDataFrame([dict(corridor_id=f"L{i}", name=f"L{i}", mode="road", status="existing", speed_kmh=60.0)
                             for i in range(len(lines))], geometry=lines, crs=METRIC)


def test_route_follows_the_network_and_matches_networkx():
    import networkx as nx
    import shapely

    import ino_geo
    from ino_geo.network.paths import path_lines

    net = ino_geo.build_network(_grid_network(), crs=METRIC)
    start, end = Point(X0 - 50, Y0 + 10), Point(X0 + 2050, Y0 + 1990)  # near two opposite corners
    line = path_lines(net, np.array([start]), np.array([end]), weight="length")[0]
    g = nx.Graph()
    for u, v, w in zip(net.edge_u, net.edge_v, net.edge_length_m):
        g.add_edge(int(u), int(v), weight=float(w))
    a = int(np.argmin(np.hypot(*(net.nodes - [X0, Y0]).T)))
    b = int(np.argmin(np.hypot(*(net.nodes - [X0 + 2000, Y0 + 2000]).T)))
    along = nx.shortest_path_length(g, a, b, weight="weight")  # 4000 m along the grid
    assert along == pytest.approx(4000.0)
    # the walk to the network (~50 m + ~10 m) at both ends, then 4 km of streets
    assert line.length == pytest.approx(along + 2 * np.hypot(50, 10), abs=25)
    # every interior vertex is a node of the network
    inner = shapely.get_coordinates(line)[2:-2]
    assert len(inner) >= 3 and all(np.min(np.hypot(*(net.nodes - p).T)) < 1e-6 for p in inner)


def test_proximity_geojson_in_network_mode_draws_routes(tmp_path):
    lay = write_layers(tmp_path / "layers", default_layers_dir() / "catalogue.toml")
    out = tmp_path / "p.geojson"
    r = CliRunner().invoke(cli, ["--layers", str(lay), "proximity", "--mode", "network", "--park-type", "industrial",
                                 "--format", "geojson", "-o", str(out)])
    assert r.exit_code == 0, r.stderr
    fc = json.loads(out.read_text(encoding="utf-8"))
    net_rows = [f for f in fc["features"] if f["properties"]["route"] == "network"]
    assert net_rows and all(len(f["geometry"]["coordinates"]) > 2 for f in net_rows)


def test_cli_lang_ru(tmp_path):
    lay = write_layers(tmp_path / "layers", default_layers_dir() / "catalogue.toml")
    out = tmp_path / "ru.html"
    r = CliRunner().invoke(cli, ["--layers", str(lay), "map", "waterfront", "--lang", "ru", "-o", str(out)])
    assert r.exit_code == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    assert "<title>Томская набережная — новый центр города</title>" in page
    assert "Пешая доступность (по прямой)" in page and "0–500 м" in page
    r = CliRunner().invoke(cli, ["--layers", str(lay), "map", "waterfront", "--lang", "fr", "-o", str(tmp_path / "f.html")])
    assert r.exit_code == 2 and "--lang" in r.stderr


def test_build_focus_and_lang(tmp_path):
    lay = write_layers(tmp_path / "layers", default_layers_dir() / "catalogue.toml")
    r = CliRunner().invoke(cli, ["--layers", str(lay), "build", "-o", str(tmp_path / "bad"), "--focus", "Atlantis"])
    assert r.exit_code == 2 and "no such boundary" in r.stderr and not (tmp_path / "bad").exists()
    r = CliRunner().invoke(cli, ["--layers", str(lay), "build", "-o", str(tmp_path / "out"), "--focus", "district a",
                                 "--lang", "ru"])
    assert r.exit_code == 0, r.stderr
    page = (tmp_path / "out" / "overview.html").read_text(encoding="utf-8")
    assert "<title>Томская агломерация — обзор ИНО Томск — District A</title>" in page
