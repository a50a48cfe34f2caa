"""Unions: who operates stations, each within a jurisdiction (an adcode prefix)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, insert, select

from ..errors import InvalidStation
from ..identifiers import new_public_id
from ..regions import RegionIndex
from ..types import Union
from .audit import Actor, Change, record
from .schema import now, unions
from .validation import invalid


def add(conn: Connection, rows: list[dict[str, str]], actor: Actor) -> list[Union]:
    """Create unions from ``{"name", "jurisdiction"}`` rows (``public_id`` optional), audited."""
    stamp = now()
    records = [_clean(row, stamp) for row in rows]
    if not records:
        return []
    conn.execute(insert(unions), records)
    record(
        conn,
        actor,
        [
            Change(
                "create",
                "union",
                r["public_id"],
                after={"name": r["name"], "jurisdiction": r["jurisdiction"]},
            )
            for r in records
        ],
    )
    return [_union(r) for r in records]


def county_union_name(regions: RegionIndex, adcode: str) -> str:
    """The name a county's union goes by (玄武区总工会), for unions created on its behalf."""
    county = regions.county(adcode)
    return f"{county.name if county else adcode}总工会"


def of_jurisdiction(conn: Connection, jurisdiction: str) -> Union | None:
    """The union whose jurisdiction is exactly ``jurisdiction`` (the oldest, if several)."""
    query = select(unions).where(unions.c.jurisdiction == jurisdiction).order_by(unions.c.id)
    row = conn.execute(query.limit(1)).first()
    return None if row is None else _union(row._mapping)


def list_all(conn: Connection) -> list[Union]:
    """Every union, by jurisdiction."""
    query = select(unions).order_by(unions.c.jurisdiction, unions.c.id)
    return [_union(row._mapping) for row in conn.execute(query)]


def primary_keys(conn: Connection, public_ids: Iterable[Any]) -> list[int | None]:
    """The table key of each union public id (None stays None); an unknown id is refused."""
    public_ids = list(public_ids)
    wanted = {u for u in public_ids if isinstance(u, str)}
    found: dict[str, int] = {}
    if wanted:
        query = select(unions.c.public_id, unions.c.id).where(unions.c.public_id.in_(wanted))
        found = {public_id: pk for public_id, pk in conn.execute(query)}
    missing = sorted(wanted - set(found))
    if missing:
        raise invalid("union_id", missing[0], "the id of an existing union")
    return [found.get(u) if isinstance(u, str) else None for u in public_ids]


def _union(values: Any) -> Union:
    return Union(
        id=values["public_id"],
        name=values["name"],
        jurisdiction=values["jurisdiction"],
        created_at=values["created_at"],
    )


def _clean(row: dict[str, str], stamp: Any) -> dict[str, Any]:
    jurisdiction = str(row.get("jurisdiction", ""))
    if len(jurisdiction) not in (0, 2, 4, 6) or not (jurisdiction.isdigit() or not jurisdiction):
        raise InvalidStation(
            "jurisdiction",
            jurisdiction,
            "an adcode prefix of 2, 4 or 6 digits such as 32 or 320102 (empty: national)",
        )
    name = str(row.get("name", "")).strip()
    if not name:
        raise InvalidStation("name", row.get("name"), "the union's name")
    return {
        "public_id": row.get("public_id") or new_public_id(),
        "name": name,
        "jurisdiction": jurisdiction,
        "created_at": stamp,
    }
