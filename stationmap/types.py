"""Plain result and input types shared by the store, the finder and the importer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from .identifiers import ALPHABET, ID_LENGTH
from .record_fields import POINT_COLUMN, View, declare
from .vocabulary import AMENITIES, KINDS, STATUSES, amenities_from_mask


def _amenities_of_mask(mask: int) -> tuple[str, ...]:
    return amenities_from_mask(int(mask))


_OWN_DATA = View.GEOJSON | View.CSV | View.AUDIT
"""Where a station's own published data appears."""
_KEPT_DATA = View.CSV | View.AUDIT
"""Where its own unpublished data appears: exported and audited, not in the Feature."""
_TEXT = {"type": "string"}
_TEXT_OR_NULL = {"type": ["string", "null"]}
_TIME = {"type": "string", "format": "date-time"}

MAX_REASON_LENGTH = 200
"""The longest reason a writer may give for closing a station (characters)."""


def _date_text(value: date | None) -> str | None:
    """A day as JSON writes it (``2026-05-01``); None stays None."""
    return None if value is None else value.isoformat()


@dataclass(frozen=True, slots=True)
class Station:
    """A station as stored; coordinates are WGS-84.

    This is the one declaration of a station's fields: each field's ``declare(...)``
    says what it means and where it appears, and :mod:`stationmap.station_fields`
    derives the GeoJSON properties, CSV columns, audit view, editable fields, import
    comparisons and OpenAPI schema from it. A new field is one declaration here (in
    the position it should take in exports) plus a migration.
    """

    id: str = field(
        metadata=declare(
            "Stable public id: 10 characters of lower-case base32.",
            {"type": "string", "pattern": f"^[{ALPHABET}]{{{ID_LENGTH}}}$"},
            shown_in=View.CSV,
            column="public_id",
            label="编号",
        )
    )
    name: str = field(
        metadata=declare(
            "The station's name.", _TEXT, shown_in=_OWN_DATA, editable=True, label="名称"
        )
    )
    kind: str = field(
        metadata=declare(
            "What hosts the station: a key of the kinds vocabulary.",
            {"type": "string", "enum": list(KINDS)},
            shown_in=_OWN_DATA,
            editable=True,
            import_column="kind",
            label="类型",
        )
    )
    address: str = field(
        metadata=declare(
            "Street address; empty when unknown.",
            _TEXT,
            shown_in=_OWN_DATA,
            editable=True,
            import_column="address",
            label="地址",
        )
    )
    province: str = field(
        metadata=declare(
            "Province name, from the county code.",
            _TEXT,
            shown_in=_OWN_DATA,
            from_adcode=True,
            label="省份",
        )
    )
    city: str = field(
        metadata=declare(
            "City (prefecture) name, from the county code.",
            _TEXT,
            shown_in=_OWN_DATA,
            from_adcode=True,
            label="城市",
        )
    )
    county: str = field(
        metadata=declare(
            "County (district) name, from the county code.",
            _TEXT,
            shown_in=_OWN_DATA,
            from_adcode=True,
            label="区县",
        )
    )
    adcode: str = field(
        metadata=declare(
            "6-digit county code; found from the point when a writer gives none.",
            {"type": "string", "pattern": "^[0-9]{6}$"},
            shown_in=_OWN_DATA,
            editable=True,
            label="区县代码",
        )
    )
    lon: float = field(
        metadata=declare(
            "Longitude, WGS-84 degrees (the Feature's geometry).",
            {"type": "number", "minimum": -180, "maximum": 180},
            shown_in=_KEPT_DATA,
            editable=True,
            column=POINT_COLUMN,
            label="经度",
        )
    )
    lat: float = field(
        metadata=declare(
            "Latitude, WGS-84 degrees (the Feature's geometry).",
            {"type": "number", "minimum": -90, "maximum": 90},
            shown_in=_KEPT_DATA,
            editable=True,
            column=POINT_COLUMN,
            label="纬度",
        )
    )
    amenities: tuple[str, ...] = field(
        metadata=declare(
            "Keys of the amenities vocabulary, in vocabulary order.",
            {"type": "array", "items": {"type": "string", "enum": list(AMENITIES)}},
            shown_in=_OWN_DATA,
            editable=True,
            column="amenity_mask",
            import_column="amenities",
            to_json=list,
            to_csv=";".join,
            from_column=_amenities_of_mask,
            label="服务设施",
        )
    )
    opening_hours: str | None = field(
        metadata=declare(
            "OpenStreetMap opening_hours syntax; null when unknown.",
            _TEXT_OR_NULL,
            shown_in=_OWN_DATA,
            editable=True,
            import_column="hours",
            label="开放时间",
        )
    )
    opening_hours_raw: str | None = field(
        metadata=declare(
            "The hours as the source wrote them (kept when they could not be parsed).",
            _TEXT_OR_NULL,
            shown_in=_KEPT_DATA,
            editable=True,
            import_column="hours",
            label="开放时间（原文）",
        )
    )
    phone: str = field(
        metadata=declare(
            "Contact telephone as published; empty when none.",
            _TEXT,
            shown_in=_OWN_DATA,
            editable=True,
            import_column="phone",
            label="电话",
        )
    )
    status: str = field(
        metadata=declare(
            "A key of the statuses vocabulary; riders see active stations unless they ask.",
            {"type": "string", "enum": list(STATUSES)},
            shown_in=_OWN_DATA,
            editable=True,
            import_column="status",
            label="状态",
        )
    )
    status_reason: str | None = field(
        metadata=declare(
            "Why the station is closed or temporarily closed, as its union wrote it; null "
            "while it is active.",
            {"type": ["string", "null"], "maxLength": MAX_REASON_LENGTH},
            shown_in=_OWN_DATA,
            editable=True,
            label="停用原因",
        )
    )
    reopen_on: date | None = field(
        metadata=declare(
            "The day a closed or temporarily closed station expects to reopen "
            "(YYYY-MM-DD); null when none was given or the station is active.",
            {"type": ["string", "null"], "format": "date"},
            shown_in=_OWN_DATA,
            editable=True,
            to_json=_date_text,
            label="恢复开放日期",
        )
    )
    source_key: str | None = field(
        metadata=declare(
            "The source's own key for the row it came from.",
            _TEXT_OR_NULL,
            shown_in=_KEPT_DATA,
            editable=True,
            import_column="source_key",
            label="来源编号",
        )
    )
    union_id: str | None = field(
        metadata=declare(
            "Public id of the operating union.", _TEXT_OR_NULL, shown_in=View.CSV, label="所属工会"
        )
    )
    batch_id: str | None = field(
        metadata=declare(
            "Public id of the import batch that last wrote the station.",
            _TEXT_OR_NULL,
            label="导入批次",
        )
    )
    version: int = field(
        metadata=declare(
            "Starts at 1, grows by one with every change.",
            {"type": "integer", "minimum": 1},
            label="版本",
        )
    )
    created_at: datetime = field(
        metadata=declare(
            "When the station was first stored.",
            _TIME,
            to_json=datetime.isoformat,
            label="创建时间",
        )
    )
    updated_at: datetime = field(
        metadata=declare(
            "When the station last changed.",
            _TIME,
            shown_in=View.GEOJSON | View.CSV,
            to_json=datetime.isoformat,
            label="更新时间",
        )
    )


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
    status_reason: str | None = None
    """Why it is closed or temporarily closed (required then; None while active)."""
    reopen_on: date | None = None
    """When a closed station expects to reopen (a day, or its ISO text)."""
    union_id: str | None = None
    source_key: str | None = None
    public_id: str | None = None
    """Given only when the id must be kept (a re-import); new ids are generated."""


@dataclass(frozen=True)
class Union:
    """A trade union that operates stations within its jurisdiction."""

    id: str
    name: str
    jurisdiction: str
    """Adcode prefix: empty (national), 2 digits (province), 4 (city) or 6 (county)."""
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
    union: str | None = None
    """The acting user's union (None for a command run on the server)."""


@dataclass(slots=True)
class FoundStation:
    """A station the finder returns, with what the rider asked about it."""

    station: Station
    distance_m: float | None
    """Geodesic distance from the query point on the WGS-84 ellipsoid; None without a point."""
    open_now: bool | None
    """Open at the moment of the request: True, False, or None when the hours are unknown."""
    open_then: bool | None = None
    """Open at the time the query asked about (``open_at``), in the same terms; the same as
    ``open_now`` when no time was asked. Answers show it only to a query that asked."""
