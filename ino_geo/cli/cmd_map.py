"""``ino-geo map``: render a built-in map or a map spec file into an HTML page."""

from __future__ import annotations

import json
import os

import click

from .options import with_outputs, distance_opt, focus_opt, lang_opt, minutes_opt, mode_opt, network_opt, overwrite_opt, park_type_opt, scenario_opt


@click.command("map")
@click.argument("name_or_spec", metavar="NAME|SPEC")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="File to write: .html (web map, the default NAME.html), or a print map .png, .svg or .pdf.")
@click.option("--self-contained/--cdn", "self_contained", default=True, show_default=True,
              help="Inline Leaflet so the page opens with no network (default), or keep folium's CDN links "
                   "(smaller file; adds the fullscreen, measure and minimap controls).")
@click.option("--embed-snippet", "snippet", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Also write an <iframe> snippet that shows the map filling its container.")
@click.option("--tiles", type=click.Choice(["OpenStreetMap", "CartoDB positron", "none"]), default=None,
              help="Base map (default from the spec). 'none': features on a plain background, and the page "
                   "references no external URL at all (tiles otherwise load when online, and fail quietly offline).")
@lang_opt()
@focus_opt()
@overwrite_opt
@park_type_opt
@distance_opt("Coverage, accessibility and site-selection maps: reach in metres (default from the spec).",
              multiple=False, positive=True, dest="distance")
@minutes_opt("Coverage and decision maps: reach in minutes (a straight-line walk, or travel along the network with --mode network).",
             multiple=False, positive=True)
@mode_opt(None, "Analysis maps: straight-line or along the network (default from the spec).")
@network_opt("Coverage/proximity maps: line layer to route on (default: the corridors layer).")
@scenario_opt(None, "Coverage/proximity maps in network mode: corridors in use today, or with the planned ones.")
@click.option("--dpi", type=float, default=None, help="Print maps (.png/.svg/.pdf): resolution, dots per inch (default 150).")
@click.option("--size", default=None, metavar="A4|A3|A4-landscape|WxHmm",
              help="Print maps: paper size, A4/A3 with -portrait/-landscape, or WxH in mm, cm or in "
                   "(default A4-landscape).")
@click.pass_obj
@with_outputs("name_or_spec", "network_path")
def map_cmd(state, name_or_spec: str, output: str | None, self_contained: bool, snippet: str | None,
            overwrite: bool, park_types: tuple[str, ...], distance: float | None, minutes: float | None,
            mode: str | None, network_path: str | None, scenario: str | None, tiles: str | None,
            dpi: float | None = None, size: str | None = None, lang: str = "en", focus: str | None = None) -> None:
    """Render map NAME (overview, waterfront, corridors, coverage, proximity, accessibility,
    site-selection) or the map spec
    file SPEC (.toml, see maps/README.md) into an HTML page, or a print map (PNG, SVG or PDF,
    chosen by the extension of -o, with --dpi and --size), in English or Russian (--lang),
    whole or around one boundary (--focus).

    Prints {"map", "path", "bytes", "self_contained", "features"} as JSON on stdout.
    """
    from ino_geo._errors import UsageError
    from ino_geo.data.io import check_output
    from ino_geo.webmap.spec import load_map_spec

    spec = load_map_spec(name_or_spec)  # unknown name: exit 2; bad spec: exit 1 - before any work
    out = output if output is not None else f"{spec.name}.html"
    static = os.path.splitext(out)[1].lower() not in (".html", ".htm")
    if static:  # a print map: the format by the extension (unknown: exit 2), checked before any work
        from ino_geo.webmap.static import check_dpi, parse_size, static_format

        static_format(out)
        parse_size(size)
        if dpi is not None:
            check_dpi(dpi)
        if snippet is not None:
            raise UsageError("--embed-snippet applies to HTML maps only")
    elif dpi is not None or size is not None:
        raise UsageError("--dpi and --size apply to print maps (-o NAME.png, .svg or .pdf)")
    check_output(out, overwrite)
    if snippet is not None:
        check_output(snippet, overwrite)
        if os.path.abspath(snippet) == os.path.abspath(out):
            raise UsageError(f"{snippet}: --embed-snippet must differ from the map file")
    if distance is not None and minutes is not None:
        raise UsageError("give --distance or --minutes, not both")
    analyses = spec.analyses
    one_type = sorted(analyses & {"coverage", "accessibility", "site_selection"})
    if one_type and len(park_types) > 1:
        raise UsageError(f"the {one_type[0].replace('_', '-')} map shows one park type: give --park-type once")
    if not analyses and (park_types or distance is not None or minutes is not None or mode or network_path or scenario):
        raise UsageError(f"map {spec.name!r} draws layers only: --park-type/--distance/--minutes/--mode/--network/"
                         "--scenario apply to the analysis maps (coverage, proximity, accessibility, site-selection)")
    if network_path is not None and not os.path.exists(network_path):
        raise UsageError(f"--network {network_path}: no such file")

    from ino_geo.mapdata import map_results
    from ino_geo.webmap.render import export_html, render_map

    layers = state.layers()
    if focus is not None:
        from ino_geo.webmap.focus import resolve_focus

        resolve_focus(layers, focus)  # unknown boundary: a usage error before any work
    network = None
    if network_path is not None:
        from ._inputs import network_layer

        network = network_layer(state, layers, network_path)
    results = None
    if analyses:
        state.progress(f"computing {' and '.join(sorted(analyses))} for map {spec.name!r}")
        results = map_results(
            spec, layers,
            park_type=park_types[0] if (one_type and park_types) else None,
            park_types=park_types or None,
            distance_m=distance, minutes=minutes, mode=mode, scenario=scenario, network=network,
        )
    if static:
        _print_map(state, spec, layers, out, dpi, size, overwrite, results, lang, focus)
        return
    state.progress(f"rendering map {spec.name!r}")
    m = render_map(spec, layers, results=results, online=not self_contained, tiles=tiles, lang=lang, focus=focus)
    path = export_html(m, out, self_contained=self_contained, overwrite=overwrite, embed_snippet_path=snippet)
    from ino_geo.data.transaction import current_outputs

    current_outputs().publish()  # the map and its snippet together, before reporting them
    size = path.stat().st_size
    state.progress(f"wrote {path} ({size / 1e6:.2f} MB{', self-contained' if self_contained else ', CDN links'})"
                   + (f" and {snippet}" if snippet else ""))
    click.echo(json.dumps({"map": spec.name, "path": str(path), "bytes": size, "self_contained": self_contained,
                           "features": m.ino_geo_counts}, ensure_ascii=False))


def _print_map(state, spec, layers, out: str, dpi: float | None, size: str | None, overwrite: bool,
               results, lang: str = "en", focus: str | None = None) -> None:
    """A print map (PNG/SVG/PDF) of `spec`, drawing the same analysis results as the web map."""
    from ino_geo.webmap.static import DEFAULT_DPI, render_static

    state.progress(f"drawing print map {spec.name!r}")
    info = render_static(spec, layers, out, dpi=DEFAULT_DPI if dpi is None else dpi, size=size,
                         overwrite=overwrite, results=results, lang=lang, focus=focus)
    from ino_geo.data.transaction import current_outputs

    current_outputs().publish()  # written before it is reported
    state.progress(f"wrote {info['path']} ({info['bytes'] / 1e6:.2f} MB)")
    click.echo(json.dumps(info, ensure_ascii=False))
