"""The layer validator: every problem of a file, with file, layer, record and field.

:func:`validate_path` checks a vector file (every layer of it) or a layers folder and
returns one :class:`LayerReport` per layer; :func:`validate_frame` checks an in-memory
GeoDataFrame with the same rules; :func:`read_validated` also builds the GeoDataFrame, so the
loader reads each file once. Each layer is first read into arrays and checked on whole columns
(:mod:`ino_geo.data.fastpath`); a layer that fails there (or that the fast path does not read
exactly) is read record by record -- :mod:`ino_geo.data.readers` -- and checked against the
rules of :mod:`ino_geo.data.checks`, which locate and word every problem.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ino_geo._errors import DataError, UsageError, ValidationError
from ino_geo.data.catalogue import CATALOGUE_FILE, Catalogue, LayerSpec, load_catalogue
from ino_geo.data.checks import check_layer
from ino_geo.data.fastpath import fast_report, read_arrays
from ino_geo.data.problems import LayerReport, Problem
from ino_geo.data.readers import (
    PARQUET,
    READ_EXTENSIONS,
    diagnose,
    list_layers,
    open_raw,
    raw_from_frame,
    to_frame,
)

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = [
    "Problem",
    "LayerReport",
    "validate_path",
    "validate_frame",
    "read_validated",
    "READ_EXTENSIONS",
    "infer_layer",
]


def _check_input_path(path: str | os.PathLike) -> Path:
    p = Path(path)
    if not p.exists():
        raise UsageError(f"{p}: no such file or folder")
    if not p.is_dir() and not p.is_file():
        raise UsageError(f"{p}: is not a regular file (a device, pipe or socket); expected a vector file")
    if p.is_dir() and not (p / CATALOGUE_FILE).exists():
        raise UsageError(f"{p}: is a folder without a {CATALOGUE_FILE}; expected a vector file or a layers folder")
    if p.is_file() and p.suffix.lower() not in READ_EXTENSIONS:
        raise UsageError(
            f"{p}: unsupported file type {p.suffix or '(no extension)'!r}; "
            f"read: {', '.join(sorted(READ_EXTENSIONS))}"
        )
    return p


def validate_path(
    path: str | os.PathLike,
    catalogue: Catalogue | None = None,
    *,
    as_layer: str | None = None,
    frames: bool = False,
    check: bool = True,
    bad_frames: bool = True,
) -> list[LayerReport]:
    """Validate a vector file (every layer of it) or a layers folder.

    Parameters
    ----------
    path : str or PathLike
        GeoJSON, GeoPackage (every layer), Shapefile, FlatGeobuf or GeoParquet file; or a
        folder with a ``catalogue.toml`` (every catalogue layer is checked).
    catalogue : Catalogue, optional
        Checks a file's layers against the catalogue layer of the same name (``parks.gpkg``,
        or a GeoPackage layer ``parks``). Without a match only the generic checks run.
    as_layer : str, optional
        Check the file against this catalogue layer whatever its name.
    frames : bool
        Also build each layer's GeoDataFrame (``LayerReport.frame``).
    check : bool
        False: read the layers without checking them (``load_layers(validate=False)``); the
        reports then list only what stopped a file or a record from being read.
    bad_frames : bool
        With `frames`: also the frames of layers with problems (False: none for them).

    Returns
    -------
    list of LayerReport
        One per layer; every problem is listed, none stops the others.

    Raises
    ------
    UsageError
        The path does not exist, is a folder without a catalogue, or has an unknown extension.

    Examples
    --------
    >>> from ino_geo.data.shipped import default_layers_dir
    >>> reports = validate_path(default_layers_dir())
    >>> sorted(r.layer for r in reports)[:3], all(r.ok for r in reports)
    (['boundaries', 'corridors', 'parks'], True)
    """
    p = _check_input_path(path)
    if p.is_dir():
        return _catalogue_reports(load_catalogue(p), frames=frames, check=check, bad_frames=bad_frames)
    if as_layer is not None and catalogue is not None:
        catalogue[as_layer]  # raises UsageError for an unknown name
    return _validate_file(p, catalogue, as_layer, frames, check=check, bad_frames=bad_frames)


def _catalogue_reports(cat: Catalogue, *, frames: bool = False, check: bool = True,
                      bad_frames: bool = True) -> list[LayerReport]:
    """One report per layer of the catalogue `cat` (of its folder), as :func:`validate_path`
    of the folder gives them. ``check=False`` reads the layers without checking them (for
    ``load_layers(validate=False)``): a report then lists only what stopped a file from being
    read. ``bad_frames=False``: no frame for a layer with problems (the loader raises them)."""
    reports = []
    for spec in cat:
        f = cat.folder / spec.file
        if not f.exists() and spec.optional:
            continue  # an optional layer the folder does not have
        if not f.exists():
            reports.append(LayerReport(str(f), spec.name, spec, problems=[
                Problem(str(f), spec.name, None, None, "file", "layer file listed in the catalogue is missing")]))
            continue
        if not f.is_file():
            reports.append(LayerReport(str(f), spec.name, spec, problems=[
                Problem(str(f), spec.name, None, None, "file", "not a regular file (a folder, device or pipe)")]))
            continue
        reports.extend(_validate_file(f, cat, spec.name, frames, require_crs=cat.crs, check=check,
                                      bad_frames=bad_frames))
    return reports


def _validate_file(p: Path, catalogue: Catalogue | None, as_layer: str | None, frames: bool,
                   require_crs: Any = None, check: bool = True, bad_frames: bool = True) -> list[LayerReport]:
    try:
        layer_names = [None] if p.suffix.lower() in PARQUET else list_layers(p)
    except Exception as exc:
        return [LayerReport(str(p), as_layer, None, problems=[
            Problem(str(p), as_layer, None, None, "file", diagnose(p, exc))])]
    several = len(layer_names) > 1
    if several and as_layer:
        layer_names = _named_layer(p, layer_names, as_layer)
        if not layer_names:
            return [LayerReport(str(p), as_layer, catalogue[as_layer] if catalogue is not None else None, problems=[
                Problem(str(p), as_layer, None, None, "file",
                        f"has {len(list_layers(p))} layers ({', '.join(map(str, list_layers(p)))}) and none named "
                        f"{as_layer!r}; name the layer {as_layer!r} (other layers are never merged)")])]
    reports = []
    for lname in layer_names:
        spec = None
        if catalogue is not None:
            if as_layer:
                spec = catalogue[as_layer]
            elif several:  # a layer of a GeoPackage: by its own name only, never by the file's
                spec = catalogue.layers.get(lname) if lname else None
            else:
                spec = catalogue.match(p, lname)
        rep = _fast_layer(p, lname, spec, catalogue, frames, require_crs, check)
        if rep is None:
            rep = _record_layer(p, lname, spec, catalogue, frames, require_crs, check, bad_frames)
        reports.append(rep)
    return reports


def _fast_layer(p: Path, lname: str | None, spec: LayerSpec | None, catalogue: Catalogue | None, frames: bool,
                require_crs: Any, check: bool) -> LayerReport | None:
    """The layer read once into arrays and checked on its columns (:mod:`ino_geo.data.fastpath`);
    None when a check fails or the file is not one the fast path reads exactly."""
    arr = read_arrays(p, lname)
    if arr is None:
        return None
    inferred = False
    if spec is None and catalogue is not None:
        spec = infer_layer(catalogue, arr.columns)
        inferred = spec is not None
    rep = fast_report(arr, spec, catalogue, require_crs=require_crs, frames=frames, check=check)
    if rep is not None:
        rep.inferred = inferred
    return rep


def _record_layer(p: Path, lname: str | None, spec: LayerSpec | None, catalogue: Catalogue | None, frames: bool,
                  require_crs: Any, check: bool, bad_frames: bool = True) -> LayerReport:
    """The layer read record by record and checked (every problem located and named)."""
    try:
        raw = open_raw(p, lname)
    except DataError as exc:
        msg = str(exc)
        prefix = f"{p}: "
        return LayerReport(str(p), lname or (spec.name if spec else None), spec, problems=[
            Problem(str(p), lname or (spec.name if spec else None), None, None, "file",
                    msg[len(prefix):] if msg.startswith(prefix) else msg)])
    inferred = False
    if spec is None and catalogue is not None:
        spec = infer_layer(catalogue, raw.columns)
        inferred = spec is not None
    if raw.layer is None and spec is not None:
        raw.layer = spec.name
    if check:
        rep = check_layer(raw, spec, catalogue, require_crs=require_crs)
    else:  # read only: what stopped records from being read, nothing checked
        rep = LayerReport(raw.file, raw.layer, spec, crs=raw.crs, count=len(raw.geoms), problems=list(raw.problems))
    rep.inferred = inferred
    if frames and (bad_frames or not rep.problems):
        rep.frame = to_frame(raw, spec, catalogue)
    return rep


def _named_layer(p: Path, names: list, wanted: str) -> list:
    """The layer named `wanted` of a file with several layers (the others named in a log
    note, never read); [] if none has that name."""
    import logging

    named = [n for n in names if n == wanted]
    if named:
        others = [str(n) for n in names if n != wanted]
        logging.getLogger("ino_geo").warning("%s: read layer %s; not read: %s", p, wanted, ", ".join(others))
    return named


def infer_layer(catalogue: Catalogue, columns: list) -> LayerSpec | None:
    """The catalogue layer a file with these columns most likely is: the one sharing the
    most columns that not every layer has (at least one); None if none or a tie."""
    common = set.intersection(*(set(s.columns) for s in catalogue)) if len(catalogue.layers) else set()
    have = set(columns) - common
    scores = sorted(((len(have & (set(s.columns) - common)), s.name) for s in catalogue), reverse=True)
    if not scores or scores[0][0] == 0 or (len(scores) > 1 and scores[1][0] == scores[0][0]):
        return None
    return catalogue[scores[0][1]]


def validate_frame(
    gdf: "gpd.GeoDataFrame",
    spec: LayerSpec | str | None = None,
    catalogue: Catalogue | None = None,
    *,
    name: str = "<GeoDataFrame>",
) -> list[Problem]:
    """Validate an in-memory GeoDataFrame with the same rules as a file.

    Parameters
    ----------
    gdf : GeoDataFrame
    spec : LayerSpec or str, optional
        The catalogue layer (or its name) to check against; None runs the generic checks.
    catalogue : Catalogue, optional
        Where a layer name is looked up (default: the shipped catalogue).
    name : str
        What messages call the frame.

    Returns
    -------
    list of Problem
    """
    if isinstance(spec, str):
        catalogue = catalogue or load_catalogue()
        spec = catalogue[spec]
    raw = raw_from_frame(gdf, name, spec.name if spec else None)
    return check_layer(raw, spec, catalogue).problems


def read_validated(
    path: str | os.PathLike,
    spec: LayerSpec | None = None,
    catalogue: Catalogue | None = None,
    *,
    layer: str | None = None,
    require_crs: Any = None,
) -> "gpd.GeoDataFrame":
    """Read one layer of a file, validate it and return it; :class:`ValidationError` lists
    every problem if any is found."""
    p = _check_input_path(path)
    if p.is_dir():
        raise UsageError(f"{p}: is a folder, expected a vector file")
    if layer is None and p.suffix.lower() not in PARQUET:
        try:
            names = list_layers(p)
        except Exception as exc:
            raise DataError(f"{p}: {diagnose(p, exc)}") from None
        if len(names) > 1:
            wanted = [n for n in names if spec is not None and n == spec.name]
            if not wanted:
                raise UsageError(f"{p}: has {len(names)} layers ({', '.join(names)}); name one (path:layer)")
            layer = wanted[0]
        elif names:
            layer = names[0]
    arr = read_arrays(p, layer)
    fast = fast_report(arr, spec, catalogue, require_crs=require_crs, frames=True) if arr is not None else None
    if fast is not None:
        return fast.frame
    raw = open_raw(p, layer)
    if raw.layer is None and spec is not None:
        raw.layer = spec.name
    rep = check_layer(raw, spec, catalogue, require_crs=require_crs)
    if rep.problems:
        raise ValidationError(rep.problems)
    return to_frame(raw, spec, catalogue)
