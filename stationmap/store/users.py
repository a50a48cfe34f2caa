"""Users: the people of a union who sign in, each with one role, on a caller's connection.

A user row holds the argon2id hash of its password, never the password; audit entries
name what changed (``role``, ``disabled``, ``password: "reset"``) and never the hash.
Usernames arrive here already normalised (:mod:`stationmap.accounts.users` does it), so
the table's unique constraint is the one check for a taken name, races included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, insert, select, update

from ..errors import Conflict, NotFound
from ..identifiers import new_public_id
from .audit import Actor, Change, record
from .schema import now, unions, users


@dataclass(frozen=True)
class UserRecord:
    """A stored user with its union, as the accounts use cases read it."""

    pk: int
    """The table key (other tables refer to it)."""
    public_id: str
    username: str
    role: str
    password_hash: str
    """argon2id, as ``argon2-cffi`` encodes it."""
    disabled_at: datetime | None
    created_at: datetime
    union_pk: int
    union_public_id: str
    union_name: str
    jurisdiction: str
    """The union's adcode prefix ("" national, 2, 4 or 6 digits)."""


def add(
    conn: Connection, username: str, union_pk: int, role: str, password_hash: str, actor: Actor
) -> str:
    """Store a new user, audited; its public id. A taken username is :class:`Conflict`
    (two adds of one name at once: the loser's commit fails on the unique constraint)."""
    if by_username(conn, username) is not None:
        raise Conflict(f"username: {username!r} is taken; choose another name", field="username")
    stamp = now()
    public_id = new_public_id()
    conn.execute(
        insert(users).values(
            public_id=public_id,
            username=username,
            union_id=union_pk,
            role=role,
            password_hash=password_hash,
            session_epoch=0,
            created_at=stamp,
            updated_at=stamp,
        )
    )
    after = {"username": username, "role": role, "union_id": _union_public_id(conn, union_pk)}
    record(conn, actor, [Change("create", "user", public_id, after=after)])
    return public_id


def by_username(conn: Connection, username: str) -> UserRecord | None:
    """The user named ``username`` (already normalised), or None."""
    row = conn.execute(_user_select().where(users.c.username == username)).first()
    return _user(row) if row is not None else None


def by_pk(conn: Connection, pk: int) -> UserRecord | None:
    """The user with table key ``pk``, or None."""
    row = conn.execute(_user_select().where(users.c.id == pk)).first()
    return _user(row) if row is not None else None


def pk_of(conn: Connection, public_id: str) -> int:
    """The table key of the user with ``public_id``; :class:`NotFound` when there is none."""
    pk = conn.execute(select(users.c.id).where(users.c.public_id == public_id)).scalar()
    if pk is None:
        raise NotFound(f"user: no user with id {public_id!r}", code="unknown_user")
    return pk


def within(conn: Connection, jurisdiction: str) -> list[UserRecord]:
    """The users of every union whose jurisdiction starts with ``jurisdiction``, by name."""
    query = _user_select().order_by(users.c.username)
    if jurisdiction:
        query = query.where(unions.c.jurisdiction.startswith(jurisdiction, autoescape=True))
    return [_user(row) for row in conn.execute(query)]


def disable(conn: Connection, user: UserRecord, actor: Actor) -> None:
    """Mark ``user`` disabled (its sessions end elsewhere, in the same transaction), audited."""
    stamp = now()
    conn.execute(
        update(users)
        .where(users.c.id == user.pk)
        .values(disabled_at=stamp, updated_at=stamp, session_epoch=users.c.session_epoch + 1)
    )
    change = Change("update", "user", user.public_id, {"disabled": False}, {"disabled": True})
    record(conn, actor, [change])


def set_password_hash(
    conn: Connection, user: UserRecord, password_hash: str, actor: Actor | None
) -> None:
    """Store a new password hash for ``user``.

    With an ``actor`` this is a reset: audited (``password: "reset"``, never the hash)
    and the session epoch is raised. Without one it is the same password hashed again
    with newer parameters at sign-in: nothing a person changed, so not audited.
    """
    values: dict[str, Any] = {"password_hash": password_hash}
    if actor is not None:
        values |= {"updated_at": now(), "session_epoch": users.c.session_epoch + 1}
    conn.execute(update(users).where(users.c.id == user.pk).values(**values))
    if actor is not None:
        change = Change("update", "user", user.public_id, after={"password": "reset"})
        record(conn, actor, [change])


def _user_select() -> Select:
    return select(
        users.c.id.label("pk"),
        users.c.public_id,
        users.c.username,
        users.c.role,
        users.c.password_hash,
        users.c.disabled_at,
        users.c.created_at,
        unions.c.id.label("union_pk"),
        unions.c.public_id.label("union_public_id"),
        unions.c.name.label("union_name"),
        unions.c.jurisdiction,
    ).select_from(users.join(unions, users.c.union_id == unions.c.id))


def _user(row: Any) -> UserRecord:
    return UserRecord(**row._mapping)


def _union_public_id(conn: Connection, union_pk: int) -> str:
    return conn.execute(select(unions.c.public_id).where(unions.c.id == union_pk)).scalar_one()
