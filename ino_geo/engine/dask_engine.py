"""The Dask engine: coverage, proximity and accessibility partition by partition on a Dask cluster.

The single-machine kernels run unchanged on each partition; only the inputs that grow with
the study (population cells, origins) are partitioned, spatially (a Hilbert-curve spatial
shuffle of an in-memory layer, or the partitions of a GeoParquet folder read lazily). What
every partition needs is sent once per worker (``client.scatter(..., broadcast=True)``):

* coverage: the covered polygon of each park type and threshold and the boundary zones. The
  covered polygons (buffers or network isochrones) and the area part of the table do not
  depend on the cells and are computed once, on the client, by the local engine; each
  partition splits its cells by the zones and computes :func:`ino_geo.covered_shares` per
  cover (the same kernel as the local engine); the client adds the partition sums.
* proximity: the destinations and, in network mode, the network built once on the client
  (with the river); each partition runs :func:`ino_geo.proximity` itself on its origins.
  Nearest parks of an origin do not depend on other origins, so the rows are the same.
* accessibility: the parks (and the network router) broadcast; each partition of cells
  computes its sparse costs to the parks within the catchment; the client runs the two
  floating-catchment steps on the gathered pairs (a park's ratio needs every cell in reach).

The cluster: ``client=`` (an open ``distributed.Client``, left open), ``scheduler=ADDRESS``
(a running cluster: ``tcp://host:8786``, a Kubernetes or hosted Dask scheduler), or, without
either, a ``LocalCluster`` started for the call and closed after it.

Adding an analysis
------------------
Write one function here named like the public function, taking its arguments (in a module
``_dask_<name>.py`` using the plumbing of :mod:`ino_geo.engine.dask_cluster`); partition the
cells with :func:`partitions`, broadcast what every partition needs with
:func:`run_partitions` (its ``shared`` argument) and give it a kernel ``kernel(part, shared,
i)`` that calls the single-machine code on one partition and returns a small result (sums) or
writes its rows (:func:`write_part`); reduce the list it returns on the client. Then make the
public function engine-aware with one line in :mod:`ino_geo.engine.api`.
"""

from __future__ import annotations

from ino_geo.engine.dask_cluster import (open_client, partitions, read_partitioned, require, run_partitions,
                                         write_part)

__all__ = ["coverage", "proximity", "accessibility", "require", "open_client", "partitions", "run_partitions", "read_partitioned",
           "write_part"]


# ---------------------------------------------------------------- the analyses (one function each)


def coverage(parks, **arguments):
    """:func:`ino_geo.coverage` on the Dask engine (:mod:`ino_geo.engine._dask_coverage`)."""
    from ino_geo.engine._dask_coverage import coverage as run

    return run(parks, **arguments)


def proximity(origins, destinations, **arguments):
    """:func:`ino_geo.proximity` on the Dask engine (:mod:`ino_geo.engine._dask_proximity`)."""
    from ino_geo.engine._dask_proximity import proximity as run

    return run(origins, destinations, **arguments)


def accessibility(parks, population, **arguments):
    """:func:`ino_geo.accessibility` on the Dask engine (:mod:`ino_geo.engine._dask_accessibility`)."""
    from ino_geo.engine._dask_accessibility import accessibility as run

    return run(parks, population, **arguments)
