"""What views share: the app's store and the synthetic-data notice."""

from __future__ import annotations

import time

from flask import current_app

from ..config import Settings
from ..finder import StationIndex
from ..store import Store
from ..vocabulary import SYNTHETIC_DATA_NOTICE

NOTICE_SECONDS = 5.0


def store() -> Store:
    """The store the app was built with."""
    return current_app.extensions["stationmap.store"]


def demo_notice() -> str | None:
    """The synthetic-data notice while the demo set is loaded, else None (asked every 5 s)."""
    cache = current_app.extensions.setdefault("stationmap.notice", {})
    if time.monotonic() - cache.get("at", -NOTICE_SECONDS) >= NOTICE_SECONDS:
        cache["notice"] = SYNTHETIC_DATA_NOTICE if store().has_demo_stations() else None
        cache["at"] = time.monotonic()
    return cache["notice"]


def finder_index() -> StationIndex:
    """This process's current station index (loaded on first use, then kept in step)."""
    return current_app.extensions["stationmap.finder"].current()


def settings() -> Settings:
    """The settings the app was built with."""
    return current_app.config["STATIONMAP_SETTINGS"]
