"""What views share: the app's store and the synthetic-data notice."""

from __future__ import annotations

from flask import current_app

from ..config import Settings
from ..finder import StationIndex
from ..store import Store
from ..vocabulary import SYNTHETIC_DATA_NOTICE


def store() -> Store:
    """The store the app was built with."""
    return current_app.extensions["stationmap.store"]


def demo_notice() -> str | None:
    """The synthetic-data notice while the demo set is loaded, else None."""
    return SYNTHETIC_DATA_NOTICE if store().has_demo_stations() else None


def finder_index() -> StationIndex:
    """This process's current station index (loaded on first use, then kept in step)."""
    return current_app.extensions["stationmap.finder"].current()


def settings() -> Settings:
    """The settings the app was built with."""
    return current_app.config["STATIONMAP_SETTINGS"]
