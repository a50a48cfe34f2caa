"""Test builders that speak the domain: ``add_station(store, name=..., lonlat=...)``."""

from __future__ import annotations

from typing import Any

from stationmap.accounts import Principal
from stationmap.accounts.tokens import create_token
from stationmap.accounts.unions import union_for_adcode
from stationmap.accounts.users import principal_of
from stationmap.store import Store
from stationmap.store import users as stored_users
from stationmap.types import Station, StationDraft

XUANWU = (118.7975, 32.0485)
"""A point in 南京市玄武区 (320102)."""


def draft(
    name: str = "玄武区测试驿站", lonlat: tuple[float, float] = XUANWU, **fields: Any
) -> StationDraft:
    """A valid :class:`StationDraft`, changed by ``fields``."""
    values: dict[str, Any] = {
        "kind": "shop",
        "amenities": ("drinking_water", "toilet"),
        "opening_hours": "Mo-Su 08:00-20:00",
        "phone": "025-****1234",
    }
    values.update(fields)
    return StationDraft(name=name, lon=lonlat[0], lat=lonlat[1], **values)


def add_station(
    store: Store,
    name: str = "玄武区测试驿站",
    lonlat: tuple[float, float] = XUANWU,
    actor: str = "test",
    **fields: Any,
) -> Station:
    """Store a station built by :func:`draft` and return it."""
    return store.add_station(draft(name, lonlat, **fields), actor=actor)


BOOKKEEPING = {"last_used_at", "last_seen_at"}
"""Columns a request touches whatever it asks (when a token or a session was last used):
left out of :func:`table_dump`, whose equality means that nothing was written."""


def table_dump(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table the store declares (plus the migration version), in key
    order: equal dumps before and after an operation mean it wrote nothing at all."""
    from sqlalchemy import select, text

    from stationmap.store.schema import metadata

    with store.engine.connect() as conn:
        dump = {
            table.name: [
                tuple(row)
                for row in conn.execute(
                    select(*[c for c in table.columns if c.name not in BOOKKEEPING]).order_by(
                        *table.primary_key
                    )
                )
            ]
            for table in metadata.sorted_tables
        }
        dump["alembic_version"] = conn.execute(text("SELECT * FROM alembic_version")).all()
    return dump


UNUSABLE_PASSWORD_HASH = "!no-password: a test user signs in through a token or a Principal"


def add_user(
    store: Store,
    username: str = "clerk",
    union: str = "320102",
    role: str = "editor",
    *,
    with_token: bool = True,
) -> Principal:
    """A user of the union named by adcode ``union`` (made if missing), as a :class:`Principal`.

    Written through the store's writers and the union use case as ``stationmap users add``
    writes it, but with an unusable password hash: store and use-case tests skip the
    argon2 work (sign in with :func:`add_token`, or ``users.add_user`` for a password).
    With ``with_token`` the user also gets a token that :func:`bearer` sends.
    """
    with store.transaction() as conn:
        union_pk, _ = union_for_adcode(conn, store.regions, union, "test")
        stored_users.add(conn, username, union_pk, role, UNUSABLE_PASSWORD_HASH, "test")
        user = stored_users.by_username(conn, username)
    assert user is not None, "added just above"
    principal = principal_of(user)
    if with_token:
        _TOKENS[principal.user_id] = create_token(store, username, label=BUILDER_TOKEN).secret
    return principal


BUILDER_TOKEN = "tests/builders.add_user"
"""The label of the token :func:`add_user` makes for :func:`bearer`."""
_TOKENS: dict[str, str] = {}
"""That token's secret for each user, by the user's public id (random: unique)."""


def bearer(principal: Principal | None) -> dict[str, str]:
    """The ``Authorization`` header of a request by ``principal`` (none for anonymous)."""
    return {} if principal is None else {"Authorization": f"Bearer {_TOKENS[principal.user_id]}"}


def signed_in(principal: Principal | None) -> dict[str, Any]:
    """What a test client's request carries to be made by ``principal``: its bearer token."""
    return {"headers": bearer(principal)}


def add_token(store: Store, username: str = "clerk", **options: Any) -> str:
    """A new API token's secret for user ``username`` (``expires_days``, ``label``)."""
    return create_token(store, username, **options).secret
