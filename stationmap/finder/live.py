"""Keeping a process's station index in step with the store.

:class:`LiveIndex` loads the index on first use and then follows the store's audit
trail from a background thread: a station added or changed anywhere (any process,
any worker) appears in this process's answers within about half a second. Each
change builds a complete new snapshot off to the side and swaps it in with one
assignment, so a request sees either the old index or the new one, never a mix.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from ..store import Store
from ..vocabulary import SYNTHETIC_DATA_NOTICE
from .index import StationIndex

log = logging.getLogger(__name__)

POLL_SECONDS = 0.25


class LiveIndex:
    """The current :class:`StationIndex` of one store, refreshed in the background."""

    def __init__(
        self,
        store: Store,
        poll_seconds: float = POLL_SECONDS,
        on_load: Callable[[StationIndex], None] | None = None,
    ) -> None:
        self.store = store
        self.poll_seconds = poll_seconds
        self.on_load = on_load
        """Called (in the loading thread) with each fully loaded index, e.g. to warm caches."""
        self._index: StationIndex | None = None
        self._lock = threading.Lock()
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
        """Apply what changed in the store since the current snapshot; return the result."""
        index = self.current()
        feed = self.store.changes_since(index.change_id)
        if feed.reload_all:
            index = self._load_all()
        elif feed.station_ids:
            index = index.with_changes(
                self.store.read_stations(list(feed.station_ids)), feed.change_id
            )
        elif feed.change_id != index.change_id:
            index = index.advanced_to(feed.change_id)
        self._index = index
        return index

    def stop(self) -> None:
        """Stop following the store (the last snapshot stays readable)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _load_all(self) -> StationIndex:
        started = time.perf_counter()
        change_id = self.store.last_change_id()
        notice = SYNTHETIC_DATA_NOTICE if self.store.has_demo_stations() else None
        index = StationIndex(self.store.read_stations(), change_id, notice)
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
        while not self._stop.wait(self.poll_seconds):
            try:
                self.refresh()
            except Exception:  # keep serving the last good snapshot; say why in the log
                log.exception("refreshing the station index failed; will retry")
