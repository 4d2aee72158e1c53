"""Trigger rules: stored versions (activated and retired like SOPs), each rule's state per scope
shared by every intake consumer, and the outcomes the rules decided, kept as an outbox until acted
on and then as the evidence of what they did.

Revision ID: 0012
Revises: 0011
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'rule_versions',
        sa.Column('rule_id', sa.String(length=64), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('sensor_kind', sa.String(length=64), nullable=False),
        sa.Column('source_text', sa.Text(), nullable=False),
        sa.Column('is_active', sa.Boolean(), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('uploaded_by', sa.String(length=200), nullable=False),
        sa.Column('activated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('rule_id', 'version', name=op.f('pk_rule_versions')),
    )
    op.create_table(
        'rule_states',
        sa.Column('rule_id', sa.String(length=64), nullable=False),
        sa.Column('rule_version', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=200), nullable=False),
        sa.Column('state', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('rule_id', 'rule_version', 'scope', name=op.f('pk_rule_states')),
    )
    op.create_table(
        'rule_outcomes',
        sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('outcome_key', sa.String(length=400), nullable=False),
        sa.Column('episode', sa.String(length=300), nullable=False),
        sa.Column('rule_id', sa.String(length=64), nullable=False),
        sa.Column('rule_version', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('body', sa.JSON(), nullable=False),
        sa.Column('observed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('acted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('result', sa.String(length=32), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('incident_id', sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_rule_outcomes_incident_id_incidents')),
        sa.PrimaryKeyConstraint('seq', name=op.f('pk_rule_outcomes')),
        sa.UniqueConstraint('outcome_key', name=op.f('uq_rule_outcomes_outcome_key')),
    )
    op.create_index(op.f('ix_rule_outcomes_episode'), 'rule_outcomes', ['episode'])
    op.create_index(op.f('ix_rule_outcomes_incident_id'), 'rule_outcomes', ['incident_id'])
    op.create_index(op.f('ix_rule_outcomes_rule_id'), 'rule_outcomes', ['rule_id'])
    op.create_index('ix_rule_outcomes_pending', 'rule_outcomes', ['acted_at', 'seq'])


def downgrade() -> None:
    op.drop_table('rule_outcomes')
    op.drop_table('rule_states')
    op.drop_table('rule_versions')
