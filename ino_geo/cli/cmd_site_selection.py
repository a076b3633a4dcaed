"""``ino-geo site-selection``: where the next parks of one type should go (MCLP / LSCP / p-median)."""

from __future__ import annotations

import click

from ino_geo import defaults

from ._decisions import by_opt, distance_one, minutes_one, population_opt
from .options import (format_opt, max_snap_opt, mode_opt, network_opt, overwrite_opt, park_type_one_opt, scenario_opt,
                      walk_speed_opt)


@click.command("site-selection")
@park_type_one_opt
@click.option("--new", "new", type=int, default=None, metavar="N",
              help="New sites to choose (max-coverage, p-median); for min-sites an upper limit.")
@click.option("--objective", type=click.Choice(["max-coverage", "min-sites", "p-median"]), default="max-coverage",
              show_default=True, help="Most people newly covered; fewest sites for everyone (or --target); "
                                      "least population-weighted travel (capped at the standard).")
@distance_one
@minutes_one
@mode_opt()
@network_opt()
@scenario_opt()
@click.option("--candidates", "candidates_path", default=None, metavar="PATH",
              help="Candidate sites: points or polygons (a file or a layer name); default: the population cell centroids.")
@click.option("--target", type=float, default=None, metavar="SHARE",
              help="min-sites: the share of all people to bring within the standard (0..1] [default: 1].")
@click.option("--time-limit", type=float, default=defaults.SITE_TIME_LIMIT_S, show_default=True, metavar="S",
              help="Seconds for the exact solve; when hit, the best solution and its gap.")
@click.option("--solver", type=click.Choice(["auto", "exact", "greedy"]), default="auto", show_default=True,
              help="auto: exact MILP (HiGHS) up to a size limit, lazy greedy beyond.")
@by_opt
@population_opt
@max_snap_opt("Network mode: longest walk to/from the network, metres.")
@walk_speed_opt
@format_opt(["table", "csv", "json"])
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Write the chosen sites here (.geojson, .gpkg with the table and the newly covered area, .csv); "
                   "the table still goes to stdout.")
@overwrite_opt
@click.pass_obj
def site_selection(state, park_type, new, objective, distance, minutes, mode, network_path, scenario, candidates_path,
                   target, time_limit, solver, by, population_path, max_snap, walk_speed, fmt, output, overwrite) -> None:
    """Choose --new N sites for parks of one type, keeping the existing parks.

    People are counted at their cell's centroid within the standard (--distance M or
    --minutes N) of a park (the standard discrete models, as spopt); the table also gives the
    area-weighted coverage that 'ino-geo coverage' reports for the existing and for the
    existing plus new sites. stdout: people covered before and after, in total and per
    boundary (--format json: an object with the summary, the sites and the table); stderr: how
    the answer was reached (exact, time limit with its gap, or greedy with its bound).
    -o writes the chosen sites (.geojson, .gpkg with the table and the newly covered area, .csv).

    Example (park types as in the catalogue): ino-geo site-selection --park-type TYPE --new 3 --distance 2000 --by municipality -o new.geojson
    """
    from ino_geo._errors import UsageError

    from ._decisions import check_common, check_outputs, inputs

    check_common(mode, network_path)
    if time_limit is None or not (time_limit > 0) or time_limit == float("inf"):
        raise UsageError(f"--time-limit {time_limit}: must be a positive number of seconds")
    check_outputs([(output, True, "-o")], overwrite)
    lay, parks, population, boundaries, net = inputs(state, park_type, population_path, mode, network_path)
    cands = None
    if candidates_path:
        from ._inputs import layer_or_file

        cands = layer_or_file(state, lay, candidates_path, "--candidates")

    import ino_geo

    res = ino_geo.site_selection(parks, population, park_type=park_type, new=new, objective=objective,
                                 distance=distance, minutes=minutes, mode=mode, scenario=scenario, candidates=cands,
                                 target=target, time_limit=time_limit, solver=solver, boundaries=boundaries, by=by,
                                 walk_speed_kmh=walk_speed, max_snap=max_snap, progress=state.progress, **net)
    s = res.summary
    state.progress(f"{objective}: {s['n_sites']} new site(s); {s['note']}")
    from ino_geo.data.output import emit_frame, write_frame, write_frames

    if output:
        from pathlib import Path

        if Path(output).suffix.lower() == ".gpkg":
            write_frames({"sites": res.sites, "coverage": res.table, "newly_covered": res.newly_covered}, output,
                         overwrite)
        else:
            write_frame(res.sites, output, overwrite, layer="sites")
        state.progress(f"wrote {len(res.sites)} sites to {output}")
    if fmt == "json":
        click.echo(_json(res))
    else:
        emit_frame(res.table, fmt)


def _json(res) -> str:
    """One JSON object: summary, sites (with lon/lat or the polygon's representative point), table."""
    import json

    from ino_geo._json import jsonable
    from ino_geo.data.output import format_frame

    pts = res.sites.geometry.representative_point()
    sites = json.loads(format_frame(res.sites.assign(lon=pts.x, lat=pts.y), "json"))
    table = json.loads(format_frame(res.table, "json"))
    # the records only: the summary carries the metadata once
    sites, table = (p["records"] if isinstance(p, dict) else p for p in (sites, table))
    out = {"summary": {k: jsonable(v) for k, v in res.summary.items()}, "sites": sites, "table": table}
    return json.dumps(out, ensure_ascii=False, indent=2)
