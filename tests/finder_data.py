"""Shared finder test data: small station sets stored on a real backend, then indexed."""

from __future__ import annotations

import math

from builders import draft

from stationmap.finder import StationIndex
from stationmap.store import Store

HARBIN = (126.6424, 45.7567)
"""High latitude (黑龙江 哈尔滨): a degree of longitude is only 78 km here."""
SANYA = (109.5119, 18.2528)
"""Low latitude (海南 三亚): a degree of longitude is 106 km here."""


def index_of(store: Store) -> StationIndex:
    """The finder's index over everything in ``store``."""
    position = store.feed_position()
    return StationIndex(store.read_stations(), position)


def add_degree_trap(store: Store, origin: tuple[float, float]) -> dict[str, str]:
    """Two stations around ``origin``: 'east' nearer in metres, 'north' nearer in degrees.

    A degree of longitude is shorter than a degree of latitude (by cos(lat)), so a
    station a little fewer degrees north than another is east can still be farther:
    ordering by degrees (as ``geom <-> point`` on SRID 4326 does) gets them backwards.
    """
    lon, lat = origin
    east_deg = 0.01
    lon_to_lat = math.cos(math.radians(lat)) * 1.0034  # metres per degree, lon / lat
    north_deg = east_deg * (lon_to_lat + 1) / 2
    east = store.add_station(draft("东边驿站", (lon + east_deg, lat)), actor="t")
    north = store.add_station(draft("北边驿站", (lon, lat + north_deg)), actor="t")
    return {"east": east.id, "north": north.id}
