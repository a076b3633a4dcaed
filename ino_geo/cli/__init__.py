"""The ``ino-geo`` command line: a click group with one small module per command.

Only click and the standard library are imported at start-up; each command imports the
analysis modules (and so geopandas) inside its function body, so ``ino-geo --help`` is
instant. Errors that ino_geo raises on purpose become a one-line message on stderr and exit
code 1 (data) or 2 (usage); ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

from .main import cli, main

__all__ = ["cli", "main"]
