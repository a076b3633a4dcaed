"""The exported maps in a real browser: headless Chromium, file://, no network.

Each self-contained map is opened from ``file://`` with every host name unresolvable and all
proxied traffic sent to a dead port. The tests check that Leaflet loaded from the page itself,
that the number of drawn features (SVG paths of each layer) equals the layer counts, that the
legend is there, that clicking a park opens its popup with its name, and that names carrying
HTML/JS payloads show as text and never execute.

Locally the tests skip (with the reason) without chromium/chromedriver; with ``CI=true`` they
fail instead.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from mapdata import XSS_PARK, XSS_SITE, synthetic_layers

pytestmark = pytest.mark.browser

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
CHROMEDRIVER = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else None)

# hand-derived from tests/mapdata.py (see its docstring)
EXPECTED = {
    "overview": {"boundaries": 3, "river": 1, "corridors": 4, "parks": 6, "sites": 10},
    "waterfront": {"river": 1, "rings": 3, "waterfront": 1, "parks": 5, "sites": 6},
    "corridors": {"boundaries": 2, "river": 1, "parks": 6, "sites": 10, "roads": 3, "rail": 1, "bridges": 1,
                  "kamayevka_asino": 1},
    # one cell per population cell, one covered polygon and one gap for the chosen type/distance
    "coverage": {"cells": 9, "gaps": 1, "areas": 1, "parks": 6},
    # one link per site, to its nearest park
    "proximity": {"parks": 6, "links": 10, "sites": 10},
}


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"CI=true: browser tests must run, but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    if CHROMIUM is None or CHROMEDRIVER is None:
        _unavailable("chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("selenium is not installed")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,900",
                # no network: no name resolves, and anything proxied goes to a dead port
                "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        drv = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    except Exception as exc:  # noqa: BLE001 - any start-up failure means: no browser here
        _unavailable(f"chromium could not be started: {str(exc).splitlines()[0]}")
    drv.set_page_load_timeout(60)
    yield drv
    drv.quit()


@pytest.fixture(scope="module")
def layers():
    return synthetic_layers()


def _export(tmp_path: Path, name: str, layers, **kw) -> Path:
    from ino_geo.mapdata import map_results
    from ino_geo.webmap.render import export_html, is_self_contained, render_map

    m = render_map(name, layers, results=map_results(name, layers, **kw), online=False)
    out = export_html(m, tmp_path / f"{name}.html")
    assert is_self_contained(out.read_text(encoding="utf-8"))
    return out


def _open(driver, path: Path, n_layers: int) -> None:
    driver.get(path.resolve().as_uri())
    deadline = time.time() + 30
    while time.time() < deadline:
        ready = driver.execute_script(
            "return !!(window.L && window.inoGeo && Object.keys(inoGeo.layers).length === arguments[0]"
            " && document.getElementById('ino-geo-legend'));", n_layers)
        if ready:
            return
        time.sleep(0.1)
    raise AssertionError(f"{path.name}: the map did not load within 30 s")


def _js_errors(driver) -> list[str]:
    """Console errors other than failed network requests (tiles are expected to fail offline)."""
    out = []
    for e in driver.get_log("browser"):
        if e.get("level") != "SEVERE":
            continue
        msg = e.get("message", "")
        if "net::ERR" in msg or "Failed to load resource" in msg:
            continue
        out.append(msg)
    return out


def _focus(driver, layer_id: str, name: str, latlng):
    """Show only layer `layer_id` (as a user would with the layer control), zoom to the feature
    named `name`; return the feature's SVG element and the map container point of `latlng`."""
    return driver.execute_script(
        """
        var id = arguments[0], name = arguments[1], ll = arguments[2], hit = null, map = null;
        for (var k in inoGeo.layers) { if (inoGeo.layers[k]._map) map = inoGeo.layers[k]._map; }
        map.closePopup();
        for (var k in inoGeo.layers) {
            if (k === id) inoGeo.layers[k].addTo(map); else map.removeLayer(inoGeo.layers[k]);
        }
        inoGeo.layers[id].eachLayer(function (l) { if (l.feature.properties.name === name) hit = l; });
        if (hit.getBounds) {
            map.fitBounds(hit.getBounds(), {paddingTopLeft: [360, 40], paddingBottomRight: [340, 40], maxZoom: 17, animate: false});
        } else {
            map.setView(hit.getLatLng(), 15, {animate: false});
        }
        var p = map.latLngToContainerPoint(L.latLng(ll[0], ll[1]));
        var r = map.getContainer().getBoundingClientRect();
        return [hit.getElement(), p.x - r.width / 2, p.y - r.height / 2, map.getContainer()];
        """, layer_id, name, list(latlng))


def _point_on(gdf, name: str):
    g = gdf[gdf["name"] == name].geometry.iloc[0]
    p = g.representative_point() if g.geom_type != "Point" else g
    return (p.y, p.x)


