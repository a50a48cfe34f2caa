"""Hand-off links to the navigation apps riders use, each in its own coordinate system.

Amap and Tencent Maps take GCJ-02, Baidu Maps BD-09; a WGS-84 point given to any of
them lands 300 to 1,500 m off. Given the rider's position, each link opens the app's
riding route from there to the station (the apps' documented URI APIs:
``uri.amap.com/navigation``, ``api.map.baidu.com/direction``,
``apis.map.qq.com/uri/v1/routeplan``); without it, a marker on the station. The links
open the app when installed, the web map otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from .coordinates import point_from_wgs84
from .types import Station

ROUTE, MARKER = "route", "marker"
"""What a link shows: the way from the rider to the station, or the station alone."""
RIDING = "riding"
"""The travel mode of every route link: each of the three apps has a riding route."""
HERE = "我的位置"
"""The name the apps show for the route's start."""
SOURCE = "stationmap"


@dataclass(frozen=True)
class Place:
    """A named point in one app's coordinate system (``lon``, ``lat`` in that system)."""

    lon: float
    lat: float
    name: str

    @classmethod
    def of(cls, wgs84: tuple[float, float], crs: str, name: str) -> Place:
        """The WGS-84 point ``wgs84`` as an app working in ``crs`` must be given it."""
        lon, lat = point_from_wgs84(wgs84[0], wgs84[1], crs)
        return cls(lon, lat, quote(name))


def navigation_links(station: Station, origin: tuple[float, float] | None = None) -> dict[str, str]:
    """Links for ``station`` in Amap, Baidu Maps and Tencent Maps, and what they show.

    ``origin`` is the rider's WGS-84 ``(lon, lat)``: with it, each link is the app's
    riding route from there (``"shows": "route"``); without it, a marker on the
    station (``"shows": "marker"``).
    """
    to = (station.lon, station.lat)
    if origin is None:
        return {**marker_links(station), "shows": MARKER}
    return {
        "amap": amap_route(Place.of(origin, "gcj02", HERE), Place.of(to, "gcj02", station.name)),
        "baidu": baidu_route(
            Place.of(origin, "bd09", HERE), Place.of(to, "bd09", station.name), station.city
        ),
        "tencent": tencent_route(
            Place.of(origin, "gcj02", HERE), Place.of(to, "gcj02", station.name)
        ),
        "shows": ROUTE,
        "mode": RIDING,
    }


def marker_links(station: Station) -> dict[str, str]:
    """Links that show ``station`` alone in each app."""
    gcj_lon, gcj_lat = point_from_wgs84(station.lon, station.lat, "gcj02")
    bd_lon, bd_lat = point_from_wgs84(station.lon, station.lat, "bd09")
    name, address = quote(station.name), quote(station.address or station.name)
    return {
        "amap": f"https://uri.amap.com/marker?position={gcj_lon:.6f},{gcj_lat:.6f}"
        f"&name={name}&src={SOURCE}&coordinate=gaode&callnative=1",
        "baidu": f"https://api.map.baidu.com/marker?location={bd_lat:.6f},{bd_lon:.6f}"
        f"&title={name}&content={address}&output=html&coord_type=bd09ll&src={SOURCE}",
        "tencent": f"https://apis.map.qq.com/uri/v1/marker?marker=coord:{gcj_lat:.6f},"
        f"{gcj_lon:.6f};title:{name};addr:{address}&referer={SOURCE}",
    }


def amap_route(start: Place, end: Place) -> str:
    """Amap's riding route; points are ``lon,lat,name`` in GCJ-02 (``coordinate=gaode``)."""
    return (
        f"https://uri.amap.com/navigation?from={start.lon:.6f},{start.lat:.6f},{start.name}"
        f"&to={end.lon:.6f},{end.lat:.6f},{end.name}&mode=ride&policy=1&src={SOURCE}"
        "&coordinate=gaode&callnative=1"
    )


def baidu_route(start: Place, end: Place, region: str) -> str:
    """Baidu's riding route; points are ``latlng:lat,lng|name:…`` in BD-09 (``bd09ll``)."""
    return (
        f"https://api.map.baidu.com/direction?origin=latlng:{start.lat:.6f},{start.lon:.6f}"
        f"|name:{start.name}&destination=latlng:{end.lat:.6f},{end.lon:.6f}|name:{end.name}"
        f"&mode=riding&region={quote(region)}&coord_type=bd09ll&output=html&src={SOURCE}"
    )


def tencent_route(start: Place, end: Place) -> str:
    """Tencent's cycling route; coordinates are ``lat,lng`` in GCJ-02."""
    return (
        f"https://apis.map.qq.com/uri/v1/routeplan?type=bike&from={start.name}"
        f"&fromcoord={start.lat:.6f},{start.lon:.6f}&to={end.name}"
        f"&tocoord={end.lat:.6f},{end.lon:.6f}&policy=0&referer={SOURCE}"
    )
