"""Answers shared by the Flask views and the WSGI fast path (Flask-free)."""

from __future__ import annotations

from ..coordinates import from_wgs84, point_to_wgs84
from ..finder import StationIndex, find_nearest
from ..geojson import found_collection_json
from ..types import FoundStation
from .params import QueryArgs

NEAREST = "/api/v1/stations/nearest"


def nearest_geojson(args: QueryArgs, index: StationIndex) -> bytes:
    """The nearest-stations answer for a query, from the in-memory index, as GeoJSON (UTF-8)."""
    crs = args.crs()
    lon, lat = args.number("lon"), args.number("lat")
    if crs != "wgs84":
        lon, lat = point_to_wgs84(lon, lat, crs)
    found = find_nearest(
        index, lon, lat, args.integer("k"), args.station_filter(), args.number("max_distance_m")
    )
    return found_collection_json(found, coordinates_in(found, crs), crs, index.notice)


def coordinates_in(found: list[FoundStation], crs: str) -> list[tuple[float, float]]:
    """The results' positions in ``crs``."""
    lons = [f.station.lon for f in found]
    lats = [f.station.lat for f in found]
    if crs != "wgs84" and found:
        lons, lats = (v.tolist() for v in from_wgs84(lons, lats, crs))
    return list(zip(lons, lats, strict=True))
