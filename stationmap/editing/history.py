"""A station's history as its union reads it: who changed which fields, from what to what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..accounts import Principal
from ..store import Store, audit
from ..types import AuditEntry
from .access import signed_in, within_jurisdiction


@dataclass(frozen=True)
class HistoryEntry:
    """One change of a station, as the history shows it."""

    at: datetime
    actor: str
    """The user (or the server command) that wrote it."""
    union: str | None
    """The user's union, by name; None for a command run on the server."""
    action: str
    """create, update or delete."""
    changes: dict[str, tuple[Any, Any]]
    """Each changed field's value before and after (None before a create, after a delete)."""

    def to_json(self) -> dict[str, Any]:
        """The entry as the API's history lists it."""
        return {
            "at": self.at.isoformat(),
            "actor": self.actor,
            "union": self.union,
            "action": self.action,
            "changes": {name: list(pair) for name, pair in self.changes.items()},
        }


def station_history(
    store: Store, principal: Principal | None, station_id: str
) -> list[HistoryEntry]:
    """Every change of the station, newest first, for any signed-in user whose
    jurisdiction covers its county (viewers included)."""
    principal = signed_in(principal)
    station = store.get_station(station_id)
    within_jurisdiction(principal, station.adcode, store.regions)
    return [_entry(e) for e in reversed(store.history(station_id))]


@dataclass(frozen=True)
class StationChange:
    """A change of one station among the latest in a jurisdiction (the 工作台's list)."""

    station_id: str
    station_name: str
    """The station's name now."""
    entry: HistoryEntry


def latest_changes(
    store: Store, principal: Principal | None, limit: int = 10
) -> list[StationChange]:
    """The newest ``limit`` changes of stations in the principal's jurisdiction, newest
    first, for any signed-in user (viewers included)."""
    principal = signed_in(principal)
    with store.reading() as conn:
        found = audit.latest_station_changes(conn, principal.jurisdiction, limit)
    return [StationChange(e.entity_id, name, _entry(e)) for e, name in found]


def _entry(entry: AuditEntry) -> HistoryEntry:
    before, after = entry.before or {}, entry.after or {}
    changes = {name: (before.get(name), after.get(name)) for name in {**before, **after}}
    return HistoryEntry(entry.at, entry.actor, entry.union, entry.action, changes)
