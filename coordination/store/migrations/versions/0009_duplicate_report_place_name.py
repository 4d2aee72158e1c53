"""A duplicate report keeps its own place name, as the incident it joined keeps its own.

Revision ID: 0009
Revises: 0008
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('duplicate_reports') as batch:
        batch.add_column(sa.Column('place_name', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('duplicate_reports') as batch:
        batch.drop_column('place_name')
