"""Map specs: the built-in specs load; a bad spec is refused with the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from ino_geo._errors import DataError, UsageError
from ino_geo.webmap.spec import BUILTIN_MAPS, MapSpec, builtin_map_names, load_map_spec, maps_dir, parse_map_spec

MINIMAL = '[map]\ntitle = "Parks"\n\n[[layers]]\nid = "parks"\nlayer = "parks"\n'


def write(tmp_path: Path, text: str, name: str = "my.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_builtin_specs_all_load():
    assert builtin_map_names()[:5] == list(BUILTIN_MAPS)
    for name in BUILTIN_MAPS:
        spec = load_map_spec(name)
        assert isinstance(spec, MapSpec)
        assert spec.name == name and spec.title and spec.layers
        assert spec.path == maps_dir() / f"{name}.toml"
        ids = [lyr.id for lyr in spec.layers]
        assert len(ids) == len(set(ids))
    assert load_map_spec("coverage").analyses == {"coverage"}
    assert load_map_spec("proximity").analyses == {"proximity"}
    assert load_map_spec("overview").analyses == set()


def test_builtin_overview_has_what_the_issue_asks():
    spec = load_map_spec("overview")
    by_id = {lyr.id: lyr for lyr in spec.layers}
    assert {"boundaries", "river", "corridors", "parks", "sites"} <= set(by_id)
    # the park-type colours come from the catalogue (the spec no longer copies them)
    from ino_geo.webmap.styles import categorical_style, load_default_catalogue

    parks_style = categorical_style(by_id["parks"], load_default_catalogue())
    assert set(parks_style.colors) == {"industrial", "innovation", "research_education", "historical_cultural",
                                          "medical", "sport"}
    assert by_id["sites"].color_by == "cluster"
    assert by_id["corridors"].color_by == "status"
    rings = [lyr for lyr in load_map_spec("waterfront").layers if lyr.kind == "rings"]
    assert rings and rings[0].ring_distances_m == (500.0, 1000.0, 1500.0)


def test_minimal_spec_defaults(tmp_path):
    spec = load_map_spec(write(tmp_path, MINIMAL))
    assert spec.name == "my" and spec.title == "Parks" and spec.extent == "all" and spec.tiles == "OpenStreetMap"
    (lyr,) = spec.layers
    assert (lyr.kind, lyr.source, lyr.title, lyr.popup, lyr.show) == ("layer", "parks", "Parks", (), True)
    assert spec.label("park_type") == "Park type"


def test_spec_object_passes_through():
    spec = load_map_spec("overview")
    assert load_map_spec(spec) is spec


def test_parse_from_dict():
    spec = parse_map_spec({"map": {"title": "T", "extent": [84.0, 56.0, 85.5, 57.0]},
                           "layers": [{"id": "r", "rings": {"around": "waterfront", "distances_m": [100, 200]}}]})
    assert spec.extent == (84.0, 56.0, 85.5, 57.0)
    assert spec.layers[0].kind == "rings" and spec.layers[0].source == "waterfront"


BAD = [
    ("[[layers]]\nid='a'\nlayer='parks'\n", "map: missing (required)"),
    ("[map]\n[[layers]]\nid='a'\nlayer='parks'\n", "map.title: missing (required)"),
    ("[map]\ntitle=' '\n[[layers]]\nid='a'\nlayer='parks'\n", "map.title: must not be empty"),
    ("[map]\ntitle='t'\n", "layers: missing (required)"),
    ("layers=[]\n[map]\ntitle='t'\n", "layers: needs at least one"),
    ("[map]\ntitle='t'\nlayers=[]\n", "map.layers: unknown key"),  # a [[layers]] written under [map]
    ("[map]\ntitle='t'\ncolour='red'\n[[layers]]\nid='a'\nlayer='parks'\n", "map.colour: unknown key"),
    ("[map]\ntitle='t'\n[mapp]\n[[layers]]\nid='a'\nlayer='parks'\n", "mapp: unknown key"),
    ("[map]\ntitle='t'\n[[layers]]\nlayer='parks'\n", "layers[1].id: missing (required)"),
    ("[map]\ntitle='t'\n[[layers]]\nid='Parks!'\nlayer='parks'\n", "layers[1].id: 'Parks!' is not a layer id"),
    ("[map]\ntitle='t'\n[[layers]]\nid='a'\nlayer='parks'\n[[layers]]\nid='a'\nlayer='sites'\n",
     "layers[2].id: duplicate layer id 'a'"),
    ("[map]\ntitle='t'\n[[layers]]\nid='a'\n", "layers[1].layer: give exactly one of"),
    ("[map]\ntitle='t'\n[[layers]]\nid='a'\nlayer='parks'\nanalysis='proximity'\n",
     "layers[1].layer: give exactly one of"),
    ("[map]\ntitle='t'\n[[layers]]\nid='a'\nanalysis='gaps'\n", "layers[1].analysis: unknown analysis 'gaps'"),
    ("[map]\ntitle='t'\n[[layers]]\nid='a'\nlayer='parks'\nstyle={colour='red'}\n",
     "layers[1].style.colour: unknown key"),
    ("[map]\ntitle='t'\n[[layers]]\nid='a'\nlayer='parks'\nstyle={color='red;background:url(x)'}\n",
     "layers[1].style.color: not a colour"),
    ("[map]\ntitle='t'\n[[layers]]\nid='a'\nlayer='parks'\nstyle={weight=-1}\n",
     "layers[1].style.weight: must be >= 0"),
    ("[map]\ntitle='t'\n[[layers]]\nid='a'\nlayer='parks'\nstyle={weight='3'}\n",
     "layers[1].style.weight: expected a number, got a string"),
    ("[map]\ntitle='t'\n[[layers]]\nid='a'\nlayer='parks'\nstyle={fill_opacity=1.5}\n",
     "layers[1].style.fill_opacity: must be <= 1"),
    ("[map]\ntitle='t'\n[[layers]]\nid='a'\nlayer='parks'\nstyle={dash_array='4,x'}\n",
     "layers[1].style.dash_array: expected numbers"),
    ("[map]\ntitle='t'\n[[layers]]\nid='a'\nlayer='parks'\ncolors={a='#fff'}\n", "layers[1].color_by: colors/bins need"),
    ("[map]\ntitle='t'\n[[layers]]\nid='a'\nlayer='parks'\ncolor_by='park_type'\ncolors={}\n",
     "layers[1].colors: categorical color_by needs"),
    ("[map]\ntitle='t'\n[[layers]]\nid='a'\nlayer='parks'\ncolor_by='x'\nbins=[2,1]\ncolors=['#000','#111','#222']\n",
     "layers[1].bins: bins must be increasing"),
    ("[map]\ntitle='t'\n[[layers]]\nid='a'\nlayer='parks'\ncolor_by='x'\nbins=[1,2]\ncolors=['#000','#111']\n",
     "layers[1].colors: with 2 bins give an array of 3 colours"),
    ("[map]\ntitle='t'\n[[layers]]\nid='a'\nlayer='parks'\ncolor_by='x'\nbins=[1]\ncolors=['#000','#111']\nlabels=['a']\n",
     "layers[1].labels: an array of labels names the bins"),
    ("[map]\ntitle='t'\n[[layers]]\nid='a'\nlayer='parks'\ncolor_by='park type'\ncolors={a='#fff'}\n",
     "layers[1].color_by: not a column name"),
    ("[map]\ntitle='t'\n[[layers]]\nid='a'\nlayer='parks'\npopup='name'\n", "layers[1].popup: expected an array, got a string"),
    ("[map]\ntitle='t'\n[[layers]]\nid='a'\nlayer='parks'\npopup=['name', 3]\n", "layers[1].popup: item 2 is not a column name"),
    ("[map]\ntitle='t'\n[[layers]]\nid='a'\nrings={around='waterfront', distances_m=[1000, 500]}\n",
     "layers[1].rings.distances_m: distances must be increasing"),
    ("[map]\ntitle='t'\n[[layers]]\nid='a'\nrings={around='waterfront', distances_m=[-5]}\n",
     "layers[1].rings.distances_m: item 1: expected a distance in metres"),
    ("[map]\ntitle='t'\n[[layers]]\nid='a'\nrings={distances_m=[5]}\n", "layers[1].rings.around: missing (required)"),
    ("[map]\ntitle='t'\n[[layers]]\nid='a'\nlayer='parks'\nnear={layer='waterfront'}\n",
     "layers[1].near.within_m: missing (required)"),
    ("[map]\ntitle='t'\n[[layers]]\nid='a'\nlayer='parks'\nwhere={status={a=1}}\n", "layers[1].where.status: expected"),
    ("[map]\ntitle='t'\n[[layers]]\nid='a'\nlayer='parks'\nwhere={status=[]}\n",
     "layers[1].where.status: needs at least one value"),
    ("[map]\ntitle='t'\n[[layers]]\nid='a'\nlayer='parks'\ncolor_by='park_type'\ncolors={sport='#fff'}\nlabels={spor='S'}\n",
     "layers[1].labels: spor: no colour for this value"),
    ("[map]\ntitle='t'\nextent=[1,2,3]\n[[layers]]\nid='a'\nlayer='parks'\n", "map.extent: expected 4 numbers"),
    ("[map]\ntitle='t'\nextent=[85,56,84,57]\n[[layers]]\nid='a'\nlayer='parks'\n", "map.extent: not a longitude/latitude box"),
    ("[map]\ntitle='t'\nextent='tomsk'\n[[layers]]\nid='a'\nlayer='parks'\n", "map.extent: expected \"all\""),
    ("[map]\ntitle='t'\nextent={layer='zz'}\n[[layers]]\nid='a'\nlayer='parks'\n",
     "map.extent.layer: 'zz' is not one of the map's layers"),
    ("[map]\ntitle='t'\nprecision=12\n[[layers]]\nid='a'\nlayer='parks'\n", "map.precision: must be between 3 and 8"),
    ("[map]\ntitle='t'\ntiles='Google'\n[[layers]]\nid='a'\nlayer='parks'\n", "map.tiles: unknown tiles 'Google'"),
    ("[map]\ntitle='t'\nsimplify_m=nan\n[[layers]]\nid='a'\nlayer='parks'\n", "map.simplify_m: must be a finite number"),
    ("[map]\ntitle='t'\n[coverage]\npark_type='zoo'\n[[layers]]\nid='a'\nlayer='parks'\n",
     "coverage.park_type: unknown park type 'zoo'"),
    ("[map]\ntitle='t'\n[coverage]\ndistance_m=0\n[[layers]]\nid='a'\nlayer='parks'\n", "coverage.distance_m: must be > 0"),
    ("[map]\ntitle='t'\n[coverage]\ndistance_m=100\nminutes=5\n[[layers]]\nid='a'\nlayer='parks'\n",
     "coverage.minutes: give distance_m or minutes, not both"),
    ("[map]\ntitle='t'\n[proximity]\nk=0\n[[layers]]\nid='a'\nlayer='parks'\n", "proximity.k: must be between 1 and 20"),
    ("[map]\ntitle='t'\n[proximity]\nmode='walk'\n[[layers]]\nid='a'\nlayer='parks'\n", "proximity.mode: unknown value 'walk'"),
    ("layers = 'parks'\n[map]\ntitle='t'\n", "layers: expected an array, got a string"),
    ("[map]\ntitle='t'\n[[layers]]\nid='a'\nlayer='parks'\nshow='yes'\n", "layers[1].show: expected a boolean, got a string"),
    ("[map]\ntitle='t'\n[[layers]]\nid='a'\nlayer='parks'\nlegend=1\n", "layers[1].legend: expected a boolean, got an integer"),
    ("[map]\ntitle='t'\n[[layers]]\nid='a'\nlayer='parks'\nstyle={fill=1}\n", "layers[1].style.fill: expected a boolean"),
]


@pytest.mark.parametrize("text,message", BAD, ids=[m.split(":")[0] + "-" + str(i) for i, (_, m) in enumerate(BAD)])
def test_bad_spec_names_file_and_field(tmp_path, text, message):
    p = write(tmp_path, text)
    with pytest.raises(DataError) as exc:
        load_map_spec(p)
    msg = str(exc.value)
    assert msg.startswith(f"{p}: "), msg
    assert message in msg
    assert "\n" not in msg


def test_not_toml(tmp_path):
    p = write(tmp_path, "[map\ntitle = 'x'\n")
    with pytest.raises(DataError, match=r"my\.toml: not valid TOML"):
        load_map_spec(p)


def test_not_utf8(tmp_path):
    p = tmp_path / "latin.toml"
    p.write_bytes("[map]\ntitle = 'Томск'\n".encode("cp1251"))
    with pytest.raises(DataError, match=r"latin\.toml: not UTF-8"):
        load_map_spec(p)


def test_unknown_name_lists_builtins():
    with pytest.raises(UsageError) as exc:
        load_map_spec("overveiw")
    assert "unknown map 'overveiw'" in str(exc.value)
    for name in BUILTIN_MAPS:
        assert name in str(exc.value)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(UsageError, match="no such map spec file"):
        load_map_spec(tmp_path / "nope.toml")
    d = tmp_path / "d.toml"
    d.mkdir()
    with pytest.raises(UsageError, match="is a directory"):
        load_map_spec(d)


def test_planner_spec_with_every_feature(tmp_path):
    text = """
