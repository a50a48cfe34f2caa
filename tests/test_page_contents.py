"""What the pages are rendered from, asked without a request."""

from __future__ import annotations

import pytest
from builders import add_station

from stationmap.errors import NotFound
from stationmap.web.context import SERVICE_KEY
from stationmap.web.page_contents import county_page, full_address, station_page


def test_a_county_page_counts_its_stations_by_kind_and_amenity(app):
    store = app.extensions["stationmap.store"]
    add_station(store, name="甲", kind="bank", amenities=("hot_water", "toilet"))
    add_station(store, name="乙", kind="bank", amenities=("hot_water",), lonlat=(118.80, 32.05))
    add_station(store, name="丙", kind="shop", amenities=(), lonlat=(118.801, 32.05))
    page = county_page(app.extensions[SERVICE_KEY], "320102")
    assert page["place"].name == "玄武区" and len(page["found"]) == 3
    assert page["kinds"] == [("bank", 2), ("shop", 1)]
    assert page["amenities"] == [("hot_water", 2), ("toilet", 1)]
    assert page["boundary"]["type"] in {"Polygon", "MultiPolygon"}


def test_a_station_page_has_its_hours_in_words_and_links(app):
    store = app.extensions["stationmap.store"]
    station = add_station(store, opening_hours="Mo-Su 07:00-23:00")
    page = station_page(app.extensions[SERVICE_KEY], station.id)
    assert page["found"].station.id == station.id
    assert page["hours_text"] == "每天 07:00-23:00"
    assert set(page["links"]) == {"amap", "baidu", "tencent", "shows"}
    assert page["links"]["shows"] == "marker"


@pytest.mark.parametrize("station_id", ["nothing", "zzzzzzzzzz"])
def test_unknown_stations_and_counties_are_not_found(app, station_id):
    service = app.extensions[SERVICE_KEY]
    with pytest.raises(NotFound):
        station_page(service, station_id)
    with pytest.raises(NotFound):
        county_page(service, "999999")


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        ("南京市玄武区中山路1号", "江苏省南京市玄武区中山路1号"),
        ("江苏省南京市玄武区中山路1号", "江苏省南京市玄武区中山路1号"),
        ("玄武区中山路1号", "江苏省南京市玄武区中山路1号"),
        ("中山路1号", "江苏省南京市玄武区中山路1号"),
        ("", "江苏省南京市玄武区"),
    ],
)
def test_a_station_address_names_its_region_once(app, address, shown):
    store = app.extensions["stationmap.store"]
    station = add_station(store, address=address)
    assert full_address(station) == shown


def test_a_station_out_of_service_says_so_on_its_page(app):
    store = app.extensions["stationmap.store"]
    station = add_station(store, status="closed")
    page = station_page(app.extensions[SERVICE_KEY], station.id)
    assert (page["state"], page["state_label"]) == ("out_of_service", "停止服务")
