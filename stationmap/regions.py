"""China's administrative regions, from the reference layers in ``data/regions``.

The store uses this to refuse points outside China, to check county codes and to
fill in province, city and county names from a 6-digit adcode. The layers are
read once per process (about a third of a second) and kept in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import cast

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from .resources import data_path

COAST_MARGIN_DEG = 0.02
"""How far (degrees, about 2 km) outside the simplified outline a point may lie.

The committed boundaries are simplified to a few hundred metres, so a pier or a
station on the sea front can fall just outside them; it is still in China.
"""


@dataclass(frozen=True)
class County:
    """A county-level unit: its 6-digit adcode and the names above it."""

    adcode: str
    name: str
    city_adcode: str
    city: str
    province_adcode: str
    province: str


_COUNTY_COLUMNS = ("adcode", "name", "city_adcode", "city_name", "province_adcode", "province_name")
"""The layer's columns that make a :class:`County`, in its field order."""


class RegionIndex:
    """County boundaries with a spatial index, for lookups by code and by point."""

    def __init__(self, counties: gpd.GeoDataFrame, outline: shapely.Geometry) -> None:
        self._frame = counties.reset_index(drop=True)
        self._geoms = self._frame.geometry.values
        self._tree = shapely.STRtree(self._geoms)
        self._outline = outline
        shapely.prepare(self._outline)
        self._by_code = {row.adcode: i for i, row in enumerate(self._frame.itertuples())}
        rows = self._frame[list(_COUNTY_COLUMNS)].itertuples(index=False, name=None)
        self._counties = {county.adcode: county for county in (County(*row) for row in rows)}

    def __len__(self) -> int:
        return len(self._frame)

    def county(self, adcode: str) -> County | None:
        """The county with this adcode, or None when the code is unknown."""
        return self._counties.get(adcode)

    def boundary(self, adcode: str) -> BaseGeometry:
        """The county's (simplified) boundary polygon."""
        return self._geoms[self._by_code[adcode]]

    def find_counties(self, text: str, limit: int = 10) -> list[County]:
        """Counties whose name, or city and name, contain ``text`` (e.g. 玄武, 南京玄武区)."""
        wanted = text.strip()
        if not wanted:
            return []
        found = [
            c
            for c in self._counties.values()
            if wanted in c.name
            or wanted in f"{c.province}{c.city}{c.name}"
            or wanted in f"{c.city}{c.name}"
        ]
        return sorted(found, key=lambda c: (len(c.name), c.adcode))[:limit]

    def centre(self, adcode: str) -> tuple[float, float]:
        """A point inside the county (lon, lat), for centring a map on it."""
        point = shapely.point_on_surface(self.boundary(adcode))
        return (point.x, point.y)

    def adcodes(self) -> list[str]:
        """Every county code, in layer order."""
        return self._frame.adcode.tolist()

    def in_china(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Which points lie inside mainland China (within the coastal margin)."""
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        inside = shapely.contains_xy(self._outline, lon, lat)
        if not inside.all():
            rest = ~inside
            near = shapely.dwithin(
                self._outline, shapely.points(lon[rest], lat[rest]), COAST_MARGIN_DEG
            )
            inside[rest] = near
        return inside

    def locate(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """The adcode of the county holding each point ("" where none is near)."""
        points = _points(lon, lat)
        found = np.full(len(points), "", dtype=np.object_)
        point_idx, county_idx = self._tree.query(points, predicate="within")
        found[point_idx[::-1]] = self._frame.adcode.values[county_idx[::-1]]
        missing = np.flatnonzero(found == "")
        if len(missing):
            near_p, near_c = self._tree.query_nearest(
                points[missing], max_distance=COAST_MARGIN_DEG
            )
            found[missing[near_p]] = self._frame.adcode.values[near_c]
        return found


def _points(lon: np.ndarray, lat: np.ndarray) -> npt.NDArray[np.object_]:
    """Points from coordinate arrays (shapely's stub cannot tell arrays give an array)."""
    xy = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return cast("npt.NDArray[np.object_]", shapely.points(*xy))


@cache
def load_regions() -> RegionIndex:
    """The mainland county layer and outline, read once per process."""
    counties = gpd.read_parquet(data_path("regions", "counties.parquet"))
    outline = gpd.read_parquet(data_path("regions", "china_outline.parquet")).geometry.iloc[0]
    return RegionIndex(counties, outline)
