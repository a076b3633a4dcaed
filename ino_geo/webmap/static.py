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
>>> parse_size("A4")
(8.267716535433072, 11.692913385826772)
>>> parse_size("A3-landscape")
(16.535433070866144, 11.692913385826772)
>>> parse_size("160x90mm")
(6.299212598425197, 3.543307086614173)
>>> readable_source("seed:001_f8bb5fa29d4484f7.txt; ru.wikipedia.org")
'INO Tomsk programme documents; ru.wikipedia.org'
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from ino_geo._errors import UsageError
from ino_geo.webmap.spec import BUILTIN_MAPS, MapLayer, MapSpec, load_map_spec

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
_PX_PT = 0.75  # a Leaflet pixel is drawn as 0.75 pt (96 px per inch)
_SEED_RE = re.compile(r"\bseeds?\s*:?\s*[0-9]{3}(_[0-9a-f]+\.txt)?(\s*(?:[-–,]|and)\s*[0-9]{3}(_[0-9a-f]+\.txt)?)*",
                      re.IGNORECASE)
_SIZE_RE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*[x×]\s*([0-9]+(?:\.[0-9]+)?)\s*(mm|cm|in)?\s*$", re.IGNORECASE)
_PROGRAMME = "INO Tomsk programme documents"


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


def map_frames(spec: MapSpec, layers: Any, extra_layers: Mapping[str, Any] | None = None,
               **params: Any) -> tuple[list[tuple[MapLayer, "gpd.GeoDataFrame"]], str, str, tuple]:
    """The features of each spec layer (EPSG:4326), the title, subtitle and extent (lon/lat).

    The layers are selected, filtered and the analyses computed exactly as for the web map
    (the webmap module's spec context), so a static and a web map of the same spec and
    parameters show the same features. `extra_layers` maps a spec layer id or an analysis
    source (``coverage.areas``, ``coverage.gaps``, ``coverage.cells``, ``proximity``) to a
    GeoDataFrame computed by the caller; any other key is drawn on top as its own layer.
    `params`: ``park_type``, ``distance_m``, ``minutes``, ``park_types``, ``mode``,
    ``scenario``, ``network`` as for :func:`ino_geo.render_map`.
    """
    from types import SimpleNamespace

    from ino_geo.webmap import render  # the one place the web and static maps share

    extra = dict(extra_layers or {})
    cov = {k.split(".", 1)[1]: extra.pop(k) for k in list(extra) if k.startswith("coverage.")}
    prox = extra.pop("proximity", None)
    keys = ("park_type", "distance_m", "minutes", "park_types", "mode", "scenario", "network")
    ctx = render._Context(spec, layers, {k: params.get(k) for k in keys},
                          SimpleNamespace(table=None, **cov) if cov else params.get("coverage_result"),
                          prox if prox is not None else params.get("proximity_result"))
    frames = []
    for i, lyr in enumerate(spec.layers):
        gdf = extra.pop(lyr.id, None)
        frames.append((lyr, ctx.layer_frame(i, lyr) if gdf is None else gdf.to_crs("EPSG:4326")))
    for key, gdf in extra.items():
        frames.append((MapLayer(id=key, title=key.replace("_", " ").capitalize(), kind="layer", source=key),
                       gdf.to_crs("EPSG:4326")))
    subtitle = " ".join([ctx.subtitle, *ctx.notes]).strip()
    return frames, ctx.title, subtitle, tuple(ctx.extent(frames))


def _get(layers: Any, name: str) -> Any:
    try:
        return layers[name]
    except (KeyError, TypeError, AttributeError):
        return getattr(layers, name, None)


def _catalogue(layers: Any) -> Any:
    cat = getattr(layers, "catalogue", None)
    if cat is None:
        try:
            from ino_geo.data.catalogue import load_catalogue

            cat = load_catalogue()
        except Exception:  # a folder without a catalogue: spec colours only
            return None
    return cat


# ================================================================================ sources


def readable_source(text: str) -> str:
    """A source text with internal seed file names (``seed:001_....txt``, ``Seeds 000-004``)
    replaced by "INO Tomsk programme documents" (once)."""
    out = _SEED_RE.sub(_PROGRAMME, str(text))
    parts: list[str] = []
    for p in (s.strip() for s in out.split(";")):
        if p and p not in parts:
            parts.append(p)
    return "; ".join(parts)


