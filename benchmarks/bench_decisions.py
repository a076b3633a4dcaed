"""Benchmarks of the decision tools (issue 12) against spopt and PySAL access, in one process.

    python benchmarks/bench_decisions.py                 # the default run (a few minutes)
    python benchmarks/bench_decisions.py --quick         # small sizes, a smoke run
    python benchmarks/bench_decisions.py --full-spopt    # + spopt on all 7,682 Tomsk cells, ONCE (~10+ min)
    python benchmarks/bench_decisions.py --write benchmarks/RESULTS_decisions.md

A and B alternate within each round (A B, B A, A B, ...), >= 3 rounds; median and min-max.

1. mclp: max-coverage, 3 new medical parks, 2 km, the shipped Tomsk population cells as demand
   and candidates, the existing medical parks kept. ours: ``ino_geo.site_selection`` end to end
   from the layers (sparse coverage sets, exact HiGHS MILP; area coverage off, spopt has none).
   spopt: the dense cost matrix (cell centroids x candidates, plus the existing parks as
   predefined facilities) + ``MCLP.from_cost_matrix`` + ``solve`` (CBC). spopt needs minutes
   to build the full model, so by default it runs on random subsets of the cells (n demand =
   n candidates), ours on the same subsets (same objective checked) and on the full set; the
   full-size spopt time is extrapolated from its measured growth (stated as such), or
   measured once with --full-spopt. Objective: people within 2 km of a park after (spopt's
   objective; ours = covered before + newly covered).
2. fca: 2SFCA, 100,000 synthetic cells x 1,000 synthetic parks, 2 km (EPSG:32645). access is
   given the sparse cost table of the pairs within 2 km (a dense one has 10^8 rows);
   ours (a) end to end from the geometries (costs included) and (b) the scoring alone on the
   same pairs (``ino_geo.analysis.accessibility.fca_scores``); and access end to end with its
   own ``create_euclidean_distance(threshold)``. Values must be identical (1e-9).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CRS = "EPSG:32645"


def _stats(xs):
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "runs": [round(x, 4) for x in xs]}


def alternate(a, b, rounds):
    """Run a() and b() alternately (A B, B A, ...); return their times and last results."""
    ta, tb, ra, rb = [], [], None, None
    for r in range(rounds):
        for which in ("ab" if r % 2 == 0 else "ba"):
            t = time.perf_counter()
            if which == "a":
                ra = a()
                ta.append(time.perf_counter() - t)
            else:
                rb = b()
                tb.append(time.perf_counter() - t)
    return ta, tb, ra, rb


# -------------------------------------------------------------------------------------- MCLP


def _spopt_mclp(cells, parks_m, p, radius):
    """spopt's MCLP: dense costs from the centroids to every candidate and existing park."""
    import pulp
    import shapely
    from spopt.locate import MCLP

    cent = shapely.centroid(np.asarray(cells.geometry.values))
    cand = cent
    cost = np.sqrt(((shapely.get_coordinates(cent)[:, None, :] - shapely.get_coordinates(cand)[None, :, :]) ** 2).sum(-1))
    if len(parks_m):
        pe = shapely.distance(cent[:, None], np.asarray(parks_m)[None, :])
        cost = np.hstack([cost, pe])
    pre = np.r_[np.zeros(len(cand), int), np.ones(len(parks_m), int)]
    w = cells["population"].to_numpy(dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = MCLP.from_cost_matrix(cost, w, service_radius=radius, p_facilities=p + len(parks_m),
                                  predefined_facilities_arr=pre)
        m.solve(pulp.PULP_CBC_CMD(msg=False))
    return float(pulp.value(m.problem.objective))


def _ours_mclp(parks, cells, p, radius):
    import ino_geo

    r = ino_geo.site_selection(parks, cells, park_type="medical", new=p, distance=radius, area_coverage=False)
    t = r.table.set_index("boundary_id")
    return float(t.loc["all", "covered_after"]), r.summary["how"]


def bench_mclp(quick: bool, full_spopt: bool, rounds: int) -> dict:
    import ino_geo

    lay = ino_geo.load_layers()
    parks, pop = lay.parks, lay.population.to_crs(CRS)
    med = np.asarray(parks[parks["park_type"] == "medical"].to_crs(CRS).geometry.values)
    p, radius = 3, 2000.0
    rng = np.random.default_rng(12)
    sizes = [300, 600] if quick else [1000, 2000]
    out = {"n_cells": len(pop), "p": p, "radius_m": radius, "subsets": []}
    for n in sizes:
        sub = pop.iloc[np.sort(rng.choice(len(pop), n, replace=False))].reset_index(drop=True)
        ta, tb, ra, rb = alternate(lambda: _ours_mclp(parks, sub, p, radius), lambda: _spopt_mclp(sub, med, p, radius),
                                   rounds)
        out["subsets"].append({"n": n, "ours_s": _stats(ta), "spopt_s": _stats(tb), "ours_objective": ra[0],
                               "how": ra[1], "spopt_objective": rb,
                               "ratio_median": statistics.median(tb) / statistics.median(ta)})
        print(json.dumps({"mclp_subset": out["subsets"][-1]}), flush=True)
    full = [(lambda t0: (_ours_mclp(parks, pop, p, radius), time.perf_counter() - t0))(time.perf_counter())
            for _ in range(rounds)]
    out["ours_full_s"] = _stats([f[1] for f in full])
    out["ours_full_objective"], out["ours_full_how"] = full[0][0]
    # spopt's build grows with demand x candidates: fit t = a * (n^2)^k on the subsets
    (n1, t1), (n2, t2) = [(s["n"], s["spopt_s"]["median"]) for s in out["subsets"]]
    k = np.log(t2 / t1) / np.log((n2 / n1) ** 2)
    out["spopt_full_extrapolated_s"] = t2 * ((len(pop) / n2) ** 2) ** k
    out["spopt_growth_exponent_in_pairs"] = k
    if full_spopt:
        t0 = time.perf_counter()
        out["spopt_full_objective"] = _spopt_mclp(pop, med, p, radius)
        out["spopt_full_measured_s"] = time.perf_counter() - t0
    ref = out.get("spopt_full_measured_s", out["spopt_full_extrapolated_s"])
    out["ratio_full"] = ref / out["ours_full_s"]["median"]
    print(json.dumps({"mclp_full": {k2: v for k2, v in out.items() if k2 != "subsets"}}), flush=True)
    return out


# --------------------------------------------------------------------------------------- FCA


def synthetic(n_cells: int, n_parks: int, seed: int = 5):
    import geopandas as gpd
    import shapely

    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n_cells)))
    size = 60_000.0
    step = size / side
    i = np.arange(n_cells)
    x0, y0 = 345_000.0 + (i % side) * step, 6_230_000.0 + (i // side) * step
    cells = gpd.GeoDataFrame({"cell_id": [f"c{k}" for k in i], "population": rng.integers(0, 300, n_cells).astype(float)},
                             geometry=shapely.box(x0, y0, x0 + step, y0 + step), crs=CRS)
    cx = rng.uniform(345_000, 345_000 + size, n_parks)
    cy = rng.uniform(6_230_000, 6_230_000 + size, n_parks)
    s = rng.uniform(50, 400, n_parks)
    parks = gpd.GeoDataFrame({"park_id": [f"p{k}" for k in range(n_parks)], "name": "park", "park_type": "medical"},
                             geometry=shapely.box(cx, cy, cx + s, cy + s), crs=CRS)
    return cells, parks


def bench_fca(quick: bool, rounds: int) -> dict:
    import pandas as pd
    import shapely

    import access
    import ino_geo
    from ino_geo.analysis.accessibility import fca_scores
    from ino_geo.analysis._costs import demand_points, euclidean_pairs

    n, m = (10_000, 100) if quick else (100_000, 1_000)
    T = 2000.0
    cells, parks = synthetic(n, m)
    pts = demand_points(np.asarray(cells.geometry.values))
    # ino_geo is given the layers as they are stored (EPSG:4326), access the metric geometries
    # it needs (prepared outside the timing)
    cells4326, parks4326 = cells.to_crs(4326), parks.to_crs(4326)
    pairs = euclidean_pairs(pts, np.asarray(parks.geometry.values), T)
    area_ha = shapely.area(np.asarray(parks.geometry.values)) / 1e4
    cost_df = pd.DataFrame({"origin": cells["cell_id"].to_numpy()[pairs.row], "dest": parks["park_id"].to_numpy()[pairs.col],
                            "cost": pairs.cost})
    demand_df = cells[["cell_id", "population"]].copy()
    supply_df = pd.DataFrame({"park_id": parks["park_id"], "supply": area_ha})
    pop = cells["population"].to_numpy(dtype=float)

    def run_access():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            A = access.Access(demand_df=demand_df.copy(), demand_index="cell_id", demand_value="population",
                              supply_df=supply_df.copy(), supply_index="park_id", supply_value="supply",
                              cost_df=cost_df, cost_origin="origin", cost_dest="dest", cost_name="cost")
            r = A.two_stage_fca(name="x", max_cost=T)["x_supply"]
        return r.reindex(cells["cell_id"]).fillna(0.0).to_numpy()

    import geopandas as gpd

    dem_g = gpd.GeoDataFrame({"cell_id": cells["cell_id"], "population": pop}, geometry=pts, crs=CRS)
    sup_g = gpd.GeoDataFrame({"park_id": parks["park_id"], "supply": area_ha}, geometry=parks.geometry.values, crs=CRS)

    def run_access_own_costs():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            A = access.Access(demand_df=dem_g.copy(), demand_index="cell_id", demand_value="population",
                              supply_df=sup_g.copy(), supply_index="park_id", supply_value="supply")
            A.create_euclidean_distance(threshold=T)
            r = A.two_stage_fca(name="x", max_cost=T)["x_supply"]
        return r.reindex(cells["cell_id"]).fillna(0.0).to_numpy()

    def run_ours():
        return ino_geo.accessibility(parks4326, cells4326, distance=T, crs=CRS).cells["score"].to_numpy() / 1000.0

    def run_scores():
        return fca_scores(pop, area_ha, pairs.row, pairs.col, np.ones(len(pairs)))[0]

    ta, tb, ra, rb = alternate(run_ours, run_access, rounds)
    tc, _, rc, _ = alternate(run_scores, lambda: None, rounds)
    td, _, rd, _ = alternate(run_access_own_costs, lambda: None, rounds)
    err = float(np.max(np.abs(ra - rb) / np.maximum(np.abs(rb), 1e-300))) if len(rb) else 0.0
    err_c = float(np.max(np.abs(rc - rb) / np.maximum(np.abs(rb), 1e-300)))
    differ_d = int((~np.isclose(ra, rd, rtol=1e-9, atol=0)).sum())  # access's buffer polygons miss edge pairs
    out = {"n_cells": n, "n_parks": m, "pairs": len(pairs), "ours_end_to_end_s": _stats(ta), "access_s": _stats(tb),
           "ours_scoring_s": _stats(tc), "ratio_end_to_end": statistics.median(tb) / statistics.median(ta),
           "ratio_scoring": statistics.median(tb) / statistics.median(tc), "max_rel_diff": max(err, err_c),
           "access_own_costs_s": _stats(td), "ratio_vs_access_own_costs": statistics.median(td) / statistics.median(ta),
           "cells_differing_own_costs": differ_d}
    print(json.dumps({"fca": out}), flush=True)
    return out


# ------------------------------------------------------------------------------------ report


def machine() -> str:
    import os

    import geopandas
    import highspy  # noqa: F401
    import scipy
    import shapely
    import spopt

    load = os.getloadavg()
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"shapely {shapely.__version__}, geopandas {geopandas.__version__}, scipy {scipy.__version__}, "
            f"spopt {spopt.__version__}, load average at the end {load[0]:.2f} / {load[1]:.2f}")


