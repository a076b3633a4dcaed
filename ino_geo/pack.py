"""The planners' pack: every built-in map and the headline tables of a layers folder.

:func:`build_pack` is what ``ino-geo build`` runs: the main job on the shipped Tomsk layers.
"""

from __future__ import annotations

import html
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, Sequence

from ino_geo import defaults
from ino_geo._errors import DataError, UsageError
from ino_geo.data.io import atomic_write_text, check_output

__all__ = ["build_pack", "PACK_TABLES"]

PACK_TABLES = ("coverage.csv", "proximity.csv")


def build_pack(
    layers: Any,
    out_dir: str | os.PathLike,
    *,
    distances: Sequence[float] = (500.0, 1000.0, 3000.0),
    minutes: Sequence[float] = (),
    park_types: Sequence[str] = (),
    mode: str | None = None,
    lang: str = "en",
    focus: str | None = None,
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
        Coverage distances, metres (or `minutes`: travel times; not both).
    minutes : sequence of float
        Coverage travel times, minutes.
    park_types : sequence of str
        The park types of the coverage table, the coverage map (the first one shown and titled,
        one overlay per type and reach) and the proximity map (default: all; the coverage map's
        own type).
    mode : str, optional
        ``"euclidean"`` (default) or ``"network"`` (along the corridors layer).
    lang, focus : str
        The maps' language and focus boundary (see :func:`ino_geo.render_map`).
    self_contained : bool
        Inline Leaflet (maps open with no network) or keep folium's CDN links.
    progress : callable, optional
        Called with a line of progress text.

    Returns
    -------
    dict
        JSON-ready summary: the files written with their sizes, and headline numbers.
    """
    say = progress or (lambda _msg: None)
    d = Path(out_dir)
    if distances and minutes:
        raise UsageError("give --distance or --minutes, not both")
    distances = _checked_distances(d, distances) if not minutes else []  # before any work
    if focus:
        from ino_geo.webmap.focus import resolve_focus

        resolve_focus(layers, focus)
    params = {"distances": distances, "minutes": list(minutes), "park_types": list(park_types), "mode": mode,
              "lang": lang, "focus": focus}
    files = _pack_files()
    created = not d.exists()
    if not created:
        for f in files:  # before any work
            check_output(d / f, overwrite)
    stage = _staging_folder(d)
    # everything is written into a hidden staging folder inside `d` and moved into place at
    # the end: a failure half-way leaves `d` as it was (and removes it if this run made it)
    try:
        cov, maps = _write_pack(layers, stage, d, params, self_contained, say)
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
    return _summary(layers, d, cov, maps, say)


def _checked_distances(d: Path, distances: Sequence[float]) -> list[float]:
    """The coverage distances, each a finite number of metres within the limit; `d` not a file."""
    if d.exists() and not d.is_dir():
        raise UsageError(f"{d}: is not a folder")
    out = list(distances)
    for v in out:
        try:
            ok = math.isfinite(float(v)) and 0 <= float(v) <= defaults.MAX_DISTANCE_M
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise UsageError(f"--distance {v!r}: must be a finite number of metres from 0 to {defaults.MAX_DISTANCE_M:g}")
    if not out:
        raise UsageError("give at least one --distance")
    return out


def _pack_files() -> list[str]:
    """The names of every file of a pack."""
    from ino_geo.webmap.spec import BUILTIN_MAPS

    names = list(BUILTIN_MAPS)
    return [f"{n}.html" for n in names] + [f"{n}.embed.html" for n in names] + list(PACK_TABLES) + ["index.html"]


def _staging_folder(d: Path) -> Path:
    """A new hidden folder inside `d` (created if missing)."""
    try:
        d.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=".ino-geo-build.", dir=d))
    except OSError as exc:
        err = UsageError if isinstance(exc, (NotADirectoryError, FileExistsError)) else DataError
        raise err(f"{d}: cannot create the output folder: {exc.strerror or exc}") from exc


def _write_pack(layers: Any, stage: Path, d: Path, params: dict[str, Any], self_contained: bool,
                say: Callable[[str], None]) -> tuple[Any, list[tuple[str, Path, int]]]:
    """Write the tables, the maps, their snippets and the index into `stage`; the coverage and the maps."""
    import ino_geo
    from ino_geo.data.output import write_frame
    from ino_geo.mapdata import builtin_map_results
    from ino_geo.webmap.render import embed_snippet, render_all

    distances, minutes, types, mode = params["distances"], params["minutes"], params["park_types"], params["mode"]
    net = {"network": layers.corridors} if mode == "network" else {}
    reach = {"distances": distances} if distances else {"minutes": minutes}
    say(f"coverage of {len(layers.parks)} parks within {', '.join(f'{x:g}' for x in distances or minutes)} "
        f"{'m' if distances else 'min'}")
    cov = ino_geo.coverage(layers.parks, **reach, park_types=types or None, mode=mode or defaults.MODES[0], **net,
                           boundaries=layers.boundaries, by="municipality", population=layers.population, cells=False)
    write_frame(cov.table, stage / "coverage.csv")
    say(f"proximity of {len(layers.sites)} sites to the nearest park of each type")
    prox = ino_geo.proximity(layers.sites, layers.parks, park_types=types or None, mode=mode or defaults.MODES[0],
                             **net)
    write_frame(prox, stage / "proximity.csv")

    say("analyses of the coverage and proximity maps")
    results = builtin_map_results(layers, park_types=types or None, distances=distances or None,
                                  minutes=minutes or None, mode=mode)
    staged = render_all(layers, stage, results=results, self_contained=self_contained,
                        lang=params["lang"], focus=params["focus"],
                        progress=lambda msg: say(msg.replace(str(stage), str(d))))
    maps = [(name, d / p.name, size) for name, p, size in staged]
    for name, path, _size in staged:
        atomic_write_text(stage / f"{name}.embed.html", embed_snippet(path, title=name))
    atomic_write_text(stage / "index.html", _index_html(layers, maps))
    return cov, maps


def _summary(layers: Any, d: Path, cov: Any, maps: list[tuple[str, Path, int]],
             say: Callable[[str], None]) -> dict[str, Any]:
    """The JSON-ready summary of a written pack."""
    snippets = [d / f"{n}.embed.html" for n, _p, _b in maps]
    whole = cov.table[cov.table.boundary_id == "all"]
    headline = {
        f"{r.park_type}@{r.threshold:g}{r.unit}": {"population_pct": round(float(r.population_pct), 1),
                                                     "area_pct": round(float(r.area_pct), 1)}
        for r in whole.itertuples()
    }
    files = [{"path": str(p), "bytes": p.stat().st_size} for p in
             [m[1] for m in maps] + snippets + [d / t for t in PACK_TABLES] + [d / "index.html"]]
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
