"""Rendering and export without a browser: counts, filters, rings, colours, escaping,
self-contained pages, embed snippets, sizes."""

from __future__ import annotations

import math
import re

import folium
import geopandas as gpd
import pytest

from ino_geo.data.catalogue import load_catalogue
from shapely import Polygon

from ino_geo._errors import DataError, UsageError
from ino_geo.webmap.spec import load_map_spec, parse_map_spec
from ino_geo.webmap.render import (
    embed_snippet,
    export_html,
    is_self_contained,
    render_all,
    render_map,
    to_html,
    web_frame,
)
from ino_geo.mapdata import builtin_map_results, map_results
from ino_geo.webmap.results import MapResults
from mapdata import METRIC, X0, XSS_PARK, XSS_SITE, Y0, grid, synthetic_layers


@pytest.fixture(scope="module")
def layers():
    return synthetic_layers()


def spec_of(layers_tables, **map_extra):
    return parse_map_spec({"map": {"title": "T", **map_extra}, "layers": layers_tables}, "t.toml")


# ----------------------------------------------------------------------------- counts and filters


def test_overview_counts_every_feature(layers):
    m = render_map("overview", layers, online=False)
    assert isinstance(m, folium.Map)
    assert m.ino_geo_counts == {"boundaries": 3, "river": 1, "corridors": 4, "parks": 6, "sites": 10}


def test_waterfront_near_filter_and_rings(layers):
    m = render_map("waterfront", layers, online=False)
    # mapdata: P1-P5 and S1-S6 lie within 3 km of the waterfront square, P6 and S7-S10 do not
    assert m.ino_geo_counts == {"river": 1, "rings": 3, "waterfront": 1, "parks": 5, "sites": 6}


def test_rings_are_metric_annuli(layers):
    from ino_geo.webmap.frames import SpecFrames

    spec = load_map_spec("waterfront")
    ctx = SpecFrames(spec, layers, MapResults())
    rings = ctx.rings(1, next(lyr for lyr in spec.layers if lyr.kind == "rings"))
    assert rings.crs.to_epsg() == 4326
    areas = rings.to_crs(METRIC).area.to_numpy()
    # buffer of a 1000 m square by d: 1000**2 + 4000 d + pi d**2; a ring is the difference of two
    prev = 1000.0**2
    for d, a in zip((500, 1000, 1500), areas):
        full = 1000.0**2 + 4000 * d + math.pi * d**2
        assert a == pytest.approx(full - prev, rel=2e-3)
        prev = full
    assert list(rings["distance_m"]) == [500, 1000, 1500]


def test_corridor_filters(layers):
    m = render_map("corridors", layers, online=False)
    c = m.ino_geo_counts
    assert (c["roads"], c["rail"], c["bridges"], c["kamayevka_asino"], c["boundaries"]) == (3, 1, 1, 1, 2)


def test_where_on_missing_optional_bool_column_selects_nothing(layers):
    no_bridge = {**layers, "corridors": layers["corridors"].drop(columns=["bridge"])}
    m = render_map("corridors", no_bridge, online=False)
    assert m.ino_geo_counts["bridges"] == 0 and m.ino_geo_counts["roads"] == 3


def test_missing_layer_names_spec_and_field(layers):
    spec = spec_of([{"id": "a", "layer": "parks"}, {"id": "b", "layer": "schools"}])
    with pytest.raises(DataError, match=r"t\.toml: layers\[2\]\.layer: no layer 'schools'"):
        render_map(spec, layers)


def test_missing_color_by_column(layers):
    spec = spec_of([{"id": "a", "layer": "parks", "color_by": "kind", "colors": {"x": "#fff"}}])
    with pytest.raises(DataError, match=r"t\.toml: layers\[1\]\.color_by: no column 'kind' in 'parks'"):
        render_map(spec, layers)


def test_missing_where_column(layers):
    spec = spec_of([{"id": "a", "layer": "parks", "where": {"kind": "x"}}])
    with pytest.raises(DataError, match=r"layers\[1\]\.where\.kind: no column 'kind'"):
        render_map(spec, layers)


def test_empty_geometries_are_not_drawn(layers):
    parks = layers["parks"].copy()
    parks.loc[0, "geometry"] = Polygon()
    m = render_map(spec_of([{"id": "p", "layer": "parks"}]), {**layers, "parks": parks}, online=False)
    assert m.ino_geo_counts == {"p": 5}


