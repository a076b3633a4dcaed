"""The features of each spec layer: fetched from the layers or the results, filtered, checked.

:class:`SpecFrames` turns the ``[[layers]]`` of a map spec into GeoDataFrames in EPSG:4326:
a layer of the layers folder, distance rings around one (buffered in a metric CRS), or a part
of an already computed analysis result (:class:`~ino_geo.webmap.results.MapResults`); then
keeps the features the spec's ``where``/``contains``/``near`` select, and computes the map's
extent. Records are numbered from 0 in messages, as the validator numbers them.
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any

from ino_geo._errors import DataError
from ino_geo.webmap.results import MapResults, coverage_part
from ino_geo.webmap.spec import MapLayer, MapSpec

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["SpecFrames", "clip_frame", "as_storage", "metric_crs", "record_label", "METRIC_FALLBACK", "TOMSK_EXTENT"]

log = logging.getLogger("ino_geo")

#: Metric CRS when none can be estimated (UTM 45N, Tomsk).
METRIC_FALLBACK = "EPSG:32645"
#: Extent of a map with nothing to draw (Tomsk).
TOMSK_EXTENT = (84.7, 56.3, 85.2, 56.65)
_ID_COLUMNS = ("park_id", "site_id", "corridor_id", "boundary_id", "cell_id", "origin_id")


class SpecFrames:
    """The data of one rendering: the spec, the layers, the results; notes for the legend."""

    def __init__(self, spec: MapSpec, layers: Any, results: MapResults, clip: Any = None):
        self.spec = spec
        self.clip = clip  # a focus area (EPSG:4326): only what touches it is drawn, clipped
        self.layers = layers
        self.results = results
        self.notes: list[str] = []
        self._cache: dict[str, Any] = {}

    def where(self, i: int, key: str) -> str:
        """``maps/x.toml: layers[2].key`` (spec layers numbered from 1, as in the TOML array)."""
        return f"{self.spec.path or '<map spec>'}: layers[{i + 1}].{key}"

    def all(self) -> list[tuple[MapLayer, "gpd.GeoDataFrame"]]:
        """Every spec layer with its features, in drawing order."""
        return [(lyr, self.layer_frame(i, lyr)) for i, lyr in enumerate(self.spec.layers)]

    def source_layer(self, name: str, where: str) -> "gpd.GeoDataFrame":
        """Layer `name` of the layers, in EPSG:4326."""
        if name not in self._cache:
            try:
                gdf = self.layers[name]
            except (KeyError, TypeError, AttributeError):
                gdf = getattr(self.layers, name, None)
            if gdf is None:
                raise DataError(f"{where}: no layer {name!r} in the layers{_have(self.layers)}")
            self._cache[name] = as_storage(gdf, name)
        return self._cache[name]

    def layer_frame(self, i: int, lyr: MapLayer) -> "gpd.GeoDataFrame":
        """The features spec layer `i` draws."""
        if lyr.kind == "layer":
            gdf = self.source_layer(lyr.source, self.where(i, "layer"))
        elif lyr.kind == "rings":
            gdf = self.rings(i, lyr)
        else:
            gdf = self.analysis(i, lyr)
        gdf = self.filter(i, lyr, gdf)
        if self.clip is not None:
            gdf = clip_frame(gdf, self.clip)
        gdf = self.drop_empty(i, lyr, gdf)
        for key, cols in (("popup", lyr.popup), ("tooltip", lyr.tooltip)):
            missing = [c for c in cols if c not in gdf.columns]
            if missing:
                log.warning("%s: column(s) %s not in the data; not shown", self.where(i, key), ", ".join(missing))
        if lyr.color_by is not None and lyr.color_by not in gdf.columns and len(gdf):
            raise DataError(f"{self.where(i, 'color_by')}: no column {lyr.color_by!r} in {lyr.source!r} "
                            f"(columns: {', '.join(c for c in gdf.columns if c != 'geometry')})")
        return gdf

    def analysis(self, i: int, lyr: MapLayer) -> "gpd.GeoDataFrame":
        """A part of the given results: ``coverage.areas|gaps|cells`` or ``proximity``."""
        if lyr.source.startswith("coverage."):
            part = coverage_part(self.results, lyr.source.split(".", 1)[1], self.where(i, "analysis"),
                                 every=lyr.source == "coverage.areas")
            return as_storage(part, lyr.source)
        return as_storage(self.results.proximity, lyr.source)

    def filter(self, i: int, lyr: MapLayer, gdf: "gpd.GeoDataFrame") -> "gpd.GeoDataFrame":
        """The features the spec's ``where``, ``contains`` and ``near`` keep."""
        import numpy as np

        keep = np.ones(len(gdf), dtype=bool)
        for col, values in lyr.where.items():
            keep &= self._where(i, lyr, gdf, col, values)
        for col, needles in lyr.contains.items():
            if col not in gdf.columns:
                raise DataError(f"{self.where(i, 'contains.' + col)}: no column {col!r} in {lyr.source!r}")
            low = gdf[col].fillna("").astype(str).str.lower()
            hit = np.zeros(len(gdf), dtype=bool)
            for s in needles:
                hit |= low.str.contains(s.lower(), regex=False).to_numpy(dtype=bool)
            keep &= hit
        if lyr.near_layer is not None:
            import shapely

            near = self.source_layer(lyr.near_layer, self.where(i, "near.layer"))
            crs = metric_crs(near if len(near) else gdf)
            centre = shapely.union_all(near.to_crs(crs).geometry.values)
            keep &= np.asarray(shapely.dwithin(gdf.to_crs(crs).geometry.values, centre, lyr.near_m), dtype=bool)
        return gdf[keep]

    def _where(self, i: int, lyr: MapLayer, gdf: "gpd.GeoDataFrame", col: str, values: tuple[Any, ...]):
        import numpy as np

        if col not in gdf.columns:
            if not all(isinstance(v, bool) for v in values):
                raise DataError(f"{self.where(i, 'where.' + col)}: no column {col!r} in {lyr.source!r}")
            return np.zeros(len(gdf), dtype=bool)  # an optional flag column (bridge = true) the layer lacks
        series = gdf[col]
        hit = np.zeros(len(gdf), dtype=bool)
        for v in values:
            if isinstance(v, bool):
                hit |= series.map(lambda x, v=v: _truthy(x) == v).to_numpy(dtype=bool)
            else:
                hit |= (series == v).to_numpy(dtype=bool)
        return hit

    def drop_empty(self, i: int, lyr: MapLayer, gdf: "gpd.GeoDataFrame") -> "gpd.GeoDataFrame":
        """Leave out features without geometry (said on the map); refuse non-finite coordinates."""
        import numpy as np
        import shapely

        empty = gdf.geometry.isna() | gdf.geometry.is_empty
        if empty.any():
            n_empty = int(empty.sum())
            log.warning("%s: %d feature(s) without geometry not drawn", self.where(i, lyr.kind), n_empty)
            why = " (e.g. not reachable)" if lyr.kind == "analysis" else ""
            self.notes.append(f"{n_empty} of {len(gdf)} rows of “{lyr.title}” have no geometry{why} and are not drawn.")
            gdf = gdf[~empty]
        if len(gdf):
            coords, which = shapely.get_coordinates(gdf.geometry.values, return_index=True)
            bad = ~np.isfinite(coords).all(axis=1)
            if bad.any():
                rec = record_label(gdf, int(which[bad][0]))
                raise DataError(f"{self.where(i, lyr.kind)}: {lyr.source!r} record {rec}: field geometry: "
                                "non-finite (NaN/inf) coordinates; fix the layer (ino-geo layers validate)")
        return gdf

    def rings(self, i: int, lyr: MapLayer) -> "gpd.GeoDataFrame":
        """Annuli 0–d1, d1–d2, ... metres around a layer, buffered in its metric CRS."""
        import geopandas as gpd
        import shapely

        around = self.source_layer(lyr.source, self.where(i, "rings.around"))
        around = around[~(around.geometry.isna() | around.geometry.is_empty)]
        if around.empty:
            raise DataError(f"{self.where(i, 'rings.around')}: layer {lyr.source!r} has no features to draw rings around")
        crs = metric_crs(around)
        centre = shapely.union_all(around.to_crs(crs).geometry.values)
        label = _first_name(around) or lyr.source
        rows, geoms, inner, lo = [], [], centre, 0.0
        for d in lyr.ring_distances_m:
            outer = shapely.buffer(centre, d, quad_segs=16)
            geoms.append(shapely.difference(outer, inner))
            rows.append({"name": f"{lo:g}–{d:g} m from {label}", "distance_m": d, "from_m": lo})
            inner, lo = outer, d
        return gpd.GeoDataFrame(rows, geometry=geoms, crs=crs).to_crs("EPSG:4326")

    def extent(self, frames: list[tuple[MapLayer, Any]]) -> tuple[float, float, float, float]:
        """(lon_min, lat_min, lon_max, lat_max) of the spec's ``extent``."""
        import numpy as np

        ext = self.spec.extent
        if isinstance(ext, tuple):
            return ext
        if ext == "populated":
            box = self.populated_extent(frames)
            if box is not None:
                return box
        if isinstance(ext, dict):
            match = [g for lyr, g in frames if lyr.id == ext["layer"]] or \
                    [g for lyr, g in frames if lyr.kind == "layer" and lyr.source == ext["layer"]]
            if match and len(match[0]):
                gdf = match[0]
                if ext["buffer_m"]:
                    crs = metric_crs(gdf)
                    gdf = gdf.to_crs(crs).buffer(ext["buffer_m"]).to_crs("EPSG:4326")
                return tuple(float(v) for v in gdf.total_bounds)  # type: ignore[return-value]
        boxes = [g.total_bounds for _, g in frames if len(g)]
        if not boxes:
            return TOMSK_EXTENT
        b = np.array(boxes)
        return (float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max()))


    def populated_extent(self, frames: list[tuple[MapLayer, Any]]) -> tuple[float, float, float, float] | None:
        """Bounds of the densest population cells holding :data:`~ino_geo.defaults.POPULATED_SHARE`
        of the people (the drawn ``coverage.cells``, else the ``population`` layer)."""
        import numpy as np

        from ino_geo import defaults

        cells = [g for lyr, g in frames if lyr.source == "coverage.cells" and len(g)]
        if cells:
            gdf = cells[0]
        else:
            try:
                gdf = self.source_layer("population", "extent")
            except DataError:
                return None
        if "population" not in gdf.columns or not len(gdf):
            return None
        pop = gdf["population"].astype(float).fillna(0).to_numpy()
        if pop.sum() <= 0:
            return None
        dens = pop / np.maximum(gdf.to_crs(metric_crs(gdf)).area.to_numpy(), 1.0)
        order = np.argsort(-dens, kind="stable")
        cum = np.cumsum(pop[order]) / pop.sum()
        keep = order[: int(np.searchsorted(cum, defaults.POPULATED_SHARE)) + 1]
        return tuple(float(v) for v in gdf.iloc[keep].total_bounds)  # type: ignore[return-value]


