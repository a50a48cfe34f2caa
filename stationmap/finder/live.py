"""Keeping a process's station index in step with the store.

:class:`LiveIndex` loads the index on first use and then follows the store's change
feed (:mod:`stationmap.store.feed`, which never skips a commit) from a background
thread: a station added, changed or deleted anywhere (any process, any worker)
appears in this process's answers within about half a second. Each change builds a
complete new snapshot off to the side and swaps it in with one assignment, so a
request sees either the old index or the new one, never a mix.

When to read the feed is a separate, small strategy (:class:`WakeUp`): polling now;
a LISTEN/NOTIFY listener can take its place without touching what is read.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from ..store import ChangeFeed, Store
from ..vocabulary import SYNTHETIC_DATA_NOTICE
from .index import StationIndex

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25
RELOAD_SHARE = 0.25
"""Above this share of the index changed at once, re-reading everything is cheaper."""


class WakeUp(Protocol):
    """When the follower reads the feed next."""

    def wait(self, stop: threading.Event) -> bool:
        """Block until it is time to read; False once ``stop`` is set."""
        ...


class Polling:
    """Wake the follower every ``seconds``."""

    def __init__(self, seconds: float = POLL_SECONDS) -> None:
        self.seconds = seconds

    def wait(self, stop: threading.Event) -> bool:
        """Sleep ``seconds`` (less when stopped); False once ``stop`` is set."""
        return not stop.wait(self.seconds)


class LiveIndex:
    """The current :class:`StationIndex` of one store, refreshed in the background."""

    def __init__(
        self,
        store: Store,
        poll_seconds: float = POLL_SECONDS,
        on_load: Callable[[StationIndex], None] | None = None,
        wake_up: WakeUp | None = None,
    ) -> None:
        self.store = store
        self.wake_up = wake_up or Polling(poll_seconds)
        """When to read the feed next (polling every ``poll_seconds`` unless given)."""
        self.on_load = on_load
        """Called (in the loading thread) with each fully loaded index, e.g. to warm caches."""
        self._index: StationIndex | None = None
        self._lock = threading.Lock()
        self._refresh_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def current(self) -> StationIndex:
        """The newest complete snapshot (loading it, and starting to follow, on first use)."""
        index = self._index
        if index is None:
            with self._lock:
                if self._index is None:
                    self._index = self._load_all()
                    self._start_following()
                index = self._index
        return index

    def warm(self) -> None:
        """Start loading the index in the background, so the first request need not wait."""
        threading.Thread(target=self.current, name="station-index-load", daemon=True).start()

    def refresh(self) -> StationIndex:
        """Apply what was committed since the current snapshot; return the result."""
        with self._refresh_lock:
            index = self.current()
            self._index = self._applied(index, self.store.changes_since(index.position))
            return self._index

    def _applied(self, index: StationIndex, feed: ChangeFeed) -> StationIndex:
        """``index`` with ``feed`` applied: edited in place, or re-read when that is cheaper."""
        if len(feed.station_ids) > RELOAD_SHARE * len(index):
            return self._load_all()
        if feed.station_ids:
            ids = list(feed.station_ids)
            return index.with_changes(ids, self.store.read_stations(ids), feed.position)
        if feed.position != index.position:
            return index.advanced_to(feed.position)
        return index

    def stop(self) -> None:
        """Stop following the store (the last snapshot stays readable)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _load_all(self) -> StationIndex:
        started = time.perf_counter()
        position = self.store.feed_position()  # before reading: see feed.current_position
        notice = SYNTHETIC_DATA_NOTICE if self.store.has_demo_stations() else None
        index = StationIndex(self.store.read_stations(), position, notice)
        log.info(
            "station index built: %d stations in %.2f s", len(index), time.perf_counter() - started
        )
        if self.on_load is not None:
            self.on_load(index)
        return index

    def _start_following(self) -> None:
        self._thread = threading.Thread(target=self._follow, name="station-index", daemon=True)
        self._thread.start()

    def _follow(self) -> None:
        while self.wake_up.wait(self._stop):
            try:
                self.refresh()
            except Exception:  # keep serving the last good snapshot; say why in the log
                log.exception("refreshing the station index failed; will retry")
