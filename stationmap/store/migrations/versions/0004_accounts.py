"""Accounts: users with roles, their web sessions (ended server-side), API tokens,
uploaded import lists, receipts of writes (a resubmitted form creates one station), the
actor's union in the audit trail, and the national union (every county: the empty prefix).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from stationmap.store.schema import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ROLES = ("admin", "editor", "viewer")
UPLOAD_STATES = ("previewed", "applied", "refused")
OLD_JURISDICTION = "length(jurisdiction) IN (2, 4, 6)"
NEW_JURISDICTION = "length(jurisdiction) IN (0, 2, 4, 6)"


def _one_of(column, keys):
    return f"{column} IN ({', '.join(repr(k) for k in keys)})"


def upgrade() -> None:
    _replace_jurisdiction_check(NEW_JURISDICTION)
    with op.batch_alter_table("audit_entries") as audit:
        audit.add_column(sa.Column("actor_union", sa.Text, nullable=True))
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("public_id", sa.String(10), nullable=False, unique=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("union_id", sa.Integer, sa.ForeignKey("unions.id"), nullable=False, index=True),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("session_epoch", sa.Integer, nullable=False),
        sa.Column("disabled_at", UTCDateTime, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.CheckConstraint(_one_of("role", ROLES), name="ck_users_role"),
    )
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("last_seen_at", UTCDateTime, nullable=False),
        sa.Column("ended_at", UTCDateTime, nullable=True),
        sa.Column("address", sa.String(64), nullable=True),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("public_id", sa.String(10), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("secret_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.Column("revoked_at", UTCDateTime, nullable=True),
        sa.Column("last_used_at", UTCDateTime, nullable=True),
    )
    op.create_table(
        "import_uploads",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("public_id", sa.String(10), nullable=False, unique=True),
        sa.Column("union_id", sa.Integer, sa.ForeignKey("unions.id"), nullable=False, index=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("crs", sa.String(8), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("report", sa.JSON, nullable=False),
        sa.Column("plan_digest", sa.String(64), nullable=False),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("import_batches.id"), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("finished_at", UTCDateTime, nullable=True),
        sa.CheckConstraint(_one_of("state", UPLOAD_STATES), name="ck_import_uploads_state"),
    )
    op.create_table(
        "write_receipts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("entity_id", sa.String(10), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("user_id", "key", name="uq_write_receipts_user_key"),
    )


def downgrade() -> None:
    op.drop_table("write_receipts")
    op.drop_table("import_uploads")
    op.drop_table("api_tokens")
    op.drop_table("user_sessions")
    op.drop_table("users")
    with op.batch_alter_table("audit_entries") as audit:
        audit.drop_column("actor_union")
    _replace_jurisdiction_check(OLD_JURISDICTION)


def _replace_jurisdiction_check(condition: str) -> None:
    """Swap the unions' jurisdiction check (SQLite: by copying the small table, which
    :func:`stationmap.store.backend.migrating` allows while stations point at it)."""
    with op.batch_alter_table("unions", recreate="auto") as table:
        table.drop_constraint("ck_unions_jurisdiction", type_="check")
        table.create_check_constraint("ck_unions_jurisdiction", condition)
