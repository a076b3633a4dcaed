"""``ino-geo proximity``: the nearest park(s) of each type from each origin."""

from __future__ import annotations

import click

from .options import engine_opts, format_opt, mode_opt, network_opt, output_opt, overwrite_opt, park_type_opt, scenario_opt

_MAX_SNAP_M = 1000.0  # ino_geo.network.DEFAULT_MAX_SNAP_M (not imported: `--help` stays light)
_WALK_KMH = 4.5


@click.command("proximity")
@click.option("--from", "origins", default="sites", show_default=True, metavar="LAYER|PATH",
              help="Origins: a layer name or a vector file (points or polygons).")
@click.option("--to", "destinations", default="parks", show_default=True, metavar="LAYER|PATH",
              help="Destinations: a layer name or a vector file (grouped by park_type if it has one).")
@park_type_opt
@click.option("-k", "k", type=click.IntRange(min=1), default=1, show_default=True,
              help="Number of nearest parks per origin and type.")
@mode_opt
@network_opt
@scenario_opt
@click.option("--max-snap", type=float, default=_MAX_SNAP_M, show_default=True,
              help="Network mode: longest walk to/from the network (and longest direct walk), metres.")
@click.option("--walk-speed", type=float, default=_WALK_KMH, show_default=True, help="Walking speed, km/h.")
@click.option("--matrix", is_flag=True, help="Every origin x destination pair instead of the k nearest.")
@engine_opts
@format_opt(["table", "csv", "json", "geojson"])
@output_opt
@overwrite_opt
@click.pass_obj
def proximity(state, origins, destinations, park_types, k, mode, network_path, scenario, max_snap, walk_speed,
              matrix, fmt, output, overwrite, engine="local", scheduler=None) -> None:
    """Distance (m) and, in network mode, travel time (min) to the nearest park of each type.

    One row per origin, park type and rank; a point inside a park has distance 0. Ties are
    ranked in the destination layer's order and flagged in 'tied'; a type without parks gives
    status no_destination; in network mode origins that cannot reach the network within
    --max-snap (or only across the Tom) get status unsnapped, never an invented route.

    Example: ino-geo proximity --park-type medical -k 3 --mode network --format geojson
    """
    from ino_geo._errors import UsageError
    from ino_geo.data.io import check_output

    if not (max_snap >= 0) or max_snap == float("inf"):
        raise UsageError(f"--max-snap {max_snap}: must be a finite number of metres >= 0")
    if not (walk_speed > 0) or walk_speed == float("inf"):
        raise UsageError(f"--walk-speed {walk_speed}: must be a positive number of km/h")
    if network_path and mode != "network":
        raise UsageError("--network needs --mode network")
    from ._engine import analysis, engine_kwargs, partitioned_output, read_input

    on = engine_kwargs(engine, scheduler)
    folder = partitioned_output(output, engine)  # written by the engine, partition by partition
    if folder:
        on.update(output=output, overwrite=overwrite)
    elif output:
        from ino_geo.data.output import check_extension

        check_output(output, overwrite)
        check_extension(output, geometry=True)

    from ._inputs import layer_or_file, network_layer, river_layer
    run = analysis("proximity", on)

    lay = state.layers()
    o = read_input(state, origins, engine, lambda v: layer_or_file(state, lay, v, "--from"))
    d = layer_or_file(state, lay, destinations, "--to")
    kw = {}
    if mode == "network":
        kw = dict(network=network_layer(state, lay, network_path), scenario=scenario, river=river_layer(lay))
    res = run(o, d, park_types=list(park_types) or None, k=k, mode=mode, max_snap=max_snap, walk_speed_kmh=walk_speed,
              matrix=matrix, progress=state.progress, **kw, **on)
    if folder:
        state.progress(f"wrote {len(res)} rows to {output} (partitioned GeoParquet)")
        return
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
