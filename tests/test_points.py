"""Points from spreadsheets (issue 11): ``ino_geo.read_points`` and ``proximity --from TABLE``.

Coordinates used (EPSG:4326): TSU main building 84.9475 E 56.4694 N, Seversk 84.8833 E 56.6 N,
Asino 86.15 E 56.9833 N (en/ru.wikipedia, as in test_shipped_layers). Projected copies are made
with pyproj, independently of the reader.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from pyproj import Transformer

import ino_geo
from ino_geo import DataError, UsageError, read_points
from ino_geo.cli import cli

openpyxl = pytest.importorskip("openpyxl")

PTS = [("TSU", 84.9475, 56.4694, "007"), ("Seversk", 84.8833, 56.6, "12"), ("Asino", 86.15, 56.9833, "x-3")]


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def one_error(r, code: int, *needles: str) -> str:
    """Exit `code`, exactly one ``ino-geo: error:`` line containing every needle, no traceback."""
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert "Traceback" not in r.output
    assert r.exit_code == code, (r.exit_code, r.output)
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("ino-geo: error:")]
    assert len(errors) == 1, r.stderr
    assert all(ln.startswith("ino-geo:") for ln in r.stderr.splitlines()), r.stderr
    for n in needles:
        assert n in errors[0], (n, errors[0])
    return errors[0]


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def coords(gdf) -> np.ndarray:
    return np.column_stack([gdf.geometry.x, gdf.geometry.y])


EXPECTED = np.array([[x, y] for _, x, y, _ in PTS])


# ------------------------------------------------------------------------------ reading


def test_csv_columns_found_by_name_case_insensitive_and_carried_through(tmp_path):
    p = write_text(tmp_path / "pts.csv", "Name,Latitude,LONGITUDE,code\n"
                   + "".join(f"{n},{y},{x},{c}\n" for n, x, y, c in PTS))
    g = read_points(p)
    assert g.crs.to_epsg() == 4326
    np.testing.assert_allclose(coords(g), EXPECTED)
    assert list(g.columns) == ["Name", "Latitude", "LONGITUDE", "code", "geometry"]
    assert list(g.code) == ["007", "12", "x-3"]  # text stays text: leading zeros kept
    assert g.attrs["source_row"] == [2, 3, 4]


def test_tsv_and_semicolon_with_decimal_comma_and_russian_headers(tmp_path):
    tsv = write_text(tmp_path / "pts.tsv", "id\tlng\tlat\n" + "".join(f"{n}\t{x}\t{y}\n" for n, x, y, _ in PTS))
    np.testing.assert_allclose(coords(read_points(tsv)), EXPECTED)
    ru = "название;Широта;Долгота\n" + "".join(f"{n};{str(y).replace('.', ',')};{str(x).replace('.', ',')}\n"
                                                for n, x, y, _ in PTS)
    semi = write_text(tmp_path / "pts.txt", ru, encoding="cp1251")  # Excel's Russian CSV encoding
    g = read_points(semi)
    np.testing.assert_allclose(coords(g), EXPECTED)
    assert list(g["название"]) == ["TSU", "Seversk", "Asino"]


def test_xlsx_by_name_and_by_xy(tmp_path):
    p = write_xlsx(tmp_path / "pts.xlsx", [["name", "x", "y", "E", "N"]]
                   + [[n, x, y, x + 1, y - 1] for n, x, y, _ in PTS])
    np.testing.assert_allclose(coords(read_points(p)), EXPECTED)
    g = read_points(p, xy="E,N")
    np.testing.assert_allclose(coords(g), EXPECTED + [1, -1])
    assert list(g.name) == ["TSU", "Seversk", "Asino"]
    assert read_points(p, xy=("E", "N")).geometry.equals(g.geometry)


def test_crs_reprojected_to_4326(tmp_path):
    fwd = Transformer.from_crs("EPSG:4326", "EPSG:32645", always_xy=True)
    e, n = fwd.transform(EXPECTED[:, 0], EXPECTED[:, 1])
    p = write_text(tmp_path / "utm.csv", "name,easting,northing\n"
                   + "".join(f"{a},{b:.3f},{c:.3f}\n" for (a, *_), b, c in zip(PTS, e, n)))
    g = read_points(p, xy="easting,northing", crs="EPSG:32645")
    assert g.crs.to_epsg() == 4326
    np.testing.assert_allclose(coords(g), EXPECTED, atol=1e-6)  # 1e-6 deg ~ 0.1 m; input rounded to 1 mm


def test_every_bad_row_listed_with_row_and_column(tmp_path):
    p = write_text(tmp_path / "bad.csv", "name,lat,lon\n"
                   "ok,56.47,84.95\n"        # row 2
                   "missing,,84.9\n"         # row 3
                   "text,abc,84.9\n"         # row 4
                   "range,95,84.9\n"         # row 5
                   "nan,NaN,84.9\n"          # row 6
                   "lonrange,56.5,-200\n"    # row 7
                   "both,,\n")               # row 8
    with pytest.raises(DataError) as info:
        read_points(p)
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith(str(p))
    assert "6 bad rows" in msg
    for needle in ("row 3 column 'lat': missing", "row 4 column 'lat': 'abc' is not a number",
                   "row 5 column 'lat': 95 is out of range", "row 6 column 'lat': NaN",
                   "row 7 column 'lon': -200 is out of range", "row 8 column 'lon': missing",
                   "row 8 column 'lat': missing"):
        assert needle in msg, (needle, msg)
    assert "row 2" not in msg


def test_projected_out_of_range_reported(tmp_path):
    p = write_text(tmp_path / "utm.csv", "x,y\n500000,6260000\n1e30,1e30\n")
    with pytest.raises(DataError, match=r"row 3 columns 'x','y': .* out of range for EPSG:32645"):
        read_points(p, crs="EPSG:32645")


def test_xlsx_rows_counted_as_the_sheet_shows(tmp_path):
    p = write_xlsx(tmp_path / "bad.xlsx", [["name", "lat", "lon"], ["a", 56.4, 84.9], [None, None, None],
                                           ["b", "north", 84.9], ["c", 56.5, None]])
    with pytest.raises(DataError) as info:
        read_points(p)
    msg = str(info.value)
    assert "row 4 column 'lat': 'north' is not a number" in msg  # the blank row 3 still counts
    assert "row 5 column 'lon': missing" in msg


def test_no_coordinate_columns_and_bad_arguments(tmp_path):
    p = write_xlsx(tmp_path / "addr.xlsx", [["name", "address"], ["TSU", "Lenin Ave 36"]])
    with pytest.raises(DataError, match=r"addr.xlsx: no longitude and latitude column .*columns: name, address"):
        read_points(p)
    only_lat = write_text(tmp_path / "lat.csv", "name,lat\na,56\n")
    with pytest.raises(DataError, match="no longitude column"):
        read_points(only_lat)
    with pytest.raises(UsageError, match="has no column 'E'"):
        read_points(p, xy="E,N")
    with pytest.raises(UsageError, match="two column names"):
        read_points(p, xy="E")
    with pytest.raises(UsageError, match="not a known CRS"):
        read_points(only_lat, crs="EPSG:999999")
    header_only = write_text(tmp_path / "h.csv", "lat,lon\n")
    with pytest.raises(DataError, match="no data rows"):
        read_points(header_only)
    garbage = tmp_path / "g.xlsx"
    garbage.write_bytes(b"PK\x03\x04" + bytes(50))
    with pytest.raises(DataError, match="not a readable XLSX"):
        read_points(garbage)


# ------------------------------------------------------------------------------ CLI


def test_cli_proximity_from_csv_equals_the_same_points_as_geojson(tmp_path):
    p = write_text(tmp_path / "pts.csv", "name,lat,lon,code\n" + "".join(f"{n},{y},{x},{c}\n" for n, x, y, c in PTS))
    gj = tmp_path / "pts.geojson"
    gj.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": n}, "geometry": {"type": "Point", "coordinates": [x, y]}}
        for n, x, y, _ in PTS]}))
    a = invoke("proximity", "--from", p, "--park-type", "medical", "--format", "json")
    b = invoke("proximity", "--from", gj, "--park-type", "medical", "--format", "json")
    assert a.exit_code == 0 and b.exit_code == 0, (a.output, b.output)
    ra, rb = json.loads(a.stdout), json.loads(b.stdout)
    ra, rb = ra["records"], rb["records"]
    assert [x["distance_m"] for x in ra] == pytest.approx([x["distance_m"] for x in rb])
    assert [x["park_id"] for x in ra] == [x["park_id"] for x in rb]
    assert [x["code"] for x in ra] == ["007", "12", "x-3"]          # carried through
    assert [x["source_row"] for x in ra] == [2, 3, 4]


def test_cli_xy_and_crs(tmp_path):
    fwd = Transformer.from_crs("EPSG:4326", "EPSG:32645", always_xy=True)
    e, n = fwd.transform(EXPECTED[:, 0], EXPECTED[:, 1])
    p = write_xlsx(tmp_path / "utm.xlsx", [["site", "E", "N"]] + [[a[0], b, c] for a, b, c in zip(PTS, e, n)])
    out = tmp_path / "out.csv"
    r = invoke("-q", "proximity", "--from", p, "--xy", "E,N", "--crs", "EPSG:32645", "--park-type", "sport",
               "-o", out)
    assert r.exit_code == 0, r.output
    ref = invoke("-q", "proximity", "--from", write_text(tmp_path / "ll.csv", "site,lon,lat\n" + "".join(
        f"{a},{x},{y}\n" for a, x, y, _ in PTS)), "--park-type", "sport", "--format", "csv")
    import pandas as pd
    import io
    got, want = pd.read_csv(out), pd.read_csv(io.StringIO(ref.stdout))
    np.testing.assert_allclose(got.distance_m, want.distance_m, atol=0.5)
    assert list(got.site) == ["TSU", "Seversk", "Asino"]


@pytest.mark.parametrize("table", ["csv", "xlsx"])
def test_cli_bad_rows_exit_1_and_nothing_written(tmp_path, table):
    rows = [["name", "lat", "lon"], ["a", 56.47, 84.95], ["b", "", 84.9], ["c", "x", 84.9], ["d", 56.5, 400]]
    if table == "csv":
        p = write_text(tmp_path / "bad.csv", "".join(",".join(map(str, r)) + "\n" for r in rows))
    else:
        p = write_xlsx(tmp_path / "bad.xlsx", [[None if v == "" else v for v in r] for r in rows])
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    r = invoke("proximity", "--from", p, "-o", out_dir / "p.csv")
    one_error(r, 1, str(p), "3 bad rows", "row 3 column 'lat': missing", "row 4 column 'lat': 'x' is not a number",
              "row 5 column 'lon': 400 is out of range")
    assert list(out_dir.iterdir()) == []


def test_cli_xlsx_without_coordinate_columns_exit_1(tmp_path):
    p = write_xlsx(tmp_path / "addr.xlsx", [["name", "address"], ["TSU", "Lenin Ave 36"]])
    one_error(invoke("proximity", "--from", p), 1, str(p), "no longitude and latitude column", "--xy")


def test_cli_usage_errors_exit_2(tmp_path):
    p = write_text(tmp_path / "pts.csv", "name,lat,lon\na,56.47,84.95\n")
    one_error(invoke("proximity", "--from", p, "--xy", "E,N"), 2, "--xy", "'E'")
    one_error(invoke("proximity", "--from", p, "--crs", "nonsense"), 2, "--crs nonsense")
    one_error(invoke("proximity", "--from", "sites", "--xy", "lon,lat"), 2, "--xy/--crs", "sites")
    one_error(invoke("proximity", "--from", tmp_path / "none.csv"), 2, "none.csv")


def test_read_points_in_the_flat_namespace():
    assert ino_geo.read_points is read_points
