"""The Dask cluster and the partitions: the plumbing of :mod:`ino_geo.engine.dask_engine`.

:func:`open_client` (a given client, a scheduler address, or a ``LocalCluster`` for the
call), :func:`partitions` (a lazy frame's own partitions, or an in-memory layer sorted along
a Hilbert curve and cut), :func:`run_partitions` (a kernel per partition, what every
partition needs sent once per worker), :func:`read_partitioned` / :func:`write_part` and the
output folder (partitioned GeoParquet, published through
:class:`ino_geo.data.transaction.Outputs`).
"""

from __future__ import annotations

import contextlib
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

import numpy as np

from ino_geo._errors import DataError, InoGeoError, UsageError

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["require", "open_client", "partitions", "run_partitions", "read_partitioned", "write_part",
           "ROWS_PER_PARTITION"]

ROWS_PER_PARTITION = 100_000  # an in-memory layer is cut into partitions of about this many rows
_POS = "__ino_pos"  # the input position of each row, carried through the spatial shuffle


# -------------------------------------------------------------------------------- the cluster


@contextlib.contextmanager
def open_client(scheduler: str | None = None, client: Any = None, *, workers: int | None = None,
                processes: bool = True, progress: Callable[[str], None] | None = None) -> Iterator[Any]:
    """A ``distributed.Client``: `client` as is, one connected to `scheduler`, or one on a new
    ``LocalCluster`` (`workers` processes of one thread; closed on exit).

    The local cluster binds no fixed port (scheduler on a free port, no dashboard) and keeps
    its logs quiet.
    """
    import logging

    require()
    from distributed import Client, LocalCluster

    say = progress or (lambda msg: None)
    if client is not None:
        yield client
        return
    if scheduler:
        try:
            c = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise DataError(f"--scheduler {scheduler}: cannot connect to a Dask scheduler ({exc})") from None
        with c:
            say(f"dask: connected to {scheduler} ({len(c.scheduler_info().get('workers', {}))} workers)")
            yield c
        return
    n = workers or min(os.cpu_count() or 1, 4)
    say(f"dask: starting a local cluster of {n} worker(s)")
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=processes, dashboard_address=":0",
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as c:
        yield c


def require() -> None:
    """UsageError unless the Dask packages (the ``dask`` extra) are installed."""
    try:
        import dask  # noqa: F401
        import dask_geopandas  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as exc:
        raise UsageError(f"engine 'dask' needs the Dask packages: pip install \"ino-geo[dask]\" ({exc})") from None


def _n_workers(client: Any) -> int:
    return max(1, len(client.scheduler_info().get("workers", {})))


# ------------------------------------------------------------------------ partitioned inputs


def read_partitioned(path: str | os.PathLike, *, lazy: bool = True):
    """A partitioned GeoParquet folder: lazily (a dask-geopandas frame, one partition per file),
    or whole in memory (``lazy=False``, a GeoDataFrame)."""
    p = Path(path)
    if not p.is_dir() or not any(p.glob("*.parquet")):
        raise UsageError(f"{p}: not a folder of GeoParquet files (*.parquet)")
    try:
        if lazy:
            import dask_geopandas

            out = dask_geopandas.read_parquet(str(p))
        else:
            import geopandas as gpd

            out = gpd.read_parquet(str(p))
    except InoGeoError:
        raise
    except Exception as exc:
        raise DataError(f"{p}: cannot be read as GeoParquet: {exc}") from None
    if not lazy:  # a dask frame has no attrs
        out.attrs["source_file"] = str(p)
    return out


def _is_lazy(frame: Any) -> bool:
    return hasattr(frame, "to_delayed") and hasattr(frame, "npartitions")


