"""The city's devices (message signs, sirens, drainage pumps, barriers) and the commands sent to
them: queued in the transaction that issues them, published by the worker, confirmed by the
device before a deadline.

Revision ID: 0017
Revises: 0016
"""

from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'devices',
        sa.Column('id', sa.String(length=128), nullable=False),
        sa.Column('kind', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('longitude', sa.Float(), nullable=False),
        sa.Column('latitude', sa.Float(), nullable=False),
        sa.Column('command_topic', sa.String(length=400), nullable=False),
        sa.Column('confirmation_topic', sa.String(length=400), nullable=False),
        sa.Column('agency_id', sa.Uuid(), nullable=False),
        sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_devices_agency_id_agencies')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_devices')),
    )
    op.create_index(op.f('ix_devices_agency_id'), 'devices', ['agency_id'])
    op.create_index(op.f('ix_devices_kind'), 'devices', ['kind'])
    op.create_table(
        'device_commands',
        sa.Column('command_id', sa.String(length=36), nullable=False),
        sa.Column('device_id', sa.String(length=128), nullable=False),
        sa.Column('incident_id', sa.Uuid(), nullable=True),
        sa.Column('run_id', sa.Uuid(), nullable=True),
        sa.Column('step_id', sa.String(length=64), nullable=True),
        sa.Column('action', sa.String(length=64), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('issued_by', sa.String(length=200), nullable=False),
        sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('publish_attempts', sa.Integer(), nullable=False),
        sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_device_commands_device_id_devices')),
        sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'],
                                name=op.f('fk_device_commands_incident_id_incidents')),
        sa.ForeignKeyConstraint(['run_id'], ['sop_runs.id'], name=op.f('fk_device_commands_run_id_sop_runs')),
        sa.PrimaryKeyConstraint('command_id', name=op.f('pk_device_commands')),
    )
    op.create_index(op.f('ix_device_commands_device_id'), 'device_commands', ['device_id'])
    op.create_index(op.f('ix_device_commands_incident_id'), 'device_commands', ['incident_id'])
    op.create_index(op.f('ix_device_commands_run_id'), 'device_commands', ['run_id'])
    op.create_index('ix_device_commands_status_due_at', 'device_commands', ['status', 'due_at'])


def downgrade() -> None:
    op.drop_table('device_commands')
    op.drop_table('devices')
