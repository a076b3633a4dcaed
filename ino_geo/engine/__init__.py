"""Execution engines: where an analysis runs.

``engine="local"`` (the default) runs in this process; ``engine="dask"`` runs the same kernels
partition by partition on a Dask cluster (:mod:`ino_geo.engine.dask_engine`): a
``LocalCluster`` started for the call, or an existing cluster at ``scheduler="tcp://HOST:8786"``
or given as ``client=``. Dask is an optional extra (``pip install "ino-geo[dask]"``) and is
imported only when the Dask engine is asked for.

Each public analysis takes ``engine="local"``, ``scheduler=None``, ``client=None`` and
dispatches here first thing::

    if engine != "local":
        from ino_geo.engine import dispatch
        return dispatch("coverage", **locals())

Adding an analysis (e.g. ``accessibility``) to the Dask engine is one function in
:mod:`ino_geo.engine.dask_engine` named after it (see the module's notes) and the same line.
"""

from __future__ import annotations

from typing import Any

from ino_geo._errors import UsageError

__all__ = ["ENGINES", "check_engine", "dispatch"]

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


def dispatch(analysis: str, engine: str = "local", **arguments: Any) -> Any:
    """Run `analysis` (``"coverage"``, ``"proximity"``, ...) on `engine` with the arguments of
    the public function (``scheduler`` and ``client`` among them)."""
    check_engine(engine)
    arguments.pop("dispatch", None)  # the dispatch line's own import, seen by locals()
    from ino_geo.engine import dask_engine

    dask_engine.require()
    run = getattr(dask_engine, analysis, None)
    if run is None:
        raise UsageError(f"{analysis}: not available on engine {engine!r}")
    return run(**arguments)
