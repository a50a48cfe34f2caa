"""A change reaches the index in time proportional to the change: no new base, same answers.

A snapshot built with changes keeps its base's trees and lays the changed stations
over them. These tests check that such a snapshot answers every query exactly as an
index built from scratch over the same stations does, through many rounds of
random edits, moves, closures, additions and deletions; and that a follower applies
a small import to a large store without building a new base.
"""

from __future__ import annotations

import dataclasses
import random
import threading
from datetime import datetime
from pathlib import Path

import pytest

from stationmap.demo.loading import load_demo
from stationmap.finder import (
    LiveIndex,
    StationFilter,
    StationIndex,
    county_stations,
    find_in_viewport,
    find_nearest,
    find_within,
    get_station,
    search_text,
)
from stationmap.finder.clusters import cluster_view
from stationmap.hours import CHINA_TZ
from stationmap.importing.pipeline import ImportOptions, import_file
from stationmap.types import Station
from stationmap.vocabulary import STATUSES

STATIONS = 3000
ROUNDS = 6

FILTERS = [
    StationFilter(),
    StationFilter.build(amenities=["toilet"]),
    StationFilter.build(kinds=["bank", "restaurant"], statuses=list(STATUSES)),
    StationFilter.build(open_at=datetime(2026, 12, 7, 9, 30, tzinfo=CHINA_TZ)),
    StationFilter.build(open_24h=True),
]


@pytest.fixture(scope="module")
def demo_stations(tmp_path_factory, regions) -> list[Station]:
    """A small national demo set, as the store gives it back."""
    from stationmap.store import Store
    from stationmap.store.backend import create_store_engine

    path = tmp_path_factory.mktemp("overlay") / "demo.sqlite"
    with Store(create_store_engine(f"sqlite:///{path}"), regions=regions) as store:
        store.init_schema()
        load_demo(store, count=STATIONS, seed=3)
        return store.read_stations()


def _changed(station: Station, rng: random.Random, tag: int) -> Station:
    """The station edited at random: renamed, moved a little, closed or reopened, re-timed."""
    changes: dict = {"name": f"{station.name}改{tag}", "version": station.version + 1}
    if rng.random() < 0.5:
        changes["lon"] = station.lon + rng.uniform(-0.05, 0.05)
        changes["lat"] = station.lat + rng.uniform(-0.05, 0.05)
    if rng.random() < 0.3:
        changes["status"] = rng.choice(list(STATUSES))
    if rng.random() < 0.2:
        changes["opening_hours"] = rng.choice(
            [None, "24/7", f"Mo-Fr 0{rng.randint(6, 9)}:00-21:00"]
        )
    return dataclasses.replace(station, **changes)


def _random_round(
    stations: dict[str, Station], rng: random.Random, round_: int
) -> tuple[list[str], list[Station]]:
    """Named ids and their current versions after one feed read's worth of changes."""
    named, current = [], []
    for n, station_id in enumerate(rng.sample(sorted(stations), 40)):
        named.append(station_id)
        if n % 7 == 0:
            del stations[station_id]  # deleted
        else:
            stations[station_id] = _changed(stations[station_id], rng, round_)
            current.append(stations[station_id])
    for n in range(5):  # added: copies of others, placed a little away, with new ids
        like = stations[rng.choice(sorted(stations))]
        new = dataclasses.replace(like, id=f"new{round_:03d}{n:04d}", lon=like.lon + 0.01)
        stations[new.id] = new
        named.append(new.id)
        current.append(new)
    return named, current


