"""Build ``layers/boundaries.geojson``: Tomsk, its four districts, Seversk, Tomsky and Asino districts.

Geometry
--------
Generalised outlines, drawn by hand from the descriptions and settlement coordinates quoted
below, then made mutually consistent in EPSG:32645:

* ``tomsk``: hand-drawn outline of the urban okrug (both banks: Timiryazevskoye, Dzerzhinskoye
  and Eushta on the left bank belong to the Kirovsky district; the city limit on the right
  bank at Anikino follows decree 66A of 2005), plus the Tomskneftekhim industrial site north
  of the city, which is part of the Oktyabrsky district (towiki.ru 'Кудрово (станция)').
  Target area ~295 km2 (294.6-297 km2 in the references).
* the four districts tile ``tomsk`` exactly: they are the city polygon cut by the river
  centreline (left bank -> Kirovsky) and by three generalised lines on the right bank: Kirov
  Avenue (Kirovsky / Sovetsky), the Ushaika (Sovetsky / Leninsky + Oktyabrsky) and a N-S line
  near the railway (Leninsky / Oktyabrsky). District boundaries are therefore +-1.5 km.
* ``seversk`` (ZATO, 485.65 km2): west boundary = the right-bank water line of the Tom
  (kap.tomsk.gov.ru), i.e. the ZATO polygon minus the river polygon; south-east boundary shared
  with Tomsk; the rest generalised to enclose Seversk, Samus, Semiozerki, Orlovka and the
  Siberian Chemical Combine.
* ``asinovsky-rayon`` (5943.3 km2) and ``tomsky-rayon`` (10 064.2 km2 without the two
  enclosed urban okrugs): generalised outlines (+-5 km) sharing one boundary line; Tomsky
  district is the outer outline minus Asino district, Tomsk and Seversk, so it has two holes
  and the Tom north and south of Tomsk.

Population
----------
All figures are from the 2020 All-Russian census (reference date 1 October 2021, Rosstat),
as quoted by Wikipedia, except the Tomsky district (see POPULATION).
The ``tomsk`` polygon is the urban okrug 'Gorod Tomsk' (the city and the rural localities
subordinate to it: Timiryazevskoye, Dzerzhinskoye, Eushta, Loskutovo in the Kirovsky
district; Svetly and Kopylovo in the Oktyabrsky district), so its population is the okrug's,
577 253, not the city proper's 556 478 (= the four district figures, which count only the city
part of each district). Each district adds the census figures of its rural localities
(Timiryazevskoye 6 381 and Dzerzhinskoye 2 969 to Kirovsky, Svetly 7 388 to Oktyabrsky); the
remaining 4 037 (okrug minus city minus those three; Loskutovo had 3 878 and Eushta 470
residents in 2015, the 2021 split was not found) is assigned to Kirovsky, where both lie. That
assignment is an assumption and ``population_source`` says so. The four districts add up to
the okrug exactly, so the population grid drawn inside the polygon sums to the figure.

A step of ``python3 layers/src/rebuild.py``: writes the layer and checks validity, overlaps,
tiling and areas.
"""

from __future__ import annotations

from pathlib import Path

import shapely
from shapely.geometry import Polygon
from shapely.ops import unary_union

from common import pt_utm, to_wgs, write_geojson
from river import CENTRELINE, river_utm

__all__ = ["POPULATION", "build", "check", "main"]

CENSUS = ("Rosstat, All-Russian population census 2020 (as of 1 Oct 2021), table 5 "
          "'Численность населения ... городских округов, муниципальных районов', via ru.wikipedia")

OKRUG = ("urban okrug 'Gorod Tomsk' 577 253 (census 2021: the city 556 478 and its subordinate "
         "rural localities); the okrug figure as quoted in issue 11 of this project, consistent with "
         "the city figure plus Timiryazevskoye 6 381, Svetly 7 388, Dzerzhinskoye 2 969 (census 2021, "
         "ru.wikipedia) and ~4 000 for Loskutovo and Eushta")

