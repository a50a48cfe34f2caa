"""Test builders that speak the domain: ``add_station(store, name=..., lonlat=...)``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select

from stationmap.accounts import Principal, jurisdiction_of
from stationmap.identifiers import new_public_id
from stationmap.store import Store
from stationmap.store.schema import now, unions, users
from stationmap.types import Station, StationDraft
from stationmap.web.principals import PRINCIPAL_KEY

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


def table_dump(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table the store declares (plus the migration version), in key
    order: equal dumps before and after an operation mean it wrote nothing at all."""
    from sqlalchemy import select, text

    from stationmap.store.schema import metadata

    with store.engine.connect() as conn:
        dump = {
            table.name: [
                tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key))
            ]
            for table in metadata.sorted_tables
        }
        dump["alembic_version"] = conn.execute(text("SELECT * FROM alembic_version")).all()
    return dump


UNUSABLE_PASSWORD_HASH = "!no-password: a test user signs in through a token or a Principal"


def add_user(
    store: Store, username: str = "clerk", union: str = "320102", role: str = "editor"
) -> Principal:
    """A user of the union named by adcode ``union`` (made if missing), as a :class:`Principal`.

    Writes the rows directly, so store and use-case tests need no password hashing.
    """
    jurisdiction = jurisdiction_of(union)
    stamp = now()
    with store.transaction() as conn:
        found = conn.execute(
            select(unions.c.id, unions.c.public_id, unions.c.name).where(
                unions.c.jurisdiction == jurisdiction
            )
        ).first()
        if found is None:
            union_public_id = new_public_id()
            values = {"public_id": union_public_id, "name": f"{union}总工会", "created_at": stamp}
            union_pk = conn.execute(
                insert(unions).values(jurisdiction=jurisdiction, **values)
            ).inserted_primary_key[0]
            union_name = values["name"]
        else:
            union_pk, union_public_id, union_name = found
        user_id = new_public_id()
        conn.execute(
            insert(users).values(
                public_id=user_id,
                username=username,
                union_id=union_pk,
                role=role,
                password_hash=UNUSABLE_PASSWORD_HASH,
                session_epoch=0,
                created_at=stamp,
                updated_at=stamp,
            )
        )
    return Principal(user_id, username, role, union_public_id, union_name, jurisdiction)


def signed_in(principal: Principal | None) -> dict:
    """What a test client's request carries to be made by ``principal`` (until sign-in
    lands: the environ key :func:`stationmap.web.principals.principal_for` reads)."""
    return {"environ_overrides": {PRINCIPAL_KEY: principal}}
