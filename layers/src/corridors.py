"""Build ``layers/corridors.geojson``: main roads, bridges over the Tom, railways, planned links.

Every line is a list of vertices. Junctions are named nodes in ``NODES`` and are referenced by
name, so lines that meet share *exactly* the same coordinate: the routable graph of
``ino_geo`` is built from shared vertices and line ends. Roads and railways deliberately do
not share vertices (a car cannot turn onto a railway), so the layer has one road component
and one rail component.

Positions are (lon, lat) in EPSG:4326, reconstructed from the public references quoted per
line (Russian Wikipedia / towiki.ru descriptions of the roads, coordinates of the villages
they pass, the bridges' coordinates). Where only the end points and a few villages are
known, the line is a generalised alignment and its ``accuracy_m`` says so (up to 3 km for
rural roads whose exact course could not be checked). City streets are accurate to a few
hundred metres.

Speeds (``speed_kmh``) are typical travel speeds, not legal limits: 35-40 km/h on city
arterials, 50 km/h on the city bridges, 70-80 km/h on regional roads, 60 km/h average on the
railway. ``current_speed_kmh`` is given only for the road under reconstruction.

A step of ``python3 layers/src/rebuild.py``: writes the layer and runs the checks
(connectivity, river crossings only at bridges).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from common import line_utm, to_wgs, write_geojson
from river import river_utm

__all__ = ["NODES", "CORRIDORS", "build", "check", "main"]

SEED001 = "seed:001_f8bb5fa29d4484f7.txt"
SEED000 = "seed:000_d6bba7ff496c3260.txt"

# --------------------------------------------------------------------------------------
# Named junction nodes (lon, lat)
NODES: dict[str, tuple[float, float]] = {
    # Kommunalny (Southern) bridge: centre 56.4525 N 84.9328 E (ru.wikipedia); 640 m bridge
    # plus two-level interchanges on both banks.
    "KB_L": (84.9262, 56.4497),   # left-bank interchange (traffic police post)
    "KB_R": (84.9400, 56.4555),   # right-bank interchange (Nakhimova / Moskovsky trakt)
    # Lenin Avenue, the N-S main street of Tomsk (Lagerny Sad - TPU - TSU - Lenin Square)
    "LA0": (84.9580, 56.4500),    # south end at Lagerny Sad
    "LA1": (84.9530, 56.4590),    # Nakhimova street (approach to the Kommunalny bridge)
    "KIROV_J": (84.9502, 56.4650),  # Kirov Avenue
    "MT_J": (84.9493, 56.4716),   # Moskovsky trakt starts at SibSMU (Lenin Ave 38)
    "FRUNZE_J": (84.9497, 56.4760),  # Frunze Avenue
    "LENSQ": (84.9490, 56.4880),  # Lenin Square, bridge over the Ushaika
    "MIRA": (84.9550, 56.5130),   # Mira Avenue area (exit of the planned third bridge)
    "LA9": (84.9570, 56.5210),    # north end, Cheremoshniki
    "YUZH": (84.9700, 56.4470),   # Yuzhnaya square: start of the Bogashevsky trakt
    "TOMSK1": (84.9895, 56.4605),  # Tomsk-I station square (station 56.4603 N 84.9914 E)
    "FRUNZE_E": (84.9930, 56.4715),  # Frunze Ave becomes Irkutsky trakt
    "IRK3": (85.0260, 56.5040),   # Irkutsky trakt: Samussky trakt branches north
    "IRK_E": (85.0600, 56.5200),  # city limit on Irkutsky trakt
    "KAMAEVKA": (85.5800, 56.5500),  # Kamayevka: Asino road leaves R-400 (approximate)
    "ASINO": (86.1500, 56.9950),  # Asino town (57°00' N 86°09' E)
    "AIRPORT": (85.2083, 56.3803),  # Bogashevo airport
    "NB_J": (84.9250, 56.5700),   # Tomsk-Seversk road / Northern bridge junction
    "NB_L": (84.8930, 56.5610),   # Northern bridge, left-bank end
    "KUZ_J": (84.9880, 56.5800),  # Kuzovlevo interchange: 69K-4 x Samussky (Neftekhimovskaya) trakt
    "SVETLY": (85.1150, 56.5700),  # Svetly (Oktyabrsky district), east end of 69K-4
    "SEV_C": (84.8819, 56.6027),  # Seversk centre, Kommunistichesky prospekt
    "SAMUS": (84.7160, 56.7480),  # Samus (56°45' N 84°42' E)
    "TOY": (84.9140, 56.4900),    # Shegarsky trakt crosses lake Toyanovo (56.4903, 84.9139)
    "SHG2": (84.9050, 56.4990),   # Shegarsky trakt north of the lake (start of left-bank road)
    "SHEG_J": (84.8200, 56.5320),  # Shegarsky trakt / road 69K-4 from the Northern bridge
    "TIM": (84.8890, 56.4790),    # Timiryazevskoye (56°28'45" N 84°53'20" E)
    "NSKLAD": (84.9000, 56.5250),  # Nizhny Sklad (left bank, next to Eushta 56.5289 84.8922)
    "TB_L": (84.9080, 56.5232),   # planned third bridge, left end
    "TB_R": (84.9350, 56.5165),   # planned third bridge, right end (former pencil factory)
    # railway
    "R_TOMSK1": (84.9914, 56.4603),  # Tomsk-I station (ru.wikipedia)
    "R_TOMSK2": (84.9880, 56.5040),  # Tomsk-II station (approximate)
    "R_TAIGA": (85.6200, 56.0630),   # Taiga junction on the Trans-Siberian (approximate)
    "R_ASINO": (86.1450, 56.9900),   # Asino station (approximate)
}

N = NODES

# --------------------------------------------------------------------------------------
# Corridor records. "verts" mixes node names and raw (lon, lat) vertices.
CORRIDORS: list[dict] = [
    # ---------------------------------------------------------------- bridges over the Tom
    dict(corridor_id="road-kommunalny-bridge", name="Kommunalny (Southern) bridge over the Tom",
         mode="road", status="existing", speed_kmh=50.0, bridge=True, accuracy_m=150.0,
         source="ru.wikipedia 'Коммунальный мост (Томск)': 56°27′09″ N 84°55′58″ E, 640 m, 1973",
         verts=["KB_L", "KB_R"]),
    dict(corridor_id="road-northern-bridge",
         name="Northern (Seversk) bridge over the Tom, road 69K-4",
         mode="road", status="existing", speed_kmh=70.0, bridge=True, accuracy_m=500.0,
         source=("towiki.ru 'Северный Коммунальный мост через реку Томь' (800.7 m, 1999, between "
                 "Tomsk and ZATO Seversk, just upstream of the Bolshaya Kirgizka mouth "
                 "56.5711 N 84.9117 E); obzor.city 04.12.2025 (repair)"),
         verts=["NB_J", (84.9160, 56.5680), "NB_L"]),
    dict(corridor_id="road-third-bridge-planned",
         name="Third bridge over the Tom (Nizhny Sklad - Cheremoshniki), planned",
         mode="road", status="planned", speed_kmh=60.0, bridge=True, accuracy_m=700.0,
         source=("obzor.city 10.12.2025 and TASS 10.12.2025 (feasibility study approved by "
                 "Glavgosexpertiza, 63 bn RUB, 'in the Cheremoshniki area'); tomsk.gov.ru via "
                 "obzor.city: 1359 m, 4 lanes, from the Levoberezhnaya road at Nizhny Sklad to "
                 "the former pencil factory, exit via Mira Avenue"),
         verts=["TB_L", "TB_R"]),
    # ------------------------------------------------------------------ Tomsk city streets
    dict(corridor_id="road-lenin-ave", name="Lenin Avenue (Tomsk main street)",
         mode="road", status="existing", speed_kmh=35.0, bridge=False, accuracy_m=250.0,
         source=("Tomsk city plan; TSU main building 56.4694 N 84.9475 E, Lenin Square at the "
                 "Ushaika mouth (ru.wikipedia)"),
         verts=["LA0", "LA1", "KIROV_J", (84.9497, 56.4700), "MT_J", "FRUNZE_J", (84.9493, 56.4820),
                "LENSQ", (84.9500, 56.4960), (84.9525, 56.5050), "MIRA", "LA9"]),
    dict(corridor_id="road-kommunalny-approach",
         name="Kommunalny bridge approach (Nakhimova street) to Lenin Avenue",
         mode="road", status="existing", speed_kmh=40.0, bridge=False, accuracy_m=300.0,
         source="vtomske.ru 26.12.2022 (bridge approaches: Nakhimova, Lenin Ave, Moskovsky trakt)",
         verts=["KB_R", (84.9470, 56.4575), "LA1"]),
    dict(corridor_id="road-moskovsky-trakt",
         name="Moskovsky trakt (Lenin Ave at SibSMU - Zaistochye - Lenin Square)",
         mode="road", status="existing", speed_kmh=35.0, bridge=False, accuracy_m=400.0,
         source=("SibSMU main building 'Moskovsky trakt 2 / Lenin Ave 38' and TSU building 4 "
                 "'Moskovsky trakt 2e' (addresses, see sites layer); ru.wikipedia "
                 "'Административное деление Томска' (Zaistochye along Moskovsky trakt)"),
         verts=["MT_J", (84.9440, 56.4730), (84.9420, 56.4780), (84.9460, 56.4835), "LENSQ"]),
    dict(corridor_id="road-right-bank-lowland",
         name="Right-bank lowland link: Kommunalny bridge - Moskovsky trakt (generalised)",
         mode="road", status="existing", speed_kmh=40.0, bridge=False, accuracy_m=600.0,
         source=("towiki.ru 'Северный парк' (dam street 'Dambovaya' on the right bank opposite "
                 "56°28′01″ N 84°54′09″ E); vtomske.ru 26.12.2022 (bridge approaches); course "
                 "generalised"),
         verts=["KB_R", (84.9385, 56.4620), (84.9395, 56.4690), (84.9440, 56.4730)]),
    dict(corridor_id="road-kirov-ave", name="Kirov Avenue (Lenin Ave - Tomsk-I station)",
         mode="road", status="existing", speed_kmh=35.0, bridge=False, accuracy_m=250.0,
         source="towiki.ru 'Томск-I' (station at the end of Kirov Ave, 56.4603 N 84.9914 E)",
         verts=["KIROV_J", (84.9600, 56.4640), (84.9750, 56.4625), "TOMSK1"]),
    dict(corridor_id="road-frunze-ave", name="Frunze Avenue",
         mode="road", status="existing", speed_kmh=35.0, bridge=False, accuracy_m=400.0,
         source="Tomsk city plan (generalised)",
         verts=["FRUNZE_J", (84.9600, 56.4745), (84.9700, 56.4730), (84.9800, 56.4720),
                "FRUNZE_E"]),
    dict(corridor_id="road-irkutsky-trakt", name="Irkutsky trakt (city section, R-400)",
         mode="road", status="existing", speed_kmh=45.0, bridge=False, accuracy_m=500.0,
         source="towiki.ru 'Кладбище села Воронино' (R-400 'Irkutsky trakt' = Tomsk - Asino road)",
         verts=["FRUNZE_E", (85.0000, 56.4790), (85.0080, 56.4870), (85.0160, 56.4950), "IRK3",
                (85.0400, 56.5130), "IRK_E"]),
    dict(corridor_id="road-tomsk-yurga", name="Tomsk - Yurga road (link to R-255 'Sibir')",
         mode="road", status="existing", speed_kmh=80.0, bridge=False, accuracy_m=1500.0,
         source=("vtomske.ru 26.12.2022 (Chernaya Rechka - bridge); ru.wikipedia 'Тахтамышево' "
                 "(on the Yurga - Tomsk branch, 56°22′47″ N 84°52′40″ E); Chernaya Rechka "
                 "56°24′01″ N 84°54′18″ E; course south of Takhtamyshevo generalised"),
         verts=["KB_L", (84.9200, 56.4420), (84.9120, 56.4300), (84.9060, 56.4150),
                (84.9020, 56.4020), (84.8900, 56.3900), (84.8778, 56.3797), (84.8700, 56.3500),
                (84.8650, 56.3100), (84.8600, 56.2700), (84.8550, 56.2200), (84.8500, 56.1700),
                (84.8450, 56.1200), (84.8400, 56.0700)]),
    dict(corridor_id="road-shegarsky-trakt",
         name="Shegarsky trakt (Kommunalny bridge - Zorkaltsevo - Melnikovo)",
         mode="road", status="existing", speed_kmh=70.0, bridge=False, accuracy_m=1000.0,
         source=("ru.wikipedia 'Тояново' (Shegarsky trakt crosses lake Toyanovo, 56°29′25″ N "
                 "84°54′50″ E); 'Зоркальцево' (south of the Shegarsky trakt, 56°31′29″ N "
                 "84°44′26″ E); Dzerzhinskoye 56°31′06″ N 84°50′13″ E"),
         verts=["KB_L", (84.9230, 56.4600), (84.9180, 56.4750), "TOY", "SHG2",
                (84.8800, 56.5100), (84.8500, 56.5220), "SHEG_J", (84.7800, 56.5400),
                (84.7400, 56.5420), (84.6800, 56.5500), (84.6000, 56.5650)]),
    dict(corridor_id="road-timiryazevskoye", name="Timiryazevskoye access road",
         mode="road", status="existing", speed_kmh=40.0, bridge=False, accuracy_m=600.0,
         source="ru.wikipedia 'Тимирязевское' (56°28′45″ N 84°53′20″ E, west shore of Toyanovo)",
         verts=["TOY", (84.9000, 56.4840), "TIM"]),
    dict(corridor_id="road-69k4-left-bank",
         name="Road 69K-4: Northern bridge - Shegarsky trakt (left bank)",
         mode="road", status="existing", speed_kmh=70.0, bridge=False, accuracy_m=1500.0,
         source="towiki.ru 'Северный Коммунальный мост' (road 69K-4 towards Zorkaltsevo)",
         verts=["NB_L", (84.8700, 56.5520), (84.8450, 56.5420), "SHEG_J"]),
    dict(corridor_id="road-tomsk-seversk",
         name="Tomsk - Seversk road and Kommunistichesky prospekt (Seversk)",
         mode="road", status="existing", speed_kmh=60.0, bridge=False, accuracy_m=800.0,
         source=("kap.tomsk.gov.ru 'ЗАТО Северск' (3.47 km between city limits); wikivoyage "
                 "Seversk 56.6027 N 84.8819 E; techvillage.ru (Kommunistichesky prospekt, main "
                 "straight avenue)"),
         verts=["LA9", (84.9520, 56.5350), (84.9400, 56.5520), "NB_J", (84.9150, 56.5800),
                (84.9000, 56.5900), (84.8900, 56.5970), "SEV_C", (84.8760, 56.6120)]),
    dict(corridor_id="road-samussky-trakt",
         name="Samussky trakt (Neftekhimovskaya trassa: Tomsk - Kuzovlevo - Tomskneftekhim - Samus)",
         mode="road", status="existing", speed_kmh=70.0, bridge=False, accuracy_m=2000.0,
         source=("tomck.com 'Самусьский тракт' (45 km from DK Avangard: due north to the "
                 "Kuzovlevo interchange, through Kuzovlevo, along the western edge of the "
                 "Tomskneftekhim site, north-west at the Talovka via Semiozerki to Samus); "
                 "Samus 56°45′ N 84°42′ E; Naumovka 56°45′37″ N 85°06′18″ E lies NE of it"),
         verts=["IRK3", (85.0050, 56.5200), (84.9900, 56.5400), (84.9880, 56.5600), "KUZ_J",
                (84.9880, 56.5950), (84.9870, 56.6200), (84.9860, 56.6450), (84.9840, 56.6650),
                (84.9300, 56.6950), (84.8600, 56.7170), (84.7600, 56.7400), "SAMUS"]),
    dict(corridor_id="road-69k4-kuzovlevsky-trakt",
         name="Road 69K-4 east (Kuzovlevsky trakt): Seversk interchange - Kuzovlevo - Tomskneftekhim - Svetly",
         mode="road", status="existing", speed_kmh=70.0, bridge=False, accuracy_m=1500.0,
         source=("towiki.ru 'Кузовлевский тракт' (69K-4 from Zorkaltsevo via the Northern bridge, "
                 "the Seversk interchange and the Kuzovlevo interchange to Svetly; article "
                 "coordinate 56°34′18.72″ N 85°04′43.53″ E)"),
         verts=["NB_J", (84.9450, 56.5735), (84.9700, 56.5775), "KUZ_J", (85.0100, 56.5790),
                (85.0400, 56.5760), (85.0788, 56.5719), "SVETLY"]),
    dict(corridor_id="road-bogashevsky-trakt",
         name="Bogashevsky trakt (Yuzhnaya square - Loskutovo - Bogashevo - airport)",
         mode="road", status="existing", speed_kmh=70.0, bridge=False, accuracy_m=1200.0,
         source=("dic.academic.ru / towiki.ru 'Богашёвский тракт' (20 km, road 69A-1 from "
                 "Yuzhnaya square past Predtechensk, Aprel, Loskutovo, Bogashevo to the airport); "
                 "Tomsk airport 56°22′49″ N 85°12′30″ E"),
         verts=["LA0", "YUZH", (84.9950, 56.4350), (85.0250, 56.4150), (85.0550, 56.3950),
                (85.0800, 56.3800), (85.1200, 56.3700), (85.1700, 56.3760), "AIRPORT"]),
    dict(corridor_id="road-kolarovsky-trakt",
         name="Kolarovsky trakt (Tomsk - Anikino - Kolarovo - Vershinino - Yar, 69N-1)",
         mode="road", status="existing", speed_kmh=60.0, bridge=False, accuracy_m=1500.0,
         source=("ru.wikipedia 'Коларовский тракт'; Kolarovo 56°20′06″ N 84°56′19″ E; "
                 "Vershinino 56°14′04″ N 84°55′54″ E (on the trakt, right bank)"),
         verts=["YUZH", (84.9720, 56.4300), (84.9760, 56.4100), (84.9700, 56.3850),
                (84.9600, 56.3650), (84.9490, 56.3450), (84.9386, 56.3350), (84.9400, 56.3100),
                (84.9380, 56.2800), (84.9340, 56.2550), (84.9317, 56.2344), (84.9300, 56.2100)]),
    dict(corridor_id="road-tomsk-kamayevka",
         name="R-400 Irkutsky trakt: Tomsk - Voronino - Semiluzhki - Kamayevka",
         mode="road", status="existing", speed_kmh=80.0, bridge=False, accuracy_m=3000.0,
         source=("towiki.ru (Voronino 12.6 km from Tomsk on R-400 'Irkutsky trakt', also the "
                 "Tomsk - Asino road); Semiluzhki ostrog on the Irkutsky trakt; Kamayevka "
                 "position approximate (not confirmed by a coordinate source)"),
         verts=["IRK_E", (85.1000, 56.5250), (85.1700, 56.5300), (85.2500, 56.5250),
                (85.3300, 56.5180), (85.4000, 56.5200), (85.4700, 56.5300), (85.5300, 56.5420),
                "KAMAEVKA"]),
    dict(corridor_id="road-kamayevka-asino",
         name="Kamayevka - Asino road (part of Kamayevka - Asino - Pervomayskoye)",
         mode="road", status="reconstruction", speed_kmh=90.0, current_speed_kmh=60.0,
         bridge=False, accuracy_m=3000.0,
         source=(f"{SEED001} (proposals to reconstruct the Kamayevka-Asino road); "
                 "tomskavtodor.ru (reconstruction in three stages of 12.5, 20 and 20 km under "
                 "INO Tomsk, first stage opened by governor Zhvachkin); Asino 57°00′ N 86°09′ E. "
                 "Alignment generalised; speeds: design 90 km/h assumed for a category III road, "
                 "60 km/h today assumed"),
         verts=["KAMAEVKA", (85.6400, 56.6100), (85.7200, 56.6900), (85.8100, 56.7700),
                (85.9000, 56.8400), (85.9900, 56.9100), (86.0700, 56.9650), "ASINO"]),
    # --------------------------------------------------------------------- planned links
    dict(corridor_id="road-levoberezhnaya-planned",
         name="Levoberezhnaya (left-bank) road: Shegarsky trakt - Nizhny Sklad - Northern bridge",
         mode="road", status="planned", speed_kmh=60.0, bridge=False, accuracy_m=1000.0,
         source=("tomsk.ru 2024 (third bridge needs the Levoberezhnaya road, construction frozen "
                 "10 years ago); riatomsk.ru 03.02.2024"),
         verts=["SHG2", "NSKLAD", (84.8960, 56.5450), "NB_L"]),
    dict(corridor_id="road-third-bridge-approach-left",
         name="Third bridge approach, left bank (planned)",
         mode="road", status="planned", speed_kmh=60.0, bridge=False, accuracy_m=700.0,
         source="obzor.city 10.12.2025; tomsk.gov.ru (bridge joins the Levoberezhnaya road)",
         verts=["NSKLAD", "TB_L"]),
    dict(corridor_id="road-third-bridge-approach-right",
         name="Third bridge approach, right bank to Mira Avenue (planned)",
         mode="road", status="planned", speed_kmh=50.0, bridge=False, accuracy_m=700.0,
         source="obzor.city (exit into the city via Mira Avenue)",
         verts=["TB_R", (84.9450, 56.5145), "MIRA"]),
    # ------------------------------------------------------------------------- railways
    dict(corridor_id="rail-taiga-tomsk",
         name="Railway Taiga - Tomsk-I - Tomsk-II (Tomsk branch of the Trans-Siberian)",
         mode="rail", status="existing", speed_kmh=60.0, bridge=False, accuracy_m=2000.0,
         source=("towiki.ru 'Томск-I' (stations Taiga ... Mezheninovka, Bogashevo 62 km, "
                 "Predtechensk, Tomsk-I, Tomsk-II); Tomsk-I 56°27′37″ N 84°59′29″ E; "
                 "intermediate course generalised"),
         verts=["R_TAIGA", (85.5600, 56.1100), (85.4900, 56.1600), (85.4200, 56.2000),
                (85.3500, 56.2400), (85.2800, 56.2800), (85.2200, 56.3200), (85.1600, 56.3450),
                (85.1200, 56.3650), (85.0800, 56.3900), (85.0400, 56.4150), (85.0100, 56.4400),
                "R_TOMSK1", (84.9960, 56.4750), (84.9950, 56.4900), "R_TOMSK2"]),
    dict(corridor_id="rail-tomsk-asino",
         name="Railway Tomsk-II - Kopylovo - Tugan - Asino (continues to Bely Yar)",
         mode="rail", status="existing", speed_kmh=60.0, bridge=False, accuracy_m=3000.0,
         source=("towiki.ru 'Томск-II' and 'Малиновка (Томский район)' (Tugan station at "
                 "Malinovka, 45 km from Tomsk); Asino station since 1937, line extended to "
                 "Bely Yar in 1973 (de.wikipedia 'Assino'); course generalised"),
         verts=["R_TOMSK2", (85.0000, 56.5250), (85.0300, 56.5500), (85.0700, 56.5750),
                (85.1500, 56.6200), (85.2100, 56.6550), (85.2700, 56.6900), (85.3300, 56.7200),
                (85.4500, 56.7800), (85.6000, 56.8500), (85.7500, 56.9100), (85.9000, 56.9600),
                (86.0500, 56.9850), "R_ASINO"]),
]


def _coords(rec: dict) -> list[tuple[float, float]]:
    out = []
    for v in rec["verts"]:
        out.append(N[v] if isinstance(v, str) else v)
    return out


def build() -> list[tuple[shapely.LineString, dict]]:
    """Return (UTM LineString, properties) for every corridor."""
    feats = []
    for rec in CORRIDORS:
        props = {k: v for k, v in rec.items() if k != "verts"}
        props.setdefault("current_speed_kmh", None)
        props["speed_kmh"] = float(props["speed_kmh"])
        props["accuracy_m"] = float(props["accuracy_m"])
        feats.append((line_utm(_coords(rec)), props))
    return feats


def components(lines: list[tuple[list[tuple[float, float]], str]], nd: int = 6) -> dict:
    """Connected components of the graph whose nodes are rounded shared vertices.

    Every consecutive vertex pair of a line is an edge; vertices with the same coordinates
    (rounded to ``nd`` decimals, as written) are the same node.
    """
    idx: dict[tuple[float, float], int] = {}
    rows, cols = [], []
    for coords, _ in lines:
        ids = []
        for x, y in coords:
            key = (round(x, nd), round(y, nd))
            ids.append(idx.setdefault(key, len(idx)))
        rows += ids[:-1]
        cols += ids[1:]
    n = len(idx)
    m = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    ncomp, labels = connected_components(m, directed=False)
    return {"nodes": n, "edges": len(rows), "components": int(ncomp),
            "sizes": sorted(np.bincount(labels).tolist(), reverse=True)}


def check(feats: list[tuple[shapely.LineString, dict]]) -> list[str]:
    """Sanity checks; return a list of problems (empty when clean)."""
    problems = []
    river = river_utm()
    ids = [p["corridor_id"] for _, p in feats]
    if len(ids) != len(set(ids)):
        problems.append("duplicate corridor_id")
    for g, p in feats:
        if not g.is_valid or g.length < 10:
            problems.append(f"{p['corridor_id']}: invalid or degenerate line")
        crosses = g.intersects(river)
        if crosses and not p["bridge"]:
            problems.append(f"{p['corridor_id']}: crosses the Tom but bridge=false")
        if p["bridge"] and not g.crosses(river):
            problems.append(f"{p['corridor_id']}: bridge does not cross the Tom")
        if p["status"] == "reconstruction" and p.get("current_speed_kmh") is None:
            problems.append(f"{p['corridor_id']}: reconstruction without current_speed_kmh")
    by_mode = defaultdict(list)
    for rec in CORRIDORS:
        by_mode[rec["mode"]].append((_coords(rec), rec["corridor_id"]))
    for mode, lines in by_mode.items():
        c = components(lines)
        print(f"  {mode}: {len(lines)} lines, {c['nodes']} nodes, {c['edges']} edges, "
              f"{c['components']} connected component(s) {c['sizes']}")
        if c["components"] != 1:
            problems.append(f"{mode} network has {c['components']} components")
    existing = [(_coords(r), r["corridor_id"]) for r in CORRIDORS
                if r["mode"] == "road" and r["status"] != "planned"]
    c = components(existing)
    print(f"  road, scenario 'existing' (existing + reconstruction at current speed): "
          f"{c['components']} component(s)")
    if c["components"] != 1:
        problems.append("existing road network is not connected")
    return problems


def main(out: Path) -> int:
    """Write corridors.geojson into `out`; 1 if a check fails."""
    feats = build()
    print("corridors checks:")
    problems = check(feats)
    for p in problems:
        print("PROBLEM:", p)
    n = write_geojson(out / "corridors.geojson",
                      [(to_wgs(g), p) for g, p in feats], "corridors")
    km = sum(g.length for g, _ in feats) / 1000
    print(f"corridors.geojson: {n} features, {km:.0f} km")
    return 1 if problems else 0

