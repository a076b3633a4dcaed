"""Execution engines: where an analysis runs. The layer above :mod:`ino_geo.analysis`.

``engine="local"`` (the default) runs the analysis in this process (the function of
:mod:`ino_geo.analysis`); ``engine="dask"`` runs the same steps partition by partition on a
Dask cluster (:mod:`ino_geo.engine.dask_engine`): a ``LocalCluster`` started for the call, or
an existing cluster at ``scheduler="tcp://HOST:8786"`` or given as ``client=``. Dask is an
optional extra (``pip install "ino-geo[dask]"``) and is imported only when asked for.

The engine-aware public functions (``ino_geo.coverage``, ``ino_geo.proximity``) live in
:mod:`ino_geo.engine.api`; the analysis modules know nothing of engines (imports point one
way: analysis <- engine). Importing this package imports neither Dask nor geopandas.
"""

from __future__ import annotations

from ino_geo._errors import UsageError

__all__ = ["ENGINES", "check_engine"]

ENGINES = ("local", "dask")


def check_engine(engine: str) -> str:
    """`engine` if it is a known engine name, else UsageError.

    Examples
    --------
    >>> check_engine("dask")
    'dask'
    """
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    return engine
