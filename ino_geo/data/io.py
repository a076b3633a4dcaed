"""Reading and writing files safely: atomic writes, the overwrite guard, output formats.

Every output goes through one mechanism, :class:`ino_geo.data.transaction.Outputs`: written to
a staging file in the destination folder and published (renamed into place, no-replace unless
``overwrite``) only when complete, so a failure never leaves a half-written file and never
touches an existing one. Refusing to overwrite without ``overwrite=True`` happens before any work.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator

from ino_geo._errors import DataError, InoGeoError, UsageError

__all__ = ["check_output", "atomic_path", "atomic_write_text", "VECTOR_DRIVERS", "driver_for"]

# file extension -> (pyogrio/OGR driver, allows several layers in one file)
VECTOR_DRIVERS: dict[str, tuple[str, bool]] = {
    ".gpkg": ("GPKG", True),
    ".geojson": ("GeoJSON", False),
    ".json": ("GeoJSON", False),
    ".fgb": ("FlatGeobuf", False),
    ".shp": ("ESRI Shapefile", False),
    ".parquet": ("Parquet", False),
    ".geoparquet": ("Parquet", False),
}


def driver_for(path: str | os.PathLike) -> tuple[str, bool]:
    """The vector driver for an output path, from its extension; UsageError if unknown."""
    ext = Path(path).suffix.lower()
    try:
        return VECTOR_DRIVERS[ext]
    except KeyError:
        known = ", ".join(sorted(VECTOR_DRIVERS))
        raise UsageError(f"{path}: unknown output format {ext or '(no extension)'!r}; use one of {known}") from None


def _active(path: str | os.PathLike):
    """The command's output transaction that `path` belongs to (None: a one-output transaction)."""
    from ino_geo.data.transaction import current_outputs, in_staging

    tx = current_outputs()
    return None if tx is None or in_staging(path) else tx


def check_output(path: str | os.PathLike, overwrite: bool = False) -> Path:
    """Check, before any work is done, that `path` may be written.

    Inside a command's :class:`~ino_geo.data.transaction.Outputs` transaction this declares
    `path` as one of its outputs (its ``overwrite`` and inputs apply).

    Raises
    ------
    UsageError
        The path is a directory, exists and `overwrite` is False, its folder does not exist,
        or it is one of the run's inputs.
    DataError
        The folder is not writable (a file cannot be created in it).
    """
    from ino_geo.data.transaction import Outputs

    p = Path(path)
    tx = _active(p)
    if tx is not None:
        if tx.declared(p) is None:
            tx.file(p)
        return p
    Outputs(overwrite=overwrite)._check(p, want_dir=False)
    return p


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, overwrite: bool = False) -> Iterator[Path]:
    """Yield a staging path for `path`; it is published (renamed into place) when the
    command's output transaction ends, or at the end of the block when there is none.

    The staging file keeps the extension of `path` (drivers choose formats by it). On any
    exception nothing is published: `path` (and a Shapefile's side files) is left untouched.
    An output that must not exist is published with a no-replace rename, so a file that
    appeared meanwhile is never replaced.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_path(d / "a.txt") as tmp:
    ...     _ = tmp.write_text("hello")
    >>> (d / "a.txt").read_text()
    'hello'
    """
    from ino_geo.data.transaction import Outputs

    final = Path(path)
    tx = _active(final)
    if tx is not None:
        stage = tx.declared(final) or tx.file(final)
        with _naming(final, stage):
            yield stage
        if not stage.exists():
            raise DataError(f"{final}: nothing was written")
        return
    with Outputs(overwrite=overwrite) as out:
        stage = out.file(final)
        with _naming(final, stage):
            yield stage


@contextlib.contextmanager
def _naming(final: Path, stage: Path) -> Iterator[None]:
    """A driver failing to write: a DataError naming the output, not its staging file."""
    try:
        yield
    except InoGeoError:
        raise
    except Exception as exc:
        detail = (exc.strerror or str(exc)) if isinstance(exc, OSError) else str(exc)
        raise DataError(f"{final}: could not be written: {detail}".replace(str(stage), str(final))) from exc


def atomic_write_text(path: str | os.PathLike, text: str, overwrite: bool = False) -> Path:
    """Write `text` (UTF-8) to `path` atomically; return the path."""
    with atomic_path(path, overwrite) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)
