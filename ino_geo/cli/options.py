"""Options shared by several commands, defined once."""

from __future__ import annotations

import click

overwrite_opt = click.option("--overwrite", is_flag=True, help="Replace an existing output file.")

output_opt = click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(path_type=str),  # a folder: partitioned GeoParquet (--engine dask); else refused
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


def engine_opts(f):
    """``--engine local|dask`` and ``--scheduler ADDRESS`` (the Dask engine, ``ino_geo.engine``)."""
    f = click.option("--scheduler", default=None, metavar="ADDRESS",
                     help="With --engine dask: a running Dask scheduler (tcp://host:8786); default: a local "
                          "cluster started for the run.")(f)
    return click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
                        help="local: this process; dask: partition by partition on a Dask cluster "
                             "(pip install \"ino-geo[dask]\").")(f)


cells_opt = click.option(
    "--cells",
    "cells_path",
    type=click.Path(path_type=str),
    default=None,
    help="Write the covered share of every population cell here (a vector file; with --engine dask a "
         "folder of partitioned GeoParquet).",
)
