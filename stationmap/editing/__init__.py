"""A clerk's station writes: create, change (close, pause, reopen, move) and history.

A use-case package, no HTTP: every function takes ``(store, principal, ...)``, where the
principal is the signed-in user (None for an anonymous caller). Each checks the role and
the jurisdiction, validates at the store boundary exactly as imports do
(:mod:`stationmap.store.validation`), runs in one :meth:`Store.transaction` and writes
one audit entry per station naming the user and the union
(``Writer(principal.username, principal.union_name)``). A refused write writes nothing.
The API's endpoints and the clerk's pages call these same functions.
"""

from .change import change_station
from .create import create_station
from .history import HistoryEntry, StationChange, latest_changes, station_history

__all__ = [
    "HistoryEntry",
    "StationChange",
    "change_station",
    "create_station",
    "latest_changes",
    "station_history",
]
