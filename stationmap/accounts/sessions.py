"""Web sessions: a random key in the browser's cookie, the session itself on the server.

:func:`start_session` draws a new key at every sign-in (the old one, if any, is
ended by the caller), stores only its SHA-256 and hands the key back for the cookie.
:func:`session_principal` turns a key back into the signed-in user, as long as the
session is open, younger than :data:`MAX_AGE` and its user not disabled. Logout, a
disable and a password reset end sessions on the server, so a copied cookie stops
working with them.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import Connection

from ..store import Store, sessions
from ..store.schema import now
from ..store.sessions import SEEN_STAMP_EVERY, SessionRecord
from ..store.users import by_pk, pk_of
from .principals import Principal
from .users import principal_of

MAX_AGE = timedelta(hours=12)
"""How long a sign-in lasts, however active: a working day, then sign in again."""


def key_hash(key: str) -> str:
    """What is stored for a session ``key``: its SHA-256, in hex."""
    return hashlib.sha256(key.encode()).hexdigest()


def start_session(store: Store, principal: Principal, address: str | None = None) -> str:
    """A new session for ``principal`` (signed in from ``address``); returns its key."""
    key = secrets.token_urlsafe(32)
    with store.transaction() as conn:
        user = _user_pk(conn, principal)
        sessions.start(conn, key_hash(key), user, address)
    return key


def session_principal(store: Store, key: str) -> Principal | None:
    """The user signed in by session ``key``, or None: unknown, ended, older than
    :data:`MAX_AGE`, or its user disabled."""
    at = now()
    with store.reading() as conn:
        session = sessions.by_key_hash(conn, key_hash(key))
        if session is None or session.ended_at is not None or at - session.created_at > MAX_AGE:
            return None
        user = by_pk(conn, session.user_pk)
    if user is None or user.disabled_at is not None:
        return None
    _touch(store, session)
    return principal_of(user)


def end_session(store: Store, key: str) -> None:
    """End the session of ``key`` (logout)."""
    with store.transaction() as conn:
        sessions.end(conn, key_hash(key))


def end_sessions_of(store: Store, principal: Principal) -> None:
    """End every session of ``principal``'s user (everywhere it is signed in)."""
    with store.transaction() as conn:
        sessions.end_all_of(conn, _user_pk(conn, principal))


def _touch(store: Store, session: SessionRecord) -> None:
    """Record that the session was seen, unless that was within the last minute."""
    at = now()
    if at - session.last_seen_at < SEEN_STAMP_EVERY:
        return
    with store.transaction() as conn:
        sessions.touch(conn, session, at)


def _user_pk(conn: Connection, principal: Principal) -> int:
    return pk_of(conn, principal.user_id)
