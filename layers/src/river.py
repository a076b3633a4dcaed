"""Build ``layers/river.geojson`` (the Tom) and ``layers/waterfront.geojson``.

Method
------
The Tom is drawn as a centreline through control points taken from public references
(coordinates quoted below, mostly Russian Wikipedia infoboxes and the Tomsk Oblast
administration's protected-area descriptions), buffered in EPSG:32645 to a typical
low-water channel width, and split into three reaches that carry their own accuracy:

* upstream reach (Vershinino - Kolarovo - Anikino): few control points, +-700 m;
* Tomsk reach (Anikino - Kommunalny bridge - Ushaika mouth - Northern bridge): dense
  control points, +-250 m;
* Seversk - Samus reach: only the Bolshaya Kirgizka mouth, Seversk and Samus are fixed,
  the course between them is interpolated, +-1000 m.

Islands, side channels (protoki) and oxbow lakes (Toyanovo, Senaya Kurya) are not drawn;
the polygon is the main channel only.

Control points (lon, lat; "RB" right bank, "LB" left bank):

* Vershinino, RB floodplain, old channels to its west: 84.9317, 56.2344 (ru.wikipedia)
* Sinij Utes cliff on the RB near Kolarovo: 84.9213, 56.3310 (okolo.city / OOPT Tomsk)
* Kolarovo, RB, 15 km above Tomsk: 84.9386, 56.3350 (ru.wikipedia)
* Chernaya Rechka village, LB (on the Chernaya river): 84.9050, 56.4003 (ru.wikipedia)
* Tomsk / Tomsky district boundary on the RB water line at Anikino:
  84.96424, 56.40722 (Tomsk Oblast decree 66A of 16.06.2005, point 1)
* Basandaisky island 84.9583, 56.4167, main channel passes WEST of it (tomck.com)
* Basandaika mouth, RB: 84.9742, 56.4214 (ru.wikipedia, 78 km from the Tom mouth)
* Lagerny Sad: high RB, the river bounds the park on the south and west (tomsk guides)
* Kommunalny (Southern) bridge, centre: 84.93278, 56.45250 (ru.wikipedia / Runiversalis)
* TSU main building 84.9475, 56.4694 lies ~1 km east of the RB (brief / city plan)
* Ushaika mouth, RB, 68 km from the mouth: 84.94483, 56.48476 (ru.wikipedia)
* Lake Toyanovo (LB oxbow, Timiryazevskoye on its west shore): 84.9139, 56.4903
* Eushta, LB on the Eushta channel opposite Cheremoshniki: 84.8922, 56.5289 (ru.wikipedia)
* Northern (Seversk) bridge 800.7 m, just upstream of the Bolshaya Kirgizka mouth
  (towiki.ru), Bolshaya Kirgizka mouth, RB, 58 km from the mouth: 84.9117, 56.5711
* Seversk, RB (city centre 84.8819, 56.6027, wikivoyage); the ZATO boundary follows the
  RB water line (kap.tomsk.gov.ru)
* Samus, RB of a Tom channel opposite Kizhirovo island: 84.70, 56.75 (ru.wikipedia)
* Tom mouth (for orientation only): 84.4889, 56.8333 (pl.wikipedia)

A step of ``python3 layers/src/rebuild.py`` (the one way to rebuild the layers): writes
both layers; the other steps take the river from :func:`river_utm`.
"""

from __future__ import annotations

from pathlib import Path

import shapely
from shapely.geometry import LineString, box
from shapely.ops import unary_union

from common import line_utm, pt_utm, to_wgs, write_geojson

__all__ = ["CENTRELINE", "river_utm", "river_reaches_utm", "waterfront_utm", "main"]

