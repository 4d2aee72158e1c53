"""People who sign in to the console: users with argon2 password hashes, and sign-in attempts
kept for rate limiting (issue 7)

Revision ID: 0005
Revises: 0004
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'users',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('display_name', sa.String(length=200), nullable=False),
        sa.Column('password_hash', sa.String(length=200), nullable=False),
        sa.Column('role', sa.String(length=32), nullable=False),
        sa.Column('agency_id', sa.Uuid(), nullable=True),
        sa.Column('is_active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_sign_in_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_users_agency_id_agencies')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
        sa.UniqueConstraint('username', name=op.f('uq_users_username')),
    )
    op.create_table(
        'sign_in_attempts',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('remote_address', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('succeeded', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_attempts')),
    )
    op.create_index('ix_sign_in_attempts_username_at', 'sign_in_attempts', ['username', 'at'], unique=False)
    op.create_index('ix_sign_in_attempts_remote_address_at', 'sign_in_attempts', ['remote_address', 'at'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_sign_in_attempts_remote_address_at', table_name='sign_in_attempts')
    op.drop_index('ix_sign_in_attempts_username_at', table_name='sign_in_attempts')
    op.drop_table('sign_in_attempts')
    op.drop_table('users')
