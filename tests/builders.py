"""Test builders that speak the domain: ``add_station(store, name=..., lonlat=...)``."""

from __future__ import annotations

from typing import Any

from stationmap.store import Store
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
