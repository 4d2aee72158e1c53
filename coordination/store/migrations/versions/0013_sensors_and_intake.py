"""The city's sensors and their readings: the registry, the readings (raw, then down-sampled),
the latest value of each sensor, and the intake's dead letters.

Revision ID: 0013
Revises: 0012
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sensors',
        sa.Column('id', sa.String(length=128), nullable=False),
        sa.Column('kind', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('longitude', sa.Float(), nullable=False),
        sa.Column('latitude', sa.Float(), nullable=False),
        sa.Column('unit', sa.String(length=32), nullable=False),
        sa.Column('agency_id', sa.Uuid(), nullable=False),
        sa.Column('interval_s', sa.Integer(), nullable=False),
        sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_sensors_agency_id_agencies')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sensors')),
    )
    op.create_index(op.f('ix_sensors_agency_id'), 'sensors', ['agency_id'])
    op.create_index(op.f('ix_sensors_kind'), 'sensors', ['kind'])
    op.create_table(
        'sensor_readings',
        sa.Column('reading_id', sa.String(length=300), nullable=False),
        sa.Column('sensor_id', sa.String(length=128), nullable=False),
        sa.Column('observed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('value', sa.Float(), nullable=False),
        sa.Column('unit', sa.String(length=32), nullable=False),
        sa.Column('source', sa.String(length=32), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('samples', sa.Integer(), nullable=False),
        sa.Column('value_min', sa.Float(), nullable=False),
        sa.Column('value_max', sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(['sensor_id'], ['sensors.id'], name=op.f('fk_sensor_readings_sensor_id_sensors')),
        sa.PrimaryKeyConstraint('reading_id', name=op.f('pk_sensor_readings')),
    )
    op.create_index(op.f('ix_sensor_readings_observed_at'), 'sensor_readings', ['observed_at'])
    op.create_index('ix_sensor_readings_sensor_observed', 'sensor_readings', ['sensor_id', 'observed_at'])
    op.create_table(
        'sensor_latest',
        sa.Column('sensor_id', sa.String(length=128), nullable=False),
        sa.Column('reading_id', sa.String(length=300), nullable=False),
        sa.Column('value', sa.Float(), nullable=False),
        sa.Column('unit', sa.String(length=32), nullable=False),
        sa.Column('observed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['sensor_id'], ['sensors.id'], name=op.f('fk_sensor_latest_sensor_id_sensors')),
        sa.PrimaryKeyConstraint('sensor_id', name=op.f('pk_sensor_latest')),
    )
    op.create_table(
        'intake_dead_letters',
        sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('source', sa.String(length=32), nullable=False),
        sa.Column('origin', sa.String(length=400), nullable=False),
        sa.Column('problem', sa.String(length=32), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('sensor_id', sa.String(length=128), nullable=True),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('seq', name=op.f('pk_intake_dead_letters')),
    )
    op.create_index(op.f('ix_intake_dead_letters_problem'), 'intake_dead_letters', ['problem'])
    op.create_index(op.f('ix_intake_dead_letters_received_at'), 'intake_dead_letters', ['received_at'])


def downgrade() -> None:
    op.drop_table('intake_dead_letters')
    op.drop_table('sensor_latest')
    op.drop_table('sensor_readings')
    op.drop_table('sensors')
