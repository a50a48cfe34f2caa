"""The station store on SpatiaLite or PostGIS.

:class:`Store` holds the engine; the writers and readers live in one module per
aggregate (:mod:`.stations`, :mod:`.unions`, :mod:`.batches`, :mod:`.audit`, and the
change feed in :mod:`.feed`), each taking a connection so that a use case can compose
them in one :meth:`Store.transaction`.
"""

from . import (
    audit,
    batches,
    population,
    receipts,
    sessions,
    stations,
    tokens,
    unions,
    uploads,
    users,
)
from .audit import Actor, Writer
from .backend import lock_station_writes
from .feed import ChangeFeed, FeedPosition
from .store import BoundStore, Store, load_batch, open_store

__all__ = [
    "Actor",
    "BoundStore",
    "ChangeFeed",
    "FeedPosition",
    "Store",
    "Writer",
    "audit",
    "batches",
    "load_batch",
    "lock_station_writes",
    "open_store",
    "population",
    "receipts",
    "sessions",
    "stations",
    "tokens",
    "unions",
    "uploads",
    "users",
]
