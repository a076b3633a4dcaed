"""Accessibility on the Dask engine (see :mod:`ino_geo.engine.dask_engine`).

The expensive part of :func:`ino_geo.accessibility` is the sparse cost of every cell to
every park within the catchment (straight line, or along the network). The cells are cut
into spatial partitions and each partition computes its costs with the analysis's own step
(:func:`~ino_geo.analysis.accessibility.cell_park_costs`), the parks (and, in network mode,
the router: network, snapping, river, built once on the client) sent once per worker. The
two floating-catchment steps need the pairs of every cell (a park's supply ratio is shared
among all the people within its reach), so the pairs, small beside the cells x parks
product, come back to the client, which runs the analysis's last step
(:func:`~ino_geo.analysis.accessibility.access_result`) on them: the same tables.
"""

from __future__ import annotations

import numpy as np

from ino_geo import defaults
from ino_geo._errors import UsageError
from ino_geo.engine.dask_cluster import _POS, _is_lazy, open_client, partitions, run_partitions

__all__ = ["accessibility"]


def accessibility(parks, population, *, park_type=None, method="2sfca", distance=None, minutes=None,
                  mode="euclidean", network=None, scenario="existing", river=None,
                  walk_speed_kmh=defaults.WALK_SPEED_KMH, max_snap=defaults.MAX_SNAP_M, crs=None, supply=None,
                  weights=None, decay="power", beta=None, min_cost=None, boundaries=None, by=None, below=None,
                  progress=None, scheduler=None, client=None):
    """:func:`ino_geo.accessibility` with the cell-to-park costs computed partition by partition.

    `population` is an in-memory layer (a partitioned GeoParquet folder: read it whole with
    :func:`~ino_geo.engine.dask_engine.read_partitioned` ``(lazy=False)``): the scores of
    every cell are returned in memory, as by the local engine.
    """
    from ino_geo.analysis.accessibility import access_inputs, access_result

    if _is_lazy(population):
        raise UsageError("accessibility on the Dask engine takes the population layer in memory "
                         "(read a partitioned folder with read_partitioned(path, lazy=False))")
    say = progress or (lambda msg: None)
    inp = access_inputs(parks, population, park_type=park_type, method=method, distance=distance, minutes=minutes,
                        supply=supply, crs=crs)
    shared = dict(pgeoms=inp.pgeoms, limit=inp.limit, unit=inp.unit, crs=inp.crs, mode=mode,
                  walk_speed_kmh=walk_speed_kmh, max_snap=max_snap, router=None)
    if mode == "network":
        shared["router"] = _router(network, scenario, inp, river, walk_speed_kmh, max_snap, say)
    with open_client(scheduler, client, progress=say) as c:
        parts = partitions(_cell_frame(inp), c)
        say(f"dask: costs from {len(inp.cells)} cells to {len(inp.pgeoms)} parks on {len(parts)} partitions")
        results = run_partitions(c, parts, _costs_part, shared)
    pairs = _gather_pairs(results, len(inp.cells), len(inp.pgeoms), inp.unit)
    out = access_result(inp, pairs, population, method=method, weights=weights, decay=decay, beta=beta,
                        min_cost=min_cost, boundaries=boundaries, by=by, below=below, mode=mode, scenario=scenario,
                        supply=supply)
    out.table.attrs["engine"] = "dask"
    out.table.attrs["partitions"] = len(results)
    return out


def _router(network, scenario, inp, river, walk_speed_kmh, max_snap, say):
    """The network set-up of the analysis (:class:`~ino_geo.analysis._costs.Router`), done once."""
    from ino_geo.analysis import _costs
    from ino_geo.analysis._inputs import check_mode

    river = check_mode("network", river)
    say(f"dask: building the network ({scenario}) once")
    return _costs.Router(network, scenario, crs=inp.crs, river=river, unit=inp.unit, walk_speed_kmh=walk_speed_kmh,
                         max_snap=max_snap, progress=say)


def _cell_frame(inp):
    import geopandas as gpd

    return gpd.GeoDataFrame(geometry=np.asarray(inp.cells, dtype=object), crs=inp.crs)


def _costs_part(part, shared, i: int):
    """The cost pairs of one partition's cells, rows numbered by the cells' input positions."""
    from ino_geo.analysis.accessibility import cell_park_costs

    s = shared.value
    cells = np.asarray(part.geometry.values, dtype=object)
    pairs = cell_park_costs(cells, s["pgeoms"], s["limit"], s["unit"], mode=s["mode"], crs=s["crs"],
                            walk_speed_kmh=s["walk_speed_kmh"], max_snap=s["max_snap"], router=s["router"])
    pos = part[_POS].to_numpy()
    return pos[pairs.row], pairs.col, pairs.cost


def _gather_pairs(results, n_rows: int, n_cols: int, unit: str):
    """The partitions' pairs as one :class:`~ino_geo.analysis._costs.Pairs`, in the local
    engine's order: by cell, each cell's pairs in the order its partition found them (the
    same query on the same parks)."""
    from ino_geo.analysis._costs import Pairs

    row = np.concatenate([r[0] for r in results]).astype(np.int64) if results else np.zeros(0, np.int64)
    col = np.concatenate([r[1] for r in results]).astype(np.int64) if results else np.zeros(0, np.int64)
    cost = np.concatenate([r[2] for r in results]).astype(float) if results else np.zeros(0)
    order = np.argsort(row, kind="stable")
    return Pairs(row[order], col[order], cost[order], n_rows, n_cols, unit)
