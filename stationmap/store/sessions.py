"""Web sessions on the server: one row per sign-in, found by the SHA-256 of the cookie's key.

The browser's cookie carries a random key; only its hash is stored, so a copy of the
table signs nobody in. Ending a session (logout, a disable, a password reset) sets
``ended_at``: the cookie may live on, the session does not. Sessions are not audited
(a sign-in is no change to anything a union keeps); their rows are the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from .schema import now, user_sessions

SEEN_STAMP_EVERY = timedelta(minutes=1)
"""``last_seen_at`` is written at most this often per session, not on every request."""


@dataclass(frozen=True)
class SessionRecord:
    """A stored session (never its key)."""

    pk: int
    user_pk: int
    created_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None


def start(conn: Connection, key_hash: str, user_pk: int, address: str | None) -> None:
    """Store a new session of ``user_pk`` under ``key_hash``."""
    stamp = now()
    conn.execute(
        insert(user_sessions).values(
            key_hash=key_hash,
            user_id=user_pk,
            created_at=stamp,
            last_seen_at=stamp,
            address=(address or "")[:64] or None,
        )
    )


def by_key_hash(conn: Connection, key_hash: str) -> SessionRecord | None:
    """The session stored under ``key_hash``, or None."""
    query = select(
        user_sessions.c.id.label("pk"),
        user_sessions.c.user_id.label("user_pk"),
        user_sessions.c.created_at,
        user_sessions.c.last_seen_at,
        user_sessions.c.ended_at,
    ).where(user_sessions.c.key_hash == key_hash)
    row = conn.execute(query).first()
    return SessionRecord(**row._mapping) if row is not None else None


def touch(conn: Connection, session: SessionRecord, at: datetime) -> None:
    """Set ``last_seen_at`` to ``at`` unless it was set less than a minute before."""
    conn.execute(
        update(user_sessions)
        .where(
            user_sessions.c.id == session.pk,
            user_sessions.c.last_seen_at <= at - SEEN_STAMP_EVERY,
        )
        .values(last_seen_at=at)
    )


def end(conn: Connection, key_hash: str) -> None:
    """End the session stored under ``key_hash`` (if it is still open)."""
    _end(conn, user_sessions.c.key_hash == key_hash)


def end_all_of(conn: Connection, user_pk: int) -> None:
    """End every open session of user ``user_pk``."""
    _end(conn, user_sessions.c.user_id == user_pk)


def _end(conn: Connection, which: Any) -> None:
    conn.execute(
        update(user_sessions)
        .where(which, user_sessions.c.ended_at.is_(None))
        .values(ended_at=now())
    )
