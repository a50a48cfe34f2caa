"""The station store on SpatiaLite or PostGIS: see :class:`Store`."""

from .store import Store, open_store

__all__ = ["Store", "open_store"]
