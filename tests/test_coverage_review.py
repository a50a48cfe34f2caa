"""Review of the planners' coverage (issue 13): bad input, hand-checked figures, caches.

The figures are checked on hand-made stores against PROJ and brute force; the bad
inputs go through the app; the caches are checked for figures that outlive a change
(loaded population) and snapshots that are never let go.
"""

from __future__ import annotations

import gc
import time
import weakref
from datetime import datetime

import numpy as np
import pytest
from builders import add_station
from finder_data import index_of

from stationmap import create_app
from stationmap.coverage import reach
from stationmap.coverage.areas import find_area
from stationmap.coverage.catchment import Catchment
from stationmap.coverage.current import current_surface
from stationmap.coverage.day import day_profile
from stationmap.coverage.figures import area_figures, weighted_quantiles
from stationmap.coverage.gaps import gap_cells
from stationmap.coverage.proposals import ProposalQuestion, propose
from stationmap.coverage.reach import StationSet, nearest_table
from stationmap.coverage.scenario import what_if
from stationmap.coverage.surface import modelled_surface
from stationmap.finder import StaticFilter
from stationmap.finder.geodesy import GEOD
from stationmap.hours import CHINA_TZ, this_minute_in_china
from stationmap.store import population
from stationmap.web import close_app

XUANWU = "320102"
DAY = datetime(2026, 12, 8, 10, 0, tzinfo=CHINA_TZ)  # a Tuesday


def _xuanwu_rows() -> np.ndarray:
    rows = modelled_surface().rows_of(XUANWU)
    return np.arange(rows.start, rows.stop)


def _busiest_cell() -> int:
    surface = modelled_surface()
    rows = _xuanwu_rows()
    return int(rows[np.argmax(surface.population[rows])])


def _at_cell(store, row: int, hours: str | None = "24/7", name: str = "复核驿站"):
    surface = modelled_surface()
    return add_station(
        store, name, (float(surface.lon[row]), float(surface.lat[row])), opening_hours=hours
    )


# --- the numbers, by hand ------------------------------------------------------------


def test_one_station_covers_exactly_the_cells_proj_puts_within_the_radius(store):
    """One 24/7 station at a cell centroid: the covered cells are those whose centroid is
    within 1,000 m geodesic (PROJ), the covered people their sum, and the median and
    90th percentile the population-weighted quantiles of the PROJ distances."""
    row = _busiest_cell()
    _at_cell(store, row)
    surface = current_surface(store)
    rows = _xuanwu_rows()
    _, _, metres = GEOD.inv(
        surface.lon[rows],
        surface.lat[rows],
        np.full(len(rows), surface.lon[row]),
        np.full(len(rows), surface.lat[row]),
    )
    metres = np.asarray(metres)
    people = surface.population[rows]
    for radius in (100.0, 1000.0, 2500.0):
        [found] = area_figures(
            index_of(store), surface, [find_area(XUANWU)], StationSet(moment=DAY), Catchment(radius)
        )
        assert found.covered_population == pytest.approx(people[metres <= radius].sum())
        assert found.population == pytest.approx(people.sum())
        median, p90 = weighted_quantiles(metres, people, (0.5, 0.9))
        assert found.median_distance_m == pytest.approx(median, abs=0.01)
        assert found.p90_distance_m == pytest.approx(p90, abs=0.01)
        assert (found.stations, found.stations_open, found.stations_unknown_hours) == (1, 1, 0)
    gaps = gap_cells(
        index_of(store), surface, find_area(XUANWU), StationSet(moment=DAY), Catchment()
    )
    listed = {f["properties"]["cell"] for f in gaps["features"]}
    assert len(listed) == int((metres > 1000).sum())
    for feature in gaps["features"]:
        assert feature["properties"]["nearest_m"] > 1000


def test_the_day_profile_turns_at_eight_and_at_five(store):
    row = _busiest_cell()
    _at_cell(store, row, hours="Mo-Su 08:00-17:00")
    _at_cell(store, _xuanwu_rows()[0], hours=None, name="时间未知驿站")
    profile = day_profile(
        index_of(store),
        current_surface(store),
        [],
        find_area(XUANWU),
        StaticFilter(),
        DAY.date(),
        Catchment(),
    )
    hours = profile["hours"]
    covered = [h["total"]["covered_population"] for h in hours]
    assert covered[7] == 0 < covered[8] == covered[16]
    assert covered[17] == 0  # 08:00-17:00 is closed at 17:00
    assert [h["total"]["stations_open"] for h in hours[15:19]] == [1, 1, 0, 0]
    assert {h["total"]["stations_unknown_hours"] for h in hours} == {1}
    assert {h["total"]["stations"] for h in hours} == {2}


