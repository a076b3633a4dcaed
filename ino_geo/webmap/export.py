"""Writing a map as one HTML page: self-contained (Leaflet inlined) or with CDN links.

:func:`to_html` / :func:`export_html` write the map: self-contained (default) inlines
Leaflet's JS and CSS from the ``xstatic-leaflet`` package (its images as data URIs) and drops
folium's other CDN resources, which these maps do not use, so no ``http(s)://`` script or
stylesheet reference remains; ``self_contained=False`` keeps folium's CDN links. Base tiles
always need the network: offline, the features are drawn on a plain background.
:func:`embed_snippet` is the ``<iframe>`` that shows an exported map on a web page.
"""

from __future__ import annotations

import base64
import html
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ino_geo._errors import DataError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    import folium

__all__ = ["to_html", "export_html", "embed_snippet", "is_self_contained", "cdn_fallback"]

# resources folium always links, which the maps rendered here never use (no jQuery code, no
# Bootstrap components, no awesome-marker icons): dropped in self-contained mode.
_DROPPABLE = ("jquery", "bootstrap", "awesome-markers", "awesome.rotate", "fontawesome", "glyphicons")


def to_html(m: "folium.Map", *, self_contained: bool = True) -> str:
    """The map as one HTML page.

    Parameters
    ----------
    m : folium.Map
    self_contained : bool
        Inline Leaflet's JS/CSS (from xstatic-leaflet) and drop folium's other CDN resources
        and the online-only plugins, so that the page opens with no network and references no
        external script or stylesheet. False keeps folium's CDN links (smaller file).
    """
    if not self_contained:
        return cdn_fallback(m.get_root().render())
    from branca.element import CssLink, JavascriptLink

    _check_inlinable(m)
    removed = {}
    for key, child in list(m._children.items()):
        if type(child).__module__.startswith("folium.plugins"):
            removed[key] = child
            del m._children[key]
    # resource links stay in the figure header after a render; each element adds back the
    # ones it needs while rendering, so links of the left-out plugins are not carried over
    header = m.get_root().header
    links = {k: v for k, v in header._children.items() if isinstance(v, (JavascriptLink, CssLink))}
    for k in links:
        del header._children[k]
    try:
        page = m.get_root().render()
    finally:
        m._children.update(removed)  # order of plugins at the end is irrelevant for later renders
        for k, v in links.items():
            header._children.setdefault(k, v)
    return _inline_resources(page)


# Offline, a --cdn page writes the inlined Leaflet into itself, and stands in empty controls for
# the online-only plugins (their scripts did not load either), so the map is drawn all the same.
_PLUGIN_STUBS = """<script>
if (window.L) {
  var inoGeoStub = function () { return L.Control.extend({ onAdd: function () {
    var d = L.DomUtil.create('div'); d.style.display = 'none'; return d; } }); };
  if (!L.control.fullscreen) L.control.fullscreen = function (o) { return new (inoGeoStub())(o); };
  if (!L.Control.Measure) L.Control.Measure = inoGeoStub();
  if (!L.Control.MiniMap) L.Control.MiniMap = inoGeoStub();
}
</script>
"""


def cdn_fallback(page: str) -> str:
    """`page` (with CDN links) plus a fallback: without the network, the inlined Leaflet is
    written into the page (``window.L || document.write(...)``) so the map is never blank."""
    import json

    payload = "<style>" + _leaflet_css() + "</style><script>" + _leaflet_js() + "</" + "script>"
    literal = json.dumps(payload).replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    fallback = f"<script>window.L || document.write({literal});</script>\n" + _PLUGIN_STUBS
    i = page.find("<body>")
    if i < 0:
        return fallback + page
    i += len("<body>")
    return page[:i] + "\n" + fallback + page[i:]


def _check_inlinable(m: "folium.Map") -> None:
    """Refuse (before rendering) elements that need resources a self-contained page leaves out.

    The maps of :func:`render_map` never need them; an analyst may add e.g. a
    ``folium.Marker`` with an awesome-markers ``Icon`` to the returned map.
    """
    import folium
    from folium.elements import JSCSSMixin

    stack = list(m._children.values())
    while stack:
        el = stack.pop()
        stack.extend(el._children.values())
        if type(el).__module__.startswith("folium.plugins"):
            continue  # online-only controls: left out of self-contained pages
        if isinstance(el, folium.Icon) or (isinstance(el, folium.Map) and el is not m):
            raise DataError(f"the map contains a {type(el).__name__}, which needs resources a self-contained page "
                            "leaves out (awesome-markers/Bootstrap); export with --cdn")
        if isinstance(el, JSCSSMixin) and not isinstance(el, folium.Map):
            for _, url in list(el.default_js) + list(el.default_css):
                low = url.lower()
                if not (low.endswith("/leaflet.js") or low.endswith("/leaflet.css")):
                    raise DataError(f"the map contains a {type(el).__name__}, which needs {url}; export with --cdn")


def is_self_contained(page: str) -> bool:
    """True if `page` has no <script src> or stylesheet <link> pointing off the page."""
    return not _EXTERNAL_RE.search(page)


_EXTERNAL_RE = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']?\s*(?:https?:)?//|<link\b[^>]*\bhref\s*=\s*[\"']?\s*(?:https?:)?//|@import\s+(?:url\()?[\"']?(?:https?:)?//",
    re.IGNORECASE,
)
_SCRIPT_RE = re.compile(r"<script\b[^>]*\bsrc\s*=\s*\"([^\"]+)\"[^>]*>\s*</script>", re.IGNORECASE)
_LINK_RE = re.compile(r"<link\b[^>]*\brel\s*=\s*\"stylesheet\"[^>]*\bhref\s*=\s*\"([^\"]+)\"[^>]*/?>", re.IGNORECASE)


