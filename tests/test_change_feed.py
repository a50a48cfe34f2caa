"""The change feed cannot skip: every committed change reaches a follower exactly once.

PostgreSQL hands out audit ids before commit, so a slow writer's earlier id can become
visible after a fast writer's later one. These tests hold transactions open on purpose
to make that happen, on both backends (on SQLite the second writer waits for the
first's lock instead, which the same tests accept).
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime

from builders import add_station
from sqlalchemy import Connection, insert, update

from stationmap.finder import LiveIndex
from stationmap.store import Store
from stationmap.store.schema import audit_entries, stations

SEEN_WITHIN = 1.0
"""Seconds a committed change may take to reach a follower."""


def edit_name(conn: Connection, station_id: str, name: str) -> None:
    """Rename a station and audit it inside the caller's transaction (as the store does)."""
    conn.execute(
        update(stations)
        .where(stations.c.public_id == station_id)
        .values(name=name, version=stations.c.version + 1)
    )
    conn.execute(
        insert(audit_entries).values(
            at=datetime.now(UTC),
            actor="test",
            action="update",
            entity="station",
            entity_id=station_id,
            after={"name": name},
        )
    )


@contextmanager
def held_edit(store: Store, station_id: str, name: str):
    """An edit written (its audit id drawn) but not committed until the block ends."""
    with store.engine.connect() as conn:
        transaction = conn.begin()
        edit_name(conn, station_id, name)
        yield
        transaction.commit()


def names_in(live: LiveIndex) -> dict[str, str]:
    """Station id to name in the follower's current index."""
    return {s.id: s.name for s in live.current().stations}


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
    live = LiveIndex(store, poll_seconds=0.05)
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
