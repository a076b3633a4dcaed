"""``ino-geo coverage``: area and population within a distance / travel time of each park type."""

from __future__ import annotations

import click

from .options import (
    cells_opt,
    distance_opt,
    engine_opts,
    format_opt,
    max_snap_opt,
    minutes_opt,
    mode_opt,
    network_opt,
    output_opt,
    overwrite_opt,
    park_type_column_opt,
    park_type_opt,
    routing_kwargs,
    routing_opts,
    scenario_opt,
    walk_speed_opt,
)
from .options import osm_network_opts


@click.command("coverage")
@park_type_opt
@click.option("--parks", "parks_path", default=None, metavar="PATH",
              help="Own parks: a vector file of polygons with a park_type column (default: the parks layer).")
@park_type_column_opt
@distance_opt("Distance threshold in metres (repeatable): straight line, or along the network.")
@minutes_opt("Travel-time threshold in minutes (repeatable): along the network, or a straight walk.")
@mode_opt()
@network_opt()
@osm_network_opts
@scenario_opt()
@routing_opts(cost=True)
@click.option("--compare", is_flag=True,
              help="Network mode: both scenarios side by side (population newly covered, minutes saved).")
@click.option("--by", type=click.Choice(["municipality", "district"]), default=None,
              help="Also one row per boundary of this level.")
@click.option("--population", "population_path", type=click.Path(path_type=str), default=None,
              help="Population grid file (polygons with a 'population' column; default: the population layer).")
@click.option("--gaps", "gaps_path", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Write the uncovered gap polygons here (.geojson, .gpkg, ...).")
@max_snap_opt()
@walk_speed_opt
@cells_opt
@engine_opts
@format_opt(["table", "csv", "json"])
@output_opt
@overwrite_opt
@click.pass_obj
def coverage(state, park_types, parks_path, park_type_column, distances, minutes, mode, network_path, osm_profile,
             osm_no_cache, scenario, direction, cost, compare, by, population_path, gaps_path, max_snap, walk_speed, cells_path, engine,
             scheduler, fmt, output, overwrite) -> None:
    """Covered area (km2, %) and population (people, %) per park type and threshold.

    Population is counted by the covered share of each cell's area. Results per the whole
    study area (union of the boundaries) and, with --by, per boundary. Network mode routes on
    the road corridors (rail is not door-to-door) or on --network PATH; walking legs count at
    --walk-speed and never cross the Tom. Scenario 'existing': corridors in use today
    (reconstruction at today's speed); 'planned': all corridors at their design speed.
    Along the network --minutes follows the quickest routes, --distance the shortest (metres
    along the network; --cost says which the thresholds must be); --direction to (default)
    covers where people reach a park from.

    Example: ino-geo coverage --minutes 15 --mode network --compare --by municipality
    """
    from ino_geo._errors import UsageError
    from ino_geo.data.io import check_output
    from ino_geo.analysis._inputs import check_thresholds

    check_thresholds(distances, minutes)  # at least one
    if compare and mode != "network":
        raise UsageError("--compare needs --mode network (straight-line coverage does not depend on corridors)")
    if network_path and mode != "network":
        raise UsageError("--network needs --mode network")
    routing = routing_kwargs(mode, direction, cost)
    _check_outputs(output, gaps_path, compare, overwrite)

    from ._inputs import network_layer, parks_file, river_layer
    from ._engine import analysis, engine_kwargs, partitioned_output, read_input
    from ino_geo.data.layers import read_layer

    on = engine_kwargs(engine, scheduler)
    if on and compare:
        raise UsageError("--compare runs on the local engine only")
    if cells_path and compare:
        raise UsageError("--cells is not available with --compare (run each --scenario to get its cells)")
    cells_out = partitioned_output(cells_path, engine, "--cells")
    if cells_path and not cells_out:
        check_output(cells_path, overwrite)

    lay = state.layers()
    if park_type_column and not parks_path:
        raise UsageError("--park-type-column needs --parks FILE")
    parks = parks_file(state, lay, parks_path, "--parks", park_type_column) if parks_path else lay["parks"]
    boundaries = lay["boundaries"] if "boundaries" in lay else None
    if population_path:
        state.progress(f"reading population {population_path}")
        population = read_input(state, population_path, engine, read_layer)
    else:
        population = lay["population"] if "population" in lay else None
    common = dict(
        park_types=list(park_types) or None, distances=distances, minutes=minutes, boundaries=boundaries, by=by,
        population=population, walk_speed_kmh=walk_speed, max_snap=max_snap, progress=state.progress, **routing,
    )
    if mode == "network":
        common["river"] = river_layer(lay)
        net = network_layer(state, lay, network_path, osm_profile, not osm_no_cache)
    if compare:
        from ino_geo.analysis.compare import compare_scenarios

        table = compare_scenarios(parks, net, **common)
        frames = {"comparison": table}
    else:
        run = analysis("coverage", dict(on, overwrite=overwrite) if cells_out else on)
        if mode == "network":
            common.update(network=net, scenario=scenario)
        res = run(parks, mode=mode, cells=(cells_path if cells_out else bool(cells_path)), **common)
        table = res.table
        frames = {"coverage": table, "covered": res.areas, "gaps": res.gaps}
    from ino_geo.data.output import emit_frame, write_frame, write_frames

    if cells_path and not cells_out:
        write_frame(res.cells, cells_path, overwrite, layer="cells")
        state.progress(f"wrote {len(res.cells)} cell rows to {cells_path}")
    if gaps_path:
        write_frame(res.gaps, gaps_path, overwrite, layer="gaps")
        state.progress(f"wrote {len(res.gaps)} gap polygons to {gaps_path}")
    if output:
        write_frames(frames, output, overwrite)
        state.progress(f"wrote {len(table)} rows to {output}")
    else:
        emit_frame(table, fmt)


def _check_outputs(output: str | None, gaps_path: str | None, compare: bool, overwrite: bool) -> None:
    """-o and --gaps writable, of a known format and distinct, before any work."""
    from ino_geo._errors import UsageError
    from ino_geo.data.io import check_output
    from ino_geo.data.output import check_extension

    if output:
        check_output(output, overwrite)
        check_extension(output, geometry=False)
    if gaps_path:
        check_output(gaps_path, overwrite)
        check_extension(gaps_path, geometry=True, option="--gaps")
        if compare:
            raise UsageError("--gaps is not available with --compare (run each --scenario to get its gaps)")
        if output and _same(output, gaps_path):
            raise UsageError("--gaps and -o name the same file")


def _same(a: str, b: str) -> bool:
    from pathlib import Path

    return Path(a).resolve() == Path(b).resolve()
