"""The shipped Tomsk layers: complete, consistent with each other and with public references.

Reference coordinates (independent of the layer build scripts):
  Tomsk State University main building  56.4694 N 84.9475 E   en.wikipedia "Tomsk State University"
  Tomsk (city)                          56.4833 N 84.95 E     en.wikipedia "Tomsk" (56°29′N 84°57′E)
  Seversk (city)                        56.6 N 84.8833 E      ru.wikipedia "Северск" (56°36′N 84°53′E)
  Asino (town)                          56.9833 N 86.15 E     ru.wikipedia "Асино" (57°00′N 86°09′E, rounded)
  Naumovka (Tomsky district)            56.7603 N 85.105 E    ru.wikipedia "Наумовка (Томская область)"
  Kommunalny bridge over the Tom        56.4525 N 84.9328 E   ru.wikipedia "Коммунальный мост (Томск)"
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely import Point

import ino_geo

SEEDS = ("seed:000_", "seed:001_", "seed:002_", "seed:003_", "seed:004_")
PARK_TYPES = {"industrial", "innovation", "research_education", "historical_cultural", "medical", "sport"}


@pytest.fixture(scope="module")
def L():
    return ino_geo.load_layers()


@pytest.fixture(scope="module")
def M(L):
    return {k: v.to_crs("EPSG:32645") for k, v in L.items()}


def pt(lon, lat):
    return gpd.GeoSeries([Point(lon, lat)], crs="EPSG:4326").to_crs("EPSG:32645").iloc[0]


def test_all_layers_in_4326_with_source_and_accuracy(L):
    assert set(L) == {"parks", "sites", "corridors", "river", "waterfront", "boundaries", "population", "places"}
    for name, gdf in L.items():
        assert gdf.crs.to_epsg() == 4326, name
        assert gdf["source"].str.strip().astype(bool).all(), name
        assert (gdf["accuracy_m"] >= 0).all(), name
    assert (L.population.source == "modelled").all()


def test_six_park_types_each_with_several_places(L):
    counts = L.parks.park_type.value_counts()
    assert set(counts.index) == PARK_TYPES
    assert counts.min() >= 3


def test_at_least_100_sites_everything_the_seeds_name(L):
    s = L.sites
    assert len(s) >= 100
    names = " ".join(s.name)
    for named in ("waterfront", "Kamayevka", "Asino timber", "SEZ Tomsk", "National Research Medical Center",
                  "Cardiology", "Mental Health", "Medical Genetics", "Obstetrics", "Goldberg",
                  "Artlife", "Elecard", "Micran", "Elesy", "Solagift",
                  "Tomsk State University", "Tomsk Polytechnic", "TUSUR", "Siberian State Medical",
                  "Pedagogical", "Architecture and Building"):
        assert named in names, named
    assert s.source.str.contains("|".join(SEEDS)).sum() >= 20
    assert set(s.cluster.dropna()) >= {"petrochemical", "nuclear", "timber", "pharmaceutical", "medical_equipment_it"}


def test_university_main_building_at_its_reference(L, M):
    tsu = M["sites"][L.sites.name.str.startswith("Tomsk State University (TSU)")]
    assert len(tsu) == 1
    assert tsu.geometry.iloc[0].distance(pt(84.9475, 56.4694)) < 100


def test_settlements_lie_in_their_boundaries(L, M):
    b = M["boundaries"].set_index("boundary_id").geometry
    assert b["tomsk"].contains(pt(84.95, 56.4833))
    assert b["tomsk"].contains(pt(84.9475, 56.4694))
    assert b["seversk"].contains(pt(84.8833, 56.6))
    assert b["asinovsky-rayon"].contains(pt(86.15, 56.9833))
    assert b["tomsky-rayon"].contains(pt(85.105, 56.7603))


def test_municipalities_do_not_overlap_and_districts_tile_the_city(M):
    b = M["boundaries"]
    mun = b[b.level == "municipality"]
    for i in range(len(mun)):
        for j in range(i + 1, len(mun)):
            assert mun.geometry.iloc[i].intersection(mun.geometry.iloc[j]).area < 1e4  # < 1 ha of rounding
    city = b.set_index("boundary_id").geometry["tomsk"]
    districts = b[b.parent == "tomsk"]
    assert len(districts) == 4
    assert abs(districts.area.sum() - city.area) / city.area < 1e-3
    assert districts.union_all().symmetric_difference(city).area / city.area < 1e-3


def test_population_grid_adds_up_to_each_boundary(L):
    b = L.boundaries.set_index("boundary_id")
    sums = L.population.groupby("boundary_id").population.sum()
    finest = b[~b.index.isin(b.parent.dropna())]  # city districts + municipalities without districts
    assert set(sums.index) == set(finest.index)
    for bid, total in sums.items():
        assert total == pytest.approx(b.population[bid], abs=0.5), bid
    city = sums[b.index[b.parent == "tomsk"]].sum()
    assert city == pytest.approx(b.population["tomsk"], abs=1)


def test_river_course_through_tomsk(M):
    river = M["river"].union_all()
    assert river.contains(pt(84.9328, 56.4525))           # under the Kommunalny bridge
    assert 500 < pt(84.9475, 56.4694).distance(river) < 2000  # TSU: on the right bank, ~1 km from the water


def test_nothing_on_land_lies_in_the_river(L, M):
    river = M["river"].union_all()
    assert not M["sites"].intersects(river).any()
    assert (M["parks"].intersection(river).area < 1).all()
    assert (M["waterfront"].intersection(river).area < 100).all()


def test_roads_cross_the_river_only_on_bridges(M):
    river = M["river"].union_all()
    c = M["corridors"]
    crossing = c[c.intersects(river)]
    assert len(crossing) >= 2
    assert crossing.bridge.fillna(False).astype(bool).all(), crossing.corridor_id.tolist()


def test_kamayevka_asino_road_is_a_reconstruction_with_both_speeds(L):
    c = L.corridors
    road = c[c.name.str.contains("Kamayevka") & c.name.str.contains("Asino")]
    assert len(road) == 1
    r = road.iloc[0]
    assert r.status == "reconstruction" and r.speed_kmh > r.current_speed_kmh > 0
    assert "seed:001_" in r.source or "seed:002_" in r.source or "seed:003_" in r.source


def test_road_network_is_connected(L):
    import ino_geo.network.graph as net

    roads = L.corridors[L.corridors["mode"] == "road"]
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    g = net.build_network(roads.to_crs("EPSG:32645"))
    adj = coo_matrix((np.ones(g.n_edges), (g.edge_u, g.edge_v)), shape=(g.n_nodes, g.n_nodes))
    n, _ = connected_components(adj, directed=False)
    assert n == 1


def test_every_position_states_how_it_was_obtained(L):
    s = L.sites
    assert s.position_source.str.strip().astype(bool).all()
    assert np.isfinite(s.accuracy_m).all()


# ------------------------------------------------------------------------------- places
# Independent references (not read from the build script): ru.wikipedia infobox coordinates.
PLACE_REFS = {  # place_id: (lon, lat, municipality)
    "tomsk": (84.95, 56.4833, "tomsk"),
    "seversk": (84.8833, 56.6, "seversk"),
    "asino": (86.15, 56.9833, "asinovsky-rayon"),
    "naumovka": (85.105, 56.7603, "tomsky-rayon"),
}


def test_places_lie_inside_their_municipalities(L, M):
    b = M["boundaries"].set_index("boundary_id").geometry
    places = M["places"]
    assert len(places) >= 15
    assert set(places.municipality) <= set(b.index)
    for pid, g, mun in zip(L.places.place_id, places.geometry, places.municipality):
        assert b[mun].contains(g), pid
        others = [k for k in b.index if k != mun and b[k].contains(g)]
        # a place may also lie in a district of its city, never in another municipality
        assert all(L.boundaries.set_index("boundary_id").parent.get(k) == mun for k in others), (pid, others)


def test_places_at_their_references_and_names_unique(L, M):
    p = L.places.set_index("place_id")
    assert p.index.is_unique and p.name.is_unique and p.name_ru.is_unique
    for named in ("Tomsk", "Seversk", "Asino", "Samus", "Kislovka", "Timiryazevskoye", "Kolarovo",
                  "Moryakovsky Zaton", "Naumovka", "Svetly", "Bogashevo", "Loskutovo"):
        assert named in set(p.name), named
    assert p.name_ru.str.contains("[а-яё]", regex=True).all()
    mp = M["places"].set_index(L.places.place_id).geometry
    for pid, (lon, lat, mun) in PLACE_REFS.items():
        assert p.municipality[pid] == mun
        # within the stated accuracy plus the rounding of the reference (1 arc-minute ~ 1.9 km)
        assert mp[pid].distance(pt(lon, lat)) <= p.accuracy_m[pid] + 1900, pid


def test_place_populations_have_year_and_source_and_fit_their_boundary(L):
    p = L.places.set_index("place_id")
    has = p.population.notna()
    assert (has == p.population_year.notna()).all()
    assert p.population_source[has].str.strip().astype(bool).all()
    assert p.population_year[has].between(2000, 2021).all()
    assert (p.accuracy_m >= 300).all()  # settlement centres, not addresses
    b = L.boundaries.set_index("boundary_id").population
    # the main town holds most of its municipality, never more than all of it
    assert 0.9 * b["tomsk"] < p.population["tomsk"] <= b["tomsk"]
    assert 0.9 * b["seversk"] < p.population["seversk"] <= b["seversk"]
    assert 0.6 * b["asinovsky-rayon"] < p.population["asino"] <= b["asinovsky-rayon"]
    # places of one municipality never add up to more than it (same census)
    census = p[has & (p.population_year == 2021)]
    for mun, total in census.groupby("municipality").population.sum().items():
        assert total <= b[mun], mun


def test_tomsk_boundary_population_is_the_okrug_its_polygon_draws(L):
    """The polygon includes the villages subordinate to the city, so the figure must too."""
    b = L.boundaries.set_index("boundary_id")
    assert b.population["tomsk"] == 577253
    p = L.places.set_index("place_id")
    in_okrug = p[(p.municipality == "tomsk") & (p.population_year == 2021)].population.sum()
    assert in_okrug <= b.population["tomsk"]
    assert in_okrug > 556478  # the city proper alone would not hold its own villages


def test_places_is_optional_for_older_folders(tmp_path):
    """A layers folder made before the places layer (no places.geojson) still loads."""
    import shutil

    from ino_geo.data.layers import default_layers_dir

    src = default_layers_dir()
    for name in ("catalogue.toml", "parks.geojson", "sites.geojson", "corridors.geojson", "river.geojson",
                 "waterfront.geojson", "boundaries.geojson", "population.geojson"):
        shutil.copy(src / name, tmp_path / name)
    lay = ino_geo.load_layers(tmp_path)
    assert "places" not in lay and "parks" in lay
    (tmp_path / "sites.geojson").unlink()  # a layer that is not optional is still required
    with pytest.raises(ino_geo.ValidationError, match="sites.geojson.*missing"):
        ino_geo.load_layers(tmp_path)
