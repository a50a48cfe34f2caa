"""County population figures loaded from official sources, each replacing its county's
modelled figure (``stationmap population load``).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from stationmap.store.schema import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "county_population",
        sa.Column("adcode", sa.String(6), primary_key=True),
        sa.Column("population", sa.BigInteger, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("loaded_at", UTCDateTime, nullable=False),
        sa.Column("loaded_by", sa.Text, nullable=False),
        sa.CheckConstraint("population >= 0", name="ck_county_population_population"),
        sa.CheckConstraint("length(adcode) = 6", name="ck_county_population_adcode"),
    )


def downgrade() -> None:
    op.drop_table("county_population")
