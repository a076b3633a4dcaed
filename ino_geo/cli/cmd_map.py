"""``ino-geo map``: render a built-in map or a map spec file into an HTML page."""

from __future__ import annotations

import json
import os

import click

from .options import distance_opt, focus_opt, lang_opt, minutes_opt, mode_opt, network_opt, overwrite_opt, park_type_opt, scenario_opt


@click.command("map")
@click.argument("name_or_spec", metavar="NAME|SPEC")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="HTML file to write (default: NAME.html in the current folder).")
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
@distance_opt("Coverage map: reach in metres (default from the spec).", multiple=False, positive=True, dest="distance")
@minutes_opt("Coverage map: reach in minutes (a straight-line walk, or travel along the network with --mode network).",
             multiple=False, positive=True)
@mode_opt(None, "Coverage/proximity maps: straight-line or along the network (default from the spec).")
@network_opt("Coverage/proximity maps: line layer to route on (default: the corridors layer).")
@scenario_opt(None, "Coverage/proximity maps in network mode: corridors in use today, or with the planned ones.")
@click.pass_obj
def map_cmd(state, name_or_spec: str, output: str | None, self_contained: bool, snippet: str | None,
            overwrite: bool, park_types: tuple[str, ...], distance: float | None, minutes: float | None,
            mode: str | None, network_path: str | None, scenario: str | None, tiles: str | None,
            lang: str = "en", focus: str | None = None) -> None:
    """Render map NAME (overview, waterfront, corridors, coverage, proximity) or the map spec
    file SPEC (.toml, see maps/README.md) into an HTML page.

    Prints {"map", "path", "bytes", "self_contained", "features"} as JSON on stdout.
    """
    from ino_geo._errors import UsageError
    from ino_geo.data.io import check_output
    from ino_geo.webmap.spec import load_map_spec

    spec = load_map_spec(name_or_spec)  # unknown name: exit 2; bad spec: exit 1 - before any work
    out = output if output is not None else f"{spec.name}.html"
    check_output(out, overwrite)
    if snippet is not None:
        check_output(snippet, overwrite)
        if os.path.abspath(snippet) == os.path.abspath(out):
            raise UsageError(f"{snippet}: --embed-snippet must differ from the map file")
    if distance is not None and minutes is not None:
        raise UsageError("give --distance or --minutes, not both")
    analyses = spec.analyses
    if "coverage" in analyses and len(park_types) > 1:
        raise UsageError("the coverage map shows one park type: give --park-type once")
    if not analyses and (park_types or distance is not None or minutes is not None or mode or network_path or scenario):
        raise UsageError(f"map {spec.name!r} draws layers only: --park-type/--distance/--minutes/--mode/--network/"
                         "--scenario apply to the coverage and proximity maps")
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
            park_type=park_types[0] if ("coverage" in analyses and park_types) else None,
            park_types=park_types or None,
            distance_m=distance, minutes=minutes, mode=mode, scenario=scenario, network=network,
        )
    state.progress(f"rendering map {spec.name!r}")
    m = render_map(spec, layers, results=results, online=not self_contained, tiles=tiles, lang=lang, focus=focus)
    path = export_html(m, out, self_contained=self_contained, overwrite=overwrite, embed_snippet_path=snippet)
    size = path.stat().st_size
    state.progress(f"wrote {path} ({size / 1e6:.2f} MB{', self-contained' if self_contained else ', CDN links'})"
                   + (f" and {snippet}" if snippet else ""))
    click.echo(json.dumps({"map": spec.name, "path": str(path), "bytes": size, "self_contained": self_contained,
                           "features": m.ino_geo_counts}, ensure_ascii=False))
