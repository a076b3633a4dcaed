"""The loader's fast path (``ino_geo/data/fastpath.py``) against the record-by-record reader.

The key property: a file passes the fast checks only if the record checker finds nothing in
it; a file that fails gets exactly the problems it got before (same messages, all at once);
a file that passes gives exactly the frame the record reader builds. The oracle is the record
path itself: the same call with the fast reader switched off.
"""

from __future__ import annotations

import copy
import geopandas as gpd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

import ino_geo
from conftest import _mini_features, square, write_fc
from ino_geo._errors import ValidationError
from ino_geo.data import fastpath
from ino_geo.data import validate as validate_mod
from ino_geo.data.catalogue import load_catalogue
from ino_geo.data.layers import default_layers_dir, read_layer
from ino_geo.data.validate import validate_path


# ------------------------------------------------------------------ helpers


def record_path(monkeypatch_ctx):
    """Switch the fast reader off: every file goes the record reader's way."""
    monkeypatch_ctx.setattr(validate_mod, "read_arrays", lambda *a, **k: None)


def outcome(call, *args, slow=False, **kw):
    """("ok", result) or ("error", problems) of `call`, on the fast or the record path."""
    with pytest.MonkeyPatch.context() as m:
        if slow:
            record_path(m)
        try:
            return "ok", call(*args, **kw)
        except ValidationError as exc:
            return "error", list(exc.problems)


def assert_same_frame(got, want):
    assert_geodataframe_equal(got, want)
    assert list(got.columns) == list(want.columns)
    assert list(got.dtypes.astype(str)) == list(want.dtypes.astype(str))
    assert got.attrs == want.attrs
    assert got.index.equals(want.index) and type(got.index) is type(want.index)
    assert (got.crs is None) == (want.crs is None)
    if got.crs is not None:
        assert got.crs.to_wkt() == want.crs.to_wkt() and got.crs.is_exact_same(want.crs)


def assert_same_outcome(got, want):
    assert got[0] == want[0], (got, want)
    if want[0] == "error":
        assert got[1] == want[1] and want[1]
    else:
        assert list(got[1]) == list(want[1])
        for name in want[1]:
            assert_same_frame(got[1][name], want[1][name])


def write_mini(folder, feats):
    folder.mkdir()
    (folder / "catalogue.toml").write_text((default_layers_dir() / "catalogue.toml").read_text(encoding="utf-8"),
                                           encoding="utf-8")
    for name, fs in feats.items():
        write_fc(folder / f"{name}.geojson", fs)
    return folder


def props(fs, i=0, **kw):
    fs[i]["properties"].update(kw)


def geom(fs, g, i=0):
    fs[i]["geometry"] = g


def swap(g):
    """A GeoJSON polygon with x and y swapped."""
    return {"type": g["type"], "coordinates": [[[y, x] for x, y in ring] for ring in g["coordinates"]]}


def drop(fs, key):
    for f in fs:
        del f["properties"][key]


BOWTIE = {"type": "Polygon", "coordinates": [[[84.95, 56.47], [84.96, 56.48], [84.96, 56.47], [84.95, 56.48],
                                              [84.95, 56.47]]]}

