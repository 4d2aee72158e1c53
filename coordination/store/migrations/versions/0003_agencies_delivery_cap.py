"""Agencies, jurisdictions, delivery, CAP alerts, duplicates, public feed (issue 4)

Revision ID: 0003
Revises: 0002
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('agencies') as batch:
        batch.add_column(sa.Column('chain_of_command', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('priority', sa.Integer(), nullable=False, server_default='100'))
        batch.add_column(sa.Column('previous_webhook_secret', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('previous_secret_expires_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('webhook_disabled_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('webhook_messages') as batch:
        batch.add_column(sa.Column('attempt_limit', sa.Integer(), nullable=True))

    op.create_table('officer_alerts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('incident_id', sa.Uuid(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_officer_alerts_incident_id_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_officer_alerts'))
    )
    op.create_index(op.f('ix_officer_alerts_incident_id'), 'officer_alerts', ['incident_id'], unique=False)
    op.create_index(op.f('ix_officer_alerts_raised_at'), 'officer_alerts', ['raised_at'], unique=False)

    op.create_table('routing_policies',
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('overlap', sa.String(length=16), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('role', name=op.f('pk_routing_policies'))
    )

    op.create_table('cap_alerts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('sender', sa.String(length=500), nullable=False),
    sa.Column('identifier', sa.String(length=500), nullable=False),
    sa.Column('sent', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('msg_type', sa.String(length=16), nullable=False),
    sa.Column('event', sa.String(length=500), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('incident_id', sa.Uuid(), nullable=True),
    sa.Column('received_by', sa.String(length=200), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('xml', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_cap_alerts_incident_id_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cap_alerts')),
    sa.UniqueConstraint('sender', 'identifier', 'sent', name='uq_cap_alerts_reference')
    )
    op.create_index(op.f('ix_cap_alerts_incident_id'), 'cap_alerts', ['incident_id'], unique=False)

    op.create_table('public_warnings',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('incident_id', sa.Uuid(), nullable=True),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('drafted_by', sa.String(length=200), nullable=False),
    sa.Column('drafted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_by', sa.String(length=200), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cap_identifier', sa.String(length=200), nullable=True),
    sa.Column('cap_xml', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_public_warnings_incident_id_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_warnings')),
    sa.UniqueConstraint('cap_identifier', name=op.f('uq_public_warnings_cap_identifier'))
    )
    op.create_index(op.f('ix_public_warnings_incident_id'), 'public_warnings', ['incident_id'], unique=False)
    op.create_index(op.f('ix_public_warnings_approved_at'), 'public_warnings', ['approved_at'], unique=False)

    op.create_table('duplicate_reports',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('incident_id', sa.Uuid(), nullable=False),
    sa.Column('incident_type', sa.String(length=64), nullable=False),
    sa.Column('severity', sa.String(length=32), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('distance_m', sa.Float(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('reporter_name', sa.String(length=200), nullable=False),
    sa.Column('reporter_phone', sa.String(length=50), nullable=False),
    sa.Column('reported_by', sa.String(length=200), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_duplicate_reports_incident_id_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duplicate_reports'))
    )
    op.create_index(op.f('ix_duplicate_reports_incident_id'), 'duplicate_reports', ['incident_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_duplicate_reports_incident_id'), table_name='duplicate_reports')
    op.drop_table('duplicate_reports')
    op.drop_index(op.f('ix_public_warnings_approved_at'), table_name='public_warnings')
    op.drop_index(op.f('ix_public_warnings_incident_id'), table_name='public_warnings')
    op.drop_table('public_warnings')
    op.drop_index(op.f('ix_cap_alerts_incident_id'), table_name='cap_alerts')
    op.drop_table('cap_alerts')
    op.drop_table('routing_policies')
    op.drop_index(op.f('ix_officer_alerts_raised_at'), table_name='officer_alerts')
    op.drop_index(op.f('ix_officer_alerts_incident_id'), table_name='officer_alerts')
    op.drop_table('officer_alerts')
    with op.batch_alter_table('webhook_messages') as batch:
        batch.drop_column('attempt_limit')
    with op.batch_alter_table('agencies') as batch:
        batch.drop_column('updated_at')
        batch.drop_column('webhook_disabled_at')
        batch.drop_column('previous_secret_expires_at')
        batch.drop_column('previous_webhook_secret')
        batch.drop_column('priority')
        batch.drop_column('chain_of_command')
