"""A station's status reason and reopening day: why a union closed or paused it, and when
it expects to open again.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("stations", sa.Column("status_reason", sa.Text, nullable=True))
    op.add_column("stations", sa.Column("reopen_on", sa.Date, nullable=True))


def downgrade() -> None:
    """SQLite (3.35 and later) drops a plain column in place, as PostgreSQL does: no copy
    of the stations table, whose spatial index a batch copy would lose."""
    op.execute("ALTER TABLE stations DROP COLUMN reopen_on")
    op.execute("ALTER TABLE stations DROP COLUMN status_reason")
