"""The public analyses with a choice of engine: ``coverage``, ``proximity``, ``accessibility``.

Each is the analysis of :mod:`ino_geo.analysis` (same name, parameters, docstring and
result) with three more keyword parameters (:data:`ENGINE_PARAMETERS`):

* ``engine="local"``: call :func:`ino_geo.analysis.coverage.coverage` (...) as is;
* ``engine="dask"``: call the function of the same name in
  :mod:`ino_geo.engine.dask_engine` on the cluster named by ``scheduler`` / ``client``.

The flat namespace (``ino_geo.coverage``) maps to these functions. Adding an analysis is
one line here (``accessibility = _engine_aware("accessibility")``) and one function of that
name in :mod:`ino_geo.engine.dask_engine`.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from typing import Any, Callable

from ino_geo.engine import check_engine

__all__ = ["coverage", "proximity", "accessibility", "ENGINE_PARAMETERS", "run_analysis"]

#: The parameters every engine-aware analysis adds, as appended to its docstring.
ENGINE_PARAMETERS = """\
engine : ``"local"`` or ``"dask"``
    Where to run: this process (default), or partition by partition on a Dask cluster
    (:mod:`ino_geo.engine.dask_engine`; needs ``pip install "ino-geo[dask]"``); the result is
    the same table.
scheduler : str, optional
    ``engine="dask"``: the address of a running Dask scheduler (``tcp://host:8786``); without
    it and without `client`, a local cluster is started for the call and closed after it.
client : distributed.Client, optional
    ``engine="dask"``: an open client to use (left open)."""


def _local(name: str) -> Callable:
    return getattr(importlib.import_module(f"ino_geo.analysis.{name}"), name)


def run_analysis(name: str, *args: Any, engine: str = "local", scheduler: str | None = None, client: Any = None,
                 **arguments: Any) -> Any:
    """Run the analysis `name` on `engine` (UsageError for an unknown engine, or for
    `scheduler`/`client` on the local engine)."""
    check_engine(engine)
    if engine == "local":
        if scheduler is not None or client is not None:
            from ino_geo._errors import UsageError

            raise UsageError("scheduler= and client= need engine='dask'")
        return _local(name)(*args, **arguments)
    from ino_geo.engine import dask_engine

    dask_engine.require()
    return getattr(dask_engine, name)(*args, scheduler=scheduler, client=client, **arguments)


def _with_engine_doc(doc: str | None) -> str:
    """`doc` with :data:`ENGINE_PARAMETERS` at the end of its Parameters section."""
    doc = inspect.cleandoc(doc or "")
    head, sep, tail = doc.partition("\nReturns\n-------")
    return f"{head.rstrip()}\n{ENGINE_PARAMETERS}\n\n{sep.lstrip()}{tail}" if sep else f"{doc}\n\n{ENGINE_PARAMETERS}"


def _engine_aware(name: str) -> Callable:
    """The engine-aware public function for the analysis `name` (docstring and signature of
    the analysis plus the engine parameters)."""
    local = _local(name)

    @functools.wraps(local, assigned=("__name__", "__qualname__", "__annotations__"), updated=())
    def run(*args: Any, **arguments: Any) -> Any:
        return run_analysis(name, *args, **arguments)

    sig = inspect.signature(local)
    extra = [inspect.Parameter(p, inspect.Parameter.KEYWORD_ONLY, default=d)
             for p, d in (("engine", "local"), ("scheduler", None), ("client", None))]
    params = list(sig.parameters.values())
    at = len(params) - (1 if params and params[-1].kind is inspect.Parameter.VAR_KEYWORD else 0)
    run.__signature__ = sig.replace(parameters=[*params[:at], *extra, *params[at:]])  # before a **kwargs
    run.__doc__ = _with_engine_doc(local.__doc__)
    run.__module__ = __name__
    return run


coverage = _engine_aware("coverage")
proximity = _engine_aware("proximity")
accessibility = _engine_aware("accessibility")
