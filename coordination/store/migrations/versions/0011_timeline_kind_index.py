"""The timeline is read by kind (the CAP alerts page's refused alerts, newest first; the KPIs'
unit status changes): an index on (kind, seq), so those reads do not scan a timeline that only grows.

Revision ID: 0011
Revises: 0009
"""

from alembic import op


revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_timeline_kind_seq', 'timeline', ['kind', 'seq'])


def downgrade() -> None:
    op.drop_index('ix_timeline_kind_seq', table_name='timeline')
