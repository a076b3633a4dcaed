"""Static maps (PNG, SVG, PDF) from the same declarative map specs as the web maps.

:func:`render_static` draws one map spec with matplotlib (Agg backend, imported lazily) into a
file whose format is chosen by its extension: the title and subtitle, the layers in the spec's
order and styles, a legend beside the map (never over it), a scale bar, a north arrow, place
labels and a sources line. :func:`render_atlas` draws several maps into one PDF, one page per
map, and optionally a PNG of each.

The map is drawn in a metric CRS (EPSG:32645 for Tomsk, ``ino_geo.metric_crs_for`` elsewhere),
so the scale bar is measured in metres on the map itself and never in degrees. The north arrow
points to true north (grid convergence is computed, about 1.6° at Tomsk in UTM 45N).

Colours: a categorical field with a palette in the layer catalogue (``park_type`` of
``parks``) is drawn in the catalogue's palette with its human labels; other fields use the
spec's ``colors``/``labels``; graduated fields the spec's ``bins``.

Place labels come from a ``places`` layer (``name``, ``population``) when the layers have one,
else from the boundaries' names; see :func:`place_labels` for the placement rule.

Examples
--------
>>> [round(v * 25.4) for v in parse_size("A4")]  # millimetres
[210, 297]
>>> [round(v * 25.4) for v in parse_size("A3-landscape")]
[420, 297]
>>> [round(v * 25.4) for v in parse_size("160x90mm")]
[160, 90]
>>> readable_source("seed:001_f8bb5fa29d4484f7.txt; ru.wikipedia.org")
'INO Tomsk programme documents; ru.wikipedia.org'
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from ino_geo._errors import UsageError
from ino_geo.webmap.cartography import (
    core_bounds,
    draw_layer,
    draw_legend,
    get_layer,
    label_candidates,
    north_arrow,
    place_labels,
    quiet_corner,
    readable_source,
    scale_bar,
    sources_line,
)
from ino_geo.webmap.frames import SpecFrames
from ino_geo.webmap.results import MapResults, map_texts, require_results
from ino_geo.webmap.spec import ANALYSIS_SOURCES, BUILTIN_MAPS, MapLayer, MapSpec, load_map_spec

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = [
    "STATIC_FORMATS",
    "PAPER_MM",
    "DEFAULT_SIZE",
    "DEFAULT_DPI",
    "render_static",
    "render_atlas",
    "map_frames",
    "parse_size",
    "check_dpi",
    "static_format",
    "readable_source",
    "sources_line",
    "place_labels",
]

STATIC_FORMATS = (".png", ".svg", ".pdf")
PAPER_MM = {"A5": (148.0, 210.0), "A4": (210.0, 297.0), "A3": (297.0, 420.0), "A2": (420.0, 594.0)}
DEFAULT_SIZE = "A4-landscape"
DEFAULT_DPI = 150
_MM = 1 / 25.4
_SIZE_RE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*[x×]\s*([0-9]+(?:\.[0-9]+)?)\s*(mm|cm|in)?\s*$", re.IGNORECASE)


# ================================================================================ options


def static_format(path: str | os.PathLike) -> str:
    """The static format of `path` by its extension (``.png``, ``.svg`` or ``.pdf``).

    Raises
    ------
    UsageError
        Any other extension (one line naming the path and the formats).
    """
    ext = Path(path).suffix.lower()
    if ext not in STATIC_FORMATS:
        raise UsageError(f"{path}: unknown map format {ext or '(no extension)'!r}; "
                         "use .html, .png, .svg or .pdf")
    return ext


def parse_size(size: "str | tuple[float, float] | None") -> tuple[float, float]:
    """Figure size in inches from a paper name or ``WxH`` with a unit.

    Accepts ``A5``..``A2`` (portrait), ``A4-landscape`` / ``A4-portrait``, ``297x210mm``,
    ``29.7x21cm``, ``11x8.5in`` (no unit: millimetres), or a (width, height) tuple in inches.
    """
    if size is None:
        size = DEFAULT_SIZE
    if isinstance(size, tuple):
        w, h = (float(v) for v in size)
    else:
        text = str(size).strip()
        paper, _, orient = text.upper().partition("-")
        if paper in PAPER_MM:
            if orient not in ("", "PORTRAIT", "LANDSCAPE"):
                raise UsageError(f"--size {text}: orientation must be portrait or landscape")
            w, h = (PAPER_MM[paper][0] * _MM, PAPER_MM[paper][1] * _MM)
            if orient == "LANDSCAPE":
                w, h = h, w
        else:
            mo = _SIZE_RE.match(text)
            if mo is None:
                raise UsageError(f"--size {text}: use A4, A3 (optionally -landscape/-portrait) or WxH with mm, cm "
                                 "or in, e.g. 297x210mm")
            unit = {"mm": _MM, "cm": 10 * _MM, "in": 1.0}[(mo.group(3) or "mm").lower()]
            w, h = float(mo.group(1)) * unit, float(mo.group(2)) * unit
    if not (1.0 <= w <= 100.0 and 1.0 <= h <= 100.0):
        raise UsageError(f"--size {size}: width and height must be 25 mm to 2.5 m")
    return w, h


def check_dpi(dpi: float) -> float:
    if not (isinstance(dpi, (int, float)) and 20 <= dpi <= 1200):
        raise UsageError(f"--dpi {dpi}: must be from 20 to 1200")
    return float(dpi)


# ================================================================================ data


def map_frames(spec: MapSpec, layers: Any, extra_layers: Mapping[str, Any] | None = None, *,
               results: MapResults | None = None, lang: str = "en",
               focus: str | None = None) -> tuple[list[tuple[MapLayer, "gpd.GeoDataFrame"]], str, str, tuple]:
    """The features of each spec layer (EPSG:4326), the title, subtitle and extent (lon/lat).

    The layers are selected and filtered by :class:`~ino_geo.webmap.frames.SpecFrames`, as for
    the web map, from the already computed `results` (:class:`MapResults`, see
    ``ino_geo.map_results``), so a static and a web map of the same spec and results show the
    same features. `extra_layers` maps a spec layer id or an analysis source (e.g.
    ``coverage.areas``, ``proximity``) to a GeoDataFrame drawn instead (an analysis given so
    needs no result); any other key is drawn on top as its own layer. `lang` words the title and
    subtitle; `focus` (a boundary id or name) keeps only what lies near that boundary, clipped,
    frames the map on it and adds its name to the title, as on the web map.
    """
    from ino_geo.webmap.focus import resolve_focus
    from ino_geo.webmap.words import check_lang

    lang = check_lang(lang)
    where = resolve_focus(layers, focus) if focus else None
    extra = dict(extra_layers or {})
    given = {lyr.id for lyr in spec.layers if lyr.id in extra or (lyr.kind == "analysis" and lyr.source in extra)}
    needed = {lyr.source.split(".")[0] for lyr in spec.layers if lyr.kind == "analysis" and lyr.id not in given}
    results = results if results is not None else MapResults()
    if results.missing(needed):
        require_results(spec, results)  # raises, naming what to pass
    source = SpecFrames(spec, layers, results, clip=where.area if where is not None else None)
    if lang == "ru":  # the layers' titles, legend titles and labels in Russian (the spec's *_ru, else English)
        from dataclasses import replace

        spec = replace(spec, layers=tuple(replace(lyr, title=lyr.text("title", lang), legend_title=lyr.text(
            "legend_title", lang), labels=lyr.labels_ru or lyr.labels) for lyr in spec.layers))
    frames = []
    for i, lyr in enumerate(spec.layers):
        gdf = extra.pop(lyr.id, None)
        if gdf is None and lyr.kind == "analysis" and lyr.source in extra:
            gdf = extra[lyr.source]
        frames.append((lyr, source.layer_frame(i, lyr) if gdf is None else gdf.to_crs("EPSG:4326")))
    for key, gdf in extra.items():
        if key not in ANALYSIS_SOURCES:
            frames.append((MapLayer(id=key, title=key.replace("_", " ").capitalize(), kind="layer", source=key),
                           gdf.to_crs("EPSG:4326")))
    title, subtitle = map_texts(spec, None if results.missing(spec.analyses) else results, lang)
    subtitle = " ".join([subtitle, *source.notes]).strip()
    extent = where.bounds if where is not None else tuple(source.extent(frames))
    if spec.base:
        frames = _base_frames(layers, source.clip) + frames
    return frames, (f"{title} — {where.title(lang)}" if where is not None else title), subtitle, extent


def _base_frames(layers: Any, clip: Any) -> list:
    """The offline reference base of the web maps (``maps/base/reference.toml``) under the
    print map, out of the legend; a layer the folder lacks is left out."""
    from dataclasses import replace

    from ino_geo._errors import DataError
    from ino_geo.webmap.base import base_config

    spec = base_config().spec
    frames = SpecFrames(spec, layers, MapResults(), clip=clip)
    out = []
    for i, lyr in enumerate(spec.layers):
        try:
            out.append((replace(lyr, legend=False), frames.layer_frame(i, lyr)))
        except DataError:
            continue
    return out


def _catalogue(layers: Any) -> Any:
    cat = getattr(layers, "catalogue", None)
    if cat is None:
        try:
            from ino_geo.data.catalogue import load_catalogue

            cat = load_catalogue()
        except Exception:  # a folder without a catalogue: spec colours only
            return None
    return cat


# ================================================================================ drawing


def _fit_extent(ax: Any, extent: tuple, crs: str) -> None:
    """Set the axes limits to the lon/lat `extent` projected, padded to the axes' aspect."""
    from pyproj import Transformer

    tr = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    lo, la = [extent[0], extent[2], extent[0], extent[2]], [extent[1], extent[1], extent[3], extent[3]]
    xs, ys = tr.transform(lo, la)
    _fit_bounds(ax, (min(xs), min(ys), max(xs), max(ys)))


