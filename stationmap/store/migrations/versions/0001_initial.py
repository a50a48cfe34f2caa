"""The initial store: unions, import batches, stations and the audit trail.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

from stationmap.store.backend import prepare_spatial
from stationmap.store.schema import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

KINDS = (
    "restaurant",
    "smart_kiosk",
    "shop",
    "bank",
    "petrol_station",
    "community_centre",
    "government_hall",
    "enterprise",
    "sanitation_point",
    "other",
)
STATUSES = ("active", "temporarily_closed", "closed", "pending")


def _one_of(column, keys):
    return f"{column} IN ({', '.join(repr(k) for k in keys)})"


def upgrade() -> None:
    prepare_spatial(op.get_bind())
    op.create_table(
        "unions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("public_id", sa.String(10), nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("jurisdiction", sa.String(6), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.CheckConstraint("length(jurisdiction) IN (2, 4, 6)", name="ck_unions_jurisdiction"),
    )
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("public_id", sa.String(10), nullable=False, unique=True),
        sa.Column("union_id", sa.Integer, sa.ForeignKey("unions.id"), nullable=True),
        sa.Column("source_name", sa.Text, nullable=False),
        sa.Column("source_format", sa.String(16), nullable=False),
        sa.Column("crs", sa.String(8), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("counts", sa.JSON, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("finished_at", UTCDateTime, nullable=True),
        sa.CheckConstraint(
            _one_of("state", ("staged", "applied", "dry_run", "failed", "replaced")),
            name="ck_import_batches_state",
        ),
    )
    op.create_table(
        "stations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("public_id", sa.String(10), nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("province", sa.Text, nullable=False),
        sa.Column("city", sa.Text, nullable=False),
        sa.Column("county", sa.Text, nullable=False),
        sa.Column("adcode", sa.String(6), nullable=False, index=True),
        sa.Column("geom", Geometry("POINT", srid=4326, spatial_index=True), nullable=False),
        sa.Column("amenity_mask", sa.Integer, nullable=False),
        sa.Column("opening_hours", sa.Text, nullable=True),
        sa.Column("opening_hours_raw", sa.Text, nullable=True),
        sa.Column("phone", sa.Text, nullable=False),
        sa.Column("union_id", sa.Integer, sa.ForeignKey("unions.id"), nullable=True, index=True),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("import_batches.id"), nullable=True),
        sa.Column("source_key", sa.Text, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.CheckConstraint(_one_of("kind", KINDS), name="ck_stations_kind"),
        sa.CheckConstraint(_one_of("status", STATUSES), name="ck_stations_status"),
        sa.Index("ix_stations_source", "union_id", "source_key"),
    )
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("entity", sa.String(16), nullable=False),
        sa.Column("entity_id", sa.String(10), nullable=False),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("import_batches.id"), nullable=True),
        sa.Column("before", sa.JSON, nullable=True),
        sa.Column("after", sa.JSON, nullable=True),
        sa.CheckConstraint(
            _one_of("action", ("create", "update", "delete", "bulk_load")), name="ck_audit_action"
        ),
        sa.Index("ix_audit_entity", "entity", "entity_id"),
    )


def downgrade() -> None:
    for table in ("audit_entries", "stations", "import_batches", "unions"):
        op.drop_table(table)