def _same_answers(ours: StationIndex, fresh: StationIndex, rng: random.Random) -> None:
    """Every query gives the same stations from both indexes."""
    assert len(ours) == len(fresh)
    assert sorted(s.id for s in ours.current_stations()) == sorted(s.id for s in fresh.stations)
    for _ in range(40):
        station = fresh.stations[rng.randrange(len(fresh))]
        lon, lat = station.lon + rng.uniform(-0.2, 0.2), station.lat + rng.uniform(-0.2, 0.2)
        for station_filter in FILTERS:
            _same_queries(ours, fresh, lon, lat, station_filter, rng.choice([1, 5, 50]))
        assert get_station(ours, station.id).station == station
        assert _ids(county_stations(ours, station.adcode)) == _ids(
            county_stations(fresh, station.adcode)
        )
    box = (100.0, 20.0, 125.0, 45.0)
    for zoom in (4, 8):
        assert cluster_view(ours, box, zoom).in_view == cluster_view(fresh, box, zoom).in_view
    assert _id_set(find_in_viewport(ours, box, limit=300)) == _id_set(
        find_in_viewport(fresh, box, limit=300)
    )
    assert _id_set(search_text(ours, "改", limit=5000)) == _id_set(
        search_text(fresh, "改", limit=5000)
    )


def _same_queries(ours, fresh, lon, lat, station_filter, k) -> None:
    assert _ranked(find_nearest(ours, lon, lat, k, station_filter)) == _ranked(
        find_nearest(fresh, lon, lat, k, station_filter)
    )
    assert _id_set(find_within(ours, lon, lat, 20_000, station_filter)) == _id_set(
        find_within(fresh, lon, lat, 20_000, station_filter)
    )


def _ranked(found) -> list[tuple[str, float]]:
    return [(f.station.id, round(f.distance_m, 3)) for f in found]


def _ids(found) -> list[str]:
    return sorted(f.station.id for f in found)


def _id_set(found) -> set[str]:
    return {f.station.id for f in found}


def test_a_snapshot_with_changes_answers_as_a_fresh_build(demo_stations):
    rng = random.Random(11)
    stations = {s.id: s for s in demo_stations}
    index = StationIndex(demo_stations)
    base = index
    for round_ in range(ROUNDS):
        named, current = _random_round(stations, rng, round_)
        index = index.with_changes(named, current, index.position)
        assert index.base is base  # nothing rebuilt
        _same_answers(index, StationIndex(stations.values()), rng)
    compacted = index.compacted()
    assert compacted.base is compacted and compacted.overlay_rows == 0
    _same_answers(compacted, StationIndex(stations.values()), rng)


SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
WUHOU = SAMPLES / "wuhou_chengdu_bd09.xlsx"
"""24 good rows and one rejected."""


def test_an_import_reaches_a_follower_without_a_new_base(store):
    load_demo(store, count=1500, seed=5)
    live = LiveIndex(store, poll_seconds=60)
    before = live.current()
    builds = StationIndex.builds
    report = import_file(store, WUHOU, ImportOptions(crs="bd09"))
    assert report.counts["added"] == 24
    after = live.refresh()
    import_file(store, WUHOU, ImportOptions(crs="bd09"))  # the same list again: no change
    again = live.refresh()
    live.stop()
    assert StationIndex.builds == builds  # no base built for either import
    assert after.base is before and again.base is before
    assert len(after) == len(before) + 24
    stored = store.read_stations()
    assert sorted(s.id for s in again.current_stations()) == sorted(s.id for s in stored)
    _same_answers(again, StationIndex(stored), random.Random(5))


def test_compacting_while_changes_arrive_loses_none_of_them(store):
    load_demo(store, count=1500, seed=6)
    live = LiveIndex(store, poll_seconds=60)
    first = live.current()
    ids = [s.id for s in store.read_stations()[:6]]
    store.update_station(ids[0], {"name": "压缩前改名"}, actor="t")
    live.refresh()
    compacting = threading.Thread(target=live.compact)
    compacting.start()
    for n, station_id in enumerate(ids[1:]):  # while the new base is being built
        store.update_station(station_id, {"name": f"压缩时改名{n}"}, actor="t")
        live.refresh()
    compacting.join()
    index = live.refresh()
    live.stop()
    assert index.base is not first.base
    stored = store.read_stations()
    assert {s.id: s for s in index.current_stations()} == {s.id: s for s in stored}
    _same_answers(index, StationIndex(stored), random.Random(6))
