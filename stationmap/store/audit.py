"""The audit trail: who changed what, when, with the values before and after.

Every write leaves one entry per entity it changed (a station, a union) and, for a
batch, one more for the batch itself: the same granularity whether a clerk edits one
station or an import writes 173,000. Entries are written inside the caller's
transaction, so a change and its entry commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, func, insert, select

from ..types import AuditEntry
from .schema import audit_entries, import_batches, now, stations


@dataclass(frozen=True)
class Writer:
    """A signed-in user writing for a union: both are named in each entry."""

    name: str
    """The user's name."""
    union: str
    """The union's name, as it was when the entry was written."""

    def __str__(self) -> str:
        return self.name


Actor = str | Writer
"""Who writes: a user of a union (:class:`Writer`), or a name alone (a command such as
``import`` or ``load-demo`` run on the server's shell)."""


@dataclass(frozen=True)
class Change:
    """One entry to record."""

    action: str
    """create, update, delete or bulk_load."""
    entity: str
    """station, union or batch."""
    entity_id: str
    """The entity's public id."""
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


def record(
    conn: Connection, actor: Actor, changes: Sequence[Change], batch_pk: int | None = None
) -> None:
    """Write ``changes`` as audit entries by ``actor`` (of batch ``batch_pk``, if any)."""
    if not changes:
        return
    stamp = now()
    union = actor.union if isinstance(actor, Writer) else None
    conn.execute(
        insert(audit_entries),
        [
            {
                "at": stamp,
                "actor": str(actor),
                "actor_union": union,
                "action": c.action,
                "entity": c.entity,
                "entity_id": c.entity_id,
                "batch_id": batch_pk,
                "before": c.before,
                "after": c.after,
            }
            for c in changes
        ],
    )


def history(conn: Connection, entity_id: str, entity: str = "station") -> list[AuditEntry]:
    """Every audited change of one station (or union, or batch), oldest first."""
    query = (
        select(audit_entries, import_batches.c.public_id.label("batch_public_id"))
        .select_from(
            audit_entries.outerjoin(import_batches, audit_entries.c.batch_id == import_batches.c.id)
        )
        .where(audit_entries.c.entity == entity, audit_entries.c.entity_id == entity_id)
        .order_by(audit_entries.c.id)
    )
    return [_entry(row) for row in conn.execute(query)]


def _entry(row: Any) -> AuditEntry:
    changed = tuple((row.after or row.before or {}).keys()) if row.action == "update" else ()
    return AuditEntry(
        at=row.at,
        actor=row.actor,
        union=row.actor_union,
        action=row.action,
        entity=row.entity,
        entity_id=row.entity_id,
        before=row.before,
        after=row.after,
        batch_id=row.batch_public_id,
        changed=changed,
    )


def latest_station_changes(
    conn: Connection, jurisdiction: str, limit: int
) -> list[tuple[AuditEntry, str]]:
    """The newest ``limit`` changes of stations whose county lies in ``jurisdiction`` (an
    adcode prefix, "" for all), newest first, each with the station's current name.

    Read backwards through windows of :data:`LATEST_WINDOW` entry ids: one query over the
    whole trail would join and sort every station entry (an import writes one per
    station) before keeping the first few. A deleted station's entries have no station
    to name and are left out.
    """
    found: list[tuple[AuditEntry, str]] = []
    top = conn.execute(select(func.max(audit_entries.c.id))).scalar()
    while top is not None and top > 0 and len(found) < limit:
        window = _latest_query(jurisdiction, limit - len(found)).where(
            audit_entries.c.id <= top, audit_entries.c.id > top - LATEST_WINDOW
        )
        found += [(_entry(row), row.station_name) for row in conn.execute(window)]
        top -= LATEST_WINDOW
    return found


LATEST_WINDOW = 5000
"""How many audit entry ids :func:`latest_station_changes` reads at a time."""


def _latest_query(jurisdiction: str, limit: int) -> Select:
    joined = audit_entries.join(stations, stations.c.public_id == audit_entries.c.entity_id)
    return (
        select(
            audit_entries,
            import_batches.c.public_id.label("batch_public_id"),
            stations.c.name.label("station_name"),
        )
        .select_from(
            joined.outerjoin(import_batches, audit_entries.c.batch_id == import_batches.c.id)
        )
        .where(audit_entries.c.entity == "station", stations.c.adcode.startswith(jurisdiction))
        .order_by(audit_entries.c.id.desc())
        .limit(limit)
    )
