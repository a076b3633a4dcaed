"""Where the shipped data lives: inside an installed wheel, or at the top of a checkout."""

from __future__ import annotations

from pathlib import Path

from ino_geo._errors import DataError

_PKG = Path(__file__).resolve().parent.parent  # the ino_geo package folder


def data_dir(name: str) -> Path:
    """The shipped folder `name` (``layers`` or ``maps``).

    An installed wheel carries it inside the package (``ino_geo/_data/NAME``); a source
    checkout (editable install, or running from the repository) has it at the top.
    """
    for candidate in (_PKG / "_data" / name, _PKG.parent / name):
        if candidate.is_dir():
            return candidate
    raise DataError(f"the shipped {name} folder is missing from this installation ({_PKG})")
