"""``ino-geo accessibility``: who is under-served by a park type (2SFCA / E2SFCA / gravity scores)."""

from __future__ import annotations

import click

from ._decisions import by_opt, distance_one, minutes_one, population_opt
from .options import (engine_opts, format_opt, max_snap_opt, mode_opt, network_opt, output_opt, overwrite_opt, park_type_one_opt,
                      scenario_opt, walk_speed_opt)


@click.command("accessibility")
@park_type_one_opt
@click.option("--method", type=click.Choice(["2sfca", "e2sfca", "gravity"]), default="2sfca", show_default=True,
              help="2SFCA, enhanced 2SFCA (ring weights), or gravity with competition.")
@distance_one
@minutes_one
@mode_opt()
@network_opt()
@scenario_opt()
@click.option("--compare", is_flag=True,
              help="Network mode: both scenarios side by side (mean score, people gaining access per boundary).")
@click.option("--supply", "supply", default=None, metavar="COLUMN",
              help="Park column holding the supply (e.g. beds); default: the park's area in hectares.")
@click.option("--weights", default=None, metavar="W1,W2,...",
              help="e2sfca: weights of equal rings of the catchment [default: 1,0.68,0.22 (Luo & Qi)].")
@click.option("--decay", type=click.Choice(["power", "exponential"]), default="power", show_default=True,
              help="gravity: power (max(d,d0)/d0)^-beta, or exponential exp(-beta d / catchment).")
@click.option("--beta", type=float, default=None, help="gravity: decay parameter [default: power 1, exponential 3].")
@click.option("--below", type=float, default=None, metavar="SCORE",
              help="Score (per 1,000 people) under which people count as under-served [default: half the mean].")
@by_opt
@population_opt
@click.option("--cells", "cells_path", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Write the per-cell scores here (.geojson, .gpkg, .csv, ...).")
@max_snap_opt("Network mode: longest walk to/from the network, metres.")
@walk_speed_opt
@engine_opts
@format_opt(["table", "csv", "json"])
@output_opt
@overwrite_opt
@click.pass_obj
def accessibility(state, park_type, method, distance, minutes, mode, network_path, scenario, compare, supply, weights, decay, beta,
                  below, by, population_path, cells_path, max_snap, walk_speed, engine, scheduler, fmt, output,
                  overwrite) -> None:
    """Accessibility of each population cell to the parks of one type, and who is under-served.

    Each park's supply (hectares, or --supply COLUMN) is shared among the people within the
    catchment (--distance M or --minutes N, from each cell's centroid to the nearest point of
    the park, straight or along the network); a cell's score is the supply per 1,000 people it
    can reach. The table gives, for the study area and with --by per boundary, the
    population-weighted mean score, the people below --below, the people with no park within
    reach and the Gini of the score among people. --cells writes the per-cell scores.

    Example (park types as in the catalogue): ino-geo accessibility --park-type TYPE --method e2sfca --minutes 20 --mode network --by district
    """
    from ino_geo._errors import UsageError

    from ._decisions import check_common, check_outputs, inputs

    check_common(mode, network_path)
    w = _weights(weights) if weights else None
    if w is not None and method != "e2sfca":
        raise UsageError("--weights only applies to --method e2sfca")
    if beta is not None and method != "gravity":
        raise UsageError("--beta only applies to --method gravity")
    if compare and mode != "network":
        raise UsageError("--compare needs --mode network (straight-line scores do not depend on corridors)")
    if compare and cells_path:
        raise UsageError("--cells is not available with --compare (run each --scenario to get its cells)")
    check_outputs([(output, False, "-o"), (cells_path, True, "--cells")], overwrite)
    _, parks, population, boundaries, net = inputs(state, park_type, population_path, mode, network_path)

    import ino_geo

    from ._engine import engine_kwargs

    on = engine_kwargs(engine, scheduler)

    def run(scen, below=below):
        return ino_geo.accessibility(parks, population, park_type=park_type, method=method, distance=distance,
                                     minutes=minutes, mode=mode, scenario=scen, supply=supply, weights=w, decay=decay,
                                     beta=beta, below=below, boundaries=boundaries, by=by, walk_speed_kmh=walk_speed,
                                     max_snap=max_snap, progress=state.progress, **net, **on)

    from ino_geo.data.output import emit_frame, write_frame, write_frames

    if compare:
        from ino_geo.analysis.accessibility import compare_accessibility

        first = run("existing")
        table = compare_accessibility(first, run("planned", below=first.table.attrs["below"]))
        if output:
            write_frame(table, output, overwrite, layer="comparison")
            state.progress(f"wrote {len(table)} rows to {output}")
        else:
            emit_frame(table, fmt)
        return
    res = run(scenario)

    if cells_path:
        write_frame(res.cells, cells_path, overwrite, layer="cells")
        state.progress(f"wrote {len(res.cells)} cells to {cells_path}")
    if output:
        write_frames({"accessibility": res.table, "cells": res.cells, "parks": res.parks}, output, overwrite)
        state.progress(f"wrote {len(res.table)} rows to {output}")
    else:
        emit_frame(res.table, fmt)


def _weights(text: str) -> list[float]:
    from ino_geo._errors import UsageError

    try:
        out = [float(x) for x in text.split(",")]
    except ValueError:
        raise UsageError(f"--weights {text}: give numbers separated by commas, e.g. 1,0.68,0.22") from None
    return out
