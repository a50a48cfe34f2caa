"""What the endpoints and pages work with, handed to them instead of Flask's app (Flask-free)."""

from __future__ import annotations

import time

from ..config import Settings
from ..finder import LiveIndex, StationIndex
from ..store import Store
from ..vocabulary import SYNTHETIC_DATA_NOTICE

NOTICE_SECONDS = 5.0


class Service:
    """One process's settings, store and live station index, built once by ``create_app``."""

    def __init__(self, settings: Settings, store: Store, live: LiveIndex) -> None:
        self.settings = settings
        self.store = store
        self.live = live
        self._notice: tuple[float, str | None] = (-NOTICE_SECONDS, None)

    def index(self) -> StationIndex:
        """The current station index (loaded on first use, then kept in step with the store)."""
        return self.live.current()

    def notice(self) -> str | None:
        """The synthetic-data notice while the demo set is loaded, else None (asked every 5 s)."""
        asked_at, notice = self._notice
        if time.monotonic() - asked_at >= NOTICE_SECONDS:
            notice = SYNTHETIC_DATA_NOTICE if self.store.has_demo_stations() else None
            self._notice = (time.monotonic(), notice)
        return notice
