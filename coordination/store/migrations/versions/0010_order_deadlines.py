"""Missed deadlines of dispatch orders and move-ups (tasks outside any SOP run), each raised
once to the duty officer.

Revision ID: 0010
Revises: 0006
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'missed_order_deadlines',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('task_id', sa.Uuid(), nullable=False),
        sa.Column('deadline', sa.String(length=16), nullable=False),
        sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_missed_order_deadlines_task_id_tasks')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_missed_order_deadlines')),
        sa.UniqueConstraint('task_id', 'deadline', name=op.f('uq_missed_order_deadlines_task_id')),
    )


def downgrade() -> None:
    op.drop_table('missed_order_deadlines')