def _fit_bounds(ax: Any, b: Sequence[float], pad: float = 0.03) -> None:
    """Set the axes limits to bounds `b` (metres), padded, widened to the axes' aspect."""
    x0, y0, x1, y1 = b
    padx, pady = (x1 - x0) * pad + 200, (y1 - y0) * pad + 200
    x0, x1, y0, y1 = x0 - padx, x1 + padx, y0 - pady, y1 + pady
    bbox = ax.get_position()
    fw, fh = ax.figure.get_size_inches()
    aspect = (bbox.height * fh) / (bbox.width * fw)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = x1 - x0, y1 - y0
    if h / w > aspect:
        w = h / aspect
    else:
        h = w * aspect
    ax.set_xlim(cx - w / 2, cx + w / 2)
    ax.set_ylim(cy - h / 2, cy + h / 2)
    ax.set_aspect("equal", adjustable="box")


def _draw_frames(ax: Any, metric: list, catalogue: Any, bounds: Sequence[float] | None = None,
                 lang: str = "en") -> list:
    """Draw every layer (in the map CRS) in spec order, only the features touching `bounds` if
    given; return the legend groups."""
    from matplotlib.backend_bases import FigureCanvasBase

    fig = ax.figure
    canvas = fig.canvas
    FigureCanvasBase(fig)  # geopandas asks for a redraw after every layer: a no-op canvas meanwhile
    try:
        groups = []
        for z, (lyr, g) in enumerate(metric):
            if bounds is not None:
                g = g.cx[bounds[0]:bounds[2], bounds[1]:bounds[3]]
            entries = draw_layer(ax, lyr, g, catalogue, zorder=2 + z, lang=lang) if len(g) else []
            if lyr.legend and entries:
                groups.append((lyr.legend_title or lyr.title, entries))
    finally:
        fig.set_canvas(canvas)
    return groups


