"""SOP engine: decisions, notices, spawned incidents, run event logs, SOP version lifecycle (issue 3)

Revision ID: 0002
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def _utc():
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table('sop_versions') as batch:
        batch.add_column(sa.Column('uploaded_by', sa.String(length=200), nullable=False, server_default=''))
        batch.add_column(sa.Column('activated_at', _utc(), nullable=True))
        batch.add_column(sa.Column('retired_at', _utc(), nullable=True))
    with op.batch_alter_table('incidents') as batch:
        batch.add_column(sa.Column('details', sa.JSON(), nullable=False, server_default='{}'))
        batch.add_column(sa.Column('parent_incident_id', sa.Uuid(), nullable=True))
        batch.add_column(sa.Column('spawned_by_step', sa.String(length=64), nullable=True))
        batch.create_index(batch.f('ix_incidents_parent_incident_id'), ['parent_incident_id'], unique=False)
        batch.create_foreign_key(
            batch.f('fk_incidents_parent_incident_id_incidents'), 'incidents', ['parent_incident_id'], ['id']
        )
    op.create_table(
        'sop_run_events',
        sa.Column('run_id', sa.Uuid(), nullable=False),
        sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('at', _utc(), nullable=False),
        sa.Column('actor', sa.String(length=200), nullable=False),
        sa.Column('event', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['run_id'], ['sop_runs.id'], name=op.f('fk_sop_run_events_run_id_sop_runs')),
        sa.PrimaryKeyConstraint('run_id', 'seq', name=op.f('pk_sop_run_events')),
    )
    op.create_table(
        'duty_requests',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('incident_id', sa.Uuid(), nullable=False),
        sa.Column('run_id', sa.Uuid(), nullable=False),
        sa.Column('step_id', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('options', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('created_at', _utc(), nullable=False),
        sa.Column('due_at', _utc(), nullable=False),
        sa.Column('answer', sa.String(length=64), nullable=True),
        sa.Column('answered_by', sa.String(length=200), nullable=False),
        sa.Column('answered_at', _utc(), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_duty_requests_incident_id_incidents')),
        sa.ForeignKeyConstraint(['run_id'], ['sop_runs.id'], name=op.f('fk_duty_requests_run_id_sop_runs')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_requests')),
        sa.UniqueConstraint('run_id', 'step_id', name=op.f('uq_duty_requests_run_id')),
    )
    op.create_index(op.f('ix_duty_requests_incident_id'), 'duty_requests', ['incident_id'], unique=False)
    op.create_table(
        'public_notices',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('incident_id', sa.Uuid(), nullable=False),
        sa.Column('run_id', sa.Uuid(), nullable=False),
        sa.Column('step_id', sa.String(length=64), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('approved_by', sa.String(length=200), nullable=False),
        sa.Column('published_at', _utc(), nullable=False),
        sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_public_notices_incident_id_incidents')),
        sa.ForeignKeyConstraint(['run_id'], ['sop_runs.id'], name=op.f('fk_public_notices_run_id_sop_runs')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_public_notices')),
    )
    op.create_index(op.f('ix_public_notices_incident_id'), 'public_notices', ['incident_id'], unique=False)
    op.create_index(op.f('ix_public_notices_published_at'), 'public_notices', ['published_at'], unique=False)


def downgrade() -> None:
    op.drop_table('public_notices')
    op.drop_table('duty_requests')
    op.drop_table('sop_run_events')
    with op.batch_alter_table('incidents') as batch:
        batch.drop_constraint(batch.f('fk_incidents_parent_incident_id_incidents'), type_='foreignkey')
        batch.drop_index(batch.f('ix_incidents_parent_incident_id'))
        batch.drop_column('spawned_by_step')
        batch.drop_column('parent_incident_id')
        batch.drop_column('details')
    with op.batch_alter_table('sop_versions') as batch:
        batch.drop_column('retired_at')
        batch.drop_column('activated_at')
        batch.drop_column('uploaded_by')