def _have(layers: Any) -> str:
    for attr in ("names", "keys"):
        f = getattr(layers, attr, None)
        if callable(f):
            try:
                names = list(f())
            except Exception:  # pragma: no cover - best effort for a message
                continue
            return f" (have: {', '.join(map(str, names))})" if names else ""
    return ""


def _truthy(x: Any) -> bool:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return False
    if isinstance(x, str):
        return x.strip().lower() in ("true", "1", "yes")
    try:
        return bool(x)
    except (TypeError, ValueError):  # pandas NA
        return False


def record_label(gdf: "gpd.GeoDataFrame", pos: int) -> str:
    """'3 (park_id=P04)': the record number counted from 0, as the validator does, and the id.

    Examples
    --------
    >>> import pandas as pd
    >>> record_label(pd.DataFrame({"park_id": ["P01", "P02"]}), 1)
    '1 (park_id=P02)'
    """
    for col in gdf.columns:
        if col in _ID_COLUMNS:
            return f"{pos} ({col}={gdf[col].iloc[pos]})"
    return str(pos)


def _first_name(gdf: "gpd.GeoDataFrame") -> str | None:
    if "name" in gdf.columns and len(gdf):
        v = gdf["name"].iloc[0]
        return str(v) if isinstance(v, str) and v else None
    return None


