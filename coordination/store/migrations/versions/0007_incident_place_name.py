"""Incidents keep where they are in words (a gazetteer name, a CAP <areaDesc>), beside the point.

Revision ID: 0007
Revises: 0010
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('incidents') as batch:
        batch.add_column(sa.Column('place_name', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('incidents') as batch:
        batch.drop_column('place_name')
