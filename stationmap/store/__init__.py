"""The station store on SpatiaLite or PostGIS.

:class:`Store` holds the engine; the writers and readers live in one module per
aggregate (:mod:`.stations`, :mod:`.unions`, :mod:`.batches`, :mod:`.audit`), each
taking a connection so that a use case can compose them in one
:meth:`Store.transaction`.
"""

from . import audit, batches, stations, unions
from .store import ChangeFeed, Store, load_batch, open_store

__all__ = [
    "ChangeFeed",
    "Store",
    "audit",
    "batches",
    "load_batch",
    "open_store",
    "stations",
    "unions",
]