# name -> (layer, corruption of its features); each breaks a rule of ino_geo/data/checks.py
BAD = {
    "null_in_required_field": ("parks", lambda fs: props(fs, park_type=None)),
    "blank_text_in_required_field": ("parks", lambda fs: props(fs, 1, name="   ")),
    "empty_text_in_required_field": ("sites", lambda fs: props(fs, name="")),
    "unknown_category": ("parks", lambda fs: props(fs, park_type="zoo")),
    "unknown_nullable_category": ("sites", lambda fs: props(fs, 1, cluster="space")),
    "text_in_number_column": ("parks", lambda fs: props(fs, accuracy_m="ten")),
    "number_in_text_column": ("parks", lambda fs: props(fs, 1, park_id=7)),
    "numbers_in_every_text_record": ("parks", lambda fs: [props(fs, i, park_id=i) for i in range(len(fs))]),
    "bool_in_number_column": ("corridors", lambda fs: props(fs, speed_kmh=True)),
    "fraction_in_int_column": ("boundaries", lambda fs: props(fs, population=12.5)),
    "text_in_bool_column": ("corridors", lambda fs: props(fs, bridge="yes")),
    "two_in_bool_column": ("corridors", lambda fs: props(fs, bridge=2)),
    "fraction_in_bool_column": ("corridors", lambda fs: props(fs, bridge=1.0)),
    "below_minimum": ("parks", lambda fs: props(fs, accuracy_m=-5.0)),
    "above_maximum": ("corridors", lambda fs: props(fs, speed_kmh=500.0)),
    "int_above_maximum": ("boundaries", lambda fs: props(fs, population_year=2500)),
    "nullable_int_below_minimum": ("places", lambda fs: props(fs, population=-1)),
    "infinite_number": ("parks", lambda fs: props(fs, accuracy_m=float("inf"))),
    "duplicate_id": ("parks", lambda fs: props(fs, 1, park_id="P1")),
    "duplicate_unique_name": ("places", lambda fs: fs.append(copy.deepcopy(fs[0])) or props(fs, 1, place_id="T2")),
    "invalid_geometry": ("parks", lambda fs: geom(fs, BOWTIE)),
    "wrong_geometry_type": ("parks", lambda fs: geom(fs, {"type": "Point", "coordinates": [84.95, 56.47]}, 1)),
    "multipolygon_where_polygon_only": ("population", lambda fs: geom(fs, {
        "type": "MultiPolygon", "coordinates": [square(84.90, 56.40, 0.1)["coordinates"]]})),
    "swapped_lat_lon": ("parks", lambda fs: geom(fs, swap(fs[0]["geometry"]))),
    "outside_the_extent": ("parks", lambda fs: geom(fs, square(95.0, 56.47), 1)),
    "projected_numbers_as_degrees": ("sites", lambda fs: geom(fs, {"type": "Point", "coordinates": [9.4e6, 6.2e6]})),
    "empty_geometry": ("parks", lambda fs: geom(fs, {"type": "Polygon", "coordinates": []})),
    "missing_geometry": ("parks", lambda fs: geom(fs, None, 1)),
    "too_few_ring_points": ("parks", lambda fs: geom(fs, {"type": "Polygon", "coordinates": [
        [[84.95, 56.47], [84.96, 56.48], [84.95, 56.47]]]})),
    "nan_coordinates": ("sites", lambda fs: geom(fs, {"type": "Point", "coordinates": [float("nan"), 56.47]})),
    "missing_required_column": ("parks", lambda fs: drop(fs, "status")),
    "missing_id_column": ("sites", lambda fs: drop(fs, "site_id")),
    "no_records": ("river", lambda fs: fs.clear()),
    "z_coordinates_read_as_a_3d_crs": ("sites", lambda fs: geom(fs, {"type": "Point",
                                                                     "coordinates": [84.955, 56.475, 120.0]})),
    "mixed_text_and_numbers": ("sites", lambda fs: props(fs, 1, status=3)),
}

