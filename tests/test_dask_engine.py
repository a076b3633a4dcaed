"""The Dask engine gives the local engine's tables (issue 15).

One 2-worker ``LocalCluster`` (threads, to stay light) serves every test; the comparisons are
exact for areas, counts, ids and geometries, and within 1e-9 (relative) for population sums
and shares (partition sums are added in another order).
"""

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("dask")
pytest.importorskip("distributed")
pytest.importorskip("dask_geopandas")

import geopandas as gpd  # noqa: E402
import shapely  # noqa: E402
from click.testing import CliRunner  # noqa: E402
from shapely import LineString, Point, box  # noqa: E402

import ino_geo  # noqa: E402
from _fixtures_analysis import analysis_frames, analysis_layers, gdf  # noqa: E402,F401
from ino_geo.cli import cli  # noqa: E402
from ino_geo.engine import dask_cluster, dask_engine  # noqa: E402

REL = 1e-9


@pytest.fixture(scope="module")
def client():
    import logging

    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0",
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def small_rows(monkeypatch_module):
    """Cut in-memory layers into partitions of 40 rows, so that the small inputs get several."""
    monkeypatch_module.setattr(dask_cluster, "ROWS_PER_PARTITION", 40)


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


@pytest.fixture(scope="module")
def town():
    """Parks of two types, a 3 x 3 km grid of 100 m cells (900, seeded populations, one cell
    with 0 people) rotated so that boundaries and covers cut cells, and three boundaries."""
    rng = np.random.default_rng(15)
    parks = gdf(
        [{"park_id": f"p{i}", "name": f"P{i}", "park_type": t} for i, t in enumerate(["sport"] * 5 + ["medical"] * 3)],
        [box(x, y, x + w, y + h) for x, y, w, h in zip(rng.uniform(0, 2800, 8), rng.uniform(0, 2800, 8),
                                                        rng.uniform(50, 250, 8), rng.uniform(50, 250, 8))],
    )
    cells = [shapely.affinity.rotate(box(100 * i, 100 * j, 100 * (i + 1), 100 * (j + 1)), 7, origin=(0, 0))
             for i in range(30) for j in range(30)]
    pop = rng.uniform(0, 50, 900).round(1)
    pop[17] = 0.0
    population = gdf([{"cell_id": f"c{k}", "population": v} for k, v in enumerate(pop)], cells).to_crs("EPSG:4326")
    bounds = gdf(
        [{"boundary_id": "T", "name": "Town", "level": "municipality"},
         {"boundary_id": "W", "name": "West", "level": "district"},
         {"boundary_id": "E", "name": "East", "level": "district"}],
        [box(0, 0, 2900, 3000), box(0, 0, 1333, 3000), box(1333, 0, 2900, 3000)],
    )
    return parks, population, bounds


def assert_tables_equal(a: pd.DataFrame, b: pd.DataFrame, area_rel: float = 0.0) -> None:
    """Equal tables: exact but for the population sums (and, with `area_rel`, the areas)."""
    assert list(a.columns) == list(b.columns) and len(a) == len(b)
    pops = ["population", "population_total", "population_pct"]
    if area_rel:
        areas = ["area_km2", "area_total_km2", "area_pct"]
        for c in areas:
            np.testing.assert_allclose(b[c].to_numpy(float), a[c].to_numpy(float), rtol=area_rel, atol=0, err_msg=c)
        pops += areas
    pd.testing.assert_frame_equal(a.drop(columns=pops), b.drop(columns=pops), check_exact=True)
    for c in pops:
        np.testing.assert_allclose(b[c].to_numpy(float), a[c].to_numpy(float), rtol=REL, atol=1e-9, err_msg=c)
    if a.attrs:  # (a table read back from CSV has none)
        keys = ("crs", "metric_crs", "mode", "units")
        assert {k: a.attrs[k] for k in keys} == {k: b.attrs[k] for k in keys}