def _plain(ax: Any, edge: str = "#666666", width: float = 0.6) -> None:
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for s in ax.spines.values():
        s.set_color(edge)
        s.set_linewidth(width)


def _page(w_in: float, h_in: float) -> tuple[Any, Any, Any]:
    """A figure with the map axes and the legend axes (beside the map, or below it in portrait)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(w_in, h_in))
    FigureCanvasAgg(fig)  # no pyplot: a canvas of our own, for text extents
    portrait = h_in > w_in
    m = 0.35 / w_in  # 9 mm margins
    legend_w = 0 if portrait else min(2.6 / w_in, 0.3)
    head = min(0.75 / h_in, 0.14)
    foot = min((0.55 if not portrait else 1.9) / h_in, 0.3)
    ax = fig.add_axes((m, foot, 1 - 2 * m - legend_w, 1 - head - foot))
    lax = fig.add_axes((1 - m - legend_w + 0.01, foot, legend_w - 0.01, 1 - head - foot) if not portrait
                       else (m, 0.5 / h_in, 1 - 2 * m, foot - 0.6 / h_in))
    ax.set_facecolor("#f4f3ee")
    return fig, ax, lax


def _inset(fig: Any, ax: Any, layers: Any, frames: list, metric: list, catalogue: Any, crs: str) -> tuple:
    """A detail inset on where most people live (:func:`core_bounds`), when that spans at most a
    fifth of the map (so the inset magnifies about 2.5 times or more), in the quietest corner.

    Returns (corner, inset axes), or (None, None) when no inset is drawn."""
    from matplotlib.patches import Rectangle

    core = core_bounds(layers, crs)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    if core is None or max((core[2] - core[0]) / (x1 - x0), (core[3] - core[1]) / (y1 - y0)) > 0.2:
        return None, None
    cw, ch = (core[2] - core[0]) * 1.16 + 400, (core[3] - core[1]) * 1.16 + 400
    pos = ax.get_position()
    fw, fh = fig.get_size_inches()
    big_w, big_h = pos.width * fw, pos.height * fh
    hi = 0.62 * big_h
    wi = min(hi * cw / ch, 0.5 * big_w)
    hi = wi * ch / cw
    w, h = wi / big_w, hi / big_h
    corner = quiet_corner(ax, metric, w + 0.02, h + 0.02, core)
    fx = 0.012 if "left" in corner else 1 - w - 0.012
    fy = 0.015 if "lower" in corner else 1 - h - 0.015
    iax = fig.add_axes((pos.x0 + fx * pos.width, pos.y0 + fy * pos.height, w * pos.width, h * pos.height))
    iax.set_facecolor(ax.get_facecolor())
    _fit_bounds(iax, core, pad=0.08)
    (vx0, vx1), (vy0, vy1) = iax.get_xlim(), iax.get_ylim()
    _draw_frames(iax, metric, catalogue, bounds=(vx0, vy0, vx1, vy1))
    _fit_bounds(iax, core, pad=0.08)
    _plain(iax, edge="#222222", width=1.2)
    ix0, ix1 = iax.get_xlim()
    iy0, iy1 = iax.get_ylim()
    ax.add_patch(Rectangle((ix0, iy0), ix1 - ix0, iy1 - iy0, fill=False, edgecolor="#222222", linewidth=0.9,
                           zorder=55))
    iax.text(0.02, 0.98, _detail_title(layers, (ix0, iy0, ix1, iy1), crs), transform=iax.transAxes, ha="left",
             va="top", fontsize=7.5, fontweight="bold", zorder=63,
             bbox=dict(boxstyle="round,pad=0.25", fc=(1, 1, 1, 0.85), ec="none"))
    back = scale_bar(iax, "right" if "left" in corner else "left", fontsize=6)
    renderer = fig.canvas.get_renderer()
    place_labels(iax, label_candidates(layers, frames, crs), fontsize=7.0,
                 obstacles=[back.get_window_extent(renderer), iax.texts[0].get_window_extent(renderer)])
    return corner, iax


def _detail_title(layers: Any, box: tuple, crs: str) -> str:
    """"Detail: Tomsk, ZATO Seversk": the municipalities (or places) centred in `box`."""
    names = []
    for name in ("places", "boundaries"):
        g = get_layer(layers, name)
        if g is None or not len(g) or "name" not in g.columns:
            continue
        if "level" in g.columns:
            g = g[g["level"] == "municipality"]
        if "population" in g.columns:
            g = g.sort_values("population", ascending=False)
        pts = g.to_crs(crs).geometry.representative_point()
        inside = (pts.x > box[0]) & (pts.x < box[2]) & (pts.y > box[1]) & (pts.y < box[3])
        names = [str(n).split(" (")[0] for n in g.loc[inside.to_numpy(), "name"]][:3]
        if names:
            break
    return "Detail: " + ", ".join(names) if names else "Detail"


def _fit_width(text: Any, width_px: float, smallest: float = 9.0) -> None:
    """Shrink `text`'s font until it is at most `width_px` wide (down to `smallest` pt)."""
    renderer = text.figure.canvas.get_renderer()
    while text.get_window_extent(renderer).width > width_px and text.get_fontsize() > smallest:
        text.set_fontsize(text.get_fontsize() - 0.5)