def sources_line(layer_names: Iterable[str], catalogue: Any, analysis: str = "") -> str:
    """One line of readable citations for the catalogue layers drawn, with their licences."""
    cites: dict[str, list[str]] = {}
    licences: list[str] = []
    for name in dict.fromkeys(layer_names):
        spec = catalogue.layers.get(name) if catalogue is not None else None
        if spec is None or not spec.source:
            continue
        src = readable_source(spec.source)
        src = "modelled" if src.strip().lower() == "modelled" else src.rstrip(".")
        cites.setdefault(src, []).append(spec.title or name)
        if spec.licence and spec.licence not in licences:
            licences.append(spec.licence)
    parts = [f"{', '.join(titles)}: {src}" for src, titles in cites.items()]
    line = "Sources — " + "; ".join(parts) + "." if parts else ""
    if licences:
        line += f" Licence {', '.join(licences)}."
    if analysis:
        line += " " + analysis
    return line.strip()


# ================================================================================ styles


def _rgba(color: str | None, alpha: float) -> tuple[float, float, float, float]:
    from matplotlib.colors import to_rgba

    return to_rgba(color or "#3388ff", alpha)


def _kinds(gdf: "gpd.GeoDataFrame") -> Any:
    t = gdf.geometry.geom_type.fillna("")
    return t.str.contains("Polygon"), t.str.contains("LineString"), t.str.contains("Point")


def _palette(lyr: MapLayer, gdf: "gpd.GeoDataFrame", catalogue: Any) -> tuple[dict, dict]:
    """Categorical colours and labels of `lyr`: the catalogue palette of the field if it has
    one (with the catalogue's human labels), else the spec's."""
    colors, labels = dict(lyr.colors), dict(lyr.labels) if isinstance(lyr.labels, Mapping) else {}
    src = catalogue.layers.get(lyr.source) if catalogue is not None and lyr.kind == "layer" else None
    col = src.columns.get(lyr.color_by) if src is not None else None
    if col is not None and col.colors:
        colors = dict(col.colors)
        labels = {k: col.value_label(k) for k in colors}
    return colors, labels


def _feature_colors(lyr: MapLayer, gdf: "gpd.GeoDataFrame", catalogue: Any) -> tuple[list | None, list]:
    """Per-feature colours and legend entries ``(label, colour)`` of a layer."""
    import numpy as np

    st = lyr.style
    if lyr.color_by is None or lyr.color_by not in gdf.columns:
        return None, [(lyr.title, st.fill_color or st.color or "#3388ff")]
    values = gdf[lyr.color_by]
    if lyr.bins:
        arr = np.asarray(values.astype(float), dtype=float)
        idx = np.searchsorted(np.asarray(lyr.bins), arr, side="left")
        cols = [lyr.other_color if math.isnan(v) else lyr.bin_colors[int(k)] for v, k in zip(arr, idx)]
        return cols, list(zip(_bin_labels(lyr), lyr.bin_colors))
    colors, labels = _palette(lyr, gdf, catalogue)
    keys = [None if v is None or (isinstance(v, float) and math.isnan(v)) or v == "" else str(v) for v in values]
    cols = [colors.get(k, lyr.other_color) if k is not None else lyr.other_color for k in keys]
    present = set(keys)
    entries = [(labels.get(k, k.replace("_", " ").capitalize()), c) for k, c in colors.items() if k in present]
    if any(k is None or k not in colors for k in keys):
        entries.append(("other / none", lyr.other_color))
    return cols, entries


def _bin_labels(lyr: MapLayer) -> list[str]:
    """Legend labels of a graduated layer: the spec's, else from the bins (metres >= 1000 as km)."""
    if isinstance(lyr.labels, tuple) and lyr.labels:
        return list(lyr.labels)
    km = lyr.unit == "m" and min(lyr.bins) >= 1000
    u = " km" if km else (f" {lyr.unit}" if lyr.unit else "")
    b = [f"{x / 1000 if km else x:g}" for x in lyr.bins]
    return [f"≤ {b[0]}{u}"] + [f"{b[k - 1]}–{b[k]}{u}" for k in range(1, len(b))] + [f"> {b[-1]}{u}"]


