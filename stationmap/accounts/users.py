"""Users of unions: add, list, disable, reset a password, and sign in with one.

Every use case takes ``by``: the admin acting (a :class:`Principal`), who may manage
only the users of its own union and of the unions below it (:class:`Forbidden`
otherwise), or None for a command run on the server's shell, which may do anything.
Everything is checked before anything is written, and each write is one transaction.

Usernames: 3 to 64 characters, each a letter, a digit, ``.``, ``_``, ``-`` or a
Chinese character; NFKC-normalised (a full-width ``Ａ`` is ``A``) and case-insensitive:
stored in lower case, so ``Admin`` and ``admin`` are one account, and signing in as
either works. The table's unique constraint then holds the rule, even for two adds
of one name at the same moment.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from ..errors import BadRequest, Conflict, Forbidden, NotFound
from ..store import Store, sessions
from ..store import users as stored_users
from ..store.audit import Actor, Writer
from ..store.users import UserRecord
from .passwords import (
    check_new_password,
    generate_password,
    hash_password,
    needs_rehash,
    verify_nothing,
    verify_password,
)
from .principals import ADMIN, ROLES, Principal, adcode_of, jurisdiction_of
from .unions import union_for_adcode

SHELL = "cli"
"""The audit trail's actor for a command run on the server's shell."""

USERNAME = re.compile(r"[a-z0-9._\-\u3400-\u4dbf\u4e00-\u9fff]{3,64}")
"""A username once normalised: letters, digits, ``._-`` and Chinese characters."""


@dataclass(frozen=True)
class NewUser:
    """A user just added."""

    principal: Principal
    password: str | None
    """The generated password, to show once (None when the caller chose one)."""


@dataclass(frozen=True)
class UserAccount:
    """A user as listed (never the password hash)."""

    id: str
    username: str
    role: str
    union_id: str
    union_name: str
    union_adcode: str
    """The 6-digit adcode naming the user's union."""
    disabled_at: datetime | None
    created_at: datetime


