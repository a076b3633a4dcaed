"""Synthetic layers for the map tests, built in EPSG:32645 with hand-countable answers.

Around a point O near central Tomsk (UTM 45N x=375000, y=6261000):

- waterfront: the square [0, 1000] x [0, 1000] m from O;
- river: a 200 m wide strip x in [-400, -200], y in [-5000, 5000];
- parks: one per type; P1-P5 lie within 3 km of the waterfront (P1 innovation at 1500 m east
  of it, ...), P6 (sport) is 10 km away; P2 is named with an HTML/JS payload;
- sites: 10 points; S1-S6 within 3 km of the waterfront, S7-S10 further; S3 named with a
  <script> payload; clusters: 3 petrochemical, 2 nuclear, 1 timber, 4 without cluster;
- corridors: 4 lines - existing road, planned bridge road, existing rail, and the
  "Kamayevka–Asino road" (planned);
- boundaries: 2 municipalities and 1 district; population: 3 x 3 cells of 1 km.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
from shapely import LineString, Point, box

X0, Y0 = 375_000.0, 6_261_000.0
METRIC = "EPSG:32645"

XSS_PARK = "<img src=x onerror=window.__pwned=1>"
XSS_SITE = "<script>window.__pwned2=1</script>"

PARK_TYPES = ["innovation", "research_education", "historical_cultural", "medical", "industrial", "sport"]


def _sq(x, y, d):
    return box(X0 + x, Y0 + y, X0 + x + d, Y0 + y + d)


def _pt(x, y):
    return Point(X0 + x, Y0 + y)


def _ln(*xy):
    return LineString([(X0 + x, Y0 + y) for x, y in xy])


def synthetic_layers(n_extra_cells: int = 0) -> dict[str, gpd.GeoDataFrame]:
    """The layers as GeoDataFrames in EPSG:4326 (the storage CRS)."""
    src = {"source": "test fixture", "accuracy_m": 1.0}
    # parks: offsets of the lower-left corner from O, side 200 m
    park_pos = [(2500, 0), (0, 2500), (-1500, -1500), (1000, 3500), (3800, 400), (10_000, 10_000)]
    parks = gpd.GeoDataFrame(
        [dict(park_id=f"P{i + 1}", name=(XSS_PARK if i == 1 else f"Park {i + 1}"), park_type=t, status="existing",
              description=None, **src) for i, t in enumerate(PARK_TYPES)],
        geometry=[_sq(x, y, 200) for x, y in park_pos], crs=METRIC,
    )
    site_pos = [(1200, 500), (500, 1500), (-800, 500), (500, -900), (2900, 1000), (1500, 1500),  # within 3 km
                (6000, 0), (0, -6000), (-8000, 2000), (9000, 9000)]
    clusters = ["petrochemical", "petrochemical", "petrochemical", "nuclear", "nuclear", "timber", None, None, None, None]
    sites = gpd.GeoDataFrame(
        [dict(site_id=f"S{i + 1}", name=(XSS_SITE if i == 2 else f"Site {i + 1}"), category="industrial",
              cluster=c, priority="advanced_industry", status="existing", address=None, **src)
         for i, c in enumerate(clusters)],
        geometry=[_pt(x, y) for x, y in site_pos], crs=METRIC,
    )
    corridors = gpd.GeoDataFrame(
        [
            dict(corridor_id="C1", name="Main road", mode="road", status="existing", speed_kmh=60.0,
                 current_speed_kmh=None, bridge=False, **src),
            dict(corridor_id="C2", name="New bridge", mode="road", status="planned", speed_kmh=60.0,
                 current_speed_kmh=None, bridge=True, **src),
            dict(corridor_id="C3", name="Railway", mode="rail", status="existing", speed_kmh=80.0,
                 current_speed_kmh=None, bridge=False, **src),
            dict(corridor_id="C4", name="Kamayevka–Asino road", mode="road", status="planned", speed_kmh=90.0,
                 current_speed_kmh=None, bridge=False, **src),
        ],
        geometry=[_ln((-3000, 500), (0, 500), (5000, 500)), _ln((-1000, 2000), (500, 2000)),
                  _ln((-3000, -3000), (8000, 4000)), _ln((2000, 5000), (9000, 12000))],
        crs=METRIC,
    )
    river = gpd.GeoDataFrame([dict(name="Tom", **src)], geometry=[box(X0 - 400, Y0 - 5000, X0 - 200, Y0 + 5000)], crs=METRIC)
    waterfront = gpd.GeoDataFrame([dict(name="Tomsk waterfront", **src)], geometry=[_sq(0, 0, 1000)], crs=METRIC)
    boundaries = gpd.GeoDataFrame(
        [
            dict(boundary_id="B1", name="City", level="municipality", parent=None, population=9000,
                 population_year=2021, population_source="test", **src),
            dict(boundary_id="B2", name="County", level="municipality", parent=None, population=500,
                 population_year=2021, population_source="test", **src),
            dict(boundary_id="B1a", name="District A", level="district", parent="B1", population=4000,
                 population_year=2021, population_source="test", **src),
        ],
        geometry=[_sq(-1000, -1000, 3000), _sq(2000, -1000, 12_000), _sq(-1000, -1000, 1500)],
        crs=METRIC,
    )
    cells = [(i, j) for j in range(3) for i in range(3)]
    population = gpd.GeoDataFrame(
        [dict(cell_id=f"c{i}{j}", population=1000.0, boundary_id="B1", source="modelled", accuracy_m=500.0)
         for i, j in cells],
        geometry=[_sq(-1000 + 1000 * i, -1000 + 1000 * j, 1000) for i, j in cells], crs=METRIC,
    )
    out = dict(parks=parks, sites=sites, corridors=corridors, river=river, waterfront=waterfront,
               boundaries=boundaries, population=population)
    return {k: v.to_crs("EPSG:4326") for k, v in out.items()}


def write_layers(folder: Path, catalogue: Path) -> Path:
    """Write the synthetic layers as GeoJSON with `catalogue` into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(catalogue, folder / "catalogue.toml")
    for name, gdf in synthetic_layers().items():
        fc = json.loads(gdf.to_json(drop_id=True, na="null"))
        (folder / f"{name}.geojson").write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    return folder


def grid(n_side: int, cell_m: float = 100.0, vertices: int = 12) -> gpd.GeoDataFrame:
    """n_side**2 polygons (circles with `vertices` points... approximated squares with noise)."""
    import numpy as np
    import shapely

    rng = np.random.default_rng(0)
    geoms, rows = [], []
    for i in range(n_side):
        for j in range(n_side):
            cx, cy = X0 + i * cell_m, Y0 + j * cell_m
            ang = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
            r = cell_m * 0.45 * (1 + 0.05 * rng.standard_normal(vertices))
            geoms.append(shapely.Polygon(np.c_[cx + r * np.cos(ang), cy + r * np.sin(ang)]))
            rows.append(dict(cell_id=f"c{i}_{j}", population=float(rng.integers(0, 500)), boundary_id="B1",
                             source="modelled", accuracy_m=50.0))
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=METRIC).to_crs("EPSG:4326")
