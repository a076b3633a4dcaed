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

direction_opt = click.option(
    "--direction",
    type=click.Choice(["to", "from"]),
    default=None,
    help="Network mode: travel from the origin / population to the park (to, the default) or from the park "
         "(from); they differ on one-way streets.",
)

cost_opt = click.option(
    "--cost",
    type=click.Choice(["time", "distance"]),
    default=None,
    help="Network mode: the quickest route (time, the default) or the shortest (distance); "
         "results give both the minutes and the metres of the chosen route.",
)


def routing_opts(cost: bool = True):
    """``--direction`` (and ``--cost``, if `cost`): how routes along the network are chosen."""

    def deco(f):
        f = direction_opt(f)
        return cost_opt(f) if cost else f

    return deco


def routing_kwargs(mode: str, direction: str | None, cost: str | None = None) -> dict:
    """Keyword arguments of the analysis for ``--direction`` / ``--cost`` (UsageError unless
    ``--mode network`` when one is given)."""
    from ino_geo._errors import UsageError

    given = [f"--{n}" for n, v in (("direction", direction), ("cost", cost)) if v is not None]
    if given and mode != "network":
        raise UsageError(f"{' and '.join(given)} {'needs' if len(given) == 1 else 'need'} --mode network")
    kw = {"direction": direction} if direction else {}
    if cost:
        kw["cost"] = cost
    return kw
