"""Build ``layers/places.geojson``: the settlements of the Tomsk agglomeration (point layer).

The data live in ``places.csv`` beside this script, one row per settlement:

* ``lat``/``lon`` (EPSG:4326) of the settlement centre, ``accuracy_m`` and ``position_source``
  (a reference coordinate quoted from ru.wikipedia / towiki.ru, or an estimate marked
  "position uncertain" with a large accuracy);
* ``population`` with ``population_year`` and ``population_source``: the 2021 census where a
  figure was found, else the latest other public figure with its year (2015 register of
  Tomsk Oblast, towiki.ru), else empty - no value is invented;
* ``municipality``: the ``boundary_id`` of the municipality in ``boundaries.geojson`` the
  settlement belongs to (for the city districts of Tomsk: ``tomsk``).

:func:`build_places` checks what the catalogue cannot (a year and source with every population,
each point inside its municipality's polygon, unique names) and writes the layer; any problem
raises ``ValueError`` listing all of them, and nothing is written. The catalogue's own rules
(allowed ``kind``, unique ``place_id``, the extent) are applied once, by ino_geo's validator,
when ``rebuild.py`` validates the result.

Settlements left out on purpose (their reference coordinate falls on the wrong side of a
generalised boundary, or no position could be sourced): Zonalnaya Stantsiya (15 421, census
2021; 56°25′46″ N 85°01′00″ E lies inside the generalised Tomsk outline), Tomskoye (1 033;
inside the generalised Asino district outline), Itatka, Kamayevka, Mezheninovka, Voronino,
Kopylovo, Novorozhdestvenskoye (no reference coordinate found).

A step of ``python3 layers/src/rebuild.py`` (after the boundaries), or ``build_places(out_dir)``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import shapely

from common import LAYERS_DIR, read_geojson, to_utm, write_geojson

__all__ = ["PLACES_CSV", "read_places", "check_places", "build_places", "main"]

PLACES_CSV = Path(__file__).with_name("places.csv")


def _int_or_none(text: str) -> int | None:
    return int(text) if text.strip() else None


def read_places(path: Path = PLACES_CSV) -> list[tuple[shapely.Point, dict]]:
    """(EPSG:4326 point, properties) for every row of the places table."""
    out = []
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            pop = _int_or_none(row["population"])
            src = f"position: {row['position_source']}"
            if pop is not None:
                src += f"; population: {row['population_source']}"
            props = {
                "place_id": row["place_id"], "name": row["name"], "name_ru": row["name_ru"],
                "kind": row["kind"], "population": pop,
                "population_year": _int_or_none(row["population_year"]),
                "population_source": row["population_source"] or None,
                "municipality": row["municipality"], "position_source": row["position_source"],
                "source": src, "accuracy_m": float(row["accuracy_m"]),
            }
            out.append((shapely.Point(float(row["lon"]), float(row["lat"])), props))
    return out


def check_places(places: list, boundaries: dict) -> list[str]:
    """Every problem of the table the catalogue does not check: unique names, a year and source
    with every population, each place inside its municipality."""
    problems = []
    for key in ("name", "name_ru"):
        seen = [p[key] for _, p in places]
        dupes = sorted({v for v in seen if seen.count(v) > 1})
        if dupes:
            problems.append(f"{key} not unique: {dupes}")
    for pt, p in places:
        pid = p["place_id"]
        if (p["population"] is None) != (p["population_year"] is None) or (
                p["population"] is not None and not p["population_source"]):
            problems.append(f"{pid}: a population needs its year and source (and no year without one)")
        poly = boundaries.get(p["municipality"])
        if poly is None:
            problems.append(f"{pid}: municipality {p['municipality']!r} is not a boundary_id")
        elif not poly.contains(to_utm(pt)):
            problems.append(f"{pid}: not inside its municipality {p['municipality']}")
    return problems


def build_places(out_dir: str | Path = LAYERS_DIR) -> int:
    """Check the places table against ``out_dir``'s boundaries and write ``places.geojson``.

    Parameters
    ----------
    out_dir : str or Path
        The layers folder: ``boundaries.geojson`` is read from it and
        ``places.geojson`` is written into it. Default: the shipped ``layers/``.

    Returns
    -------
    int
        The number of places written.
    """
    out_dir = Path(out_dir)
    boundaries = {p["boundary_id"]: to_utm(g) for g, p in read_geojson(out_dir / "boundaries.geojson")}
    places = read_places()
    problems = check_places(places, boundaries)
    if problems:
        raise ValueError("places.csv: " + "; ".join(problems))
    return write_geojson(out_dir / "places.geojson", places, "places")


def main(out: Path = LAYERS_DIR) -> int:
    """Write places.geojson into `out` (after the boundaries step); 1 on a problem."""
    try:
        n = build_places(out)
    except ValueError as exc:
        print("PROBLEM:", exc)
        return 1
    print(f"places.geojson: {n} places")
    return 0
