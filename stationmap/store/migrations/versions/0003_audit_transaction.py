"""Each audit entry records the transaction that wrote it, for a change feed that cannot skip.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07

Entries written before this migration keep ``tx`` NULL: they were all committed
before it, and a follower starts from a position taken after it.
"""

import sqlalchemy as sa
from alembic import op

from stationmap.store.backend import record_writing_transaction

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_entries", sa.Column("tx", sa.BigInteger, nullable=True))
    op.create_index("ix_audit_tx", "audit_entries", ["tx"])
    record_writing_transaction(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_audit_tx", table_name="audit_entries")
    op.drop_column("audit_entries", "tx")