def _open_popup_by_click(driver, layers, layer_id: str, source: str, name: str):
    """Click the feature named `name` on the map (at a point on its surface); return the popup."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    el, dx, dy, container = _focus(driver, layer_id, name, _point_on(layers[source], name))
    time.sleep(0.3)
    ActionChains(driver).move_to_element_with_offset(container, int(round(dx)), int(round(dy))).click().perform()
    deadline = time.time() + 5
    while time.time() < deadline:
        pops = driver.find_elements(By.CSS_SELECTOR, ".leaflet-popup-content")
        if pops and pops[0].text:  # displayed (the popup fades in)
            return pops[0]
        time.sleep(0.1)
    raise AssertionError(f"clicking {name!r} opened no popup")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_map_offline(driver, layers, tmp_path, name):
    path = _export(tmp_path, name, layers)
    expected = EXPECTED[name]
    _open(driver, path, len(expected))

    # Leaflet came from the page itself: there is no external script or stylesheet element
    assert driver.execute_script("return L.version") == "1.9.3"
    external = driver.execute_script(
        "return Array.from(document.querySelectorAll('script[src], link[href]'))"
        ".map(function (e) { return e.src || e.href; });")
    assert external == []

    # drawn features: one SVG path per feature, per layer
    for layer_id, n in expected.items():
        drawn = driver.execute_script(
            "return document.querySelectorAll('path.ino-geo-layer-' + arguments[0]).length;", layer_id)
        assert drawn == n, f"{name}: layer {layer_id}: {drawn} paths drawn, expected {n}"
        assert driver.execute_script("return inoGeo.counts[arguments[0]]", layer_id) == n

    # the legend and the layer control with one entry per layer
    legend = driver.find_element("id", "ino-geo-legend")
    assert legend.is_displayed()
    if "parks" in expected and name != "corridors":
        assert "Park type" in legend.text and "Innovation" in legend.text
    labels = driver.execute_script(
        "return Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label')).length;")
    assert labels == len(expected) + 2  # + the reference base and the place names
    assert driver.find_elements("css selector", ".leaflet-control-scale")  # scale bar

    # clicking a park opens its popup with its name
    popup = _open_popup_by_click(driver, layers, "parks", "parks", "Park 1")
    assert "Park 1" in popup.text
    assert _js_errors(driver) == []


def test_injected_names_do_not_execute(driver, layers, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains

    path = _export(tmp_path, "overview", layers)
    _open(driver, path, len(EXPECTED["overview"]))
    popup = _open_popup_by_click(driver, layers, "parks", "parks", XSS_PARK)
    assert XSS_PARK in popup.text  # shown literally, as text
    assert popup.find_elements("css selector", "img") == []
    # the tooltip too: hover the site whose name is a <script> element, then click it
    el, dx, dy, container = _focus(driver, "sites", XSS_SITE, _point_on(layers["sites"], XSS_SITE))
    time.sleep(0.3)
    ActionChains(driver).move_to_element_with_offset(container, int(round(dx)), int(round(dy))).perform()
    time.sleep(0.3)
    tips = driver.find_elements("css selector", ".leaflet-tooltip")
    assert any(XSS_SITE in t.text for t in tips)
    popup = _open_popup_by_click(driver, layers, "sites", "sites", XSS_SITE)
    assert XSS_SITE in popup.text
    assert driver.execute_script("return [typeof window.__pwned, typeof window.__pwned2];") == ["undefined", "undefined"]
    assert driver.execute_script("return document.querySelectorAll('.leaflet-popup-content script, "
                                 ".leaflet-tooltip script, .leaflet-popup-content img').length") == 0
    assert _js_errors(driver) == []


def test_page_without_network_shows_features_on_plain_background(driver, layers, tmp_path):
    """Offline, tiles fail quietly: the features are drawn, the page has no script errors."""
    path = _export(tmp_path, "waterfront", layers)
    _open(driver, path, len(EXPECTED["waterfront"]))
    # every tile request failed (no network), yet the vector features are there and visible
    visible = driver.execute_script(
        "return Array.from(document.querySelectorAll('path.ino-geo-f')).filter(function (p) {"
        " var r = p.getBoundingClientRect(); return r.width > 0 && r.height > 0; }).length;")
    assert visible >= 5
    loaded_tiles = driver.execute_script(
        "return Array.from(document.querySelectorAll('img.leaflet-tile')).filter(function (i) {"
        " return i.complete && i.naturalWidth > 0; }).length;")
    assert loaded_tiles == 0, "a tile loaded: the network is not blocked in this test"
    assert _js_errors(driver) == []


def test_payload_detector_works(driver, tmp_path):
    """Control: the same payload does execute when put into innerHTML, so the checks above can fail."""
    page = tmp_path / "canary.html"
    page.write_text("<!DOCTYPE html><html><body><div id='d'></div><script>"
                    "document.getElementById('d').innerHTML = " + repr(XSS_PARK).replace("'", '"') + ";</script></body></html>",
                    encoding="utf-8")
    driver.get(page.as_uri())
    deadline = time.time() + 5
    while time.time() < deadline and driver.execute_script("return typeof window.__pwned") == "undefined":
        time.sleep(0.1)
    assert driver.execute_script("return window.__pwned") == 1


@pytest.fixture(scope="module")
def tomsk():
    from ino_geo.data.layers import load_layers

    return load_layers()


@pytest.mark.parametrize("name", ["overview", "waterfront", "corridors", "coverage", "proximity"])
def test_tomsk_map_offline(driver, tomsk, tmp_path, name):
    """The shipped layers: every feature drawn, legend, a real park's popup, no script error."""
    from ino_geo.mapdata import map_results
    from ino_geo.webmap.render import export_html, render_map

    m = render_map(name, tomsk, results=map_results(name, tomsk), online=False)
    path = export_html(m, tmp_path / f"{name}.html")
    _open(driver, path, len(m.ino_geo_counts))
    assert driver.execute_script("return document.querySelectorAll('script[src], link[href]').length") == 0
    for layer_id, n in m.ino_geo_counts.items():
        drawn = driver.execute_script(
            "return document.querySelectorAll('path.ino-geo-layer-' + arguments[0]).length;", layer_id)
        assert drawn == n, f"{name}: layer {layer_id}: {drawn} paths drawn, expected {n}"
    # the counts themselves, independently of the renderer
    c = m.ino_geo_counts
    if name == "overview":
        assert {k: c[k] for k in ("parks", "sites", "corridors", "boundaries", "river")} == \
            {k: len(tomsk[k]) for k in ("parks", "sites", "corridors", "boundaries", "river")}
    elif name == "coverage":
        assert c["cells"] == len(tomsk["population"]) and c["parks"] == len(tomsk["parks"])
    elif name == "proximity":
        assert c["links"] == len(tomsk["sites"])  # one link per site, to its nearest park
    elif name == "corridors":
        assert c["roads"] + c["rail"] == len(tomsk["corridors"])
    assert driver.find_element("id", "ino-geo-legend").is_displayed()
    # the largest park of the map (clicking at a point on its surface)
    drawn = tomsk["parks"]
    if name == "waterfront":
        zone = tomsk["waterfront"].to_crs("EPSG:32645").union_all()
        drawn = drawn[drawn.to_crs("EPSG:32645").distance(zone) <= 3000]
    park = drawn.loc[drawn.to_crs("EPSG:32645").area.idxmax(), "name"]
    popup = _open_popup_by_click(driver, tomsk, "parks", "parks", park)
    assert park in popup.text
    assert "seed:" not in popup.text and ".txt" not in popup.text  # sources as citations, no internal names
    assert _js_errors(driver) == []


