"""Write receipts: what a client's idempotency key first created, so a repeat creates nothing.

A form resubmitted or a request retried after a lost answer carries the same key; the
first write stores a receipt beside the station in its own transaction, and the unique
(user, key) constraint decides a race: of two writes with one key, one commits and the
other's whole transaction rolls back.
"""

from __future__ import annotations

from sqlalchemy import Connection, insert, select

from .schema import now, users, write_receipts

MAX_KEY_LENGTH = 64
"""The longest idempotency key kept (a UUID is 36 characters)."""


def created_by(conn: Connection, user_id: str, key: str) -> str | None:
    """The public id of what user ``user_id`` (public id) first created with ``key``, if any."""
    query = (
        select(write_receipts.c.entity_id)
        .join(users, users.c.id == write_receipts.c.user_id)
        .where(users.c.public_id == user_id, write_receipts.c.key == key)
    )
    return conn.execute(query).scalar_one_or_none()


def keep(conn: Connection, user_id: str, key: str, entity_id: str) -> None:
    """Record that user ``user_id`` created ``entity_id`` with ``key`` (an IntegrityError
    if the user already used the key: the caller's transaction must then roll back)."""
    user_pk = select(users.c.id).where(users.c.public_id == user_id).scalar_subquery()
    conn.execute(
        insert(write_receipts).values(
            user_id=user_pk, key=key, entity_id=entity_id, created_at=now()
        )
    )