def _inline_resources(page: str) -> str:
    def script(mo: re.Match) -> str:
        url = mo.group(1)
        low = url.lower()
        if low.endswith("/leaflet.js") or low.endswith("/leaflet-src.js"):
            return "<script>" + _leaflet_js() + "</script>"
        if any(k in low for k in _DROPPABLE):
            return ""
        raise DataError(f"the map uses {url}, which cannot be inlined; export with --cdn")

    def link(mo: re.Match) -> str:
        url = mo.group(1)
        low = url.lower()
        if low.endswith("/leaflet.css"):
            return "<style>" + _leaflet_css() + "</style>"
        if any(k in low for k in _DROPPABLE):
            return ""
        raise DataError(f"the map uses {url}, which cannot be inlined; export with --cdn")

    head_end = page.find("</head>")
    head, rest = (page[:head_end], page[head_end:]) if head_end >= 0 else (page, "")
    head = _SCRIPT_RE.sub(script, head)
    head = _LINK_RE.sub(link, head)
    rest = _SCRIPT_RE.sub(script, rest)
    rest = _LINK_RE.sub(link, rest)
    out = head + rest
    if not is_self_contained(out):  # pragma: no cover - guarded by the substitutions above
        raise DataError("self-contained export still references an external script or stylesheet; export with --cdn")
    return out


@lru_cache(maxsize=1)
def _leaflet_dir() -> Path:
    try:
        import xstatic.pkg.leaflet as xl
    except ImportError:  # pragma: no cover - a declared dependency
        raise DataError("self-contained maps need the xstatic-leaflet package (pip install xstatic-leaflet), or use --cdn") from None
    return Path(xl.BASE_DIR)


@lru_cache(maxsize=1)
def _leaflet_js() -> str:
    js = (_leaflet_dir() / "leaflet.js").read_text(encoding="utf-8")
    js = re.sub(r"//# sourceMappingURL=\S+", "", js)
    return js.replace("</script", "<\\/script")


@lru_cache(maxsize=1)
def _leaflet_css() -> str:
    d = _leaflet_dir()
    css = (d / "leaflet.css").read_text(encoding="utf-8")

    def data_uri(mo: re.Match) -> str:
        rel = mo.group(1).strip("'\"")
        f = d / rel
        if rel.startswith("#") or not f.is_file():
            return mo.group(0)
        return "url(data:image/png;base64," + base64.b64encode(f.read_bytes()).decode("ascii") + ")"

    return re.sub(r"url\(([^)]+)\)", data_uri, css).replace("</style", "<\\/style")


def embed_snippet(html_path: "str | os.PathLike", *, title: str = "Map", src: str | None = None,
                  min_height: str = "400px") -> str:
    """An ``<iframe>`` snippet that shows the exported map, filling its container.

    Parameters
    ----------
    html_path : path-like
        The exported map file (its name is the iframe ``src`` unless `src` is given).
    title : str
        Accessible title of the frame (escaped).
    src : str, optional
        The URL the web page will serve the map from.
    min_height : str
        CSS minimum height of the container.

    Examples
    --------
    >>> print(embed_snippet("maps/overview.html", title="Overview <1>").splitlines()[1])  # doctest: +ELLIPSIS
      <iframe src="overview.html" title="Overview &lt;1&gt;" ...
    """
    if not re.fullmatch(r"[0-9.]+(px|rem|em|vh|%)", min_height):
        raise UsageError(f"min_height: not a CSS length: {min_height!r}")
    url = src if src is not None else Path(html_path).name
    e = html.escape
    return (
        f'<div class="ino-geo-map" style="position:relative;width:100%;height:100%;min-height:{min_height};">\n'
        f'  <iframe src="{e(url)}" title="{e(title)}" loading="lazy" allowfullscreen '
        'style="position:absolute;top:0;left:0;width:100%;height:100%;border:0;"></iframe>\n'
        "</div>\n"
    )


def export_html(
    m: "folium.Map",
    path: "str | os.PathLike",
    *,
    self_contained: bool = True,
    overwrite: bool = False,
    embed_snippet_path: "str | os.PathLike | None" = None,
) -> Path:
    """Write the map to `path` (atomically; refuses to overwrite unless `overwrite`).

    With `embed_snippet_path`, also write an ``<iframe>`` snippet that references the map by
    its path relative to the snippet's folder. Both outputs are checked before any work.
    """
    from ino_geo.data.io import atomic_write_text, check_output

    check_output(path, overwrite)
    if embed_snippet_path is not None:
        check_output(embed_snippet_path, overwrite)
        if Path(embed_snippet_path).resolve() == Path(path).resolve():
            raise UsageError(f"{embed_snippet_path}: the embed snippet cannot be the map file itself")
    page = to_html(m, self_contained=self_contained)
    out = atomic_write_text(path, page, overwrite=overwrite)
    if embed_snippet_path is not None:
        rel = os.path.relpath(Path(path).resolve(), Path(embed_snippet_path).resolve().parent)
        title = getattr(m, "ino_geo_title", None) or "Map"
        atomic_write_text(embed_snippet_path, embed_snippet(path, title=title, src=Path(rel).as_posix()),
                          overwrite=overwrite)
    return out
