"""Units, stations and dispatch recommendations (issue 5)

Revision ID: 0004
Revises: 0003

Also lets a task exist without an SOP run: a dispatch order is a task for the unit's agency
that an accepted recommendation created, whether or not an SOP step asked for it. On SQLite
that rebuilds `tasks` by copy, drop and rename (batch mode); env.py switches foreign-key
enforcement off for the rebuild and checks every key before commit.
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('agency_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_stations_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stations')),
    sa.UniqueConstraint('code', name=op.f('uq_stations_code'))
    )
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stations_agency_id'), ['agency_id'], unique=False)

    op.create_table('units',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('agency_id', sa.Uuid(), nullable=False),
    sa.Column('station_id', sa.Uuid(), nullable=True),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('unit_type', sa.String(length=64), nullable=False),
    sa.Column('capabilities', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('position_fixed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('committed_priority', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_units_agency_id_agencies')),
    sa.ForeignKeyConstraint(['station_id'], ['stations.id'], name=op.f('fk_units_station_id_stations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('code', name=op.f('uq_units_code'))
    )
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_units_agency_id'), ['agency_id'], unique=False)

    op.create_table('dispatch_demands',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('incident_id', sa.Uuid(), nullable=False),
    sa.Column('needs', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('requested_by', sa.String(length=200), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sop_run_id', sa.Uuid(), nullable=True),
    sa.Column('sop_step_id', sa.String(length=64), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_dispatch_demands_incident_id_incidents')),
    sa.ForeignKeyConstraint(['sop_run_id'], ['sop_runs.id'], name=op.f('fk_dispatch_demands_sop_run_id_sop_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispatch_demands'))
    )
    with op.batch_alter_table('dispatch_demands', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispatch_demands_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispatch_demands_status'), ['status'], unique=False)

    op.create_table('dispatch_recommendations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('incident_id', sa.Uuid(), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('requested_by', sa.String(length=200), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sop_run_id', sa.Uuid(), nullable=True),
    sa.Column('sop_step_id', sa.String(length=64), nullable=True),
    sa.Column('method', sa.String(length=32), nullable=False),
    sa.Column('plan_status', sa.String(length=32), nullable=False),
    sa.Column('proven_optimal', sa.Boolean(), nullable=False),
    sa.Column('solver_status', sa.String(length=64), nullable=False),
    sa.Column('objective', sa.BigInteger(), nullable=False),
    sa.Column('unserved_weight', sa.BigInteger(), nullable=False),
    sa.Column('baseline_objective', sa.BigInteger(), nullable=True),
    sa.Column('baseline_unserved_weight', sa.BigInteger(), nullable=True),
    sa.Column('plan', sa.JSON(), nullable=False),
    sa.Column('decided_by', sa.String(length=200), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_dispatch_recommendations_incident_id_incidents')),
    sa.ForeignKeyConstraint(['sop_run_id'], ['sop_runs.id'], name=op.f('fk_dispatch_recommendations_sop_run_id_sop_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispatch_recommendations'))
    )
    with op.batch_alter_table('dispatch_recommendations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispatch_recommendations_incident_id'), ['incident_id'], unique=False)

    op.create_table('dispatch_assignments',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('recommendation_id', sa.Uuid(), nullable=False),
    sa.Column('demand_id', sa.Uuid(), nullable=False),
    sa.Column('incident_id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('task_id', sa.Uuid(), nullable=True),
    sa.Column('need', sa.String(length=64), nullable=False),
    sa.Column('eta_s', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('preempted', sa.Boolean(), nullable=False),
    sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['demand_id'], ['dispatch_demands.id'], name=op.f('fk_dispatch_assignments_demand_id_dispatch_demands')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_dispatch_assignments_incident_id_incidents')),
    sa.ForeignKeyConstraint(['recommendation_id'], ['dispatch_recommendations.id'], name=op.f('fk_dispatch_assignments_recommendation_id_dispatch_recommendations')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_dispatch_assignments_task_id_tasks')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_dispatch_assignments_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispatch_assignments'))
    )
    with op.batch_alter_table('dispatch_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispatch_assignments_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispatch_assignments_recommendation_id'), ['recommendation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispatch_assignments_demand_id'), ['demand_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispatch_assignments_unit_id'), ['unit_id'], unique=False)

    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.alter_column('run_id', existing_type=sa.Uuid(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.alter_column('run_id', existing_type=sa.Uuid(), nullable=False)
    op.drop_table('dispatch_assignments')
    op.drop_table('dispatch_recommendations')
    op.drop_table('dispatch_demands')
    op.drop_table('units')
    op.drop_table('stations')