def draw_figure(spec: MapSpec, layers: Any, frames: list, title: str, subtitle: str, extent: tuple, *,
                size: Any = None, lang: str = "en") -> Any:
    """A matplotlib Figure of the map (not saved): headings, map, detail inset, legend, scale
    bar, north arrow, place labels and the sources line."""
    import textwrap

    from ino_geo.crs import metric_crs_for

    w_in, h_in = parse_size(size)
    fig, ax, lax = _page(w_in, h_in)
    crs = _map_crs(frames, metric_crs_for)
    cat = _catalogue(layers)
    metric = [(lyr, g.to_crs(crs)) for lyr, g in frames if len(g)]
    _fit_extent(ax, extent, crs)
    groups = _draw_frames(ax, metric, cat, lang=lang)
    _fit_extent(ax, extent, crs)  # plotting may have moved the limits
    _plain(ax)
    m = 0.35 / w_in
    head = fig.text(m, 1 - 0.16 / h_in, title, ha="left", va="top", fontsize=14, fontweight="bold")
    _fit_width(head, (w_in - 0.7) * fig.dpi)  # a long title (e.g. with a focus name) stays on the page
    fig.text(m, 1 - 0.45 / h_in, "\n".join(textwrap.wrap(subtitle, int((w_in - 0.7) * 15))[:2]), ha="left",
             va="top", fontsize=7.5, color="#333333")
    draw_legend(fig, lax, groups)
    corner, iax = _inset(fig, ax, layers, frames, metric, cat, crs)
    back = scale_bar(ax, "right" if corner == "lower left" else "left")
    arrow = north_arrow(ax, crs, "left" if corner == "upper right" else "right")
    renderer = fig.canvas.get_renderer()
    obstacles = [back.get_window_extent(renderer), arrow] + ([iax.get_window_extent(renderer)] if iax else [])
    placed = place_labels(ax, label_candidates(layers, frames, crs), fontsize=8.0, obstacles=obstacles)
    fig.ino_geo_labels = {"placed": placed, "obstacles": obstacles}  # for checks: display-coordinate boxes
    names = [lyr.source for lyr, _g in metric if lyr.kind == "layer"]
    for a in sorted(spec.analyses):  # the layers the analyses drawn were computed from
        names += ["sites", "parks"] if a == "proximity" else ["parks", "population"]
    if get_layer(layers, "places") is not None:
        names.append("places")
    note = f"Map projection {crs} (metres). Drawn by ino-geo from map spec “{spec.name}”."
    line = sources_line(names, cat, note)
    fig.text(m, 0.12 / h_in, "\n".join(textwrap.wrap(line, int((w_in - 0.7) * 19))[:4]), ha="left",
             va="bottom", fontsize=6, color="#444444")
    return fig