def test_embedded_map_fills_its_container(driver, layers, tmp_path):
    """The <iframe> snippet in a sized box: the frame and the map inside fill the box."""
    from ino_geo.webmap.render import export_html, render_map

    export_html(render_map("overview", layers, online=False), tmp_path / "m.html",
                embed_snippet_path=tmp_path / "snippet.html")
    host = tmp_path / "host.html"
    host.write_text("<!DOCTYPE html><html><body style='margin:0'><div id='box' style='width:640px;height:420px'>"
                    + (tmp_path / "snippet.html").read_text(encoding="utf-8") + "</div></body></html>", encoding="utf-8")
    driver.get(host.as_uri())
    frame = driver.find_element("css selector", "iframe")
    rect = driver.execute_script("var r = arguments[0].getBoundingClientRect(); return [r.width, r.height];", frame)
    assert rect == [640, 420]
    driver.switch_to.frame(frame)  # file:// frames are cross-origin to scripts: look from inside
    try:
        deadline = time.time() + 20
        inner = None
        while time.time() < deadline:
            inner = driver.execute_script(
                "var m = document.querySelector('.folium-map');"
                "return [m ? m.clientWidth : 0, m ? m.clientHeight : 0,"
                " !!(window.L && window.inoGeo && inoGeo.counts.parks === 6)];")
            if inner[2]:
                break
            time.sleep(0.1)
        assert inner == [640, 420, True]
    finally:
        driver.switch_to.default_content()
    assert frame.get_attribute("title") == "Tomsk agglomeration — INO Tomsk overview"


# ------------------------------------------------------------------------ maps a planner can publish


@pytest.fixture(scope="module")
def with_places(layers):
    from test_map_publish import synthetic_places

    return {**layers, "places": synthetic_places()}