# boundary_id: (name, level, parent, population, year, population_source, area_source_km2)
POPULATION = {
    "tomsk": ("Tomsk (urban okrug 'Gorod Tomsk')", "municipality", None, 577253, 2021,
              CENSUS + "; " + OKRUG + "; = the sum of the four districts below", 297.0),
    "tomsk-kirovsky": ("Kirovsky district (Tomsk)", "district", "tomsk", 132372 + 6381 + 2969 + 4037,
                       2021, CENSUS + ": city part 132 372 + Timiryazevskoye 6 381 + Dzerzhinskoye "
                       "2 969 (census 2021) + 4 037 = okrug 577 253 minus the city and the three "
                       "villages with a known 2021 figure, ASSIGNED to this district (Loskutovo, "
                       "Eushta; assumption, the 2021 split was not found)", None),
    "tomsk-leninsky": ("Leninsky district (Tomsk)", "district", "tomsk", 127288, 2021, CENSUS,
                       None),
    "tomsk-oktyabrsky": ("Oktyabrsky district (Tomsk)", "district", "tomsk", 181422 + 7388, 2021,
                         CENSUS + ": city part 181 422 + Svetly 7 388 (census 2021, ru.wikipedia "
                         "'Светлый (городской округ Томск)'); en.wikipedia 'Oktyabrsky City "
                         "District, Tomsk': 126 km2", 126.0),
    "tomsk-sovetsky": ("Sovetsky district (Tomsk)", "district", "tomsk", 115396, 2021, CENSUS,
                       None),
    "seversk": ("ZATO Seversk (urban okrug)", "municipality", None, 112971, 2021,
                CENSUS + " (ru.wikipedia 'Северск (ЗАТО)'; city of Seversk 106 648, Samus 5 442)",
                485.65),
    "tomsky-rayon": ("Tomsky district (municipal district)", "municipality", None, 76977, 2019,
                     "Rosstat estimate as of 1 Jan 2019 (gradinf.ru citing Rosstat); the 2021 "
                     "census figure was not found in the references available, so this year "
                     "differs from the other boundaries", 10064.2),
    "asinovsky-rayon": ("Asinovsky district (municipal district)", "municipality", None, 33862,
                        2021, CENSUS + " (ru.wikipedia 'Асиновский район'; Asino town 24 913)",
                        5943.3),
}

# ---------------------------------------------------------------------------------------
# Hand-drawn outlines (lon, lat)

TOMSK_OUTLINE = [
    (84.9040, 56.5630),  # Tom at the northern city limit (Northern bridge just downstream)
    (84.8750, 56.5540), (84.8400, 56.5440), (84.8120, 56.5300),  # N of Dzerzhinskoye
    (84.8080, 56.5100), (84.8280, 56.4950), (84.8550, 56.4720),  # Timiryazevsky pine forest
    (84.8780, 56.4580), (84.9050, 56.4460),
    (84.9250, 56.4340), (84.9420, 56.4140), (84.9490, 56.4035),  # left bank to Anikino
    (84.9642, 56.4072),  # RB water line: decree 66A (2005) point 1, Tomsk / Tomsky district
    (84.9900, 56.4060), (85.0200, 56.3960), (85.0550, 56.3790),  # Aprel, Predtechensk
    (85.0880, 56.3700), (85.1030, 56.3790),  # Loskutovo (Kirovsky district)
    (85.0950, 56.3960), (85.0720, 56.4160), (85.0650, 56.4350),
    (85.0850, 56.4500), (85.1150, 56.4650),  # Akademgorodok, Zavarzino (Sovetsky)
    (85.1350, 56.4900), (85.1300, 56.5150),  # Rodionovo
    (85.1200, 56.5450), (85.1100, 56.5750),  # Svetly (Oktyabrsky)
    (85.0850, 56.5950), (85.0450, 56.5860),  # Kopylovo station, Kirgizka
    (85.0100, 56.5720), (84.9700, 56.5660), (84.9350, 56.5640),
]

