"""Resolving the inputs of the analysis commands: a layer name or a file path."""

from __future__ import annotations

from pathlib import Path


def layer_or_file(state, lay, value: str, option: str, *, xy: str | None = None, crs: str | None = None):
    """The layer named `value` in the layers folder, else the file at path `value`: a
    spreadsheet of points (.csv/.tsv/.txt/.xlsx, coordinate columns by name or `xy`, in `crs`)
    or a vector file."""
    from ino_geo._errors import UsageError
    from ino_geo.data.layers import read_layer
    from ino_geo.data.points import is_points_file, read_points

    if value in lay:
        _no_spreadsheet_options(option, value, xy, crs)
        return lay[value]
    if is_points_file(value):
        state.progress(f"reading points {value}")
        return plausible(read_points(value, xy=xy, crs=crs), lay, option, value)
    _no_spreadsheet_options(option, value, xy, crs)
    if Path(value).exists() or ":" in value:
        state.progress(f"reading {value}")
        return plausible(read_layer(value), lay, option, value)
    raise UsageError(f"{option} {value}: no layer or file of that name (layers: {', '.join(lay)})")


def plausible(gdf, lay, option: str, value: str):
    """`gdf` (a file the CLI read) if its coordinates lie in the study area of the layers in
    use (the catalogue's extent), as ``layers validate`` checks them; else a DataError naming
    the first record: longitude and latitude swapped, or outside the extent, with a hint."""
    from ino_geo._errors import DataError
    from ino_geo.data.validate import validate_frame

    catalogue = getattr(lay, "catalogue", None)
    if catalogue is None or catalogue.extent is None or gdf.crs is None or len(gdf) == 0:
        return gdf
    problems = [p for p in validate_frame(gdf.to_crs("EPSG:4326"), None, catalogue, name=str(value))
                if p.field == "geometry" and ("lat/lon" in p.message or "outside" in p.message)]
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise DataError(f"{option} {problems[0]}{more}; the layers in use cover lon/lat {list(catalogue.extent)} "
                        f"({catalogue.path}): swap the coordinate columns, give the right --crs, or use layers "
                        "of the area these records lie in (--layers DIR)")
    return gdf


def population_file(state, lay, path: str):
    """A population grid file (--population): read, validated and checked like the others."""
    from ino_geo.data.layers import read_layer

    state.progress(f"reading population {path}")
    return plausible(read_layer(path), lay, "--population", path)


def _no_spreadsheet_options(option: str, value: str, xy, crs) -> None:
    from ino_geo._errors import UsageError

    if xy is not None or crs is not None:
        raise UsageError(f"--xy/--crs apply to a spreadsheet {option} (.csv, .tsv, .txt, .xlsx), not {value}")


def parks_file(state, lay, value: str, option: str, park_type_column: str | None = None, *,
               required: bool = True):
    """A planner's own parks: the layer named `value`, else a vector file whose park type is in
    `park_type_column` (default ``park_type``), checked like the catalogue's parks (geometry
    types, allowed park types, and every other parks column the file has). Without the column:
    a DataError naming file and column if `required`, else the file as it is (one group)."""
    from ino_geo._errors import UsageError

    if value in lay:
        if park_type_column:
            raise UsageError(f"--park-type-column applies to a parks file, not the layer {value}")
        return lay[value]
    gdf = layer_or_file(state, lay, value, option)
    column = park_type_column or "park_type"
    if column not in gdf.columns:
        if required or park_type_column:
            from ino_geo._errors import DataError

            raise DataError(f"{value}: field {column}: missing column (the park type of each park; columns: "
                            f"{', '.join(c for c in gdf.columns if c != 'geometry')}); name it with --park-type-column NAME")
        return gdf
    _check_like_parks(gdf, value, column)
    if column != "park_type":
        if "park_type" in gdf.columns:
            raise UsageError(f"--park-type-column {column}: {value} also has a park_type column; drop one of them")
        gdf = gdf.rename(columns={column: "park_type"})
    return gdf


def _check_like_parks(gdf, value: str, column: str) -> None:
    """The catalogue's parks spec, restricted to the columns the file has (park type renamed)."""
    from dataclasses import replace

    from ino_geo._errors import ValidationError
    from ino_geo.data.catalogue import load_catalogue
    from ino_geo.data.validate import validate_frame

    catalogue = load_catalogue()
    spec = catalogue["parks"]
    cols = {}
    for name, col in spec.columns.items():
        if name == "park_type":
            cols[column] = replace(col, name=column, required=True)
        elif name != column:
            cols[name] = replace(col, required=col.required and name in gdf.columns)
    own = replace(spec, columns=cols, id=spec.id if spec.id in gdf.columns else None)
    problems = validate_frame(gdf, own, catalogue, name=str(value))
    if problems:
        raise ValidationError(problems)


def network_layer(state, lay, network_path: str | None, profile: str = "drive", cache: bool = True):
    """The line layer to route on: --network PATH (a vector file, or an OSM extract whose
    `profile` network is imported through the cache), else the corridors layer."""
    from ino_geo._errors import UsageError

    if network_path:  # the OSM importer only when a file is named (the corridors layer needs none of it)
        from ino_geo.data.layers import read_layer
        from ino_geo.data.osm import is_osm_extract, network_from_path

        if is_osm_extract(network_path):
            return network_from_path(network_path, profile, cache=cache, progress=state.progress)
        state.progress(f"reading network {network_path}")
        return plausible(read_layer(network_path), lay, "--network", network_path)
    if "corridors" not in lay:
        raise UsageError("network mode needs a corridors layer or --network PATH")
    return lay["corridors"]


def river_layer(lay):
    """The river (the barrier no walking leg crosses), if the layers have one."""
    return lay["river"] if "river" in lay else None


def carry_origin_columns(res, origins):
    """Spreadsheet origins: their row number (``source_row``) and every other column of the
    table, joined onto the proximity rows by origin id (a result column's name wins; a
    clashing table column is prefixed ``origin_``). Other origins: `res` unchanged."""
    rows = getattr(origins, "attrs", {}).get("source_row")  # a lazy (partitioned) layer has no attrs
    if rows is None or len(res) == 0:
        return res
    from ino_geo.analysis.proximity import id_column

    col = id_column(origins)
    keys = origins[col].astype(object).to_numpy() if col else origins.index.astype(str).to_numpy()
    table = origins.drop(columns=[origins.geometry.name]).assign(source_row=rows)
    table.index = keys
    for name in table.columns:
        if name == col:
            continue
        out = name if name not in res.columns else f"origin_{name}"
        if out in res.columns:
            continue
        res[out] = res["origin_id"].map(table[name])
    return res
