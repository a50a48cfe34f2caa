"""The finder against brute force: 2,000 random queries with random filters, per backend.

The reference computes PROJ's geodesic to every station that passes the filter
and takes the k smallest. The finder must return exactly those stations, in that
order, with distances within 1e-6 of the reference (the contract allows 0.5%).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from finder_data import index_of
from pyproj import Geod

from stationmap.demo.loading import load_demo
from stationmap.finder import StationFilter, find_nearest
from stationmap.finder.database import nearest_by_sql
from stationmap.hours import CHINA_TZ, CLOSED, OPEN, hours_state
from stationmap.vocabulary import amenity_mask

GEOD = Geod(ellps="WGS84")
COMMON = (
    "drinking_water",
    "hot_water",
    "phone_charging",
    "ebike_charging",
    "toilet",
    "microwave",
    "first_aid",
    "wifi",
    "discount_meals",
    "battery_swap",
)
KINDS = ("restaurant", "smart_kiosk", "shop", "bank", "petrol_station", "community_centre")


@pytest.fixture
def demo_store(store):
    load_demo(store, count=4000, seed=11)
    return store


def _random_query(rng: np.random.Generator, stations: list) -> dict:
    anchor = stations[rng.integers(len(stations))]
    far = rng.random() < 0.1
    lon = rng.uniform(75, 134) if far else anchor.lon + rng.normal() * 0.3
    lat = rng.uniform(20, 50) if far else anchor.lat + rng.normal() * 0.3
    moment = datetime(2026, 9, 28, tzinfo=CHINA_TZ) + timedelta(minutes=int(rng.integers(0, 20000)))
    station_filter = StationFilter.build(
        amenities=list(rng.choice(COMMON, size=rng.integers(0, 3), replace=False)),
        kinds=list(
            rng.choice(KINDS, size=rng.integers(0, 3) * (rng.random() < 0.3), replace=False)
        ),
        statuses=["active"] if rng.random() < 0.8 else ["active", "temporarily_closed"],
        open_24h=rng.random() < 0.1,
        open_at=moment if rng.random() < 0.4 else None,
        include_unknown_hours=rng.random() < 0.5,
    )
    max_distance = float(rng.uniform(2_000, 80_000)) if rng.random() < 0.2 else None
    return {
        "lon": float(lon),
        "lat": float(lat),
        "k": int(rng.integers(1, 21)),
        "station_filter": station_filter,
        "max_distance_m": max_distance,
    }


def _passes(station, station_filter: StationFilter) -> bool:
    static = station_filter.static
    if station.status not in static.statuses:
        return False
    if amenity_mask(station.amenities) & static.amenity_mask != static.amenity_mask:
        return False
    if static.kinds and station.kind not in static.kinds:
        return False
    if static.open_24h and station.opening_hours != "24/7":
        return False
    if station_filter.open_at is not None:
        state = hours_state(station.opening_hours, station_filter.open_at)
        allowed = {OPEN} | (
            {OPEN, -1} - {CLOSED} if station_filter.include_unknown_hours else set()
        )
        return state in allowed
    return True


def _brute_force(stations: list, query: dict) -> list[tuple[str, float]]:
    passing = [s for s in stations if _passes(s, query["station_filter"])]
    if not passing:
        return []
    lons = np.array([s.lon for s in passing])
    lats = np.array([s.lat for s in passing])
    n = len(passing)
    _, _, dist = GEOD.inv(np.full(n, query["lon"]), np.full(n, query["lat"]), lons, lats)
    ranked = sorted(zip(dist, [s.id for s in passing], strict=True))
    if query["max_distance_m"] is not None:
        ranked = [r for r in ranked if r[0] <= query["max_distance_m"]]
    return [(sid, d) for d, sid in ranked[: query["k"]]]


def _assert_same(found, expected, query) -> None:
    assert [f.station.id for f in found] == [sid for sid, _ in expected], query
    for f, (_, metres) in zip(found, expected, strict=True):
        assert f.distance_m == pytest.approx(metres, rel=1e-6, abs=1e-3), query


def test_memory_finder_agrees_with_brute_force(demo_store):
    index = index_of(demo_store)
    stations = index.stations
    rng = np.random.default_rng(2026)
    for _ in range(2000):
        query = _random_query(rng, stations)
        _assert_same(find_nearest(index, **query), _brute_force(stations, query), query)


def test_database_finder_agrees_with_brute_force(demo_store):
    stations = demo_store.read_stations()
    rng = np.random.default_rng(7)
    for _ in range(150):
        query = _random_query(rng, stations)
        found = nearest_by_sql(demo_store, **query)
        expected = _brute_force(stations, query)
        assert [f.station.id for f in found] == [sid for sid, _ in expected], query
        for f, (_, metres) in zip(found, expected, strict=True):
            assert f.distance_m == pytest.approx(metres, rel=1e-4), query
