"""Followed CAP feeds: each index's ETag and Last-Modified for conditional requests, and the
entries whose alerts were received, so none is fetched or acted on twice, across restarts.

Revision ID: 0015
Revises: 0014
"""

from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'cap_feeds',
        sa.Column('url', sa.String(length=2000), primary_key=True),
        sa.Column('etag', sa.String(length=500), nullable=True),
        sa.Column('last_modified', sa.String(length=100), nullable=True),
        sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        'cap_feed_entries',
        sa.Column('key', sa.String(length=64), primary_key=True),
        sa.Column('feed_url', sa.String(length=2000), nullable=False),
        sa.Column('entry_id', sa.Text(), nullable=False),
        sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_cap_feed_entries_feed_url', 'cap_feed_entries', ['feed_url'])


def downgrade() -> None:
    op.drop_index('ix_cap_feed_entries_feed_url', table_name='cap_feed_entries')
    op.drop_table('cap_feed_entries')
    op.drop_table('cap_feeds')