# (lon, lat, half-width in metres). South (upstream) to north (downstream).
CENTRELINE: list[tuple[float, float, float]] = [
    (84.9000, 56.2000, 200),  # upstream end, below Yarskoye
    (84.9015, 56.2300, 200),  # opposite Vershinino (RB 84.9317 behind old channels)
    (84.9030, 56.2600, 200),
    (84.9045, 56.2850, 200),
    (84.9060, 56.3050, 200),
    (84.9095, 56.3200, 200),
    (84.9125, 56.3310, 190),  # under the Sinij Utes cliff (RB 84.9213)
    (84.9200, 56.3500, 190),
    (84.9300, 56.3700, 190),
    (84.9400, 56.3880, 190),
    (84.9510, 56.4000, 200),
    (84.9565, 56.4075, 230),  # RB water line at Anikino 84.9642 (Tomsk city limit)
    (84.9505, 56.4170, 185),  # main channel west of Basandaisky island (84.9583)
    (84.9515, 56.4270, 180),  # Basandaika mouth on the RB (84.9742, 56.4214: GVR point)
    (84.9475, 56.4360, 175),
    (84.9410, 56.4440, 175),  # bend below Lagerny Sad (park bounded by the river S and W)
    (84.9328, 56.4525, 175),  # Kommunalny bridge
    (84.9285, 56.4600, 175),
    (84.9270, 56.4694, 175),  # abreast of TSU (84.9475): RB ~1.1 km west of it
    (84.9310, 56.4770, 175),
    (84.9400, 56.4850, 175),  # Ushaika mouth on the RB at 84.9448
    (84.9385, 56.4940, 175),
    (84.9345, 56.5030, 175),
    (84.9280, 56.5120, 180),
    (84.9215, 56.5210, 180),
    (84.9160, 56.5300, 180),  # opposite Cheremoshniki; Eushta channel further west
    (84.9125, 56.5420, 185),
    (84.9095, 56.5550, 185),
    (84.9060, 56.5660, 190),  # Northern bridge
    (84.9030, 56.5730, 190),  # below the Bolshaya Kirgizka mouth (RB 84.9117, 56.5711)
    (84.8880, 56.5810, 200),
    (84.8690, 56.5890, 200),
    (84.8500, 56.5970, 200),
    (84.8350, 56.6060, 200),  # west of Seversk (centre 84.8819, 56.6027)
    (84.8230, 56.6170, 200),
    (84.8100, 56.6320, 200),
    (84.7950, 56.6500, 200),
    (84.7780, 56.6680, 200),
    (84.7600, 56.6860, 200),
    (84.7420, 56.7050, 200),
    (84.7200, 56.7240, 200),
    (84.6960, 56.7420, 200),  # main channel west of Kizhirovo island; Samus (84.70, 56.75)
    (84.6780, 56.7600, 200),  # lies on the RB of a side channel east of the island
]

# Side channels drawn because references put bank features on them: (lon, lat) vertices,
# half-width in metres.
SIDE_CHANNELS: list[tuple[str, list[tuple[float, float]], float]] = [
    # right-hand channel between Basandaisky island (84.9583, 56.4167, <1 km x 200 m) and
    # the right bank at Anikino (decree point 84.9642, 56.4072); 2-3 m deep (tomck.com)
    ("Basandaisky island right channel",
     [(84.9575, 56.4085), (84.9615, 56.4130), (84.9625, 56.4185), (84.9590, 56.4240),
      (84.9530, 56.4280)], 60.0),
]

# Reach limits (latitude of the cut lines) and their accuracy.
REACHES = [
    ("Tom (upstream of Tomsk: Vershinino - Kolarovo - Anikino)", 56.1, 56.4075, 700.0),
    ("Tom (Tomsk reach: Anikino - Kommunalny bridge - Northern bridge)", 56.4075, 56.5700,
     250.0),
    ("Tom (Seversk - Samus reach)", 56.5700, 56.8, 1000.0),
]

RIVER_SOURCE = ("Course from public references: ru.wikipedia infobox coordinates of Kolarovo, "
                "Vershinino, Chernaya Rechka, Eushta, Timiryazevskoye, Samus, Seversk; mouths of "
                "the Basandaika, Ushaika and Bolshaya Kirgizka (GVR); Kommunalny bridge "
                "56.4525 N 84.9328 E; Tomsk Oblast decree 66A (2005) RB water-line point; "
                "channel width typical low-water width. See layers/src/river.py")


def river_utm() -> shapely.Geometry:
    """The river channel polygon in EPSG:32645: union of per-segment buffers."""
    pts = [pt_utm(lon, lat) for lon, lat, _ in CENTRELINE]
    parts = []
    for (p, q), (_, _, w1), (_, _, w2) in zip(zip(pts[:-1], pts[1:]), CENTRELINE[:-1],
                                              CENTRELINE[1:]):
        parts.append(LineString([p, q]).buffer((w1 + w2) / 2.0, quad_segs=8))
    for _, coords, hw in SIDE_CHANNELS:
        parts.append(line_utm(coords).buffer(hw, quad_segs=8))
    # cut flat ends so the polygon does not bulge beyond the first/last vertex
    poly = unary_union(parts)
    x0, y0 = pts[0]
    x1, y1 = pts[-1]
    clip = box(min(p[0] for p in pts) - 5000, y0, max(p[0] for p in pts) + 5000, y1)
    poly = poly.intersection(clip)
    return shapely.make_valid(poly.simplify(2.0))


