"""The CLI side of ``--engine local|dask``: reading partitioned inputs, engine arguments.

A folder given as ``--population`` or ``--from`` is a partitioned GeoParquet dataset: read
lazily (one partition per file) on the Dask engine, whole on the local engine. An output
folder (or a ``.parquet`` path) on the Dask engine is written as partitioned GeoParquet.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["engine_kwargs", "analysis", "read_input", "partitioned_output"]


def engine_kwargs(engine: str, scheduler: str | None) -> dict:
    """The ``engine=``/``scheduler=`` arguments of the analyses; UsageError on a bad pair."""
    from ino_geo._errors import UsageError

    if scheduler and engine != "dask":
        raise UsageError("--scheduler needs --engine dask")
    return {} if engine == "local" else {"engine": engine, "scheduler": scheduler}


def read_input(state, path: str, engine: str, read):
    """`path` read with ``read(path)``, or, for a folder, as partitioned GeoParquet."""
    if not Path(path).is_dir():
        return read(path)
    from ino_geo.engine.dask_engine import read_partitioned

    state.progress(f"reading partitioned GeoParquet {path} ({'lazily' if engine == 'dask' else 'whole'})")
    return read_partitioned(path, lazy=engine == "dask")


def partitioned_output(path: str | None, engine: str) -> bool:
    """True when the Dask engine writes `path` as a folder of GeoParquet partitions."""
    if not path or engine != "dask":
        return False
    p = Path(path)
    return p.is_dir() or path.endswith("/") or p.suffix.lower() == ".parquet"


def analysis(name: str, on: dict):
    """The analysis to call: the public function on the local engine (`on` empty), else the
    Dask engine's, bound to `on` (it also takes ``output=``/``overwrite=`` for partitioned output)."""
    import functools
    import importlib

    if not on:
        return getattr(importlib.import_module(f"ino_geo.analysis.{name}"), name)
    from ino_geo.engine import dask_engine

    return functools.partial(getattr(dask_engine, name), **on)
