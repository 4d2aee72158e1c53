"""Drill runs started from the planners' console: scenario, progress, KPIs, report (issue 7)

Revision ID: 0006
Revises: 0005
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'drill_runs',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('scenario_name', sa.String(length=200), nullable=False),
        sa.Column('scenario_source', sa.String(length=300), nullable=False),
        sa.Column('scenario_text', sa.Text(), nullable=False),
        sa.Column('seed', sa.BigInteger(), nullable=False),
        sa.Column('replications', sa.Integer(), nullable=False),
        sa.Column('duration_s', sa.Float(), nullable=False),
        sa.Column('engine', sa.String(length=32), nullable=False),
        sa.Column('policy', sa.String(length=32), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('progress', sa.Float(), nullable=False),
        sa.Column('kpis', sa.JSON(), nullable=True),
        sa.Column('report_dir', sa.String(length=1000), nullable=True),
        sa.Column('error', sa.Text(), nullable=False),
        sa.Column('requested_by', sa.String(length=200), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_drill_runs')),
    )
    op.create_index(op.f('ix_drill_runs_status'), 'drill_runs', ['status'], unique=False)
    op.create_index(op.f('ix_drill_runs_requested_at'), 'drill_runs', ['requested_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_drill_runs_requested_at'), table_name='drill_runs')
    op.drop_index(op.f('ix_drill_runs_status'), table_name='drill_runs')
    op.drop_table('drill_runs')