def _map_crs(frames: list, metric_crs_for: Any) -> str:
    for _lyr, gdf in frames:
        if len(gdf):
            return str(metric_crs_for(gdf))
    return "EPSG:32645"


def _save(fig: Any, path: Path, dpi: float) -> None:
    import matplotlib

    with matplotlib.rc_context({"svg.fonttype": "none", "pdf.fonttype": 42}):
        fig.savefig(path, dpi=dpi, format=path.suffix.lower().lstrip("."),
                    metadata={"Title": fig.texts[0].get_text()} if path.suffix.lower() == ".pdf" else None)


def render_static(
    spec: "str | os.PathLike | MapSpec",
    layers: Any,
    path: str | os.PathLike,
    *,
    dpi: float = DEFAULT_DPI,
    size: "str | tuple[float, float] | None" = None,
    results: MapResults | None = None,
    extra_layers: Mapping[str, Any] | None = None,
    lang: str = "en",
    focus: str | None = None,
    overwrite: bool = False,
) -> dict[str, Any]:
    """Draw map `spec` into a PNG, SVG or PDF file (by the extension of `path`), atomically.

    Parameters
    ----------
    spec : str, path or MapSpec
        A built-in map name, a spec file or a loaded spec.
    layers : Layers or mapping of GeoDataFrames
        The layers (``ino_geo.load_layers()``); ``None``: the shipped Tomsk layers.
    path : str or PathLike
        ``.png``, ``.svg`` or ``.pdf``; anything else raises :class:`UsageError`.
    dpi : float
        Raster resolution (PNG; images inside SVG/PDF).
    size : str or (float, float), optional
        Paper size: ``A4``, ``A3``, ``A4-landscape``, ``297x210mm``, ``11x8.5in`` or inches;
        default A4 landscape.
    results : MapResults, optional
        The analysis results the spec draws (``ino_geo.map_results(spec, layers, ...)``), as
        for :func:`ino_geo.render_map`; print maps never compute analyses.
    extra_layers : mapping, optional
        GeoDataFrames drawn instead of spec layers or analysis parts, see :func:`map_frames`.
    lang, focus : str, optional
        The title's language and a boundary to focus on, see :func:`map_frames`.
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    dict
        ``{"map", "path", "bytes", "features", "size_in", "dpi"}``.

    Examples
    --------
    >>> import ino_geo
    >>> ino_geo.render_static("overview", None, "overview.png", size="A4-landscape")  # doctest: +SKIP
    """
    from ino_geo.data.io import atomic_path, check_output

    static_format(path)
    dpi = check_dpi(dpi)
    parse_size(size)
    spec = load_map_spec(spec)
    check_output(path, overwrite)
    layers = _layers(layers)
    frames, title, subtitle, extent = map_frames(spec, layers, extra_layers, results=results, lang=lang, focus=focus)
    fig = draw_figure(spec, layers, frames, title, subtitle, extent, size=size, lang=lang)
    with atomic_path(path, overwrite) as tmp:  # inside a command's transaction: published with its outputs
        _save(fig, tmp, dpi)
        nbytes = Path(tmp).stat().st_size
    return {"map": spec.name, "path": str(Path(path)), "bytes": nbytes,
            "features": {lyr.id: int(len(g)) for lyr, g in frames if not lyr.id.startswith("base_")},
            "size_mm": [round(float(v) * 25.4, 1) for v in fig.get_size_inches()],
            "dpi": dpi}


