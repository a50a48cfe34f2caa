"""Points anywhere on Earth: answered with bounded work, or refused at once as outside the area.

A point in the Pacific (lon=-91.9, lat=-4.1) held a worker for half a minute: chords to
stations on the far side of the Earth fall 19% short of their geodesics, so the chord
proof never closed and PROJ measured ever larger candidate sets (291,872 geodesics
over the 173,000-station set, each slow near the antipode). Now a point more than
500 km outside mainland China gets a 400 ``outside_service_area`` before any geodesic,
and an accepted point costs a handful of geodesics. Work is counted in geodesics
(:func:`geodesics_computed`), not timed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from builders import add_station
from finder_data import index_of
from pyproj import Geod

from stationmap.demo.loading import load_demo
from stationmap.errors import OutsideServiceArea
from stationmap.finder import (
    StationFilter,
    find_in_viewport,
    find_nearest,
    find_within,
    search_text,
)
from stationmap.finder.geodesy import chord_reach, ecef, geodesics_computed
from stationmap.finder.service_area import SERVED_MARGIN_M, service_area
from stationmap.store import Store
from stationmap.store.backend import create_store_engine

GEOD = Geod(ellps="WGS84")
PACIFIC = (-91.9, -4.1)
"""The point of the report: 28-37 s on a warm server."""
NULL_ISLAND = (0.0, 0.0)
"""Answered with a station 8,606 km away and no notice."""
SERVED_OUTSIDE_CHINA = {
    "Hong Kong": (114.17, 22.3),
    "Taipei": (121.56, 25.04),
    "Lanyu, Taiwan's farthest island": (121.55, 22.05),
    "Seoul": (126.98, 37.57),
    "Hanoi": (105.85, 21.03),
    "Yellow Sea": (123.5, 35.5),
}
REFUSED = {
    "Pacific": PACIFIC,
    "null island": NULL_ISLAND,
    "Tokyo": (139.69, 35.69),
    "China's antipode": (-75.0, -35.0),
    "Buenos Aires": (-58.38, -34.6),
    "North Pole": (0.0, 90.0),
}
KINDS = ("restaurant", "smart_kiosk", "bank", "petrol_station")
AMENITIES = ("toilet", "hot_water", "first_aid", "battery_swap", "ebike_charging")


def most_geodesics(k: int) -> int:
    """What an accepted query for ``k`` stations may cost: its k + 1 first candidates and
    one fourfold growth. The most seen is 1.25 (k + 1), with rare filters whose stations
    lie hundreds of kilometres apart; before the fix the Pacific point cost 6,000 here."""
    return 4 * (k + 1)


@pytest.fixture(scope="module")
def national_index(tmp_path_factory, regions):
    """4,000 demo stations over the whole country, stored on SpatiaLite and indexed."""
    path = tmp_path_factory.mktemp("far") / "stationmap.sqlite"
    store = Store(create_store_engine(f"sqlite:///{path}"), regions=regions)
    store.init_schema()
    load_demo(store, count=4000, seed=5)
    yield index_of(store)
    store.close()


def _globe(count: int) -> np.ndarray:
    """``count`` (lon, lat) points spread evenly over the whole sphere (a Fibonacci lattice)."""
    i = np.arange(count) + 0.5
    lat = np.degrees(np.arcsin(1 - 2 * i / count))
    lon = (np.degrees(np.pi * (1 + 5**0.5) * i) + 180) % 360 - 180
    return np.column_stack((lon, lat))


def _antipodes(index, count: int) -> np.ndarray:
    """The points opposite ``count`` stations: the far side of the Earth from China."""
    rows = np.linspace(0, len(index) - 1, count).astype(int)
    return np.column_stack((index.lon[rows] - 180, -index.lat[rows]))


def _random_filter(rng: np.random.Generator) -> StationFilter:
    return StationFilter.build(
        amenities=list(rng.choice(AMENITIES, size=rng.integers(0, 3), replace=False)),
        kinds=list(rng.choice(KINDS, size=rng.integers(0, 2), replace=False)),
        open_24h=rng.random() < 0.2,
    )


def _work(query, *args, **kwargs) -> tuple[object, int]:
    """A query's answer (or the OutsideServiceArea it raised) and the geodesics it cost."""
    before = geodesics_computed()
    try:
        answer = query(*args, **kwargs)
    except OutsideServiceArea as refused:
        answer = refused
    return answer, geodesics_computed() - before


@pytest.mark.slow
def test_every_point_on_the_globe_is_answered_with_bounded_work_or_refused(national_index):
    index, rng = national_index, np.random.default_rng(11)
    around_china = np.column_stack((rng.uniform(65, 145, 1000), rng.uniform(-5, 65, 1000)))
    points = np.vstack((_globe(1500), _antipodes(index, 200), list(REFUSED.values()), around_china))
    refused = 0
    for lon, lat in points.tolist():
        k, station_filter = int(rng.integers(1, 51)), _random_filter(rng)
        answer, geodesics = _work(find_nearest, index, lon, lat, k, station_filter)
        if isinstance(answer, OutsideServiceArea):
            refused += 1
            assert geodesics == 0 and answer.status == 400, (lon, lat)
            assert answer.code == "outside_service_area", (lon, lat)
        else:
            assert geodesics <= most_geodesics(k), (lon, lat, k, station_filter, geodesics)
    assert refused > 1600 and len(points) - refused > 400, refused


