"""Options shared by the commands, defined once, each with a value-checking callback.

As in rasterio's ``rio/options.py``: an option is declared here once, with its default taken
from :mod:`ino_geo.defaults` (never copied), and its callback checks the value while the
command line is parsed, before any work. A bad value raises the package's own
:class:`~ino_geo.UsageError` (exit 2), which the group in :mod:`ino_geo.cli.main` turns into
its one ``ino-geo: error: ...`` line. The choices of ``--park-type`` are the allowed values
of ``parks.park_type`` in the catalogue of the layers folder in use (read by
:func:`ino_geo.data.catalogue.load_catalogue`, which caches it for the rest of the run: no
geopandas). Only click, the standard library and the light core modules are imported here.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import click

from ino_geo import defaults
from ino_geo._errors import UsageError

__all__ = [
    "overwrite_opt",
    "output_opt",
    "format_opt",
    "park_type_opt",
    "mode_opt",
    "scenario_opt",
    "network_opt",
    "distance_opt",
    "minutes_opt",
    "max_snap_opt",
    "walk_speed_opt",
    "catalogue_park_types",
    "engine_opts",
    "cells_opt",
    "is_folder_output",
    "with_outputs",
]


def with_outputs(*input_params: str) -> Callable:
    """Run the command inside its one output transaction (``state.outputs``): the command's
    parameters named `input_params` (paths, or layer names that are not files) are the run's
    inputs, ``overwrite`` its ``--overwrite``. Put it below ``@click.pass_obj``."""
    import functools

    def decorate(f: Callable) -> Callable:
        @functools.wraps(f)
        def run(state, *args, **kwargs):
            inputs: list[str] = []
            for name in input_params:
                value = kwargs.get(name)
                for v in (value if isinstance(value, (list, tuple)) else [value]):
                    if isinstance(v, str) and v:
                        inputs.append(v.split(":", 1)[0] if ":" in v and not _exists(v) else v)
            with state.outputs(bool(kwargs.get("overwrite")), inputs):
                return f(state, *args, **kwargs)

        return run

    return decorate


def _exists(path: str) -> bool:
    import os

    return os.path.exists(path)

overwrite_opt = click.option("--overwrite", is_flag=True, help="Replace an existing output file.")

output_opt = click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(path_type=str),  # a folder: partitioned GeoParquet (--engine dask); else refused
    default=None,
    help="Write to this file instead of stdout (format from the extension).",
)


def format_opt(choices: list[str], default: str = "table"):
    """``--format`` with the given choices."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices, case_sensitive=False),
        default=default,
        show_default=True,
        help="Output format on stdout.",
    )


# ------------------------------------------------------------------------ callbacks


def _each(check: Callable[[str, Any], Any]) -> Callable:
    """A click callback applying `check(option, value)` to a value (or each of a tuple)."""

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is None:
            return None
        option = param.opts[0] if param.opts else f"--{param.name}"
        if isinstance(value, tuple):
            return tuple(check(option, v) for v in value)
        return check(option, value)

    return callback


def _choice(choices: tuple[str, ...]) -> Callable[[str, Any], str]:
    def check(option: str, value: Any) -> str:
        if value not in choices:
            raise UsageError(f"{option} {value!r}: not one of {', '.join(choices)}")
        return value

    return check


def _threshold(unit: str, positive: bool) -> Callable[[str, Any], float]:
    def check(option: str, value: Any) -> float:
        return defaults.check_threshold(option, value, unit, positive=positive)

    return check