# name -> (layer, change): files the record checker passes; the fast path must return the
# same frame (or step aside for the record reader, never report a problem)
GOOD = {
    "untouched": ("parks", lambda fs: None),
    "extra_column": ("parks", lambda fs: [props(fs, i, extra=f"x{i}") for i in range(len(fs))]),
    "extra_int_column_with_a_null": ("parks", lambda fs: [props(fs, i, n=None if i else 3) for i in range(len(fs))]),
    "extra_all_null_column": ("parks", lambda fs: [props(fs, i, nothing=None) for i in range(len(fs))]),
    "extra_bool_column_with_a_null": ("parks", lambda fs: [props(fs, i, b=None if i else True) for i in range(len(fs))]),
    "extra_date_column": ("parks", lambda fs: [props(fs, i, day="2024-05-01") for i in range(len(fs))]),
    "extra_list_column": ("parks", lambda fs: [props(fs, i, tags=[1, 2]) for i in range(len(fs))]),
    "whole_float_in_int_column": ("boundaries", lambda fs: props(fs, population=1000.0)),
    "int_in_float_column": ("parks", lambda fs: [props(fs, i, accuracy_m=10) for i in range(len(fs))]),
    "null_in_nullable_int_column": ("places", lambda fs: props(fs, population=None, population_year=None)),
    "blank_in_nullable_text": ("sites", lambda fs: props(fs, cluster="  ")),
    "null_in_nullable_bool": ("corridors", lambda fs: props(fs, bridge=None)),
    "one_zero_in_bool_column": ("corridors", lambda fs: props(fs, bridge=1)),
    "oneway_column": ("corridors", lambda fs: props(fs, oneway=-1)),
    "optional_column_absent": ("parks", lambda fs: None),
    "multipolygon": ("parks", lambda fs: geom(fs, {"type": "MultiPolygon", "coordinates": [
        square(84.95, 56.47)["coordinates"], square(84.98, 56.47)["coordinates"]]})),
    "polygon_with_hole": ("parks", lambda fs: geom(fs, {"type": "Polygon", "coordinates": [
        square(84.95, 56.47)["coordinates"][0], [[84.952, 56.472], [84.954, 56.472], [84.954, 56.474],
                                                 [84.952, 56.472]]]})),
    "cyrillic_text": ("parks", lambda fs: props(fs, name="Парк «Юность» — 1")),
    "on_the_extent_edge": ("sites", lambda fs: geom(fs, {"type": "Point", "coordinates": [83.5, 55.9]})),
}


def corrupted(tmp_path, layer, change):
    feats = copy.deepcopy(_mini_features())
    change(feats[layer])
    return write_mini(tmp_path / "layers", feats)


# ------------------------------------------------------------------ the property


def check_fast_never_passes_a_bad_file(folder, layer):
    cat = load_catalogue(folder)
    spec, f = cat[layer], folder / cat[layer].file
    with pytest.MonkeyPatch.context() as m:
        record_path(m)  # the folder's rules: the catalogue's CRS required
        slow = [p for r in validate_path(folder) for p in r.problems if p.file == str(f)]
    arr = fastpath.read_arrays(f)
    passed = arr is not None and len(arr) > 0 and fastpath.arrays_pass(arr, spec, cat, cat.crs)
    assert not (passed and slow), f"fast check passed a file with problems: {slow}"
    return slow, passed


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_file_gets_the_same_problems(tmp_path, name):
    layer, change = BAD[name]
    folder = corrupted(tmp_path, layer, change)
    slow, passed = check_fast_never_passes_a_bad_file(folder, layer)
    assert slow and not passed, f"{name}: the corruption breaks no rule: {slow}"
    want = outcome(ino_geo.load_layers, folder, slow=True)
    got = outcome(ino_geo.load_layers, folder)
    assert want[0] == "error"
    assert_same_outcome(got, want)
    # and through the validator itself, file and folder
    assert validate_path(folder) == outcome(validate_path, folder, slow=True)[1]
    single = folder / f"{layer}.geojson"
    assert validate_path(single, load_catalogue(folder)) == outcome(validate_path, single, load_catalogue(folder),
                                                                     slow=True)[1]


@pytest.mark.parametrize("name", sorted(GOOD))
def test_a_good_file_gives_the_record_readers_frame(tmp_path, name):
    layer, change = GOOD[name]
    folder = corrupted(tmp_path, layer, change)
    slow, _ = check_fast_never_passes_a_bad_file(folder, layer)
    assert slow == []
    want = outcome(ino_geo.load_layers, folder, slow=True)
    assert want[0] == "ok"
    assert_same_outcome(outcome(ino_geo.load_layers, folder), want)
    assert_same_outcome(outcome(ino_geo.load_layers, folder, validate=False), want)


def test_the_fast_path_reads_the_common_cases():
    """Not a correctness property but the point of it: these files do not fall back."""
    cat = load_catalogue()
    for spec in cat:
        arr = fastpath.read_arrays(cat.folder / spec.file)
        assert arr is not None and fastpath.arrays_pass(arr, spec, cat, cat.crs), spec.name