[map]
title = "My map"
description = "for the council"
tiles = "none"
extent = { layer = "parks", buffer_m = 500 }
simplify_m = 1
precision = 6

[field_labels]
name = "Название"

[[layers]]
id = "parks"
layer = "parks"
where = { status = ["existing", "planned"] }
contains = { name = "campus" }
near = { layer = "waterfront", within_m = 2500 }
color_by = "park_type"
colors = { sport = "#00ff00" }
labels = { sport = "Sport" }
other_color = "grey"
popup = ["name", "park_type"]
tooltip = ["name"]
legend_title = "Types"
style = { color = "#000", weight = 1, opacity = 0.5, fill = true, fill_color = "#abcdef", fill_opacity = 0.2, dash_array = "4 2", radius = 3 }

[[layers]]
id = "dist"
layer = "sites"
color_by = "distance_m"
bins = [100, 200]
colors = ["#000000", "#111111", "#222222"]
labels = ["near", "mid", "far"]
unit = "m"
show = false
legend = false
"""
    spec = load_map_spec(write(tmp_path, text))
    a, b = spec.layers
    assert spec.extent == {"layer": "parks", "buffer_m": 500.0}
    assert spec.label("name") == "Название"
    assert a.where == {"status": ("existing", "planned")} and a.contains == {"name": ("campus",)}
    assert (a.near_layer, a.near_m) == ("waterfront", 2500.0)
    assert a.style.leaflet()["fillColor"] == "#abcdef" and a.style.leaflet()["dashArray"] == "4 2"
    assert b.bins == (100.0, 200.0) and b.labels == ("near", "mid", "far") and not b.show and not b.legend


def _spec_values():
    from hypothesis import strategies as st

    scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                        st.text(max_size=12), st.sampled_from(["parks", "sites", "#fff", "red", "all", "sport",
                                                               "proximity", "coverage.areas", "waterfront"]))
    keys = st.sampled_from(["map", "title", "layers", "id", "layer", "rings", "analysis", "style", "color",
                            "weight", "colors", "bins", "color_by", "labels", "popup", "tooltip", "where",
                            "contains", "near", "within_m", "extent", "buffer_m", "coverage", "proximity",
                            "park_type", "distance_m", "minutes", "k", "mode", "field_labels", "around",
                            "distances_m", "legend", "show", "precision", "simplify_m", "tiles", "fill"])
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(keys, inner, max_size=6)), max_leaves=25)


def test_any_spec_document_gives_a_spec_or_a_data_error():
    """Random documents: parsing returns a MapSpec or raises a one-line DataError, nothing else."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    keys = st.sampled_from(["map", "layers", "coverage", "proximity", "field_labels", "x"])

    @settings(max_examples=200, deadline=None)
    @given(st.dictionaries(keys, _spec_values(), max_size=5))
    def check(doc):
        try:
            spec = parse_map_spec(doc, "rand.toml")
        except DataError as exc:
            assert str(exc).startswith("rand.toml: ") and "\n" not in str(exc)
        else:
            assert isinstance(spec, MapSpec) and spec.layers

    check()