@pytest.mark.slow
def test_radius_and_text_queries_at_far_points_are_refused_before_any_geodesic(national_index):
    for lon, lat in REFUSED.values():
        for answer, geodesics in (
            _work(find_within, national_index, lon, lat, 200_000),
            _work(search_text, national_index, "驿站", near=(lon, lat)),
        ):
            assert isinstance(answer, OutsideServiceArea) and geodesics == 0, (lon, lat)


@pytest.mark.slow
def test_a_viewport_anywhere_answers_without_a_geodesic(national_index):
    for lon, lat in _globe(200).tolist():
        box = (lon - 5, max(lat - 5, -90), lon + 5, min(lat + 5, 90))
        answer, geodesics = _work(find_in_viewport, national_index, box)
        assert isinstance(answer, list) and geodesics == 0


@pytest.mark.slow
def test_points_served_outside_china_are_answered_exactly(national_index):
    """Off the coast and over the border (up to 500 km out) answers stay exact."""
    active = [s for s in national_index.stations if s.status == "active"]
    lons, lats = np.array([s.lon for s in active]), np.array([s.lat for s in active])
    for lon, lat in SERVED_OUTSIDE_CHINA.values():
        found = find_nearest(national_index, lon, lat, 50)
        _, _, metres = GEOD.inv(np.full(len(active), lon), np.full(len(active), lat), lons, lats)
        nearest = np.argsort(metres)[:50]
        assert [f.station.id for f in found] == [active[i].id for i in nearest], (lon, lat)
        assert [f.distance_m for f in found] == pytest.approx(metres[nearest].tolist(), rel=1e-9)


@pytest.mark.parametrize("name", sorted(SERVED_OUTSIDE_CHINA))
def test_the_area_served_reaches_500_km_beyond_mainland_china(name):
    assert service_area().serves(*SERVED_OUTSIDE_CHINA[name])


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_points_far_from_china_are_outside_the_area_served(name):
    assert not service_area().serves(*REFUSED[name])


def test_chord_reach_bounds_every_chord_by_its_geodesic():
    """No two points of the ellipsoid have a chord longer than chord_reach of their geodesic."""
    rng = np.random.default_rng(3)
    count = 20_000
    lon1, lon2 = rng.uniform(-180, 180, (2, count))
    lat1, lat2 = np.degrees(np.arcsin(rng.uniform(-1, 1, (2, count))))
    lon2[: count // 2] = lon1[: count // 2] + rng.normal(0, 2, count // 2)
    lat2[: count // 2] = np.clip(lat1[: count // 2] + rng.normal(0, 2, count // 2), -90, 90)
    _, _, metres = GEOD.inv(lon1, lat1, lon2, lat2)
    one, two = ecef(lon1, lat1), ecef(lon2, lat2)
    chords = np.linalg.norm(one - two, axis=1)
    radii = np.linalg.norm(one, axis=1)
    reach = np.array([chord_reach(r, m) for r, m in zip(radii, metres, strict=True)])
    assert (chords <= reach * (1 + 1e-12)).all()
    far = metres > 8_000_000
    assert (reach[far] / chords[far]).max() < 1.004, "far away the bound is within 0.4%"


# -- through the API, as a rider app meets it -------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/stations/nearest?lon=-91.9&lat=-4.1",
        "/api/v1/stations/nearest?lon=0&lat=0",
        "/api/v1/stations/nearest?lon=139.69&lat=35.69&k=50&kinds=bank",
        "/api/v1/stations/within?lon=-91.9&lat=-4.1&radius_m=200000",
        "/api/v1/stations/search?q=驿站&lon=-91.9&lat=-4.1",
    ],
)
def test_the_api_refuses_far_points_with_a_400_naming_them(any_app, path):
    add_station(any_app.extensions["stationmap.store"])
    response = any_app.test_client().get(path)
    assert response.status_code == 400, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "outside_service_area"
    assert error["message"].startswith("该位置（经度 "), error["message"]
    assert "超出服务范围" in error["message"] and "/ lon, lat: got " in error["message"]
    assert math.isfinite(error["lon"]) and error["served_within_km"] == SERVED_MARGIN_M / 1000


def test_the_api_answers_points_just_off_the_coast(any_app):
    """Lanyu, about 400 km from the outline: served; the nearest station is in Fujian."""
    store = any_app.extensions["stationmap.store"]
    add_station(store, lonlat=(118.1, 24.48))
    response = any_app.test_client().get("/api/v1/stations/nearest?lon=121.55&lat=22.05")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["features"][0]["properties"]["distance_m"] > 400_000
