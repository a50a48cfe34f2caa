"""The change feed cannot skip: every committed change reaches a follower exactly once.

PostgreSQL hands out audit ids before commit, so a slow writer's earlier id can become
visible after a fast writer's later one. These tests hold transactions open on purpose
to make that happen, on both backends (on SQLite the second writer waits for the
first's lock instead, which the same tests accept).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterable
from contextlib import contextmanager, suppress
from datetime import UTC, datetime

import pandas as pd
import pytest
from builders import XUANWU, add_station, draft
from sqlalchemy import Connection, delete, insert, update

from stationmap.errors import BadRequest, Conflict, NotFound
from stationmap.finder import LiveIndex
from stationmap.store import FeedPosition, Store
from stationmap.store.schema import audit_entries, stations
from stationmap.types import Station
from stationmap.vocabulary import STATUSES

SEEN_WITHIN = 1.0
"""Seconds a committed change may take to reach a follower."""


def audit(conn: Connection, action: str, station_id: str) -> None:
    """The audit entry the store writes with each station change."""
    conn.execute(
        insert(audit_entries).values(
            at=datetime.now(UTC),
            actor="test",
            action=action,
            entity="station",
            entity_id=station_id,
        )
    )


def edit_name(conn: Connection, station_id: str, name: str) -> None:
    """Rename a station and audit it inside the caller's transaction (as the store does)."""
    conn.execute(
        update(stations)
        .where(stations.c.public_id == station_id)
        .values(name=name, version=stations.c.version + 1)
    )
    audit(conn, "update", station_id)


def delete_station(conn: Connection, station_id: str) -> None:
    """Delete a station and audit it inside the caller's transaction."""
    conn.execute(delete(stations).where(stations.c.public_id == station_id))
    audit(conn, "delete", station_id)


@contextmanager
def held_edit(store: Store, station_id: str, name: str, commit: bool = True):
    """An edit written (its audit id drawn) but not committed until the block ends."""
    with store.engine.connect() as conn:
        transaction = conn.begin()
        edit_name(conn, station_id, name)
        yield
        transaction.commit() if commit else transaction.rollback()


def names_in(live: LiveIndex) -> dict[str, str]:
    """Station id to name in the follower's current index."""
    return {s.id: s.name for s in live.current().current_stations()}


def wait_for_names(live: LiveIndex, wanted: dict[str, str], within: float) -> float | None:
    """Seconds until the follower shows every wanted name, or None after ``within``."""
    started = time.perf_counter()
    while time.perf_counter() - started < within:
        shown = names_in(live)
        if all(shown.get(k) == v for k, v in wanted.items()):
            return time.perf_counter() - started
        time.sleep(0.01)
    return None


def test_a_slow_commit_with_an_earlier_id_still_reaches_the_follower(store):
    slow, fast = add_station(store, name="慢驿站"), add_station(store, name="快驿站")
    live = LiveIndex(store)  # polling as in production
    live.current()
    fast_writer = threading.Thread(
        target=store.update_station, args=(fast.id, {"name": "快驿站（已改）"}, "test")
    )
    try:
        with held_edit(store, slow.id, "慢驿站（已改）"):
            fast_writer.start()
            fast_writer.join(timeout=1.0)  # commits on PostGIS; waits for the lock on SQLite
            live.refresh()  # the follower reads between the two commits
        fast_writer.join(timeout=30)
        wanted = {slow.id: "慢驿站（已改）", fast.id: "快驿站（已改）"}
        assert wait_for_names(live, wanted, SEEN_WITHIN) is not None, names_in(live)
    finally:
        live.stop()


def test_an_entry_delivered_early_is_not_delivered_again(store):
    slow, fast = add_station(store, name="慢驿站"), add_station(store, name="快驿站")
    start = store.feed_position()
    fast_writer = threading.Thread(
        target=store.update_station, args=(fast.id, {"name": "快驿站（已改）"}, "test")
    )
    with held_edit(store, slow.id, "慢驿站（已改）"):
        fast_writer.start()
        fast_writer.join(timeout=1.0)
        early = store.changes_since(start)
    fast_writer.join(timeout=30)
    late = store.changes_since(early.position)
    after = store.changes_since(late.position)
    assert sorted(early.station_ids + late.station_ids) == sorted([slow.id, fast.id])
    assert after.station_ids == ()
    if store.dialect == "postgresql":  # the fast commit came first, while the slow one ran
        assert early.station_ids == (fast.id,) and early.position.running
        assert late.station_ids == (slow.id,)


def test_a_rolled_back_write_is_never_delivered_and_holds_nothing_back(store):
    kept, dropped = add_station(store, name="留下"), add_station(store, name="撤回")
    start = store.feed_position()
    with held_edit(store, dropped.id, "撤回（未提交）", commit=False):
        if store.dialect == "postgresql":  # SQLite's lock would keep this writer waiting
            store.update_station(kept.id, {"name": "留下（已改）"}, actor="test")
            assert store.changes_since(start).station_ids == (kept.id,)
    feed = store.changes_since(store.changes_since(start).position)
    assert feed.station_ids == ()


def test_the_feed_is_empty_and_still_moves_when_nothing_was_written(store):
    add_station(store)
    position = store.feed_position()
    feed = store.changes_since(position)
    assert feed.station_ids == ()
    assert feed.position.next >= position.next


def test_a_bulk_load_names_each_station_it_wrote(store):
    start = store.feed_position()
    frame = pd.DataFrame([{**draft().__dict__, "name": f"批量{i}"} for i in range(3)])
    store.load_stations(frame, source_name="t.csv", source_format="csv", crs="wgs84", actor="t")
    assert sorted(store.changes_since(start).station_ids) == sorted(
        s.id for s in store.read_stations()
    )


