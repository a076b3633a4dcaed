"""Options and input handling shared by ``ino-geo accessibility`` and ``ino-geo site-selection``."""

from __future__ import annotations

import click

from .options import distance_opt, minutes_opt

distance_one = distance_opt("Standard / catchment in metres: straight line, or along the network.",
                            multiple=False, positive=True, dest="distance")
minutes_one = minutes_opt("Standard / catchment in minutes: along the network (straight-line mode: a walk).",
                          multiple=False, positive=True)
by_opt = click.option("--by", type=click.Choice(["municipality", "district"]), default=None,
                      help="Also one row per boundary of this level.")
population_opt = click.option("--population", "population_path", type=click.Path(path_type=str), default=None,
                              help="Population grid file (polygons with 'population'; default: the population layer).")


def check_common(mode: str, network_path: str | None) -> None:
    """The usage checks every network-capable analysis command makes (the values themselves
    are checked by the options' callbacks)."""
    from ino_geo._errors import UsageError

    if network_path and mode != "network":
        raise UsageError("--network needs --mode network")


def check_outputs(outputs: list[tuple[str | None, bool, str]], overwrite: bool) -> None:
    """Every output (path, has geometry, option) writable and distinct, before any work."""
    from pathlib import Path

    from ino_geo._errors import UsageError
    from ino_geo.data.io import check_output
    from ino_geo.data.output import check_extension

    seen: dict = {}
    for path, geometry, option in outputs:
        if not path:
            continue
        check_output(path, overwrite)
        check_extension(path, geometry=geometry, option=option)
        key = Path(path).resolve()
        if key in seen:
            raise UsageError(f"{seen[key]} and {option} name the same file")
        seen[key] = option


def inputs(state, park_type: str, population_path: str | None, mode: str, network_path: str | None):
    """(layers, parks, population, boundaries, network kwargs) with the park type checked."""
    from ino_geo._errors import UsageError
    from ino_geo.data.layers import read_layer

    from ._inputs import network_layer, river_layer

    lay = state.layers()
    if population_path:
        state.progress(f"reading population {population_path}")
        population = read_layer(population_path)
    elif "population" in lay:
        population = lay["population"]
    else:
        raise UsageError("no population layer: give --population PATH")
    boundaries = lay["boundaries"] if "boundaries" in lay else None
    net = {}
    if mode == "network":
        net = dict(network=network_layer(state, lay, network_path), river=river_layer(lay) if "river" in lay else False)
    return lay, lay["parks"], population, boundaries, net
