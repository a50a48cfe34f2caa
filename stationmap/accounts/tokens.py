"""API tokens: a user's bearer credentials for scripts, shown once, stored hashed, expiring.

A token is ``smt_`` and 43 URL-safe characters of :func:`secrets.token_urlsafe` (256
bits). Only its SHA-256 is stored; it works until it expires (90 days unless asked
otherwise), is revoked, or its user is disabled. A password reset leaves a user's
tokens alone (revoke them one by one). ``last_used_at`` is written at most once a
minute per token, so a busy script does not write on every request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..errors import BadRequest, NotFound
from ..store import Store
from ..store import tokens as stored_tokens
from ..store.schema import now
from ..store.tokens import USE_STAMP_EVERY, TokenRecord
from ..store.users import by_pk
from .principals import Principal, adcode_of
from .users import actor_for, check_manages, find_user, principal_of

PREFIX = "smt_"
"""Every token starts so: a secret scanner (or a person) can tell what leaked."""
DEFAULT_DAYS = 90
MAX_DAYS = 3650


@dataclass(frozen=True)
class NewToken:
    """A token just created: its secret is shown once and never again."""

    id: str
    secret: str
    expires_at: datetime


@dataclass(frozen=True)
class TokenInfo:
    """A token as listed (never its secret)."""

    id: str
    user: str
    """The username."""
    union: str
    """The 6-digit adcode of the user's union."""
    label: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


def secret_hash(secret: str) -> str:
    """What is stored for ``secret``: its SHA-256, in hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def check_expiry_days(days: int) -> int:
    """``days`` if a token may live that long, else :class:`BadRequest`."""
    if not 1 <= days <= MAX_DAYS:
        raise BadRequest(
            f"expires-days: got {days}, expected a whole number of days from 1 to {MAX_DAYS}",
            code="bad_expiry",
        )
    return days


def create_token(
    store: Store,
    username: str,
    expires_days: int = DEFAULT_DAYS,
    label: str = "",
    *,
    by: Principal | None = None,
) -> NewToken:
    """A new token for ``username``, valid ``expires_days`` days, audited."""
    check_expiry_days(expires_days)
    secret = PREFIX + secrets.token_urlsafe(32)
    expires_at = now() + timedelta(days=expires_days)
    with store.transaction() as conn:
        user = find_user(conn, username, by)
        token_id = stored_tokens.add(
            conn,
            (user.pk, user.public_id),
            secret_hash(secret),
            label.strip()[:200],
            expires_at,
            actor_for(by),
        )
    return NewToken(token_id, secret, expires_at)


def list_tokens(
    store: Store, username: str | None = None, *, by: Principal | None = None
) -> list[TokenInfo]:
    """The tokens an admin may see (its union's and those below), or one user's, oldest first."""
    jurisdiction = "" if by is None else by.jurisdiction
    check_manages(by, jurisdiction)
    with store.reading() as conn:
        user_pk = find_user(conn, username, by).pk if username is not None else None
        return [_info(token) for token in stored_tokens.listed(conn, jurisdiction, user_pk)]


def revoke_token(store: Store, token_id: str, *, by: Principal | None = None) -> None:
    """Revoke the token with public id ``token_id`` (again: nothing changes)."""
    with store.transaction() as conn:
        token = stored_tokens.by_public_id(conn, token_id.strip())
        if token is None and token_id.strip().startswith(PREFIX):
            raise BadRequest(
                "token: got a token's secret, expected its id (the first column of "
                "`stationmap tokens list`); the secret is never needed again",
                code="unknown_token",
            )
        if token is None:
            raise NotFound(
                f"token: no token with id {token_id!r}; `stationmap tokens list` shows them",
                code="unknown_token",
            )
        check_manages(by, token.jurisdiction)
        stored_tokens.revoke(conn, token, actor_for(by))


def authenticate_token(store: Store, secret: str) -> Principal | None:
    """The user a bearer ``secret`` signs in (with ``token_id`` set), or None when it is
    unknown, expired or revoked, or its user is disabled."""
    if not secret.startswith(PREFIX):
        return None
    with store.reading() as conn:
        token = stored_tokens.by_secret_hash(conn, secret_hash(secret))
        if token is None or not _usable(token, now()):
            return None
        user = by_pk(conn, token.user_pk)
    assert user is not None, "a token's user is never deleted (a foreign key)"
    _stamp_use(store, token)
    return principal_of(user, token.public_id)


def _usable(token: TokenRecord, at: datetime) -> bool:
    return token.revoked_at is None and token.user_disabled_at is None and at < token.expires_at


def _stamp_use(store: Store, token: TokenRecord) -> None:
    """Record the use, unless one was recorded within the last minute (then no write)."""
    at = now()
    if token.last_used_at is not None and at - token.last_used_at < USE_STAMP_EVERY:
        return
    with store.transaction() as conn:
        stored_tokens.stamp_use(conn, token, at)


def _info(token: TokenRecord) -> TokenInfo:
    return TokenInfo(
        id=token.public_id,
        user=token.username,
        union=adcode_of(token.jurisdiction),
        label=token.label,
        created_at=token.created_at,
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
        last_used_at=token.last_used_at,
    )
