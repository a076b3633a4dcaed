"""Shared fixtures: the shipped catalogue, small GeoJSON writers, a copy of the layers folder."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from ino_geo.data.layers import default_layers_dir

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def feature(geometry, **props):
    """A GeoJSON feature dict."""
    return {"type": "Feature", "properties": props, "geometry": geometry}


def write_fc(path: Path, features, crs: str | None = None) -> Path:
    """Write a FeatureCollection; `crs` adds the (pre-RFC 7946) named-CRS member."""
    fc = {"type": "FeatureCollection", "features": list(features)}
    if crs is not None:
        fc["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    return path


def square(x, y, d=0.01):
    """A GeoJSON polygon: the square [x, x+d] x [y, y+d]."""
    return {"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}


def park(pid, x=84.95, y=56.47, **over):
    props = dict(park_id=pid, name=f"Park {pid}", park_type="sport", status="existing",
                 source="test", accuracy_m=10.0)
    props.update(over)
    return feature(square(x, y), **props)


@pytest.fixture
def layers_copy(tmp_path) -> Path:
    """A writable copy of the shipped layers folder."""
    dst = tmp_path / "layers"
    shutil.copytree(default_layers_dir(), dst, ignore=shutil.ignore_patterns("src", "*.md"))
    return dst


def _mini_features():
    """Tiny but valid features for every catalogue layer, around central Tomsk."""
    src = dict(source="test fixture", accuracy_m=10.0)
    parks = [
        park("P1", park_type="research_education", name="Campus"),
        park("P2", x=84.97, park_type="medical", name="Clinic <b>&</b>"),
    ]
    sites = [
        feature({"type": "Point", "coordinates": [84.955, 56.475]}, site_id="S1", name="Lab", category="research_education",
                cluster=None, priority="science_education", status="existing", **src),
        feature({"type": "Point", "coordinates": [84.99, 56.49]}, site_id="S2", name="Plant", category="industrial",
                cluster="petrochemical", priority="advanced_industry", status="planned", **src),
    ]
    corridors = [
        feature({"type": "LineString", "coordinates": [[84.95, 56.46], [84.97, 56.47], [85.0, 56.49]]},
                corridor_id="C1", name="Road", mode="road", status="existing", speed_kmh=50.0, current_speed_kmh=None,
                bridge=False, **src),
    ]
    river = [feature(square(84.90, 56.40, 0.02), name="Tom", **src)]
    waterfront = [feature(square(84.93, 56.46, 0.005), name="Waterfront", **src)]
    boundaries = [
        feature(square(84.90, 56.40, 0.2), boundary_id="B1", name="City", level="municipality", parent=None,
                population=1000, population_year=2021, population_source="test", **src),
    ]
    population = [
        feature(square(84.90, 56.40, 0.1), cell_id="c1", population=400.0, boundary_id="B1", **{**src, "source": "modelled"}),
        feature(square(85.00, 56.50, 0.1), cell_id="c2", population=600.0, boundary_id="B1", **{**src, "source": "modelled"}),
    ]
    places = [
        feature({"type": "Point", "coordinates": [84.95, 56.48]}, place_id="T1", name="Town", name_ru="Город",
                kind="town", population=900, population_year=2021, population_source="test", municipality="B1",
                position_source="test", **src),
    ]
    return dict(parks=parks, sites=sites, corridors=corridors, river=river, waterfront=waterfront,
                boundaries=boundaries, population=population, places=places)


@pytest.fixture
def mini_layers(tmp_path) -> Path:
    """A layers folder with the shipped catalogue and a few valid features per layer."""
    dst = tmp_path / "mini"
    dst.mkdir()
    shutil.copy(default_layers_dir() / "catalogue.toml", dst / "catalogue.toml")
    for name, feats in _mini_features().items():
        write_fc(dst / f"{name}.geojson", feats)
    return dst
