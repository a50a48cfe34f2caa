"""Typed search as a rider means it, on stations stored in real SpatiaLite and PostGIS:
services as filters, a place as a point, the rest as text, nearest first."""

from __future__ import annotations

import random

import pytest
from builders import add_station
from finder_data import index_of
from pyproj import Geod

from stationmap.errors import BadRequest
from stationmap.finder.search import interpret, search_stations, search_words

GEOD = Geod(ellps="WGS84")
TIANANMEN = (116.3975, 39.9087)
"""A rider in 北京 (东城区), a few kilometres west of 朝阳区."""
CHANGCHUN = (125.33, 43.86)
"""A rider in 长春, beside its own 朝阳区."""
PEOPLES_SQUARE = (121.4737, 31.2304)
"""A rider at 上海 人民广场, a few hundred metres from 南京东路."""


def add_chaoyang_banks(store) -> dict[str, str]:
    """Banks in 北京朝阳区 and 长春朝阳区, one in 山东招远 with 朝阳 in its name, a shop in
    北京朝阳区: what 朝阳 银行 must tell apart."""
    ids = {}
    for name, lonlat in (
        ("工商银行朝外支行驿站", (116.44, 39.92)),
        ("建设银行望京支行驿站", (116.47, 39.99)),
        ("农业银行国贸支行驿站", (116.46, 39.91)),
        ("长春朝阳农商银行驿站", (125.28, 43.84)),
        ("招远朝阳路银行驿站", (120.40, 37.36)),
    ):
        ids[name] = add_station(store, name=name, lonlat=lonlat, kind="bank").id
    ids["shop"] = add_station(store, name="朝阳便利店驿站", lonlat=(116.45, 39.93), kind="shop").id
    return ids


def names(answer) -> list[str]:
    return [f.station.name for f in answer.found]


def test_county_name_is_the_county_nearest_the_rider(store, regions):
    add_chaoyang_banks(store)
    index = index_of(store)

    answer = search_stations(index, regions, "朝阳 银行", near=TIANANMEN, limit=10)

    assert answer.understood.kinds == ["bank"] and answer.understood.text == []
    assert answer.understood.place.full_name == "北京市朝阳区"
    assert answer.relative_to == "place"
    assert sorted(names(answer)) == [
        "农业银行国贸支行驿站",
        "工商银行朝外支行驿站",
        "建设银行望京支行驿站",
    ]
    distances = [f.distance_m for f in answer.found]
    assert distances == sorted(distances)
    from_changchun = search_stations(index, regions, "朝阳 银行", near=CHANGCHUN)
    assert names(from_changchun) == ["长春朝阳农商银行驿站"]
    assert from_changchun.understood.place.full_name == "长春市朝阳区"


def test_words_run_together_are_split_where_a_place_or_a_service_is(store, regions):
    add_chaoyang_banks(store)
    index = index_of(store)
    spaced = search_stations(index, regions, "朝阳 银行", near=TIANANMEN)
    for typed in ("朝阳银行", "北京朝阳 银行", "附近的朝阳银行", "朝阳，银行"):
        answer = search_stations(index, regions, typed, near=TIANANMEN)
        assert names(answer) == names(spaced), typed


def test_service_words_filter_and_rank_from_the_rider(store, regions):
    near = add_station(store, name="近处驿站", lonlat=(116.40, 39.91), amenities=("hot_water",))
    toilet = add_station(store, name="有厕所", lonlat=(116.42, 39.91), amenities=("toilet",))
    far = add_station(store, name="远处厕所", lonlat=(116.60, 39.91), amenities=("toilet",))
    charging = add_station(
        store, name="充电站点", lonlat=(116.41, 39.91), amenities=("ebike_charging",)
    )
    index = index_of(store)

    for typed in ("卫生间", "厕所", "洗手间", "附近的卫生间", "卫生间 附近"):
        answer = search_stations(index, regions, typed, near=TIANANMEN)
        assert [f.station.id for f in answer.found] == [toilet.id, far.id], typed
        assert answer.understood.amenities == ["toilet"] and answer.relative_to == "point"
    assert [
        f.station.id for f in search_stations(index, regions, "热水", near=TIANANMEN).found
    ] == [near.id]
    ebike = search_stations(index, regions, "电动车充电", near=TIANANMEN)
    assert ebike.understood.amenities == ["ebike_charging"]
    assert [f.station.id for f in ebike.found] == [charging.id]
    assert interpret("热水卫生间", index, regions, None).amenities == ["hot_water", "toilet"]


