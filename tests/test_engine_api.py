"""The engine layer's public entry points and CLI options (no Dask needed; issue 15).

``ino_geo.coverage`` / ``ino_geo.proximity`` are the engine-aware functions of
``ino_geo.engine.api``: the analysis itself for ``engine="local"``, with its docstring and
signature plus the engine parameters; the analysis modules take no engine parameters.
"""

from __future__ import annotations

import importlib
import inspect

import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

import ino_geo
from _fixtures_analysis import CRS, analysis_layers, known_points, square_parks, strip_boundaries, strip_population  # noqa: F401
from ino_geo.analysis import coverage as cov_mod
from ino_geo.cli import cli
from ino_geo.engine import api

ENGINE_PARAMS = ["engine", "scheduler", "client"]


@pytest.mark.parametrize("name", ["coverage", "proximity", "accessibility"])
def test_flat_name_is_the_engine_aware_function_with_the_analysis_doc_and_signature(name):
    public, local = getattr(ino_geo, name), getattr(importlib.import_module(f"ino_geo.analysis.{name}"), name)
    assert public is getattr(api, name) and public is not local
    assert not set(ENGINE_PARAMS) & set(inspect.signature(local).parameters)  # analysis knows no engine
    params = list(inspect.signature(public).parameters)
    assert params == [*inspect.signature(local).parameters, *ENGINE_PARAMS]
    doc = public.__doc__
    for line in inspect.cleandoc(local.__doc__).splitlines():  # the analysis docstring, whole
        assert line in doc
    assert doc.index("Parameters\n----------") < doc.index("engine : ") < doc.index("scheduler : ") < doc.index("client : ") \
        < doc.index("Returns\n-------")


def test_local_engine_is_the_analysis(square_parks, strip_population, strip_boundaries):
    kw = dict(distances=[150], population=strip_population, boundaries=strip_boundaries, by="district")
    a = ino_geo.coverage(square_parks, **kw, engine="local")
    b = cov_mod.coverage(square_parks, **kw)
    pd.testing.assert_frame_equal(a.table, b.table, check_exact=True)
    # hand-derived: sport squares 0..100 and 300..400 buffered by 150 m cover the whole strip
    row = a.table[(a.table.park_type == "sport") & (a.table.boundary_id == "all")].iloc[0]
    assert row["population"] == pytest.approx(400.0) and row["population_total"] == pytest.approx(400.0)


def test_engine_arguments_are_checked(square_parks, known_points):
    with pytest.raises(ino_geo.UsageError, match="unknown engine 'spark'; use one of local, dask"):
        ino_geo.proximity(known_points, square_parks, engine="spark")
    with pytest.raises(ino_geo.UsageError, match="scheduler= and client= need engine='dask'"):
        ino_geo.coverage(square_parks, distances=[100], scheduler="tcp://127.0.0.1:8786")


def test_reach_areas_are_the_areas_coverage_counts(square_parks):
    """The step the Dask engine reuses gives coverage's own polygons (no study area: unclipped)."""
    got = cov_mod.reach_areas(square_parks, distances=[0, 50], minutes=[2])
    cov = cov_mod.coverage(square_parks, distances=[0, 50], minutes=[2])
    areas = cov.areas.to_crs(CRS)
    assert [(t, v, u) for t, _, v, u, _ in got] == list(zip(areas.park_type, areas.threshold, areas.unit))
    np.testing.assert_allclose(shapely.area(np.array([g for *_, g in got])), areas.area, rtol=1e-9)
    assert {(t, n) for t, n, *_ in got} == {("sport", 2), ("medical", 1)}
    # and counted as coverage counts them: the same tables
    alone = cov_mod.area_tables(got, [], None, cov.table.attrs["metric_crs"])
    pd.testing.assert_frame_equal(alone.table, cov.table, check_exact=True)
    assert alone.areas.geom_equals_exact(cov.areas, tolerance=0).all()
    # hand-derived: 0 m is the parks themselves (two 100 m squares of sport)
    first = {(t, v, u): g for t, _, v, u, g in got}
    assert shapely.area(first[("sport", 0.0, "m")]) == pytest.approx(20000.0)
    assert shapely.area(first[("medical", 0.0, "m")]) == pytest.approx(10000.0)


def test_zone_fragments_split_cells_by_area():
    from shapely import box

    cells = np.array([box(0, 0, 100, 100), box(100, 0, 200, 100)])
    zones = [("all", "all", box(0, 0, 200, 100)), ("w", "W", box(0, 0, 150, 100))]
    z, c, w, _ = cov_mod.zone_fragments(cells, zones)
    assert list(zip(z.tolist(), c.tolist(), w.tolist())) == [(0, 0, 1.0), (0, 1, 1.0), (1, 0, 1.0), (1, 1, 0.5)]


# ---------------------------------------------------------------------------- CLI options


@pytest.mark.parametrize("args, message", [
    (["coverage", "--distance", "100", "--engine", "spark"], "--engine 'spark': not one of local, dask"),
    (["coverage", "--distance", "100", "--scheduler", "tcp://h:8786"], "--scheduler needs --engine dask"),
    (["coverage", "--distance", "100", "--scheduler", "tcp://h:8786", "--engine", "local"],
     "--scheduler needs --engine dask"),
    (["proximity", "--engine", "local", "--scheduler", "tcp://h:8786"], "--scheduler needs --engine dask"),
    (["proximity", "--engine", "dask", "--scheduler", " "], "--scheduler '': give the address"),
    (["coverage", "--distance", "100", "--cells", "out/"], "--cells out/: a folder of GeoParquet partitions needs --engine dask"),
    (["coverage", "--distance", "100", "--cells", "cells.txt"], "cells.txt: unknown output format '.txt'"),
    (["proximity", "-o", "near/"], "-o near/: a folder of GeoParquet partitions needs --engine dask"),
])
def test_engine_options_refuse_bad_values_in_one_line(analysis_layers, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["--layers", str(analysis_layers), *args])
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ino-geo: error: ") and message in lines[0], r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alayers"]  # nothing written


@pytest.mark.parametrize("name", ["cells.geojson", "cells.parquet"])
def test_cells_written_on_the_local_engine(analysis_layers, tmp_path, name):
    """One file on the local engine (a .parquet path too: a folder of partitions only with dask)."""
    import geopandas as gpd

    out = tmp_path / name
    r = CliRunner().invoke(cli, ["--layers", str(analysis_layers), "coverage", "--distance", "100", "--cells", str(out)])
    assert r.exit_code == 0, r.output
    assert out.is_file()
    cells = gpd.read_parquet(out) if name.endswith(".parquet") else gpd.read_file(out)
    assert set(cells.columns) >= {"cell_id", "park_type", "share", "population_covered"}
    assert len(cells) == 4 * 2  # 4 cells x 2 park types (as with --engine dask)


def test_engine_aware_wrapper_of_a_function_taking_kwargs(monkeypatch):
    """An analysis replaced by a ``(*args, **kwargs)`` wrapper (a user's or a test's spy) before
    the engine API is built still gets its engine parameters (before the ``**kwargs``)."""
    import inspect

    import ino_geo.analysis.proximity as prox_mod
    from ino_geo.engine import api

    monkeypatch.setattr(prox_mod, "proximity", lambda *a, **kw: ("spy", a, kw))
    run = api._engine_aware("proximity")
    kinds = [p.kind for p in inspect.signature(run).parameters.values()]
    assert kinds[-1] is inspect.Parameter.VAR_KEYWORD
    assert list(inspect.signature(run).parameters)[-4:-1] == ["engine", "scheduler", "client"]
    assert run(1, 2, k=3)[0] == "spy"
