"""The planners' pack: every built-in map and the headline tables of a layers folder.

:func:`build_pack` is what ``ino-geo build`` runs: the main job on the shipped Tomsk layers.
"""

from __future__ import annotations

import html
import math
import os
from pathlib import Path
from typing import Any, Callable, Sequence

from ino_geo import defaults
from ino_geo._errors import UsageError
from ino_geo.data.io import atomic_write_text
from ino_geo.data.transaction import Outputs, current_outputs

__all__ = ["build_pack", "pack_maps", "PACK_TABLES", "PACK_ATLAS"]

PACK_TABLES = ("coverage.csv", "proximity.csv")
PACK_ATLAS = "atlas.pdf"  # print maps: one page per map, and NAME.png of each (ino_geo.webmap.static)


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
    """Write the maps, their embed snippets, the print atlas and PNGs, the coverage and proximity
    tables and an index.

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
    if d.exists() and not d.is_dir():
        raise UsageError(f"{d}: is not a folder")
    if d.is_dir() and not overwrite:
        for f in _pack_files():  # before any work
            if os.path.lexists(d / f):
                raise UsageError(f"{d / f}: exists; pass --overwrite to replace it")
    # the whole pack is one folder output of the run's transaction: staged beside `d` and
    # renamed into place with no-replace (or, into an existing folder, published file by file
    # under the folder's lock); a failure or a concurrent run never touches what another made
    current = current_outputs()
    with Outputs(overwrite=overwrite, inputs=current.input_paths if current else ()) as out:
        stage = out.folder(d)
        cov, maps = _write_pack(layers, stage, d, params, self_contained, say)
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


def pack_maps() -> list[str]:
    """The maps of a pack: the five built-in maps and the decision maps (accessibility, site selection)."""
    from ino_geo.webmap.spec import BUILTIN_MAPS, DECISION_MAPS

    return list(BUILTIN_MAPS) + list(DECISION_MAPS)


def _pack_files() -> list[str]:
    """The names of every file of a pack."""
    names = pack_maps()
    return ([f"{n}.html" for n in names] + [f"{n}.embed.html" for n in names] + list(PACK_TABLES) + ["index.html"]
            + _print_files())


def _print_files() -> list[str]:
    """The print maps of a pack: the atlas and a PNG per map."""
    return [PACK_ATLAS] + [f"{n}.png" for n in pack_maps()]


def _write_pack(layers: Any, stage: Path, d: Path, params: dict[str, Any], self_contained: bool,
                say: Callable[[str], None]) -> tuple[Any, list[tuple[str, Path, int]]]:
    """Write the tables, the maps, their snippets and the index into `stage`; the coverage and the maps.

    Every step runs once: the map specs are read once, and the analyses go through one
    :class:`~ino_geo.mapdata.AnalysisRuns` (the proximity table and the proximity map share
    one run, a scenario's network is built once for every analysis)."""
    from ino_geo.mapdata import AnalysisRuns, builtin_map_results
    from ino_geo.webmap.render import embed_snippet, render_all
    from ino_geo.webmap.spec import BUILTIN_MAPS, load_map_spec

    runs = AnalysisRuns()
    cov = _write_tables(layers, stage, params, runs, say)
    say("analyses of the maps (coverage, proximity, accessibility, site selection)")
    distances, minutes, types = params["distances"], params["minutes"], params["park_types"]
    builtin = [load_map_spec(n) for n in BUILTIN_MAPS]
    results = builtin_map_results(layers, builtin, park_types=types or None, distances=distances or None,
                                  minutes=minutes or None, mode=params["mode"], runs=runs)
    specs = builtin + _decision_results(layers, results, runs, say)
    staged = render_all(layers, stage, results=results, self_contained=self_contained, names=specs,
                        lang=params["lang"], focus=params["focus"],
                        progress=lambda msg: say(msg.replace(str(stage), str(d))))
    maps = [(name, d / p.name, size) for name, p, size in staged]
    for name, path, _size in staged:
        atomic_write_text(stage / f"{name}.embed.html", embed_snippet(path, title=name))
    # print maps: the atlas and a PNG per map, from the same specs and results
    from ino_geo.webmap.static import render_atlas

    say(f"drawing the print atlas {d / PACK_ATLAS} and a PNG per map")
    drawn = {name for name, _p, _b in staged}
    render_atlas(layers, stage / PACK_ATLAS, maps=[s for s in specs if s.name in drawn], png_dir=stage,
                 results=results, lang=params["lang"], focus=params["focus"])
    atomic_write_text(stage / "index.html", _index_html(layers, maps))
    return cov, maps


def _write_tables(layers: Any, stage: Path, params: dict[str, Any], runs: Any, say: Callable[[str], None]) -> Any:
    """Write ``coverage.csv`` and ``proximity.csv`` into `stage`; the coverage. The runs are
    kept in `runs`, where the maps find them."""
    from ino_geo.analysis.coverage import coverage
    from ino_geo.analysis.proximity import proximity
    from ino_geo.data.output import write_frame
    from ino_geo.mapdata import _layer

    distances, minutes, types, mode = params["distances"], params["minutes"], params["park_types"], params["mode"]
    # in network mode the tables use the river as the maps do (no walking leg crosses the Tom)
    net = {"network": layers.corridors, "river": _layer(layers, "river", required=False)} if mode == "network" else {}
    reach = {"distances": distances} if distances else {"minutes": minutes}
    say(f"coverage of {len(layers.parks)} parks within {', '.join(f'{x:g}' for x in distances or minutes)} "
        f"{'m' if distances else 'min'}")
    cov = runs.run(coverage, layers.parks, **reach, park_types=types or None, mode=mode or defaults.MODES[0], **net,
                   boundaries=layers.boundaries, by="municipality", population=layers.population, cells=False)
    write_frame(cov.table, stage / "coverage.csv")
    say(f"proximity of {len(layers.sites)} sites to the nearest park of each type")
    # links drawn: the proximity map shares this run (113 sites: cheap)
    prox = runs.run(proximity, layers.sites, layers.parks, park_types=types or None, mode=mode or defaults.MODES[0],
                    links=True, **net)
    write_frame(prox, stage / "proximity.csv")
    return cov


def _decision_results(layers: Any, results: dict, runs: Any, say: Callable[[str], None]) -> list:
    """Add the results of the decision maps to `results`; the specs of those computed. A decision
    map the layers cannot answer (e.g. fewer candidate cells than new sites, no park of the
    type) is left out of the pack with its reason, instead of failing the whole build."""
    from ino_geo._errors import InoGeoError
    from ino_geo.mapdata import map_results
    from ino_geo.webmap.spec import DECISION_MAPS, load_map_spec

    done = []
    for name in DECISION_MAPS:
        try:
            spec = load_map_spec(name)  # read once: the web and print maps are drawn from it
            results[name] = map_results(spec, layers, runs=runs)
        except InoGeoError as exc:
            say(f"map {name} left out: {exc}")
            continue
        done.append(spec)
    return done


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
             [m[1] for m in maps] + snippets + [d / t for t in PACK_TABLES] + [d / "index.html"]
             + [d / PACK_ATLAS] + [d / f"{n}.png" for n, _p, _b in maps]]
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
