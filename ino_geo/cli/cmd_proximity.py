"""``ino-geo proximity``: the nearest park(s) of each type from each origin."""

from __future__ import annotations

from pathlib import Path

import click

from .options import (
    crs_opt,
    engine_opts,
    format_opt,
    max_snap_opt,
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
    xy_opt,
    with_outputs,
)
from .options import osm_network_opts


@click.command("proximity")
@click.option("--from", "origins", default="sites", show_default=True, metavar="LAYER|PATH",
              help="Origins: a layer name, a vector file (points or polygons), or a spreadsheet of points "
                   "(.csv/.tsv/.txt/.xlsx; see --xy, --crs).")
@xy_opt
@crs_opt
@click.option("--to", "destinations", default="parks", show_default=True, metavar="LAYER|PATH",
              help="Destinations: a layer name or a vector file (grouped by park_type if it has one).")
@park_type_column_opt
@park_type_opt
@click.option("-k", "k", type=click.IntRange(min=1), default=1, show_default=True,
              help="Number of nearest parks per origin and type.")
@mode_opt()
@network_opt()
@osm_network_opts
@scenario_opt()
@routing_opts(cost=True)
@max_snap_opt("Network mode: longest walk to/from the network (and longest direct walk), metres.")
@walk_speed_opt
@click.option("--matrix", is_flag=True, help="Every origin x destination pair instead of the k nearest.")
@engine_opts
@format_opt(["table", "csv", "json", "geojson"])
@output_opt
@overwrite_opt
@click.pass_obj
@with_outputs("origins", "destinations", "network_path")
def proximity(state, origins, xy, crs, destinations, park_type_column, park_types, k, mode, network_path, osm_profile,
              osm_no_cache, scenario, direction, cost, max_snap, walk_speed, matrix, engine, scheduler, fmt, output, overwrite) -> None:
    """Distance (m) and, in network mode, travel time (min) to the nearest park of each type.

    One row per origin, park type and rank; a point inside a park has distance 0. Ties are
    ranked in the destination layer's order and flagged in 'tied'; a type without parks gives
    status no_destination; in network mode origins that cannot reach the network within
    --max-snap (or only across the Tom) get status unsnapped, never an invented route.
    --cost picks the quickest or the shortest route, --direction the way it is travelled.

    Example: ino-geo proximity -k 3 --mode network --format geojson
    """
    from ino_geo._errors import UsageError
    from ino_geo.data.io import check_output

    if network_path and mode != "network":
        raise UsageError("--network needs --mode network")
    routing = routing_kwargs(mode, direction, cost)
    from ._engine import analysis, engine_kwargs, partitioned_output, read_input

    on = engine_kwargs(engine, scheduler)
    folder = partitioned_output(output, engine, "-o")  # written by the engine, partition by partition
    if folder:
        on.update(output=output, overwrite=overwrite)
    elif output:
        from ino_geo.data.output import check_extension

        check_output(output, overwrite)
        check_extension(output, geometry=True)

    from ._inputs import carry_origin_columns, layer_or_file, network_layer, parks_file, river_layer

    run = analysis("proximity", on)
    lay = state.layers()
    o = read_input(state, origins, engine, lambda v: layer_or_file(state, lay, v, "--from", xy=xy, crs=crs))
    d = parks_file(state, lay, destinations, "--to", park_type_column, required=False)
    kw = {}
    if mode == "network":
        kw = dict(network=network_layer(state, lay, network_path, osm_profile, not osm_no_cache), scenario=scenario, river=river_layer(lay))
    # the link lines only where they are shown: GeoJSON and geometry files (tables, CSV, JSON drop them)
    links = fmt == "geojson" or bool(output and Path(output).suffix.lower() not in (".csv", ".json"))
    res = run(o, d, park_types=list(park_types) or None, k=k, mode=mode, max_snap=max_snap, walk_speed_kmh=walk_speed,
              matrix=matrix, links=links, progress=state.progress, **kw, **routing)
    if folder:
        state.progress(f"wrote {len(res)} rows to {output} (partitioned GeoParquet)")
        return
    res = carry_origin_columns(res, o)
    if mode == "network" and links:
        from ino_geo.network.paths import route_paths

        res = route_paths(res, kw["network"], scenario=scenario)  # each network link drawn along its route
    bad = res["status"].isin(["unsnapped", "unreachable"])
    if bad.any():
        n = res.loc[bad, "origin_id"].nunique()
        state.progress(f"{n} origin(s) unsnapped or unreachable (see the status column)")
    from ino_geo.data.output import emit_frame, write_frame

    if output:
        write_frame(res, output, overwrite, layer="proximity")
        state.progress(f"wrote {len(res)} rows to {output}")
    else:
        emit_frame(res, fmt)
