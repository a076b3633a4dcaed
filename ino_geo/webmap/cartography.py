"""Cartography for the print maps: layer symbols, place labels, scale bar, north arrow, legend,
detail inset.

Used by :mod:`ino_geo.webmap.static`; everything here draws on matplotlib axes whose data
coordinates are metres of a projected CRS.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from ino_geo.webmap.spec import MapLayer

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["draw_layer", "label_candidates", "place_labels", "scale_bar", "north_arrow", "draw_legend",
           "get_layer", "core_bounds", "quiet_corner", "readable_source", "sources_line", "PX_PT"]

PX_PT = 0.75  # a Leaflet pixel is drawn as 0.75 pt (96 px per inch)


def get_layer(layers: Any, name: str) -> Any:
    """Layer `name` of a Layers object or a mapping, or None."""
    try:
        return layers[name]
    except (KeyError, TypeError, AttributeError):
        return getattr(layers, name, None)


# ================================================================================ styles


def _rgba(color: str | None, alpha: float) -> tuple[float, float, float, float]:
    from matplotlib.colors import to_rgba

    return to_rgba(color or "#3388ff", alpha)


def _kinds(gdf: "gpd.GeoDataFrame") -> Any:
    t = gdf.geometry.geom_type.fillna("")
    return t.str.contains("Polygon"), t.str.contains("LineString"), t.str.contains("Point")


def _palette(lyr: MapLayer, gdf: "gpd.GeoDataFrame", catalogue: Any, lang: str = "en") -> tuple[dict, dict]:
    """Categorical colours and labels of `lyr`: the catalogue palette of the field if it has
    one (with the catalogue's human labels), else the spec's."""
    colors, labels = dict(lyr.colors), dict(lyr.labels) if isinstance(lyr.labels, Mapping) else {}
    src = catalogue.layers.get(lyr.source) if catalogue is not None and lyr.kind == "layer" else None
    col = src.columns.get(lyr.color_by) if src is not None else None
    if col is not None and col.colors:
        colors = dict(col.colors)
        labels = {k: col.value_label(k, lang) for k in colors}
    return colors, labels


def _feature_colors(lyr: MapLayer, gdf: "gpd.GeoDataFrame", catalogue: Any,
                    lang: str = "en") -> tuple[list | None, list]:
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
    colors, labels = _palette(lyr, gdf, catalogue, lang)
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
    seq = [max(float(v) * PX_PT / max(lw, 0.1), 0.5) for v in dash.split()]
    return (0, tuple(seq))


def draw_layer(ax: Any, lyr: MapLayer, gdf: "gpd.GeoDataFrame", catalogue: Any, zorder: float,
               lang: str = "en") -> list:
    """Draw one layer (already in the map CRS); return its legend entries."""
    import numpy as np

    st = lyr.style
    cols, entries = _feature_colors(lyr, gdf, catalogue, lang)
    polys, lines, points = _kinds(gdf)
    base = st.fill_color or st.color or "#3388ff"
    fcol = np.array(cols if cols is not None else [base] * len(gdf), dtype=object)
    lw = max(st.weight * PX_PT, 0.0)
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
        from ino_geo.webmap.styles import feature_radii

        g = gdf[points.to_numpy()]
        fc = [_rgba(c, max(st.fill_opacity, 0.6)) for c in fcol[points.to_numpy()]]
        ec = st.color if (st.color and cols is not None) or st.fill_color else (st.color or "#333333")
        radii = feature_radii(lyr, g)  # size_by: circle area proportional to the value
        size = (2 * st.radius * PX_PT) ** 2 if radii is None else [(2 * r * PX_PT) ** 2 for r in radii]
        g.plot(ax=ax, color=fc, edgecolor=ec, linewidth=max(lw * 0.6, 0.3), markersize=size, zorder=zorder + 0.5)
    kind = "line" if line_only else "point" if not polys.any() and not lines.any() else "area"
    return [(label, color, kind, st) for label, color in entries]


# ================================================================================ labels


def label_candidates(layers: Any, frames: list, crs: str) -> list[tuple]:
    """(text, x, y, priority, is_point[, bounds]) in the map CRS.

    Settlements of a ``places`` layer first (point labels, by population), then the names of
    the boundaries as area labels (short names, at a point inside each, only where the name
    fits the area). With a places layer, only the municipalities are named as areas (the
    districts of a city would crowd its settlements' names) and no area repeats a place's name;
    without one, the districts inside a city come first: their names say more than the city's.
    """
    import numpy as np

    out: list[tuple] = []
    places = get_layer(layers, "places")
    have_places = places is not None and len(places) and "name" in places.columns
    if have_places:
        g = places[~(places.geometry.isna() | places.geometry.is_empty)].to_crs(crs)
        pop = g["population"].astype(float).fillna(0).to_numpy() if "population" in g.columns else np.zeros(len(g))
        pts = g.geometry.representative_point()
        out = [(str(n), p.x, p.y, 2e9 + float(w), True) for n, p, w in zip(g["name"], pts, pop) if str(n).strip()]
    b = next((g for lyr, g in frames if lyr.kind == "layer" and lyr.source == "boundaries"), None)
    if b is None:
        b = get_layer(layers, "boundaries")
    if b is None or not len(b) or "name" not in b.columns:
        return out
    g = b.to_crs(crs)
    pop = g["population"].astype(float).fillna(0).to_numpy() if "population" in g.columns else np.zeros(len(g))
    level = g["level"].astype(str).to_numpy() if "level" in g.columns else np.array([""] * len(g))
    pts = g.geometry.representative_point()
    bounds = g.geometry.bounds.to_numpy()
    named = {t for t, *_ in out}
    for n, p, w, lv, bb in zip(g["name"], pts, pop, level, bounds):
        short = str(n).split(" (")[0].strip()  # "Tomsky district (municipal district)" -> "Tomsky district"
        if not short or short in named or (have_places and lv == "district"):
            continue
        out.append((short, p.x, p.y, float(w) + (1e9 if lv == "district" else 0), False, tuple(bb)))
    return out


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


def scale_bar(ax: Any, side: str = "left", fontsize: float = 7) -> Any:
    """A scale bar in metres, about a fifth of the map width, in the lower `side` corner (the
    axes are in metres of a projected CRS). Returns its background patch."""
    from matplotlib.patches import Rectangle

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    target = (x1 - x0) / 4
    exp = 10 ** math.floor(math.log10(target))
    length = max(m * exp for m in (1, 2, 5) if m * exp <= target)
    bx, by, h = x0 + (x1 - x0) * 0.03, y0 + (y1 - y0) * 0.04, (y1 - y0) * 0.008
    if side == "right":
        bx = x1 - (x1 - x0) * 0.03 - length
    back = ax.add_patch(Rectangle((bx - (x1 - x0) * 0.015, by - h * 1.5), length + (x1 - x0) * 0.03, h * 6.5,
                                  facecolor=(1, 1, 1, 0.8), edgecolor="none", zorder=60))
    for k in range(4):
        ax.add_patch(Rectangle((bx + k * length / 4, by), length / 4, h, zorder=61,
                               facecolor="#222222" if k % 2 == 0 else "white", edgecolor="#222222", linewidth=0.6))
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    for xx, txt in ((bx, "0"), (bx + length, label)):
        ax.text(xx, by + h * 1.6, txt, ha="center", va="bottom", fontsize=fontsize, zorder=62)
    return back


def north_arrow(ax: Any, crs: str, side: str = "right") -> Any:
    """A north arrow in the upper `side` corner, pointing to true north (grid convergence
    from the CRS). Returns the box it occupies, in display coordinates."""
    from pyproj import Transformer

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    tr = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    back = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    lon, lat = tr.transform(cx, cy)
    nx, ny = back.transform(lon, lat + 0.05)
    angle = math.atan2(nx - cx, ny - cy)  # radians east of grid north
    ax_x, ax_y, size = (0.955 if side == "right" else 0.045), 0.89, 0.07
    dx, dy = math.sin(angle) * size, math.cos(angle) * size
    ax.annotate("", xy=(ax_x + dx / 2, ax_y + dy / 2), xytext=(ax_x - dx / 2, ax_y - dy / 2),
                xycoords="axes fraction", zorder=62,
                arrowprops=dict(arrowstyle="-|>,head_length=0.8,head_width=0.4", color="#222222", lw=1.4))
    ax.text(ax_x + dx / 2 * 1.25, ax_y + dy / 2 * 1.25, "N", transform=ax.transAxes, ha="center", va="bottom",
            fontsize=9, fontweight="bold", zorder=62)
    from matplotlib.transforms import Bbox

    return Bbox(ax.transAxes.transform([(ax_x - 0.035, ax_y - size / 2 - 0.01), (ax_x + 0.035, ax_y + size)]))


def draw_legend(fig: Any, lax: Any, groups: list[tuple[str, list]]) -> None:
    """The legend, in its own axes beside the map: one block per layer group."""
    import textwrap

    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    lax.set_axis_off()
    handles, labels = [], []
    for title, entries in groups:
        if len(entries) > 1 or entries[0][0] != title:  # a one-entry group needs no title of its own
            handles.append(Patch(visible=False))
            labels.append(title)
        for label, color, kind, st in entries:
            handles.append(_legend_handle(color, kind, st))
            labels.append(label)
    if not handles:
        return
    # as many columns as the legend's box needs (one beside the map; several below it in portrait)
    rows = max(int(lax.get_position().height * fig.get_size_inches()[1] * 72 / (7.5 * 1.75)), 1)
    ncol = -(-len(handles) // rows)
    chars = max(int(lax.get_position().width * fig.get_size_inches()[0] / ncol * 72 / (7.5 * 0.6)) - 4, 12)
    labels = [textwrap.fill(t, chars) for t in labels]  # long titles stay inside the page
    leg = lax.legend(handles, labels, loc="upper left", frameon=False, fontsize=7.5, handlelength=1.8,
                     borderaxespad=0.0, labelspacing=0.45, handletextpad=0.6, ncol=ncol,
                     columnspacing=1.5)
    for h, text in zip(handles, leg.get_texts()):
        if isinstance(h, Patch) and not h.get_visible():
            text.set_fontweight("bold")
            text.set_x(-28)  # group titles start at the swatches' left edge


def _legend_handle(color: str, kind: str, st: Any) -> Any:
    """A legend swatch: a line (width capped so it stays in its slot), a dot or a filled box."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    if kind == "line":
        lw = min(max(st.weight * PX_PT, 1.0) * 1.3, 4.0)
        return Line2D([], [], color=color, lw=lw, linestyle=_dashes(st.dash_array, lw))
    if kind == "point":
        return Line2D([], [], linestyle="none", marker="o", markersize=min(2 * st.radius * PX_PT, 8),
                      markerfacecolor=color, markeredgecolor=st.color or "#333333", markeredgewidth=0.6)
    alpha = max(st.fill_opacity, 0.35) if st.fill else 0.0
    return Patch(facecolor=_rgba(color, alpha), edgecolor=st.color if st.fill and st.color else color,
                 linewidth=0.8, linestyle=_dashes(st.dash_array, 1.0))


# ================================================================================ detail inset


def core_bounds(layers: Any, crs: str, share: float = 0.6, link_m: float = 8000.0
                ) -> tuple[float, float, float, float] | None:
    """Bounds (in `crs`) of the main urban core: of the densest population cells holding `share`
    of the people, the group (cells chained within `link_m`) with the most people. Where a
    detail inset should look; None without a population layer."""
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components
    from scipy.spatial import cKDTree

    pop = get_layer(layers, "population")
    if pop is None or not len(pop) or "population" not in pop.columns:
        return None
    v = np.nan_to_num(pop["population"].astype(float).to_numpy())
    if v.sum() <= 0:
        return None
    order = np.argsort(-v)
    k = int(np.searchsorted(np.cumsum(v[order]), share * v.sum())) + 1
    top = pop.iloc[order[:k]].to_crs(crs)
    c = top.geometry.centroid
    xy = np.column_stack([c.x.to_numpy(), c.y.to_numpy()])
    pairs = cKDTree(xy).query_pairs(link_m, output_type="ndarray")
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(k, k))
    _n, label = connected_components(graph, directed=False)
    main = np.argmax(np.bincount(label, weights=v[order[:k]]))
    b = top[label == main].total_bounds
    return tuple(float(x) for x in b)  # type: ignore[return-value]


def quiet_corner(ax: Any, frames: Sequence[tuple[Any, Any]], w: float, h: float,
                 avoid: tuple[float, float, float, float]) -> str:
    """The corner of `ax` (``"upper left"`` ...) where a box of `w` x `h` axes fractions hides
    the fewest vertices of small features (points, lines, polygons under 2 % of the view) and
    does not cover the `avoid` bounds (data coordinates)."""
    import numpy as np
    import shapely

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    view = (x1 - x0) * (y1 - y0)
    pts = []
    for _lyr, g in frames:
        if not len(g):
            continue
        geoms = g.geometry.values
        small = ~shapely.is_empty(geoms) & (shapely.area(geoms) < 0.02 * view)
        if small.any():
            pts.append(shapely.get_coordinates(geoms[small]))
    xy = np.vstack(pts) if pts else np.zeros((0, 2))
    best, score = "upper left", None
    for name, (fx, fy) in {"upper left": (0, 1 - h), "lower left": (0, 0), "upper right": (1 - w, 1 - h),
                           "lower right": (1 - w, 0)}.items():
        bx0, bx1 = x0 + fx * (x1 - x0), x0 + (fx + w) * (x1 - x0)
        by0, by1 = y0 + fy * (y1 - y0), y0 + (fy + h) * (y1 - y0)
        n = int(((xy[:, 0] >= bx0) & (xy[:, 0] <= bx1) & (xy[:, 1] >= by0) & (xy[:, 1] <= by1)).sum())
        if not (avoid[2] < bx0 or avoid[0] > bx1 or avoid[3] < by0 or avoid[1] > by1):
            n += 10**9
        if score is None or n < score:
            best, score = name, n
    return best


_SEED_RE = re.compile(r"\bseeds?\s*:?\s*[0-9]{3}(_[0-9a-f]+\.txt)?(\s*(?:[-–,]|and)\s*[0-9]{3}(_[0-9a-f]+\.txt)?)*",
                      re.IGNORECASE)
_PROGRAMME = "INO Tomsk programme documents"


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