def partitions(frame: Any, client: Any, *, keep_order: bool = True) -> list:
    """The partitions of a layer, as delayed objects or futures: a dask frame's own partitions
    (read lazily, e.g. the files of a partitioned GeoParquet folder), or an in-memory
    GeoDataFrame sorted along a Hilbert curve (geopandas' ``hilbert_distance``) and cut into
    runs of about ``ROWS_PER_PARTITION`` rows (at least two per worker), each sent to the
    cluster once. With `keep_order`, a column ``__ino_pos`` keeps each row's input position
    (for a dask frame: partition number * 2**32 + row).

    The spatial sort is done here, not by a Dask shuffle: the layer is already in this
    process, and a distributed shuffle of it costs more than the analysis of small inputs.
    """
    if _is_lazy(frame):
        parts = frame.to_delayed()
        if keep_order:
            import dask

            parts = [dask.delayed(_with_pos)(p, i << 32) for i, p in enumerate(parts)]
        return parts
    gdf = frame.copy()
    if keep_order:
        gdf[_POS] = np.arange(len(gdf), dtype=np.int64)
    n = max(2 * _n_workers(client), math.ceil(len(gdf) / ROWS_PER_PARTITION))
    n = max(1, min(n, len(gdf)))
    geom = gdf.geometry
    if n > 1 and not (geom.isna() | geom.is_empty).any():  # the Hilbert distance needs a box per geometry
        gdf = gdf.iloc[np.argsort(np.asarray(geom.hilbert_distance()), kind="stable")]
    cuts = np.linspace(0, len(gdf), n + 1).astype(int)
    return client.scatter([gdf.iloc[a:b] for a, b in zip(cuts[:-1], cuts[1:])])


def _with_pos(part, start: int):
    part = part.copy()
    part[_POS] = start + np.arange(len(part), dtype=np.int64)
    return part


def run_partitions(client: Any, parts: Sequence, kernel: Callable, shared: Any) -> list:
    """``kernel(partition, shared, i)`` for each partition on the cluster; `shared` is sent to
    every worker once; the results, in partition order."""
    import dask

    fut = client.scatter(_Box(shared), broadcast=True, hash=False)
    tasks = [dask.delayed(kernel, pure=False)(p, fut, i) for i, p in enumerate(parts)]
    return client.gather(client.compute(tasks))


class _Box:
    """One object to scatter (a list or dict would be scattered item by item)."""

    def __init__(self, value: Any) -> None:
        self.value = value


def write_part(frame: "gpd.GeoDataFrame", folder: str, i: int) -> int:
    """Write one partition of a result as ``part.NNNNN.parquet`` in `folder`; its row count."""
    frame.to_parquet(Path(folder) / f"part.{i:05d}.parquet", index=False)
    return len(frame)


@contextlib.contextmanager
def _output_folder(path: str | os.PathLike, overwrite: bool) -> Iterator[str]:
    """A staging folder beside `path` for the partitions to write into, put in place of `path`
    when the block succeeds (:class:`ino_geo.data.transaction.Outputs`: an existing output is
    replaced whole, only by a complete one, and only with `overwrite`; nothing is left on
    failure). The workers must see the same file system as the client."""
    from ino_geo.data.transaction import Outputs

    with Outputs(overwrite=overwrite) as out:
        yield str(out.folder(Path(str(path).rstrip("/" + os.sep)), replace=True))


def _metric_crs(frame: Any, crs: Any, fallback: Any = None) -> str:
    """The metric CRS as the local engine chooses it (from the frame's extent)."""
    import geopandas as gpd
    from shapely import box

    from ino_geo.crs import is_projected, metric_crs_for

    if crs is not None:
        if not is_projected(crs):
            raise UsageError(f"crs {crs}: not a projected metric CRS")
        return str(crs)
    if not _is_lazy(frame):
        return metric_crs_for(frame if len(frame) or fallback is None else fallback)
    if frame.crs is None:
        raise DataError("cannot choose a metric CRS: the data has no CRS")
    b = np.asarray(frame.total_bounds.compute() if hasattr(frame.total_bounds, "compute") else frame.total_bounds)
    if not np.isfinite(b).all():
        return metric_crs_for(fallback) if fallback is not None else metric_crs_for(frame._meta)
    return metric_crs_for(gpd.GeoDataFrame(geometry=[box(*b)], crs=frame.crs))