def test_a_deleted_station_leaves_the_index_without_a_full_reload(store):
    kept = [add_station(store, name=f"驿站{i}").id for i in range(8)]
    gone = kept.pop()
    loads = []
    live = LiveIndex(store, poll_seconds=60, on_load=loads.append)
    live.current()
    with store.engine.begin() as conn:
        delete_station(conn, gone)
    index = live.refresh()
    live.stop()
    assert sorted(s.id for s in index.current_stations()) == sorted(kept)
    assert len(loads) == 1


def test_changing_over_a_quarter_of_the_index_reloads_it_whole(store):
    ids = [add_station(store, name=f"驿站{i}").id for i in range(8)]
    loads = []
    live = LiveIndex(store, poll_seconds=60, on_load=loads.append)
    live.current()
    for station_id in ids[:3]:
        store.update_station(station_id, {"status": "closed"}, actor="test")
    index = live.refresh()
    live.stop()
    assert len(loads) == 2
    assert stations_by_id(index.current_stations()) == stations_by_id(store.read_stations())


# -- many writers -----------------------------------------------------------------------

WRITERS = 8
COMMITS = 500
SEED_STATIONS = 60


def stations_by_id(found: Iterable[Station]) -> dict[str, Station]:
    """Stations keyed by id, to compare two copies field by field."""
    return {station.id: station for station in found}


class Writers:
    """Writer threads making random adds, edits (some held open a while) and deletes."""

    def __init__(self, store: Store, station_ids: list[str]) -> None:
        self.store = store
        self.station_ids = station_ids
        self.lock = threading.Lock()

    def run(self, seed: int, commits: int) -> None:
        """One writer's share of the commits."""
        rng = random.Random(seed)
        for n in range(commits):
            step = rng.choices([self.add, self.edit, self.held_edit, self.delete], [3, 3, 3, 1])
            step[0](rng, f"{seed}-{n}")

    def pick(self, rng: random.Random) -> str:
        with self.lock:
            return rng.choice(self.station_ids)

    def add(self, rng: random.Random, tag: str) -> None:
        lonlat = (XUANWU[0] + rng.uniform(-0.01, 0.01), XUANWU[1] + rng.uniform(-0.01, 0.01))
        station = add_station(self.store, name=f"新驿站{tag}", lonlat=lonlat)
        with self.lock:
            self.station_ids.append(station.id)

    def edit(self, rng: random.Random, tag: str) -> None:
        changes = {"name": f"改名{tag}", "status": rng.choice(list(STATUSES))}
        with suppress(Conflict, NotFound):  # another writer got there first: nothing written
            self.store.update_station(self.pick(rng), changes, actor="test")

    def held_edit(self, rng: random.Random, tag: str) -> None:
        with held_edit(self.store, self.pick(rng), f"慢改{tag}"):
            time.sleep(rng.uniform(0, 0.01))

    def delete(self, rng: random.Random, tag: str) -> None:
        with self.lock:
            station_id = self.station_ids.pop(rng.randrange(len(self.station_ids)))
        with self.store.engine.begin() as conn:
            delete_station(conn, station_id)


class FeedFollower:
    """A follower built on nothing but the feed: a dict of stations, edited per batch."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.position = store.feed_position()
        self.stations = stations_by_id(store.read_stations())

    def read(self) -> None:
        """Apply one feed read: re-read the named stations, dropping the deleted ones."""
        feed = self.store.changes_since(self.position)
        current = stations_by_id(self.store.read_stations(list(feed.station_ids)))
        for station_id in feed.station_ids:
            self.stations.pop(station_id, None)
        self.stations.update(current)
        self.position = feed.position


def test_eight_writers_and_followers_end_equal_to_a_full_reload(store):
    seeded = [add_station(store, name=f"驿站{i}").id for i in range(SEED_STATIONS)]
    follower, live = FeedFollower(store), LiveIndex(store, poll_seconds=0.01)
    live.current()
    writers = Writers(store, seeded)
    threads = [
        threading.Thread(target=writers.run, args=(seed, COMMITS // WRITERS + (seed < 4)))
        for seed in range(WRITERS)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        follower.read()
    for thread in threads:
        thread.join()
    follower.read()
    live.refresh()
    live.stop()
    stored = stations_by_id(store.read_stations())
    assert len(stored) == store.count_stations()
    assert follower.stations == stored
    assert stations_by_id(live.current().current_stations()) == stored
    assert len(live.current()) == len(stored)  # no station twice
    assert time.perf_counter() - started < 30


# -- positions --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "position",
    [FeedPosition(), FeedPosition(1852), FeedPosition(7421, (7400, 7415)), FeedPosition(2**63 - 1)],
)
def test_a_position_round_trips_through_its_cursor(position):
    cursor = position.to_cursor()
    assert FeedPosition.from_cursor(cursor) == position
    assert cursor.replace(".", "").isalnum()


def test_a_position_is_read_from_postgresql_snapshot_text():
    assert FeedPosition.from_snapshot("7400:7421:7400,7415") == FeedPosition(7421, (7400, 7415))
    assert FeedPosition.from_snapshot("1852:1852:") == FeedPosition(1852)


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "p1",
        "p1.",
        "p2.5",
        "5",
        "p1.x",
        "p1.-1",
        "p1.5.7",
        "p1.10.5.3",
        "p1.10.3.3",
        "p1.１２",
        "p1.9223372036854775808",
        "p1.99999999999999999999",
        "p1.10" + ".1" * 10_001,
    ],
)
def test_a_garbled_cursor_is_refused_saying_what_was_expected(cursor):
    with pytest.raises(BadRequest, match=r"since: got .*, expected a cursor") as refused:
        FeedPosition.from_cursor(cursor)
    assert refused.value.status == 400 and refused.value.code == "bad_cursor"
