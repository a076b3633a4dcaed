"""Build ``layers/sites.geojson`` and ``layers/parks.geojson`` from their source tables.

Sources
-------
* ``layers/src/sites.csv`` -- one row per project site / organisation with ``lat``/``lon``
  (EPSG:4326), ``accuracy_m``, ``position_source`` and ``source`` (seed file and/or public
  reference).
* ``layers/src/parks.py`` -- the park outlines as (lon, lat) vertex lists, or stadium ovals
  given by centre, size and bearing (built in EPSG:32645).

Checks of the sources (the step stops with a message naming the row or park):

* unique ids, non-empty names and sources, plausible accuracies, valid closed polygons (after
  rounding to 6 decimals);
* no site inside, and no park overlapping, the river as written by the river step;
* the sites a park is drawn for (``PARK_SITES``) lie inside it;
* distances in EPSG:32645 between sites that must be close (institutes on one street);
* every park type of the catalogue has a park.

The catalogue's own rules (columns, types, allowed values, extent) are checked once, on the
written files, by ``ino_geo.validate_path`` at the end of ``python3 layers/src/rebuild.py``,
of which this is a step.
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from pathlib import Path

import shapely
from shapely.geometry import Point, Polygon

from common import exact_feature, pt_utm, read_geojson, to_utm, to_wgs, write_collection
from parks import PARKS

HERE = Path(__file__).resolve().parent

SITE_COLUMNS = ["site_id", "name", "name_ru", "category", "cluster", "priority", "status",
                "address", "source", "accuracy_m", "position_source", "note"]
PARK_COLUMNS = ["park_id", "name", "name_ru", "park_type", "status", "description", "source",
                "accuracy_m", "position_source"]

# pairs of sites that must lie close together (metres, EPSG:32645): lon/lat slips show here
CLOSE_PAIRS = [
    ("S009", "S012", 300),   # Cardiology and Obstetrics institutes, NRMC Kievskaya campus
    ("S019", "S020", 700),   # TSU and TPU main buildings on Lenin Ave
    ("S019", "S021", 500),   # TSU and TUSUR main buildings on Lenin Ave
    ("S026", "S027", 300),   # Region Administration next to the Drama Theatre (seed 000)
    ("S005", "S006", 1500),  # SEZ engineering building on the southern site
    ("S051", "S052", 600),   # ISPMS and IAO, Akademgorodok
    ("S032", "S038", 2000),  # SCC headquarters and STI MEPhI, Seversk
    ("S008", "S011", 1500),  # NRMC Cancer and Medical Genetics institutes, city centre
    ("S076", "S108", 500),   # Lenin Square (a ~16 ha square) and the Iverskaya chapel on it
    ("S074", "S108", 100),   # Epiphany Cathedral and the Iverskaya chapel 50 m east of it
    ("S003", "S004", 1500),  # Asino timber complex and its MDF plant
]


# sites that must lie inside a park drawn for them (catches outlines drawn in the wrong place)
PARK_SITES = {
    "P01": ["S028"], "P02": ["S033"], "P03": ["S003"], "P04": ["S025"], "P05": ["S006"],
    "P06": ["S007", "S113"], "P08": ["S019", "S057"], "P09": ["S020"], "P10": ["S021"],
    "P11": ["S051", "S052"], "P12": ["S023"], "P13": ["S024"], "P14": ["S076", "S108"],
    "P15": ["S073"], "P16": ["S079"], "P17": ["S078"], "P19": ["S022"], "P20": ["S009", "S012"],
    "P21": ["S008"], "P22": ["S013", "S065"], "P24": ["S081"], "P25": ["S082"], "P26": ["S084"], "P27": ["S083"],
}


def fail(msg: str) -> None:
    raise SystemExit(f"build_points: error: {msg}")


def feature(geom, props: dict, name: str) -> dict:
    try:
        return exact_feature(geom, props, name)
    except ValueError as exc:
        fail(str(exc))


def river_utm(out: Path):
    """The river as written by the river step into `out` (the sites and parks must avoid it)."""
    path = out / "river.geojson"
    if not path.exists():
        fail(f"{path} missing: the river step runs first (python3 layers/src/rebuild.py)")
    return shapely.union_all([to_utm(g) for g, _ in read_geojson(path)])


def build_sites(river) -> tuple[list[dict], dict]:
    with open(HERE / "sites.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    seen: set[str] = set()
    feats, pts = [], {}
    for i, r in enumerate(rows, start=2):
        where = f"sites.csv line {i} ({r.get('site_id')})"
        sid = r["site_id"].strip()
        if not sid or sid in seen:
            fail(f"{where}: site_id empty or duplicate")
        seen.add(sid)
        cl = r["cluster"].strip() or None
        for col in ("name", "source", "position_source"):
            if not r[col].strip():
                fail(f"{where}: {col} is empty")
        lat, lon, acc = float(r["lat"]), float(r["lon"]), float(r["accuracy_m"])
        if not (0 < acc <= 20000):
            fail(f"{where}: accuracy_m {acc} implausible")
        p = Point(lon, lat)
        pu = to_utm(p)
        if river.contains(pu):
            fail(f"{where}: site lies in the river polygon (layers/river.geojson)")
        pts[sid] = pu
        props = {
            "site_id": sid, "name": r["name"], "name_ru": r["name_ru"] or None,
            "category": r["category"], "cluster": cl, "priority": r["priority"],
            "status": r["status"], "address": r["address"] or None, "source": r["source"],
            "accuracy_m": acc, "position_source": r["position_source"],
            "note": r["note"] or None,
        }
        assert list(props) == SITE_COLUMNS
        feats.append(feature(p, props, "sites"))
    for a, b, max_m in CLOSE_PAIRS:
        d = pts[a].distance(pts[b])
        print(f"  distance {a}-{b}: {d:7.0f} m (EPSG:32645, must be <= {max_m})")
        if d > max_m:
            fail(f"sites {a} and {b} are {d:.0f} m apart (> {max_m} m): lon/lat slip?")
    return feats, pts


def oval(lat: float, lon: float, length_m: float, width_m: float, bearing_deg: float):
    """A stadium-sized ellipse (32 vertices) built in EPSG:32645, returned in EPSG:4326."""
    cx, cy = pt_utm(lon, lat)
    b = math.radians(bearing_deg)
    pts = []
    for k in range(32):
        t = 2 * math.pi * k / 32
        u, v = (width_m / 2) * math.cos(t), (length_m / 2) * math.sin(t)
        # rotate so that the long axis points along the bearing (clockwise from north)
        x = cx + u * math.cos(b) + v * math.sin(b)
        y = cy - u * math.sin(b) + v * math.cos(b)
        pts.append((x, y))
    return to_wgs(Polygon(pts))


def build_parks(river, site_pts: dict) -> list[dict]:
    seen: set[str] = set()
    feats = []
    for p in PARKS:
        pid = p["park_id"]
        where = f"parks.py {pid}"
        if pid in seen:
            fail(f"{where}: duplicate park_id")
        seen.add(pid)
        if "oval" in p:
            geom = oval(**p["oval"])
        else:
            geom = Polygon(p["coords"])
        if not geom.is_valid:
            fail(f"{where}: invalid polygon: {shapely.is_valid_reason(geom)}")
        gu = to_utm(geom)
        overlap = gu.intersection(river).area
        if overlap > 0:
            fail(f"{where}: overlaps the river polygon by {overlap:.0f} m2")
        for sid in PARK_SITES.get(pid, []):
            if sid not in site_pts:
                fail(f"{where}: reference site {sid} missing from sites.csv")
            if not gu.contains(site_pts[sid]):
                d = gu.distance(site_pts[sid])
                fail(f"{where}: reference site {sid} lies {d:.0f} m outside the park")
        props = {k: p.get(k) for k in PARK_COLUMNS}
        props["accuracy_m"] = float(props["accuracy_m"])
        props["area_ha"] = round(gu.area / 1e4, 1)
        feats.append(feature(geom, props, "parks"))
    return feats


def main(out: Path) -> int:
    """Write sites.geojson and parks.geojson into `out` (after the river step); every park
    type of the catalogue in `out` needs at least one park."""
    from ino_geo import load_catalogue

    park_types = load_catalogue(out)["parks"].columns["park_type"].allowed
    river = river_utm(out)
    site_feats, site_pts = build_sites(river)
    park_feats = build_parks(river, site_pts)
    write_collection(out / "sites.geojson", "sites", site_feats)
    write_collection(out / "parks.geojson", "parks", park_feats)

    print(f"sites: {len(site_feats)}")
    for col in ("category", "cluster", "priority", "status"):
        c = Counter(f["properties"][col] or "(none)" for f in site_feats)
        print(f"  by {col}: " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
    print(f"parks: {len(park_feats)}")
    c = Counter(f["properties"]["park_type"] for f in park_feats)
    print("  by park_type: " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
    missing = set(park_types) - set(c)
    if missing:
        fail(f"park types without any park: {sorted(missing)}")
    return 0
