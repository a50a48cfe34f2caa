"""Plain result and input types shared by the store, the finder and the importer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Station:
    """A station as stored; coordinates are WGS-84."""

    id: str
    """Stable public id (10 characters of lower-case base32)."""
    name: str
    kind: str
    """A key of ``vocabulary.KINDS``."""
    address: str
    province: str
    city: str
    county: str
    adcode: str
    """6-digit county code."""
    lon: float
    lat: float
    amenities: tuple[str, ...]
    """Keys of ``vocabulary.AMENITIES``, in vocabulary order."""
    opening_hours: str | None
    """OpenStreetMap opening_hours syntax; None when unknown."""
    opening_hours_raw: str | None
    """The hours as the source wrote them (kept when they could not be parsed)."""
    phone: str
    status: str
    """A key of ``vocabulary.STATUSES``."""
    union_id: str | None
    """Public id of the operating union."""
    batch_id: str | None
    """Public id of the import batch that last wrote the station."""
    source_key: str | None
    """The source's own key for the row it came from."""
    version: int
    """Starts at 1, grows by one with every change."""
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class StationDraft:
    """What a writer supplies to create a station; the store fills in the rest.

    Province, city and county names come from the reference layer for ``adcode``;
    when ``adcode`` is None it is found from the point.
    """

    name: str
    lon: float
    lat: float
    kind: str = "other"
    address: str = ""
    adcode: str | None = None
    amenities: tuple[str, ...] = ()
    opening_hours: str | None = None
    opening_hours_raw: str | None = None
    phone: str = ""
    status: str = "active"
    union_id: str | None = None
    source_key: str | None = None
    public_id: str | None = None
    """Given only when the id must be kept (a re-import); new ids are generated."""


STATION_DATA_FIELDS = (
    "name",
    "kind",
    "address",
    "province",
    "city",
    "county",
    "adcode",
    "lon",
    "lat",
    "amenities",
    "opening_hours",
    "opening_hours_raw",
    "phone",
    "status",
    "source_key",
)
"""A station's own data, in a stable order: what audit entries and exports record."""

REGION_FIELDS = ("province", "city", "county")
"""Names the store fills in from the adcode; writers never set them."""

EDITABLE_FIELDS = tuple(f for f in STATION_DATA_FIELDS if f not in REGION_FIELDS)
"""Fields :meth:`Store.update_station` accepts."""


@dataclass(frozen=True)
class Union:
    """A trade union that operates stations within its jurisdiction."""

    id: str
    name: str
    jurisdiction: str
    """Adcode prefix: 2 digits (province), 4 (city) or 6 (county)."""
    created_at: datetime


@dataclass(frozen=True)
class ImportBatch:
    """One load of stations from one source (a file, or the demo generator)."""

    id: str
    source_name: str
    source_format: str
    crs: str
    state: str
    counts: dict[str, int]
    actor: str
    created_at: datetime
    finished_at: datetime | None
    union_id: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One change: who made it, when, and the values before and after."""

    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    batch_id: str | None = None
    changed: tuple[str, ...] = field(default=())


@dataclass(slots=True)
class FoundStation:
    """A station the finder returns, with what the rider asked about it."""

    station: Station
    distance_m: float | None
    """Geodesic distance from the query point on the WGS-84 ellipsoid; None without a point."""
    open_now: bool | None
    """Open at the moment asked about: True, False, or None when the hours are unknown."""
