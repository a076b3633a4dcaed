"""``ino-geo proximity``: the nearest park(s) of each type from each origin."""

from __future__ import annotations

import click

from .options import (
    crs_opt,
    format_opt,
    max_snap_opt,
    mode_opt,
    network_opt,
    output_opt,
    overwrite_opt,
    park_type_column_opt,
    park_type_opt,
    scenario_opt,
    walk_speed_opt,
    xy_opt,
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
@max_snap_opt("Network mode: longest walk to/from the network (and longest direct walk), metres.")
@walk_speed_opt
@click.option("--matrix", is_flag=True, help="Every origin x destination pair instead of the k nearest.")
@format_opt(["table", "csv", "json", "geojson"])
@output_opt
@overwrite_opt
@click.pass_obj
def proximity(state, origins, xy, crs, destinations, park_type_column, park_types, k, mode, network_path, osm_profile, osm_no_cache, scenario, max_snap, walk_speed,
              matrix, fmt, output, overwrite) -> None:
    """Distance (m) and, in network mode, travel time (min) to the nearest park of each type.

    One row per origin, park type and rank; a point inside a park has distance 0. Ties are
    ranked in the destination layer's order and flagged in 'tied'; a type without parks gives
    status no_destination; in network mode origins that cannot reach the network within
    --max-snap (or only across the Tom) get status unsnapped, never an invented route.

    Example: ino-geo proximity -k 3 --mode network --format geojson
    """
    from ino_geo._errors import UsageError
    from ino_geo.data.io import check_output

    if network_path and mode != "network":
        raise UsageError("--network needs --mode network")
    if output:
        from ino_geo.data.output import check_extension

        check_output(output, overwrite)
        check_extension(output, geometry=True)

    from ._inputs import carry_origin_columns, layer_or_file, network_layer, parks_file, river_layer
    from ino_geo.analysis.proximity import proximity as run

    lay = state.layers()
    o = layer_or_file(state, lay, origins, "--from", xy=xy, crs=crs)
    d = parks_file(state, lay, destinations, "--to", park_type_column, required=False)
    kw = {}
    if mode == "network":
        kw = dict(network=network_layer(state, lay, network_path, osm_profile, not osm_no_cache), scenario=scenario, river=river_layer(lay))
    res = run(o, d, park_types=list(park_types) or None, k=k, mode=mode, max_snap=max_snap, walk_speed_kmh=walk_speed,
              matrix=matrix, progress=state.progress, **kw)
    res = carry_origin_columns(res, o)
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
