"""`ino-geo build` runs every step once: the layers are loaded and validated once, the catalogue
is read once, each analysis runs once per distinct argument set, a scenario's network is built
once (issue 14). Also the catalogue cache (a changed file is read again; a caller's change to
what it got never reaches the next caller) and :class:`ino_geo.mapdata.AnalysisRuns`."""

from __future__ import annotations

import collections
import functools
import hashlib
import os
import sys
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

import ino_geo
from ino_geo.cli import cli
from ino_geo.data import catalogue as catalogue_module
from ino_geo.data.catalogue import load_catalogue
from ino_geo.data.shipped import default_layers_dir

# (module, function) counted during a build; every binding of the function in ino_geo's modules
# is replaced, so a call through any import is seen
COUNTED = [
    ("ino_geo.data.catalogue", "_read_toml"),
    ("ino_geo.data.layers", "load_layers"),
    ("ino_geo.data.validate", "validate_path"),
    ("ino_geo.network.graph", "build_network"),
    ("ino_geo.network.scenarios", "scenario_network"),
    ("ino_geo.analysis.coverage", "coverage"),
    ("ino_geo.analysis.proximity", "proximity"),
    ("ino_geo.analysis.accessibility", "accessibility"),
    ("ino_geo.analysis.site_selection", "site_selection"),
]


