"""Options shared by several commands, defined once."""

from __future__ import annotations

import click

overwrite_opt = click.option("--overwrite", is_flag=True, help="Replace an existing output file.")

output_opt = click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=str),
    default=None,
    help="Write to this file instead of stdout (format from the extension).",
)


def format_opt(choices: list[str], default: str = "table"):
    """``--format`` with the given choices."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices, case_sensitive=False),
        default=default,
        show_default=True,
        help="Output format on stdout.",
    )


park_type_opt = click.option(
    "--park-type",
    "park_types",
    multiple=True,
    type=click.Choice(
        ["industrial", "innovation", "research_education", "historical_cultural", "medical", "sport"]
    ),
    help="Park type(s) to analyse (repeatable; default: all six).",
)

mode_opt = click.option(
    "--mode",
    type=click.Choice(["euclidean", "network"]),
    default="euclidean",
    show_default=True,
    help="Straight-line distance, or along the network.",
)

network_opt = click.option(
    "--network",
    "network_path",
    type=click.Path(path_type=str),
    default=None,
    help="Line layer to route on (a vector file, or an OpenStreetMap extract .osm.pbf; default: the corridors layer).",
)

scenario_opt = click.option(
    "--scenario",
    type=click.Choice(["existing", "planned"]),
    default="existing",
    show_default=True,
    help="existing: corridors in use today (a reconstruction at today's speed); planned: adds the planned "
         "corridors and uses every corridor's design speed.",
)


# --- OpenStreetMap extracts as --network (issue 11 item 3) ------------------------------------
# `--network city.osm.pbf` imports the extract's street network (cached by file content); these
# two options say which network and whether to use the cache. Kept apart from the options above.
osm_profile_opt = click.option(
    "--profile",
    "osm_profile",
    type=click.Choice(["drive", "walk", "bike"]),
    default="drive",
    show_default=True,
    help="With --network EXTRACT.osm.pbf: the street network to import (see 'ino-geo network import --help').",
)

osm_no_cache_opt = click.option(
    "--no-cache",
    "osm_no_cache",
    is_flag=True,
    help="With --network EXTRACT.osm.pbf: import again instead of using (and filling) the user cache "
         "($INO_GEO_CACHE, else $XDG_CACHE_HOME/ino-geo or ~/.cache/ino-geo).",
)


def osm_network_opts(f):
    """``--profile`` and ``--no-cache`` for commands taking ``--network``."""
    return osm_profile_opt(osm_no_cache_opt(f))
