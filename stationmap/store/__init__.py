"""The station store on SpatiaLite or PostGIS: see :class:`Store`."""

from .store import ChangeFeed, Store, open_store

__all__ = ["ChangeFeed", "Store", "open_store"]