def report(mclp: dict | None, fca: dict | None) -> str:
    f = lambda s: f"{s['median']:.2f} s ({s['min']:.2f}-{s['max']:.2f})"  # noqa: E731
    lines = ["## Decisions benchmark (issue 12): `benchmarks/bench_decisions.py`", "", f"Machine: {machine()}.", ""]
    if mclp:
        lines += ["### MCLP: 3 new medical parks, 2 km, Tomsk cells as demand and candidates", "",
                  "| instance | ours (site_selection, end to end) | spopt (dense costs + MCLP build + CBC solve) | ratio | "
                  "objective ours / spopt (people within 2 km after) |", "|---|---|---|---|---|"]
        for s in mclp["subsets"]:
            lines.append(f"| {s['n']} random cells | {f(s['ours_s'])} | {f(s['spopt_s'])} | **{s['ratio_median']:.0f}x** | "
                         f"{s['ours_objective']:,.1f} / {s['spopt_objective']:,.1f} ({s['how']}) |")
        meas = mclp.get("spopt_full_measured_s")
        sp = (f"{meas:.0f} s measured once" if meas else
              f"~{mclp['spopt_full_extrapolated_s']:.0f} s **extrapolated** (time grows as pairs^"
              f"{mclp['spopt_growth_exponent_in_pairs']:.2f} between the two subsets)")
        obj = (f"{mclp['ours_full_objective']:,.1f} / {mclp['spopt_full_objective']:,.1f}" if meas
               else f"{mclp['ours_full_objective']:,.1f} / not run")
        lines.append(f"| all {mclp['n_cells']:,} cells | {f(mclp['ours_full_s'])} | {sp} | **{mclp['ratio_full']:.0f}x** | "
                     f"{obj} ({mclp['ours_full_how']}) |")
        lines.append("")
    if fca:
        lines += [f"### 2SFCA: {fca['n_cells']:,} cells x {fca['n_parks']:,} parks, 2 km ({fca['pairs']:,} pairs within reach)",
                  "", "| what | ours | access (`two_stage_fca`, given the sparse cost table) | ratio |", "|---|---|---|---|",
                  f"| end to end (ours includes building the costs from the geometries) | {f(fca['ours_end_to_end_s'])} | "
                  f"{f(fca['access_s'])} | **{fca['ratio_end_to_end']:.1f}x** |",
                  f"| end to end, access computing its own costs (`create_euclidean_distance(threshold=2000)`, "
                  f"an sjoin on buffered parks) | {f(fca['ours_end_to_end_s'])} | {f(fca['access_own_costs_s'])} | "
                  f"**{fca['ratio_vs_access_own_costs']:.1f}x** |",
                  f"| scoring alone, same pairs | {f(fca['ours_scoring_s'])} | {f(fca['access_s'])} | "
                  f"**{fca['ratio_scoring']:.0f}x** |", "",
                  f"Largest relative difference of the per-cell values: {fca['max_rel_diff']:.1e} on the same costs, "
                  f"and {fca['cells_differing_own_costs']:,} cells of {fca['n_cells']:,} differ from access with its own costs "
                  f"(its sjoin on `buffer(2000)` polygons, which lie inside the true 2 km discs, misses pairs near "
                  f"2 km; given the same costs the values are identical).", ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", choices=["mclp", "fca"])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--full-spopt", action="store_true", help="also spopt on the full Tomsk instance, once")
    ap.add_argument("--write", default=None, help="write the markdown results section to this file")
    a = ap.parse_args(argv)
    mclp = bench_mclp(a.quick, a.full_spopt, a.rounds) if a.only in (None, "mclp") else None
    fca = bench_fca(a.quick, a.rounds) if a.only in (None, "fca") else None
    text = report(mclp, fca)
    print(text)
    if a.write:
        Path(a.write).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