def test_what_if_removing_a_station_and_adding_it_back_changes_nothing(store):
    row = _busiest_cell()
    station = _at_cell(store, row)
    _at_cell(store, _xuanwu_rows()[3], name="另一驿站")
    index, surface = index_of(store), current_surface(store)
    args = (index, surface, find_area(XUANWU), StationSet(moment=DAY), Catchment())
    gone = what_if(*args, [], [station.id])
    assert gone["after"]["covered_population"] < gone["before"]["covered_population"]
    back = what_if(*args, [(station.lon, station.lat)], [station.id])
    assert back["after"] == back["before"]
    assert back["change"]["covered_population"] == 0


def test_proposals_before_and_after_agree_with_what_if(store):
    _at_cell(store, _busiest_cell())
    index, surface = index_of(store), current_surface(store)
    area, stations = find_area(XUANWU), StationSet(moment=DAY)
    answer = propose(index, surface, ProposalQuestion(area, 3, stations, Catchment()))
    before, after = answer["before"], answer["after"]
    assert after["covered_population"] - before["covered_population"] == pytest.approx(
        answer["newly_covered"], abs=2
    )
    assert sum(s["newly_covered"] for s in answer["sites"]) == pytest.approx(
        answer["newly_covered"], abs=3
    )
    added = [(s["lon"], s["lat"]) for s in answer["sites"]]
    check = what_if(index, surface, area, stations, Catchment(), added, [])
    assert check["after"]["covered_population"] == pytest.approx(
        after["covered_population"],
        abs=len(added) * 50,  # sites rounded to 1e-6 degrees
    )


# --- caches: figures that outlive a change, snapshots never let go --------------------


def test_loaded_population_shows_without_a_new_index_snapshot(store):
    """A county figure loaded while the stations stay as they are (the same snapshot)
    must change the coverage figures at once, as it changes the gaps."""
    _at_cell(store, _busiest_cell())
    index = index_of(store)  # the live index does not change: no station changed
    area, stations = find_area(XUANWU), StationSet(moment=DAY)
    [modelled] = area_figures(index, current_surface(store), [area], stations, Catchment())
    assert modelled.population_source == "modelled"
    with store.transaction() as conn:
        population.replace(conn, {XUANWU: 600_000}, "test.csv", "test")
    [loaded] = area_figures(index, current_surface(store), [area], stations, Catchment())
    assert loaded.population == pytest.approx(600_000)
    assert loaded.population_source == "loaded"
    profile = day_profile(
        index, current_surface(store), [], area, StaticFilter(), DAY.date(), Catchment()
    )
    assert profile["hours"][10]["total"]["population"] == 600_000


def test_an_index_snapshot_is_let_go_with_its_tables(store):
    """The tables hang off a snapshot weakly; a table must not hold its snapshot alive, or
    every snapshot the live index ever swapped in stays in memory (20 MB per national
    table)."""
    _at_cell(store, _busiest_cell())
    surface = current_surface(store)
    index = index_of(store)
    table = nearest_table(index, surface, StationSet(moment=DAY))
    table.fill(surface.counties_of("32"))
    gone, column = weakref.ref(index), weakref.ref(index.status)
    key = id(index.status)
    del index, table
    gc.collect()
    assert gone() is None and column() is None
    assert key not in reach._TABLES  # the cache entry went with the stations


def test_a_snapshot_that_only_moved_its_feed_position_keeps_its_tables(store):
    """The live index makes a new snapshot whenever the feed moves, also when no station
    changed (advanced_to): it shares its station columns, so it shares its tables."""
    _at_cell(store, _busiest_cell())
    surface = current_surface(store)
    index = index_of(store)
    table = nearest_table(index, surface, StationSet(moment=DAY))
    later = index.advanced_to(index.position)
    assert nearest_table(later, surface, StationSet(moment=DAY)) is table
    changed = index.with_changes([], [], index.position)  # new columns: new tables
    assert nearest_table(changed, surface, StationSet(moment=DAY)) is not table


# --- bad input through the app ---------------------------------------------------------


@pytest.fixture
def client(spatialite_url):
    app = create_app({"database_url": spatialite_url})
    store = app.extensions["stationmap.store"]
    _at_cell(store, _busiest_cell(), hours="Mo-Su 08:00-17:00")
    yield app.test_client()
    close_app(app)


