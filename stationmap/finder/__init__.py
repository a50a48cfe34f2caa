"""The finder: nearest, radius, viewport and text queries over an in-memory index.

Flask-free. Build a :class:`StationIndex` from stations (or keep a :class:`LiveIndex`
that follows a store) and call the query functions with a :class:`StationFilter`.
"""

from .filters import StaticFilter, StationFilter
from .index import StationIndex
from .live import LiveIndex
from .queries import (
    MAX_K,
    county_stations,
    find_in_viewport,
    find_nearest,
    find_within,
    get_station,
    search_text,
)

__all__ = [
    "MAX_K",
    "LiveIndex",
    "StaticFilter",
    "StationFilter",
    "StationIndex",
    "county_stations",
    "find_in_viewport",
    "find_nearest",
    "find_within",
    "get_station",
    "search_text",
]