def normalise_username(text: str) -> str:
    """``text`` as usernames are stored: NFKC, trimmed, lower case (not checked)."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def check_username(text: str) -> str:
    """The stored form of ``text``, or :class:`BadRequest` saying what a username may be."""
    username = normalise_username(text)
    if not USERNAME.fullmatch(username):
        raise BadRequest(
            f"username: got {text!r}, expected 3 to 64 letters, digits, '.', '_', '-' "
            "or Chinese characters, such as xuanwu.admin or 玄武区管理员",
            code="bad_username",
        )
    return username


def check_role(role: str) -> str:
    """``role`` if it is one, else :class:`BadRequest` naming the roles."""
    if role not in ROLES:
        raise BadRequest(f"role: got {role!r}, expected one of {', '.join(ROLES)}", code="bad_role")
    return role


def add_user(
    store: Store,
    username: str,
    union: str,
    role: str,
    password: str | None = None,
    *,
    by: Principal | None = None,
) -> NewUser:
    """Add a user of the union named by adcode ``union`` (created if missing) with ``role``.

    Without ``password`` one is generated and returned, to be shown once. Refused
    before anything is written: a bad username, role, adcode or password
    (:class:`BadRequest`), an admin reaching above its union (:class:`Forbidden`), a
    taken username (:class:`Conflict`).
    """
    username, role = check_username(username), check_role(role)
    check_manages(by, jurisdiction_of(union.strip()))
    chosen = check_new_password(password) if password is not None else None
    shown = chosen if chosen is not None else generate_password()
    password_hash = hash_password(shown)
    try:
        with store.transaction() as conn:
            union_pk, _ = union_for_adcode(conn, store.regions, union, actor_for(by))
            stored_users.add(conn, username, union_pk, role, password_hash, actor_for(by))
            user = _found(conn, username)
    except IntegrityError:
        raise Conflict(f"username: {username!r} is taken; choose another name") from None
    return NewUser(principal_of(user), None if chosen is not None else shown)


def list_users(store: Store, *, by: Principal | None = None) -> list[UserAccount]:
    """The users an admin manages (every user, from the shell), by username."""
    jurisdiction = "" if by is None else by.jurisdiction
    check_manages(by, jurisdiction)
    with store.reading() as conn:
        return [_account(user) for user in stored_users.within(conn, jurisdiction)]


def disable_user(store: Store, username: str, *, by: Principal | None = None) -> None:
    """Disable a user and end its sessions: it signs in no more, its tokens stop working.

    Disabling a disabled user changes nothing.
    """
    with store.transaction() as conn:
        user = find_user(conn, username, by)
        if user.disabled_at is None:
            stored_users.disable(conn, user, actor_for(by))
            sessions.end_all_of(conn, user.pk)


def reset_password(
    store: Store, username: str, password: str | None = None, *, by: Principal | None = None
) -> str | None:
    """Give a user a new password and end all its web sessions (its API tokens stay).

    Returns the generated password to show once, or None when ``password`` was given.
    """
    chosen = check_new_password(password) if password is not None else None
    with store.reading() as conn:
        find_user(conn, username, by)  # refused before the slow hash
    shown = chosen if chosen is not None else generate_password()
    password_hash = hash_password(shown)
    with store.transaction() as conn:
        user = find_user(conn, username, by)
        stored_users.set_password_hash(conn, user, password_hash, actor_for(by))
        sessions.end_all_of(conn, user.pk)
    return None if chosen is not None else shown


def authenticate(store: Store, username: str, password: str) -> Principal | None:
    """The signed-in user for ``username`` and ``password``, or None.

    An unknown name, a wrong password and a disabled user all get None after the same
    argon2 work, so neither the answer nor its time tells them apart. A hash made with
    older parameters is replaced by one made with the current ones.
    """
    with store.reading() as conn:
        user = stored_users.by_username(conn, normalise_username(username))
    if user is None or user.disabled_at is not None:
        verify_nothing(password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        with store.transaction() as conn:
            stored_users.set_password_hash(conn, user, hash_password(password), None)
    return principal_of(user)


def principal_of(user: UserRecord, token_id: str | None = None) -> Principal:
    """``user`` as the use cases see it when it signs in."""
    return Principal(
        user.public_id,
        user.username,
        user.role,
        user.union_public_id,
        user.union_name,
        user.jurisdiction,
        token_id,
    )


def find_user(conn: Connection, username: str, by: Principal | None = None) -> UserRecord:
    """The user named ``username`` whom ``by`` manages: :class:`NotFound` or :class:`Forbidden`."""
    user = _found(conn, normalise_username(username))
    check_manages(by, user.jurisdiction)
    return user


def _found(conn: Connection, username: str) -> UserRecord:
    user = stored_users.by_username(conn, username)
    if user is None:
        raise NotFound(
            f"user: no user named {username!r}; `stationmap users list` shows every user",
            code="unknown_user",
        )
    return user


def check_manages(by: Principal | None, jurisdiction: str) -> None:
    """:class:`Forbidden` unless ``by`` is the shell or an admin of ``jurisdiction`` or above."""
    if by is None or by.may_manage(jurisdiction):
        return
    if by.role != ADMIN:
        raise Forbidden(f"只有管理员可以管理用户 (only admins manage users; you are {by.role})")
    raise Forbidden(
        f"只能管理本级及下级工会的用户 (you manage the users of union {adcode_of(by.jurisdiction)} "
        f"and the unions below it, not of {adcode_of(jurisdiction)})"
    )


def actor_for(by: Principal | None) -> Actor:
    """Who the audit trail names: the admin with its union, or the shell."""
    return SHELL if by is None else Writer(by.username, by.union_name)


def _account(user: UserRecord) -> UserAccount:
    return UserAccount(
        id=user.public_id,
        username=user.username,
        role=user.role,
        union_id=user.union_public_id,
        union_name=user.union_name,
        union_adcode=adcode_of(user.jurisdiction),
        disabled_at=user.disabled_at,
        created_at=user.created_at,
    )