# Tomskneftekhim industrial site (Oktyabrsky district exclave): north of road 69K-4 and east
# of the Samussky trakt, beyond Kuzovlevo (Tomsky district); position approximate
# (towiki.ru 'Кудрово (станция)', 'Кузовлевский тракт'; tomck.com 'Самусьский тракт').
TNHK_EXCLAVE = [(84.9940, 56.5870), (85.0450, 56.5850), (85.0480, 56.6150),
                (84.9950, 56.6170)]

# ZATO Seversk: the first vertices run down the Tom centreline (the river is removed later,
# leaving the right-bank water line as the boundary, as the ZATO description says).
SEVERSK_EAST = [
    (84.6600, 56.7780), (84.7000, 56.8100), (84.7800, 56.8280),  # Orlovka / Chernilshchikovo
    (84.8800, 56.8350), (84.9800, 56.8200), (85.0700, 56.7800),  # north of Semiozerki
    (85.0950, 56.7300), (85.0550, 56.6880),  # Siberian Chemical Combine sites (Naumovka outside)
    (84.9950, 56.6750), (84.9780, 56.6500), (84.9780, 56.6100),  # west of the Samussky trakt
    (84.9760, 56.5780), (84.9700, 56.5660), (84.9350, 56.5640), (84.9040, 56.5630),  # Tomsk
]

# Tomsky district outer outline and the Tomsky / Asinovsky boundary (shared vertices).
TOMSKY_ASINO_EDGE = [  # Tomsky / Asino boundary, from the Krivosheino tri-point (W) to the
    (84.8000, 57.0500), (85.3500, 56.9200), (85.6500, 56.8000),  # Zyryanka tri-point (E);
    (85.9500, 56.7200), (86.1500, 56.6900),  # Bolshe-Zhirovo (56.811 N 86.184 E) is in Asino
]
TOMSKY_REST = [  # from the E end of the shared edge, clockwise: E, S, W, N
    (86.2300, 56.5700), (86.2000, 56.4000), (86.0500, 56.2700),  # Zyryanka district
    (85.8500, 56.2100),  # Kemerovo oblast border
    (85.5500, 56.1700),  # border crosses the Taiga railway between km 15 and km 26
    (85.2000, 56.0300), (84.8000, 55.9700), (84.4200, 56.0500), (84.1500, 56.3200),
    (84.1200, 56.6000), (84.3200, 56.9400), (84.5500, 57.0600),  # Kozhevnikovo, Shegarka,
]                                                                 # Krivosheino districts
ASINO_REST = [  # from the E end of the shared edge round Asino (57°00' N 86°09' E):
    (86.4000, 56.7800), (86.4500, 56.9500),  # Zyryanka district (Zyryanskoye 86.62 E) to the E
    (86.2700, 57.0500), (86.1200, 57.1500),  # Pervomaisky district (Pervomayskoye 57.07 N 86.23 E)
    (86.0500, 57.3300), (85.8500, 57.4800), (85.3000, 57.4900),  # Molchanovo / Krivosheino
    (84.7800, 57.4000), (84.7200, 57.2000),
]

# District cutting lines on the right bank (lon, lat), west to east.
KIROV_LINE = [(84.9000, 56.4665), (84.9502, 56.4650), (84.9750, 56.4625), (84.9895, 56.4605),
              (85.0150, 56.4560), (85.0500, 56.4520), (85.2000, 56.4400)]
USHAIKA_LINE = [(84.9000, 56.4850), (84.9448, 56.4847), (84.9650, 56.4830),
                (84.9900, 56.4800), (85.0150, 56.4780), (85.0600, 56.4740), (85.2000, 56.4700)]
LENINSKY_EAST = [(84.9750, 56.4825), (84.9730, 56.5000), (84.9700, 56.5300),
                 (84.9750, 56.5700), (84.9800, 56.7000)]