def metric_crs(gdf: "gpd.GeoDataFrame") -> str:
    """The layer's metric CRS (:func:`ino_geo.metric_crs_for`), or UTM 45N."""
    from ino_geo.crs import metric_crs_for

    try:
        return metric_crs_for(gdf)
    except DataError:
        return METRIC_FALLBACK


def as_storage(gdf: Any, what: str) -> "gpd.GeoDataFrame":
    """`gdf` in EPSG:4326 (a GeoDataFrame with a CRS, else :class:`DataError`)."""
    import geopandas as gpd

    if not isinstance(gdf, gpd.GeoDataFrame):
        raise DataError(f"{what}: expected a GeoDataFrame, got {type(gdf).__name__}")
    if gdf.crs is None:
        raise DataError(f"{what}: the layer has no CRS")
    if gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs("EPSG:4326")
    return gdf


def clip_frame(gdf: "gpd.GeoDataFrame", area: Any) -> "gpd.GeoDataFrame":
    """The features of `gdf` (EPSG:4326) that touch `area`, lines and polygons clipped to it."""
    import numpy as np
    import shapely

    if not len(gdf):
        return gdf
    geoms = np.asarray(gdf.geometry.values)
    hit = np.asarray(shapely.intersects(geoms, area), dtype=bool)
    out = gdf[hit].copy()
    kinds = shapely.get_type_id(np.asarray(out.geometry.values))
    clip = kinds != 0  # points stay as they are
    if clip.any():
        geo = np.asarray(out.geometry.values).copy()
        geo[clip] = shapely.intersection(shapely.make_valid(geo[clip]), area)  # e.g. a gap ring touching itself
        out = out.set_geometry(geo, crs=gdf.crs)
        out = out[~(out.geometry.is_empty | out.geometry.isna())]
    return out
