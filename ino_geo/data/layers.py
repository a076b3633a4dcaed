"""Loading layers: the shipped Tomsk layers, another catalogue folder, or a single file.

:func:`load_layers` reads every layer that a catalogue describes, validates it (every problem
of every layer is collected before anything is raised) and returns them as GeoDataFrames in
EPSG:4326. :func:`read_layer` reads a planner's own file for one role (``--population PATH``,
``--from PATH``), checked against the catalogue layer of that role if one is named.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from ino_geo._errors import DataError, UsageError, ValidationError
from ino_geo.data.shipped import default_layers_dir  # re-exported: ino_geo.default_layers_dir
from ino_geo.data.catalogue import Catalogue, load_catalogue

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["Layers", "load_layers", "read_layer", "default_layers_dir"]


class Layers(Mapping):
    """The layers of a catalogue folder: GeoDataFrames by name, in EPSG:4326.

    Both item and attribute access work: ``layers["parks"]`` and ``layers.parks``.

    Attributes
    ----------
    catalogue : Catalogue
        The catalogue the layers were read with.
    folder : Path
        The folder they were read from.
    """

    def __init__(self, frames: dict[str, "gpd.GeoDataFrame"], catalogue: Catalogue):
        self._frames = dict(frames)
        self.catalogue = catalogue
        self.folder = catalogue.folder

    def __getitem__(self, name: str) -> "gpd.GeoDataFrame":
        try:
            return self._frames[name]
        except KeyError:
            raise KeyError(f"no layer {name!r}; layers: {', '.join(self._frames)}") from None

    def __getattr__(self, name: str) -> "gpd.GeoDataFrame":
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._frames[name]
        except KeyError:
            raise AttributeError(f"no layer {name!r}; layers: {', '.join(self._frames)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._frames)

    def __len__(self) -> int:
        return len(self._frames)

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._frames))

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}: {len(v)}" for k, v in self._frames.items())
        return f"<Layers {self.catalogue.name!r} from {self.folder} ({inner})>"

    def replace(self, **frames: "gpd.GeoDataFrame") -> "Layers":
        """A copy with some layers replaced (e.g. a planner's own population grid)."""
        new = dict(self._frames)
        new.update(frames)
        return Layers(new, self.catalogue)


def _check_path_arg(path: object, what: str) -> None:
    """UsageError unless `path` is None, a str or a path-like object."""
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise UsageError(f"{what} {path!r:.60}: expected a file or folder path (str or pathlib.Path), "
                         f"got {type(path).__name__}")


def load_layers(path: str | os.PathLike | None = None, *, validate: bool = True) -> Layers:
    """Load every layer of a catalogue folder, validated, in EPSG:4326.

    Parameters
    ----------
    path : str or PathLike, optional
        A folder with a ``catalogue.toml``. Default: the shipped Tomsk layers.
    validate : bool
        Check every layer against the catalogue (default). All problems of all layers are
        collected and raised together. Each file is read once (pyogrio) and checked on its
        columns; only a file that fails a check is read again record by record, to name every
        problem. False: read only, nothing checked -- the frames are the same, but a record
        that breaks a rule (an empty value, an invalid geometry, coordinates outside the
        extent...) is returned as it is; only a missing or unreadable file is an error.

    Returns
    -------
    Layers

    Raises
    ------
    UsageError
        The folder does not exist or has no catalogue.
    ValidationError
        A layer has problems; ``exc.problems`` lists every one. With ``validate=False``:
        only a layer file that is missing or cannot be read.

    Examples
    --------
    >>> layers = load_layers()
    >>> sorted(layers)
    ['boundaries', 'corridors', 'parks', 'places', 'population', 'river', 'sites', 'waterfront']
    >>> layers.parks.crs.to_epsg()
    4326
    >>> sorted(layers.parks.park_type.unique())[:3]
    ['historical_cultural', 'industrial', 'innovation']
    """
    from ino_geo.data.validate import validate_path

    _check_path_arg(path, "path")
    folder = Path(path) if path is not None else default_layers_dir()
    if not folder.exists():
        raise UsageError(f"{folder}: no such layers folder")
    if not folder.is_dir():
        raise UsageError(f"{folder}: is not a folder; --layers expects a folder with a catalogue.toml")
    catalogue = load_catalogue(folder)
    reports = validate_path(folder, catalogue, frames=True, check=validate, bad_frames=not validate)
    problems = [p for r in reports for p in r.problems]
    if problems and validate:
        raise ValidationError(problems)
    frames = {}
    for rep in reports:
        if rep.frame is None:
            raise ValidationError(rep.problems)
        gdf = rep.frame
        if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
            gdf = gdf.to_crs("EPSG:4326")
        frames[rep.spec.name] = gdf
    return Layers(frames, catalogue)


def read_layer(
    path: str | os.PathLike,
    expect: str | None = None,
    *,
    catalogue: Catalogue | None = None,
    to_crs: str | None = "EPSG:4326",
) -> "gpd.GeoDataFrame":
    """Read a planner's own vector file, validated, for one role.

    Parameters
    ----------
    path : str or PathLike
        GeoJSON, GeoPackage, Shapefile, FlatGeobuf or GeoParquet. A GeoPackage with several
        layers takes ``path:layer`` (``sites.gpkg:projects``), or the layer named `expect`.
    expect : str, optional
        The catalogue layer the file plays (``"population"``, ``"parks"``, ``"corridors"``...):
        its geometry types, columns and allowed values are checked. None: generic checks
        only (CRS, geometry validity, finite coordinates).
    catalogue : Catalogue, optional
        Default: the shipped catalogue.
    to_crs : str or None
        Reproject the result (default EPSG:4326); None keeps the file's CRS.

    Returns
    -------
    GeoDataFrame

    Raises
    ------
    UsageError
        Missing path, a folder, an unknown extension.
    ValidationError
        Every problem of the file, with record and field.
    """
    from ino_geo.data.validate import read_validated

    _check_path_arg(path, "path")
    if expect is not None and not isinstance(expect, str):
        raise UsageError(f"expect {expect!r}: a catalogue layer name (str)")
    text = os.fspath(path)
    layer = None
    if not Path(text).exists() and ":" in text:
        head, _, tail = text.rpartition(":")
        if Path(head).is_file():
            text, layer = head, tail
    catalogue = catalogue or load_catalogue()
    spec = catalogue[expect] if expect else None
    gdf = read_validated(text, spec, catalogue if spec else None, layer=layer)
    if len(gdf) == 0:
        raise DataError(f"{text}: the layer is empty (no records)")
    if to_crs is not None and gdf.crs is not None:
        gdf = gdf.to_crs(to_crs)
    return gdf
