"""Stations in and out of the store, on SpatiaLite and PostGIS alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from builders import XUANWU, add_station

from stationmap.errors import Conflict, NotFound
from stationmap.identifiers import is_public_id


def test_every_field_round_trips(store):
    union = {"name": "玄武区总工会", "jurisdiction": "320102", "public_id": "u000000001"}
    store.add_unions([union], actor="test")
    before = datetime.now(UTC)
    station = add_station(
        store,
        name="  梅园新村便利店驿站 ",
        lonlat=(118.80123456, 32.04567891),
        kind="shop",
        address="江苏省南京市玄武区长江路1号",
        amenities=("toilet", "hot_water", "wifi"),
        opening_hours="Mo-Fr 08:30-17:30; PH off",
        opening_hours_raw="工作日 8:30-17:30",
        phone="025-****1234",
        status="pending",
        union_id="u000000001",
        source_key="XW-001",
    )
    got = store.get_station(station.id)
    assert got == station
    assert is_public_id(got.id)
    assert got.name == "梅园新村便利店驿站"
    assert (got.lon, got.lat) == pytest.approx((118.80123456, 32.04567891), abs=1e-9)
    assert got.amenities == ("hot_water", "toilet", "wifi")
    assert (got.province, got.city, got.county, got.adcode) == (
        "江苏省",
        "南京市",
        "玄武区",
        "320102",
    )
    assert got.opening_hours == "Mo-Fr 08:30-17:30; PH off"
    assert got.opening_hours_raw == "工作日 8:30-17:30"
    assert (got.kind, got.status, got.phone, got.source_key) == (
        "shop",
        "pending",
        "025-****1234",
        "XW-001",
    )
    assert got.union_id == "u000000001" and got.batch_id is None and got.version == 1
    assert got.created_at.tzinfo is not None
    assert before - timedelta(seconds=1) <= got.created_at <= datetime.now(UTC)
    assert got.updated_at == got.created_at


def test_unknown_hours_stay_unknown(store):
    station = add_station(store, opening_hours=None)
    assert store.get_station(station.id).opening_hours is None


def test_given_public_id_is_kept(store):
    station = add_station(store, public_id="abcdefgh12")
    assert station.id == "abcdefgh12"


def test_duplicate_public_id_is_refused(store):
    add_station(store, public_id="abcdefgh12")
    with pytest.raises(Conflict, match="already stored"):
        add_station(store, public_id="abcdefgh12")
    assert store.count_stations() == 1


def test_missing_station_is_not_found(store):
    with pytest.raises(NotFound, match="no station"):
        store.get_station("zzzzzzzzzz")


def test_update_changes_only_what_changed(store):
    station = add_station(store)
    updated = store.update_station(
        station.id, {"name": "新名字驿站", "amenities": ["toilet"]}, actor="clerk-1"
    )
    assert updated.name == "新名字驿站"
    assert updated.amenities == ("toilet",)
    assert updated.version == 2
    assert updated.updated_at >= station.updated_at
    assert updated.created_at == station.created_at
    assert (updated.address, updated.phone) == (station.address, station.phone)


def test_moving_a_station_moves_its_county(store):
    station = add_station(store)
    moved = store.update_station(station.id, {"lon": 116.3975, "lat": 39.9087}, actor="t")
    assert (moved.adcode, moved.province) == ("110101", "北京市")
    assert store.stations_in_box(116.39, 39.90, 116.40, 39.91) == [moved]


def test_update_that_changes_nothing_keeps_the_version(store):
    station = add_station(store)
    same = store.update_station(station.id, {"name": station.name}, actor="t")
    assert same.version == 1
    assert [e.action for e in store.history(station.id)] == ["create"]


def test_stale_version_is_a_conflict(store):
    station = add_station(store)
    store.update_station(station.id, {"phone": "025-****0000"}, actor="a", expected_version=1)
    with pytest.raises(Conflict, match="version 2"):
        store.update_station(station.id, {"phone": "025-****9999"}, actor="b", expected_version=1)
    assert store.get_station(station.id).phone == "025-****0000"


def test_box_query_returns_exactly_the_stations_inside(store):
    inside = [
        add_station(store, name=f"驿站{i}", lonlat=(118.79 + i * 0.001, 32.04)) for i in range(5)
    ]
    add_station(store, name="外面", lonlat=(118.70, 32.04))
    add_station(store, name="北京", lonlat=(116.3975, 39.9087))
    found = store.stations_in_box(118.789, 32.03, 118.7935, 32.05)
    assert [s.id for s in found] == [s.id for s in inside[:4]]
    assert store.stations_in_box(118.789, 32.03, 118.7935, 32.05, limit=2) == found[:2]


def test_iter_stations_reads_everything_in_chunks(store):
    ids = [
        add_station(store, name=f"驿站{i}", lonlat=(XUANWU[0] + i * 1e-4, XUANWU[1])).id
        for i in range(7)
    ]
    assert [s.id for s in store.iter_stations(chunk=3)] == ids


def test_counts_by_status(store):
    add_station(store, status="active")
    add_station(store, status="closed")
    assert (store.count_stations(), store.count_stations(status="active")) == (2, 1)


def test_stations_read_together_share_their_repeated_values(store):
    first = add_station(store, name="甲", opening_hours="Mo-Fr 08:00-18:00")
    second = add_station(
        store, name="乙", lonlat=(XUANWU[0] + 0.001, XUANWU[1]), opening_hours="Mo-Fr 08:00-18:00"
    )
    read = {s.id: s for s in store.read_stations()}
    a, b = read[first.id], read[second.id]
    assert a.county == b.county == "玄武区" and a.county is b.county
    assert a.opening_hours is b.opening_hours and a.name is not b.name
