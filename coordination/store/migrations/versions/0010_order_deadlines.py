"""Missed deadlines of dispatch orders and move-ups (tasks outside any SOP run) are raised once
each to the duty officer: when each was raised.

Revision ID: 0010
Revises: 0005
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tasks') as batch:
        batch.add_column(sa.Column('ack_missed_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('completion_missed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tasks') as batch:
        batch.drop_column('completion_missed_at')
        batch.drop_column('ack_missed_at')