def _fingerprint(value, depth=0):
    """Equal for equal arguments: layers by content (rows, attributes, geometries), numbers and
    text by value, anything else by type and identity."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    from shapely.geometry.base import BaseGeometry

    if isinstance(value, gpd.GeoDataFrame):
        h = hashlib.sha1(pd.util.hash_pandas_object(value.drop(columns=value.geometry.name), index=True).values)
        h.update(b"".join(g or b"" for g in value.geometry.to_wkb()))
        return ("layer", len(value), h.hexdigest())
    if isinstance(value, BaseGeometry):
        return ("geometry", value.wkb)
    if isinstance(value, np.ndarray) and value.dtype != object:
        return ("array", value.shape, hashlib.sha1(np.ascontiguousarray(value).tobytes()).hexdigest())
    if value is None or isinstance(value, (str, int, float, bool, Path)):
        return value
    if isinstance(value, (list, tuple)) and depth < 5:
        return tuple(_fingerprint(v, depth + 1) for v in value)
    if isinstance(value, dict) and depth < 5:
        return tuple(sorted((k, _fingerprint(v, depth + 1)) for k, v in value.items()))
    return (type(value).__name__, id(value))


@pytest.fixture
def counted(monkeypatch):
    """``{name: [argument fingerprint, ...]}`` of the COUNTED calls while the test runs; the
    catalogue cache starts empty."""
    import importlib
    import pkgutil

    for info in pkgutil.walk_packages(ino_geo.__path__, "ino_geo."):  # every binding exists before patching
        try:
            importlib.import_module(info.name)
        except ImportError:  # an optional extra that is not installed
            pass
    calls = collections.defaultdict(list)
    for modname, attr in COUNTED:
        mod = importlib.import_module(modname)
        original = getattr(mod, attr)

        def wrapper(*args, _f=original, _name=attr, **kwargs):
            calls[_name].append(_fingerprint((args, kwargs)))
            return _f(*args, **kwargs)

        functools.update_wrapper(wrapper, original)
        for m in list(sys.modules.values()):
            if getattr(m, "__name__", "").startswith("ino_geo"):
                for k, v in list(vars(m).items()):
                    if v is original:
                        monkeypatch.setattr(m, k, wrapper)
    catalogue_module._parsed.cache_clear()
    yield calls
    catalogue_module._parsed.cache_clear()


def _repeats(calls, name):
    """The argument sets `name` was called with more than once."""
    return [key for key, n in collections.Counter(calls[name]).items() if n > 1]


def _built_networks(calls):
    """The scenario of every network built from a line layer (not handed a built one)."""
    return [(args[1] if len(args) > 1 else dict(kwargs).get("scenario", "existing"))
            for args, kwargs in calls["scenario_network"] if args[0][0] == "layer"]


def _check_once(calls):
    assert len(calls["load_layers"]) == 1
    assert len(calls["validate_path"]) == 1
    assert len(calls["_read_toml"]) == 1  # the catalogue: read and checked once, then cached
    for name in ("coverage", "proximity", "accessibility", "site_selection", "build_network"):
        assert _repeats(calls, name) == [], f"{name} run twice with the same arguments"


def test_build_runs_each_step_once(counted, tmp_path):
    """The whole pack on the shipped layers, as ``ino-geo build`` writes it."""
    out = tmp_path / "pack"
    r = CliRunner().invoke(cli, ["build", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert (out / "proximity.csv").is_file() and (out / "proximity.html").is_file()
    _check_once(counted)
    # the proximity table and the proximity map are one run (straight-line mode: the map's
    # river= changes nothing, its k=1 is the default)
    assert len(counted["proximity"]) == 1
    assert counted["build_network"] == []  # straight-line build: no network at all


def test_network_build_builds_each_network_once(counted, tmp_path, monkeypatch):
    """``--mode network``: one network for the one scenario, shared by the tables and the maps
    (the print atlas is left out: it draws what the web maps draw and runs no analysis)."""
    import ino_geo.webmap.static as static

    def no_atlas(layers, path, *, maps, png_dir, **_kw):
        Path(path).write_bytes(b"")
        for spec in maps:
            (Path(png_dir) / f"{spec.name if hasattr(spec, 'name') else spec}.png").write_bytes(b"")

    monkeypatch.setattr(static, "render_atlas", no_atlas)
    out = tmp_path / "pack"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = CliRunner().invoke(cli, ["build", "-o", str(out), "--mode", "network", "--distance", "1000"])
    assert r.exit_code == 0, r.output
    _check_once(counted)
    assert len(counted["build_network"]) == 1
    assert _built_networks(counted) == ["existing"]
    # the table and the map both run with the river: one argument set, one run, one warning-free log
    assert len(counted["proximity"]) == 1
    assert "without river" not in r.output


# ----------------------------------------------------------------------------- AnalysisRuns


@pytest.fixture(scope="module")
def layers():
    return ino_geo.load_layers()


def test_runs_share_equal_calls_and_keep_distinct_ones_apart(layers):
    from ino_geo.analysis.proximity import proximity
    from ino_geo.mapdata import AnalysisRuns

    runs = AnalysisRuns()
    a = runs.run(proximity, layers.sites, layers.parks, mode="euclidean")
    # the defaults filled in (k=1), and river= is not an argument of straight-line mode
    assert runs.run(proximity, layers.sites, layers.parks, k=1, mode="euclidean", river=layers.river) is a
    b = runs.run(proximity, layers.sites, layers.parks, k=2, mode="euclidean")
    assert b is not a and len(b) > len(a)
    # the shared result is what the analysis gives when run on its own
    alone = proximity(layers.sites, layers.parks, k=1, mode="euclidean", river=layers.river)
    assert a.equals(alone) and a.attrs == alone.attrs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        n1 = runs.run(proximity, layers.sites, layers.parks, mode="network", network=layers.corridors)
        n2 = runs.run(proximity, layers.sites, layers.parks, mode="network", network=layers.corridors,
                      river=layers.river)
    assert n1 is not n2  # network mode: the river counts
    assert len([k for k in runs.calls if k[0] == "network"]) == 1  # one network for both
    slow = proximity(layers.sites, layers.parks, mode="network", network=layers.corridors, river=layers.river)
    assert n2.equals(slow)


def test_map_results_through_shared_runs_equal_their_own_runs(layers):
    """The proximity map's result from a run shared with the table equals the one it computes
    alone, and taking it does not change the table's result."""
    from ino_geo.analysis.proximity import proximity
    from ino_geo.mapdata import AnalysisRuns, map_results

    runs = AnalysisRuns()
    table = runs.run(proximity, layers.sites, layers.parks, park_types=None, mode="euclidean")
    before = (table.copy(), dict(table.attrs))
    shared = map_results("proximity", layers, runs=runs).proximity
    own = map_results("proximity", layers).proximity
    assert shared.equals(own) and shared.attrs == own.attrs
    assert table.equals(before[0]) and table.attrs == before[1]
    assert sum(n for k, n in runs.calls.items() if "proximity" in k[0]) == 2  # asked twice, run once


# ----------------------------------------------------------------------------- catalogue cache


@pytest.fixture
def catalogue_copy(tmp_path):
    folder = tmp_path / "layers"
    folder.mkdir()
    path = folder / "catalogue.toml"
    path.write_text((default_layers_dir() / "catalogue.toml").read_text(encoding="utf-8"), encoding="utf-8")
    catalogue_module._parsed.cache_clear()
    yield path
    catalogue_module._parsed.cache_clear()