def _number(value: Any, option: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise UsageError(f"{option} {value!r}: not a number") from None


def _max_snap(option: str, value: Any) -> float:
    f = _number(value, option)
    if not (0 <= f < math.inf):
        raise UsageError(f"{option} {value}: must be a finite number of metres >= 0")
    return f


def _walk_speed(option: str, value: Any) -> float:
    f = _number(value, option)
    if not (0 < f < math.inf):
        raise UsageError(f"{option} {value}: must be a positive number of km/h")
    return f


def catalogue_park_types(layers_dir: str | None) -> tuple[tuple[str, ...], str] | None:
    """The allowed ``parks.park_type`` values of the catalogue in `layers_dir` (default: the
    shipped layers) and the catalogue's path; None when the catalogue cannot be read or
    lists none (the command then reports the folder's real problem when it loads it)."""
    from pathlib import Path

    from ino_geo.data.catalogue import load_catalogue
    from ino_geo.data.shipped import default_layers_dir

    try:
        path = Path(layers_dir or default_layers_dir()) / "catalogue.toml"
        if not path.is_file():  # a FIFO would block here; reported when the layers load
            return None
        allowed = load_catalogue(path)["parks"].columns["park_type"].allowed  # cached: read once per run
    except Exception:  # a missing or broken catalogue is reported when the layers load
        return None
    if not allowed or not all(isinstance(v, str) for v in allowed):
        return None
    return tuple(allowed), str(path)


def _park_types(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    from .state import CliState

    state = ctx.find_object(CliState)
    found = catalogue_park_types(state.layers_dir if state is not None else None)
    if found is None or not value:
        return value
    allowed, path = found
    for v in (value if isinstance(value, tuple) else (value,)):
        if v not in allowed:
            raise UsageError(f"--park-type {v!r}: not one of {', '.join(allowed)} (the park types of {path})")
    return value


# ------------------------------------------------------------------------ options


park_type_opt = click.option(
    "--park-type",
    "park_types",
    type=str,
    multiple=True,
    metavar="TYPE",
    callback=_park_types,
    help="Park type(s) to analyse, as listed for parks.park_type in the layers' catalogue.toml "
         "(repeatable; default: every type).",
)

#: ``--park-type T``, exactly one (accessibility, site selection).
park_type_one_opt = click.option(
    "--park-type", "park_type", type=str, required=True, metavar="TYPE", callback=_park_types,
    help="The park type, as listed for parks.park_type in the layers' catalogue.toml.",
)


def mode_opt(default: str | None = defaults.MODES[0],
             help: str = "Straight-line distance, or along the network."):
    """``--mode`` (euclidean or network)."""
    return click.option("--mode", type=str, default=default, show_default=default is not None,
                        metavar=f"[{'|'.join(defaults.MODES)}]", callback=_each(_choice(defaults.MODES)), help=help)


def scenario_opt(default: str | None = defaults.SCENARIOS[0],
                 help: str = "existing: corridors in use today (a reconstruction at today's speed); planned: adds "
                             "the planned corridors and uses every corridor's design speed."):
    """``--scenario`` (existing or planned)."""
    return click.option("--scenario", type=str, default=default, show_default=default is not None,
                        metavar=f"[{'|'.join(defaults.SCENARIOS)}]", callback=_each(_choice(defaults.SCENARIOS)),
                        help=help)


def network_opt(help: str = "Line layer to route on (a vector file, or an OpenStreetMap extract .osm.pbf; "
                            "default: the corridors layer)."):
    """``--network PATH``: a line layer to route on."""
    return click.option("--network", "network_path", type=click.Path(path_type=str), default=None, help=help)


def distance_opt(help: str, *, multiple: bool = True, positive: bool = False, default: Any = None,
                 dest: str = "distances"):
    """``--distance M``: metres, checked against :data:`ino_geo.defaults.MAX_DISTANCE_M`
    (> 0 when `positive`, else >= 0)."""
    return click.option("--distance", dest, type=str, multiple=multiple, metavar="M", default=default,
                        show_default=default is not None, callback=_each(_threshold("m", positive)), help=help)


def minutes_opt(help: str, *, multiple: bool = True, positive: bool = False):
    """``--minutes N``: minutes, checked against :data:`ino_geo.defaults.MAX_MINUTES`."""
    return click.option("--minutes", "minutes", type=str, multiple=multiple, metavar="N", default=None,
                        callback=_each(_threshold("min", positive)), help=help)


def max_snap_opt(help: str = "Network mode: longest walk to/from the network, metres."):
    """``--max-snap M`` (default :data:`ino_geo.defaults.MAX_SNAP_M`)."""
    return click.option("--max-snap", type=str, default=defaults.MAX_SNAP_M, show_default=True, metavar="M",
                        callback=_each(_max_snap), help=help)


walk_speed_opt = click.option(
    "--walk-speed", type=str, default=defaults.WALK_SPEED_KMH, show_default=True, metavar="KMH",
    callback=_each(_walk_speed), help="Walking speed, km/h.",
)


# --- points from spreadsheets (issue 11): `--from points.csv|.tsv|.txt|.xlsx` -------------------
xy_opt = click.option(
    "--xy",
    "xy",
    default=None,
    metavar="LON_COL,LAT_COL",
    help="Spreadsheet --from: the longitude and latitude columns (default: found by name, "
         "lon/lng/long/longitude/x and lat/latitude/y, also долгота/широта).",
)

crs_opt = click.option(
    "--crs",
    "crs",
    default=None,
    metavar="EPSG:NNNN",
    help="Spreadsheet --from: CRS of the coordinates (default EPSG:4326).",
)

# --- a planner's own parks (issue 11): `coverage --parks FILE`, `proximity --to FILE` ----------
park_type_column_opt = click.option(
    "--park-type-column",
    "park_type_column",
    default=None,
    metavar="NAME",
    help="Own parks file: the column holding the park type (default: park_type).",
)


# --- OpenStreetMap extracts as --network (issue 11 item 3) ------------------------------------
# `--network city.osm.pbf` imports the extract's street network (cached by file content); these
# two options say which network and whether to use the cache. Kept apart from the options above.
osm_profile_opt = click.option(
    "--profile",
    "osm_profile",
    type=click.Choice(["drive", "walk", "bike"]),
    default="drive",
    show_default=True,
    help="With --network EXTRACT.osm.pbf: the street network to import (see 'ino-geo network import --help').",
)

osm_no_cache_opt = click.option(
    "--no-cache",
    "osm_no_cache",
    is_flag=True,
    help="With --network EXTRACT.osm.pbf: import again instead of using (and filling) the user cache "
         "($INO_GEO_CACHE, else $XDG_CACHE_HOME/ino-geo or ~/.cache/ino-geo).",
)


def osm_network_opts(f):
    """``--profile`` and ``--no-cache`` for commands taking ``--network``."""
    return osm_profile_opt(osm_no_cache_opt(f))


# --- routing along one-way streets (issue 11): --direction, --cost -----------------------------
direction_opt = click.option(
    "--direction",
    type=click.Choice(["to", "from"]),
    default=None,
    help="Network mode: travel from the origin / population to the park (to, the default) or from the park "
         "(from); they differ on one-way streets.",
)

cost_opt = click.option(
    "--cost",
    type=click.Choice(["time", "distance"]),
    default=None,
    help="Network mode: the quickest route (time, the default) or the shortest (distance); "
         "results give both the minutes and the metres of the chosen route.",
)


def routing_opts(cost: bool = True):
    """``--direction`` (and ``--cost``, if `cost`): how routes along the network are chosen."""

    def deco(f):
        f = direction_opt(f)
        return cost_opt(f) if cost else f

    return deco


def routing_kwargs(mode: str, direction: str | None, cost: str | None = None) -> dict:
    """Keyword arguments of the analysis for ``--direction`` / ``--cost`` (UsageError unless
    ``--mode network`` when one is given)."""
    from ino_geo._errors import UsageError

    given = [f"--{n}" for n, v in (("direction", direction), ("cost", cost)) if v is not None]
    if given and mode != "network":
        raise UsageError(f"{' and '.join(given)} {'needs' if len(given) == 1 else 'need'} --mode network")
    kw = {"direction": direction} if direction else {}
    if cost:
        kw["cost"] = cost
    return kw


# --- maps: language and focus (issue 13) -----------------------------------------------------
def lang_opt():
    """``--lang en|ru``: the language of a map's titles, legend, popups and place names."""
    return click.option("--lang", type=click.Choice(["en", "ru"]), default="en", show_default=True,
                        help="Language of the map titles, legends, popup labels and place names.")


def focus_opt():
    """``--focus BOUNDARY``: a boundary id or name (any case) to open the map(s) on."""
    return click.option("--focus", type=str, default=None, metavar="BOUNDARY",
                        help="Map one boundary (id or name, e.g. tomsk-sovetsky or Seversk): its extent, its name in "
                             "the title, and the features within 2 km of it.")


# --- where the analysis runs (issue 15): `--engine local|dask`, `--scheduler`, `--cells` ---------
# Only the engine names are imported here (ino_geo.engine is light: no Dask, no geopandas).


def _engine_pair(ctx: click.Context, engine: Any, scheduler: Any) -> None:
    """``--scheduler`` only with ``--engine dask`` (checked by whichever option comes second)."""
    if scheduler and engine is not None and engine != "dask":
        raise UsageError("--scheduler needs --engine dask")


def _engine(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    from ino_geo.engine import ENGINES

    _choice(ENGINES)("--engine", value)
    _engine_pair(ctx, value, ctx.params.get("scheduler"))
    return value


def _scheduler(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value is None:
        return None
    if not value.strip():
        raise UsageError("--scheduler '': give the address of a Dask scheduler (tcp://host:8786)")
    _engine_pair(ctx, ctx.params.get("engine"), value)
    return value.strip()


def engine_opts(f):
    """``--engine local|dask`` and ``--scheduler ADDRESS`` (:mod:`ino_geo.engine`)."""
    f = click.option("--scheduler", default=None, metavar="ADDRESS", callback=_scheduler,
                     help="With --engine dask: a running Dask scheduler (tcp://host:8786); default: a local "
                          "cluster started for the run.")(f)
    return click.option("--engine", type=str, default="local", show_default=True, metavar="[local|dask]",
                        callback=_engine,
                        help="local: this process; dask: partition by partition on a Dask cluster "
                             "(pip install \"ino-geo[dask]\").")(f)


def is_folder_output(path: str | None) -> bool:
    """True when `path` names a folder (an existing folder, or a path ending in ``/``): with
    --engine dask a folder of GeoParquet partitions (as is a ``.parquet`` path there)."""
    import os

    return bool(path) and (os.path.isdir(path) or path.endswith(("/", os.sep)))


def _cells(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value is None or is_folder_output(value):
        return value
    from ino_geo.data.output import check_extension

    check_extension(value, geometry=True, option="--cells")
    return value


cells_opt = click.option(
    "--cells",
    "cells_path",
    type=click.Path(path_type=str),
    default=None,
    callback=_cells,
    help="Write the covered share of every population cell here (a vector file; with --engine dask a "
         "folder of partitioned GeoParquet).",
)
