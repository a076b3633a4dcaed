"""Options and input handling shared by ``ino-geo accessibility`` and ``ino-geo site-selection``."""

from __future__ import annotations

import click

park_type_one = click.option("--park-type", "park_type", required=True, metavar="T",
                             help="The park type (one of the catalogue's park_type values, e.g. medical).")
distance_one = click.option("--distance", type=float, default=None, metavar="M",
                            help="Standard / catchment in metres: straight line, or along the network.")
minutes_one = click.option("--minutes", type=float, default=None, metavar="N",
                           help="Standard / catchment in minutes: along the network (straight-line mode: a walk).")
by_opt = click.option("--by", type=click.Choice(["municipality", "district"]), default=None,
                      help="Also one row per boundary of this level.")
population_opt = click.option("--population", "population_path", type=click.Path(path_type=str), default=None,
                              help="Population grid file (polygons with 'population'; default: the population layer).")


def check_common(max_snap: float, walk_speed: float, mode: str, network_path: str | None) -> None:
    """The usage checks every network-capable analysis command makes."""
    from ino_geo._errors import UsageError

    if max_snap is None or not (max_snap >= 0) or max_snap == float("inf"):
        raise UsageError(f"--max-snap {max_snap}: must be a finite number of metres >= 0")
    if not (walk_speed > 0) or walk_speed == float("inf"):
        raise UsageError(f"--walk-speed {walk_speed}: must be a positive number of km/h")
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
    spec = lay.catalogue["parks"].columns.get("park_type") if "parks" in lay.catalogue.layers else None
    allowed = tuple(spec.allowed) if spec is not None and spec.allowed else None
    if allowed and park_type not in allowed:
        raise UsageError(f"--park-type {park_type}: not a park type (one of {', '.join(allowed)})")
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
