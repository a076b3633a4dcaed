"""Print maps (PNG/SVG/PDF) from the map specs: formats, sizes, content, labels, CLI guards."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import ino_geo
from ino_geo import UsageError
from ino_geo.cli import cli
from ino_geo.data.layers import default_layers_dir
from ino_geo.webmap.static import (
    parse_size,
    place_labels,
    readable_source,
    render_atlas,
    render_static,
    sources_line,
    static_format,
)
from mapdata import write_layers


@pytest.fixture(scope="module")
def layers_dir(tmp_path_factory) -> Path:
    return write_layers(tmp_path_factory.mktemp("synthetic") / "layers", default_layers_dir() / "catalogue.toml")


@pytest.fixture(scope="module")
def shipped():
    return ino_geo.load_layers()


def run(layers_dir, *args):
    result = CliRunner().invoke(cli, ["--layers", str(layers_dir), "map", *map(str, args)])
    assert "Traceback" not in (result.stdout + result.stderr)
    return result


def _pixels(path: Path) -> np.ndarray:
    import matplotlib.image as mpimg

    return mpimg.imread(path)  # PNG decoded by matplotlib (Pillow)


def _not_blank(img: np.ndarray) -> None:
    rgb = np.round(img[..., :3] * 255).astype(np.uint8).reshape(-1, 3)
    white = (rgb >= 250).all(axis=1).mean()
    distinct = len(np.unique(rgb[:: max(1, len(rgb) // 200_000)], axis=0))
    assert white < 0.9, f"{white:.0%} white"
    assert distinct >= 20, f"only {distinct} distinct colours"


def _pdf_pages(path: Path) -> int:
    if shutil.which("pdfinfo"):
        out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))
    return len(re.findall(rb"/Type\s*/Page\b", path.read_bytes()))  # pragma: no cover


# -------------------------------------------------------------------------- options


@pytest.mark.parametrize("text,mm", [("A4", (210, 297)), ("A4-portrait", (210, 297)), ("A4-landscape", (297, 210)),
                                     ("a3-LANDSCAPE", (420, 297)), ("297x210mm", (297, 210)), ("10x5cm", (100, 50)),
                                     ("11x8.5in", (279.4, 215.9)), ("160x90", (160, 90))])
def test_parse_size(text, mm):
    w, h = parse_size(text)
    assert (round(w * 25.4, 1), round(h * 25.4, 1)) == mm


@pytest.mark.parametrize("bad", ["B5", "A4-sideways", "x10mm", "10x10ft", "1x1mm", "5000x10mm"])
def test_parse_size_rejects(bad):
    with pytest.raises(UsageError, match="--size"):
        parse_size(bad)


@pytest.mark.parametrize("name", ["m.jpg", "m.html.txt", "m", "m.tif"])
def test_static_format_rejects(name):
    with pytest.raises(UsageError, match="unknown map format"):
        static_format(name)


def test_readable_sources_never_show_seed_files(shipped):
    line = sources_line(list(shipped.keys()), shipped.catalogue)
    assert "seed" not in line.lower() and ".txt" not in line
    assert "INO Tomsk programme documents" in line and "Rosstat" in line and "CC BY 4.0" in line
    assert readable_source("seed:001_f8bb5fa29d4484f7.txt") == "INO Tomsk programme documents"
    assert readable_source("Seeds 000, 001; public references") == "INO Tomsk programme documents; public references"


# -------------------------------------------------------------------------- labels


def test_place_labels_never_overlap_and_keep_priority():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 3))
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    rng = np.random.default_rng(1)
    cands = [(f"Place {k}", float(x), float(y), float(p), True)
             for k, (x, y, p) in enumerate(zip(rng.uniform(5, 95, 60), rng.uniform(5, 95, 60), rng.uniform(0, 1e5, 60)))]
    cands.append(("Biggest", 50.0, 50.0, 1e9, True))
    cands.append(("Next to biggest", 50.5, 50.0, 1e8, True))  # same spot: must move aside, not overlap
    placed = place_labels(ax, cands)
    texts = [t for t, _ in placed]
    assert texts[0] == "Biggest" and "Next to biggest" in texts
    assert 5 < len(placed) < len(cands)  # crowded: some are left out
    boxes = [b for _, b in placed]
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert not boxes[i].overlaps(boxes[j]), (texts[i], texts[j])
    frame = ax.get_window_extent()
    assert all(b.x0 >= frame.x0 and b.x1 <= frame.x1 and b.y0 >= frame.y0 and b.y1 <= frame.y1 for b in boxes)
    # an area label wider than its area is not placed
    assert place_labels(ax, [("A very long area name", 50, 50, 1, False, (49, 49, 51, 51))]) == []


def test_labels_come_from_a_places_layer_when_there_is_one(shipped, tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    places = gpd.GeoDataFrame({"name": ["Tomsk", "Seversk"], "name_ru": ["Томск", "Северск"],
                               "population": [556478, 112971]},
                              geometry=[Point(84.95, 56.48), Point(84.88, 56.6)], crs="EPSG:4326")
    layers = dict(shipped.items())
    layers["places"] = places
    out = tmp_path / "m.svg"
    render_static("overview", layers, out)
    texts = {"".join(t.itertext()).strip() for t in ET.parse(out).getroot().iter("{http://www.w3.org/2000/svg}text")}
    assert {"Tomsk", "Seversk"} <= texts
    assert not any("district (Tomsk)" in t for t in texts)  # the boundary fallback is not used


# -------------------------------------------------------------------------- outputs


def test_png_a4_portrait_at_150_dpi(shipped, tmp_path):
    out = tmp_path / "overview.png"
    info = render_static("overview", shipped, out, dpi=150, size="A4")
    img = _pixels(out)
    assert abs(img.shape[1] - 1240) <= 2 and abs(img.shape[0] - 1754) <= 2
    _not_blank(img)
    assert info["features"]["parks"] == len(shipped.parks) and info["size_mm"] == [210.0, 297.0]


def test_svg_is_xml_with_title_legend_and_scale(shipped, tmp_path):
    out = tmp_path / "corridors.svg"
    render_static("corridors", shipped, out, size="200x150mm")
    root = ET.parse(out).getroot()
    assert root.get("width").startswith("566.9")  # 200 mm in points
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    joined = " | ".join(texts)
    assert "N" in texts and re.search(r"\d+ km", joined), joined
    assert "Sources" in joined and "seed:" not in joined
    assert ino_geo.load_map_spec("corridors").title in joined


def test_pdf_one_page(shipped, tmp_path):
    out = tmp_path / "waterfront.pdf"
    render_static("waterfront", shipped, out, size="A3-landscape")
    assert out.read_bytes()[:5] == b"%PDF-" and _pdf_pages(out) == 1


def test_atlas_one_page_per_map_and_pngs(layers_dir, tmp_path):
    layers = ino_geo.load_layers(layers_dir)
    info = render_atlas(layers, tmp_path / "atlas.pdf", png_dir=tmp_path, dpi=60,
                        results=ino_geo.builtin_map_results(layers))
    assert info["pages"] == 5 == _pdf_pages(tmp_path / "atlas.pdf")
    for name in ino_geo.builtin_map_names()[:5]:
        img = _pixels(tmp_path / f"{name}.png")
        assert abs(img.shape[0] - 210 / 25.4 * 60) <= 1 and abs(img.shape[1] - 297 / 25.4 * 60) <= 1
        _not_blank(img)


def test_extra_layers_replace_analysis_results(shipped, tmp_path):
    import geopandas as gpd
    from shapely.geometry import LineString

    links = gpd.GeoDataFrame({"origin_name": ["a"], "park_name": ["b"], "park_type": ["sport"],
                              "distance_m": [500.0]},
                             geometry=[LineString([(84.95, 56.47), (84.96, 56.48)])], crs="EPSG:4326")
    info = render_static("proximity", shipped, tmp_path / "p.png", extra_layers={"proximity": links}, dpi=50)
    assert info["features"]["links"] == 1


# -------------------------------------------------------------------------- CLI


@pytest.mark.parametrize("ext", ["png", "svg", "pdf"])
def test_cli_writes_print_maps(layers_dir, tmp_path, ext):
    out = tmp_path / f"o.{ext}"
    r = run(layers_dir, "overview", "-o", out, "--dpi", "72", "--size", "A4-landscape")
    assert r.exit_code == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["path"] == str(out) and info["bytes"] == out.stat().st_size and info["size_mm"] == [297.0, 210.0]
    head = out.read_bytes()[:200]
    assert {"png": head.startswith(b"\x89PNG"), "svg": b"<svg" in head or b"<?xml" in head,
            "pdf": head.startswith(b"%PDF")}[ext]
    assert b"<html" not in out.read_bytes()[:2000].lower()


def test_cli_coverage_print_map_honours_parameters(layers_dir, tmp_path):
    out = tmp_path / "c.svg"
    r = run(layers_dir, "coverage", "-o", out, "--distance", "800", "--park-type", "sport", "--dpi", "50")
    assert r.exit_code == 0, r.stderr
    joined = " ".join("".join(t.itertext()) for t in ET.parse(out).getroot().iter("{http://www.w3.org/2000/svg}text"))
    assert "sport parks within 800 m" in joined


def test_print_maps_draw_the_reference_base_under_the_spec_layers(shipped):
    from ino_geo.webmap.static import map_frames

    frames = map_frames(ino_geo.load_map_spec("waterfront"), shipped)[0]
    ids = [lyr.id for lyr, _g in frames]
    base = [i for i in ids if i.startswith("base_")]
    assert {"base_boundaries", "base_river", "base_roads"} <= set(base) and ids[:len(base)] == base  # drawn first
    assert not any(lyr.legend for lyr, _g in frames[:len(base)])  # and out of the legend
    off = map_frames(ino_geo.parse_map_spec({"map": {"title": "T", "base": False},
                                             "layers": [{"id": "p", "layer": "parks"}]}), shipped)[0]
    assert [lyr.id for lyr, _g in off] == ["p"]


def test_cli_print_map_honours_lang_and_focus(layers_dir, tmp_path):
    whole = json.loads(run(layers_dir, "coverage", "-o", tmp_path / "w.svg", "--dpi", "50").stdout)
    out = tmp_path / "c.svg"
    r = run(layers_dir, "coverage", "-o", out, "--lang", "ru", "--focus", "county", "--dpi", "50")
    assert r.exit_code == 0, r.stderr
    joined = " ".join("".join(t.itertext()) for t in ET.parse(out).getroot().iter("{http://www.w3.org/2000/svg}text"))
    spec = ino_geo.load_map_spec("coverage")
    assert spec.text("title", "ru") in joined and "— County" in joined  # Russian title, the focus named
    assert "Тип парка" in joined and "Park type" not in joined  # the legend in Russian
    focused = json.loads(r.stdout)["features"]
    assert sum(focused.values()) < sum(whole["features"].values())  # only what lies near the boundary
    r = run(layers_dir, "coverage", "-o", tmp_path / "x.png", "--focus", "nowhere")
    assert r.exit_code == 2 and "--focus 'nowhere'" in r.stderr and not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("args,needle", [
    (["-o", "{d}/o.jpg"], "unknown map format '.jpg'"),
    (["-o", "{d}/o"], "unknown map format"),
    (["-o", "{d}/o.png", "--size", "B5"], "--size B5"),
    (["-o", "{d}/o.png", "--dpi", "5"], "--dpi 5"),
    (["-o", "{d}/o.html", "--dpi", "100"], "--dpi and --size apply to print maps"),
    (["-o", "{d}/o.png", "--embed-snippet", "{d}/s.html"], "--embed-snippet applies to HTML maps only"),
])
def test_cli_usage_errors_write_nothing(layers_dir, tmp_path, args, needle):
    r = run(layers_dir, "overview", *[a.format(d=tmp_path) for a in args])
    assert r.exit_code == 2
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("ino-geo: error:") and needle in r.stderr, r.stderr
    assert list(tmp_path.iterdir()) == []


def test_cli_print_map_needs_overwrite(layers_dir, tmp_path):
    out = tmp_path / "o.png"
    out.write_bytes(b"keep")
    r = run(layers_dir, "overview", "-o", out)
    assert r.exit_code == 2 and out.read_bytes() == b"keep"
    assert run(layers_dir, "overview", "-o", out, "--overwrite", "--dpi", "40").exit_code == 0
    assert out.read_bytes()[:4] == b"\x89PNG"


# -------------------------------------------------------------------------- detail inset, build


def test_core_bounds_is_the_largest_dense_cluster():
    import geopandas as gpd
    from shapely.geometry import box

    from ino_geo.webmap.cartography import core_bounds

    # a city of 9 dense cells around (0, 0) km, a town of 2 dense cells 50 km east, sparse cells between
    cells, pops = [], []
    for i in range(-1, 2):
        for j in range(-1, 2):
            cells.append(box(i * 1000, j * 1000, i * 1000 + 1000, j * 1000 + 1000))
            pops.append(1000.0)
    for i in (50, 51):
        cells.append(box(i * 1000, 0, i * 1000 + 1000, 1000))
        pops.append(1500.0)
    for i in range(5, 45, 5):
        cells.append(box(i * 1000, 0, i * 1000 + 1000, 1000))
        pops.append(10.0)
    pop = gpd.GeoDataFrame({"population": pops}, geometry=cells, crs="EPSG:32645")
    b = core_bounds({"population": pop}, "EPSG:32645", share=0.9, link_m=3000)
    assert b == pytest.approx((-1000, -1000, 2000, 2000))  # the city cells, not the denser small town
    assert core_bounds({}, "EPSG:32645") is None


def test_overview_has_a_detail_inset_on_tomsk(shipped):
    from ino_geo.webmap.static import draw_figure, map_frames

    spec = ino_geo.load_map_spec("overview")
    frames, title, sub, extent = map_frames(spec, shipped)
    fig = draw_figure(spec, shipped, frames, title, sub, extent, size="A4-landscape")
    assert len(fig.axes) == 3  # map, legend, inset
    inset = fig.axes[2]
    assert any(t.get_text().startswith("Detail: Tomsk") for t in inset.texts)
    # the inset magnifies: its view is several times smaller than the main map's
    assert (fig.axes[0].get_xlim()[1] - fig.axes[0].get_xlim()[0]) > 3 * (inset.get_xlim()[1] - inset.get_xlim()[0])
    labels = fig.ino_geo_labels
    boxes = [b for _t, b in labels["placed"]]
    assert {"Tomsky district", "Asinovsky district"} <= {t for t, _b in labels["placed"]}
    for i, b in enumerate(boxes):  # no label overlaps another, the inset, the scale bar or the arrow
        assert not any(b.overlaps(o) for o in boxes[i + 1:] + labels["obstacles"])
    assert any(o.bounds == inset.get_window_extent().bounds for o in labels["obstacles"])
    wf = ino_geo.load_map_spec("waterfront")  # already a detail: no inset
    frames, title, sub, extent = map_frames(wf, shipped)
    assert len(draw_figure(wf, shipped, frames, title, sub, extent).axes) == 2


def test_build_writes_the_atlas_and_pngs(layers_dir, tmp_path):
    out = tmp_path / "pack"
    r = CliRunner().invoke(cli, ["--layers", str(layers_dir), "build", "-o", str(out), "--distance", "500"])
    assert r.exit_code == 0, r.stderr
    assert _pdf_pages(out / "atlas.pdf") == 7  # the five maps and the two decision maps
    written = {Path(f["path"]).name for f in json.loads(r.stdout)["files"]}
    assert {"atlas.pdf", "overview.png", "coverage.png", "proximity.png", "accessibility.png",
            "site-selection.png", "accessibility.html", "site-selection.embed.html"} <= written
    _not_blank(_pixels(out / "site-selection.png"))
    _not_blank(_pixels(out / "coverage.png"))
    assert 'href="atlas.pdf"' in (out / "index.html").read_text(encoding="utf-8")
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no staging left behind