SOURCES = {
    "tomsk": ("Outline generalised from: Tomsk Oblast decree 66A of 16.06.2005 (city limit on "
              "the right bank at Anikino), settlement coordinates from ru.wikipedia "
              "(Timiryazevskoye, Dzerzhinskoye, Eushta), towiki.ru (Loskutovo, Kopylovo station, "
              "Tomskneftekhim site in Oktyabrsky district)"),
    "district": ("Generalised: city outline cut along the Tom centreline, Kirov Avenue, the "
                 "Ushaika and a N-S line near the railway; district composition from "
                 "ru.wikipedia 'Административное деление Томска'"),
    "seversk": ("kap.tomsk.gov.ru 'ЗАТО Северск' (west boundary = right-bank water line of the "
                "Tom; borders Tomsk in the SE and Tomsky district in the E; 48 565 ha); "
                "settlements Samus, Semiozerki, Orlovka; outline generalised"),
    "tomsky-rayon": ("Law of Tomsk Oblast 18-OZ of 21.07.1998 (neighbours: Asino, Krivosheino, "
                     "Zyryanka, Kozhevnikovo, Shegarka districts, Kemerovo and Novosibirsk "
                     "oblasts; Tomsk and Seversk enclosed); outline generalised to the "
                     "official area 10 064.2 km2"),
    "asinovsky-rayon": ("ru.wikipedia 'Асиновский район' (5 943.3 km2, centre Asino "
                        "57°00′ N 86°09′ E, SE of Tomsk Oblast); outline generalised"),
}


def _poly(coords) -> Polygon:
    return Polygon([pt_utm(lon, lat) for lon, lat in coords])


def _split_poly(line_coords, north: bool, far: float = 60000.0) -> Polygon:
    """Half-plane-like polygon north (or south) of a W-E polyline, in UTM."""
    pts = [pt_utm(lon, lat) for lon, lat in line_coords]
    x0, x1 = pts[0][0] - far, pts[-1][0] + far
    ext = [(x0, pts[0][1])] + pts + [(x1, pts[-1][1])]
    yb = (max(p[1] for p in ext) + far) if north else (min(p[1] for p in ext) - far)
    return Polygon(ext + [(x1, yb), (x0, yb)])


def _east_of(line_coords, far: float = 60000.0) -> Polygon:
    """Polygon east of a S-N polyline, in UTM."""
    pts = [pt_utm(lon, lat) for lon, lat in line_coords]
    ext = [(pts[0][0], pts[0][1] - far)] + pts + [(pts[-1][0], pts[-1][1] + far)]
    xe = max(p[0] for p in ext) + far
    return Polygon(ext + [(xe, ext[-1][1]), (xe, ext[0][1])][::-1][::-1])


def _west_of_river(far: float = 80000.0) -> Polygon:
    pts = [pt_utm(lon, lat) for lon, lat, _ in CENTRELINE]
    ext = [(pts[0][0], pts[0][1] - far)] + pts + [(pts[-1][0], pts[-1][1] + far)]
    xw = min(p[0] for p in ext) - far
    return Polygon(ext + [(xw, ext[-1][1]), (xw, ext[0][1])])


def build() -> dict[str, shapely.Geometry]:
    """All boundary geometries in EPSG:32645, keyed by boundary_id."""
    river = river_utm()
    tomsk = unary_union([_poly(TOMSK_OUTLINE), _poly(TNHK_EXCLAVE)])

    # ZATO: centreline from the city limit (56.563) downstream, then the east outline
    cl = [(lon, lat) for lon, lat, _ in CENTRELINE if lat > 56.5630]
    sev = _poly([(84.9040, 56.5630)] + cl + SEVERSK_EAST)
    sev = shapely.make_valid(sev).difference(river).difference(tomsk)
    if sev.geom_type == "MultiPolygon":  # drop slivers on the far bank, keep the main part
        sev = max(sev.geoms, key=lambda g: g.area)

    asino = _poly(TOMSKY_ASINO_EDGE[::-1] + ASINO_REST[::-1][::-1])
    asino = _poly(TOMSKY_ASINO_EDGE + ASINO_REST)
    outer = _poly(TOMSKY_ASINO_EDGE + TOMSKY_REST)
    tomsky = outer.difference(asino).difference(tomsk).difference(sev)

    # districts
    west = _west_of_river()
    south_of_kirov = _split_poly(KIROV_LINE, north=False)
    north_of_ush = _split_poly(USHAIKA_LINE, north=True)
    east_len = _east_of(LENINSKY_EAST)
    kirovsky = tomsk.intersection(unary_union([west, south_of_kirov]))
    rest = tomsk.difference(kirovsky)
    sovetsky = rest.difference(north_of_ush)
    north = rest.intersection(north_of_ush)
    oktyabrsky = north.intersection(east_len)
    leninsky = north.difference(east_len)

    geoms = {
        "tomsk": tomsk, "tomsk-kirovsky": kirovsky, "tomsk-leninsky": leninsky,
        "tomsk-oktyabrsky": oktyabrsky, "tomsk-sovetsky": sovetsky, "seversk": sev,
        "tomsky-rayon": tomsky, "asinovsky-rayon": asino,
    }
    return {k: _clean(v) for k, v in geoms.items()}


