"""The planners' pack: every built-in map and the headline tables of a layers folder.

:func:`build_pack` is what ``ino-geo build`` runs: the main job on the shipped Tomsk layers.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any, Callable, Sequence

from ino_geo._errors import DataError, UsageError
from ino_geo.data.io import atomic_write_text, check_output

__all__ = ["build_pack", "PACK_TABLES", "PACK_ATLAS"]

PACK_TABLES = ("coverage.csv", "proximity.csv")
PACK_ATLAS = "atlas.pdf"  # print maps: one page per map, and NAME.png of each (ino_geo.webmap.static)
_MAX_DISTANCE_M = 500_000.0  # as ino_geo coverage


def build_pack(
    layers: Any,
    out_dir: str | os.PathLike,
    *,
    distances: Sequence[float] = (500.0, 1000.0, 3000.0),
    self_contained: bool = True,
    overwrite: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Write the maps, their embed snippets, the coverage and proximity tables and an index.

    Parameters
    ----------
    layers : Layers
        From :func:`ino_geo.load_layers`.
    out_dir : str or PathLike
        Created if missing. Every output path is checked before any work: an existing file
        needs `overwrite`.
    distances : sequence of float
        Coverage distances, metres.
    self_contained : bool
        Inline Leaflet (maps open with no network) or keep folium's CDN links.
    progress : callable, optional
        Called with a line of progress text.

    Returns
    -------
    dict
        JSON-ready summary: the files written with their sizes, and headline numbers.
    """
    import math
    import shutil
    import tempfile

    import ino_geo
    from ino_geo.webmap.spec import BUILTIN_MAPS
    from ino_geo.data.output import write_frame
    from ino_geo.webmap.render import embed_snippet, render_all

    say = progress or (lambda _msg: None)
    d = Path(out_dir)
    if d.exists() and not d.is_dir():
        raise UsageError(f"{d}: is not a folder")
    distances = list(distances)
    for v in distances:  # before any work
        try:
            ok = math.isfinite(float(v)) and 0 <= float(v) <= _MAX_DISTANCE_M
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise UsageError(f"--distance {v!r}: must be a finite number of metres from 0 to {_MAX_DISTANCE_M:g}")
    if not distances:
        raise UsageError("give at least one --distance")
    names = list(BUILTIN_MAPS)
    files = [f"{n}.html" for n in names] + [f"{n}.embed.html" for n in names] + list(PACK_TABLES) + ["index.html"]
    prints = [PACK_ATLAS] + [f"{n}.png" for n in names]
    files += prints
    created = not d.exists()
    if not created:
        for f in files:  # before any work
            check_output(d / f, overwrite)
    try:
        d.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=".ino-geo-build.", dir=d))
    except OSError as exc:
        err = UsageError if isinstance(exc, (NotADirectoryError, FileExistsError)) else DataError
        raise err(f"{d}: cannot create the output folder: {exc.strerror or exc}") from exc
    # everything is written into a hidden staging folder inside `d` and moved into place at
    # the end: a failure half-way leaves `d` as it was (and removes it if this run made it)
    try:
        say(f"coverage of {len(layers.parks)} parks within {', '.join(f'{x:g}' for x in distances)} m")
        cov = ino_geo.coverage(layers.parks, distances=distances, boundaries=layers.boundaries,
                               by="municipality", population=layers.population, cells=False)
        write_frame(cov.table, stage / "coverage.csv")
        say(f"proximity of {len(layers.sites)} sites to the nearest park of each type")
        prox = ino_geo.proximity(layers.sites, layers.parks)
        write_frame(prox, stage / "proximity.csv")

        staged = render_all(layers, stage, self_contained=self_contained,
                            progress=lambda msg: say(msg.replace(str(stage), str(d))))
        maps = [(name, d / p.name, size) for name, p, size in staged]
        for name, path, _size in staged:
            atomic_write_text(stage / f"{name}.embed.html", embed_snippet(path, title=name))
        # print maps: the atlas and a PNG per map, from the same specs
        from ino_geo.webmap.static import render_atlas

        say(f"drawing the print atlas {d / PACK_ATLAS} and a PNG per map")
        render_atlas(layers, stage / PACK_ATLAS, maps=names, png_dir=stage)
        atomic_write_text(stage / "index.html", _index_html(layers, maps))
        for f in files:
            check_output(d / f, overwrite)  # nothing appeared meanwhile
        for f in files:
            os.replace(stage / f, d / f)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        if created:
            shutil.rmtree(d, ignore_errors=True)
        raise
    shutil.rmtree(stage, ignore_errors=True)
    snippets = [d / f"{n}.embed.html" for n, _p, _b in maps]
    index = d / "index.html"

    whole = cov.table[cov.table.boundary_id == "all"]
    headline = {
        f"{r.park_type}@{r.threshold:g}{r.unit}": {"population_pct": round(float(r.population_pct), 1),
                                                     "area_pct": round(float(r.area_pct), 1)}
        for r in whole.itertuples()
    }
    files = [{"path": str(p), "bytes": p.stat().st_size} for p in
             [m[1] for m in maps] + snippets + [d / t for t in PACK_TABLES] + [index] + [d / f for f in prints]]
    say(f"wrote {len(files)} files into {d}")
    return {
        "output": str(d),
        "layers": {k: int(len(v)) for k, v in layers.items()},
        "maps": [{"name": n, "path": str(p), "bytes": b} for n, p, b in maps],
        "files": files,
        "coverage": {"crs": cov.table.attrs.get("metric_crs", "EPSG:32645"), "units": "metres, km2, people, %",
                     "whole_area": headline},
    }


def _index_html(layers: Any, maps: list) -> str:
    e = html.escape
    items = "\n".join(
        f'  <li><a href="{e(p.name)}">{e(n)}</a> ({b / 1e6:.1f} MB) — '
        f'<a href="{e(n)}.embed.html">iframe snippet</a></li>'
        for n, p, b in maps
    )
    title = e(getattr(getattr(layers, "catalogue", None), "name", "Layers"))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} — maps</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}}</style>
</head><body>
<h1>{title}</h1>
<p>Maps rendered by ino-geo. Each opens with no network; tables: <a href="coverage.csv">coverage.csv</a>,
<a href="proximity.csv">proximity.csv</a> (distances in metres, computed in EPSG:32645).
Print maps: <a href="atlas.pdf">atlas.pdf</a> (one page per map) and a PNG of each map.</p>
<ul>
{items}
</ul>
</body></html>
"""
