"""The area the finder serves: mainland China and the 500 km around it.

Every stored station lies inside mainland China's outline (the store refuses others),
so a query point far from it can only be answered with stations thousands of
kilometres away, which helps no rider and used to cost a worker half a minute
(lon=0, lat=0 got a station 8,606 km off with no notice). Such points are refused
with :class:`~stationmap.errors.OutsideServiceArea`, a 400 naming the point.

500 km holds all of Taiwan (Lanyu, the farthest, is about 400 km from the outline),
Hong Kong and Macau, the seas off the coast and the border towns of every neighbour
(Seoul 346 km, Hanoi 136 km, Almaty 228 km); Tokyo (1,080 km) and anything farther is
outside. Distances are measured to the outline's boundary, densified so its vertices
are at most 0.02 degrees (about 2 km) apart, by chord in Earth-centred coordinates
(within 0.1 km of the geodesic at 500 km).
"""

from __future__ import annotations

import math
from functools import cache

import geopandas as gpd
import numpy as np
import shapely
from pykdtree.kdtree import KDTree

from ..errors import BadRequest, OutsideServiceArea
from ..resources import data_path
from .geodesy import GEOD, ecef, ecef_point

SERVED_MARGIN_M = 500_000.0
"""How far outside mainland China's outline a query point may lie."""
BOUNDARY_STEP_DEG = 0.02
"""The longest gap between the densified boundary's vertices."""
SURELY_SERVED_CHORD_M = 450_000.0
"""A point this near a stored station is served without looking at the outline.

Stations lie inside the outline or within the store's 0.02-degree coastal margin
(about 2 km), and a chord of 450 km is a geodesic of under 451 km: such a point is at
most some 453 km from the outline, well inside the 500 km served."""


class ServiceArea:
    """Mainland China's outline, ready to say how far outside it a point lies."""

    def __init__(self, outline: shapely.Geometry) -> None:
        self._outline = outline
        shapely.prepare(outline)
        boundary = shapely.segmentize(shapely.boundary(outline), BOUNDARY_STEP_DEG)
        self._vertices = shapely.get_coordinates(boundary)
        self._tree = KDTree(np.ascontiguousarray(ecef(*self._vertices.T)))

    def serves(self, lon: float, lat: float) -> bool:
        """Whether a query point (a valid longitude and latitude) lies in the area served."""
        if shapely.contains_xy(self._outline, lon, lat):
            return True
        chord, _ = self._nearest_vertex(lon, lat)
        return chord <= SERVED_MARGIN_M

    def check(self, lon: float, lat: float) -> None:
        """Raise :class:`OutsideServiceArea` for a point outside the area served."""
        if not (math.isfinite(lon) and math.isfinite(lat) and abs(lon) <= 180 and abs(lat) <= 90):
            raise BadRequest(
                f"lon, lat: got {lon!r}, {lat!r}, expected a longitude from -180 to 180 and "
                "a latitude from -90 to 90",
                code="invalid_parameter",
            )
        if not self.serves(lon, lat):
            raise _outside_error(lon, lat, self._metres_outside(lon, lat))

    def _nearest_vertex(self, lon: float, lat: float) -> tuple[float, int]:
        """The chord to the boundary's nearest vertex, and that vertex's position."""
        chords, nearest = self._tree.query(np.array([ecef_point(lon, lat)]), k=1)
        return float(chords[0]), int(nearest[0])

    def _metres_outside(self, lon: float, lat: float) -> float:
        """About how far a point outside the outline is from it, by geodesic (for messages)."""
        vertex_lon, vertex_lat = self._vertices[self._nearest_vertex(lon, lat)[1]]
        _, _, metres = GEOD.inv(lon, lat, vertex_lon, vertex_lat)
        return float(metres)


@cache
def service_area() -> ServiceArea:
    """The area served, built once per process from the reference layers (about 45 ms)."""
    frame = gpd.read_parquet(data_path("regions", "china_outline.parquet"))
    return ServiceArea(frame.geometry.iloc[0])


def check_served(lon: float, lat: float) -> None:
    """Raise :class:`OutsideServiceArea` unless (lon, lat) lies in the area served."""
    service_area().check(lon, lat)


def _outside_error(lon: float, lat: float, metres: float) -> OutsideServiceArea:
    """The 400 for a point ``metres`` outside the outline, in Chinese (which the pages show
    as it is) and then English, as the importer's messages are."""
    lon_text, lat_text = _degrees(lon), _degrees(lat)
    km = f"{metres / 1000:,.0f}"
    served = f"{SERVED_MARGIN_M / 1000:,.0f}"
    zh = (
        f"该位置（经度 {lon_text}，纬度 {lat_text}）距中国大陆约 {km} 公里，"
        f"超出服务范围（中国大陆及周边 {served} 公里）"
    )
    en = (
        f"lon, lat: got {lon_text}, {lat_text}, about {km} km from mainland China; expected a "
        f"point in the area served (mainland China and up to {served} km around it)"
    )
    return OutsideServiceArea(
        f"{zh} / {en}",
        lon=lon,
        lat=lat,
        distance_km=round(metres / 1000),
        served_within_km=round(SERVED_MARGIN_M / 1000),
    )


def _degrees(value: float) -> str:
    """A coordinate as a user typed it: at most 6 decimals, no trailing zeros."""
    return repr(round(float(value), 6))