def _reads(monkeypatch):
    n = []
    original = catalogue_module._read_toml
    monkeypatch.setattr(catalogue_module, "_read_toml", lambda p, data: n.append(p) or original(p, data))
    return n


def test_catalogue_is_read_once_per_version(catalogue_copy, monkeypatch):
    reads = _reads(monkeypatch)
    first = load_catalogue(catalogue_copy.parent)
    assert load_catalogue(catalogue_copy) == first == load_catalogue(catalogue_copy.parent)
    assert len(reads) == 1
    # a changed file: new name, same size, and a new modification time
    text = catalogue_copy.read_text(encoding="utf-8")
    new = text.replace(f'name = "{first.name}"', f'name = "{first.name[::-1]}"', 1)
    assert new != text and len(new) == len(text)
    st = catalogue_copy.stat()
    catalogue_copy.write_text(new, encoding="utf-8")
    os.utime(catalogue_copy, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert load_catalogue(catalogue_copy.parent).name == first.name[::-1]
    assert len(reads) == 2
    assert load_catalogue(catalogue_copy.parent).name == first.name[::-1]
    assert len(reads) == 2


def test_a_change_within_one_clock_tick_is_seen(catalogue_copy):
    """Same size and the same modification time (two writes within the file system's clock
    tick): the new content is still read."""
    first = load_catalogue(catalogue_copy)
    st = catalogue_copy.stat()
    text = catalogue_copy.read_text(encoding="utf-8")
    catalogue_copy.write_text(text.replace(f'name = "{first.name}"', f'name = "{first.name.upper()}"', 1),
                              encoding="utf-8")
    os.utime(catalogue_copy, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert catalogue_copy.stat().st_mtime_ns == st.st_mtime_ns and catalogue_copy.stat().st_size == st.st_size
    assert load_catalogue(catalogue_copy).name == first.name.upper() != first.name


def test_a_link_out_of_the_folder_made_after_caching_is_refused(catalogue_copy, tmp_path):
    """The catalogue did not change, but a layer file became a link out of its folder."""
    cat = load_catalogue(catalogue_copy)
    outside = tmp_path / "elsewhere.geojson"
    outside.write_text("{}", encoding="utf-8")
    (catalogue_copy.parent / cat["parks"].file).symlink_to(outside)
    with pytest.raises(ino_geo.DataError, match="resolves outside the layers folder"):
        load_catalogue(catalogue_copy)


def test_a_catalogue_broken_after_caching_is_reported(catalogue_copy):
    """The cached good version is not handed out for a file that changed since, even broken."""
    assert "parks" in load_catalogue(catalogue_copy)
    st = catalogue_copy.stat()
    catalogue_copy.write_text(catalogue_copy.read_text(encoding="utf-8") + "\n[layers\n", encoding="utf-8")
    os.utime(catalogue_copy, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    for _ in range(2):
        with pytest.raises(ino_geo.DataError, match="not valid TOML"):
            load_catalogue(catalogue_copy)


def test_changing_a_returned_catalogue_does_not_reach_the_next_caller(catalogue_copy):
    cat = load_catalogue(catalogue_copy)
    pristine = load_catalogue(catalogue_copy)
    col = cat["parks"].columns["park_type"]
    value = col.allowed[0]
    col.labels[value] = "changed"
    col.labels_ru.clear()
    col.colors[value] = "#000000"
    cat["parks"].columns.pop(next(iter(cat["parks"].columns)))
    cat.layers.pop("sites")
    again = load_catalogue(catalogue_copy)
    assert again == pristine and again is not pristine
    assert "sites" in again and again["parks"].columns == pristine["parks"].columns
    assert again["parks"].columns["park_type"].value_label(value) != "changed"
    assert cat != again


def test_a_catalogue_allowing_lists_is_a_data_error(catalogue_copy):
    """``allowed`` holds plain values (so a returned catalogue's tuples hold nothing mutable);
    a list of lists is reported naming the key, not a TypeError."""
    text = catalogue_copy.read_text(encoding="utf-8")
    text += '\n[layers.extra]\nfile = "extra.geojson"\ngeometry = "Point"\n' \
            '[layers.extra.columns.pair]\ntype = "str"\nallowed = [["a", "b"]]\n'
    catalogue_copy.write_text(text, encoding="utf-8")
    with pytest.raises(ino_geo.DataError, match=r"layers\.extra\.columns\.pair\.allowed: must list values"):
        load_catalogue(catalogue_copy)
