"""The finder's queries on stations stored in real SpatiaLite and PostGIS."""

from __future__ import annotations

from datetime import datetime

import pytest
from builders import add_station
from finder_data import HARBIN, SANYA, add_degree_trap, index_of
from pyproj import Geod

from stationmap.errors import BadRequest, NotFound
from stationmap.finder import (
    StationFilter,
    county_stations,
    find_in_viewport,
    find_nearest,
    find_within,
    get_station,
    search_text,
)
from stationmap.hours import CHINA_TZ

GEOD = Geod(ellps="WGS84")
NOON = datetime(2026, 11, 25, 12, 0, tzinfo=CHINA_TZ)


@pytest.mark.parametrize("origin", [HARBIN, SANYA], ids=["high-latitude", "low-latitude"])
def test_nearest_orders_by_metres_not_degrees(store, origin):
    trap = add_degree_trap(store, origin)
    found = find_nearest(index_of(store), *origin, k=2)
    names = [f.station.id for f in found]
    assert names == [trap["east"], trap["north"]]
    for f in found:
        _, _, metres = GEOD.inv(origin[0], origin[1], f.station.lon, f.station.lat)
        assert f.distance_m == pytest.approx(metres, rel=1e-6)
    assert found[0].distance_m < found[1].distance_m
    north, east = (found[1].station, found[0].station)
    assert abs(north.lat - origin[1]) < abs(east.lon - origin[0])  # nearer in degrees


def test_nearest_returns_k_and_respects_max_distance(store):
    for i in range(8):
        add_station(store, name=f"驿站{i}", lonlat=(118.79 + i * 0.002, 32.05))
    index = index_of(store)
    assert len(find_nearest(index, 118.79, 32.05, k=5)) == 5
    near = find_nearest(index, 118.79, 32.05, k=50, max_distance_m=500)
    assert [f.station.name for f in near] == ["驿站0", "驿站1", "驿站2"]
    assert all(f.distance_m <= 500 for f in near)
    assert (
        find_nearest(index, 118.79, 32.05, k=50)
        and len(find_nearest(index, 118.79, 32.05, k=50)) == 8
    )


def test_amenities_must_all_be_present_and_kinds_any(store):
    add_station(store, name="只有热水", amenities=("hot_water",), kind="shop")
    both = add_station(
        store,
        name="都有",
        lonlat=(118.80, 32.05),
        amenities=("hot_water", "ebike_charging"),
        kind="bank",
    )
    add_station(
        store,
        name="餐厅都有",
        lonlat=(118.81, 32.05),
        amenities=("hot_water", "ebike_charging"),
        kind="restaurant",
    )
    index = index_of(store)
    need = StationFilter.build(amenities=["hot_water", "ebike_charging"])
    assert {f.station.name for f in find_nearest(index, 118.79, 32.05, 5, need)} == {
        "都有",
        "餐厅都有",
    }
    banks = StationFilter.build(amenities=["hot_water"], kinds=["bank", "petrol_station"])
    assert [f.station.id for f in find_nearest(index, 118.79, 32.05, 5, banks)] == [both.id]


def test_status_defaults_to_active(store):
    add_station(store, name="开放", status="active")
    add_station(store, name="关闭", lonlat=(118.7976, 32.0485), status="closed")
    index = index_of(store)
    assert [f.station.name for f in find_nearest(index, 118.7975, 32.0485)] == ["开放"]
    every = StationFilter.build(statuses=["active", "closed"])
    assert len(find_nearest(index, 118.7975, 32.0485, 5, every)) == 2


def test_open_at_filters_and_unknown_hours_are_the_riders_choice(store):
    add_station(store, name="白天", opening_hours="Mo-Su 08:00-20:00")
    add_station(store, name="通宵", lonlat=(118.80, 32.05), opening_hours="24/7")
    add_station(store, name="不详", lonlat=(118.801, 32.05), opening_hours=None)
    index = index_of(store)
    night = datetime(2026, 11, 25, 3, 0, tzinfo=CHINA_TZ)
    open_night = StationFilter.build(open_at=night)
    assert [f.station.name for f in find_nearest(index, 118.7975, 32.0485, 5, open_night)] == [
        "通宵"
    ]
    with_unknown = StationFilter.build(open_at=night, include_unknown_hours=True)
    found = find_nearest(index, 118.7975, 32.0485, 5, with_unknown)
    assert [(f.station.name, f.open_then) for f in found] == [("通宵", True), ("不详", None)]
    everything = find_nearest(index, 118.7975, 32.0485, 5, at=night)
    assert {f.station.name: f.open_then for f in everything} == {
        "白天": False,
        "通宵": True,
        "不详": None,
    }
    assert find_nearest(index, 118.7975, 32.0485, 1, at=NOON)[0].open_then is True


