"""The ``ino-geo`` group: global options, error handling and command registration."""

from __future__ import annotations

import logging
import sys

import click

from ino_geo._errors import InoGeoError
from ino_geo._version import __version__
from .state import CliState

log = logging.getLogger("ino_geo")


# command name -> "module:attribute" inside ino_geo.cli; imported on first use, so that
# `ino-geo --help` only imports these small click modules (never geopandas).
COMMANDS: dict[str, str] = {
    "layers": "cmd_layers:layers",
    "coverage": "cmd_coverage:coverage",
    "proximity": "cmd_proximity:proximity",
    "map": "cmd_map:map_cmd",
    "build": "cmd_build:build",
    "network": "cmd_network:network",
    "accessibility": "cmd_accessibility:accessibility",
    "site-selection": "cmd_site_selection:site_selection",
}


_MAX_LINE = 2000  # an error or warning line never grows with the data (a 50 MB name)


def one_line(text: object) -> str:
    """`text` as one line: newlines and other control characters (from data or from a
    library's message) shown as escapes, so an error is always exactly one line."""
    import re

    s = str(text).strip().replace("\r\n", "\n")
    s = re.sub(r"\s*\n\s*", " | ", s)
    from ino_geo._text import inert

    s = inert(s)  # control and bidi-control characters as escapes
    return s if len(s) <= _MAX_LINE else s[: _MAX_LINE - 1] + "…"


def error_line(message: object) -> str:
    """The one formatter of every error the CLI reports: ``ino-geo: error: MESSAGE`` on one line."""
    return f"ino-geo: error: {one_line(message)}"


class OneLineError(click.ClickException):
    """A click error shown as one :func:`error_line` (exit 2 for usage errors)."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        click.echo(error_line(self.format_message()), err=True)


def _from_click(exc: click.ClickException) -> OneLineError:
    """click's own usage errors (bad option value, unknown option or command, missing
    argument) as one line naming the command, instead of click's usage block."""
    if isinstance(exc, OneLineError):
        return exc
    msg = exc.format_message()
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        msg = f"{msg} (see '{ctx.command_path} --help')"
    return OneLineError(msg, exc.exit_code)


def _message(exc: Exception) -> tuple[str, int]:
    """The one-line message and exit code of an error that is not click's own."""
    if isinstance(exc, InoGeoError):
        return str(exc), exc.exit_code
    if isinstance(exc, MemoryError):
        return "out of memory", 1
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        return where + (exc.strerror or str(exc)), 1
    # a bug: still one line, the traceback with --debug
    log.debug("unexpected error", exc_info=True)
    return (f"unexpected {type(exc).__name__}: {one_line(exc)} "
            "(a bug in ino-geo: please report it; --debug shows the traceback)"), 1


def _interrupted(exc: KeyboardInterrupt) -> None:
    """One line and exit 130 (Ctrl-C) or 143 (SIGTERM); the transactions already removed
    their staging files while the interrupt unwound."""
    sigterm = bool(exc.args) and str(exc.args[0]) == _SIGTERM_MESSAGE
    click.echo(error_line("terminated" if sigterm else "interrupted"), err=True)
    code = 143 if sigterm else 130
    if _STANDALONE:  # the process ends here: no interpreter shutdown that could turn the
        import os    # interrupt into a death by SIGINT (python -m does, after an import was cut)

        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)
    sys.exit(code)


