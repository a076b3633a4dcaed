"""Build ``layers/sites.geojson`` and ``layers/parks.geojson`` from their source tables.

Sources
-------
* ``layers/src/sites.csv`` -- one row per project site / organisation with ``lat``/``lon``
  (EPSG:4326), ``accuracy_m``, ``position_source`` and ``source`` (seed file and/or public
  reference).
* ``layers/src/parks.py`` -- the park outlines as (lon, lat) vertex lists, or stadium ovals
  given by centre, size and bearing (built in EPSG:32645).

Checks (the script stops with a message naming the record and field):

* allowed values and column set exactly as in ``layers/catalogue.toml``;
* unique ids, valid closed polygons (after rounding to 6 decimals), coordinates inside a
  plausible Tomsk Oblast box (catches lon/lat slips);
* no site inside, and no park overlapping, the river layer ``layers/river.geojson`` (when it
  exists; it is built by ``layers/src/river.py``);
* the sites a park is drawn for (``PARK_SITES``) lie inside it;
* distances in EPSG:32645 between sites that must be close (institutes on one street).

Run from the repository root::

    python layers/src/build_points.py

It prints the counts per category, cluster and park type, and rewrites both layers.
"""

from __future__ import annotations

import csv
import json
import math
import sys
import tomllib
from collections import Counter
from pathlib import Path

import shapely
from pyproj import Transformer
from shapely.geometry import Point, Polygon, mapping, shape

HERE = Path(__file__).resolve().parent
LAYERS = HERE.parent
sys.path.insert(0, str(HERE))

from parks import PARKS  # noqa: E402

METRIC = "EPSG:32645"
_FWD = Transformer.from_crs("EPSG:4326", METRIC, always_xy=True)
_INV = Transformer.from_crs(METRIC, "EPSG:4326", always_xy=True)

# plausible box (lon, lat) used when the catalogue has no [catalogue] extent
DEFAULT_EXTENT = (83.5, 55.9, 86.8, 57.5)
LON_RANGE = (DEFAULT_EXTENT[0], DEFAULT_EXTENT[2])
LAT_RANGE = (DEFAULT_EXTENT[1], DEFAULT_EXTENT[3])

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


def _apply(tr: Transformer, geom):
    def fn(x, y):
        return tr.transform(x, y)

    return shapely.transform(geom, lambda xy: _stack(fn, xy))


def _stack(fn, xy):
    import numpy as np

    x, y = fn(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def utm(geom):
    """Project a shapely geometry from EPSG:4326 (lon, lat) to EPSG:32645 metres."""
    return _apply(_FWD, geom)


def wgs(geom):
    """Project a shapely geometry from EPSG:32645 back to EPSG:4326 (lon, lat)."""
    return _apply(_INV, geom)


def load_catalogue() -> dict:
    """Read the catalogue; take the plausible coordinate box from its ``extent``."""
    global LON_RANGE, LAT_RANGE
    with open(LAYERS / "catalogue.toml", "rb") as fh:
        cat = tomllib.load(fh)
    ext = cat.get("catalogue", {}).get("extent", DEFAULT_EXTENT)
    LON_RANGE, LAT_RANGE = (ext[0], ext[2]), (ext[1], ext[3])
    return cat


def allowed(cat: dict, layer: str, column: str) -> list:
    return cat["layers"][layer]["columns"][column]["allowed"]


def round_coords(obj, nd=6):
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(v), nd) for v in obj]
        return [round_coords(o, nd) for o in obj]
    return obj


def dedupe_ring(ring):
    out = []
    for c in ring:
        if not out or c != out[-1]:
            out.append(c)
    return out


def feature(geom, props: dict, name: str) -> dict:
    if geom.geom_type == "Polygon":
        geom = shapely.orient_polygons(geom)  # exterior counter-clockwise (RFC 7946)
    gj = {"type": geom.geom_type, "coordinates": round_coords(mapping(geom)["coordinates"])}
    if gj["type"] == "Polygon":
        gj["coordinates"] = [dedupe_ring(r) for r in gj["coordinates"]]
        check = shape(gj)
        if not check.is_valid:
            fail(f"{name}: {props.get('park_id')}: geometry invalid after rounding: "
                 f"{shapely.is_valid_reason(check)}")
        for ring in gj["coordinates"]:
            if ring[0] != ring[-1] or len(ring) < 4:
                fail(f"{name}: {props.get('park_id')}: ring not closed")
    return {"type": "Feature", "properties": props, "geometry": gj}