def test_layer_not_in_storage_crs_is_reprojected(layers):
    m = render_map(spec_of([{"id": "p", "layer": "parks"}]), {"parks": layers["parks"].to_crs(METRIC)}, online=False)
    page = to_html(m)
    # coordinates written in degrees around Tomsk, not metres
    coords = re.findall(r'"coordinates":\[\[\[([0-9.]+),([0-9.]+)\]', page)
    assert coords and all(84 < float(x) < 86 and 56 < float(y) < 57 for x, y in coords)


# ----------------------------------------------------------------------------- colours and legend


def test_categorical_and_other_colours(layers):
    page = to_html(render_map("overview", layers, online=False))
    cluster = load_catalogue()["sites"].columns["cluster"].colors  # the one palette, in the catalogue
    assert page.count(f'"_c":"{cluster["petrochemical"]}"') == 3  # petrochemical sites
    assert page.count(f'"_c":"{cluster["nuclear"]}"') == 2  # nuclear
    assert page.count('"_c":"#bbbbbb"') == 4  # no cluster: other colour
    assert "other / none" in page
    legend = page[page.index('id="ino-geo-legend"'):]
    for label in ("Park type", "Innovation", "Research &amp; education", "Site cluster", "Corridor status", "Planned"):
        assert label in legend


def test_graduated_colours_bins_are_upper_inclusive(layers):
    sites = layers["sites"].assign(distance_m=[100, 500, 501, 1000, 1001, 5000, None, 0, 2, 3])
    spec = spec_of([{"id": "s", "layer": "sites", "color_by": "distance_m", "bins": [500, 1000],
                     "colors": ["#000001", "#000002", "#000003"], "unit": "m"}])
    page = to_html(render_map(spec, {"sites": sites}, online=False))
    assert page.count('"_c":"#000001"') == 5  # 100, 500, 0, 2, 3
    assert page.count('"_c":"#000002"') == 2  # 501, 1000
    assert page.count('"_c":"#000003"') == 2  # 1001, 5000
    assert page.count('"_c":"#999999"') == 1  # no value
    assert "≤ 500 m" in page and "500–1000 m" in page and "&gt; 1000 m" in page and "no value" in page


# ----------------------------------------------------------------------------- escaping


def test_data_never_becomes_markup(layers):
    page = to_html(render_map("overview", layers, online=False))
    assert XSS_PARK not in page and XSS_SITE not in page
    assert "<img" not in page
    assert page.count("<script") == page.count("</script>")
    assert "\\u003cimg src=x onerror=window.__pwned=1\\u003e" in page
    # popups and tooltips are built with textContent, never innerHTML
    runtime = page[page.index("window.inoGeo ="):]
    runtime = runtime[:runtime.index("</script>")]
    assert "textContent" in runtime and "innerHTML" not in runtime
    # folium's innerHTML-based GeoJsonPopup/GeoJsonTooltip are not used
    assert "foliumpopup" not in page and "foliumtooltip" not in page


def test_spec_text_is_escaped_too(layers):
    evil = "<script>alert(1)</script>"
    spec = parse_map_spec({"map": {"title": evil, "description": evil},
                           "field_labels": {"name": evil},
                           "layers": [{"id": "p", "layer": "parks", "title": evil, "popup": ["name"],
                                       "legend_title": evil, "color_by": "park_type",
                                       "colors": {"sport": "#fff"}, "labels": {"sport": evil}}]}, "evil.toml")
    page = to_html(render_map(spec, layers, online=False))
    assert evil not in page
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>" in page
    # the layer control puts names in with innerHTML: the name is HTML-escaped, inside JSON
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# ----------------------------------------------------------------------------- export


def test_self_contained_inlines_leaflet(layers):
    m = render_map("overview", layers, online=True)  # online plugins are left out on export
    page = to_html(m, self_contained=True)
    assert is_self_contained(page)
    assert not re.search(r"<(script|link)\b[^>]*(src|href)=", page)
    assert "Leaflet 1.9.3" in page  # the inlined library's banner
    assert "url(data:image/png;base64," in page  # the layer-control icon
    assert "images/layers.png" not in page
    assert "L.control.fullscreen" not in page and "L.Control.MiniMap" not in page and "L.Control.Measure" not in page
    assert "jquery" not in page.lower() and "bootstrap" not in page.lower()