def test_shipped_layers_identical_to_the_record_reader():
    want = outcome(ino_geo.load_layers, slow=True)
    assert want[0] == "ok" and len(want[1]) == 8
    assert_same_outcome(outcome(ino_geo.load_layers), want)
    assert_same_outcome(outcome(ino_geo.load_layers, validate=False), want)


def test_reports_identical_to_the_record_reader():
    fast = validate_path(default_layers_dir())
    slow = outcome(validate_path, default_layers_dir(), slow=True)[1]
    assert [(r.file, r.layer, r.spec, r.count, r.geometry_types, r.problems, r.inferred) for r in fast] == \
        [(r.file, r.layer, r.spec, r.count, r.geometry_types, r.problems, r.inferred) for r in slow]
    assert all(a.crs.is_exact_same(b.crs) for a, b in zip(fast, slow))


# ------------------------------------------------------------------ other formats, CRSs


def _frame(n=4):
    return gpd.GeoDataFrame(
        {"park_id": [f"P{i}" for i in range(n)], "name": ["Сад «Юность»", "B", "C", "D"][:n],
         "park_type": ["sport"] * n, "status": ["existing"] * n, "source": ["t"] * n,
         "accuracy_m": [10.0, 5.0, 7.0, 2.5][:n], "score": [0.5, None, 1.0, 2.0][:n], "count": [1, None, 3, 4][:n], "flag": [True, False, True, None][:n]},
        geometry=[shapely.box(84.95 + i / 100, 56.47, 84.955 + i / 100, 56.475) for i in range(n)], crs="EPSG:4326")


@pytest.mark.parametrize("ext", ["gpkg", "shp", "fgb", "geojson"])
@pytest.mark.parametrize("crs", ["EPSG:4326", "EPSG:32645", "+proj=tmerc +lon_0=85 +k=1 +x_0=500000 +ellps=GRS80"])
def test_other_formats_and_crs_identical(tmp_path, ext, crs):
    f = tmp_path / f"parks.{ext}"
    _frame().to_crs(crs).to_file(f)
    cat = load_catalogue()
    for kw in ({}, {"catalogue": cat}, {"catalogue": cat, "as_layer": "parks"}):
        fast = validate_path(f, frames=True, **kw)
        slow = outcome(validate_path, f, slow=True, frames=True, **kw)[1]
        assert [r.problems for r in fast] == [r.problems for r in slow]
        for a, b in zip(fast, slow):
            assert_same_frame(a.frame, b.frame)
            assert (a.count, a.geometry_types, a.layer, a.inferred) == (b.count, b.geometry_types, b.layer, b.inferred)
    for kw in ({"expect": "parks"}, {"expect": "parks", "to_crs": None}, {}):
        want = outcome(read_layer, f, slow=True, **kw)
        got = outcome(read_layer, f, **kw)
        if want[0] == "ok":
            assert_same_outcome((got[0], {"x": got[1]}), ("ok", {"x": want[1]}))
        else:
            assert_same_outcome(got, want)


def test_several_layers_of_a_geopackage(tmp_path):
    f = tmp_path / "many.gpkg"
    _frame().to_file(f, layer="parks")
    _frame(2).to_file(f, layer="other")
    fast = validate_path(f, load_catalogue(), frames=True)
    slow = outcome(validate_path, f, load_catalogue(), slow=True, frames=True)[1]
    assert [(r.layer, r.problems) for r in fast] == [(r.layer, r.problems) for r in slow]
    for a, b in zip(fast, slow):
        assert_same_frame(a.frame, b.frame)


# ------------------------------------------------------------------ validate=False


