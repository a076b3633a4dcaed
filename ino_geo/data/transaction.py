"""Every command's outputs as one transaction: staged, then published together.

An :class:`Outputs` transaction hands out a *staging* path for each output (a hidden name in
the output's own folder, so publishing is a rename on the same file system), and publishes
them all only when the work succeeded:

* **no-replace**: an output that must not exist is published with an atomic no-replace
  rename (``renameat2(RENAME_NOREPLACE)``; ``link``+``unlink`` where the kernel lacks it), so
  two runs started together cannot both "win": the later one fails with *exists* and removes
  only what it created itself;
* **all or nothing**: if any output cannot be published, the ones already published by this
  run are removed (new files) or restored (files it replaced with ``overwrite``);
* **one output, several files**: a Shapefile is published with its side files (``.shx``,
  ``.dbf``, ``.prj``, ``.cpg``); an existing side file counts as an existing output;
* **inputs are never outputs**: an output that resolves (symbolic links and hard links too)
  to one of the run's inputs is a usage error, before any work;
* **no debris**: staging names carry the process id; a run sweeps the staging files and
  folders of dead processes from the folders it writes to (a ``SIGKILL``-ed run leaves them;
  the next run removes them), and an interrupted run (Ctrl-C, ``SIGTERM``) removes its own;
* **folders**: a folder output (``ino-geo build -o DIR``) is staged whole beside ``DIR`` and
  renamed into place when ``DIR`` does not exist; into an existing folder (``overwrite``) its
  files are published under a lock file beside the folder, so two runs do not interleave.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> with Outputs() as out:
...     _ = out.file(d / "a.txt").write_text("hello")
...     _ = out.file(d / "b.txt").write_text("world")
>>> sorted(p.name for p in d.iterdir())
['a.txt', 'b.txt']
>>> with Outputs() as out:
...     out.file(d / "a.txt")
Traceback (most recent call last):
...
ino_geo._errors.UsageError: ...a.txt: exists; pass --overwrite to replace it
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from ino_geo._errors import DataError, UsageError

__all__ = ["Outputs", "publish_noreplace", "sweep_stale", "STAGE_PREFIX", "SHAPEFILE_SIDECARS"]

#: Prefix of every staging name: ``.ino-geo-stage-<pid>-<token>-<final name>``.
STAGE_PREFIX = ".ino-geo-stage-"
#: The files that make one Shapefile output.
SHAPEFILE_SIDECARS = (".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".qmd")
_LOCK_SUFFIX = ".ino-geo.lock"
_RENAME_NOREPLACE = 1
_AT_FDCWD = -100


def _libc_renameat2():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):  # pragma: no cover - non-glibc systems
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


_RENAMEAT2 = _libc_renameat2()


def publish_noreplace(src: str | os.PathLike, dst: str | os.PathLike) -> None:
    """Rename `src` onto `dst` atomically, failing with ``FileExistsError`` if `dst` exists.

    Works for files and folders. Uses ``renameat2(RENAME_NOREPLACE)``; where the kernel or
    file system lacks it, a hard link then unlink (files) or a rename into a freshly created
    empty folder's place (folders: ``mkdir`` is the exclusive step).
    """
    s, d = os.fsencode(os.fspath(src)), os.fsencode(os.fspath(dst))
    if _RENAMEAT2 is not None:
        if _RENAMEAT2(_AT_FDCWD, s, _AT_FDCWD, d, _RENAME_NOREPLACE) == 0:
            return
        err = ctypes.get_errno()
        if err not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            raise OSError(err, os.strerror(err), os.fsdecode(d))
    if os.path.isdir(src):  # pragma: no cover - only without renameat2
        os.mkdir(dst)  # FileExistsError if it exists: the exclusive step
        os.rename(src, dst)  # replaces the empty folder we own
    else:  # pragma: no cover - only without renameat2
        os.link(src, dst)
        os.unlink(src)


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def _stage_pid(name: str) -> int | None:
    """The process id in a staging name, or None for other names."""
    if not name.startswith(STAGE_PREFIX):
        return None
    head = name[len(STAGE_PREFIX):].split("-", 1)[0]
    return int(head) if head.isdigit() else None


def sweep_stale(folder: str | os.PathLike) -> list[Path]:
    """Remove the staging files and folders that dead ino-geo processes left in `folder`.

    Returns the paths removed. Live processes' staging (a run in progress) is never touched.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        pid = _stage_pid(entry.name)
        if pid is None or pid == os.getpid() or _pid_alive(pid):
            continue
        path = Path(entry.path)
        with contextlib.suppress(OSError):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(path)
    return removed


