"""Reading and writing files safely: atomic writes, the overwrite guard, output formats.

An output is first written to a temporary file in the destination folder and renamed into
place only when complete, so a failure never leaves a half-written file and never touches an
existing one. Refusing to overwrite without ``overwrite=True`` happens before any work.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
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


def check_output(path: str | os.PathLike, overwrite: bool = False) -> Path:
    """Check, before any work is done, that `path` may be written.

    Raises
    ------
    UsageError
        The path is a directory, exists and `overwrite` is False, or its folder does not exist.
    DataError
        The folder is not writable (a file cannot be created in it).
    """
    p = Path(path)
    if p.is_dir():
        raise UsageError(f"{p}: is a directory, expected a file path")
    if p.exists() and not overwrite:
        raise UsageError(f"{p}: exists; pass --overwrite to replace it")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"{p}: folder {parent} does not exist")
    # try it: permissions alone say nothing for root, a read-only file system or /proc
    try:
        with tempfile.NamedTemporaryFile(prefix=f".{p.name}.", suffix=".probe", dir=parent):
            pass
    except OSError as exc:
        raise DataError(f"{p}: cannot write in folder {parent}: {exc.strerror or exc}") from None
    return p


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it onto `path` if the block succeeds.

    The temporary file keeps the extension of `path` (drivers choose formats by it). On any
    exception the temporary file (and a Shapefile's side files) is removed and `path` is
    left untouched.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_path(d / "a.txt") as tmp:
    ...     _ = tmp.write_text("hello")
    >>> (d / "a.txt").read_text()
    'hello'
    """
    final = check_output(path, overwrite)
    try:
        fd, tmpname = tempfile.mkstemp(prefix=f".{final.stem}.", suffix=f".tmp{final.suffix}", dir=final.parent)
        os.close(fd)
    except OSError as exc:
        raise DataError(f"{final}: cannot write in folder {final.parent}: {exc.strerror or exc}") from exc
    tmp = Path(tmpname)
    tmp.unlink()  # drivers want to create the file themselves
    try:
        try:
            yield tmp
        except InoGeoError:
            raise
        except Exception as exc:  # a driver failing to write: name the output, not the temporary file
            detail = (exc.strerror or str(exc)) if isinstance(exc, OSError) else str(exc)
            raise DataError(f"{final}: could not be written: {detail}".replace(str(tmp), str(final))) from exc
        if not tmp.exists():
            raise DataError(f"{final}: nothing was written")
        try:
            if final.suffix.lower() == ".shp":
                _rename_shapefile(tmp, final)
            else:
                os.replace(tmp, final)
        except OSError as exc:
            raise DataError(f"{final}: cannot be replaced: {exc.strerror or exc}") from exc
    finally:
        for leftover in _side_files(tmp):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def _side_files(tmp: Path) -> list[Path]:
    exts = [tmp.suffix]
    if tmp.suffix.lower() == ".shp":
        exts += [".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx"]
    return [tmp.with_suffix(e) for e in exts]


def _rename_shapefile(tmp: Path, final: Path) -> None:
    for src in _side_files(tmp):
        if src.exists():
            os.replace(src, final.with_suffix(src.suffix))


def atomic_write_text(path: str | os.PathLike, text: str, overwrite: bool = False) -> Path:
    """Write `text` (UTF-8) to `path` atomically; return the path."""
    with atomic_path(path, overwrite) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)
