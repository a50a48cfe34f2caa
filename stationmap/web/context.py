"""What views share: the app's store and the synthetic-data notice."""

from __future__ import annotations

from flask import current_app

from ..finder import StationFilter, StationIndex, find_nearest
from ..finder.database import nearest_by_sql
from ..store import Store
from ..types import FoundStation
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


def nearest(
    lon: float, lat: float, k: int, station_filter: StationFilter, max_distance_m: float | None
) -> tuple[list[FoundStation], str | None]:
    """The nearest stations and the notice to show, from the configured finder."""
    if current_app.config["STATIONMAP_SETTINGS"].finder == "database":
        found = nearest_by_sql(store(), lon, lat, k, station_filter, max_distance_m)
        return found, demo_notice()
    index = finder_index()
    return find_nearest(index, lon, lat, k, station_filter, max_distance_m), index.notice