def test_cdn_keeps_links_and_online_controls(layers):
    m = render_map("overview", layers, online=True)
    cdn = to_html(m, self_contained=False)
    assert not is_self_contained(cdn)
    assert '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"></script>' in cdn
    assert "L.control.fullscreen" in cdn and "L.Control.MiniMap" in cdn and "L.Control.Measure" in cdn
    # offline, the CDN page writes the inlined Leaflet into itself and stubs the online-only controls
    assert "window.L || document.write(" in cdn and "L.Control.MiniMap = inoGeoStub()" in cdn
    # exporting self-contained did not remove the online controls from the map object
    assert "L.control.fullscreen" in to_html(m, self_contained=False)


def test_is_self_contained_detects_external_references():
    assert not is_self_contained('<script src="https://x.org/a.js"></script>')
    assert not is_self_contained("<link rel='stylesheet' href='//x.org/a.css'>")
    assert not is_self_contained("<style>@import url('https://x.org/a.css');</style>")
    assert is_self_contained('<a href="https://openstreetmap.org/copyright">OSM</a><script>var a=1</script>')


def test_export_overwrite_guard_and_atomic(layers, tmp_path):
    m = render_map("overview", layers, online=False)
    out = tmp_path / "m.html"
    out.write_bytes(b"precious")
    with pytest.raises(UsageError, match="exists; pass --overwrite"):
        export_html(m, out)
    assert out.read_bytes() == b"precious"
    export_html(m, out, overwrite=True)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.html"]  # no temporary leftovers


def test_export_snippet_guard_checked_before_writing_the_map(layers, tmp_path):
    m = render_map("overview", layers, online=False)
    snip = tmp_path / "snippet.html"
    snip.write_text("old", encoding="utf-8")
    with pytest.raises(UsageError, match="snippet.html: exists"):
        export_html(m, tmp_path / "m.html", embed_snippet_path=snip)
    assert not (tmp_path / "m.html").exists()


def test_embed_snippet_fills_container_and_points_at_the_map(layers, tmp_path):
    (tmp_path / "web").mkdir()
    m = render_map("waterfront", layers, online=False)
    export_html(m, tmp_path / "w.html", embed_snippet_path=tmp_path / "web" / "embed.html")
    snip = (tmp_path / "web" / "embed.html").read_text(encoding="utf-8")
    assert '<iframe src="../w.html"' in snip
    assert "width:100%;height:100%" in snip and "position:absolute" in snip
    assert 'title="Tomsk waterfront — new city centre"' in snip
    # the map page itself fills the frame
    page = (tmp_path / "w.html").read_text(encoding="utf-8")
    assert "width: 100.0%;" in page and "height: 100.0%;" in page


def test_embed_snippet_escapes():
    s = embed_snippet("a.html", title='"><script>x</script>', src='x" onload="alert(1)')
    assert "<script>" not in s and 'onload="' not in s
    with pytest.raises(UsageError):
        embed_snippet("a.html", min_height="1px;background:red")


