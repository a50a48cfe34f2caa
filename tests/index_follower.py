"""A child process that keeps a LiveIndex on a database and reports when it sees changes.

Used by the consistency tests: each instance plays one worker process.
"""

from __future__ import annotations

import time
from multiprocessing import Queue
from multiprocessing.synchronize import Event

from stationmap.finder import LiveIndex
from stationmap.store import Store
from stationmap.store.backend import create_store_engine

POLL = 0.005


def follow(url: str, ready: Event, commands: Queue, reports: Queue) -> None:
    """Load the index, then for each (station_id, status) command report when it shows."""
    store = Store(create_store_engine(url))
    live = LiveIndex(store)
    live.current()
    ready.set()
    while (command := commands.get(timeout=60)) is not None:
        station_id, status = command
        reports.put(_wait_for(live, station_id, status))
    live.stop()
    store.close()


def _wait_for(live: LiveIndex, station_id: str, status: str, limit: float = 5.0) -> float | None:
    """The wall-clock time the index first showed ``station_id`` with ``status``."""
    deadline = time.time() + limit
    while time.time() < deadline:
        index = live.current()
        row = index.row_of_id.get(station_id)
        if row is not None and index.stations[row].status == status:
            return time.time()
        time.sleep(POLL)
    return None
