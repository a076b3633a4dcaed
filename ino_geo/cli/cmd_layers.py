"""``ino-geo layers``: list, show, validate and export layers."""

from __future__ import annotations

import json

import click

from ino_geo._errors import DataError, UsageError

from .options import format_opt, overwrite_opt


@click.group("layers")
def layers() -> None:
    """List, show, validate and export layers."""


@layers.command("list")
@format_opt(["table", "csv", "json"])
@click.pass_obj
def list_cmd(state, fmt: str) -> None:
    """Name, geometry, count, CRS and description of every catalogue layer."""
    from ino_geo.data.catalogue import load_catalogue
    from ino_geo.data.shipped import default_layers_dir
    from ino_geo.data.output import emit_frame
    from ino_geo.data.validate import validate_path
    import pandas as pd

    folder = state.layers_dir or default_layers_dir()
    catalogue = load_catalogue(folder)
    reports = {r.spec.name: r for r in validate_path(catalogue.folder, catalogue)}
    rows = []
    for spec in catalogue:
        r = reports.get(spec.name)
        rows.append({
            "name": spec.name,
            "geometry": "/".join(spec.geometry),
            "count": r.count if r else 0,
            "crs": r.crs.to_string() if (r and r.crs is not None) else "",
            "problems": len(r.problems) if r else 0,
            "file": spec.file,
            "description": spec.description,
        })
    emit_frame(pd.DataFrame(rows), fmt)


@layers.command("show")
@click.argument("name")
@format_opt(["table", "csv", "json", "geojson"])
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many records.")
@click.pass_obj
def show_cmd(state, name: str, fmt: str, limit: int | None) -> None:
    """The records of layer NAME."""
    from ino_geo.data.output import emit_frame

    lay = state.layers()
    if name not in lay:
        raise UsageError(f"layers show NAME: no layer {name!r}; layers: {', '.join(lay)}")
    gdf = lay[name]
    if limit is not None:
        gdf = gdf.head(limit)
    emit_frame(gdf, fmt)


@layers.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=str))
@click.option("--as", "as_layer", default=None, metavar="LAYER",
              help="Check the files against this catalogue layer whatever their names.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Problems as lines of text or as JSON.")
@click.option("--fix", is_flag=True,
              help="Repair invalid geometries (shapely.make_valid) and write the repaired file to -o; "
                   "every repair is reported.")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="With --fix: where to write the repaired file (format from the extension).")
@overwrite_opt
@click.pass_obj
def validate_cmd(state, paths: tuple[str, ...], as_layer: str | None, fmt: str, fix: bool,
                 output: str | None, overwrite: bool) -> None:
    """Check layer files (default: the layers folder) and report every problem.

    PATHS are GeoJSON, GeoPackage (every layer), Shapefile, FlatGeobuf or GeoParquet files,
    or folders with a catalogue.toml. A file is checked against the catalogue layer of its
    name (parks.shp, or a GeoPackage layer 'parks'), or of --as. Exit 1 if any problem.
    """
    from ino_geo.data.catalogue import load_catalogue
    from ino_geo.data.shipped import default_layers_dir
    from ino_geo.data.validate import validate_path

    catalogue = load_catalogue(state.layers_dir or default_layers_dir())
    if as_layer is not None:
        catalogue[as_layer]
    targets = list(paths) or [str(catalogue.folder)]
    if fix or output:
        if not (fix and output):
            raise UsageError("--fix and -o/--output go together: --fix -o REPAIRED_FILE")
        if len(paths) != 1:
            raise UsageError("--fix repairs one file: give exactly one PATH")
        from ino_geo.data.io import check_output

        check_output(output, overwrite)  # before any work
        reports = _fix(paths[0], catalogue, as_layer, output, overwrite, state)
    else:
        reports = []
        for p in targets:
            reports.extend(validate_path(p, catalogue, as_layer=as_layer))
    problems = [pr for r in reports for pr in r.problems]
    if fmt == "json":
        click.echo(json.dumps({
            "ok": not problems,
            "layers": [{"file": r.file, "layer": r.layer, "checked_as": r.spec.name if r.spec else None,
                        "count": r.count, "problems": len(r.problems)} for r in reports],
            "problems": [pr.as_dict() for pr in problems],
        }, ensure_ascii=False, indent=2))
    else:
        for pr in problems:
            click.echo(str(pr))
    # a file that could not be read was not checked against anything: its problem says so
    unchecked = [r for r in reports if r.spec is None and not any(pr.field == "file" for pr in r.problems)]
    for r in unchecked:
        click.echo(f"ino-geo: note: {r.file}" + (f" layer {r.layer}" if r.layer else "")
                   + ": no catalogue layer of this name, only generic checks ran (use --as LAYER)", err=True)
    nfiles = len({r.file for r in reports})
    if problems:  # the one error line, exit 1
        raise DataError(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in "
                        f"{len({(r.file, r.layer) for r in reports if r.problems})} of {len(reports)} layers "
                        f"({nfiles} file{'s' if nfiles != 1 else ''})")
    click.echo(f"ino-geo: {len(reports)} layer{'s' if len(reports) != 1 else ''} in {nfiles} "
               f"file{'s' if nfiles != 1 else ''}: no problems", err=True)


