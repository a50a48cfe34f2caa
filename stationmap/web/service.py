"""What the endpoints and pages work with, handed to them instead of Flask's app (Flask-free)."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from ..config import Settings
from ..errors import IndexLoading
from ..finder import LiveIndex, StationIndex
from ..store import Store
from ..vocabulary import SYNTHETIC_DATA_NOTICE

log = logging.getLogger(__name__)

NOTICE_SECONDS = 5.0


class Service:
    """One process's settings, store and live station index, built once by ``create_app``."""

    def __init__(self, settings: Settings, store: Store, live: LiveIndex) -> None:
        self.settings = settings
        self.store = store
        self.live = live
        self.started_at = datetime.now(UTC).isoformat(timespec="seconds")
        """When this process's app was built (ISO 8601, UTC)."""
        self._notice: tuple[float, str | None] = (-NOTICE_SECONDS, None)

    def index(self) -> StationIndex:
        """The current station index, kept in step with the store.

        While it loads in the background (a server warms each worker at start),
        this raises :class:`IndexLoading` at once (a 503 with ``Retry-After``)
        rather than holding the request for seconds; without a background load
        (an app used in-process) the first call loads it.
        """
        index = self.live.loaded()
        if index is not None:
            return index
        if self.live.loading():
            raise IndexLoading(self.live.seconds_to_ready())
        return self.live.current()

    def readiness(self) -> dict[str, Any]:
        """Whether this process can answer (index loaded, database reachable), with figures.

        Asking starts the index loading in the background if nothing has yet.
        """
        index = self.live.loaded()
        if index is None:
            self.live.warm()
        database = self._database_check()
        return {
            "ready": index is not None and database["reachable"],
            "index": {
                "loaded": index is not None,
                "loading": self.live.loading(),
                "stations": len(index) if index is not None else None,
                "overlay_rows": index.overlay_rows if index is not None else None,
                "load_seconds": _rounded(self.live.load_seconds),
                "ready_in_seconds": None if index is not None else self.live.seconds_to_ready(),
            },
            "database": database,
            "started_at": self.started_at,
        }

    def _database_check(self) -> dict[str, Any]:
        try:
            with self.store.reading() as conn:
                conn.execute(text("SELECT 1"))
            reachable = True
        except Exception:  # any failure means not ready; the log says which
            log.exception("the readiness check could not reach the database")
            reachable = False
        return {"reachable": reachable, "dialect": self.store.dialect}

    def notice(self) -> str | None:
        """The synthetic-data notice while the demo set is loaded, else None (asked every 5 s)."""
        asked_at, notice = self._notice
        if time.monotonic() - asked_at >= NOTICE_SECONDS:
            notice = SYNTHETIC_DATA_NOTICE if self.store.has_demo_stations() else None
            self._notice = (time.monotonic(), notice)
        return notice


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 2)
