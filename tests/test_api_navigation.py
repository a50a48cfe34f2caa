"""Navigation hand-off (issue #11, item 8): with the rider's position, each app's riding
route from there to the station, origin and destination each in the app's own system;
without it, a marker as before."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from builders import XUANWU, add_station

from stationmap.coordinates import point_from_wgs84, point_to_wgs84

RIDER_WGS84 = (118.7800, 32.0400)
"""The rider, about 2 km south-west of the station."""
TOLERANCE = 2e-6
"""Degrees: the links print six decimals, and a round trip through WGS-84 adds ~1e-7."""


@pytest.fixture
def station(app):
    return add_station(
        app.extensions["stationmap.store"], "玄武湖驿站", XUANWU, address="玄武巷1号"
    )


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def _pair(text: str) -> tuple[float, float]:
    first, second = text.split(",")[:2]
    return float(first), float(second)


def _lat_lng(text: str) -> tuple[float, float]:
    """``lat,lng`` (Tencent, Baidu) as ``(lon, lat)``."""
    lat, lon = _pair(text)
    return lon, lat


def _baidu_point(text: str) -> tuple[float, float]:
    """``latlng:lat,lng|name:…`` as ``(lon, lat)``."""
    assert text.startswith("latlng:")
    return _lat_lng(text.removeprefix("latlng:").split("|")[0])


def _close(got: tuple[float, float], expected: tuple[float, float]) -> None:
    assert abs(got[0] - expected[0]) < TOLERANCE and abs(got[1] - expected[1]) < TOLERANCE, (
        got,
        expected,
    )


def _routes(links: dict[str, str]) -> dict[str, tuple[tuple, tuple]]:
    """Each app's (origin, destination) as (lon, lat) in that app's system."""
    amap, baidu, tencent = (_query(links[app]) for app in ("amap", "baidu", "tencent"))
    assert amap["mode"] == "ride" and amap["coordinate"] == "gaode"
    assert baidu["mode"] == "riding" and baidu["coord_type"] == "bd09ll"
    assert tencent["type"] == "bike"
    return {
        "gcj02 amap": (_pair(amap["from"]), _pair(amap["to"])),
        "bd09 baidu": (_baidu_point(baidu["origin"]), _baidu_point(baidu["destination"])),
        "gcj02 tencent": (_lat_lng(tencent["fromcoord"]), _lat_lng(tencent["tocoord"])),
    }


@pytest.mark.parametrize("crs", ["wgs84", "gcj02", "bd09"])
def test_with_the_riders_position_each_app_gets_a_route_in_its_own_system(app, station, crs):
    given = point_from_wgs84(*RIDER_WGS84, crs)
    url = f"/api/v1/stations/{station.id}/navigation?lon={given[0]:.7f}&lat={given[1]:.7f}"
    answer = app.test_client().get(f"{url}&crs={crs}")
    assert answer.status_code == 200, answer.get_json()
    links = answer.get_json()
    assert links["shows"] == "route" and links["mode"] == "riding"
    assert urlsplit(links["amap"]).path == "/navigation"
    assert urlsplit(links["baidu"]).path == "/direction"
    assert urlsplit(links["tencent"]).path == "/uri/v1/routeplan"
    rider = point_to_wgs84(*given, crs)
    for app_name, (origin, destination) in _routes(links).items():
        system = app_name.split()[0]
        _close(origin, point_from_wgs84(*rider, system))
        _close(destination, point_from_wgs84(station.lon, station.lat, system))


def test_the_route_names_its_ends(app, station):
    url = f"/api/v1/stations/{station.id}/navigation?lon={RIDER_WGS84[0]}&lat={RIDER_WGS84[1]}"
    links = app.test_client().get(url).get_json()
    assert unquote(_query(links["amap"])["to"]).endswith(",玄武湖驿站")
    assert "|name:玄武湖驿站" in _query(links["baidu"])["destination"]
    assert _query(links["tencent"])["to"] == "玄武湖驿站"
    assert _query(links["tencent"])["from"] == "我的位置"


def test_without_a_position_the_links_are_markers_in_each_apps_system(app, station):
    links = app.test_client().get(f"/api/v1/stations/{station.id}/navigation").get_json()
    assert links["shows"] == "marker"
    gcj, bd = (point_from_wgs84(station.lon, station.lat, crs) for crs in ("gcj02", "bd09"))
    _close(_pair(_query(links["amap"])["position"]), gcj)
    _close(_lat_lng(_query(links["baidu"])["location"]), bd)
    tencent = _query(links["tencent"])["marker"].split(";")[0].removeprefix("coord:")
    _close(_lat_lng(tencent), gcj)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("lon=118.78", "lat is required"),
        ("lat=32.04", "lon is required"),
        ("lon=118.78&lat=32.04&crs=utm", "crs: got 'utm'"),
        ("lon=139.69&lat=35.69&crs=gcj02", "outside"),
    ],
)
def test_a_half_or_wrong_position_is_a_400_naming_it(app, station, query, message):
    answer = app.test_client().get(f"/api/v1/stations/{station.id}/navigation?{query}")
    assert answer.status_code == 400
    assert message in answer.get_json()["error"]["message"]
