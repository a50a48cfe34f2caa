"""Keeping a process's station index in step with the store.

:class:`LiveIndex` loads the index on first use and then follows the store's change
feed (:mod:`stationmap.store.feed`, which never skips a commit) from a background
thread: a station added, changed or deleted anywhere (any process, any worker)
appears in this process's answers within about half a second. Each change makes a
new snapshot off to the side and swaps it in with one assignment, so a request sees
either the old index or the new one, never a mix. A change costs what it changes:
the new snapshot lays the changed stations over its base's trees
(:meth:`StationIndex.with_changes`, milliseconds), and a new base is built in a
background thread only once the overlay is large or the store has been quiet a while
(:meth:`LiveIndex.compact`), so no request and no change waits for a rebuild.

Until the first load is done, :meth:`LiveIndex.loaded` says so at once (None)
instead of blocking, so a server can answer "loading, retry in N seconds".

When to read the feed is a separate, small strategy (:class:`WakeUp`): polling now;
a LISTEN/NOTIFY listener can take its place without touching what is read.
"""

from __future__ import annotations

import logging
import math
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
COMPACT_ROWS = 1000
"""Once this many stations changed since the base, a new one is built (in the background)."""
COMPACT_QUIET_SECONDS = 10.0
"""A non-empty overlay is compacted once the store has been quiet this long."""
EXPECTED_LOAD_SECONDS = 15.0
"""How long a first load is expected to take before one has been measured (the
national set, two workers loading at once on a busy 2-core machine: 11-17 s)."""


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
        self.load_seconds: float | None = None
        """How long the last full load took."""
        self._index: StationIndex | None = None
        self._lock = threading.Lock()
        self._refresh_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._loading_since: float | None = None
        self._compacting = threading.Lock()
        self._changed_at = time.monotonic()

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

    def loaded(self) -> StationIndex | None:
        """The newest snapshot, or None at once while the first load is still running."""
        return self._index

    def loading(self) -> bool:
        """Whether the first load is running in the background (:meth:`warm`)."""
        return self._index is None and self._loading_since is not None

    def seconds_to_ready(self) -> int:
        """About how long until the first load is done (at least 1)."""
        expected = self.load_seconds or EXPECTED_LOAD_SECONDS
        elapsed = time.monotonic() - (self._loading_since or time.monotonic())
        return max(1, math.ceil(expected - elapsed))

    def warm(self) -> None:
        """Start loading the index in the background, so the first request need not wait."""
        if self._index is None and self._loading_since is None:
            self._loading_since = time.monotonic()
            threading.Thread(target=self._warm, name="station-index-load", daemon=True).start()

    def _warm(self) -> None:
        try:
            self.current()
        except Exception:  # the next request loads (or fails) in its own right
            log.exception("loading the station index failed")
        finally:
            self._loading_since = None

    def refresh(self) -> StationIndex:
        """Apply what was committed since the current snapshot; return the result."""
        with self._refresh_lock:
            index = self.current()
            self._index = self._applied(index, self.store.changes_since(index.position))
            return self._index

    def _applied(self, index: StationIndex, feed: ChangeFeed) -> StationIndex:
        """``index`` with ``feed`` applied: laid over, or re-read when that is cheaper."""
        if len(feed.station_ids) > RELOAD_SHARE * len(index):
            return self._load_all()
        if feed.station_ids:
            self._changed_at = time.monotonic()
            ids = list(feed.station_ids)
            return index.with_changes(ids, self.store.read_stations(ids), feed.position)
        if feed.position != index.position:
            return index.advanced_to(feed.position)
        return index

    def compact(self) -> bool:
        """Build a new base from the current snapshot and swap it in; False if one is running.

        The build runs without the refresh lock, so changes keep arriving; they are
        laid over the new base when it is swapped in.
        """
        if not self._compacting.acquire(blocking=False):
            return False
        try:
            snapshot = self.current()
            fresh = snapshot.compacted()
            with self._refresh_lock:
                self._index = self._rebased(fresh, snapshot, self.current())
            return True
        except Exception:  # keep the overlay; try again after another quiet spell
            log.exception("compacting the station index failed; will retry")
            self._changed_at = time.monotonic()
            return False
        finally:
            self._compacting.release()

    @staticmethod
    def _rebased(fresh: StationIndex, snapshot: StationIndex, now: StationIndex) -> StationIndex:
        """``fresh`` (built from ``snapshot``) with what reached ``now`` since."""
        if now.base is not snapshot.base:  # reloaded whole meanwhile: that one is newer
            return now
        changes = now.changes_since(snapshot)
        if not changes:
            return fresh.advanced_to(now.position)
        current = [station for station in changes.values() if station is not None]
        return fresh.with_changes(list(changes), current, now.position)

    def _should_compact(self, index: StationIndex) -> bool:
        quiet = time.monotonic() - self._changed_at >= COMPACT_QUIET_SECONDS
        changed = len(index.overlay)  # stations changed, added or deleted since the base
        return changed >= COMPACT_ROWS or (changed > 0 and quiet)

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
        if self.on_load is not None:
            self.on_load(index)
        self.load_seconds = time.perf_counter() - started
        log.info("station index built: %d stations in %.2f s", len(index), self.load_seconds)
        return index

    def _start_following(self) -> None:
        self._thread = threading.Thread(target=self._follow, name="station-index", daemon=True)
        self._thread.start()

    def _follow(self) -> None:
        while self.wake_up.wait(self._stop):
            try:
                index = self.refresh()
                if self._should_compact(index):
                    threading.Thread(target=self.compact, name="station-index-compact").start()
            except Exception:  # keep serving the last good snapshot; say why in the log
                log.exception("refreshing the station index failed; will retry")