def write(path: Path, name: str, feats: list[dict]) -> None:
    fc = {"type": "FeatureCollection", "name": name, "features": feats}
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(fc, ensure_ascii=False, separators=(",", ":")) + "\n",
                   encoding="utf-8")
    tmp.replace(path)


def river_utm():
    path = LAYERS / "river.geojson"
    if not path.exists():
        print("build_points: note: layers/river.geojson missing; river checks skipped",
              file=sys.stderr)
        return None
    fc = json.loads(path.read_text(encoding="utf-8"))
    return shapely.union_all([utm(shape(f["geometry"])) for f in fc["features"]])


def build_sites(cat: dict, river) -> tuple[list[dict], dict]:
    rows = list(csv.DictReader(open(HERE / "sites.csv", encoding="utf-8", newline="")))
    cats = allowed(cat, "sites", "category")
    clusters = allowed(cat, "sites", "cluster")
    prios = allowed(cat, "sites", "priority")
    stats = allowed(cat, "sites", "status")
    seen: set[str] = set()
    feats, pts = [], {}
    for i, r in enumerate(rows, start=2):
        where = f"sites.csv line {i} ({r.get('site_id')})"
        sid = r["site_id"].strip()
        if not sid or sid in seen:
            fail(f"{where}: site_id empty or duplicate")
        seen.add(sid)
        for col, ok in (("category", cats), ("priority", prios), ("status", stats)):
            if r[col] not in ok:
                fail(f"{where}: {col} {r[col]!r} not in {ok}")
        cl = r["cluster"].strip() or None
        if cl is not None and cl not in clusters:
            fail(f"{where}: cluster {cl!r} not in {clusters}")
        for col in ("name", "source", "position_source"):
            if not r[col].strip():
                fail(f"{where}: {col} is empty")
        lat, lon, acc = float(r["lat"]), float(r["lon"]), float(r["accuracy_m"])
        if not (LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]):
            fail(f"{where}: lat/lon {lat}, {lon} outside the catalogue extent (lon/lat swapped?)")
        if not (0 < acc <= 20000):
            fail(f"{where}: accuracy_m {acc} implausible")
        p = Point(lon, lat)
        pu = utm(p)
        if river is not None and river.contains(pu):
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
    cx, cy = _FWD.transform(lon, lat)
    b = math.radians(bearing_deg)
    pts = []
    for k in range(32):
        t = 2 * math.pi * k / 32
        u, v = (width_m / 2) * math.cos(t), (length_m / 2) * math.sin(t)
        # rotate so that the long axis points along the bearing (clockwise from north)
        x = cx + u * math.cos(b) + v * math.sin(b)
        y = cy - u * math.sin(b) + v * math.cos(b)
        pts.append((x, y))
    return wgs(Polygon(pts))


def build_parks(cat: dict, river, site_pts: dict) -> list[dict]:
    types = allowed(cat, "parks", "park_type")
    stats = allowed(cat, "parks", "status")
    seen: set[str] = set()
    feats = []
    for p in PARKS:
        pid = p["park_id"]
        where = f"parks.py {pid}"
        if pid in seen:
            fail(f"{where}: duplicate park_id")
        seen.add(pid)
        if p["park_type"] not in types:
            fail(f"{where}: park_type {p['park_type']!r} not in {types}")
        if p["status"] not in stats:
            fail(f"{where}: status {p['status']!r} not in {stats}")
        if "oval" in p:
            geom = oval(**p["oval"])
        else:
            geom = Polygon(p["coords"])
        for lon, lat in geom.exterior.coords:
            if not (LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]):
                fail(f"{where}: vertex {lon}, {lat} outside the catalogue extent (lon/lat swapped?)")
        if not geom.is_valid:
            fail(f"{where}: invalid polygon: {shapely.is_valid_reason(geom)}")
        gu = utm(geom)
        if river is not None:
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


def main() -> None:
    cat = load_catalogue()
    river = river_utm()
    site_feats, site_pts = build_sites(cat, river)
    park_feats = build_parks(cat, river, site_pts)
    write(LAYERS / "sites.geojson", "sites", site_feats)
    write(LAYERS / "parks.geojson", "parks", park_feats)

    print(f"sites: {len(site_feats)}")
    for col in ("category", "cluster", "priority", "status"):
        c = Counter(f["properties"][col] or "(none)" for f in site_feats)
        print(f"  by {col}: " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
    print(f"parks: {len(park_feats)}")
    c = Counter(f["properties"]["park_type"] for f in park_feats)
    print("  by park_type: " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
    missing = set(allowed(cat, "parks", "park_type")) - set(c)
    if missing:
        fail(f"park types without any park: {sorted(missing)}")


if __name__ == "__main__":
    main()