def river_reaches_utm() -> list[tuple[str, shapely.Geometry, float]]:
    """Split the channel into the three reaches of REACHES (name, polygon, accuracy_m)."""
    river = river_utm()
    out = []
    for name, lat_a, lat_b, acc in REACHES:
        ya = pt_utm(84.9, lat_a)[1]
        yb = pt_utm(84.9, lat_b)[1]
        band = box(river.bounds[0] - 1000, ya, river.bounds[2] + 1000, yb)
        part = river.intersection(band)
        if not part.is_empty:
            out.append((name, part, acc))
    return out


def centreline_utm() -> LineString:
    return line_utm([(lon, lat) for lon, lat, _ in CENTRELINE])


def waterfront_utm() -> shapely.Geometry:
    """The 'Tomsk embankments' zone: RB strip from the Kommunalny bridge to the Ushaika.

    Sources say the zone ('Tomskie naberezhnye', ~200 ha of city land on the right bank plus
    land to be reclaimed behind a planned dam) runs from the Kommunalny bridge to the Ushaika
    embankment. We draw the land part only: from the right-bank water line to 520 m inland,
    between the bridge and the Ushaika mouth. The reclaimed strip is not drawn (it would
    lie in today's channel).
    """
    river = river_utm()
    cl = centreline_utm()
    # offset curve to the right of the flow direction (east bank when flowing north)
    inland = cl.offset_curve(-(175 + 520))
    strip = shapely.Polygon(list(cl.coords) + list(inland.coords)[::-1])
    strip = shapely.make_valid(strip)
    ya = pt_utm(84.93, 56.4540)[1]  # just downstream of the Kommunalny bridge
    yb = pt_utm(84.94, 56.4860)[1]  # Ushaika mouth
    band = box(cl.bounds[0] - 3000, ya, cl.bounds[2] + 3000, yb)
    zone = strip.intersection(band).difference(river)
    if zone.geom_type == "MultiPolygon":
        zone = max(zone.geoms, key=lambda g: g.area)
    zone = zone.simplify(5.0).difference(river)
    if zone.geom_type == "MultiPolygon":
        zone = max(zone.geoms, key=lambda g: g.area)
    return zone


def main(out: Path) -> int:
    """Write river.geojson and waterfront.geojson into `out`."""
    reaches = river_reaches_utm()
    feats = []
    for name, geom, acc in reaches:
        feats.append((to_wgs(geom), {
            "name": name,
            "source": RIVER_SOURCE,
            "accuracy_m": acc,
            "description": "Main low-water channel of the Tom; islands, side channels and "
                           "oxbows not drawn. Width 350-400 m.",
        }))
    n = write_geojson(out / "river.geojson", feats, "river")
    total = unary_union([g for _, g, _ in reaches])
    print(f"river.geojson: {n} features, {total.area / 1e6:.1f} km2, "
          f"centreline {centreline_utm().length / 1000:.1f} km")

    wf = waterfront_utm()
    wf_feat = [(to_wgs(wf), {
        "name": "Tomsk waterfront (Tomskie naberezhnye) new city centre zone",
        "source": ("seed:000_d6bba7ff496c3260.txt; extent after public reports on the "
                   "'Tomskie naberezhnye' project: ~200 ha on the right bank from the "
                   "Kommunalny bridge to the Ushaika embankment, with a dam and reclaimed "
                   "land (sibnovosti.ru 2015, fc-union.com 17.02.2015, vtomske.ru)"),
        "accuracy_m": 300.0,
        "status": "planned",
        "area_ha": round(wf.area / 1e4, 1),
        "description": ("Approximate land part of the INO Tomsk 'Tomsk waterfront' zone: the "
                        "right-bank strip ~0.5 km wide between the Kommunalny bridge and the "
                        "Ushaika mouth (Lenin Square). The land to be reclaimed behind the "
                        "planned dam is not drawn. The project was not implemented as "
                        "planned (pressoboz.ru)."),
    })]
    write_geojson(out / "waterfront.geojson", wf_feat, "waterfront")
    print(f"waterfront.geojson: 1 feature, {wf.area / 1e4:.0f} ha")
    return 0
