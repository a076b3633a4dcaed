"""Source table of the ``parks`` layer: the six INO Tomsk park types (seed 001 item 7).

Each entry is one territory with its outline written as (longitude, latitude) vertices in
EPSG:4326, traced by hand from the street grid around positions taken from public references
(Wikipedia infobox coordinates where one exists) or from own knowledge of the city, as the
``position_source`` of each entry says. Stadiums are drawn as ovals of their real size around
a reference coordinate (see :func:`oval`). ``accuracy_m`` is an honest estimate of how far the
drawn outline may be from the real boundary.

Nothing here is surveyed; the outlines are planning-scale sketches. ``build_points.py`` reads
this table, projects to EPSG:32645, checks validity, overlap with the river layer and the
park/site consistency, and writes ``layers/parks.geojson``.
"""

from __future__ import annotations

__all__ = ["PARKS", "SEEDS"]

SEEDS = {
    0: "seed:000_d6bba7ff496c3260.txt",
    1: "seed:001_f8bb5fa29d4484f7.txt",
    2: "seed:002_76d1103c0c257c3a.txt",
    3: "seed:003_693be448855e8e74.txt",
    4: "seed:004_2cec08dc190eb08b.txt",
}
_T = SEEDS[1] + " (item 7: six types of parks)"

# Reference coordinates used below (lat, lon):
#   TSU main building 56.4694, 84.9475 (en.wikipedia Tomsk_State_University)
#   TPU main building 56.46528, 84.95028 (en.wikipedia Tomsk_Polytechnic_University)
#   TSPU 56.47389, 84.97667 (en.wikipedia Tomsk_State_Pedagogical_University)
#   Akademgorodok (Tomsk) 56.474178, 85.049801 (en.wikipedia Akademgorodok_(Tomsk))
#   Lenin Square 56.48528, 84.94778 (ru.wikipedia)
#   Voskresenskaya Gora 56.49389, 84.95444 (ru.wikipedia)
#   Solyanaya Square 56.49639, 84.95722 (ru.wikipedia)
#   Trud stadium 56.47417, 84.95667 (ru.wikipedia)
#   TSU stadium 56.46167, 84.93556 (towiki.ru)
#   Seversk 56.600, 84.850; Asino 57.00, 86.15 (Wikipedia)

