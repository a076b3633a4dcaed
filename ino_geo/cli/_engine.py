"""The CLI side of ``--engine local|dask``: partitioned inputs and outputs, the analysis to call.

A folder given as ``--population`` or ``--from`` is a partitioned GeoParquet dataset: read
lazily (one partition per file) on the Dask engine, whole on the local engine. An output
folder (a path ending in ``/``, an existing folder or a ``.parquet`` path) is written by the
Dask engine as partitioned GeoParquet (through :class:`ino_geo.data.transaction.Outputs`).
The analyses are the engine-aware ones of :mod:`ino_geo.engine.api`.
"""

from __future__ import annotations

from pathlib import Path

from .options import is_folder_output

__all__ = ["engine_kwargs", "analysis", "read_input", "partitioned_output"]


def engine_kwargs(engine: str, scheduler: str | None) -> dict:
    """The ``engine=``/``scheduler=`` arguments of the analyses (none for the local engine;
    the pair was checked by the options' callbacks)."""
    return {} if engine == "local" else {"engine": engine, "scheduler": scheduler}


def read_input(state, path: str, engine: str, read):
    """`path` read with ``read(path)``, or, for a folder, as partitioned GeoParquet."""
    if not Path(path).is_dir():
        return read(path)
    from ino_geo.engine.dask_engine import read_partitioned

    state.progress(f"reading partitioned GeoParquet {path} ({'lazily' if engine == 'dask' else 'whole'})")
    return read_partitioned(path, lazy=engine == "dask")


def partitioned_output(path: str | None, engine: str, option: str) -> bool:
    """True when the Dask engine writes `path` as a folder of GeoParquet partitions (a folder,
    or a ``.parquet`` path); UsageError for a folder on the local engine (which writes a
    ``.parquet`` path as one GeoParquet file)."""
    if engine == "dask":
        return is_folder_output(path) or bool(path) and path.lower().endswith(".parquet")
    if is_folder_output(path):
        from ino_geo._errors import UsageError

        raise UsageError(f"{option} {path}: a folder of GeoParquet partitions needs --engine dask")
    return False


def analysis(name: str, on: dict):
    """The engine-aware analysis `name` (:func:`ino_geo.engine.api.run_analysis`) bound to the
    engine arguments `on` (with a partitioned output also ``output=``/``overwrite=``)."""
    import functools

    from ino_geo.engine.api import run_analysis

    return functools.partial(run_analysis, name, **on)