def test_validate_false_never_checks(tmp_path, monkeypatch):
    def boom(*a, **k):
        raise AssertionError("validate=False ran a check")

    feats = copy.deepcopy(_mini_features())
    props(feats["parks"], park_type="zoo")
    geom(feats["parks"], BOWTIE, 1)
    props(feats["sites"], 1, status=3)  # a column the fast reader leaves to the record reader
    folder = write_mini(tmp_path / "layers", feats)
    want = outcome(ino_geo.load_layers, folder, slow=True, validate=False)
    shipped = outcome(ino_geo.load_layers, slow=True)
    monkeypatch.setattr(validate_mod, "check_layer", boom)
    monkeypatch.setattr(fastpath, "arrays_pass", boom)
    monkeypatch.setattr(fastpath, "check_geometry_array", boom)
    got = outcome(ino_geo.load_layers, folder, validate=False)
    assert_same_outcome(got, want)
    assert got[1].parks.park_type.iloc[0] == "zoo" and not got[1].parks.geometry.iloc[1].is_valid
    assert_same_outcome(outcome(ino_geo.load_layers, validate=False), shipped)


def test_validate_false_still_fails_on_a_missing_file(tmp_path):
    folder = write_mini(tmp_path / "layers", _mini_features())
    (folder / "parks.geojson").unlink()
    got = outcome(ino_geo.load_layers, folder, validate=False)
    assert got == outcome(ino_geo.load_layers, folder, validate=False, slow=True)
    assert got[0] == "error" and "missing" in got[1][0].message


def test_validate_false_reads_an_unreadable_file_as_before(tmp_path):
    folder = write_mini(tmp_path / "layers", _mini_features())
    (folder / "river.geojson").write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    got = outcome(ino_geo.load_layers, folder, validate=False)
    assert got[0] == "error" and got == outcome(ino_geo.load_layers, folder, validate=False, slow=True)


def test_not_utf8_goes_the_record_way(tmp_path):
    feats = copy.deepcopy(_mini_features())
    folder = write_mini(tmp_path / "layers", feats)
    f = folder / "parks.geojson"
    f.write_bytes(f.read_bytes().replace(b"Campus", "Camp\u00e9s".encode("latin-1")))
    assert fastpath.read_arrays(f) is None
    want = outcome(ino_geo.load_layers, folder, slow=True)
    assert want[0] == "error" and any("UTF-8" in p.message for p in want[1])
    assert_same_outcome(outcome(ino_geo.load_layers, folder), want)


def test_nan_is_not_a_silent_pass():
    """A NaN in a float column counts as empty, as the record checker's is_null says."""
    cat = load_catalogue()
    spec = cat["parks"].columns["accuracy_m"]
    import pyarrow as pa

    assert not fastpath._column_passes(pa.array([1.0, float("nan")]), "float", spec)
    assert fastpath._column_passes(pa.array([1.0, 2.0]), "float", spec)
    assert not fastpath._column_passes(pa.array([1.0, None]), "float", spec)


# ------------------------------------------------------------------ column rules, value by value

from hypothesis import event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from ino_geo.data import checks  # noqa: E402
from ino_geo.data.catalogue import ColumnSpec  # noqa: E402
from ino_geo.data.readers import RawLayer  # noqa: E402


def record_checker_passes(values, col):
    raw = RawLayer("f.geojson", "l", None, [col.name], [{col.name: v} for v in values], [None] * len(values), [])
    found = []
    checks._check_column(raw, col, lambda *a: found.append(a))
    return not found


def test_whitespace_is_pythons():
    import sys

    assert fastpath.WHITESPACE == "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())


_TEXT = st.one_of(st.none(), st.sampled_from(["", " ", "\u3000", "\x1c", "a", "b", " a", "zoo", "1", "\t\n"]))
_COL = dict(nullable=st.booleans(), unique=st.booleans(),
            allowed=st.one_of(st.none(), st.sampled_from([("a", "b"), ("a", 1), (1, 2.5), (True,), ("a", " a")])),
            min=st.one_of(st.none(), st.sampled_from([0, -1.5, 1])), max=st.one_of(st.none(), st.sampled_from([1, 2.5, 10])),
            type=st.sampled_from(["str", "int", "float", "bool"]))


@settings(max_examples=300, deadline=None)
@given(values=st.lists(_TEXT, max_size=6), **_COL)
def test_text_column_rules_agree_with_the_record_checker(values, **kw):
    import pyarrow as pa

    col = ColumnSpec("c", **kw)
    assert fastpath._column_passes(pa.array(values, pa.string()), "str", col) == record_checker_passes(values, col)


