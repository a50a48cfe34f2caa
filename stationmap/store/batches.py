"""Import batches: one load of stations from one source (a file, or the demo generator).

A batch is opened at the start of a bulk write and finished at its end, in the same
transaction as the stations it writes; finishing records its counts and one audit
entry for the batch as a whole (each station also gets its own entry).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from ..errors import NotFound
from ..identifiers import new_public_id
from ..types import ImportBatch
from .audit import Actor, Change, record
from .schema import import_batches, now, unions


@dataclass(frozen=True)
class BatchRef:
    """A batch as writers refer to it: its table key and its public id."""

    pk: int
    public_id: str


def open_batch(
    conn: Connection, source_name: str, source_format: str, crs: str, actor: Actor
) -> BatchRef:
    """Start a batch (state ``staged`` until :func:`finish`)."""
    public_id = new_public_id()
    values = {
        "public_id": public_id,
        "source_name": source_name,
        "source_format": source_format,
        "crs": crs,
        "state": "staged",
        "counts": {},
        "actor": str(actor),
        "created_at": now(),
    }
    key = conn.execute(insert(import_batches).values(**values)).inserted_primary_key
    if key is None:  # only for statements that insert no row, which this one never is
        raise RuntimeError("the database returned no key for the new import batch")
    return BatchRef(key[0], public_id)


def finish(
    conn: Connection, batch: BatchRef, counts: dict[str, int], actor: Actor, source_name: str
) -> None:
    """Mark the batch applied with its counts, and audit it as one bulk load."""
    conn.execute(
        update(import_batches)
        .where(import_batches.c.id == batch.pk)
        .values(state="applied", counts=counts, finished_at=now())
    )
    summary = {"source_name": source_name, **counts}
    record(conn, actor, [Change("bulk_load", "batch", batch.public_id, after=summary)], batch.pk)


def mark_replaced(conn: Connection, batch: BatchRef, actor: Actor, removed: int) -> None:
    """Mark an applied batch as replaced (its stations were removed), audited."""
    conn.execute(
        update(import_batches).where(import_batches.c.id == batch.pk).values(state="replaced")
    )
    change = Change("delete", "batch", batch.public_id, before={"stations": removed})
    record(conn, actor, [change], batch.pk)


def applied(
    conn: Connection, *, source_format: str | None = None, source_name: str | None = None
) -> list[BatchRef]:
    """Applied batches of a format or of a named source, oldest first."""
    query = select(import_batches.c.id, import_batches.c.public_id).where(
        import_batches.c.state == "applied"
    )
    if source_format is not None:
        query = query.where(import_batches.c.source_format == source_format)
    if source_name is not None:
        query = query.where(import_batches.c.source_name == source_name)
    return [BatchRef(pk, public_id) for pk, public_id in conn.execute(query.order_by("id"))]


def get(conn: Connection, public_id: str) -> ImportBatch:
    """One batch by public id; :class:`NotFound` when there is none."""
    query = (
        select(import_batches, unions.c.public_id.label("union_public_id"))
        .select_from(import_batches.outerjoin(unions, import_batches.c.union_id == unions.c.id))
        .where(import_batches.c.public_id == public_id)
    )
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"no import batch with id {public_id!r}")
    values = dict(row._mapping)
    values.pop("id")
    values["union_id"] = values.pop("union_public_id")
    values["id"] = values.pop("public_id")
    return ImportBatch(**values)