def _identity(path: Path) -> tuple[str, tuple[int, int] | None]:
    real = os.path.realpath(path)
    try:
        st = os.stat(real)
        return real, (st.st_dev, st.st_ino)
    except OSError:
        return real, None


def _members(path: Path) -> list[Path]:
    """The files one output consists of (a Shapefile and its side files)."""
    if path.suffix.lower() == ".shp":
        return [path] + [path.with_suffix(ext) for ext in SHAPEFILE_SIDECARS]
    return [path]


@dataclass
class _Staged:
    final: Path
    stage: Path
    is_dir: bool = False
    replace: bool = False  # a folder replaced whole (not written into)
    published: list[tuple[Path, Path | None]] = field(default_factory=list)  # (final member, backup)


class Outputs:
    """A transaction over a command's outputs; use as a context manager.

    Parameters
    ----------
    overwrite : bool
        Existing outputs may be replaced (``--overwrite``); otherwise an existing output is a
        usage error, checked when the output is declared (before any work) and again, atomically,
        when it is published.
    inputs : iterable of path-like
        The run's input files: an output that is one of them is a usage error.

    Notes
    -----
    Declare every output with :meth:`file` or :meth:`folder` before the work starts (so that
    usage errors come before any work), write into the returned staging paths, and leave the
    ``with`` block normally to publish. An exception (including ``KeyboardInterrupt``) in the
    block removes every staging path and publishes nothing.
    """

    def __init__(self, *, overwrite: bool = False, inputs: Iterable[str | os.PathLike] = ()):
        self.overwrite = overwrite
        self._inputs: list[tuple[str, tuple[int, int] | None]] = []
        for p in inputs:
            for member in _members(Path(p)):
                if member.exists():
                    self._inputs.append(_identity(member))
        self._staged: list[_Staged] = []
        self._swept: set[str] = set()

    # -- declaring outputs -------------------------------------------------------------
    def file(self, path: str | os.PathLike) -> Path:
        """Declare an output file; return the staging path to write it to.

        The staging path keeps the final extension (drivers choose formats by it) and does
        not exist yet (drivers create their files themselves).
        """
        final = self._check(Path(path), want_dir=False)
        stage = self._stage_name(final)
        self._staged.append(_Staged(final, stage))
        return stage

    def folder(self, path: str | os.PathLike, *, replace: bool = False) -> Path:
        """Declare an output folder; return a staging folder (created, empty) to fill.

        With `replace` an existing folder (``overwrite`` needed) is replaced whole, as one
        dataset (a partitioned GeoParquet folder: no part of the old one may remain), and
        restored if the transaction fails; otherwise the files are published into it.
        """
        final = self._check(Path(path), want_dir=True)
        if replace and final.exists() and not self.overwrite:
            raise UsageError(f"{final}: exists; pass --overwrite to replace it")
        stage = self._stage_name(final)
        try:
            stage.mkdir()
        except OSError as exc:
            raise DataError(f"{final}: cannot write in folder {final.parent}: {exc.strerror or exc}") from None
        self._staged.append(_Staged(final, stage, is_dir=True, replace=replace))
        return stage

    def _check(self, final: Path, *, want_dir: bool) -> Path:
        if any(s.final == final for s in self._staged):
            raise UsageError(f"{final}: given twice as an output")
        if not want_dir and final.is_dir():
            raise UsageError(f"{final}: is a directory, expected a file path")
        if want_dir and final.exists() and not final.is_dir():
            raise UsageError(f"{final}: is not a folder")
        self._check_not_input(final)
        parent = final.parent if str(final.parent) else Path(".")
        if not parent.is_dir():
            raise UsageError(f"{final}: folder {parent} does not exist")
        self._sweep(parent)
        if not self.overwrite and not want_dir:
            for member in _members(final):
                if os.path.lexists(member):
                    what = "exists" if member == final else f"exists (part of the Shapefile {final.name})"
                    raise UsageError(f"{member}: {what}; pass --overwrite to replace it")
        try:  # permissions say nothing for root, a read-only file system or /proc: try it
            with tempfile.NamedTemporaryFile(prefix=f"{STAGE_PREFIX}{os.getpid()}-probe-", dir=parent):
                pass
        except OSError as exc:
            raise DataError(f"{final}: cannot write in folder {parent}: {exc.strerror or exc}") from None
        return final

    def _check_not_input(self, final: Path) -> None:
        for member in _members(final):
            real, ident = _identity(member)
            for in_real, in_ident in self._inputs:
                if real == in_real or (ident is not None and ident == in_ident):
                    raise UsageError(f"{final}: is one of this run's inputs; write the output elsewhere")

    def _sweep(self, folder: Path) -> None:
        key = os.path.realpath(folder)
        if key not in self._swept:
            self._swept.add(key)
            sweep_stale(folder)

    @staticmethod
    def _stage_name(final: Path) -> Path:
        token = os.urandom(4).hex()
        return final.parent / f"{STAGE_PREFIX}{os.getpid()}-{token}-{final.name}"

    # -- the transaction ---------------------------------------------------------------
    def __enter__(self) -> "Outputs":
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is None:
            self.publish()
        else:
            self.discard()
        return False

    def staged(self, final: str | os.PathLike) -> Path:
        """The staging path of a declared output."""
        for s in self._staged:
            if s.final == Path(final):
                return s.stage
        raise KeyError(final)

    def publish(self) -> list[Path]:
        """Publish every staged output, all or nothing; return the final paths."""
        done: list[_Staged] = []
        try:
            for s in self._staged:
                self._publish_one(s)
                done.append(s)
        except BaseException:
            for s in reversed(done):
                self._undo(s)
            self.discard()
            raise
        for s in done:
            for _, backup in s.published:
                if backup is not None:
                    with contextlib.suppress(OSError):
                        shutil.rmtree(backup) if backup.is_dir() and not backup.is_symlink() else backup.unlink()
        finals = [s.final for s in self._staged]
        self._staged = []
        return finals

    def discard(self) -> None:
        """Remove every staging path of this run (nothing published)."""
        for s in self._staged:
            _remove_stage(s)
        self._staged = []

    def _publish_one(self, s: _Staged) -> None:
        if s.is_dir:
            self._publish_folder(s)
            return
        members = [m for m in _stage_members(s) if m[0].exists()]
        if not any(src == s.stage for src, _ in members):
            raise DataError(f"{s.final}: nothing was written")
        for src, dst in members:
            backup = self._publish_file(src, dst)
            s.published.append((dst, backup))

    def _publish_file(self, src: Path, dst: Path) -> Path | None:
        try:
            if not self.overwrite:
                publish_noreplace(src, dst)
                return None
            backup = None
            if os.path.lexists(dst) and not os.path.isdir(dst):
                backup = self._stage_name(dst)  # restored if a later output fails
                os.link(dst, backup)
            os.replace(src, dst)
            return backup
        except FileExistsError:
            raise UsageError(f"{dst}: exists (written by another run meanwhile); pass --overwrite to replace it") from None
        except OSError as exc:
            raise DataError(f"{dst}: cannot be written: {exc.strerror or exc}") from None

    def _publish_folder(self, s: _Staged) -> None:
        if s.replace and s.final.exists():
            self._replace_folder(s)
            return
        if not s.final.exists():
            try:
                publish_noreplace(s.stage, s.final)
                s.published.append((s.final, None))
                return
            except FileExistsError:
                if not self.overwrite:
                    raise UsageError(f"{s.final}: exists (created by another run meanwhile); "
                                     "pass --overwrite to write into it") from None
            except OSError as exc:
                raise DataError(f"{s.final}: cannot be written: {exc.strerror or exc}") from None
        with _folder_lock(s.final):
            names = sorted(os.listdir(s.stage))
            if not self.overwrite:
                clash = [n for n in names if os.path.lexists(s.final / n)]
                if clash:
                    raise UsageError(f"{s.final / clash[0]}: exists; pass --overwrite to replace it")
            for name in names:
                dst = s.final / name
                backup = self._publish_file(s.stage / name, dst)
                s.published.append((dst, backup))
        with contextlib.suppress(OSError):
            shutil.rmtree(s.stage)

    def _replace_folder(self, s: _Staged) -> None:
        """Swap the staged folder in for the existing one, which is kept aside until the
        transaction is published (then removed) or undone (then restored)."""
        backup = self._stage_name(s.final)
        try:
            os.rename(s.final, backup)
        except OSError as exc:
            raise DataError(f"{s.final}: cannot be replaced: {exc.strerror or exc}") from None
        try:
            publish_noreplace(s.stage, s.final)
        except FileExistsError:
            os.rename(backup, s.final)
            raise UsageError(f"{s.final}: created by another run meanwhile") from None
        except OSError as exc:
            os.rename(backup, s.final)
            raise DataError(f"{s.final}: cannot be written: {exc.strerror or exc}") from None
        s.published.append((s.final, backup))

    def _undo(self, s: _Staged) -> None:
        for dst, backup in reversed(s.published):
            with contextlib.suppress(OSError):
                if backup is not None and backup.is_dir():
                    shutil.rmtree(dst)
                    os.rename(backup, dst)
                elif backup is not None:
                    os.replace(backup, dst)
                elif dst.is_dir() and not dst.is_symlink():
                    shutil.rmtree(dst)
                else:
                    dst.unlink()
        s.published.clear()