REFUSED = [
    ("/api/v1/coverage/whatif?adcode=320102&at=0001-01-01T00:00", "at"),
    ("/api/v1/coverage/whatif?adcode=320102&at=9999-12-31T23:59-12:00", "at"),
    ("/api/v1/coverage/whatif?adcode=320102&at=23:60", "at"),
    ("/api/v1/coverage?level=county&within=320100&at=0001-01-01T00:00", "at"),
    ("/api/v1/coverage/day?adcode=320102&date=0001-01-01", "date"),
    ("/api/v1/coverage/gaps?adcode=320102&ride_minutes=120&speed_kmh=40&detour=1", "ride_minutes"),
    ("/api/v1/coverage/gaps?adcode=32010", "adcode"),
    ("/api/v1/coverage?level=county&within=abc", "within"),
    ("/api/v1/coverage?level=nation", "level"),
    ("/api/v1/coverage/day?adcode=320102&level=province", "level"),
    ("/api/v1/coverage/proposals?adcode=000000&p=3", "adcode"),
    ("/api/v1/coverage/whatif?adcode=320102&remove=nosuchid", "remove"),
    ("/api/v1/coverage/whatif?adcode=320102&add=0,0", "add"),
    ("/api/v1/coverage/gaps?adcode=000000&aggregate=cells", "aggregate"),
]


@pytest.mark.parametrize(("url", "parameter"), REFUSED)
def test_bad_input_is_a_400_naming_the_parameter(client, url, parameter):
    response = client.get(url)
    assert response.status_code == 400, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["parameter"] == parameter, error


def test_a_national_gap_layer_too_fine_to_draw_is_refused_quickly(client):
    """hex_resolution=7 over the nation is a million hexagons: about a minute and 400 MB
    of GeoJSON. It must be refused (naming hex_resolution), not hold the worker."""
    started = time.monotonic()
    response = client.get("/api/v1/coverage/gaps?adcode=000000&aggregate=hex&hex_resolution=7")
    assert time.monotonic() - started < 10
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == "hex_resolution"
    fine = client.get("/api/v1/coverage/gaps?adcode=320000&aggregate=hex&hex_resolution=7")
    assert fine.status_code == 200


def test_proposals_over_a_province_with_a_wide_catchment_are_refused_quickly(client):
    """Henan at 10 km: 46 million cell-site pairs, 27 s and 6.6 GB in one worker; at
    20 km it does not fit. Refused before the matrix is built, naming the catchment."""
    for query in ("radius_m=20000", "ride_minutes=60"):
        started = time.monotonic()
        response = client.get(f"/api/v1/coverage/proposals?adcode=410000&p=10&{query}")
        assert time.monotonic() - started < 10
        assert response.status_code == 400, response.get_data(as_text=True)
        assert response.get_json()["error"]["parameter"] == query.split("=")[0]
    fine = client.get("/api/v1/coverage/proposals?adcode=410000&p=10")
    assert fine.status_code == 200


@pytest.mark.parametrize("moment", ["0001-01-01T00:00", "9999-12-31T23:59-12:00"])
def test_the_finders_open_at_far_from_now_is_a_400_too(client, moment):
    """The same 500 as coverage's ``at`` (year 0 or 10000 in China's time), in the finder."""
    response = client.get(f"/api/v1/stations/nearest?lon=118.8&lat=32.05&open_at={moment}")
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == "open_at"


def test_at_now_is_this_minute(client):
    before = this_minute_in_china().isoformat(timespec="minutes")
    answer = client.get("/api/v1/coverage?level=county&within=320100&at=now")
    after = this_minute_in_china().isoformat(timespec="minutes")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["at"] in {before, after}


def test_a_moment_whose_plus_arrived_as_a_space_keeps_its_offset(client):
    """13:00 at +00:00 is 21:00 in China; left unescaped, the ``+`` arrives as a space."""
    url = "/api/v1/coverage?level=county&within=320100&at=2026-10-01T13:00"
    escaped = client.get(url + "%2B00:00").get_json()
    raw = client.get(url + "+00:00")
    assert raw.status_code == 200, raw.get_data(as_text=True)
    assert escaped["at"] == "2026-10-01T21:00+08:00" and raw.get_json() == escaped


def test_an_adcode_typed_in_full_width_digits_is_the_same_area(client):
    """A Chinese keyboard types ３２０１０２; ``p`` took such digits already."""
    typed = client.get("/api/v1/coverage/gaps?adcode=３２０１０２&at=10:00")
    assert typed.status_code == 200, typed.get_data(as_text=True)
    assert typed.get_json() == client.get("/api/v1/coverage/gaps?adcode=320102&at=10:00").get_json()
    wrong = client.get("/api/v1/coverage/gaps?adcode=３２０１０")
    assert wrong.status_code == 400 and "３２０１０" in wrong.get_json()["error"]["message"]
