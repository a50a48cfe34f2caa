"""API tokens: a user's bearer credentials for scripts, stored as SHA-256 of the secret.

The secret itself is never stored, logged or audited: the table holds its SHA-256 in
hex (a random 256-bit secret needs no slow hash: guessing it is hopeless either way),
and audit entries name the token's public id, its user and its expiry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Select, insert, or_, select, update

from ..identifiers import new_public_id
from .audit import Actor, Change, record
from .schema import api_tokens, now, unions, users

USE_STAMP_EVERY = timedelta(minutes=1)
"""``last_used_at`` is written at most this often per token, not on every request."""


@dataclass(frozen=True)
class TokenRecord:
    """A stored token (never its secret) with its user and union."""

    pk: int
    public_id: str
    label: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    user_pk: int
    username: str
    user_disabled_at: datetime | None
    union_name: str
    jurisdiction: str
    """The user's union's adcode prefix."""


def add(
    conn: Connection,
    user: tuple[int, str],
    secret_hash: str,
    label: str,
    expires_at: datetime,
    actor: Actor,
) -> str:
    """Store a token for ``user`` (table key, public id), audited; the token's public id."""
    public_id = new_public_id()
    user_pk, user_public_id = user
    conn.execute(
        insert(api_tokens).values(
            public_id=public_id,
            user_id=user_pk,
            secret_hash=secret_hash,
            label=label,
            created_at=now(),
            expires_at=expires_at,
        )
    )
    after = {"user_id": user_public_id, "label": label, "expires_at": expires_at.isoformat()}
    record(conn, actor, [Change("create", "token", public_id, after=after)])
    return public_id


def by_secret_hash(conn: Connection, secret_hash: str) -> TokenRecord | None:
    """The token whose secret hashes to ``secret_hash``, or None."""
    row = conn.execute(_token_select().where(api_tokens.c.secret_hash == secret_hash)).first()
    return _token(row) if row is not None else None


def by_public_id(conn: Connection, public_id: str) -> TokenRecord | None:
    """The token with this public id, or None."""
    row = conn.execute(_token_select().where(api_tokens.c.public_id == public_id)).first()
    return _token(row) if row is not None else None


def listed(conn: Connection, jurisdiction: str, user_pk: int | None = None) -> list[TokenRecord]:
    """Tokens of the users of unions within ``jurisdiction`` (of one user, if given),
    oldest first."""
    query = _token_select().order_by(api_tokens.c.created_at, api_tokens.c.id)
    if jurisdiction:
        query = query.where(unions.c.jurisdiction.startswith(jurisdiction, autoescape=True))
    if user_pk is not None:
        query = query.where(api_tokens.c.user_id == user_pk)
    return [_token(row) for row in conn.execute(query)]


def revoke(conn: Connection, token: TokenRecord, actor: Actor) -> None:
    """Revoke ``token`` from now on, audited (revoking a revoked token changes nothing)."""
    if token.revoked_at is not None:
        return
    stamp = now()
    conn.execute(update(api_tokens).where(api_tokens.c.id == token.pk).values(revoked_at=stamp))
    change = Change("update", "token", token.public_id, {"revoked": False}, {"revoked": True})
    record(conn, actor, [change])


def stamp_use(conn: Connection, token: TokenRecord, at: datetime) -> None:
    """Set ``last_used_at`` to ``at`` unless it was set less than a minute before.

    Callers skip this when the value they read is recent; the guard in the statement
    keeps several workers that read the same old value from writing it twice.
    """
    recent = at - USE_STAMP_EVERY
    conn.execute(
        update(api_tokens)
        .where(
            api_tokens.c.id == token.pk,
            or_(api_tokens.c.last_used_at.is_(None), api_tokens.c.last_used_at <= recent),
        )
        .values(last_used_at=at)
    )


def _token_select() -> Select:
    return select(
        api_tokens.c.id.label("pk"),
        api_tokens.c.public_id,
        api_tokens.c.label,
        api_tokens.c.created_at,
        api_tokens.c.expires_at,
        api_tokens.c.revoked_at,
        api_tokens.c.last_used_at,
        users.c.id.label("user_pk"),
        users.c.username,
        users.c.disabled_at.label("user_disabled_at"),
        unions.c.name.label("union_name"),
        unions.c.jurisdiction,
    ).select_from(
        api_tokens.join(users, api_tokens.c.user_id == users.c.id).join(
            unions, users.c.union_id == unions.c.id
        )
    )


def _token(row: Any) -> TokenRecord:
    return TokenRecord(**row._mapping)