def test_render_all_checks_every_output_first(layers, tmp_path):
    (tmp_path / "corridors.html").write_text("keep", encoding="utf-8")
    names = ["overview", "waterfront", "corridors"]
    with pytest.raises(UsageError, match="corridors.html: exists"):
        render_all(layers, tmp_path, names=names)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corridors.html"]
    done = render_all(layers, tmp_path, names=names, overwrite=True)
    assert [d[0] for d in done] == names
    for name, path, size in done:
        assert path == tmp_path / f"{name}.html" and path.stat().st_size == size
        assert is_self_contained(path.read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------- web geometry and size


def test_web_frame_simplifies_in_metres_and_rounds():
    # a 1000 m square with an extra vertex 2 m off its top edge
    poly = Polygon([(X0, Y0), (X0 + 1000, Y0), (X0 + 1000, Y0 + 1000), (X0 + 500, Y0 + 1002), (X0, Y0 + 1000)])
    g = gpd.GeoDataFrame({"name": ["a"], "drop": [1]}, geometry=[poly], crs=METRIC).to_crs(4326)
    coarse = web_frame(g, simplify_m=5, precision=5, columns=["name"])
    fine = web_frame(g, simplify_m=1, precision=7, columns=["name"])
    assert list(coarse.columns) == ["name", "geometry"]
    assert len(coarse.geometry.iloc[0].exterior.coords) == 5  # the 2 m wiggle is gone
    assert len(fine.geometry.iloc[0].exterior.coords) == 6  # kept with 1 m tolerance
    for x, y in coarse.geometry.iloc[0].exterior.coords:
        assert round(x, 5) == x and round(y, 5) == y
    # area is preserved within the tolerance
    a0 = g.to_crs(METRIC).area.iloc[0]
    assert coarse.to_crs(METRIC).area.iloc[0] == pytest.approx(a0, rel=5e-3)


@pytest.mark.slow
def test_ten_thousand_polygons_stay_under_5_mb(tmp_path):
    cells = grid(100, cell_m=100.0, vertices=24)  # 10,000 polygons of 24 vertices
    assert len(cells) == 10_000
    spec = spec_of([{"id": "cells", "layer": "cells", "color_by": "population", "bins": [100, 200, 300, 400],
                     "colors": ["#eeeeee", "#cccccc", "#999999", "#666666", "#333333"],
                     "popup": ["cell_id", "population"], "tooltip": ["cell_id"]}])
    m = render_map(spec, {"cells": cells}, online=False)
    assert m.ino_geo_counts == {"cells": 10_000}
    out = export_html(m, tmp_path / "grid.html")
    size = out.stat().st_size
    assert size < 5_000_000, f"{size / 1e6:.2f} MB"
    # without simplification and rounding the same map is far larger
    raw = spec_of([{"id": "cells", "layer": "cells", "popup": ["cell_id", "population"], "tooltip": ["cell_id"]}],
                  simplify_m=0, precision=8)
    raw_size = len(to_html(render_map(raw, {"cells": cells}, online=False)).encode("utf-8"))
    assert raw_size > 1.5 * size
    print(f"10,000 polygons: {size / 1e6:.2f} MB self-contained (unsimplified, 8 decimals: {raw_size / 1e6:.2f} MB)")


# ----------------------------------------------------------------------------- analysis maps


def _bin_color(lyr, v):
    import bisect

    return lyr.bin_colors[bisect.bisect_left(list(lyr.bins), v)]


def test_coverage_map_draws_the_chosen_result(layers):
    import ino_geo

    res = ino_geo.coverage(layers["parks"], park_types=["sport"], distances=[1000], boundaries=layers["boundaries"],
                           population=layers["population"], river=layers["river"])
    m = render_map("coverage", layers, results=map_results("coverage", layers, park_type="sport", distance_m=1000),
                   online=False)
    assert m.ino_geo_title == "Park coverage: sport parks within 1000 m"
    cells = res.cells[(res.cells.park_type == "sport") & (res.cells.threshold == 1000)]
    assert m.ino_geo_counts == {"cells": len(cells), "gaps": 1, "areas": 1, "parks": 6}
    assert len(cells) == 9  # one row per population cell
    page = to_html(m)
    spec = load_map_spec("coverage")
    lyr = next(x for x in spec.layers if x.id == "cells")
    expected = {}
    for share in cells["share"]:
        c = _bin_color(lyr, share)
        expected[c] = expected.get(c, 0) + 1
    cells_js = page[page.index('"ino-geo-f ino-geo-layer-cells"') - 20_000:page.index('"ino-geo-f ino-geo-layer-cells"')]
    for color, n in expected.items():
        assert cells_js.count(f'"_c":"{color}"') == n
    # the headline is the result's own figure for the whole study area
    pct = res.table[res.table.boundary_id == "all"].population_pct.iloc[0]
    assert f"Covered: {pct:.1f} % of the people" in page


def test_coverage_map_accepts_a_precomputed_result_and_minutes(layers):
    import ino_geo

    res = ino_geo.coverage(layers["parks"], park_types=["medical"], minutes=[10], boundaries=layers["boundaries"],
                           population=layers["population"])
    m = render_map("coverage", layers, results=MapResults(coverage=res, park_type="medical", minutes=10), online=False)
    assert m.ino_geo_title == "Park coverage: medical parks within 10 min"
    # mapdata: the medical park P4 lies outside every boundary, and 10 min of walking (750 m)
    # does not reach the study area: the covered area is empty - said on the map, not drawn
    assert m.ino_geo_counts["cells"] == 9 and m.ino_geo_counts["areas"] == 0
    assert "1 of 1 rows of “Covered” have no geometry" in to_html(m)
    with pytest.raises(UsageError, match="not both"):
        map_results("coverage", layers, distance_m=100, minutes=5)


def test_proximity_map_links_every_site_to_its_nearest_park(layers):
    import ino_geo

    res = ino_geo.proximity(layers["sites"], layers["parks"])
    assert len(res) == 60  # 10 sites x 6 types
    m = render_map("proximity", layers, results=map_results("proximity", layers), online=False)
    assert m.ino_geo_counts == {"parks": 6, "links": 10, "sites": 10}  # one link per site
    res = res.loc[res.groupby("origin_id")["distance_m"].idxmin()]  # the nearest park of any type
    lyr = next(x for x in load_map_spec("proximity").layers if x.id == "links")
    page = to_html(m)
    js = page[page.index('"ino-geo-f ino-geo-layer-links"') - 40_000:page.index('"ino-geo-f ino-geo-layer-links"')]
    for color in set(lyr.bin_colors):
        n = sum(_bin_color(lyr, d) == color for d in res["distance_m"])
        assert js.count(f'"_c":"{color}"') == n
    only = render_map("proximity", layers, results=map_results("proximity", layers, park_types=["medical"]),
                      online=False)
    assert only.ino_geo_counts["links"] == 10


def test_render_all_five_builtin_maps(layers, tmp_path):
    done = render_all(layers, tmp_path, results=builtin_map_results(layers))
    assert [d[0] for d in done] == ["overview", "waterfront", "corridors", "coverage", "proximity"]
    for _, path, size in done:
        assert size == path.stat().st_size and size < 1_000_000


# ----------------------------------------------------------------------------- the shipped Tomsk layers


@pytest.fixture(scope="module")
def tomsk():
    from ino_geo.data.layers import load_layers

    return load_layers()


def test_tomsk_overview_draws_every_feature(tomsk):
    m = render_map("overview", tomsk, online=False)
    assert m.ino_geo_counts == {name: len(tomsk[name]) for name in ("boundaries", "river", "corridors", "parks", "sites")}


def test_tomsk_waterfront_and_corridors_filters(tomsk):
    m = render_map("waterfront", tomsk, online=False)
    zone = tomsk["waterfront"].to_crs(METRIC).union_all()
    for name in ("parks", "sites"):
        near = (tomsk[name].to_crs(METRIC).distance(zone) <= 3000).sum()
        assert m.ino_geo_counts[name] == near
    assert m.ino_geo_counts["rings"] == 3
    c = render_map("corridors", tomsk, online=False).ino_geo_counts
    cor = tomsk["corridors"]
    assert c["roads"] == (cor["mode"] == "road").sum() and c["rail"] == (cor["mode"] == "rail").sum()
    assert c["bridges"] == cor["bridge"].fillna(False).astype(bool).sum() >= 2  # at least the two bridges in use
    assert c["kamayevka_asino"] == 1


def test_tomsk_maps_sizes(tomsk, tmp_path):
    done = render_all(tomsk, tmp_path, results=builtin_map_results(tomsk))
    sizes = {name: size for name, _, size in done}
    print("Tomsk maps, self-contained: " + ", ".join(f"{n} {s / 1e6:.2f} MB" for n, s in sizes.items()))
    assert set(sizes) == {"overview", "waterfront", "corridors", "coverage", "proximity"}
    assert all(s < 5_000_000 for s in sizes.values())


def test_layers_folder_and_network_path(tmp_path):
    from ino_geo.data.layers import default_layers_dir
    from mapdata import write_layers

    folder = write_layers(tmp_path / "layers", default_layers_dir() / "catalogue.toml")
    m = render_map("overview", str(folder), online=False)
    assert m.ino_geo_counts["parks"] == 6
    res = map_results("coverage", folder, mode="network", minutes=10, network=folder / "corridors.geojson")
    m = render_map("coverage", folder, results=res, online=False)
    assert m.ino_geo_title.endswith("within 10 min")


@pytest.mark.parametrize("x", [float("inf"), float("nan")])
def test_non_finite_coordinates_are_refused(layers, x):
    from shapely import Point

    sites = layers["sites"].copy()
    sites.loc[3, "geometry"] = Point(x, 56.4)
    spec = spec_of([{"id": "s", "layer": "sites"}])
    with pytest.raises(DataError, match=r"t\.toml: layers\[1\]\.layer: 'sites' record 3 \(site_id=S4\): field geometry: "
                                        r"non-finite"):
        render_map(spec, {"sites": sites})


def test_hostile_text_stays_inside_the_json(layers):
    parks = layers["parks"].assign(name=["\u2028x", "</script><script>alert(1)</script>", "a'b\"c", "\x00", "𝔘",
                                         "<!--"])
    page = to_html(render_map(spec_of([{"id": "p", "layer": "parks", "popup": ["name"]}]), {"parks": parks}))
    assert page.count("<script") == page.count("</script>")
    assert "alert(1)" in page and "<script>alert(1)" not in page and "<!--" not in page
    assert "\u2028" not in page


def test_map_shows_in_jupyter(layers):
    """A notebook displays the returned map through folium's _repr_html_ (an iframe of the page)."""
    m = render_map("waterfront", layers)
    out = m._repr_html_()
    assert out.startswith("<div") and "<iframe" in out and "srcdoc=" in out
    import html as _html

    inner = _html.unescape(out.split('srcdoc="', 1)[1].split('"', 1)[0])
    assert "inoGeo.layers" in inner and "L.control.fullscreen" in inner  # online in a notebook


def test_self_contained_refuses_elements_needing_cdn_resources(layers):
    m = render_map("overview", layers, online=False)
    folium.Marker([56.48, 84.95], icon=folium.Icon(color="red")).add_to(m)
    with pytest.raises(DataError, match="contains a Icon.*export with --cdn"):
        to_html(m)
    assert "L.AwesomeMarkers" in to_html(m, self_contained=False)
    # names that look like those libraries are data, not a reason to refuse
    sites = layers["sites"].assign(name="$(document).ready(bootstrap.js) L.AwesomeMarkers")
    page = to_html(render_map(spec_of([{"id": "s", "layer": "sites", "popup": ["name"]}]), {"sites": sites}))
    assert is_self_contained(page)


# ----------------------------------------------------------------------------- maps take results


def test_a_map_without_its_results_says_what_to_pass(layers, tmp_path):
    with pytest.raises(UsageError, match=r"map 'coverage' draws coverage results: pass results=ino_geo\.map_results"):
        render_map("coverage", layers)
    with pytest.raises(UsageError, match="proximity"):
        render_map("proximity", layers, results=MapResults(coverage=object()))
    with pytest.raises(UsageError, match="map 'proximity'"):  # render_all checks before any work
        render_all(layers, tmp_path, names=["overview", "proximity"])
    assert list(tmp_path.iterdir()) == []


def test_a_result_with_several_thresholds_needs_the_choice(layers):
    import ino_geo

    res = ino_geo.coverage(layers["parks"], park_types=["sport"], distances=[500, 1000],
                           boundaries=layers["boundaries"], population=layers["population"])
    with pytest.raises(UsageError, match=r"2 thresholds for 'sport' \(500 m, 1000 m\)"):
        render_map("coverage", layers, results=MapResults(coverage=res))
    m = render_map("coverage", layers, results=MapResults(coverage=res, distance_m=500), online=False)
    # one covered-areas overlay per threshold, toggled in the layer control; cells and gaps at 500 m
    assert m.ino_geo_title == "Park coverage: sport parks within 500 / 1000 m"
    page = to_html(m)
    assert "Covered: Sports park, 500 m" in page and "Covered: Sports park, 1000 m" in page
    assert "Reach: 500 m (straight-line)" in page


def test_park_type_colours_and_labels_come_from_the_catalogue(layers):
    from ino_geo.data.catalogue import load_catalogue

    col = load_catalogue()["parks"].columns["park_type"]
    page = to_html(render_map("overview", layers, online=False))
    for t in set(layers["parks"]["park_type"]):
        assert f'"_c":"{col.colors[t]}"' in page
    import html

    assert all(html.escape(label) in page for label in col.labels.values())  # the legend
    # a spec may still override one colour and one label
    spec = spec_of([{"id": "p", "layer": "parks", "color_by": "park_type", "colors": {"sport": "#010203"},
                     "labels": {"sport": "Stadiums"}}])
    page = to_html(render_map(spec, layers, online=False))
    assert '"_c":"#010203"' in page and "Stadiums" in page and f'"_c":"{col.colors["medical"]}"' in page


def test_categorical_colours_need_a_table_or_catalogue_colours(layers):
    spec = spec_of([{"id": "p", "layer": "parks", "color_by": "name"}])
    with pytest.raises(DataError, match=r"t\.toml: layers\[1\]\.colors: categorical color_by 'name' needs colors"):
        render_map(spec, layers)