def _stage_members(s: _Staged) -> list[tuple[Path, Path]]:
    """(staging file, final file) pairs of one output, side files included."""
    if s.final.suffix.lower() != ".shp":
        return [(s.stage, s.final)]
    return [(s.stage.with_suffix(ext), s.final.with_suffix(ext)) for ext in (".shp", *SHAPEFILE_SIDECARS)]


def _remove_stage(s: _Staged) -> None:
    paths = [s.stage] if s.is_dir else [src for src, _ in _stage_members(s)]
    for p in paths:
        for q in (p, Path(f"{p}-journal"), Path(f"{p}-wal"), Path(f"{p}-shm")):
            with contextlib.suppress(OSError):
                if q.is_dir() and not q.is_symlink():
                    shutil.rmtree(q)
                else:
                    q.unlink()


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock (``flock``) on a lock file beside `folder`, for writing into it."""
    import fcntl

    lock = folder.parent / f".{folder.name}{_LOCK_SUFFIX}"
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise DataError(f"{folder}: cannot lock for writing: {exc.strerror or exc}") from None
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:  # the holder before us may have removed the file: lock the one that is there
            if os.stat(lock).st_ino == os.fstat(fd).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)  # removed while still held: nobody else can hold this inode
        os.close(fd)


def interrupted_as_keyboard() -> None:
    """Make ``SIGTERM`` behave like Ctrl-C (``KeyboardInterrupt``), so that a terminated run
    unwinds through its transactions and removes its staging files."""
    import signal

    def handler(signum, frame):  # pragma: no cover - exercised by subprocess tests
        raise KeyboardInterrupt(f"signal {signum}")

    with contextlib.suppress(ValueError):  # not in the main thread
        signal.signal(signal.SIGTERM, handler)
