"""Proximity on the Dask engine (see :mod:`ino_geo.engine.dask_engine`).

Each partition of origins runs :func:`ino_geo.proximity` itself, with the destinations and
(network mode) the network built once on the client broadcast to every worker. The nearest
parks of an origin do not depend on the other origins, so every row is the local engine's
row; the client restores the origins' order (or, for a partitioned output, each partition
writes its rows as one GeoParquet file).
"""

from __future__ import annotations

import numpy as np

from ino_geo.engine.dask_cluster import _POS, _is_lazy, _metric_crs, _output_folder, open_client, partitions, \
    run_partitions, write_part

__all__ = ["proximity"]

_ID = "__ino_id"  # the origin's identifier as the local engine reports it


def proximity(origins, destinations, *, mode="euclidean", network=None, scenario="existing", river=None, crs=None,
              origin_id=None, progress=None, engine="dask", scheduler=None, client=None, output=None,
              overwrite=False, **other):
    """:func:`ino_geo.proximity` partition by partition.

    `origins` may be a GeoDataFrame (spatially shuffled into partitions) or a lazy
    dask-geopandas frame. With `output` (a folder path) the rows are written there as
    partitioned GeoParquet (one file per partition, rows in origin order within it) and a lazy
    dask-geopandas frame reading them is returned; otherwise the gathered GeoDataFrame, equal
    to the local engine's.
    """
    from ino_geo.analysis.proximity import id_column
    from ino_geo.analysis.proximity import proximity as local_proximity

    say = progress or (lambda msg: None)
    meta = origins._meta if _is_lazy(origins) else origins.iloc[:0]
    ocol = id_column(meta, origin_id)
    metric = _metric_crs(origins, crs, fallback=destinations)
    if not _is_lazy(origins):
        origins = _with_id(origins, ocol)
    with open_client(scheduler, client, progress=say) as c:
        if mode == "network":
            from ino_geo.network.scenarios import scenario_network

            say(f"dask: building the network ({scenario}) once")
            if network is None:
                from ino_geo._errors import UsageError

                raise UsageError("network mode needs a network (the corridors layer or --network PATH)")
            network = scenario_network(network, scenario, crs=metric)
        common = dict(mode=mode, network=network, scenario=scenario, crs=metric, **other)
        # the arguments checked once, here (and the river warning given once): no origins
        empty = local_proximity(_with_id(meta.assign(**{_POS: np.zeros(0, np.int64)}), ocol), destinations,
                                river=river, origin_id=_POS, **common)
        shared = dict(destinations=destinations, ocol=ocol, river=False if river is None else river,
                      common=common, folder=None)
        parts = partitions(origins, c)
        say(f"dask: proximity on {len(parts)} partitions")
        if output is not None:
            with _output_folder(output, overwrite) as tmp:
                shared["folder"] = tmp
                run_partitions(c, parts, _proximity_part, shared)
            import dask_geopandas

            return dask_geopandas.read_parquet(str(output).rstrip("/"))
        frames = run_partitions(c, parts, _proximity_part, shared)
    return _gather(frames, empty)


def _with_id(part, ocol):
    """`part` with the origin identifier the local engine would report (its id column, else
    its index as text) kept in a column: the spatial shuffle replaces the index."""
    if _ID in part.columns:
        return part
    ids = part[ocol].astype(object).to_numpy() if ocol else np.asarray(part.index.astype(str), dtype=object)
    return part.assign(**{_ID: ids})


def _proximity_part(part, shared, i: int):
    import pandas as pd

    from ino_geo.analysis._inputs import check_geometries
    from ino_geo.analysis.proximity import proximity as local_proximity

    s = shared.value
    check_geometries(part, "origins", s["ocol"])
    part = _with_id(part, s["ocol"])
    res = local_proximity(part, s["destinations"], river=s["river"], origin_id=_POS, **s["common"])
    pos = res["origin_id"].to_numpy(dtype=np.int64)
    ids = pd.Series(part[_ID].to_numpy(), index=part[_POS].to_numpy())
    res["origin_id"] = ids.loc[pos].to_numpy()
    if s["folder"]:
        return write_part(res, s["folder"], i)
    res[_POS] = pos
    return res


def _gather(frames: list, empty):
    import geopandas as gpd
    import pandas as pd

    frames = [f for f in frames if len(f)]
    if not frames:
        return empty
    df = pd.concat(frames, ignore_index=True).sort_values(_POS, kind="stable").drop(columns=[_POS])
    out = gpd.GeoDataFrame(df.reset_index(drop=True), geometry="geometry", crs=empty.crs)
    out["rank"] = out["rank"].astype("Int64")
    out.attrs = dict(empty.attrs)
    return out