def test_open_24h_filter(store):
    add_station(store, name="白天", opening_hours="Mo-Su 08:00-20:00")
    add_station(store, name="通宵", lonlat=(118.9, 32.1), opening_hours="24/7")
    found = find_nearest(index_of(store), 118.7975, 32.0485, 5, StationFilter.build(open_24h=True))
    assert [f.station.name for f in found] == ["通宵"]


def test_within_radius_is_exact_and_sorted(store):
    for i in range(6):
        add_station(store, name=f"驿站{i}", lonlat=(118.79 + i * 0.003, 32.05))
    found = find_within(index_of(store), 118.79, 32.05, 800)
    assert [f.station.name for f in found] == ["驿站0", "驿站1", "驿站2"]
    assert [f.distance_m for f in found] == sorted(f.distance_m for f in found)


def test_viewport_spreads_over_the_box_instead_of_taking_the_first(store):
    for i in range(30):  # a crowd in the west of the box
        add_station(store, name=f"西{i}", lonlat=(118.70 + i * 1e-4, 32.05))
    for i in range(3):
        add_station(store, name=f"东{i}", lonlat=(118.90 + i * 0.01, 32.05))
    index = index_of(store)
    box = (118.6, 32.0, 119.0, 32.1)
    assert len(find_in_viewport(index, box, limit=100)) == 33
    spread = find_in_viewport(index, box, limit=6)
    assert len(spread) == 6
    assert sum(f.station.name.startswith("东") for f in spread) == 3
    assert find_in_viewport(index, box, limit=6) == spread
    assert find_in_viewport(index, (100, 20, 101, 21)) == []


def test_text_search_needs_every_word_and_ranks_by_distance(store):
    add_station(
        store, name="朝阳路工商银行驿站", address="北京市朝阳区朝阳路1号", lonlat=(116.48, 39.92)
    )
    add_station(store, name="建设银行驿站", address="北京市朝阳区建国路8号", lonlat=(116.46, 39.91))
    add_station(store, name="朝阳便利店驿站", address="北京市朝阳区", lonlat=(116.45, 39.92))
    add_station(store, name="海淀银行驿站", address="北京市海淀区", lonlat=(116.30, 39.96))
    index = index_of(store)
    found = search_text(index, "朝阳 银行")
    assert {f.station.name for f in found} == {"朝阳路工商银行驿站", "建设银行驿站"}
    assert found[0].station.name == "朝阳路工商银行驿站"  # both words in its name
    by_distance = search_text(index, "银行", near=(116.30, 39.96))
    assert by_distance[0].station.name == "海淀银行驿站" and by_distance[0].distance_m < 10
    assert search_text(index, "不存在的词") == []
    with pytest.raises(BadRequest, match="q: got an empty text"):
        search_text(index, "  ")


def test_station_by_id_and_county(store):
    inside = add_station(store, name="玄武")
    add_station(store, name="北京", lonlat=(116.3975, 39.9087))
    index = index_of(store)
    assert get_station(index, inside.id).station == inside
    with pytest.raises(NotFound):
        get_station(index, "zzzzzzzzzz")
    assert [f.station.name for f in county_stations(index, "320102")] == ["玄武"]
    assert county_stations(index, "999999") == []


def test_empty_store_answers_nothing(store):
    index = index_of(store)
    assert find_nearest(index, 116.4, 39.9) == []
    assert find_within(index, 116.4, 39.9, 1000) == []
    assert find_in_viewport(index, (73, 18, 135, 54)) == []
    assert search_text(index, "驿站") == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("amenities", ["sauna"]), ("kinds", ["castle"]), ("statuses", ["open"]), ("statuses", [])],
)
def test_filter_refuses_unknown_keys(field, value):
    with pytest.raises(BadRequest) as caught:
        StationFilter.build(**{field: value})
    assert caught.value.code == "invalid_parameter"