PARKS: list[dict] = [
    # ------------------------------------------------------------------ industrial
    dict(
        park_id="P01", park_type="industrial", status="existing",
        name="Tomskneftekhim (SIBUR) petrochemical site, northern industrial hub",
        name_ru="Промплощадка ООО «Томскнефтехим»",
        description="Petrochemical plant of SIBUR between Tomsk and Seversk (polymers, methanol); "
                    "petrochemical cluster (seed 001 item 8).",
        source=f"{SEEDS[0]}; {SEEDS[4]}; investintomsk.com (Tomskneftekhim, 2016)",
        position_source="rough estimate: east of the Samussky (Neftekhimovskaya) trakt and north "
                        "of road 69K-4 beyond Kuzovlevo, an exclave of Tomsk's Oktyabrsky district "
                        "(tomck.com, towiki.ru; consistent with layers/boundaries.geojson); "
                        "outline schematic, SEZ northern site cut out of its south-west corner",
        accuracy_m=2000.0,
        coords=[(85.0065, 56.5880), (85.0430, 56.5870), (85.0460, 56.6120), (84.9980, 56.6140),
                (84.9968, 56.5965), (85.0065, 56.5960)],
    ),
    dict(
        park_id="P02", park_type="industrial", status="existing",
        name="Siberian Chemical Combine (Rosatom) industrial site, Seversk",
        name_ru="Промплощадка АО «СХК»",
        description="Nuclear fuel-cycle plants of SCC north of Seversk incl. the BREST-OD-300 "
                    "construction site; nuclear cluster.",
        source=f"{SEEDS[0]}; {SEEDS[4]}; ru.wikipedia.org/wiki/Сибирский_химический_комбинат",
        position_source="outline around the Wikipedia coordinate of the combine (ru.wikipedia "
                        "56 deg 38 min N, 84 deg 54 min E, minute precision) north-east of Seversk; "
                        "extent schematic, kept about 1 km off the Tom",
        accuracy_m=2500.0,
        coords=[(84.870, 56.622), (84.925, 56.618), (84.945, 56.640), (84.935, 56.668),
                (84.890, 56.672), (84.868, 56.650)],
    ),
    dict(
        park_id="P03", park_type="industrial", status="existing",
        name="Asino timber industrial park (Asino timber processing complex)",
        name_ru="Асиновский лесопромышленный парк",
        description="Veneer, sawmill and MDF plants of the Russian-Chinese Asino timber "
                    "processing complex; timber cluster.",
        source=f"{SEEDS[1]}; investintomsk.com (Asino timber processing industrial park, 2017)",
        position_source="rough estimate: Asino 57.00 N 86.15 E (Wikipedia) and own knowledge of "
                        "the industrial zone; outline schematic",
        accuracy_m=2500.0,
        coords=[(86.108, 57.004), (86.132, 57.003), (86.138, 57.012), (86.130, 57.020),
                (86.112, 57.021), (86.104, 57.012)],
    ),
    dict(
        park_id="P04", park_type="industrial", status="existing",
        name="Tomsk industrial park (regional industrial park)",
        name_ru="Томский индустриальный парк",
        description="Regional industrial park named as infrastructure for high-tech business "
                    "(seed 004). Site not verified.",
        source=SEEDS[4],
        position_source="rough estimate: placed in the northern industrial hub of Tomsk; the "
                        "real site was not verified",
        accuracy_m=3000.0,
        coords=[(84.968, 56.551), (84.980, 56.550), (84.984, 56.557), (84.974, 56.560),
                (84.966, 56.556)],
    ),
    # ------------------------------------------------------------------ innovation
    dict(
        park_id="P05", park_type="innovation", status="existing",
        name="SEZ Tomsk technology-innovation zone, southern site (Akademgorodok)",
        name_ru="ОЭЗ ТВТ «Томск», Южная площадка",
        description="192.4 ha southern site of the special economic zone in Akademgorodok with "
                    "the engineering building (seed 000); IT, electronics, medicine, biotech.",
        source=f"{SEEDS[0]}; {SEEDS[2]}; {SEEDS[4]}; kommersant.ru/doc/8142272",
        position_source="estimate: site 'in Akademgorodok' (kommersant.ru) drawn east of the "
                        "Akademgorodok coordinate (Wikipedia) with the published area; which side "
                        "of Akademgorodok (east or south-east, towards the airport road via ul. "
                        "Koltsevaya, rosstroyexpo.ru 2011) is not confirmed",
        accuracy_m=1500.0,
        coords=[(85.0590, 56.4740), (85.0800, 56.4730), (85.0830, 56.4800), (85.0780, 56.4860),
                (85.0600, 56.4860), (85.0582, 56.4800)],
    ),
    dict(
        park_id="P06", park_type="innovation", status="existing",
        name="SEZ Tomsk technology-innovation zone, northern site",
        name_ru="ОЭЗ ТВТ «Томск», Северная площадка",
        description="77 ha northern site on the base of the pilot production of the "
                    "Sibur-Tomskneftekhim research association.",
        source=f"{SEEDS[2]}; {SEEDS[4]}; kommersant.ru/doc/8142272; nia-rf.ru/news/economy/8290",
        position_source="rough estimate: south-west corner of the Tomskneftekhim site (itself "
                        "estimated from tomck.com / towiki.ru road descriptions), drawn with about "
                        "the published area",
        accuracy_m=2000.0,
        coords=[(84.9962, 56.5882), (85.0065, 56.5880), (85.0065, 56.5960), (84.9968, 56.5965)],
    ),
    dict(
        park_id="P07", park_type="innovation", status="planned",
        name="Inter-university campus and SEZ Tomsk extension (planned)",
        name_ru="Межвузовский кампус и расширение ОЭЗ «Томск»",
        description="Land next to the SEZ southern site reserved for the inter-university "
                    "campus (55 ha) and returned to the SEZ (16 ha) in 2025.",
        source="tomsk-news.net (RIA Tomsk, 2025-05-20)",
        position_source="rough estimate: 'next to the SEZ' (tomsk-news.net), drawn north of the "
                        "southern site with the published area",
        accuracy_m=1500.0,
        coords=[(85.0620, 56.4866), (85.0790, 56.4866), (85.0780, 56.4925),
                (85.0640, 56.4930)],
    ),
    # ------------------------------------------------------------------ research_education
    dict(
        park_id="P08", park_type="research_education", status="existing",
        name="Tomsk State University campus with the University Grove and Siberian Botanical Garden",
        name_ru="Кампус ТГУ, Университетская роща, Сибирский ботанический сад",
        description="Historic TSU campus west of Lenin Ave (TSU main building, grove, scientific "
                    "library) south of the SibSMU clinics at Moskovsky trakt, with the botanical "
                    "garden in the south.",
        source=f"{SEEDS[1]}; {SEEDS[2]}; en.wikipedia.org/wiki/Tomsk_State_University",
        position_source="outline traced from own knowledge around the Wikipedia coordinates of "
                        "the TSU main building, the Scientific Library (south-east of the grove) "
                        "and the Siberian Botanical Garden greenhouses; Lenin Ave on the east",
        accuracy_m=200.0,
        coords=[(84.9505, 56.4662), (84.9507, 56.4690), (84.9500, 56.4706), (84.9440, 56.4706),
                (84.9425, 56.4685), (84.9432, 56.4655), (84.9470, 56.4648), (84.9490, 56.4656)],
    ),
    dict(
        park_id="P09", park_type="research_education", status="existing",
        name="Tomsk Polytechnic University historic campus (European quarter)",
        name_ru="Исторический кампус ТПУ",
        description="TPU main building (Lenin Ave 30, west side) with its engineering "
                    "courtyard, and the chemical and physics buildings across Lenin Ave.",
        source=f"{SEEDS[1]}; {SEEDS[2]}; en.wikipedia.org/wiki/Tomsk_Polytechnic_University; "
               "125.tpu.ru",
        position_source="outline traced from own knowledge around the TPU main building "
                        "coordinate (Wikipedia)",
        accuracy_m=250.0,
        coords=[(84.9492, 56.4640), (84.9570, 56.4635), (84.9580, 56.4668), (84.9515, 56.4672),
                (84.9509, 56.4661), (84.9493, 56.4652)],
    ),
    dict(
        park_id="P10", park_type="research_education", status="existing",
        name="TUSUR main building block (Lenin Ave 40)",
        name_ru="Главный корпус ТУСУР (пр. Ленина, 40)",
        description="TUSUR main building and its block on Lenin Ave north of Moskovsky trakt. "
                    "Other TUSUR buildings (Krasnoarmeyskaya 146, Vershinina) are sites only.",
        source=f"{SEEDS[1]}; {SEEDS[2]}; cd.kaisa.ru (Lenin Ave 38 = Moskovsky trakt 2)",
        position_source="rough outline from own knowledge of the Lenin Ave numbering (38 = SibSMU "
                        "at Moskovsky trakt); no reference coordinate found",
        accuracy_m=400.0,
        coords=[(84.9470, 56.4724), (84.9496, 56.4723), (84.9497, 56.4742), (84.9472, 56.4743)],
    ),
    dict(
        park_id="P11", park_type="research_education", status="existing",
        name="Akademgorodok of the Tomsk Scientific Center SB RAS",
        name_ru="Томский Академгородок СО РАН",
        description="Research institutes of the SB RAS (ISPMS, IAO, IHCE, IPC, IMCES) on "
                    "Akademichesky Ave, surrounded by forest; about 200 ha.",
        source="en.wikipedia.org/wiki/Akademgorodok_(Tomsk)",
        position_source="outline around the Wikipedia coordinate 56.474178 N 85.049801 E, from "
                        "own knowledge of Akademichesky Ave",
        accuracy_m=400.0,
        coords=[(85.0430, 56.4685), (85.0560, 56.4680), (85.0575, 56.4740), (85.0568, 56.4815),
                (85.0470, 56.4820), (85.0425, 56.4760)],
    ),
    dict(
        park_id="P12", park_type="research_education", status="existing",
        name="Tomsk State Pedagogical University campus (Kievskaya - Komsomolsky)",
        name_ru="Кампус ТГПУ",
        description="TSPU buildings on Kievskaya street and Komsomolsky Ave.",
        source=f"{SEEDS[1]}; en.wikipedia.org/wiki/Tomsk_State_Pedagogical_University",
        position_source="outline around the Wikipedia coordinate, own knowledge",
        accuracy_m=300.0,
        coords=[(84.9745, 56.4728), (84.9790, 56.4725), (84.9800, 56.4750), (84.9760, 56.4756)],
    ),
    dict(
        park_id="P13", park_type="research_education", status="existing",
        name="TSUAB campus on Solyanaya Square",
        name_ru="Кампус ТГАСУ на Соляной площади",
        description="TSUAB main ('red') building and neighbouring buildings on Solyanaya "
                    "Square, top of Voskresenskaya Gora.",
        source=f"{SEEDS[1]}; 3dtomsk.ru/tgasu; ru.wikipedia (Solyanaya Square)",
        position_source="outline around the Solyanaya Square coordinate (ru.wikipedia), own "
                        "knowledge",
        accuracy_m=250.0,
        coords=[(84.9560, 56.4952), (84.9600, 56.4950), (84.9605, 56.4972), (84.9570, 56.4976)],
    ),
    # ------------------------------------------------------------------ historical_cultural
    dict(
        park_id="P14", park_type="historical_cultural", status="existing",
        name="Historic centre: Lenin Square with the Epiphany Cathedral",
        name_ru="Площадь Ленина и Богоявленский собор",
        description="Oldest square of Tomsk on the peninsula between the Tom and the Ushaika "
                    "mouth: Epiphany Cathedral, Iverskaya chapel, Drama Theatre, Region "
                    "Administration, Philharmonic; north to Kooperativny lane.",
        source=f"{SEEDS[0]}; ru.wikipedia.org/wiki/Площадь_Ленина_(Томск); "
               "ru.wikipedia.org/wiki/Богоявленский_собор_(Томск); tomsk-gov.ru/doc/41587",
        position_source="outline around the Lenin Square (56.48528 N 84.94778 E) and Epiphany "
                        "Cathedral (56.48861 N 84.94694 E) coordinates (ru.wikipedia), Ushaika "
                        "mouth 56.48476 N 84.94483 E; kept off the Tom",
        accuracy_m=200.0,
        coords=[(84.9440, 56.4852), (84.9470, 56.4843), (84.9505, 56.4846), (84.9510, 56.4872),
                (84.9500, 56.4900), (84.9458, 56.4909), (84.9440, 56.4885)],
    ),
    dict(
        park_id="P15", park_type="historical_cultural", status="existing",
        name="Voskresenskaya Gora (Resurrection Hill), site of the 1604 fortress",
        name_ru="Воскресенская гора",
        description="Historic hill north-east of the Ushaika mouth: Museum of Tomsk History, "
                    "ostrog tower, Resurrection Church, Catholic church, wooden houses.",
        source="ru.wikipedia.org/wiki/Воскресенская_гора_(Томск); lonelyplanet.com",
        position_source="outline from the hill coordinate 56.49389 N 84.95444 E and the Museum of "
                        "Tomsk History on its southern cape 56.488867 N 84.952733 E (ru.wikipedia)",
        accuracy_m=250.0,
        coords=[(84.9515, 56.4880), (84.9545, 56.4878), (84.9585, 56.4905), (84.9580, 56.4945),
                (84.9535, 56.4950), (84.9512, 56.4925)],
    ),
    dict(
        park_id="P16", park_type="historical_cultural", status="existing",
        name="Lagerny Sad memorial park",
        name_ru="Лагерный сад",
        description="40 ha landscape and memorial park (about 1300 x 300 m) on the high right "
                    "bank at the south end of Lenin Ave, with the memorial of military and labour "
                    "glory (1979) in its centre; Nakhimova street on the north.",
        source="ru.wikipedia.org/wiki/Лагерный_сад (via wiki-org.ru); travel-tomsk.ru; towiki.ru",
        position_source="band of the published size (1300 x 300 m) centred on the Wikipedia "
                        "coordinate 56.45417 N 84.95000 E, long axis along the bank (NW-SE)",
        accuracy_m=250.0,
        coords=[(84.9408, 56.4574), (84.9442, 56.4593), (84.9592, 56.4511), (84.9558, 56.4492)],
    ),
    dict(
        park_id="P17", park_type="historical_cultural", status="existing",
        name="Novosobornaya Square (site of the Trinity Cathedral)",
        name_ru="Новособорная площадь",
        description="Central square on Lenin Ave north of the university grove, site of the "
                    "Trinity Cathedral demolished in 1934; SFTI and 19th-century mansions "
                    "around it.",
        source="ru.wikipedia.org/wiki/Троицкий_собор_(Томск); asninfo.ru (Novosobornaya, 2025)",
        position_source="outline around the Trinity Cathedral site 56.47389 N 84.95167 E and SFTI "
                        "56.47250 N 84.95139 E (ru.wikipedia), extent from own knowledge",
        accuracy_m=200.0,
        coords=[(84.9502, 56.4719), (84.9540, 56.4719), (84.9545, 56.4752), (84.9503, 56.4755)],
    ),
    dict(
        park_id="P18", park_type="historical_cultural", status="existing",
        name="Wooden architecture area of Upper Yelan (Krasnoarmeyskaya street)",
        name_ru="Деревянное зодчество Верхней Елани (ул. Красноармейская)",
        description="Quarter of 19th-early 20th century wooden houses around Krasnoarmeyskaya "
                    "street; outline approximate.",
        source="smmib.ru (Tomsk wooden architecture)",
        position_source="rough outline from own knowledge; the boundary is not an official one",
        accuracy_m=500.0,
        coords=[(84.9560, 56.4760), (84.9640, 56.4755), (84.9655, 56.4800), (84.9600, 56.4825),
                (84.9556, 56.4805)],
    ),
    # ------------------------------------------------------------------ medical
    dict(
        park_id="P19", park_type="medical", status="existing",
        name="SibSMU main building and faculty clinics (Lenin Ave 38 / Moskovsky trakt 2)",
        name_ru="Главный корпус и клиники СибГМУ (Московский тракт, 2)",
        description="Siberian State Medical University main building with the octagonal tower "
                    "(former faculty clinics of the Imperial university) and clinics along "
                    "Moskovsky trakt, north-east corner of the university grounds.",
        source=f"{SEEDS[1]}; cd.kaisa.ru/tomsk-gubernija/open/1873283689.html; "
               "curriculumflexibilitymatrix.ru (SibSMU address Moskovsky Trakt 2)",
        position_source="rough outline: corner of Lenin Ave 38 and Moskovsky trakt 2 (cd.kaisa.ru), "
                        "extent along the trakt from own knowledge; no reference coordinate found",
        accuracy_m=300.0,
        coords=[(84.9440, 56.4707), (84.9495, 56.4707), (84.9497, 56.4721), (84.9430, 56.4722),
                (84.9425, 56.4712)],
    ),
    dict(
        park_id="P20", park_type="medical", status="existing",
        name="Tomsk NRMC Kievskaya campus (Cardiology and Obstetrics institutes)",
        name_ru="Томский НИМЦ: НИИ кардиологии (ул. Киевская, 111а)",
        description="Clinics of the Cardiology Research Institute of the Tomsk National "
                    "Research Medical Center.",
        source=f"{SEEDS[3]}; heart-2-heart.org",
        position_source="rough outline around an estimate of the address",
        accuracy_m=800.0,
        coords=[(84.9800, 56.4558), (84.9845, 56.4556), (84.9850, 56.4580), (84.9805, 56.4585)],
    ),
    dict(
        park_id="P21", park_type="medical", status="existing",
        name="Tomsk NRMC Cancer Research Institute (Kooperativny lane)",
        name_ru="НИИ онкологии Томского НИМЦ",
        description="Head institute of the National Research Medical Center (seed 003).",
        source=f"{SEEDS[1]}; {SEEDS[3]}; onco.tnimc.ru",
        position_source="rough outline: Kooperativny lane between the Tom and Lenin Ave north "
                        "of Lenin Square (tomsk-gov.ru/doc/41587); position along the lane estimated",
        accuracy_m=400.0,
        coords=[(84.9445, 56.4892), (84.9472, 56.4891), (84.9474, 56.4904), (84.9447, 56.4905)],
    ),
    dict(
        park_id="P22", park_type="medical", status="existing",
        name="Southern medical quarter: SibSMU clinics (Lenin Ave 4) and the Goldberg institute",
        name_ru="Клиники СибГМУ (пр. Ленина, 4) и НИИ фармакологии",
        description="New SibSMU clinic building (2015) and the Goldberg Research Institute of "
                    "Pharmacology and Regenerative Medicine at the south end of Lenin Ave.",
        source=f"{SEEDS[3]}; ngs70.ru (2015-06-26)",
        position_source="rough outline north-east of Lagerny Sad (ru.wikipedia coordinate), where "
                        "the institute clinic borders the park (travel-tomsk.ru)",
        accuracy_m=500.0,
        coords=[(84.9512, 56.4560), (84.9565, 56.4535), (84.9572, 56.4565), (84.9518, 56.4585)],
    ),
    dict(
        park_id="P23", park_type="medical", status="existing",
        name="Tomsk Regional Clinical Hospital and Perinatal Centre",
        name_ru="Томская ОКБ и областной перинатальный центр",
        description="Main regional hospital (ul. Ivana Chernykh 96). Position not verified.",
        source="own knowledge of the address (not checked against a stored reference)",
        position_source="rough estimate: address not located from a reference",
        accuracy_m=2000.0,
        coords=[(84.9895, 56.5045), (84.9950, 56.5043), (84.9955, 56.5075), (84.9900, 56.5078)],
    ),
    # ------------------------------------------------------------------ sport
    dict(
        park_id="P24", park_type="sport", status="existing",
        name="Trud stadium",
        name_ru="Стадион «Труд»",
        description="Football stadium of FC Tom (1929), ul. Belinskogo 15/1, next to the City "
                    "Garden.",
        source="ru.wikipedia.org/wiki/Труд_(стадион,_Томск)",
        position_source="oval of the real stadium size (about 190 x 140 m) around the Wikipedia "
                        "coordinate 56.47417 N 84.95667 E",
        accuracy_m=80.0,
        oval=dict(lat=56.47417, lon=84.95667, length_m=190.0, width_m=140.0, bearing_deg=0.0),
    ),
    dict(
        park_id="P25", park_type="sport", status="existing",
        name="TSU stadium",
        name_ru="Стадион ТГУ",
        description="University stadium at ul. Arkadiya Ivanova / Dambovaya.",
        source="towiki.ru (Стадион ТГУ)",
        position_source="oval of a typical stadium size around the towiki.ru coordinate "
                        "56.46167 N 84.93556 E",
        accuracy_m=120.0,
        oval=dict(lat=56.46167, lon=84.93556, length_m=170.0, width_m=120.0, bearing_deg=0.0),
    ),
    dict(
        park_id="P26", park_type="sport", status="existing",
        name="Metelitsa ski base and Akademgorodok forest ski trails",
        name_ru="Лыжная база «Метелица» (Академгородок)",
        description="Ski base on Koroleva street with trails in the forest around "
                    "Akademgorodok.",
        source="ru24.pro (ski bases of Tomsk, 2021); en.wikipedia.org/wiki/Akademgorodok_(Tomsk)",
        position_source="rough outline: Koroleva street in Akademgorodok, trail area estimated",
        accuracy_m=900.0,
        coords=[(85.0560, 56.4640), (85.0680, 56.4635), (85.0700, 56.4700), (85.0590, 56.4712)],
    ),
    dict(
        park_id="P27", park_type="sport", status="existing",
        name="Politekhnik stadium and ski base (start of the health trail to Anikino)",
        name_ru="Стадион и лыжная база «Политехник»",
        description="TPU sports base at ul. 19-y Gvardeyskoy divizii 13; start of the 10 km "
                    "ski trail to Anikino.",
        source="vtomske.ru (ski bases list); riatomsk.ru (2015-12-12); obzor.city/amp/534918",
        position_source="estimate: next to Yuzhnaya square (a TUSUR dormitory 'next to the "
                        "Politekhnik sports complex, near Yuzhnaya square', obzor.city 2017); "
                        "outline schematic",
        accuracy_m=800.0,
        coords=[(84.9620, 56.4430), (84.9700, 56.4425), (84.9710, 56.4465), (84.9630, 56.4472)],
    ),
]