def _dashes(dash: str | None, lw: float) -> Any:
    if not dash:
        return "solid"
    seq = [max(float(v) * _PX_PT / max(lw, 0.1), 0.5) for v in dash.split()]
    return (0, tuple(seq))


def _draw_layer(ax: Any, lyr: MapLayer, gdf: "gpd.GeoDataFrame", catalogue: Any, zorder: float) -> list:
    """Draw one layer (already in the map CRS); return its legend entries."""
    import numpy as np

    st = lyr.style
    cols, entries = _feature_colors(lyr, gdf, catalogue)
    polys, lines, points = _kinds(gdf)
    base = st.fill_color or st.color or "#3388ff"
    fcol = np.array(cols if cols is not None else [base] * len(gdf), dtype=object)
    lw = max(st.weight * _PX_PT, 0.0)
    line_only = not polys.any() and not points.any()
    if polys.any():
        g = gdf[polys.to_numpy()]
        fc = [_rgba(c, st.fill_opacity) if st.fill else (0, 0, 0, 0) for c in fcol[polys.to_numpy()]]
        by_stroke = not st.fill or st.color is None
        ec = [_rgba(c if by_stroke else st.color, st.opacity) for c in fcol[polys.to_numpy()]]
        g.plot(ax=ax, facecolor=fc, edgecolor=ec, linewidth=lw if st.opacity > 0 else 0,
               linestyle=_dashes(st.dash_array, lw), zorder=zorder)
    if lines.any():
        g = gdf[lines.to_numpy()]
        lc = [_rgba(c if cols is not None or st.color is None else st.color, st.opacity)
              for c in fcol[lines.to_numpy()]]
        if len(g) > 150:  # many lines (e.g. links): thinner and translucent so they do not hide each other
            lw, lc = lw * 0.5, [(r, gg, b, a * 0.6) for r, gg, b, a in lc]
        g.plot(ax=ax, color=lc, linewidth=max(lw, 0.4), linestyle=_dashes(st.dash_array, lw), zorder=zorder)
    if points.any():
        g = gdf[points.to_numpy()]
        fc = [_rgba(c, max(st.fill_opacity, 0.6)) for c in fcol[points.to_numpy()]]
        ec = st.color if (st.color and cols is not None) or st.fill_color else (st.color or "#333333")
        g.plot(ax=ax, color=fc, edgecolor=ec, linewidth=max(lw * 0.6, 0.3),
               markersize=(2 * st.radius * _PX_PT) ** 2, zorder=zorder + 0.5)
    return [(label, color, line_only, st) for label, color in entries]


# ================================================================================ labels


def _label_candidates(layers: Any, frames: list, crs: str) -> list[tuple[str, float, float, float, bool]]:
    """(text, x, y, priority, is_point) in the map CRS: settlements of a ``places`` layer by
    population, else the boundaries' names at a point inside each."""
    import numpy as np

    places = _get(layers, "places")
    if places is not None and len(places) and "name" in places.columns:
        g = places[~(places.geometry.isna() | places.geometry.is_empty)].to_crs(crs)
        pop = g["population"].astype(float).fillna(0).to_numpy() if "population" in g.columns else np.zeros(len(g))
        pts = g.geometry.representative_point()
        return [(str(n), p.x, p.y, float(w), True) for n, p, w in zip(g["name"], pts, pop) if str(n).strip()]
    b = next((g for lyr, g in frames if lyr.kind == "layer" and lyr.source == "boundaries"), None)
    if b is None:
        b = _get(layers, "boundaries")
    if b is None or not len(b) or "name" not in b.columns:
        return []
    g = b.to_crs(crs)
    pop = g["population"].astype(float).fillna(0).to_numpy() if "population" in g.columns else np.zeros(len(g))
    # districts inside a city first: their names say more than the city's own
    level = g["level"].astype(str).to_numpy() if "level" in g.columns else np.array([""] * len(g))
    pts = g.geometry.representative_point()
    bounds = g.geometry.bounds.to_numpy()
    return [(str(n), p.x, p.y, float(w) + (1e9 if lv == "district" else 0), False, tuple(bb))
            for n, p, w, lv, bb in zip(g["name"], pts, pop, level, bounds) if str(n).strip()]


