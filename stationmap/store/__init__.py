"""The station store on SpatiaLite or PostGIS: see :class:`Store`."""

from .feed import ChangeFeed, FeedPosition
from .store import Store, open_store

__all__ = ["ChangeFeed", "FeedPosition", "Store", "open_store"]