def _layers(layers: Any) -> Any:
    if layers is None or isinstance(layers, (str, os.PathLike)):
        from ino_geo.data.layers import load_layers

        return load_layers(layers)
    return layers


def render_atlas(
    layers: Any,
    path: str | os.PathLike,
    *,
    maps: Sequence[str] = BUILTIN_MAPS,
    png_dir: str | os.PathLike | None = None,
    dpi: float = DEFAULT_DPI,
    size: "str | tuple[float, float] | None" = None,
    results: Mapping[str, MapResults] | None = None,
    extra_layers: Mapping[str, Mapping[str, Any]] | None = None,
    lang: str = "en",
    focus: str | None = None,
    overwrite: bool = False,
    progress: Any = None,
) -> dict[str, Any]:
    """A PDF atlas, one page per map, and (with `png_dir`) a PNG of each map.

    Parameters
    ----------
    layers : Layers or mapping of GeoDataFrames
    path : str or PathLike
        The ``.pdf`` to write (atomically).
    maps : sequence of str
        Map names or spec paths, in page order (default the five built-in maps).
    png_dir : path, optional
        Also write ``NAME.png`` there (each atomically).
    results : mapping of map name -> MapResults, optional
        The results of each map that draws analyses (``ino_geo.builtin_map_results``).
    extra_layers : mapping of map name -> mapping, optional
        Per map: GeoDataFrames drawn instead of spec layers, as for :func:`render_static`.
    lang, focus : str, optional
        As for :func:`render_static`, for every page.

    Returns
    -------
    dict
        ``{"path", "pages", "bytes", "png": [paths]}``.
    """
    from matplotlib.backends.backend_pdf import PdfPages

    from ino_geo.data.io import atomic_path, check_output

    if Path(path).suffix.lower() != ".pdf":
        raise UsageError(f"{path}: the atlas is a .pdf file")
    dpi = check_dpi(dpi)
    specs = [load_map_spec(n) for n in maps]
    pngs = [Path(png_dir) / f"{s.name}.png" for s in specs] if png_dir is not None else []
    for s in specs:  # before any work: the results of every map drawing analyses
        if not (extra_layers or {}).get(s.name):
            require_results(s, (results or {}).get(s.name))
    for p in [Path(path), *pngs]:
        check_output(p, overwrite)
    layers = _layers(layers)
    say = progress or (lambda _m: None)
    figs = []
    for s in specs:
        say(f"drawing the {s.name} map for print")
        frames, title, subtitle, extent = map_frames(s, layers, (extra_layers or {}).get(s.name),
                                                     results=(results or {}).get(s.name), lang=lang, focus=focus)
        figs.append(draw_figure(s, layers, frames, title, subtitle, extent, size=size, lang=lang))
    import matplotlib

    with atomic_path(path, overwrite) as tmp, matplotlib.rc_context({"pdf.fonttype": 42}):
        with PdfPages(tmp, metadata={"Title": "Maps", "Creator": "ino-geo"}) as pdf:
            for fig in figs:
                pdf.savefig(fig)
    for fig, p in zip(figs, pngs):
        with atomic_path(p, overwrite) as tmp:
            _save(fig, tmp, dpi)
    return {"path": str(path), "pages": len(figs), "bytes": Path(path).stat().st_size, "png": [str(p) for p in pngs]}
