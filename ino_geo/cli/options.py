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
    help="Line layer to route on (file; default: the corridors layer).",
)

scenario_opt = click.option(
    "--scenario",
    type=click.Choice(["existing", "planned"]),
    default="existing",
    show_default=True,
    help="existing: corridors in use today (a reconstruction at today's speed); planned: adds the planned "
         "corridors and uses every corridor's design speed.",
)


# --- points from spreadsheets (issue 11): `--from points.csv|.tsv|.txt|.xlsx` -------------------
xy_opt = click.option(
    "--xy",
    "xy",
    default=None,
    metavar="LON_COL,LAT_COL",
    help="Spreadsheet --from: the longitude and latitude columns (default: found by name, "
         "lon/lng/long/longitude/x and lat/latitude/y, also долгота/широта).",
)

crs_opt = click.option(
    "--crs",
    "crs",
    default=None,
    metavar="EPSG:NNNN",
    help="Spreadsheet --from: CRS of the coordinates (default EPSG:4326).",
)

# --- a planner's own parks (issue 11): `coverage --parks FILE`, `proximity --to FILE` ----------
park_type_column_opt = click.option(
    "--park-type-column",
    "park_type_column",
    default=None,
    metavar="NAME",
    help="Own parks file: the column holding the park type (default: park_type).",
)
