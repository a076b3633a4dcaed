"""Where the shipped data lives: inside an installed wheel, or at the top of a checkout.

A light module (standard library only): the CLI finds the default layers folder and its
catalogue through it without importing geopandas.
"""

from __future__ import annotations

from pathlib import Path

from ino_geo._errors import DataError

__all__ = ["data_dir", "default_layers_dir"]

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


def default_layers_dir() -> Path:
    """The folder of the shipped Tomsk layers (with its ``catalogue.toml``).

    Examples
    --------
    >>> (default_layers_dir() / "catalogue.toml").is_file()
    True
    """
    return data_dir("layers")
