"""A geography index so PostGIS can answer nearest-station queries by KNN.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from alembic import op

from stationmap.store.backend import create_knn_index, drop_knn_index

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_knn_index(op.get_bind())


def downgrade() -> None:
    drop_knn_index(op.get_bind())