_NUMBERS = {
    "int": st.one_of(st.none(), st.integers(-3, 12)),
    "float": st.one_of(st.none(), st.sampled_from([0.0, -0.0, 1.0, 2.5, -1.5, 10.0, 11.0, float("nan"), float("inf")]),
                       st.floats(-20, 20)),
    "bool": st.one_of(st.none(), st.booleans()),
}


@settings(max_examples=600, deadline=None)
@given(data=st.data(), kind=st.sampled_from(sorted(_NUMBERS)), **_COL)
def test_number_column_rules_agree_with_the_record_checker(data, kind, **kw):
    import pyarrow as pa

    values = data.draw(st.lists(_NUMBERS[kind], max_size=6))
    col = ColumnSpec("c", **kw)
    typ = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}[kind]
    assert fastpath._column_passes(pa.array(values, typ), kind, col) == record_checker_passes(values, col)


# ------------------------------------------------------------------ whole files, at random

_LINE = {"type": "LineString", "coordinates": [[84.95, 56.46], [84.97, 56.47]]}
_GEOMS = [
    _LINE,
    {"type": "MultiLineString", "coordinates": [_LINE["coordinates"], [[85.0, 56.5], [85.01, 56.5]]]},
    {"type": "LineString", "coordinates": [[56.46, 84.95], [56.47, 84.97]]},  # swapped
    {"type": "LineString", "coordinates": [[95.0, 56.46], [95.1, 56.47]]},  # outside the extent
    {"type": "LineString", "coordinates": []},
    {"type": "Point", "coordinates": [84.95, 56.46]},
    {"type": "LineString", "coordinates": [[84.95, 56.46], [84.95, 56.46]]},  # invalid: one point twice
    None,
]
_VALID = {
    "corridor_id": st.sampled_from([f"C{i}" for i in range(30)]), "name": st.sampled_from(["Road", "Мост"]),
    "mode": st.sampled_from(["road", "rail"]), "status": st.sampled_from(["existing", "planned"]),
    "speed_kmh": st.sampled_from([50.0, 60, 1, 300.0]), "current_speed_kmh": st.sampled_from([None, 20.0]),
    "bridge": st.sampled_from([None, True, False]), "oneway": st.sampled_from([None, 0, 1, -1]),
    "source": st.just("test"), "accuracy_m": st.sampled_from([10.0, 5]),
}


def _mostly(good, other):
    """`good` nineteen times in twenty, else `other`."""
    return st.tuples(st.integers(0, 19), good, other).map(lambda t: t[2] if t[0] == 7 else t[1])


_ANY = st.one_of(st.none(), st.sampled_from(["", " ", "road", "x", "C1", "2024-01-01"]), st.integers(-2, 400),
                 st.sampled_from([0.5, 1.0, 301.0, -0.0]), st.booleans())


@settings(max_examples=80, deadline=None)
@given(rows=st.lists(st.tuples(
    st.fixed_dictionaries({c: _mostly(v, _ANY) for c, v in _VALID.items()}),
    _mostly(st.sampled_from([0, 1]), st.sampled_from(range(len(_GEOMS))))), min_size=1, max_size=4))
def test_random_corridor_files_agree_with_the_record_reader(rows):
    import tempfile
    from pathlib import Path

    cat = load_catalogue()
    with tempfile.TemporaryDirectory() as tmp:
        f = write_fc(Path(tmp) / "corridors.geojson", [{"type": "Feature", "properties": p, "geometry": _GEOMS[g]}
                                                       for p, g in rows])
        slow = outcome(validate_path, f, cat, slow=True)[1]
        arr = fastpath.read_arrays(f)
        passed = arr is not None and len(arr) > 0 and fastpath.arrays_pass(arr, cat["corridors"], cat)
        assert not (passed and slow[0].problems), slow[0].problems
        assert [r.problems for r in validate_path(f, cat)] == [r.problems for r in slow]
        event(f"fast check passed: {passed}")
        if passed:
            want = outcome(validate_path, f, cat, slow=True, frames=True)[1]
            assert_same_frame(validate_path(f, cat, frames=True)[0].frame, want[0].frame)
