"""``ino-geo network``: street networks from OpenStreetMap extracts."""

from __future__ import annotations

import json

import click

from .options import overwrite_opt

_PROFILES = ["drive", "walk", "bike"]  # ino_geo.data.osm_profiles.PROFILES (not imported: --help stays light)


@click.group("network")
def network() -> None:
    """Street networks from OpenStreetMap extracts (.osm.pbf)."""


@network.command("import")
@click.argument("extract", type=click.Path(path_type=str))
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="Output line layer: .gpkg, .geojson, .parquet, .fgb or .shp.")
@click.option("--profile", type=click.Choice(_PROFILES), default="drive", show_default=True,
              help="drive: public roads for cars, one-way streets marked in the oneway column; walk: footways, paths and streets "
                   "(no motorways), both directions; bike: cycleways, paths and streets (no motorways).")
@click.option("--clip", default=None, metavar="BOUNDARY|MINX,MINY,MAXX,MAXY",
              help="Keep only the parts inside a boundary of the layers folder (boundary_id or name) or a "
                   "box in degrees.")
@overwrite_opt
@click.pass_obj
def import_cmd(state, extract: str, output: str, profile: str, clip: str | None, overwrite: bool) -> None:
    """Import the street network of EXTRACT (.osm.pbf) as a routable line layer.

    One line per stretch of road between intersections, in EPSG:4326, with osm_id, name,
    highway, oneway (1: digitised direction only, -1: against it only, 0: both), speed_kmh
    (maxspeed, else a documented default per highway type), length_m (geodesic metres),
    bridge and tunnel. The result routes with --mode network --network FILE.

    Example: ino-geo network import tomsk.osm.pbf -o roads.gpkg --profile drive --clip tomsk
    """
    from pathlib import Path

    from ino_geo.data.export import export_layers
    from ino_geo.data.io import check_output, driver_for
    from ino_geo.data.osm import import_osm_network, parse_clip

    driver_for(output)
    check_output(output, overwrite)  # before any work
    area = parse_clip(clip, state.layers_dir)
    state.progress(f"importing the {profile} network of {extract}")
    gdf = import_osm_network(extract, profile, area)
    path, _ = export_layers({Path(output).stem: gdf}, output, overwrite=overwrite)
    km = float(gdf["length_m"].sum()) / 1000.0
    state.progress(f"wrote {len(gdf)} edges ({gdf['osm_id'].nunique()} ways, {km:,.1f} km) to {path}")
    click.echo(json.dumps({"output": str(path), "profile": profile, "edges": int(len(gdf)),
                           "ways": int(gdf["osm_id"].nunique()), "length_km": round(km, 3),
                           "oneway_edges": int((gdf["oneway"] != 0).sum()), "crs": "EPSG:4326"}))