def _clean(g: shapely.Geometry, min_part_m2: float = 5000.0) -> shapely.Geometry:
    """Snap to a 0.5 m grid, drop slivers left by the cuts, return a valid (Multi)Polygon."""
    g = shapely.make_valid(shapely.set_precision(g, 0.5))
    parts = [p for p in getattr(g, "geoms", [g]) if p.geom_type == "Polygon"
             and p.area >= min_part_m2]
    g = unary_union(parts)
    return shapely.make_valid(g.buffer(0))


def check(geoms: dict[str, shapely.Geometry], tol_m2: float = 1e4) -> list[str]:
    """Validity, no overlap between municipalities, districts tile the city."""
    problems = []
    for k, g in geoms.items():
        if not g.is_valid or g.is_empty:
            problems.append(f"{k}: invalid or empty")
    munis = [k for k, v in POPULATION.items() if v[1] == "municipality"]
    for i, a in enumerate(munis):
        for b in munis[i + 1:]:
            ov = geoms[a].intersection(geoms[b]).area
            if ov > tol_m2:
                problems.append(f"municipalities {a} and {b} overlap by {ov / 1e6:.3f} km2")
    dists = [k for k, v in POPULATION.items() if v[1] == "district"]
    union = unary_union([geoms[d] for d in dists])
    diff = union.symmetric_difference(geoms["tomsk"]).area
    if diff > tol_m2:
        problems.append(f"districts do not tile tomsk: symmetric difference {diff / 1e6:.3f} km2")
    for i, a in enumerate(dists):
        for b in dists[i + 1:]:
            ov = geoms[a].intersection(geoms[b]).area
            if ov > tol_m2:
                problems.append(f"districts {a} and {b} overlap by {ov / 1e6:.3f} km2")
    total = sum(POPULATION[d][3] for d in dists)
    if total != POPULATION["tomsk"][3]:
        problems.append(f"district populations sum to {total}, city has {POPULATION['tomsk'][3]}")
    return problems


ACCURACY = {"tomsk": 1500.0, "seversk": 2000.0, "tomsky-rayon": 5000.0,
            "asinovsky-rayon": 5000.0}


def main(out: Path) -> int:
    """Write boundaries.geojson into `out`; 1 if a check fails."""
    geoms = build()
    problems = check(geoms)
    feats = []
    for bid, (name, level, parent, pop, year, psrc, area_ref) in POPULATION.items():
        g = geoms[bid]
        src = SOURCES["district"] if level == "district" else SOURCES[bid]
        area = g.area / 1e6
        print(f"  {bid:18s} {area:9.1f} km2 (reference {area_ref})  pop {pop} ({year})")
        feats.append((to_wgs(g), {
            "boundary_id": bid, "name": name, "level": level, "parent": parent,
            "population": pop, "population_year": year, "population_source": psrc,
            "source": src, "accuracy_m": ACCURACY.get(bid, 1500.0),
            "area_km2": round(area, 1),
        }))
    for p in problems:
        print("PROBLEM:", p)
    n = write_geojson(out / "boundaries.geojson", feats, "boundaries")
    print(f"boundaries.geojson: {n} features")
    return 1 if problems else 0

