"""The planners' pack: every built-in map and the headline tables of a layers folder.

:func:`build_pack` is what ``ino-geo build`` runs: the main job on the shipped Tomsk layers.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any, Callable, Sequence

from ._errors import UsageError
from ._io import atomic_write_text, check_output

__all__ = ["build_pack", "PACK_TABLES"]

PACK_TABLES = ("coverage.csv", "proximity.csv")


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
    import ino_geo
    from .mapspec import BUILTIN_MAPS
    from .output import write_frame
    from .render import embed_snippet, render_all

    say = progress or (lambda _msg: None)
    d = Path(out_dir)
    if d.exists() and not d.is_dir():
        raise UsageError(f"{d}: is not a folder")
    d.mkdir(parents=True, exist_ok=True)
    names = list(BUILTIN_MAPS)
    planned = [d / f"{n}.html" for n in names] + [d / f"{n}.embed.html" for n in names]
    planned += [d / t for t in PACK_TABLES] + [d / "index.html"]
    for p in planned:  # before any work
        check_output(p, overwrite)

    say(f"coverage of {len(layers.parks)} parks within {', '.join(f'{x:g}' for x in distances)} m")
    cov = ino_geo.coverage(layers.parks, distances=list(distances), boundaries=layers.boundaries,
                           by="municipality", population=layers.population, cells=False)
    write_frame(cov.table, d / "coverage.csv", overwrite=overwrite)
    say(f"proximity of {len(layers.sites)} sites to the nearest park of each type")
    prox = ino_geo.proximity(layers.sites, layers.parks)
    write_frame(prox, d / "proximity.csv", overwrite=overwrite)

    maps = render_all(layers, d, overwrite=overwrite, self_contained=self_contained, progress=say)
    snippets = []
    for name, path, _size in maps:
        snip = d / f"{name}.embed.html"
        atomic_write_text(snip, embed_snippet(path, title=name), overwrite=overwrite)
        snippets.append(snip)
    index = d / "index.html"
    atomic_write_text(index, _index_html(layers, maps), overwrite=overwrite)

    whole = cov.table[cov.table.boundary_id == "all"]
    headline = {
        f"{r.park_type}@{r.threshold:g}{r.unit}": {"population_pct": round(float(r.population_pct), 1),
                                                     "area_pct": round(float(r.area_pct), 1)}
        for r in whole.itertuples()
    }
    files = [{"path": str(p), "bytes": p.stat().st_size} for p in
             [m[1] for m in maps] + snippets + [d / t for t in PACK_TABLES] + [index]]
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
<a href="proximity.csv">proximity.csv</a> (distances in metres, computed in EPSG:32645).</p>
<ul>
{items}
</ul>
</body></html>
"""