def _label_texts(driver) -> list[str]:
    deadline = time.time() + 5
    texts: list[str] = []
    while time.time() < deadline:
        texts = driver.execute_script(
            "return Array.prototype.map.call(document.querySelectorAll('.ino-geo-label span'),"
            " function (e) { return e.textContent; });")
        if texts:
            break
        time.sleep(0.1)
    return texts


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_base_and_place_names_are_drawn(driver, with_places, tmp_path, name):
    """Offline, every map shows the reference base and the place names as rendered text."""
    path = _export(tmp_path, name, with_places)
    _open(driver, path, len(EXPECTED[name]))
    drawn = driver.execute_script(
        "return ['base_boundaries', 'base_river', 'base_roads'].map(function (k) {"
        " return document.querySelectorAll('path.ino-geo-layer-' + k).length; });")
    assert drawn == [2, 1, 1], drawn  # 2 municipalities, the Tom, the existing road (hand-counted)
    assert "Tomsk" in _label_texts(driver)
    time.sleep(0.5)  # let the opening view settle
    # overlapping labels are left out: "Little" (a village 140 m from Tomsk) is not shown at any zoom
    driver.execute_script("for (var k in inoGeo.layers) { var m = inoGeo.layers[k]._map; if (m) {"
                          " m.setView([56.4815, 84.9495], 13, {animate: false}); break; } }")
    time.sleep(0.3)
    texts = _label_texts(driver)
    assert "Tomsk" in texts and "Little" not in texts
    assert _js_errors(driver) == []


def test_coverage_map_title_and_layers_match_the_parameters(driver, layers, tmp_path):
    path = _export(tmp_path, "coverage", layers, park_type="sport", distance_m=[500, 1000])
    _open(driver, path, len(EXPECTED["coverage"]))
    assert driver.title == "Park coverage: sport parks within 500 / 1000 m"
    names = driver.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll('.leaflet-control-layers-overlays label'),"
        " function (e) { return e.textContent.trim(); });")
    assert "Covered: Sports park, 500 m" in names and "Covered: Sports park, 1000 m" in names


def test_popups_cite_sources_and_link_only_http(driver, layers, tmp_path):
    parks = layers["parks"].copy()
    parks["source"] = "seed:001_f8bb5fa29d4484f7.txt; https://example.org/park; javascript:alert(1)"
    lay = {**layers, "parks": parks}
    path = _export(tmp_path, "overview", lay)
    _open(driver, path, len(EXPECTED["overview"]))
    popup = _open_popup_by_click(driver, lay, "parks", "parks", "Park 1")
    assert "seed:" not in popup.text and "INO Tomsk programme documents" in popup.text
    assert "Innovation park" in popup.text  # the catalogue's label, not 'innovation'
    links = [a.get_attribute("href") for a in popup.find_elements("css selector", "a")]
    assert links == ["https://example.org/park"]


def test_narrow_embed_leaves_most_of_the_map_visible(driver, layers, tmp_path):
    path = _export(tmp_path, "overview", layers)
    host = tmp_path / "narrow.html"
    host.write_text(f"<!DOCTYPE html><html><body style='margin:0'><iframe src='{path.name}' width='400' height='300'"
                    " style='border:0'></iframe></body></html>", encoding="utf-8")
    driver.get(host.as_uri())
    driver.switch_to.frame(driver.find_element("css selector", "iframe"))
    try:
        deadline = time.time() + 20
        while time.time() < deadline and not driver.execute_script(
                "return !!(window.inoGeo && inoGeo.counts.parks === 6 && document.readyState === 'complete')"):
            time.sleep(0.1)
        time.sleep(0.3)
        boxes = driver.execute_script(
            "return ['#ino-geo-legend', '.leaflet-control-layers', '.leaflet-control-zoom'].map(function (q) {"
            " var r = document.querySelector(q).getBoundingClientRect(); return [r.width, r.height]; });")
    finally:
        driver.switch_to.default_content()
    covered = sum(w * h for w, h in boxes)
    assert covered < 0.2 * 400 * 300, boxes  # the controls fold to buttons: over 80 % of the map shows


def test_cdn_page_without_network_still_draws_the_map(driver, layers, tmp_path):
    from ino_geo.mapdata import map_results
    from ino_geo.webmap.render import export_html, is_self_contained, render_map

    m = render_map("overview", layers, results=map_results("overview", layers), online=True)
    path = export_html(m, tmp_path / "cdn.html", self_contained=False)
    assert not is_self_contained(path.read_text(encoding="utf-8"))
    _open(driver, path, len(EXPECTED["overview"]))
    for layer_id, n in EXPECTED["overview"].items():
        drawn = driver.execute_script("return document.querySelectorAll('path.ino-geo-layer-' + arguments[0]).length;",
                                      layer_id)
        assert drawn == n, (layer_id, drawn, n)
    assert _js_errors(driver) == []
