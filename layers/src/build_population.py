"""Build ``layers/population.geojson``: a modelled (dasymetric) population grid.

Everything here is a MODEL, labelled ``source = "modelled"``. It spreads the official
population of each finest boundary (a Tomsk city district, ZATO Seversk, Tomsky district,
Asino district; figures and years in ``boundaries.geojson``) over grid cells, so that the cells
of each boundary add up to its official population exactly (to float rounding).

Grid
----
Square cells aligned to multiples of the cell size in EPSG:32645 (UTM 45N): 500 m in Tomsk
and Seversk, 2 km in Tomsky and Asino districts. Each cell is clipped to its boundary and the
Tom channel (``river.py``) is cut out: nobody lives in the river. ``cell_id`` is
``<boundary_id>:<size>:<col>:<row>`` with col/row = UTM easting/northing // size.

Model
-----
For each boundary the population is the sum of a few *components*, each with a documented
target total (persons); a component's surface is normalised to its target over the boundary's
cells, the components are added, and the result is scaled once more so that the boundary total
is exact. Component surfaces, evaluated at the cell's representative point x and multiplied by
the cell's land area A (m2):

* ``point``  - settlements / urban cores s with a weight P_s and a radius r_s:
  sum_s P_s * exp(-|x - s|^2 / (2 r_s^2)) / (2 pi r_s^2)   (a Gaussian of mass P_s);
  for settlements with a known population (census 2021 or latest Wikipedia figure) the
  weight is that population and the component target is the sum of those populations;
  for the urban cores of the city districts the weights are relative (assumed) and the
  component takes what the district total leaves after the villages.
* ``belt``   - suburban belt: exp(-d / lambda) with d the distance to the nearest core of
  the central town (Tomsk centre, or Asino), lambda = 12 km (Tomsky) / 6 km (Asino).
* ``road``   - roadside settlement: exp(-d_road / 1 km), d_road = distance to the nearest
  existing road in ``corridors.geojson``.
* ``flat``   - uniform background density (farms, dachas, scattered houses).

Targets are given in ``UNITS`` below. The settlement coordinates are quoted from the same
references as the other layers; a few (marked ``approx``) are estimated positions.

Limitations: the cores and radii are assumptions, not measured densities; a 500 m cell
is not more accurate than its ``accuracy_m`` (the cell size). Use it for coverage shares, not
for counting people in a single block.

A step of ``python3 layers/src/rebuild.py``, after the boundaries and corridors (it reads
them from the output folder); it is deterministic (no random numbers) and checks the sums.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import shapely
from shapely.ops import unary_union

from common import pt_utm, read_geojson, to_utm, to_wgs, write_geojson
from river import river_utm

__all__ = ["UNITS", "build", "main"]

MIN_CELL_M2 = 200.0  # clipped cell parts smaller than this (slivers along cuts) are dropped
CENTRE_TOMSK = [(84.9490, 56.4880), (84.9500, 56.4650), (84.9950, 56.4800)]
CENTRE_ASINO = [(86.1500, 56.9950)]

METHOD = ("dasymetric: census totals split into settlement Gaussians, suburban decay, road "
          "proximity, uniform background; river cut out (layers/src/build_population.py)")

# Per finest boundary: cell size, and components (kind, target persons or 'rest', params).
# point params: list of (lon, lat, weight, radius_m, label)
UNITS: dict[str, dict] = {
    "tomsk-kirovsky": dict(cell=500, components=[
        ("point", 6381 + 2969 + 4037, [  # rural localities of the district (see boundaries)
            (84.8889, 56.4792, 6381, 500, "Timiryazevskoye (census 2021)"),
            (84.8369, 56.5183, 2969, 400, "Dzerzhinskoye (census 2021)"),
            # the 4 037 the okrug figure leaves, split by assumed weights (2015 sizes)
            (84.8922, 56.5289, 470, 250, "Eushta (2015 size; assumed share)"),
            (85.0850, 56.3760, 3000, 500, "Loskutovo (approx position; assumed share)"),
            (85.0300, 56.4050, 567, 500, "Aprel / Predtechensk (approx; assumed share)"),
        ]),
        ("flat", 1300, None),
        ("point", "rest", [  # urban cores, relative weights (assumed)
            (84.9530, 56.4610, 40, 800, "TSU/TPU campus area, Lenin Ave south"),
            (84.9680, 56.4520, 30, 800, "Lagerny Sad - Yuzhnaya square"),
            (84.9850, 56.4520, 25, 900, "Tomsk-I station, Mokrushina"),
            (84.9720, 56.4400, 15, 900, "Kashtak / Basandaika street"),
            (84.9420, 56.4740, 10, 450, "Zaistochye lowland (Moskovsky trakt)"),
        ]),
    ]),
    "tomsk-sovetsky": dict(cell=500, components=[
        ("flat", 1000, None),
        ("point", "rest", [
            (84.9620, 56.4760, 40, 700, "centre east of Lenin Ave"),
            (84.9880, 56.4700, 30, 800, "Frunze Ave / Kirov Ave east"),
            (85.0300, 56.4680, 20, 900, "Akademgorodok"),
            (85.0800, 56.4700, 3, 800, "Zavarzino / Rodionovo"),
        ]),
    ]),
    "tomsk-leninsky": dict(cell=500, components=[
        ("flat", 1200, None),
        ("point", "rest", [
            (84.9500, 56.4960, 30, 700, "north of the Ushaika"),
            (84.9560, 56.5150, 35, 900, "Cheremoshniki / Kirpichi"),
            (84.9450, 56.5320, 10, 700, "north Leninsky"),
        ]),
    ]),
    "tomsk-oktyabrsky": dict(cell=500, components=[
        ("point", 7388, [(85.1042, 56.5781, 7388, 600, "Svetly (census 2021, ru.wikipedia)")]),
        ("flat", 1800, None),
        ("point", "rest", [
            (84.9900, 56.4980, 45, 900, "Irkutsky trakt"),
            (85.0100, 56.4850, 40, 800, "Frunze Ave east / Kashtak hill"),
            (85.0350, 56.5050, 40, 1000, "Solnechny, Irkutsky trakt north"),
            (85.0600, 56.5300, 10, 900, "north-east microdistricts"),
            (85.0500, 56.5700, 4, 700, "Kirgizka / Kopylovo"),
        ]),
    ]),
    "seversk": dict(cell=500, components=[
        ("point", 106648, [(84.8819, 56.6027, 106648, 1300, "Seversk city (census 2021)")]),
        ("point", 5442, [(84.7120, 56.7480, 5442, 600, "Samus (census 2021)")]),
        ("point", 881, [  # remainder of the ZATO: Orlovka, Kizhirovo, Semiozerki, Chernilshchikovo
            (84.7600, 56.7400, 300, 500, "Semiozerki (approx)"),
            (84.7100, 56.7850, 400, 500, "Orlovka (approx)"),
            (84.7300, 56.7650, 181, 500, "Kizhirovo / Chernilshchikovo (approx)"),
        ]),
    ]),
    "tomsky-rayon": dict(cell=2000, components=[
        ("point", 21946, [
            (84.8658, 56.4128, 9482, 900, "Kislovka (census 2021)"),
            (84.9050, 56.4003, 1309, 500, "Chernaya Rechka (2015)"),
            (84.8778, 56.3797, 765, 500, "Takhtamyshevo (census 2021)"),
            (84.9386, 56.3350, 336, 400, "Kolarovo (2015)"),
            (84.9317, 56.2344, 688, 400, "Vershinino (2015)"),
            (84.7406, 56.5247, 1464, 500, "Zorkaltsevo (2019)"),
            (85.1050, 56.7603, 504, 400, "Naumovka (census 2021)"),
            (85.4636, 56.4772, 128, 300, "Sukhorechye (census 2021)"),
            (85.1200, 56.3700, 3700, 700, "Bogashevo (2006, approx position)"),
            (85.2700, 56.6900, 2370, 600, "Malinovka (towiki, approx position)"),
            (85.0200, 56.4200, 1200, 800, "Zonalny / Geolog / Prostorny (approx)"),
        ]),
        ("belt", 36000, dict(centres=CENTRE_TOMSK, lam=12000.0)),
        ("road", 12000, None),
        ("flat", "rest", None),
    ]),
    "asinovsky-rayon": dict(cell=2000, components=[
        ("point", 24913, [(86.1500, 56.9950, 24913, 1500, "Asino town (census 2021)")]),
        ("belt", 3500, dict(centres=CENTRE_ASINO, lam=6000.0)),
        ("road", 3000, None),
        ("flat", "rest", None),
    ]),
}


def _grid(unit_geom, size: float, land_mask) -> tuple[list, list]:
    """Clipped grid cells (geometry, (col,row)) covering ``unit_geom`` minus ``land_mask``."""
    minx, miny, maxx, maxy = unit_geom.bounds
    c0, c1 = int(math.floor(minx / size)), int(math.floor(maxx / size))
    r0, r1 = int(math.floor(miny / size)), int(math.floor(maxy / size))
    cols, rows = np.meshgrid(np.arange(c0, c1 + 1), np.arange(r0, r1 + 1))
    cols, rows = cols.ravel(), rows.ravel()
    boxes = shapely.box(cols * size, rows * size, (cols + 1) * size, (rows + 1) * size)
    land = unit_geom.difference(land_mask) if land_mask is not None else unit_geom
    shapely.prepare(land)
    hit = shapely.intersects(land, boxes)
    boxes, cols, rows = boxes[hit], cols[hit], rows[hit]
    clipped = shapely.intersection(boxes, land)
    cells, keys = [], []
    for g, c, r in zip(clipped, cols, rows):
        g = shapely.make_valid(g)
        if g.geom_type == "GeometryCollection":
            g = unary_union([p for p in g.geoms if p.geom_type in ("Polygon", "MultiPolygon")])
        if g.is_empty or g.area < MIN_CELL_M2:
            continue
        if g.geom_type == "MultiPolygon":  # keep cells as single Polygons: split parts
            for k, p in enumerate(sorted(g.geoms, key=lambda p: -p.area)):
                if p.area >= MIN_CELL_M2:
                    cells.append(p)
                    keys.append((int(c), int(r), k))
        else:
            cells.append(g)
            keys.append((int(c), int(r), 0))
    return cells, keys


def _component(kind, params, xy, area, road_union) -> np.ndarray:
    if kind == "flat":
        return area.copy()
    if kind == "point":
        out = np.zeros(len(xy))
        for lon, lat, w, r, _ in params:
            sx, sy = pt_utm(lon, lat)
            d2 = (xy[:, 0] - sx) ** 2 + (xy[:, 1] - sy) ** 2
            out += w * np.exp(-d2 / (2 * r * r)) / (2 * math.pi * r * r)
        return out * area
    if kind == "belt":
        cs = np.array([pt_utm(lon, lat) for lon, lat in params["centres"]])
        d = np.min(np.hypot(xy[:, None, 0] - cs[None, :, 0], xy[:, None, 1] - cs[None, :, 1]),
                   axis=1)
        return np.exp(-d / params["lam"]) * area
    if kind == "road":
        pts = shapely.points(xy)
        d = shapely.distance(pts, road_union)
        return np.exp(-d / 1000.0) * area
    raise ValueError(kind)


def build(out: Path) -> tuple[list, dict]:
    bounds = {p["boundary_id"]: (to_utm(g), p) for g, p in read_geojson(
        out / "boundaries.geojson")}
    roads = [to_utm(g) for g, p in read_geojson(out / "corridors.geojson")
             if p["mode"] == "road" and p["status"] != "planned"]
    road_union = unary_union(roads)
    river = river_utm()
    feats, report = [], {}
    for uid, spec in UNITS.items():
        geom, props = bounds[uid]
        total = float(props["population"])
        size = spec["cell"]
        cells, keys = _grid(geom, size, river)
        area = np.array([c.area for c in cells])
        xy = np.array([[p.x, p.y] for p in shapely.point_on_surface(cells)])
        fixed = sum(t for _, t, _ in spec["components"] if t != "rest")
        if fixed > total:
            raise ValueError(f"{uid}: component targets {fixed} exceed population {total}")
        pop = np.zeros(len(cells))
        for kind, target, params in spec["components"]:
            raw = _component(kind, params, xy, area, road_union)
            t = total - fixed if target == "rest" else float(target)
            if raw.sum() <= 0:
                raise ValueError(f"{uid}: component {kind} is zero on every cell")
            pop += raw * (t / raw.sum())
        pop *= total / pop.sum()  # exact to float rounding
        report[uid] = (len(cells), total, float(pop.sum()), float(pop.max()))
        for g, (c, r, k), v in zip(cells, keys, pop):
            cid = f"{uid}:{size}:{c}:{r}" + (f":{k}" if k else "")
            feats.append((g, {"cell_id": cid, "population": float(v), "boundary_id": uid,
                              "cell_size_m": size, "source": "modelled", "method": METHOD,
                              "accuracy_m": float(size)}))
    return feats, report


def check(feats, report) -> list[str]:
    problems = []
    ids = [p["cell_id"] for _, p in feats]
    if len(ids) != len(set(ids)):
        problems.append("cell_id not unique")
    if any(p["population"] < 0 for _, p in feats):
        problems.append("negative population")
    for uid, (n, total, s, mx) in report.items():
        if abs(s - total) > 1e-6 * total:
            problems.append(f"{uid}: cells sum to {s}, boundary has {total}")
    return problems


def main(out: Path) -> int:
    """Write population.geojson into `out` (from the boundaries and corridors written there)."""
    feats, report = build(out)
    problems = check(feats, report)
    for uid, (n, total, s, mx) in report.items():
        print(f"  {uid:18s} {n:5d} cells  total {total:9.0f}  sum {s:14.6f}  max cell {mx:8.1f}")
    n = write_geojson(out / "population.geojson",
                      [(to_wgs(g), p) for g, p in feats], "population")
    # re-read what was written and re-check the sums
    written = read_geojson(out / "population.geojson")
    sums: dict[str, float] = {}
    for _, p in written:
        sums[p["boundary_id"]] = sums.get(p["boundary_id"], 0.0) + p["population"]
    for uid, (_, total, _, _) in report.items():
        if abs(sums[uid] - total) > 1e-6 * total:
            problems.append(f"{uid}: written cells sum to {sums[uid]}, boundary has {total}")
    size_mb = (out / "population.geojson").stat().st_size / 1e6
    print(f"population.geojson: {n} cells, {size_mb:.2f} MB")
    if size_mb > 5.0:
        problems.append(f"population.geojson is {size_mb:.1f} MB (> 5 MB)")
    for p in problems:
        print("PROBLEM:", p)
    return 1 if problems else 0

