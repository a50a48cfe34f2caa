"""The store's tables (SQLAlchemy Core), identical on SpatiaLite and PostGIS.

Migrations in ``migrations/versions`` create exactly these; a test compares the
migrated database with this metadata so the two cannot drift apart.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)

from ..vocabulary import KINDS, STATUSES

metadata = MetaData()

BATCH_STATES = ("staged", "applied", "dry_run", "failed", "replaced")
UPLOAD_STATES = ("previewed", "applied", "refused")
"""An uploaded list: previewed (its report kept), applied, or refused at apply (the
store changed under it; the uploader previews again)."""
ROLES = ("admin", "editor", "viewer")
AUDIT_ACTIONS = ("create", "update", "delete", "bulk_load")


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned time-zone aware.

    SQLite keeps no zone; PostgreSQL returns the session's. Both come back in UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store times with a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def now() -> datetime:
    """The current time in UTC: what every write stores (one place, so writes agree)."""
    return datetime.now(UTC)


def _one_of(column: str, keys: Any) -> str:
    return f"{column} IN ({', '.join(repr(k) for k in keys)})"


unions = Table(
    "unions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("public_id", String(10), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column(
        "jurisdiction",
        String(6),
        nullable=False,
        comment="adcode prefix: empty (national), 2, 4 or 6 digits",
    ),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint("length(jurisdiction) IN (0, 2, 4, 6)", name="ck_unions_jurisdiction"),
)

import_batches = Table(
    "import_batches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("public_id", String(10), nullable=False, unique=True),
    Column("union_id", Integer, ForeignKey("unions.id"), nullable=True),
    Column("source_name", Text, nullable=False, comment="file name, or 'demo'"),
    Column("source_format", String(16), nullable=False),
    Column("crs", String(8), nullable=False),
    Column("state", String(16), nullable=False),
    Column("counts", JSON, nullable=False),
    Column("actor", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
    CheckConstraint(_one_of("state", BATCH_STATES), name="ck_import_batches_state"),
)

stations = Table(
    "stations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("public_id", String(10), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("address", Text, nullable=False, default=""),
    Column("province", Text, nullable=False),
    Column("city", Text, nullable=False),
    Column("county", Text, nullable=False),
    Column("adcode", String(6), nullable=False, index=True),
    Column("geom", Geometry("POINT", srid=4326, spatial_index=True), nullable=False),
    Column("amenity_mask", Integer, nullable=False, default=0),
    Column("opening_hours", Text, nullable=True, comment="OpenStreetMap syntax; null = unknown"),
    Column("opening_hours_raw", Text, nullable=True, comment="the hours as the source wrote them"),
    Column("phone", Text, nullable=False, default=""),
    Column("union_id", Integer, ForeignKey("unions.id"), nullable=True, index=True),
    Column("status", String(24), nullable=False),
    Column("status_reason", Text, nullable=True, comment="why closed; null while active"),
    Column("reopen_on", Date, nullable=True, comment="the day a closed station expects to reopen"),
    Column("batch_id", Integer, ForeignKey("import_batches.id"), nullable=True),
    Column("source_key", Text, nullable=True, comment="the source's own key for the row"),
    Column("version", Integer, nullable=False, default=1),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint(_one_of("kind", KINDS), name="ck_stations_kind"),
    CheckConstraint(_one_of("status", STATUSES), name="ck_stations_status"),
    Index("ix_stations_source", "union_id", "source_key"),
)

audit_entries = Table(
    "audit_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", String(16), nullable=False),
    Column("entity", String(16), nullable=False, comment="station, union or batch"),
    Column("entity_id", String(10), nullable=False, comment="the entity's public id"),
    Column("batch_id", Integer, ForeignKey("import_batches.id"), nullable=True),
    Column("before", JSON, nullable=True),
    Column("after", JSON, nullable=True),
    Column(
        "tx",
        BigInteger,
        nullable=True,
        comment="PostgreSQL: the writing transaction's id (a server default); SQLite: null",
    ),
    Column("actor_union", Text, nullable=True, comment="the acting user's union, by name"),
    CheckConstraint(_one_of("action", AUDIT_ACTIONS), name="ck_audit_action"),
    Index("ix_audit_entity", "entity", "entity_id"),
    Index("ix_audit_tx", "tx"),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("public_id", String(10), nullable=False, unique=True),
    Column("username", String(64), nullable=False, unique=True, comment="as typed, NFKC"),
    Column("union_id", Integer, ForeignKey("unions.id"), nullable=False, index=True),
    Column("role", String(8), nullable=False),
    Column("password_hash", Text, nullable=False, comment="argon2id, never the password"),
    Column(
        "session_epoch",
        Integer,
        nullable=False,
        default=0,
        comment="raised by a password reset or a disable: every older session ends",
    ),
    Column("disabled_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint(_one_of("role", ROLES), name="ck_users_role"),
)

user_sessions = Table(
    "user_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "key_hash", String(64), nullable=False, unique=True, comment="SHA-256 of the cookie's key"
    ),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime, nullable=True, comment="set by logout, a disable or a reset"),
    Column("address", String(64), nullable=True, comment="the client's address at sign-in"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("public_id", String(10), nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("secret_hash", String(64), nullable=False, unique=True, comment="SHA-256, hex"),
    Column("label", Text, nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime, nullable=True),
    Column("last_used_at", UTCDateTime, nullable=True),
)

import_uploads = Table(
    "import_uploads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("public_id", String(10), nullable=False, unique=True),
    Column("union_id", Integer, ForeignKey("unions.id"), nullable=False, index=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("file_name", Text, nullable=False),
    Column("content", LargeBinary, nullable=False, comment="the file as uploaded"),
    Column("sha256", String(64), nullable=False),
    Column("crs", String(8), nullable=True, comment="as the uploader declared it, if at all"),
    Column("state", String(16), nullable=False),
    Column("report", JSON, nullable=False, comment="the dry-run report, as previewed"),
    Column("plan_digest", String(64), nullable=False, comment="what apply must write"),
    Column("batch_id", Integer, ForeignKey("import_batches.id"), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
    CheckConstraint(_one_of("state", UPLOAD_STATES), name="ck_import_uploads_state"),
)

write_receipts = Table(
    "write_receipts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("key", String(64), nullable=False, comment="the client's idempotency key"),
    Column("entity_id", String(10), nullable=False, comment="what the first request created"),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("user_id", "key", name="uq_write_receipts_user_key"),
)

county_population = Table(
    "county_population",
    metadata,
    Column("adcode", String(6), primary_key=True, comment="a county's 6-digit adcode"),
    Column("population", BigInteger, nullable=False, comment="people, as the loaded file said"),
    Column("source", Text, nullable=False, comment="the file's name"),
    Column("loaded_at", UTCDateTime, nullable=False),
    Column("loaded_by", Text, nullable=False),
    CheckConstraint("population >= 0", name="ck_county_population_population"),
    CheckConstraint("length(adcode) = 6", name="ck_county_population_adcode"),
)
"""Real county figures an operator loaded (``stationmap population load``), each replacing
the MODELLED figure of its county; a county without a row keeps the modelled one."""
