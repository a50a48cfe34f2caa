"""What views share: the app's store and the synthetic-data notice."""

from __future__ import annotations

from flask import current_app

from ..demo import DEMO_SOURCE_NOTE
from ..store import Store


def store() -> Store:
    """The store the app was built with."""
    return current_app.extensions["stationmap.store"]


def demo_notice() -> str | None:
    """The synthetic-data notice while the demo set is loaded, else None."""
    return DEMO_SOURCE_NOTE if store().has_demo_stations() else None
