"""CAP alerts keep what vouched for their sender: a signature verified against the centre's
certificates for it, none, or one nobody could check. Alerts received before are `unchecked`.

Revision ID: 0008
Revises: 0007
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cap_alerts') as batch:
        batch.add_column(sa.Column('signature', sa.String(length=16), nullable=False, server_default='unchecked'))


def downgrade() -> None:
    with op.batch_alter_table('cap_alerts') as batch:
        batch.drop_column('signature')
