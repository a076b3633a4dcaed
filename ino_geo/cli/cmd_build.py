"""``ino-geo build``: the main job — the planners' pack of the layers into one folder."""

from __future__ import annotations

import json

import click

from ino_geo import defaults

from .options import distance_opt, focus_opt, lang_opt, minutes_opt, mode_opt, overwrite_opt, park_type_opt


@click.command("build")
@click.option("-o", "--output", "out_dir", default="tomsk-maps", show_default=True,
              type=click.Path(file_okay=False, path_type=str), help="Folder to write into (created if missing).")
@distance_opt("Coverage distances, metres (repeatable).", default=defaults.BUILD_DISTANCES_M)
@click.option("--self-contained/--cdn", "self_contained", default=True, show_default=True,
              help="Inline Leaflet so the maps open with no network, or link folium's CDN.")
@minutes_opt("Coverage travel times, minutes (repeatable; instead of --distance).", positive=True)
@park_type_opt
@mode_opt(None, "Coverage and proximity: straight-line (default) or along the network.")
@lang_opt()
@focus_opt()
@overwrite_opt
@click.pass_obj
def build(state, out_dir: str, distances: tuple[float, ...], self_contained: bool, overwrite: bool,
          minutes: tuple[float, ...] = (), park_types: tuple[str, ...] = (), mode: str | None = None,
          lang: str = "en", focus: str | None = None) -> None:
    """Validate the layers, run coverage and proximity, and render every built-in map.

    Writes into OUT_DIR: the five maps (NAME.html) with their iframe snippets
    (NAME.embed.html), coverage.csv (area and population within each distance of each park
    type, whole agglomeration and per municipality, CRS EPSG:32645, metres), proximity.csv
    (nearest park of each type from every project site, metres), and index.html linking them.
    A summary of what was written goes to stdout as JSON.
    """
    from ino_geo.pack import build_pack

    summary = build_pack(state.layers(), out_dir, distances=() if minutes else distances, minutes=minutes,
                         park_types=park_types, mode=mode, lang=lang, focus=focus, self_contained=self_contained,
                         overwrite=overwrite, progress=state.progress)
    click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