def place_labels(ax: Any, candidates: Sequence[tuple], *,
                 fontsize: float = 8.0, obstacles: Sequence[Any] = ()) -> list[tuple[str, Any]]:
    """Place labels once, without collisions: a greedy pass by priority.

    Labels sit on a translucent white box (not a path-effect halo, so that SVG and PDF keep
    them as searchable text). Candidates are taken in decreasing priority (e.g. population). For each, up to eight
    positions around the anchor are tried (right, left, above, below, then the diagonals; an
    area label first centred on its point); a position is taken when its text box, in display
    coordinates, lies inside the map axes and overlaps no label already placed and none of the
    `obstacles` (display-coordinate boxes, e.g. the legend). A candidate with no free position
    is left out. Point candidates get a small dot. An area candidate may carry a sixth item,
    the area's bounds (xmin, ymin, xmax, ymax) in data coordinates: it is then placed only where
    its text is narrower than the area, so small areas stay unlabelled at a small scale.

    Parameters
    ----------
    candidates : sequence of (text, x, y, priority, is_point[, bounds])
        Anchors in data coordinates.

    Returns
    -------
    list of (text, Bbox)
        The labels placed and their boxes in display coordinates (pixels).
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    taken = list(obstacles)
    placed: list[tuple[str, Any]] = []
    pad = fontsize * 0.5
    offsets = [(1, 0, "left", "center"), (-1, 0, "right", "center"), (0, 1, "center", "bottom"),
               (0, -1, "center", "top"), (1, 1, "left", "bottom"), (-1, 1, "right", "bottom"),
               (1, -1, "left", "top"), (-1, -1, "right", "top")]
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    for cand in sorted(candidates, key=lambda c: -c[3]):
        text, x, y, _prio, is_point = cand[:5]
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            continue
        width = None
        if len(cand) > 5 and cand[5] is not None:
            (ax0, _), (ax1, _) = ax.transData.transform([(cand[5][0], y), (cand[5][2], y)])
            width = abs(ax1 - ax0)
        tries = offsets if is_point else [(0, 0, "center", "center")] + offsets[2:4]
        for dx, dy, ha, va in tries:
            t = ax.annotate(text, (x, y), xytext=(dx * pad, dy * pad), textcoords="offset points", ha=ha, va=va,
                            fontsize=fontsize if is_point else fontsize * 0.95,
                            fontweight="bold" if is_point else "normal", color="#222222" if is_point else "#444444",
                            fontstyle="normal" if is_point else "italic", zorder=50, annotation_clip=True,
                            bbox=dict(boxstyle="round,pad=0.12", fc=(1, 1, 1, 0.7), ec="none"))
            box = t.get_window_extent(renderer).expanded(1.04, 1.08)
            inside = (box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0 and box.y1 <= frame.y1
                      and (width is None or box.width <= width))
            if inside and not any(box.overlaps(o) for o in taken):
                taken.append(box)
                placed.append((text, box))
                if is_point:
                    ax.plot([x], [y], "o", ms=2.5, color="#222222", mec="white", mew=0.6, zorder=49)
                break
            t.remove()
    return placed


# ================================================================================ furniture


def _scale_bar(ax: Any) -> None:
    """A scale bar in metres, about a fifth of the map width (the axes are in metres)."""
    from matplotlib.patches import Rectangle

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    target = (x1 - x0) / 5
    exp = 10 ** math.floor(math.log10(target))
    length = max(m * exp for m in (1, 2, 5) if m * exp <= target)
    bx, by, h = x0 + (x1 - x0) * 0.03, y0 + (y1 - y0) * 0.04, (y1 - y0) * 0.008
    ax.add_patch(Rectangle((bx - (x1 - x0) * 0.01, by - h * 1.5), length + (x1 - x0) * 0.02, h * 6.5,
                           facecolor=(1, 1, 1, 0.8), edgecolor="none", zorder=60))
    for k in range(4):
        ax.add_patch(Rectangle((bx + k * length / 4, by), length / 4, h, zorder=61,
                               facecolor="#222222" if k % 2 == 0 else "white", edgecolor="#222222", linewidth=0.6))
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    for xx, txt in ((bx, "0"), (bx + length, label)):
        ax.text(xx, by + h * 1.6, txt, ha="center", va="bottom", fontsize=7, zorder=62)


def _north_arrow(ax: Any, crs: str) -> None:
    """A north arrow pointing to true north (grid convergence from the CRS)."""
    from pyproj import Transformer

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    tr = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    back = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    lon, lat = tr.transform(cx, cy)
    nx, ny = back.transform(lon, lat + 0.05)
    angle = math.atan2(nx - cx, ny - cy)  # radians east of grid north
    ax_x, ax_y, size = 0.955, 0.89, 0.07
    dx, dy = math.sin(angle) * size, math.cos(angle) * size
    ax.annotate("", xy=(ax_x + dx / 2, ax_y + dy / 2), xytext=(ax_x - dx / 2, ax_y - dy / 2),
                xycoords="axes fraction", zorder=62,
                arrowprops=dict(arrowstyle="-|>,head_length=0.8,head_width=0.4", color="#222222", lw=1.4))
    ax.text(ax_x + dx / 2 * 1.25, ax_y + dy / 2 * 1.25, "N", transform=ax.transAxes, ha="center", va="bottom",
            fontsize=9, fontweight="bold", zorder=62)


def _legend(fig: Any, lax: Any, groups: list[tuple[str, list]]) -> None:
    """The legend, in its own axes beside the map: one block per layer group."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    lax.set_axis_off()
    handles, labels = [], []
    for title, entries in groups:
        handles.append(Patch(visible=False))
        labels.append(title)
        for label, color, line_only, st in entries:
            if line_only:
                lw = max(st.weight * _PX_PT, 1.0) * 1.3
                handles.append(Line2D([], [], color=color, lw=lw, linestyle=_dashes(st.dash_array, lw)))
            else:
                alpha = max(st.fill_opacity, 0.35) if st.fill else 0.0
                handles.append(Patch(facecolor=_rgba(color, alpha), edgecolor=st.color if st.fill and st.color
                                     else color, linewidth=0.8, linestyle=_dashes(st.dash_array, 1.0)))
            labels.append(label)
    if not handles:
        return
    leg = lax.legend(handles, labels, loc="upper left", frameon=False, fontsize=7.5, handlelength=1.8,
                     borderaxespad=0.0, labelspacing=0.45, handletextpad=0.6)
    for h, text in zip(handles, leg.get_texts()):
        if isinstance(h, Patch) and not h.get_visible():
            text.set_fontweight("bold")
            text.set_x(-28)  # group titles start at the swatches' left edge


