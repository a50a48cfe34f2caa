"""Turning table rows into plain types and audit-friendly dictionaries."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import Select, func, select

from ..types import STATION_DATA_FIELDS, Station
from ..vocabulary import amenities_from_mask
from .schema import import_batches, stations, unions

_STATION_FIELDS = {f.name for f in dataclasses.fields(Station)} | {"amenity_mask"}
_KEYS = {"id", "union_id", "batch_id"}
"""Internal keys: a :class:`Station` carries the public ids these point to instead."""
_COLUMNS = [c for c in stations.c if c.name in _STATION_FIELDS and c.name not in _KEYS]


def station_select() -> Select:
    """SELECT of every :class:`Station` field, joined to its union and batch."""
    return select(
        stations.c.public_id.label("id"),
        *_COLUMNS,
        func.ST_X(stations.c.geom).label("lon"),
        func.ST_Y(stations.c.geom).label("lat"),
        unions.c.public_id.label("union_id"),
        import_batches.c.public_id.label("batch_id"),
    ).select_from(
        stations.outerjoin(unions, stations.c.union_id == unions.c.id).outerjoin(
            import_batches, stations.c.batch_id == import_batches.c.id
        )
    )


def station_from_row(row: Any) -> Station:
    """A :class:`Station` from a row of :func:`station_select`."""
    values = {k: v for k, v in row._mapping.items() if k in _STATION_FIELDS}
    values["amenities"] = amenities_from_mask(values.pop("amenity_mask"))
    return Station(**values)


def public_values(values: dict[str, Any]) -> dict[str, Any]:
    """The audit view of table values: amenity keys instead of the mask, lon/lat as given."""
    out = {k: values[k] for k in STATION_DATA_FIELDS if k in values and k != "amenities"}
    if "amenity_mask" in values:
        out["amenities"] = list(amenities_from_mask(values["amenity_mask"]))
    return {k: out[k] for k in STATION_DATA_FIELDS if k in out}


def station_values(station: Station) -> dict[str, Any]:
    """The audit view of a stored station."""
    return {
        k: (list(v) if k == "amenities" else v)
        for k in STATION_DATA_FIELDS
        for v in [getattr(station, k)]
    }