def test_street_is_a_place_and_lists_stations_near_it(store, regions):
    on_street = add_station(
        store, name="步行街驿站", address="上海市黄浦区南京东路300号", lonlat=(121.4810, 31.2380)
    )
    beside = add_station(
        store, name="九江路驿站", address="上海市黄浦区九江路9号", lonlat=(121.4830, 31.2360)
    )
    add_station(
        store, name="南昌驿站", address="江西省南昌市青山湖区南京东路1号", lonlat=(115.93, 28.68)
    )
    index = index_of(store)

    answer = search_stations(index, regions, "南京东路", near=PEOPLES_SQUARE)

    assert answer.understood.place.full_name == "上海市黄浦区南京东路"
    assert answer.understood.place.kind == "street" and answer.relative_to == "place"
    assert [f.station.id for f in answer.found][:2] == [on_street.id, beside.id]
    assert answer.found[0].distance_m < 50
    street = search_stations(index, regions, "南京东路卫生间", near=PEOPLES_SQUARE)
    assert street.understood.amenities == ["toilet"] and street.understood.place is not None


def test_a_street_far_from_the_rider_is_text_not_a_place(store, regions):
    on_street = add_station(
        store, name="步行街驿站", address="上海市黄浦区南京东路300号", lonlat=(121.4810, 31.2380)
    )
    add_station(store, name="北京驿站", lonlat=(116.40, 39.91))
    index = index_of(store)

    answer = search_stations(index, regions, "南京东路", near=TIANANMEN)

    assert answer.understood.place is None and answer.understood.text == ["南京东路"]
    assert answer.relative_to == "point"
    assert [f.station.id for f in answer.found] == [on_street.id]
    assert answer.found[0].distance_m > 1_000_000  # shown, and the distance says how far
    assert search_stations(index, regions, "驿站", near=TIANANMEN).understood.place is None


def test_plain_text_when_the_words_read_otherwise_find_nothing(store, regions):
    shop = add_station(store, name="朝阳银行驿站", address="朝阳路1号", kind="shop")
    index = index_of(store)

    answer = search_stations(index, regions, "朝阳 银行")

    assert [f.station.id for f in answer.found] == [shop.id]
    assert answer.understood.text == ["朝阳", "银行"] and answer.relative_to is None


def test_services_alone_need_a_point_or_a_place(store, regions):
    add_station(store, name="玄武驿站", amenities=("toilet",))
    index = index_of(store)
    with pytest.raises(BadRequest, match="lon and lat"):
        search_stations(index, regions, "卫生间")
    in_county = search_stations(index, regions, "玄武区 卫生间")
    assert names(in_county) == ["玄武驿站"]
    assert in_county.understood.place.full_name == "南京市玄武区"


def test_text_with_a_point_is_exactly_nearest_first(store, regions):
    rng = random.Random(7)
    for i in range(120):
        lonlat = (116.0 + rng.random(), 39.5 + rng.random())
        add_station(store, name=f"测试驿站{i}", lonlat=lonlat)
    index = index_of(store)

    answer = search_stations(index, regions, "测试", near=TIANANMEN, limit=7)

    brute = sorted((GEOD.inv(*TIANANMEN, s.lon, s.lat)[2], s.name) for s in index.stations)[:7]
    assert names(answer) == [name for _, name in brute]
    assert [f.distance_m for f in answer.found] == pytest.approx([d for d, _ in brute], rel=1e-6)


def test_words_that_say_nothing_are_dropped():
    assert search_words("南京东路附近 的 驿站") == ["南京东路"]
    assert search_words("附近的厕所") == ["厕所"]


def test_search_answer_says_what_it_understood(app):
    store = app.extensions["stationmap.store"]
    add_station(store, name="工商银行朝外支行驿站", lonlat=(116.44, 39.92), kind="bank")
    client = app.test_client()

    response = client.get("/api/v1/stations/search?q=朝阳%20银行&lon=116.3975&lat=39.9087")

    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    body = response.get_json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 1
    assert body["relative_to"] == "place"
    understood = body["understood"]
    assert understood["kinds"] == ["bank"] and understood["amenities"] == []
    assert understood["place"]["full_name"] == "北京市朝阳区" and understood["text"] == []
    gcj = client.get("/api/v1/stations/search?q=朝阳%20银行&lon=116.3975&lat=39.9087&crs=gcj02")
    shifted = gcj.get_json()["understood"]["place"]
    assert shifted["lon"] != understood["place"]["lon"]  # the place's point is in crs too
    document = client.get("/api/v1/openapi.json").get_json()
    search = document["paths"]["/api/v1/stations/search"]["get"]
    schema = search["responses"]["200"]["content"]["application/geo+json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/SearchResults"}
    results = document["components"]["schemas"]["SearchResults"]
    assert {"understood", "relative_to"} <= set(results["properties"])
