"""Checks of the written layers against each other (the catalogue's rules are not repeated here).

Reads the GeoJSON files as written (not the build steps' in-memory geometry): the river at
its expected distance from reference places, the waterfront on land in Tomsk, boundaries that
tile the city, population cells that add up to the official totals and stay out of the river,
corridor networks in one piece crossing the Tom only at bridges; and the RFC 7946 form of
every file (no ``crs`` member, coordinates rounded to 6 decimals). Each record's columns,
types, allowed values, geometry and extent are checked by ``ino_geo.validate_path`` in
``rebuild.py``, of which this is the last but one step.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from shapely.ops import unary_union

from common import pt_utm, to_utm

LAYERS = ["corridors", "river", "waterfront", "boundaries", "population", "sites", "parks"]

problems: list[str] = []


def fail(msg: str) -> None:
    problems.append(msg)
    print("FAIL:", msg)


def check_rfc7946(name: str, fc: dict) -> None:
    """No ``crs`` member; coordinates rounded to 6 decimals."""
    if "crs" in fc:
        fail(f"{name}: 'crs' member present (RFC 7946 forbids it)")
    for i, f in enumerate(fc["features"]):
        xy = shapely.get_coordinates(shapely.geometry.shape(f["geometry"]))
        if np.any(np.abs(xy * 1e6 - np.round(xy * 1e6)) > 1e-3):
            fail(f"{name}[{i}]: coordinates not rounded to 6 decimals")


def main(out: Path) -> int:
    """Check the layers written into `out`; 1 if any check fails."""
    problems.clear()
    fcs = {n: json.loads((out / f"{n}.geojson").read_text(encoding="utf-8")) for n in LAYERS}
    for n in LAYERS:
        check_rfc7946(n, fcs[n])

    def geoms(n):
        return [(to_utm(shapely.geometry.shape(f["geometry"])), f["properties"])
                for f in fcs[n]["features"]]

    river = unary_union([g for g, _ in geoms("river")])

    # ---- river: reference points on land at the expected distance from the water
    for label, lon, lat, lo, hi in [
        ("TSU main building", 84.9475, 56.4694, 700, 1500),
        ("Ushaika mouth (RB)", 84.9448, 56.4848, 0, 350),
        ("Kommunalny bridge centre", 84.93278, 56.4525, 0, 0),
        ("Lenin Square", 84.9485, 56.4880, 150, 900),
        ("Timiryazevskoye (LB)", 84.8889, 56.4792, 1000, 4000),
        ("Kolarovo (RB)", 84.9386, 56.3350, 500, 2500),
        ("Seversk centre", 84.8819, 56.6027, 800, 4000),
        ("Bolshaya Kirgizka mouth (RB)", 84.9117, 56.5711, 0, 500),
    ]:
        d = river.distance(shapely.Point(pt_utm(lon, lat)))
        if not lo <= d <= hi:
            fail(f"river: {label} is {d:.0f} m from the Tom (expected {lo}-{hi} m)")
        else:
            print(f"river: {label} {d:.0f} m from the water (ok)")

    # ---- waterfront on land, in Tomsk
    bnd = {p["boundary_id"]: (g, p) for g, p in geoms("boundaries")}
    for g, p in geoms("waterfront"):
        if g.intersection(river).area > 100:
            fail("waterfront overlaps the river")
        if g.difference(bnd["tomsk"][0]).area > 1000:
            fail("waterfront extends outside Tomsk")

    # ---- boundaries: municipalities disjoint, districts tile the city
    munis = [k for k, (_, p) in bnd.items() if p["level"] == "municipality"]
    dists = [k for k, (_, p) in bnd.items() if p["level"] == "district"]
    for i, a in enumerate(munis):
        for b in munis[i + 1:]:
            ov = bnd[a][0].intersection(bnd[b][0]).area
            if ov > 1e4:
                fail(f"boundaries: {a} and {b} overlap by {ov / 1e6:.3f} km2")
    for d in dists:
        if bnd[d][1]["parent"] not in bnd:
            fail(f"boundaries: {d} parent {bnd[d][1]['parent']} unknown")
    u = unary_union([bnd[d][0] for d in dists])
    sd = u.symmetric_difference(bnd["tomsk"][0]).area
    print(f"boundaries: districts vs Tomsk symmetric difference {sd:.0f} m2")
    if sd > 1e4:
        fail("boundaries: districts do not tile Tomsk")
    if sum(bnd[d][1]["population"] for d in dists) != bnd["tomsk"][1]["population"]:
        fail("boundaries: district populations do not add up to the city")

    # ---- population: sums, containment, no cells in the river
    pop = geoms("population")
    sums: dict[str, float] = defaultdict(float)
    cells_by: dict[str, list] = defaultdict(list)
    for g, p in pop:
        sums[p["boundary_id"]] += p["population"]
        cells_by[p["boundary_id"]].append(g)
        if p["source"] != "modelled":
            fail(f"population {p['cell_id']}: source is not 'modelled'")
    finest = dists + [m for m in munis if m != "tomsk"]
    for b in finest:
        off = sums[b] - bnd[b][1]["population"]
        print(f"population: {b:18s} cells {len(cells_by[b]):5d} sum {sums[b]:.6f} "
              f"official {bnd[b][1]['population']} ({bnd[b][1]['population_year']})")
        if abs(off) > 1e-6 * bnd[b][1]["population"]:
            fail(f"population: {b} cells sum to {sums[b]}, official {bnd[b][1]['population']}")
        cu = unary_union(cells_by[b])
        out = cu.difference(bnd[b][0].buffer(1.0)).area
        if out > 100:
            fail(f"population: {b} cells extend {out:.0f} m2 outside the boundary")
    tomsk_sum = sum(sums[d] for d in dists)
    if abs(tomsk_sum - bnd["tomsk"][1]["population"]) > 1e-6 * tomsk_sum:
        fail("population: Tomsk cells do not add up to the city total")
    inriver = unary_union([g for g, _ in pop]).intersection(river).area
    if inriver > 1e4:
        fail(f"population: {inriver / 1e6:.2f} km2 of cells lie in the river")

    # ---- corridors: connectivity from the written file, crossings only at bridges
    cor = fcs["corridors"]["features"]
    by_mode = defaultdict(list)
    for f in cor:
        g = shapely.geometry.shape(f["geometry"])
        parts = [g] if g.geom_type == "LineString" else list(g.geoms)
        for part in parts:
            by_mode[f["properties"]["mode"]].append(
                (list(part.coords), f["properties"]["status"]))
    for mode, lines in by_mode.items():
        for scen, keep in [("all", None), ("existing", {"existing", "reconstruction"})]:
            sel = [c for c, s in lines if keep is None or s in keep]
            idx: dict = {}
            rows, cols = [], []
            for coords in sel:
                ids = [idx.setdefault(tuple(c), len(idx)) for c in coords]
                rows += ids[:-1]
                cols += ids[1:]
            n = len(idx)
            ncomp, _ = connected_components(
                coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n)), directed=False)
            print(f"corridors: {mode} ({scen}): {len(sel)} lines, {n} nodes, {ncomp} component(s)")
            if ncomp != 1:
                fail(f"corridors: {mode} network ({scen}) has {ncomp} components")
    for g, p in geoms("corridors"):
        if g.intersects(river) and not p.get("bridge"):
            fail(f"corridors: {p['corridor_id']} touches the Tom without bridge=true")
        if p.get("bridge") and not g.crosses(river):
            fail(f"corridors: bridge {p['corridor_id']} does not cross the Tom")
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0