# ================================================================================ drawing


def _fit_extent(ax: Any, extent: tuple, crs: str) -> None:
    """Set the axes limits to the lon/lat `extent` projected, padded to the axes' aspect."""
    from pyproj import Transformer

    tr = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    lo, la = [extent[0], extent[2], extent[0], extent[2]], [extent[1], extent[1], extent[3], extent[3]]
    xs, ys = tr.transform(lo, la)
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    padx, pady = (x1 - x0) * 0.03 + 200, (y1 - y0) * 0.03 + 200
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


def draw_figure(spec: MapSpec, layers: Any, frames: list, title: str, subtitle: str, extent: tuple, *,
                size: Any = None) -> Any:
    """A matplotlib Figure of the map (not saved)."""
    import textwrap

    from matplotlib.figure import Figure

    from ino_geo.crs import metric_crs_for

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    w_in, h_in = parse_size(size)
    fig = Figure(figsize=(w_in, h_in))
    FigureCanvasAgg(fig)  # no pyplot: a canvas of our own, for text extents
    portrait = h_in > w_in
    m = 0.35 / w_in  # 9 mm margins
    legend_w = 0 if portrait else min(2.6 / w_in, 0.3)
    head = min(0.75 / h_in, 0.14)
    foot = min((0.55 if not portrait else 1.9) / h_in, 0.3)
    ax = fig.add_axes((m, foot, 1 - 2 * m - legend_w, 1 - head - foot))
    lax = fig.add_axes((1 - m - legend_w + 0.01, foot, legend_w - 0.01, 1 - head - foot) if not portrait
                       else (m, 0.3 / h_in, 1 - 2 * m, foot - 0.35 / h_in))
    crs = _map_crs(frames, metric_crs_for)
    ax.set_facecolor("#f4f3ee")
    _fit_extent(ax, extent, crs)
    groups, names = [], []
    for z, (lyr, gdf) in enumerate(frames):
        if not len(gdf):
            continue
        entries = _draw_layer(ax, lyr, gdf.to_crs(crs), _catalogue(layers), zorder=2 + z)
        if lyr.kind == "layer":
            names.append(lyr.source)
        if lyr.legend and entries:
            groups.append((lyr.legend_title or lyr.title, entries))
    _fit_extent(ax, extent, crs)  # plotting may have moved the limits
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for s in ax.spines.values():
        s.set_color("#666666")
        s.set_linewidth(0.6)
    fig.text(m, 1 - 0.16 / h_in, title, ha="left", va="top", fontsize=14, fontweight="bold")
    wrap = int((w_in - 0.7) * 15)
    fig.text(m, 1 - 0.45 / h_in, "\n".join(textwrap.wrap(subtitle, wrap)[:2]), ha="left", va="top", fontsize=7.5,
             color="#333333")
    _legend(fig, lax, groups)
    _scale_bar(ax)
    _north_arrow(ax, crs)
    if "places" not in names and _get(layers, "places") is not None:
        names.append("places")
    place_labels(ax, _label_candidates(layers, frames, crs), fontsize=8.0)
    cat = _catalogue(layers)
    note = f"Map projection {crs} (metres). Drawn by ino-geo from map spec “{spec.name}”."
    line = sources_line(names, cat, note)
    fig.text(m, 0.12 / h_in, "\n".join(textwrap.wrap(line, int((w_in - 0.7) * 19))[:3]), ha="left",
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
    extra_layers: Mapping[str, Any] | None = None,
    overwrite: bool = False,
    **params: Any,
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
    extra_layers : mapping, optional
        Analysis results or other GeoDataFrames, see :func:`map_frames`.
    overwrite : bool
        Replace an existing file.
    **params
        Analysis parameters: ``park_type``, ``distance_m``, ``minutes``, ``park_types``, ``mode``,
        ``scenario``, ``network``.

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
    frames, title, subtitle, extent = map_frames(spec, layers, extra_layers, **params)
    fig = draw_figure(spec, layers, frames, title, subtitle, extent, size=size)
    with atomic_path(path, overwrite) as tmp:
        _save(fig, tmp, dpi)
    p = Path(path)
    return {"map": spec.name, "path": str(p), "bytes": p.stat().st_size,
            "features": {lyr.id: int(len(g)) for lyr, g in frames},
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
    params: Mapping[str, Mapping[str, Any]] | None = None,
    extra_layers: Mapping[str, Mapping[str, Any]] | None = None,
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
    params, extra_layers : mapping of map name -> mapping, optional
        Per map: analysis parameters / precomputed layers, as for :func:`render_static`.

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
    for p in [Path(path), *pngs]:
        check_output(p, overwrite)
    layers = _layers(layers)
    say = progress or (lambda _m: None)
    figs = []
    for s in specs:
        say(f"drawing the {s.name} map for print")
        frames, title, subtitle, extent = map_frames(s, layers, (extra_layers or {}).get(s.name),
                                                     **dict((params or {}).get(s.name, {})))
        figs.append(draw_figure(s, layers, frames, title, subtitle, extent, size=size))
    with atomic_path(path, overwrite) as tmp:
        with PdfPages(tmp, metadata={"Title": "Maps", "Creator": "ino-geo"}) as pdf:
            for fig in figs:
                pdf.savefig(fig)
    for fig, p in zip(figs, pngs):
        with atomic_path(p, overwrite) as tmp:
            _save(fig, tmp, dpi)
    return {"path": str(path), "pages": len(figs), "bytes": Path(path).stat().st_size, "png": [str(p) for p in pngs]}
