"""CAP alerts keep what the engine did with each, and why, in words (an alert for another country:
"its areas lie wholly outside the centre's territory"), for the console's list. Alerts received
before have none.

Revision ID: 0014
Revises: 0013
"""

from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cap_alerts') as batch:
        batch.add_column(sa.Column('detail', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('cap_alerts') as batch:
        batch.drop_column('detail')
