"""Synthetic inputs for the analysis tests, in a local planar CRS with answers derivable by hand.

Import the fixtures you need into a test module (``from _fixtures_analysis import ...``).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely import LineString, Point, Polygon, box

#: The CRS of the synthetic inputs near x = 0, y = 0: a Transverse Mercator centred there
#: (Tomsk's longitude on the equator), scale exactly 1 at the origin, so that hand-derived
#: distances hold and the analyses' scale-error check (0.1 %) keeps it. (EPSG:32645 near
#: x = 0 lies 500 km west of its central meridian: scale error 0.27 %.)
CRS = "+proj=tmerc +lat_0=0 +lon_0=84.95 +k=1 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs +type=crs"
#: UTM zone 45N: the CRS of the layers built around central Tomsk (X0, Y0) below.
UTM = "EPSG:32645"


def gdf(rows: list[dict], geoms: list, crs: str = CRS) -> gpd.GeoDataFrame:
    """A GeoDataFrame from property dicts and geometries."""
    import pandas as pd

    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=list(geoms), crs=crs)


def diamond(cx: float, cy: float, r: float) -> Polygon:
    """A square turned 45 degrees: its nearest point to a line below it is the bottom vertex."""
    return Polygon([(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)])


@pytest.fixture
def square_parks() -> gpd.GeoDataFrame:
    """Two 100 m sport squares 200 m apart on the x axis, and a medical square 900 m north."""
    return gdf(
        [
            {"park_id": "A", "name": "Park A", "park_type": "sport", "status": "existing"},
            {"park_id": "B", "name": "Park B", "park_type": "sport", "status": "existing"},
            {"park_id": "M", "name": "Clinic", "park_type": "medical", "status": "existing"},
        ],
        [box(0, 0, 100, 100), box(300, 0, 400, 100), box(0, 1000, 100, 1100)],
    )


@pytest.fixture
def known_points() -> gpd.GeoDataFrame:
    """Points at known distances from the square parks.

    in: inside A (A 0, B 250); mid: halfway (A 100, B 100: a tie); far: 300 m north of A
    (A 300, B sqrt(250^2 + 300^2)); M distances: in 950, mid sqrt(100^2+950^2), far 600.
    """
    return gdf(
        [{"site_id": "in", "name": "Inside A"}, {"site_id": "mid", "name": "Between"}, {"site_id": "far", "name": "North"}],
        [Point(50, 50), Point(200, 50), Point(50, 400)],
    )


@pytest.fixture
def strip_population() -> gpd.GeoDataFrame:
    """Four 100 x 100 m cells in a row along x = 0..400, 100 people each."""
    return gdf([{"cell_id": f"c{i}", "population": 100.0} for i in range(4)], [box(100 * i, 0, 100 * (i + 1), 100) for i in range(4)])


@pytest.fixture
def strip_boundaries() -> gpd.GeoDataFrame:
    """A municipality (0..400) and two districts (0..200, 200..400)."""
    return gdf(
        [
            {"boundary_id": "M", "name": "Town", "level": "municipality", "population": 400},
            {"boundary_id": "W", "name": "West", "level": "district", "population": 200},
            {"boundary_id": "E", "name": "East", "level": "district", "population": 200},
        ],
        [box(0, 0, 400, 100), box(0, 0, 200, 100), box(200, 0, 400, 100)],
    )


@pytest.fixture
def triangle_lines() -> gpd.GeoDataFrame:
    """a(0,0) - b(1000,0) - c(1000,1000) at 30 km/h (2000 m, 4 min) and the diagonal a-c at
    15 km/h (1414.2 m, 5.657 min); a rail line (excluded from routing) a-c straight at 100 km/h."""
    return gdf(
        [
            {"corridor_id": "ab", "name": "AB", "mode": "road", "status": "existing", "speed_kmh": 30.0},
            {"corridor_id": "bc", "name": "BC", "mode": "road", "status": "existing", "speed_kmh": 30.0},
            {"corridor_id": "ac", "name": "AC", "mode": "road", "status": "existing", "speed_kmh": 15.0},
            {"corridor_id": "rail", "name": "Rail", "mode": "rail", "status": "existing", "speed_kmh": 100.0},
        ],
        [
            LineString([(0, 0), (1000, 0)]),
            LineString([(1000, 0), (1000, 1000)]),
            LineString([(0, 0), (1000, 1000)]),
            LineString([(0, 0), (500, 500.5), (1000, 1000)]),
        ],
    )


@pytest.fixture
def straight_road() -> gpd.GeoDataFrame:
    """One road along y = 0 from x = 0 to 10 km at 60 km/h (1 km per minute), a vertex at 3000."""
    return gdf(
        [{"corridor_id": "r", "name": "Road", "mode": "road", "status": "existing", "speed_kmh": 60.0}],
        [LineString([(0, 0), (3000, 0), (10000, 0)])],
    )


@pytest.fixture
def scenario_lines() -> gpd.GeoDataFrame:
    """A chain along y = 0: existing 0-1000 (60 km/h), reconstruction 1000-2000 (60, today 30),
    planned 2000-3000 (60), reconstruction 3000-4000 with no current speed (impassable today)."""
    return gdf(
        [
            {"corridor_id": "E1", "name": "E1", "mode": "road", "status": "existing", "speed_kmh": 60.0, "current_speed_kmh": None},
            {"corridor_id": "R1", "name": "R1", "mode": "road", "status": "reconstruction", "speed_kmh": 60.0, "current_speed_kmh": 30.0},
            {"corridor_id": "P1", "name": "P1", "mode": "road", "status": "planned", "speed_kmh": 60.0, "current_speed_kmh": None},
            {"corridor_id": "R2", "name": "R2", "mode": "road", "status": "reconstruction", "speed_kmh": 60.0, "current_speed_kmh": None},
        ],
        [LineString([(0, 0), (1000, 0)]), LineString([(1000, 0), (2000, 0)]), LineString([(2000, 0), (3000, 0)]),
         LineString([(3000, 0), (4000, 0)])],
    )


@pytest.fixture
def river_strip() -> gpd.GeoDataFrame:
    """A river running north-south between x = 400 and x = 600."""
    return gdf([{"name": "Tom"}], [box(400, -5000, 600, 5000)])


def random_graph_lines(seed: int = 0, n: int = 12, spacing: float = 100.0) -> gpd.GeoDataFrame:
    """A jittered n x n grid of roads with random speeds and a few missing links."""
    rng = np.random.default_rng(seed)
    xy = np.stack(np.meshgrid(np.arange(n) * spacing, np.arange(n) * spacing), -1).reshape(-1, 2)
    xy = xy + rng.uniform(-20, 20, xy.shape)
    rows, geoms = [], []
    for i in range(n):
        for j in range(n):
            a = i * n + j
            for b in ([a + 1] if j + 1 < n else []) + ([a + n] if i + 1 < n else []):
                if rng.random() < 0.15:
                    continue
                rows.append({"corridor_id": f"{a}-{b}", "mode": "road", "status": "existing",
                             "speed_kmh": float(rng.choice([20.0, 40.0, 60.0, 90.0]))})
                geoms.append(LineString([xy[a], xy[b]]))
    return gdf(rows, geoms)


# ------------------------------------------------------------------------------------------
_gdf = gdf  # the module's gdf, for analysis_frames' own in UTM


# a layers folder near Tomsk with hand-derivable answers, for the CLI tests

X0, Y0 = 375_000.0, 6_260_000.0  # EPSG:32645, central Tomsk (about 84.95 E, 56.47 N)


def analysis_frames() -> dict[str, gpd.GeoDataFrame]:
    """Every catalogue layer, built in EPSG:32645 around (X0, Y0) and returned in EPSG:4326.

    parks: A (sport) = square 0..100 m; M (medical) = square at y 1000..1100.
    sites: S_in inside A (distance 0); S_far 300 m north of A; S_east across the river.
    corridors: an existing road along y = -200 (x -1000..1800, 60 km/h) with a branch north
    along x = 50 (to y = 1000; vertices on both edges of A), a planned road on across the
    river (x 1800..3000), and a rail line (not routed on).
    river: x 2000..2200. population: 4 cells 100 x 100 along x = 0..400 (y 0..100), 100 each,
    in district W (x < 200) and E (x >= 200) of municipality T.
    """
    src = {"source": "test fixture", "accuracy_m": 1.0}

    def gdf(rows, geoms):
        return _gdf(rows, geoms, crs=UTM)

    def sh(g):
        return shapely.affinity.translate(g, X0, Y0)

    import shapely.affinity

    parks = gdf(
        [
            {"park_id": "A", "name": "Park <A>", "park_type": "sport", "status": "existing", **src},
            {"park_id": "M", "name": "Clinic", "park_type": "medical", "status": "existing", **src},
        ],
        [sh(box(0, 0, 100, 100)), sh(box(0, 1000, 100, 1100))],
    )
    sites = gdf(
        [
            {"site_id": "S_in", "name": "Inside", "category": "social", "cluster": None, "priority": "smart_city",
             "status": "existing", **src},
            {"site_id": "S_far", "name": "North", "category": "industrial", "cluster": "timber",
             "priority": "advanced_industry", "status": "planned", **src},
            {"site_id": "S_east", "name": "East bank", "category": "industrial", "cluster": None,
             "priority": "advanced_industry", "status": "planned", **src},
        ],
        [sh(Point(50, 50)), sh(Point(50, 400)), sh(Point(2400, -150))],
    )
    corridors = gdf(
        [
            {"corridor_id": "R1", "name": "Road", "mode": "road", "status": "existing", "speed_kmh": 60.0,
             "current_speed_kmh": None, "bridge": False, **src},
            {"corridor_id": "R2", "name": "Branch", "mode": "road", "status": "existing", "speed_kmh": 60.0,
             "current_speed_kmh": None, "bridge": False, **src},
            {"corridor_id": "N1", "name": "New bridge", "mode": "road", "status": "planned", "speed_kmh": 60.0,
             "current_speed_kmh": None, "bridge": True, **src},
            {"corridor_id": "RL", "name": "Rail", "mode": "rail", "status": "existing", "speed_kmh": 80.0,
             "current_speed_kmh": None, "bridge": True, **src},
        ],
        [sh(LineString([(-1000, -200), (50, -200), (1800, -200)])), sh(LineString([(50, -200), (50, 0), (50, 50), (50, 100), (50, 1000)])),
         sh(LineString([(1800, -200), (3000, -200)])), sh(LineString([(-1000, -300), (3000, -300)]))],
    )
    river = gdf([{"name": "Tom", **src}], [sh(box(2000, -3000, 2200, 3000))])
    waterfront = gdf([{"name": "Waterfront", **src}], [sh(box(-500, -500, -400, -400))])
    boundaries = gdf(
        [
            {"boundary_id": "T", "name": "Town", "level": "municipality", "parent": None, "population": 400,
             "population_year": 2024, "population_source": "test", **src},
            {"boundary_id": "W", "name": "West", "level": "district", "parent": "T", "population": 200,
             "population_year": 2024, "population_source": "test", **src},
            {"boundary_id": "E", "name": "East", "level": "district", "parent": "T", "population": 200,
             "population_year": 2024, "population_source": "test", **src},
        ],
        [sh(box(0, 0, 400, 100)), sh(box(0, 0, 200, 100)), sh(box(200, 0, 400, 100))],
    )
    population = gdf(
        [{"cell_id": f"c{i}", "population": 100.0, "boundary_id": "W" if i < 2 else "E", "source": "modelled",
          "accuracy_m": 100.0} for i in range(4)],
        [sh(box(100 * i, 0, 100 * (i + 1), 100)) for i in range(4)],
    )
    frames = dict(parks=parks, sites=sites, corridors=corridors, river=river, waterfront=waterfront,
                  boundaries=boundaries, population=population)
    return {k: v.to_crs(4326) for k, v in frames.items()}


@pytest.fixture
def analysis_layers(tmp_path):
    """A layers folder (shipped catalogue + :func:`analysis_frames`)."""
    import shutil

    from ino_geo.data.layers import default_layers_dir

    dst = tmp_path / "alayers"
    dst.mkdir()
    shutil.copy(default_layers_dir() / "catalogue.toml", dst / "catalogue.toml")
    for name, frame in analysis_frames().items():
        frame.to_file(dst / f"{name}.geojson", driver="GeoJSON", engine="pyogrio")
    return dst