def _fix(path: str, catalogue, as_layer, output: str, overwrite: bool, state) -> list:
    """Repair the invalid geometries of every layer of `path` and write them to `output`;
    return the reports of validating the repaired layers.

    The repaired file is written only when repairing leaves no problem: a file with problems
    that --fix cannot repair (attributes, CRS, unreadable records) is reported and nothing is
    written, so a failed run (exit 1) never leaves an output behind.
    """
    from ino_geo.data.export import export_layers
    from ino_geo.data.repair import repair_geometries
    from ino_geo.data.validate import validate_frame, validate_path

    before = validate_path(path, catalogue, as_layer=as_layer, frames=True)
    if any(r.frame is None for r in before):  # unreadable: nothing to repair
        state.progress(f"nothing written to {output}: the file cannot be read")
        return before
    frames, lines = {}, []
    for r in before:
        fixed, changes = repair_geometries(r.frame, r.spec.id if r.spec else None)
        for row in changes.itertuples():
            ident = f" ({r.spec.id}={row.id})" if r.spec and r.spec.id else ""
            extra = f", {row.parts_dropped} lower-dimension part(s) dropped" if row.parts_dropped else ""
            area = f", area {row.area_m2_after:,.0f} m2" if "area_m2_after" in changes else ""
            lines.append(f"{r.file}: layer {r.layer}: record {row.record}{ident}: field geometry: repaired "
                         f"({row.reason}): {row.before} -> {row.after}{extra}{area}")
        frames[r.layer or "layer"] = fixed
        r.problems = [p for p in validate_frame(fixed, r.spec, catalogue, name=r.file)]
        r.problems = [type(p)(r.file, r.layer, p.record, p.id, p.field, p.message) for p in r.problems]
    if any(r.problems for r in before):
        state.progress(f"nothing written to {output}: --fix repairs invalid geometries only; "
                       "the problems listed remain")
        return before
    for line in lines:
        click.echo(line)
    export_layers(frames, output, overwrite=overwrite)
    state.progress(f"wrote the repaired file {output} ({len(lines)} geometr{'y' if len(lines) == 1 else 'ies'} "
                   "repaired)")
    return before


@layers.command("export")
@click.argument("names", nargs=-1, required=True)
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="Output file: .gpkg (one layer per name), .geojson, .parquet, .fgb or .shp.")
@click.option("--format", "fmt", type=click.Choice(["gpkg", "geojson", "parquet", "fgb", "shp"]), default=None,
              help="Output format (default: from the extension).")
@overwrite_opt
@click.pass_obj
def export_cmd(state, names: tuple[str, ...], output: str, fmt: str | None, overwrite: bool) -> None:
    """Export layers NAMES to a file, atomically."""
    from ino_geo.data.io import check_output
    from ino_geo.data.export import export_layers

    check_output(output, overwrite)  # before any work
    lay = state.layers()
    unknown = [n for n in names if n not in lay]
    if unknown:
        raise UsageError(f"layers export NAMES: no layer {', '.join(map(repr, unknown))}; layers: {', '.join(lay)}")
    path, counts = export_layers({n: lay[n] for n in names}, output, fmt=fmt, overwrite=overwrite)
    state.progress(f"wrote {path} ({', '.join(f'{n}: {c}' for n, c in counts.items())})")
    click.echo(json.dumps({"output": str(path), "layers": counts}))


@layers.command("from-osm")
@click.argument("extract", type=click.Path(path_type=str))
@click.option("-o", "--output", "output", required=True, type=click.Path(file_okay=False, path_type=str),
              help="The layers folder to write (catalogue.toml + GeoJSON files).")
@click.option("--admin-levels", default=None, metavar="municipality=N,district=M",
              help="admin_level of each boundary level (default municipality=6,district=9: the Russian "
                   "convention; Finland: municipality=8,district=10).")
@overwrite_opt
@click.pass_obj
def from_osm_cmd(state, extract: str, output: str, admin_levels: str | None, overwrite: bool) -> None:
    """Write a layers folder built from the OpenStreetMap extract EXTRACT (.osm.pbf).

    Parks by a documented tag mapping of the six park types (ino_geo/data/osm_layers.toml),
    the drive network as corridors, administrative boundaries by admin_level, settlements as
    places, river water polygons. OSM has no population grid: use --population FILE with
    coverage and --from FILE with proximity. What could not be mapped is listed on stderr.

    Example: ino-geo layers from-osm city.osm.pbf -o city-layers && ino-geo --layers city-layers coverage
    """
    from ino_geo.data.osm_layers import layers_from_osm

    levels = None
    if admin_levels:
        try:
            levels = dict(part.split("=", 1) for part in admin_levels.split(","))
        except ValueError:
            raise click.BadParameter("expected municipality=N,district=M", param_hint="--admin-levels") from None
        bad = sorted(set(levels) - {"municipality", "district"})
        if bad or not all(v.strip().isdigit() for v in levels.values()):
            raise click.BadParameter("expected municipality=N,district=M with whole numbers",
                                     param_hint="--admin-levels")
        levels = {k: v.strip() for k, v in levels.items()}
    report = layers_from_osm(extract, output, overwrite=overwrite, admin_levels=levels, progress=state.progress)
    for name in report["empty"]:
        state.progress(f"layer {name}: nothing found in the extract, left out of the catalogue")
    for note in report["notes"]:
        state.progress(note)
    state.progress(f"wrote {output} ({', '.join(f'{n}: {c}' for n, c in report['layers'].items())})")
    click.echo(json.dumps(report, ensure_ascii=False))