def assert_geoms_equal(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> None:
    assert len(a) == len(b) and a.crs == b.crs
    na = a.geometry.isna().to_numpy()
    assert (na == b.geometry.isna().to_numpy()).all()
    assert a.geometry[~na].geom_equals_exact(b.geometry[~na], tolerance=0).all()


def assert_cells_equal(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> None:
    b = b.reset_index(drop=True)
    pd.testing.assert_frame_equal(
        pd.DataFrame(a.drop(columns=["share", "population_covered", "geometry"])),
        pd.DataFrame(b.drop(columns=["share", "population_covered", "geometry"])), check_exact=True)
    np.testing.assert_allclose(b["share"], a["share"], rtol=0, atol=REL)
    np.testing.assert_allclose(b["population_covered"], a["population_covered"], rtol=REL, atol=1e-9)
    assert_geoms_equal(a, b)


# ---------------------------------------------------------------------------- coverage


def test_coverage_euclidean_by_district_same_tables(client, town, small_rows):
    parks, population, bounds = town
    kw = dict(distances=[0, 150, 400], minutes=[4], population=population, boundaries=bounds, by="district")
    local = ino_geo.coverage(parks, **kw)
    dask = ino_geo.coverage(parks, **kw, engine="dask", client=client)
    assert dask.table.attrs["partitions"] >= 4  # the cells really were split
    assert_tables_equal(local.table, dask.table)
    assert local.table["population"].sum() > 0 and (local.table["population_pct"] < 100).any()
    assert_geoms_equal(local.areas, dask.areas)
    assert_geoms_equal(local.gaps, dask.gaps)
    assert_cells_equal(local.cells, dask.cells)


def test_coverage_without_boundaries_study_area_is_union_of_cells(client, town, small_rows):
    parks, population, _ = town
    kw = dict(distances=[300], population=population, park_types=["sport", "medical", "innovation"])
    local = ino_geo.coverage(parks, **kw, cells=False)
    dask = ino_geo.coverage(parks, **kw, cells=False, engine="dask", client=client)
    assert dask.cells is None
    # the study area is the union of the partitions' unions, not of all cells at once: the
    # same polygon up to the last bits of its vertices' order
    assert_tables_equal(local.table, dask.table, area_rel=1e-12)
    assert (dask.table.loc[dask.table.park_type == "innovation", "population"] == 0).all()


def test_coverage_network_mode_same_tables(client, small_rows):
    road = gdf([{"corridor_id": "r", "name": "Road", "mode": "road", "status": "existing", "speed_kmh": 60.0}],
               [LineString([(0, 0), (3000, 0), (10000, 0)])])
    parks = gdf([{"park_id": "a", "name": "A", "park_type": "sport"}, {"park_id": "b", "name": "B", "park_type": "medical"}],
                [box(900, 20, 1000, 120), box(6000, -150, 6100, -50)])
    cells = gdf([{"cell_id": f"c{i}_{j}", "population": float(1 + i % 7)} for i in range(100) for j in range(4)],
                [box(100 * i, -200 + 100 * j, 100 * (i + 1), -100 + 100 * j) for i in range(100) for j in range(4)])
    kw = dict(minutes=[2, 5], distances=[1500], mode="network", network=road, river=False, population=cells, max_snap=300)
    local = ino_geo.coverage(parks, **kw)
    dask = ino_geo.coverage(parks, **kw, engine="dask", client=client)
    assert_tables_equal(local.table, dask.table)
    assert_geoms_equal(local.areas, dask.areas)
    assert_cells_equal(local.cells, dask.cells)
    assert 0 < local.table["population_pct"].min() < local.table["population_pct"].max() < 100


def test_coverage_bad_population_value_names_the_record(client, town):
    parks, population, bounds = town
    bad = population.copy()
    bad.loc[5, "population"] = -3.0
    with pytest.raises(ino_geo.DataError, match=r"record 5 \(cell_id=c5\) field population"):
        ino_geo.coverage(parks, distances=[100], population=bad, boundaries=bounds, engine="dask", client=client)


def test_unknown_engine_is_a_usage_error(town):
    parks, population, _ = town
    with pytest.raises(ino_geo.UsageError, match="unknown engine 'spark'"):
        ino_geo.coverage(parks, distances=[100], population=population, engine="spark")


def test_without_an_address_a_local_cluster_is_started_and_closed():
    with dask_engine.open_client(workers=1, processes=False) as c:
        assert len(c.scheduler_info()["workers"]) == 1
        cluster = c.cluster
    assert cluster.status.name == "closed"


def test_an_unreachable_scheduler_is_a_data_error():
    with pytest.raises(ino_geo.DataError, match="--scheduler tcp://127.0.0.1:9: cannot connect"):
        with dask_engine.open_client("tcp://127.0.0.1:9"):
            pass


# ---------------------------------------------------------------------------- proximity


@pytest.fixture(scope="module")
def origins():
    rng = np.random.default_rng(3)
    xy = rng.uniform(-200, 3200, (150, 2))
    xy[:3] = [(50, 50), (1500, 1500), (1500, 1500)]  # duplicates: ties across origins stay per origin
    return gdf([{"site_id": f"s{i}", "name": f"S{i}"} for i in range(150)], [Point(*p) for p in xy]).to_crs("EPSG:4326")


def assert_proximity_equal(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame) -> None:
    pd.testing.assert_frame_equal(pd.DataFrame(a.drop(columns="geometry")), pd.DataFrame(b.drop(columns="geometry")),
                                  check_exact=True)
    assert_geoms_equal(a, b)
    assert a.attrs["metric_crs"] == b.attrs["metric_crs"]


@pytest.mark.parametrize("k,matrix", [(1, False), (3, False), (1, True)])
def test_proximity_euclidean_same_rows(client, town, origins, small_rows, k, matrix):
    parks = town[0]
    local = ino_geo.proximity(origins, parks, k=k, matrix=matrix, park_types=["sport", "medical", "innovation"])
    dask = ino_geo.proximity(origins, parks, k=k, matrix=matrix, park_types=["sport", "medical", "innovation"],
                             engine="dask", client=client)
    assert_proximity_equal(local, dask)


def test_proximity_ids_from_the_index_survive_the_shuffle(client, town, origins, small_rows):
    o = origins.drop(columns=["site_id"]).set_index(pd.Index([f"row{i}" for i in range(len(origins))]))
    local = ino_geo.proximity(o, town[0])
    dask = ino_geo.proximity(o, town[0], engine="dask", client=client)
    assert local["origin_id"].iloc[0] == "row0"
    assert_proximity_equal(local, dask)


def test_proximity_network_mode_same_rows(client, small_rows):
    road = gdf([{"corridor_id": "r", "name": "Road", "mode": "road", "status": "existing", "speed_kmh": 60.0}],
               [LineString([(0, 0), (3000, 0), (10000, 0)])])
    parks = gdf([{"park_id": f"p{i}", "name": f"P{i}", "park_type": "sport"} for i in range(3)],
                [box(1000, 50, 1100, 150), box(5000, -300, 5100, -200), box(9000, 50, 9100, 150)])
    rng = np.random.default_rng(5)
    pts = gdf([{"site_id": f"o{i}"} for i in range(120)],
              [Point(x, y) for x, y in zip(rng.uniform(0, 10000, 120), rng.uniform(-1500, 1500, 120))])
    kw = dict(k=2, mode="network", network=road, river=False, max_snap=800)
    local = ino_geo.proximity(pts, parks, **kw)
    dask = ino_geo.proximity(pts, parks, **kw, engine="dask", client=client)
    assert set(local["status"]) >= {"ok", "unsnapped"}
    assert_proximity_equal(local, dask)


# ---------------------------------------------------------------------------- accessibility


def assert_access_equal(a, b) -> None:
    """Same cells, parks, costs and table: exact but for sums (another order of addition)."""
    pd.testing.assert_frame_equal(a.costs, b.costs, check_exact=True)
    for name in ("cells", "parks", "table"):
        x, y = pd.DataFrame(getattr(a, name)), pd.DataFrame(getattr(b, name))
        assert list(x.columns) == list(y.columns) and len(x) == len(y)
        for col in x.columns:
            if col == "geometry":
                assert_geoms_equal(getattr(a, name), getattr(b, name))
            elif x[col].dtype.kind == "f":
                np.testing.assert_allclose(y[col], x[col], rtol=REL, atol=1e-12, err_msg=f"{name}.{col}")
            else:
                assert x[col].tolist() == y[col].tolist(), f"{name}.{col}"


@pytest.mark.parametrize("method", ["2sfca", "e2sfca", "gravity"])
def test_accessibility_euclidean_same_scores(client, town, small_rows, method):
    parks, population, bounds = town
    kw = dict(park_type="sport", method=method, distance=600, boundaries=bounds, by="district")
    local = ino_geo.accessibility(parks, population, **kw)
    dask = ino_geo.accessibility(parks, population, **kw, engine="dask", client=client)
    assert dask.table.attrs["partitions"] >= 4
    assert (local.cells["score"] > 0).any() and (local.cells["score"] == 0).any()
    assert_access_equal(local, dask)


def test_accessibility_network_same_scores_and_no_lazy_population(client, small_rows, tmp_path):
    road = gdf([{"corridor_id": "r", "name": "Road", "mode": "road", "status": "existing", "speed_kmh": 60.0}],
               [LineString([(0, 0), (3000, 0), (10000, 0)])])
    parks = gdf([{"park_id": "a", "name": "A", "park_type": "sport"}, {"park_id": "b", "name": "B", "park_type": "sport"}],
                [box(900, 20, 1000, 120), box(6000, -150, 6100, -50)])
    cells = gdf([{"cell_id": f"c{i}_{j}", "population": float(1 + i % 7)} for i in range(100) for j in range(4)],
                [box(100 * i, -200 + 100 * j, 100 * (i + 1), -100 + 100 * j) for i in range(100) for j in range(4)])
    kw = dict(minutes=4, mode="network", network=road, river=False, max_snap=300)
    local = ino_geo.accessibility(parks, cells, **kw)
    dask = ino_geo.accessibility(parks, cells, **kw, engine="dask", client=client)
    assert 0 < (local.cells["n_parks"] > 0).sum() < len(cells)
    assert_access_equal(local, dask)
    write_partitioned(cells, tmp_path / "cells", 2)
    with pytest.raises(ino_geo.UsageError, match="population layer in memory"):
        ino_geo.accessibility(parks, dask_engine.read_partitioned(tmp_path / "cells"), **kw, engine="dask",
                              client=client)


# ------------------------------------------------------------ partitioned GeoParquet in/out


def write_partitioned(frame: gpd.GeoDataFrame, folder, n: int) -> None:
    folder.mkdir()
    for i, part in enumerate(np.array_split(np.arange(len(frame)), n)):
        frame.iloc[part].to_parquet(folder / f"part.{i}.parquet")


def test_partitioned_geoparquet_in_and_out(client, town, origins, tmp_path):
    parks, population, bounds = town
    write_partitioned(population, tmp_path / "cells_in", 3)
    lazy = dask_engine.read_partitioned(tmp_path / "cells_in")
    assert lazy.npartitions == 3
    kw = dict(distances=[200], boundaries=bounds, by="district")
    local = ino_geo.coverage(parks, population=population, **kw)
    dask = ino_geo.coverage(parks, population=lazy, cells=str(tmp_path / "cells_out"), **kw, engine="dask", client=client)
    assert_tables_equal(local.table, dask.table)
    files = sorted(p.name for p in (tmp_path / "cells_out").iterdir())
    assert files == ["part.00000.parquet", "part.00001.parquet", "part.00002.parquet"]
    back = gpd.read_parquet(tmp_path / "cells_out")
    key = ["park_type", "cell_id"]
    assert_cells_equal(local.cells.sort_values(key, kind="stable").reset_index(drop=True),
                       back.sort_values(key, kind="stable").reset_index(drop=True))
    # an existing output folder is never replaced without overwrite
    with pytest.raises(ino_geo.UsageError, match="exists"):
        ino_geo.coverage(parks, population=lazy, cells=str(tmp_path / "cells_out"), **kw, engine="dask", client=client)

    write_partitioned(origins, tmp_path / "sites_in", 2)
    out = dask_engine.proximity(dask_engine.read_partitioned(tmp_path / "sites_in"), parks, k=2,
                                output=str(tmp_path / "near.parquet"), client=client)
    got = gpd.read_parquet(tmp_path / "near.parquet")
    assert len(out) == len(got) == len(ino_geo.proximity(origins, parks, k=2))
    assert_proximity_equal(ino_geo.proximity(origins, parks, k=2), got)  # partitions in order: same rows


# ---------------------------------------------------------------------------- CLI


def test_cli_engine_dask_same_output_and_partitioned_files(client, analysis_layers, tmp_path):
    frames = analysis_frames()
    write_partitioned(frames["population"], tmp_path / "cells", 2)
    write_partitioned(frames["sites"], tmp_path / "sites", 2)
    addr = client.scheduler.address

    def run(*a):
        return CliRunner().invoke(cli, ["--layers", str(analysis_layers), *map(str, a)])

    for args in (["coverage", "--distance", 150, "--by", "district", "--population", tmp_path / "cells"],
                 ["coverage", "--minutes", 3, "--mode", "network", "--by", "district"],
                 ["proximity", "--mode", "network", "-k", 2],
                 ["proximity", "--from", tmp_path / "sites"]):
        a = run(*args, "--format", "csv")
        b = run(*args, "--format", "csv", "--engine", "dask", "--scheduler", addr)
        assert a.exit_code == 0, a.output
        assert b.exit_code == 0, b.output
        ta, tb = pd.read_csv(io.StringIO(a.stdout)), pd.read_csv(io.StringIO(b.stdout))
        if args[0] == "coverage":
            assert ta["population"].sum() > 0
            assert_tables_equal(ta, tb)
        else:
            pd.testing.assert_frame_equal(ta, tb, check_exact=True)
    args = ["accessibility", "--park-type", "sport", "--distance", 300, "--by", "district", "--format", "csv"]
    a, b = run(*args), run(*args, "--engine", "dask", "--scheduler", addr)
    assert a.exit_code == 0 and b.exit_code == 0, (a.output, b.output)
    ta, tb = pd.read_csv(io.StringIO(a.stdout)), pd.read_csv(io.StringIO(b.stdout))
    assert ta["mean_score"].notna().all()
    pd.testing.assert_frame_equal(ta, tb, check_exact=False, rtol=REL)
    r = run("proximity", "--from", tmp_path / "sites", "--engine", "dask", "--scheduler", addr, "-o", tmp_path / "near.parquet")
    assert r.exit_code == 0, r.output
    assert len(list((tmp_path / "near.parquet").glob("part.*.parquet"))) == 2
    assert len(gpd.read_parquet(tmp_path / "near.parquet")) == 3 * 2  # 3 sites x 2 park types
    r = run("proximity", "--from", tmp_path / "sites", "--engine", "dask", "--scheduler", addr, "-o", tmp_path / "near.parquet")
    assert r.exit_code == 2 and "exists; pass --overwrite" in r.stderr
    r = run("proximity", "--from", tmp_path / "sites", "--park-type", "sport", "--engine", "dask", "--scheduler", addr,
            "-o", tmp_path / "near.parquet", "--overwrite")
    assert r.exit_code == 0, r.output
    assert len(gpd.read_parquet(tmp_path / "near.parquet")) == 3  # replaced whole
    r = run("coverage", "--distance", 100, "--engine", "dask", "--scheduler", addr, "--cells", f"{tmp_path / 'cells_out'}/")
    assert r.exit_code == 0, r.output
    assert len(gpd.read_parquet(tmp_path / "cells_out")) == 4 * 2  # 4 cells x 2 park types
    r = run("proximity", "--scheduler", addr)
    assert r.exit_code == 2 and "--scheduler needs --engine dask" in r.stderr


def test_import_and_help_do_not_import_dask():
    code = ("import sys, ino_geo; from ino_geo.cli import cli; from click.testing import CliRunner;"
            "r = CliRunner().invoke(cli, ['coverage', '--help']); assert r.exit_code == 0 and '--engine' in r.output;"
            "r = CliRunner().invoke(cli, ['proximity', '--help']); assert '--scheduler' in r.output;"
            "bad = [m for m in ('dask', 'distributed', 'dask_geopandas', 'geopandas') if m in sys.modules];"
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)