class _Group(click.Group):
    """A click group that loads its commands lazily and turns every error into one line on
    stderr and an exit code: ino_geo errors (raised by the commands and by the option
    callbacks of :mod:`ino_geo.cli.options`), click's own parse errors, OS errors, and (as a
    safety net, never by design) any other exception."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def get_command(self, ctx: click.Context, name: str):
        if name in self.commands or name not in COMMANDS:
            return super().get_command(ctx, name)
        import importlib

        module, attr = COMMANDS[name].split(":")
        command = getattr(importlib.import_module(f".{module}", __package__), attr)
        self.add_command(command, name)
        return command

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.ClickException as exc:  # the group's own options, e.g. --layers FILE
            raise _from_click(exc) from None
        except KeyboardInterrupt as exc:  # a signal while the line is parsed: as in invoke
            _interrupted(exc)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (see main): outputs already discarded
            _interrupted(exc)
        except (click.exceptions.Exit, click.exceptions.Abort, click.exceptions.NoArgsIsHelpError):
            raise
        except click.ClickException as exc:
            raise _from_click(exc) from None
        except Exception as exc:
            state = ctx.find_object(CliState)
            if state is not None and state.debug and not isinstance(exc, MemoryError):
                raise
            message, code = _message(exc)
            click.echo(error_line(message), err=True)
            ctx.exit(code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--layers",
    "layers_dir",
    type=click.Path(file_okay=False, dir_okay=True, path_type=str),
    envvar="INO_GEO_LAYERS",
    default=None,
    help="Folder of layers with a catalogue.toml (default: the shipped Tomsk layers; env INO_GEO_LAYERS).",
)
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
@click.option("--debug", is_flag=True, hidden=False, help="Show tracebacks instead of one-line errors.")
@click.option("--csv-raw", is_flag=True,
              help="CSV cells exactly as computed. By default a text cell that a spreadsheet would run as a "
                   "formula (starting with = + - @, a tab or CR; not a plain number) gets a leading '.")
@click.version_option(__version__, "--version", prog_name="ino-geo")
@click.pass_context
def cli(ctx: click.Context, layers_dir: str | None, verbose: int, quiet: bool, debug: bool, csv_raw: bool) -> None:
    """Territory planning toolkit for the Tomsk agglomeration (INO Tomsk).

    Machine-readable output goes to stdout, logs and progress to stderr.
    Exit codes: 0 success, 1 bad data or failed work, 2 usage error.
    """
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("ino-geo: %(levelname)s: %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False
    ctx.obj = CliState(layers_dir=layers_dir, verbosity=-1 if quiet else verbose, debug=debug)
    from ino_geo.data.output import raw_csv

    raw_csv(csv_raw)


_SIGTERM_MESSAGE = "SIGTERM"


def _on_sigterm(signum, frame) -> None:
    """SIGTERM unwinds like Ctrl-C: every output transaction removes its staging files."""
    raise KeyboardInterrupt(_SIGTERM_MESSAGE)


def warning_line(message: object, category: type = Warning) -> str:
    """A library warning as one line ``ino-geo: warning: ...`` (no source path, no code line)."""
    return f"ino-geo: warning: {one_line(message)}"


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    try:
        (file or sys.stderr).write(warning_line(message, category) + "\n")
    except (OSError, ValueError):  # stderr closed
        pass


_STANDALONE = False  # True when running as the ``ino-geo`` process (main), not inside a test runner


def install_handlers() -> None:
    """SIGTERM as Ctrl-C, and library warnings as one ``ino-geo: warning:`` line each."""
    import signal
    import warnings

    warnings.showwarning = _show_warning
    try:
        signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not in the main thread
        pass


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``ino-geo`` console script.

    Run as the script (`argv` None), the process ends as soon as the command has: its outputs
    are published or discarded by then and the streams are flushed (:func:`_leave`)."""
    global _STANDALONE
    install_handlers()
    if argv is not None:
        cli.main(args=argv, prog_name="ino-geo")
        return
    _STANDALONE = True
    try:
        cli.main(prog_name="ino-geo")
    except SystemExit as exc:
        _leave(exc.code)


def _leave(code: object) -> None:
    """Exit with `code` without tearing the interpreter down.

    Freeing every module's objects one by one (layers, geometries, GDAL and Arrow state) took
    0.2-0.3 s after every command; nothing is left to do by then (no thread runs, no exit
    handler of ino_geo's). ``SystemExit``'s rules: None is 0, text is printed and gives 1; a
    stream that cannot be flushed (stdout piped into ``head``) gives 120, as Python does."""
    import contextlib
    import os

    if code is None:
        code = 0
    elif not isinstance(code, int):
        with contextlib.suppress(OSError, ValueError):  # stderr closed or broken
            sys.stderr.write(f"{code}\n")
        code = 1
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = code or 120
    os._exit(code & 0xFF if code >= 0 else 1)
